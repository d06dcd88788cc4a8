// The data-access layer against real databases: every TEST_P runs on SQLite and on a throwaway
// PostgreSQL cluster. Expected values are written by hand; counts are checked with plain SQL.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/backend.h"
#include "store/db.h"
#include "support/test_db.h"

namespace shuyou::store {
namespace {

using test::NewMigratedTestDatabase;
using test::NewTestDatabase;
using test::NewTestDatabaseTarget;
using test::OpenTestDatabase;

constexpr int64_t kNow = 1'700'000'000'000;

class StoreTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override { db_ = NewTestDatabase(GetParam()); }

  // A table without engine-specific column types, for tests that need no migrations.
  void CreateItems() {
    ASSERT_TRUE(Write("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, qty BIGINT, "
                      "price DOUBLE PRECISION)")
                    .ok());
  }

  Status Write(const std::string& sql, const std::vector<Value>& params = {}) {
    return db_->Write([&](Tx& tx) { return tx.Exec(sql, params).status(); });
  }

  Result<Rows> Query(const std::string& sql, const std::vector<Value>& params = {}) {
    Rows rows;
    Status st = db_->Read([&](Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(rows, tx.Exec(sql, params));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return rows;
  }

  int64_t Count(const std::string& table) {
    auto rows = Query("SELECT COUNT(*) FROM " + table);
    if (!rows.ok()) throw std::runtime_error(rows.status().message());
    return rows->rows.at(0).Int(0);
  }

  Status InsertStore(const std::string& code, const std::string& name) {
    return Write("INSERT INTO stores (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                 {code, name, kNow, kNow});
  }

  std::unique_ptr<Database> db_;
};

int LatestVersion() { return AllMigrations().back().version; }

TEST_P(StoreTest, MigratesEmptyDatabaseToLatestAndIsIdempotent) {
  ASSERT_FALSE(AllMigrations().empty());
  EXPECT_EQ(SchemaVersion(*db_).value(), 0);

  auto first = Migrate(*db_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value(), AllMigrations().back().version);  // numbers may have gaps while branches land
  EXPECT_EQ(first.value(), LatestVersion());
  EXPECT_EQ(SchemaVersion(*db_).value(), LatestVersion());

  auto second = Migrate(*db_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value(), LatestVersion());
  EXPECT_EQ(Count("schema_version"), static_cast<int64_t>(AllMigrations().size()));
  EXPECT_EQ(Count("stores"), 0);
  EXPECT_EQ(Count("audit_log"), 0);
}

TEST_P(StoreTest, RefusesSchemaNewerThanBinaryAndAppliesNothing) {
  ASSERT_TRUE(Write("CREATE TABLE schema_version (version INTEGER NOT NULL, name TEXT NOT NULL, "
                    "applied_at BIGINT NOT NULL)")
                  .ok());
  ASSERT_TRUE(
      Write("INSERT INTO schema_version VALUES (?, ?, ?)", {int64_t{999}, "0999_future", kNow})
          .ok());

  auto version = Migrate(*db_);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), Code::kConflict);
  EXPECT_NE(version.status().message().find("999"), std::string::npos)
      << version.status().message();
  EXPECT_NE(version.status().message().find("upgrade shuyou"), std::string::npos);

  EXPECT_FALSE(Query("SELECT COUNT(*) FROM stores").ok()) << "migration 1 must not have run";
  EXPECT_EQ(Count("schema_version"), 1);
  EXPECT_EQ(SchemaVersion(*db_).value(), 999);
}

TEST_P(StoreTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  std::string target = NewTestDatabaseTarget(GetParam());
  auto a = OpenTestDatabase(target);
  auto b = OpenTestDatabase(target);
  Result<int> ra = 0, rb = 0;
  std::thread ta([&] { ra = Migrate(*a); });
  std::thread tb([&] { rb = Migrate(*b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.status().message();
  ASSERT_TRUE(rb.ok()) << rb.status().message();
  EXPECT_EQ(ra.value(), LatestVersion());
  EXPECT_EQ(rb.value(), LatestVersion());
  Status st = a->Read([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows rows,
                        tx.Exec("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version"));
    EXPECT_EQ(rows[0].Int(0), static_cast<int64_t>(AllMigrations().size()));
    EXPECT_EQ(rows[0].Int(1), static_cast<int64_t>(AllMigrations().size()));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_P(StoreTest, BindsSqlMetacharactersAndChineseTextVerbatim) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const std::string hostile = "x'; DROP TABLE stores; --";
  const std::string chinese = "书友 旗舰店";
  const std::string marks = "? $1 \"quoted\" \\ %";
  ASSERT_TRUE(
      Write(
          "INSERT INTO stores (code, name, address, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
          {hostile, chinese, marks, kNow, kNow})
          .ok());

  auto rows = Query("SELECT code, name, address FROM stores WHERE code = ?", {hostile});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), hostile);
  EXPECT_EQ((*rows)[0].Text(1), chinese);
  EXPECT_EQ((*rows)[0].Text(2), marks);
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"code", "name", "address"}));

