// A grouped write is answered only after its WAL sync (docs/architecture.md, "A group's commit is
// synced behind the writer"). When that sync fails, every write of the group must get the error,
// readers must not wait for a sync that will never succeed, and the next writes must work again
// once the disk does.
//
// The failure is injected by this file's definition of fdatasync, which takes the place of libc's
// in the whole test binary (the store's code is linked into it) and passes every call through
// to libc's, except the WAL file's while a test asks for it to fail.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "store/db.h"
#include "support/test_db.h"

namespace {

std::atomic<bool> g_fail{false};
std::atomic<dev_t> g_fail_dev{0};
std::atomic<ino_t> g_fail_ino{0};
std::atomic<int> g_failed_calls{0};

bool IsTarget(int fd) {
  if (!g_fail.load()) return false;
  struct stat st {};
  return ::fstat(fd, &st) == 0 && st.st_dev == g_fail_dev.load() && st.st_ino == g_fail_ino.load();
}

}  // namespace

extern "C" int fdatasync(int fd) {
  using Fn = int (*)(int);
  static Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "fdatasync"));
  if (IsTarget(fd)) {
    ++g_failed_calls;
    errno = EIO;
    return -1;
  }
  return real(fd);
}

namespace shuyou::store {
namespace {

// Fails every fdatasync of `path` while it lives.
class FailSyncsOf {
 public:
  explicit FailSyncsOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    g_fail_dev = st.st_dev;
    g_fail_ino = st.st_ino;
    g_failed_calls = 0;
    g_fail = true;
  }
  ~FailSyncsOf() { g_fail = false; }
  int failed_calls() const { return g_failed_calls.load(); }
};

Status InsertNote(Database& db, int i) {
  return db.WriteGrouped([i](Tx& tx) {
    return tx.Exec("INSERT INTO audit_log (at, actor_kind, action) VALUES (?, 'sync-test', ?)",
                   {int64_t{i}, "note " + std::to_string(i)})
        .status();
  });
}

int64_t CountNotes(Database& db) {
  int64_t n = -1;
  Status st = db.Read([&](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows rows, tx.Exec("SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'sync-test'"));
    n = rows[0].Int(0);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return n;
}

TEST(SqliteDurabilityTest, AFailedWalSyncFailsEveryWriteOfItsGroupAndNothingHangs) {
  const std::string path = test::NewTestDatabaseTarget(Engine::kSqlite);
  auto db = test::OpenTestDatabase(path);
  ASSERT_TRUE(Migrate(*db).ok());
  ASSERT_TRUE(InsertNote(*db, 0).ok());  // the WAL exists now, and the writer holds its descriptor

  {
    FailSyncsOf fail(path + "-wal");
    // Eight tills at once: however they are grouped, each gets the sync's error, not a success.
    std::vector<Status> answers(8);
    std::vector<std::thread> tills;
    for (int t = 0; t < 8; ++t) tills.emplace_back([&, t] { answers[t] = InsertNote(*db, 1 + t); });
    for (auto& th : tills) th.join();
    for (const Status& st : answers) {
      EXPECT_EQ(st.code(), Code::kUnavailable) << st.message();
      EXPECT_NE(st.message().find("the disk did not confirm the write"), std::string::npos) << st.message();
      EXPECT_NE(st.message().find("Idempotency-Key"), std::string::npos) << st.message();
    }
    EXPECT_GE(fail.failed_calls(), 1) << "the WAL was never synced: the injection missed";

    // A read after a failed sync returns at once: it does not wait for a sync that never came.
    auto started = std::chrono::steady_clock::now();
    int64_t seen = CountNotes(*db);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
    // The commits themselves are in the database (only their sync failed): a till that retries
    // with the same Idempotency-Key gets the first answer instead of a second sale.
    EXPECT_EQ(seen, 9);
  }

  // The disk works again: writes are answered, and everything is there and sound.
  ASSERT_TRUE(InsertNote(*db, 100).ok());
  EXPECT_EQ(CountNotes(*db), 10);
  Status check = db->Read([](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Rows ok, tx.Exec("PRAGMA integrity_check"));
    EXPECT_EQ(ok[0].Text(0), "ok");
    return Status::Ok();
  });
  EXPECT_TRUE(check.ok()) << check.message();
  db.reset();
  EXPECT_EQ(CountNotes(*test::OpenTestDatabase(path)), 10) << "reopened";
}

}  // namespace
}  // namespace shuyou::store
