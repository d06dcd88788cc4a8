// Database::WriteGrouped on both engines (grouping happens on SQLite; PostgreSQL runs each as a
// Write): every successful write is durable once its call returns, a failing write — by its own
// error, a failed statement or an exception — is rolled back alone while the others in its group
// commit, and plain Writes interleave safely.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/test_db.h"

namespace shuyou::test {
namespace {

class GroupCommitTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    db_ = NewMigratedTestDatabase(GetParam(), store::Options{8, 20000});
    ASSERT_TRUE(db_->Write([](store::Tx& tx) {
                     return tx.Exec("CREATE TABLE sales_t (id BIGINT PRIMARY KEY, till BIGINT NOT NULL)").status();
                   }).ok());
  }
  int64_t Count(const std::string& where = "1 = 1") {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(store::Rows r, tx.Exec("SELECT COUNT(*) FROM sales_t WHERE " + where));
                     n = r[0].Int(0);
                     return Status::Ok();
                   }).ok());
    return n;
  }
  std::unique_ptr<store::Database> db_;
};

TEST_P(GroupCommitTest, FailuresRollBackAloneWhileTheRestCommit) {
  constexpr int kThreads = 16, kEach = 40;
  std::atomic<int> ok{0}, refused{0}, thrown{0}, conflicts{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < kThreads; ++t)
    tills.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int64_t id = int64_t(t) * 1000 + i;
        try {
          Status st = db_->WriteGrouped([&](store::Tx& tx) -> Status {
            SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, ?)", {id, int64_t(t)}).status());
            switch (i % 10) {
              case 3: return Status(Code::kConflict, "not enough stock");  // the use case says no
              case 5: throw std::runtime_error("bug in a use case");         // a bug
              case 7:  // a failed statement: the same primary key again
                return tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, ?)", {id, int64_t(t)}).status();
              default: return Status::Ok();
            }
          });
          if (st.ok()) ++ok;
          else if (st.message() == "not enough stock") ++refused;
          else if (st.code() == Code::kConflict) ++conflicts;
          else ADD_FAILURE() << st.message();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "bug in a use case");
          ++thrown;
        }
      }
    });
  // Plain writes from another thread at the same time.
  std::thread plain([&] {
    for (int i = 0; i < 50; ++i)
      EXPECT_TRUE(db_->Write([&](store::Tx& tx) {
                       return tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, -1)", {int64_t(900000 + i)}).status();
                     }).ok());
  });
  for (auto& t : tills) t.join();
  plain.join();
  EXPECT_EQ(ok.load(), kThreads * kEach * 7 / 10);
  EXPECT_EQ(refused.load(), kThreads * kEach / 10);
  EXPECT_EQ(thrown.load(), kThreads * kEach / 10);
  EXPECT_EQ(conflicts.load(), kThreads * kEach / 10);
  // Exactly the successful writes are on disk: none of ids ending in 3, 5 or 7.
  EXPECT_EQ(Count("till >= 0"), ok.load());
  EXPECT_EQ(Count("till >= 0 AND (id % 10 = 3 OR id % 10 = 5 OR id % 10 = 7)"), 0);
  EXPECT_EQ(Count("till = -1"), 50);
}