  auto by_name = Query("SELECT COUNT(*) FROM stores WHERE name = ?", {chinese});
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ((*by_name)[0].Int(0), 1);
  EXPECT_EQ(Count("stores"), 1);
}

TEST_P(StoreTest, UniqueViolationIsConflict) {
  ASSERT_TRUE(Migrate(*db_).ok());
  ASSERT_TRUE(InsertStore("SH01", "上海店").ok());
  Status dup = InsertStore("SH01", "另一家");
  EXPECT_EQ(dup.code(), Code::kConflict) << dup.message();
  EXPECT_FALSE(dup.message().empty());
  EXPECT_EQ(Count("stores"), 1);
}

TEST_P(StoreTest, ForeignKeyAndCheckViolationsAreInvalidArgument) {
  ASSERT_TRUE(Migrate(*db_).ok());
  const char* insert_staff =
      "INSERT INTO staff (username, role, home_store_id, password_hash, created_at, updated_at) "
      "VALUES (?, ?, ?, 'x', ?, ?)";
  Status fk = Write(insert_staff, {"li", "cashier", int64_t{4242}, kNow, kNow});
  EXPECT_EQ(fk.code(), Code::kInvalidArgument) << fk.message();
  Status check = Write(insert_staff, {"wang", "janitor", Null(), kNow, kNow});
  EXPECT_EQ(check.code(), Code::kInvalidArgument) << check.message();
  Status not_null = Write(insert_staff, {Null(), "cashier", Null(), kNow, kNow});
  EXPECT_EQ(not_null.code(), Code::kInvalidArgument) << not_null.message();
  EXPECT_EQ(Count("staff"), 0);
}

TEST_P(StoreTest, WriteRollsBackWhenFunctionReturnsError) {
  CreateItems();
  Status st = db_->Write([](Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO items (id, name) VALUES (1, 'a')").status());
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO items (id, name) VALUES (2, 'b')").status());
    return NotFound("member 7 not found");
  });
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "member 7 not found");
  EXPECT_EQ(Count("items"), 0);
}

