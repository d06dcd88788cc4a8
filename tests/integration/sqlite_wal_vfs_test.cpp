// The WAL-buffering VFS (store/sqlite_wal_vfs.h) on real files: a writer connection opened with
// it and linked, and a plain connection reading beside it, as the server's readers and
// checkpointer do. Every committed transaction must be whole in the file when the other
// connection can see it, transactions that spill or roll back must leave the database sound,
// and a write the disk refuses must fail its COMMIT and leave nothing visible.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <string>

#include "store/sqlite_wal_vfs.h"
#include "support/test_db.h"

namespace shuyou {
namespace {

class Conn {
 public:
  Conn(const std::string& path, const char* vfs) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path + ": " + sqlite3_errstr(rc));
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Conn() { sqlite3_close_v2(db_); }
  sqlite3* db() const { return db_; }

  int Exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  void MustExec(const std::string& sql) { ASSERT_EQ(Exec(sql), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_); }
  int64_t Int(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::string v = sqlite3_step(st) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0)) : "";
    sqlite3_finalize(st);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

// A writer as the server opens it: the VFS, WAL, NORMAL commits, no automatic checkpoint (so
// that the WAL only grows and every frame stays where it was written).
struct Pair {
  explicit Pair(const std::string& path) : writer(path, store::WalBufferVfsName()), reader(path, nullptr) {
    writer.MustExec("PRAGMA journal_mode=WAL");
    writer.MustExec("PRAGMA synchronous=NORMAL");
    writer.MustExec("PRAGMA wal_autocheckpoint=0");
    writer.MustExec("CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, body BLOB NOT NULL)");
    writer.MustExec("CREATE INDEX t_grp ON t(grp)");
    linked = store::LinkWalBuffer(writer.db());
  }
  Conn writer, reader;
  bool linked = false;
};

std::string Insert(int grp, int rows, int bytes) {
  return "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < " + std::to_string(rows) +
         ") INSERT INTO t (grp, body) SELECT " + std::to_string(grp) + ", randomblob(" + std::to_string(bytes) +
         ") FROM s";
}

TEST(SqliteWalBufferTest, TheVfsIsRegisteredAndOnlyItsConnectionsAreLinked) {
  ASSERT_NE(store::WalBufferVfsName(), nullptr);
  ASSERT_NE(sqlite3_vfs_find(store::WalBufferVfsName()), nullptr);
  const std::string path = test::NewTestDatabaseTarget(store::Engine::kSqlite);
  Pair p(path);
  EXPECT_TRUE(p.linked);
  EXPECT_TRUE(store::LinkWalBuffer(p.writer.db())) << "linking again is a no-op that still answers true";
  EXPECT_FALSE(store::LinkWalBuffer(p.reader.db())) << "a connection of the default VFS has nothing to link";
}

// Transactions from one row to several buffers' worth (a buffer holds 31 frames), each read back
// by the other connection the moment COMMIT returns: counts, sums and the index agree.
TEST(SqliteWalBufferTest, EveryCommitIsWholeInTheFileWhenAnotherConnectionSeesIt) {
  const std::string path = test::NewTestDatabaseTarget(store::Engine::kSqlite);
  Pair p(path);
  ASSERT_TRUE(p.linked);
  int64_t rows = 0;
  const int sizes[] = {1, 2, 7, 30, 31, 32, 90, 250};
  for (int round = 0; round < 40; ++round) {
    int n = sizes[round % 8];
    p.writer.MustExec("BEGIN IMMEDIATE");
    p.writer.MustExec(Insert(round, n, 3000));
    p.writer.MustExec("UPDATE t SET body = randomblob(2000) WHERE id % 97 = " + std::to_string(round % 97));
    p.writer.MustExec("COMMIT");
    rows += n;
    ASSERT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), rows) << "round " << round;
    ASSERT_EQ(p.reader.Int("SELECT COUNT(*) FROM t WHERE grp = " + std::to_string(round)), n);
    ASSERT_EQ(p.reader.Int("SELECT SUM(length(body)) FROM t WHERE grp = " + std::to_string(round)),
              p.writer.Int("SELECT SUM(length(body)) FROM t WHERE grp = " + std::to_string(round)));
  }
  EXPECT_EQ(p.reader.Text("PRAGMA integrity_check"), "ok");
  // All of it is in the WAL file (no checkpoint ran): a fresh connection recovers it from there.
  struct stat wal {};
  ASSERT_EQ(::stat((path + "-wal").c_str(), &wal), 0);
  EXPECT_GT(wal.st_size, rows * 3000);
  Conn fresh(path, nullptr);
  EXPECT_EQ(fresh.Int("SELECT COUNT(*) FROM t"), rows);
}