// Writes that change far more than 64 KiB each (SQLite keeps a grouped savepoint's page copies
// in memory: temp_store=MEMORY while the group's transaction begins): the pages a failing write changed were already changed by the writes
// before it in its group, and its rollback must give back exactly their state.
TEST_P(GroupCommitTest, LargeFailedWritesRollBackToTheirGroupsState) {
  constexpr int kRows = 300, kThreads = 8, kEach = 12;
  const std::string original(1000, 'a');
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
                   SY_RETURN_IF_ERROR(tx.Exec("CREATE TABLE big_t (id BIGINT PRIMARY KEY, n BIGINT NOT NULL, body TEXT NOT NULL)").status());
                   for (int i = 0; i < kRows; ++i)
                     SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO big_t (id, n, body) VALUES (?, 0, ?)", {int64_t(i), original}).status());
                   return Status::Ok();
                 }).ok());
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < kThreads; ++t)
    tills.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status st = db_->WriteGrouped([&](store::Tx& tx) -> Status {
          // PostgreSQL runs these side by side: whole-table updates would deadlock on row order.
          if (tx.engine() == store::Engine::kPostgres)
            SY_RETURN_IF_ERROR(tx.Exec("LOCK TABLE big_t IN EXCLUSIVE MODE").status());
          // Every write rewrites every row (~300 KiB of pages).
          SY_RETURN_IF_ERROR(tx.Exec("UPDATE big_t SET n = n + 1, body = ?", {std::string(1000, char('b' + t))}).status());
          if (i % 3 == 1) return Status(Code::kConflict, "refused after a large change");
          SY_RETURN_IF_ERROR(tx.Exec("UPDATE big_t SET body = ?", {original}).status());
          return tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, ?)", {int64_t(t) * 1000 + i, int64_t(t)}).status();
        });
        if (st.ok()) ++ok;
        else if (st.message() == "refused after a large change") ++refused;
        else ADD_FAILURE() << st.message();
      }
    });
  for (auto& t : tills) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach * 2 / 3);
  EXPECT_EQ(refused.load(), kThreads * kEach / 3);
  EXPECT_EQ(Count(), ok.load());
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(store::Rows r, tx.Exec("SELECT COUNT(*), MIN(n), MAX(n), SUM(CASE WHEN body = ? THEN 1 ELSE 0 END) FROM big_t",
                                                              {original}));
                   EXPECT_EQ(r[0].Int(0), kRows);
                   EXPECT_EQ(r[0].Int(1), ok.load());  // each committed write counted once, no refused one
                   EXPECT_EQ(r[0].Int(2), ok.load());
                   EXPECT_EQ(r[0].Int(3), kRows);  // no refused write's text survived
                   return Status::Ok();
                 }).ok());
}

// Tx::AtCommit: work the writes of one transaction leave for its end. On SQLite the writes of a
// group share one transaction, so a batch runs once per group with the ids of the writes that
// succeeded; on PostgreSQL once per write.
TEST_P(GroupCommitTest, CommitWorkRunsOncePerTransactionWithTheIdsOfTheWritesThatSucceeded) {
  ASSERT_TRUE(db_->Write([](store::Tx& tx) {
                   return tx.Exec("CREATE TABLE batches_t (run BIGINT NOT NULL, id BIGINT NOT NULL)").status();
                 }).ok());
  std::atomic<int64_t> runs{0};
  store::Tx::Batch batch = [&runs](store::Tx& tx, const std::vector<int64_t>& ids) -> Status {
    int64_t run = ++runs;
    for (int64_t id : ids)
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO batches_t (run, id) VALUES (?, ?)", {run, id}).status());
    return Status::Ok();
  };
  constexpr int kThreads = 16, kEach = 20;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> tills;
  for (int t = 0; t < kThreads; ++t)
    tills.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int64_t id = int64_t(t) * 1000 + i;
        Status st = db_->WriteGrouped([&](store::Tx& tx) -> Status {
          SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, ?)", {id, int64_t(t)}).status());
          SY_RETURN_IF_ERROR(tx.AtCommit("batches", id, batch));
          if (i % 4 == 1) return Status(Code::kConflict, "refused after leaving work");
          return Status::Ok();
        });
        if (st.ok()) ++ok;
        else if (st.message() == "refused after leaving work") ++refused;
        else ADD_FAILURE() << st.message();
      }
    });
  for (auto& t : tills) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach * 3 / 4);
  EXPECT_EQ(refused.load(), kThreads * kEach / 4);
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                   // Every committed write's id once, no refused one, and nothing for a write that did not commit.
                   SY_ASSIGN_OR_RETURN(store::Rows r, tx.Exec("SELECT COUNT(*), COUNT(DISTINCT b.id), "
                                                              "SUM(CASE WHEN s.id IS NULL THEN 1 ELSE 0 END), COUNT(DISTINCT b.run) "
                                                              "FROM batches_t b LEFT JOIN sales_t s ON s.id = b.id"));
                   EXPECT_EQ(r[0].Int(0), ok.load());
                   EXPECT_EQ(r[0].Int(1), ok.load());
                   EXPECT_EQ(r[0].Int(2), 0);
                   EXPECT_EQ(r[0].Int(3), runs.load());  // a batch that ran wrote its rows: no run was lost
                   return Status::Ok();
                 }).ok());
  if (GetParam() == store::Engine::kSqlite) EXPECT_LT(runs.load(), int64_t(ok.load()));  // groups shared batches
  else EXPECT_EQ(runs.load(), int64_t(ok.load()));
}