TEST_P(StoreTest, WriteRollsBackAndRethrowsWhenFunctionThrows) {
  CreateItems();
  EXPECT_THROW(db_->Write([](Tx& tx) -> Status {
    EXPECT_TRUE(tx.Exec("INSERT INTO items (id, name) VALUES (1, 'a')").ok());
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count("items"), 0);
  // The writer (SQLite) or pooled connection (PostgreSQL) is usable again.
  EXPECT_TRUE(Write("INSERT INTO items (id, name) VALUES (1, 'a')").ok());
  EXPECT_EQ(Count("items"), 1);
}

TEST_P(StoreTest, FailedStatementAbortsTheWholeTransaction) {
  CreateItems();
  ASSERT_TRUE(Write("INSERT INTO items (id, name) VALUES (1, 'a')").ok());
  Status st = db_->Write([](Tx& tx) -> Status {
    EXPECT_TRUE(tx.Exec("INSERT INTO items (id, name) VALUES (2, 'b')").ok());
    auto dup = tx.Exec("INSERT INTO items (id, name) VALUES (1, 'again')");
    EXPECT_EQ(dup.status().code(), Code::kConflict);
    EXPECT_FALSE(tx.Exec("INSERT INTO items (id, name) VALUES (3, 'c')").ok());
    return Status::Ok();  // ignoring the error must not commit row 2
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Count("items"), 1);
}

TEST_P(StoreTest, ReadSeesCommittedDataAndCannotWrite) {
  CreateItems();
  ASSERT_TRUE(
      Write("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", {int64_t{1}, "书", int64_t{3}})
          .ok());
  auto rows = Query("SELECT name, qty FROM items WHERE id = ?", {int64_t{1}});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "书");
  EXPECT_EQ((*rows)[0].Int(1), 3);

  Status st =
      db_->Read([](Tx& tx) { return tx.Exec("INSERT INTO items (id) VALUES (2)").status(); });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Count("items"), 1);
}

TEST_P(StoreTest, ReadSeesOneSnapshot) {
  CreateItems();
  ASSERT_TRUE(Write("INSERT INTO items (id) VALUES (1)").ok());
  Status st = db_->Read([&](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows before, tx.Exec("SELECT COUNT(*) FROM items"));
    std::thread writer([&] { EXPECT_TRUE(Write("INSERT INTO items (id) VALUES (2)").ok()); });
    writer.join();
    SY_ASSIGN_OR_RETURN(Rows after, tx.Exec("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(before[0].Int(0), 1);
    EXPECT_EQ(after[0].Int(0), 1);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Count("items"), 2);
}

TEST_P(StoreTest, ConcurrentWritersAllLandExactly) {
  CreateItems();
  ASSERT_TRUE(Write("CREATE TABLE counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL)").ok());
  ASSERT_TRUE(Write("INSERT INTO counters VALUES ('sales', 0)").ok());
  constexpr int kThreads = 8, kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = db_->Write([&](Tx& tx) -> Status {
          SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)",
                                     {int64_t{t * 1000 + i}, "t" + std::to_string(t), int64_t{i}})
                                 .status());
          return tx.Exec("UPDATE counters SET n = n + 1 WHERE name = 'sales'").status();
        });
        if (!st.ok()) {
          ADD_FAILURE() << st.message();
          ++failures;
        }
        if (i % 10 == 0) {
          EXPECT_TRUE(Query("SELECT COUNT(*) FROM items").ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("items"), kThreads * kPerThread);
  auto n = Query("SELECT n FROM counters WHERE name = 'sales'");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)[0].Int(0), kThreads * kPerThread);
}

TEST_P(StoreTest, ReadersWaitForAFreeConnection) {
  db_ = OpenTestDatabase(NewTestDatabaseTarget(GetParam()), Options{.readers = 1});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Status st = db_->Read([](Tx& tx) -> Status {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return tx.Exec("SELECT 1").status();
      });
      if (st.ok()) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
}

TEST_P(StoreTest, Int64BeyondInt32RoundTrips) {
  CreateItems();
  const std::vector<int64_t> values = {int64_t{1} << 31, 5'000'000'000, -5'000'000'000,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min()};
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(Write("INSERT INTO items (id, qty) VALUES (?, ?)", {int64_t(i), values[i]}).ok());
  }
  auto rows = Query("SELECT qty FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ((*rows)[i].Int(0), values[i]);
    EXPECT_TRUE(std::holds_alternative<int64_t>((*rows)[i].cols[0]));
  }
  auto sum = Query("SELECT ? + 1, SUM(qty) FROM items WHERE qty > 0 AND qty < ?",
                   {int64_t{1} << 40, int64_t{1} << 40});
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ((*sum)[0].Int(0), (int64_t{1} << 40) + 1);
  EXPECT_EQ((*sum)[0].Int(1), (int64_t{1} << 31) + 5'000'000'000);
  EXPECT_EQ((*sum)[0].Text(1), "7147483648");
}