// A small page cache makes the writer spill frames mid-transaction and write some pages again
// (SQLite then rewrites the frames' checksums at COMMIT); savepoints roll parts back and a whole
// transaction rolls back after spilling. The database stays sound and holds what was committed.
TEST(SqliteWalBufferTest, SpilledRewrittenAndRolledBackFramesLeaveTheDatabaseSound) {
  const std::string path = test::NewTestDatabaseTarget(store::Engine::kSqlite);
  Pair p(path);
  ASSERT_TRUE(p.linked);
  p.writer.MustExec("PRAGMA cache_size=8");
  p.writer.MustExec("BEGIN IMMEDIATE");
  p.writer.MustExec(Insert(1, 200, 1500));
  p.writer.MustExec("SAVEPOINT s");
  p.writer.MustExec(Insert(2, 150, 1500));
  p.writer.MustExec("UPDATE t SET body = zeroblob(700) WHERE grp = 1 AND id % 3 = 0");
  p.writer.MustExec("ROLLBACK TO s");
  p.writer.MustExec("RELEASE s");
  p.writer.MustExec("UPDATE t SET body = zeroblob(900) WHERE grp = 1 AND id % 2 = 0");
  p.writer.MustExec(Insert(3, 120, 1500));
  p.writer.MustExec("COMMIT");
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t WHERE grp = 1"), 200);
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t WHERE grp = 2"), 0);
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t WHERE grp = 3"), 120);
  EXPECT_EQ(p.reader.Int("SELECT SUM(length(body)) FROM t WHERE grp = 1"), 100 * 900 + 100 * 1500);

  p.writer.MustExec("BEGIN IMMEDIATE");
  p.writer.MustExec(Insert(4, 300, 1500));
  p.writer.MustExec("DELETE FROM t WHERE grp = 3");
  p.writer.MustExec("ROLLBACK");
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), 320);
  p.writer.MustExec(Insert(5, 10, 100));
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), 330);
  EXPECT_EQ(p.reader.Text("PRAGMA integrity_check"), "ok");
  // A checkpoint copies it all into the database file and the WAL starts over at the next write.
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(p.reader.db(), "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr), SQLITE_OK);
  p.writer.MustExec(Insert(6, 40, 3000));
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), 370);
  EXPECT_EQ(p.reader.Text("PRAGMA integrity_check"), "ok");
}

// Files may grow only so far (RLIMIT_FSIZE, with SIGXFSZ ignored the write fails with EFBIG): a
// transaction whose frames cannot all be written fails at COMMIT, the other connection sees
// none of it, and once the disk takes writes again the next transaction commits.
TEST(SqliteWalBufferTest, AWriteTheDiskRefusesFailsTheCommitAndLeavesNothingVisible) {
  const std::string path = test::NewTestDatabaseTarget(store::Engine::kSqlite);
  Pair p(path);
  ASSERT_TRUE(p.linked);
  p.writer.MustExec(Insert(1, 20, 1000));
  struct stat wal {};
  ASSERT_EQ(::stat((path + "-wal").c_str(), &wal), 0);

  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = saved;
  limited.rlim_cur = rlim_t(wal.st_size) + 40 * 1024;  // room for a few frames, not for 100
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  int rc_small = p.writer.Exec(Insert(2, 1, 100));  // two frames: fits
  p.writer.MustExec("BEGIN IMMEDIATE");
  p.writer.MustExec(Insert(3, 100, 3000));
  int rc_big = p.writer.Exec("COMMIT");
  std::string why = sqlite3_errmsg(p.writer.db());
  if (rc_big != SQLITE_OK) p.writer.Exec("ROLLBACK");
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_EQ(rc_small, SQLITE_OK);
  EXPECT_NE(rc_big, SQLITE_OK) << "the COMMIT should fail when its frames cannot be written";
  EXPECT_TRUE(rc_big == SQLITE_FULL || (rc_big & 0xff) == SQLITE_IOERR) << rc_big << ": " << why;
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t WHERE grp = 3"), 0);
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), 21);

  p.writer.MustExec(Insert(4, 100, 3000));
  EXPECT_EQ(p.reader.Int("SELECT COUNT(*) FROM t"), 121);
  EXPECT_EQ(p.reader.Text("PRAGMA integrity_check"), "ok");
  Conn fresh(path, nullptr);
  EXPECT_EQ(fresh.Int("SELECT COUNT(*) FROM t"), 121);
}

}  // namespace
}  // namespace shuyou