TEST_P(GroupCommitTest, AFailingCommitBatchRollsBackItsTransactionAndAReadCannotLeaveWork) {
  store::Tx::Batch fail = [](store::Tx& tx, const std::vector<int64_t>& ids) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, -2)", {ids.front() + 1}).status());
    return Status(Code::kInternal, "the batch failed");
  };
  for (bool grouped : {false, true}) {
    SCOPED_TRACE(grouped ? "WriteGrouped" : "Write");
    int64_t id = grouped ? 71 : 70;
    auto fn = [&](store::Tx& tx) -> Status {
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, 7)", {id}).status());
      return tx.AtCommit("failing", id, fail);
    };
    Status st = grouped ? db_->WriteGrouped(fn) : db_->Write(fn);
    EXPECT_EQ(st.code(), Code::kInternal);
    EXPECT_EQ(st.message(), "the batch failed");
  }
  EXPECT_EQ(Count(), 0);  // neither the writes nor what the batches wrote
  Status in_read;
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) {
                   in_read = tx.AtCommit("nothing", 1, fail);
                   return Status::Ok();
                 }).ok());
  EXPECT_EQ(in_read.code(), Code::kInternal);
}

// SQLite's checkpoints run on a thread of their own, and the WAL starts over after a short pass
// that holds writes off (store/sqlite_db.cpp): under a steady stream of grouped writes the WAL
// stays bounded (here it starts over at 2,000 pages, 8 MiB; the writer's own fallback would let it
// reach 24 MiB), the pages reach the database file, and nothing is lost.
TEST_P(GroupCommitTest, CheckpointsKeepTheWalBoundedUnderSteadyWrites) {
  if (GetParam() != store::Engine::kSqlite) GTEST_SKIP() << "SQLite's WAL";
  const std::string path = NewTestDatabaseTarget(store::Engine::kSqlite);
  auto db = OpenTestDatabase(path, store::Options{4, 20000, 2000});
  ASSERT_TRUE(db->Write([](store::Tx& tx) {
                   return tx.Exec("CREATE TABLE pages_t (id BIGINT PRIMARY KEY, body TEXT NOT NULL)").status();
                 }).ok());
  // 600 writes of 40 rows of 3 KB, each on pages of its own: about 24,000 WAL pages (94 MiB)
  // written in all, from 8 threads at once, each pausing 25 ms between writes: a steady ~40 MB/s
  // that the disk can also copy. (Unpaced, the copies fall behind the disk's bandwidth and the
  // WAL grows further before it starts over: a burst, not the steady load tested here.)
  constexpr int kThreads = 8, kEach = 75, kRows = 40;
  std::vector<std::thread> writers;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status st = db->WriteGrouped([&](store::Tx& tx) -> Status {
          for (int r = 0; r < kRows; ++r) {
            int64_t id = (int64_t(t) * kEach + i) * kRows + r;
            SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO pages_t (id, body) VALUES (?, ?)",
                                       {id, std::string(3000, char('a' + id % 26))})
                                   .status());
          }
          return Status::Ok();
        });
        if (!st.ok()) ++failed;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0);
  struct stat wal {}, main_file {};
  ASSERT_EQ(::stat((path + "-wal").c_str(), &wal), 0);
  ASSERT_EQ(::stat(path.c_str(), &main_file), 0);
  // The WAL file keeps its largest size; without checkpoints it would hold all ~94 MiB.
  EXPECT_LT(wal.st_size, int64_t(16) << 20) << "the WAL did not start over";
  EXPECT_GT(main_file.st_size, int64_t(40) << 20) << "the pages did not reach the database file";
  ASSERT_TRUE(db->Read([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*), COUNT(DISTINCT id) FROM pages_t"));
                   EXPECT_EQ(n[0].Int(0), kThreads * kEach * kRows);
                   EXPECT_EQ(n[0].Int(1), kThreads * kEach * kRows);
                   SY_ASSIGN_OR_RETURN(auto ok, tx.Exec("PRAGMA integrity_check"));
                   EXPECT_EQ(ok[0].Text(0), "ok");
                   return Status::Ok();
                 }).ok());
  db.reset();
  // Reopened, everything is there.
  auto again = OpenTestDatabase(path);
  ASSERT_TRUE(again->Read([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM pages_t"));
                   EXPECT_EQ(n[0].Int(0), kThreads * kEach * kRows);
                   return Status::Ok();
                 }).ok());
}