TEST_P(StoreTest, DoublesRoundTripExactly) {
  CreateItems();
  const std::vector<double> values = {0.1, -2.5, 1e300, 123456.789};
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(Write("INSERT INTO items (id, price) VALUES (?, ?)", {int64_t(i), values[i]}).ok());
  }
  auto rows = Query("SELECT price FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ((*rows)[i].Real(0), values[i]);
}

TEST_P(StoreTest, NullsBindAndReadBack) {
  CreateItems();
  ASSERT_TRUE(Write("INSERT INTO items (id, name, qty, price) VALUES (?, ?, ?, ?)",
                    {int64_t{1}, Null(), Null(), Null()})
                  .ok());
  ASSERT_TRUE(
      Write("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", {int64_t{2}, "", int64_t{0}})
          .ok());
  auto rows = Query("SELECT name, qty, price FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  const Row& nulls = (*rows)[0];
  EXPECT_TRUE(nulls.IsNull(0));
  EXPECT_TRUE(nulls.IsNull(1));
  EXPECT_TRUE(nulls.IsNull(2));
  EXPECT_EQ(nulls.OptText(0), std::nullopt);
  EXPECT_EQ(nulls.OptInt(1), std::nullopt);
  EXPECT_EQ(nulls.Text(0), "");
  EXPECT_EQ(nulls.Int(1), 0);
  const Row& empty = (*rows)[1];
  EXPECT_FALSE(empty.IsNull(0));
  EXPECT_EQ(empty.OptText(0), std::optional<std::string>(""));
  EXPECT_EQ(empty.OptInt(1), std::optional<int64_t>(0));

  auto is_null = Query("SELECT COUNT(*) FROM items WHERE name IS NULL AND qty IS NULL");
  ASSERT_TRUE(is_null.ok());
  EXPECT_EQ((*is_null)[0].Int(0), 1);
}

TEST_P(StoreTest, QuestionMarkInsideLiteralsIsNotAPlaceholder) {
  auto rows = Query("SELECT 'is it?' AS \"q?\", 'it''s ?' AS s, ? AS p -- trailing ? comment",
                    {int64_t{7}});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"q?", "s", "p"}));
  EXPECT_EQ((*rows)[0].Text(0), "is it?");
  EXPECT_EQ((*rows)[0].Text(1), "it's ?");
  EXPECT_EQ((*rows)[0].Int(2), 7);
}

TEST_P(StoreTest, WrongParameterCountIsAnError) {
  CreateItems();
  EXPECT_FALSE(Write("INSERT INTO items (id, name) VALUES (?, ?)", {int64_t{1}}).ok());
  EXPECT_EQ(Count("items"), 0);
}

