// Database::WriteGrouped on both engines (grouping happens on SQLite; PostgreSQL runs each as a
// Write): every successful write is durable once its call returns, a failing write — by its own
// error, a failed statement or an exception — is rolled back alone while the others in its group
// commit, and plain Writes interleave safely.
#include <atomic>
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