// A reader's snapshot holds the checkpoints back (they cannot copy past it): writes still go on
// (the checkpointer does not take the writer's lease for nothing, and no one waits on another),
// the reader keeps seeing its snapshot, and once it ends the WAL is copied and starts over: it
// grows no further while as much again is written.
TEST_P(GroupCommitTest, AReaderHoldingItsSnapshotHoldsCheckpointsBackButNotWrites) {
  if (GetParam() != store::Engine::kSqlite) GTEST_SKIP() << "SQLite's WAL";
  const std::string path = NewTestDatabaseTarget(store::Engine::kSqlite);
  auto db = OpenTestDatabase(path, store::Options{4, 20000, 500});
  ASSERT_TRUE(db->Write([](store::Tx& tx) {
                   return tx.Exec("CREATE TABLE snap_t (id BIGINT PRIMARY KEY, body TEXT NOT NULL)").status();
                 }).ok());
  std::atomic<int64_t> next_id{0};
  // n writes of 10 rows of 3 KB from 4 threads: about 10 WAL pages each.
  auto write_many = [&](int n) {
    std::vector<std::thread> writers;
    std::atomic<int> failed{0};
    for (int t = 0; t < 4; ++t)
      writers.emplace_back([&] {
        for (int i = 0; i < n / 4; ++i) {
          Status st = db->WriteGrouped([&](store::Tx& tx) -> Status {
            for (int r = 0; r < 10; ++r)
              SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO snap_t (id, body) VALUES (?, ?)",
                                         {next_id.fetch_add(1), std::string(3000, 'x')})
                                     .status());
            return Status::Ok();
          });
          if (!st.ok()) ++failed;
        }
      });
    for (auto& w : writers) w.join();
    return failed.load();
  };
  auto wal_size = [&] {
    struct stat st {};
    return ::stat((path + "-wal").c_str(), &st) == 0 ? int64_t(st.st_size) : int64_t(-1);
  };
  ASSERT_EQ(write_many(40), 0);

  std::mutex mu;
  std::condition_variable cv;
  bool reading = false, release = false;
  int64_t seen_before = -1, seen_after = -1;
  std::thread reader([&] {
    Status st = db->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM snap_t"));
      seen_before = n[0].Int(0);
      std::unique_lock lock(mu);
      reading = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      lock.unlock();
      SY_ASSIGN_OR_RETURN(auto again, tx.Exec("SELECT COUNT(*) FROM snap_t"));
      seen_after = again[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return reading; });
  }
  // About 2,000 WAL pages past the snapshot, four times wal_restart_pages: the WAL cannot start
  // over, and the writer's own fallback checkpoint cannot copy past the reader either.
  EXPECT_EQ(write_many(200), 0);
  const int64_t held = wal_size();
  EXPECT_GT(held, int64_t(6) << 20) << "the WAL started over under a reader's snapshot";
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  reader.join();
  EXPECT_EQ(seen_before, 400);
  EXPECT_EQ(seen_after, 400);  // the snapshot, not the writes made since

  // The reader gone, as much again (8 MiB): the WAL is copied and starts over, so its file grows by
  // no more than the few writes made before the checkpointer caught up.
  EXPECT_EQ(write_many(200), 0);
  EXPECT_LT(wal_size(), held + (int64_t(1) << 20));
  ASSERT_TRUE(db->Read([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM snap_t"));
                   EXPECT_EQ(n[0].Int(0), 4400);
                   return Status::Ok();
                 }).ok());
}