TEST_P(StoreTest, AffectedCountsChangedRows) {
  CreateItems();
  Status st = db_->Write([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows ins,
                        tx.Exec("INSERT INTO items (id, qty) VALUES (1, 1), (2, 1), (3, 5)"));
    EXPECT_EQ(ins.affected, 3);
    SY_ASSIGN_OR_RETURN(Rows upd,
                        tx.Exec("UPDATE items SET qty = qty + 1 WHERE qty = ?", {int64_t{1}}));
    EXPECT_EQ(upd.affected, 2);
    SY_ASSIGN_OR_RETURN(Rows sel, tx.Exec("SELECT id FROM items"));
    EXPECT_EQ(sel.affected, 0);
    EXPECT_EQ(sel.size(), 3u);
    SY_ASSIGN_OR_RETURN(Rows ret,
                        tx.Exec("INSERT INTO items (id, qty) VALUES (4, 9) RETURNING id, qty"));
    EXPECT_EQ(ret.affected, 1);
    EXPECT_EQ(ret[0].Int(0), 4);
    EXPECT_EQ(ret[0].Int(1), 9);
    SY_ASSIGN_OR_RETURN(Rows del, tx.Exec("DELETE FROM items WHERE id > ?", {int64_t{100}}));
    EXPECT_EQ(del.affected, 0);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_P(StoreTest, AutoIncrementKeysFromMigrations) {
  ASSERT_TRUE(Migrate(*db_).ok());
  Status st = db_->Write([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows a, tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) "
                                        "VALUES ('A', 'a', 0, 0) RETURNING id"));
    SY_ASSIGN_OR_RETURN(Rows b, tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) "
                                        "VALUES ('B', 'b', 0, 0) RETURNING id"));
    EXPECT_GT(b[0].Int(0), a[0].Int(0));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_P(StoreTest, OptionalFilterWithTypedNullParameter) {
  CreateItems();
  ASSERT_TRUE(Write("INSERT INTO items (id, qty) VALUES (1, 10), (2, 20)").ok());
  // A NULL (or text) parameter has no type of its own on PostgreSQL: CAST it where only the
  // parameter decides the type, as in this "filter when given" pattern.
  const char* sql = "SELECT COUNT(*) FROM items WHERE CAST(? AS BIGINT) IS NULL OR qty = ?";
  auto all = Query(sql, {Null(), Null()});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ((*all)[0].Int(0), 2);
  auto one = Query(sql, {int64_t{20}, int64_t{20}});
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ((*one)[0].Int(0), 1);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(StoreTest);

// Engine-specific behaviour.

TEST(StoreSqliteTest, BackupOfLiveDatabaseIsConsistentCopy) {
  std::string target = NewTestDatabaseTarget(Engine::kSqlite);
  auto db = OpenTestDatabase(target);
  ASSERT_TRUE(Migrate(*db).ok());
  auto insert = [&](int i) {
    return db->Write([&](Tx& tx) {
      return tx
          .Exec("INSERT INTO audit_log (at, actor_kind, action) VALUES (?, 'test', ?)",
                {int64_t{i}, "row " + std::to_string(i)})
          .status();
    });
  };
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(insert(i).ok());

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 200; !stop; ++i) EXPECT_TRUE(insert(i).ok());
  });
  std::string backup = NewTestDatabaseTarget(Engine::kSqlite);
  Status st = db->Backup(backup);
  stop = true;
  writer.join();
  ASSERT_TRUE(st.ok()) << st.message();

  auto copy = OpenTestDatabase(backup);
  EXPECT_EQ(SchemaVersion(*copy).value(), LatestVersion());
  Status check = copy->Read([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows integrity, tx.Exec("PRAGMA integrity_check"));
    EXPECT_EQ(integrity[0].Text(0), "ok");
    SY_ASSIGN_OR_RETURN(Rows rows, tx.Exec("SELECT COUNT(*), MAX(at) FROM audit_log"));
    EXPECT_GE(rows[0].Int(0), 200);
    EXPECT_EQ(rows[0].Int(1), rows[0].Int(0) - 1) << "the copy holds a prefix of the writes";
    return Status::Ok();
  });
  EXPECT_TRUE(check.ok()) << check.message();

  Status again = db->Backup(backup);
  EXPECT_EQ(again.code(), Code::kInvalidArgument) << again.message();
  EXPECT_EQ(db->Backup(target).code(), Code::kInvalidArgument);
}

TEST(StoreSqliteTest, OpenFailsForMissingDirectory) {
  auto db = Database::Open("/nonexistent-shuyou-dir/sub/shuyou.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable);
}

TEST(StoreSqliteTest, ForeignKeysAndWalAreOn) {
  auto db = NewTestDatabase(Engine::kSqlite);
  Status st = db->Write([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows fk, tx.Exec("PRAGMA foreign_keys"));
    EXPECT_EQ(fk[0].Int(0), 1);
    SY_ASSIGN_OR_RETURN(Rows mode, tx.Exec("PRAGMA journal_mode"));
    EXPECT_EQ(mode[0].Text(0), "wal");
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST(StoreSqliteTest, NestedWriteIsRefusedInsteadOfDeadlocking) {
  auto db = NewTestDatabase(Engine::kSqlite);
  Status inner;
  Status outer = db->Write([&](Tx&) {
    inner = db->Write([](Tx&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), Code::kInternal);
}

TEST(StorePostgresTest, BackupPointsToPgDump) {
  auto db = NewTestDatabase(Engine::kPostgres);
  Status st = db->Backup("/tmp/never-written.db");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("pg_dump"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists("/tmp/never-written.db"));
}

TEST(StorePostgresTest, OpenFailsWhenServerIsUnreachable) {
  auto db = Database::Open("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable) << db.status().message();
}

TEST(StorePostgresTest, PooledConnectionsKilledByServerAreReplaced) {
  auto db = NewTestDatabase(Engine::kPostgres, Options{.readers = 3});
  // Three overlapping reads need three connections, so they use every pooled one.
  auto three_reads = [&] {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
      threads.emplace_back([&] {
        Status st = db->Read([](Tx& tx) { return tx.Exec("SELECT pg_sleep(0.05)").status(); });
        EXPECT_TRUE(st.ok()) << st.message();
        if (st.ok()) ++ok;
      });
    }
    for (auto& th : threads) th.join();
    return ok.load();
  };
  ASSERT_EQ(three_reads(), 3);
  Status kill = db->Write([](Tx& tx) {
    return tx
        .Exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .status();
  });
  ASSERT_TRUE(kill.ok()) << kill.message();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(three_reads(), 3);
}

TEST(StorePostgresTest, SessionIsUtcAndUtf8) {
  auto db = NewTestDatabase(Engine::kPostgres);
  Status st = db->Read([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(
        Rows rows,
        tx.Exec("SELECT current_setting('TimeZone'), current_setting('client_encoding')"));
    EXPECT_EQ(rows[0].Text(0), "UTC");
    EXPECT_EQ(rows[0].Text(1), "UTF8");
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

// Engine-independent helpers.

TEST(StorePureTest, NumbersPlaceholdersOutsideLiteralsAndComments) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? , ?"), "SELECT $1 , $2");
  EXPECT_EQ(NumberPlaceholders("WHERE a = '?' AND \"b?\" = ? -- ?\nAND c = ?"),
            "WHERE a = '?' AND \"b?\" = $1 -- ?\nAND c = $2");
  EXPECT_EQ(NumberPlaceholders("VALUES ('it''s ?', ?)"), "VALUES ('it''s ?', $1)");
  EXPECT_EQ(NumberPlaceholders("SELECT 1"), "SELECT 1");
  EXPECT_EQ(NumberPlaceholders("SELECT 'unterminated ?"), "SELECT 'unterminated ?");
}

TEST(StorePureTest, RowConvertsBetweenValueKinds) {
  Row row{{int64_t{42}, 2.5, std::string("123"), std::string("12.50"), Null(), std::string("书")}};
  EXPECT_EQ(row.Text(0), "42");
  EXPECT_EQ(row.Real(0), 42.0);
  EXPECT_EQ(row.Text(1), "2.5");
  EXPECT_EQ(row.Int(2), 123);
  EXPECT_EQ(row.Real(3), 12.5);
  EXPECT_EQ(row.Int(3), 13);
  EXPECT_TRUE(row.IsNull(4));
  EXPECT_EQ(row.Int(4), 0);
  EXPECT_EQ(row.Real(4), 0.0);
  EXPECT_EQ(row.Text(4), "");
  EXPECT_EQ(row.OptInt(4), std::nullopt);
  EXPECT_EQ(row.OptText(5), std::optional<std::string>("书"));
  EXPECT_THROW(row.Int(6), std::out_of_range);
}

TEST(StorePureTest, EngineNamesAndEmptyTarget) {
  EXPECT_STREQ(EngineName(Engine::kSqlite), "sqlite");
  EXPECT_STREQ(EngineName(Engine::kPostgres), "postgresql");
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(IsPostgresUrl("data/shuyou.db"));
  EXPECT_EQ(Database::Open("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace shuyou::store