// On SQLite a group's commit is synced while the next group runs (store/sqlite_db.cpp, Commit):
// a write is answered only once its group is on disk, and a read that ends while a commit is not
// yet synced waits for it. Under grouped writes, plain writes and reads all at once: nothing hangs,
// nothing fails, every answered write is seen by every read that starts after the answer, and a
// read never sees fewer rows than an earlier read did.
TEST_P(GroupCommitTest, ReadsSeeEveryAnsweredWriteWhileCommitsAreSyncedBehindTheWriter) {
  constexpr int kWriters = 12, kEach = 60, kReaders = 4;
  std::atomic<int64_t> answered{0};  // writes answered so far
  std::atomic<int> failed{0}, stale{0}, went_back{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto fn = [&](store::Tx& tx) {
          return tx.Exec("INSERT INTO sales_t (id, till) VALUES (?, ?)", {int64_t(t) * kEach + i, int64_t(t)}).status();
        };
        // Every fifth write of a till is a plain Write, which syncs on its own.
        Status st = i % 5 == 4 ? db_->Write(fn) : db_->WriteGrouped(fn);
        if (st.ok()) ++answered;
        else ++failed;
      }
    });
  for (int r = 0; r < kReaders; ++r)
    threads.emplace_back([&] {
      int64_t last = 0;
      while (writing.load()) {
        int64_t before = answered.load();
        int64_t n = -1;
        Status st = db_->Read([&](store::Tx& tx) -> Status {
          SY_ASSIGN_OR_RETURN(store::Rows rows, tx.Exec("SELECT COUNT(*) FROM sales_t"));
          n = rows[0].Int(0);
          return Status::Ok();
        });
        if (!st.ok()) ++failed;
        if (n < before) ++stale;
        if (n < last) ++went_back;
        last = n;
      }
    });
  for (int t = 0; t < kWriters; ++t) threads[t].join();
  writing = false;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stale.load(), 0) << "a read missed a write answered before it started";
  EXPECT_EQ(went_back.load(), 0);
  EXPECT_EQ(Count(), kWriters * kEach);
}

TEST_P(GroupCommitTest, NestedWriteIsRefusedNotDeadlocked) {
  Status inner;
  Status outer = db_->WriteGrouped([&](store::Tx&) {
    inner = db_->WriteGrouped([](store::Tx&) { return Status::Ok(); });
    return Status::Ok();
  });
  if (GetParam() == store::Engine::kSqlite) {
    EXPECT_TRUE(outer.ok());
    EXPECT_EQ(inner.code(), Code::kInternal);
  }
  // PostgreSQL: a second connection from the pool takes the inner write; nothing to refuse.
}

SHUYOU_INSTANTIATE_FOR_ENGINES(GroupCommitTest);

}  // namespace
}  // namespace shuyou::test
