// service::RunIdempotent on both engines: a retry with the same key answers the first result and
// writes nothing; a key reused for another request is refused; a failed write stores nothing;
// two threads racing with one key write once.
#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "service/idempotency.h"
#include "support/test_db.h"

namespace shuyou::test {
namespace {

class IdempotencyTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    db_ = NewMigratedTestDatabase(GetParam());
    ctx_ = std::make_unique<service::Context>(
        service::Context{*db_, {}, [] { return int64_t(1'800'000'000'000); }});
    ASSERT_TRUE(db_->Write([](store::Tx& tx) {
                     return tx.Exec("CREATE TABLE counter_rows (n BIGINT NOT NULL)").status();
                   }).ok());
  }
  // A use case that appends a row and answers how many rows there are now.
  Result<service::IdempotentAnswer> Append(const std::optional<std::string>& key, const std::string& request) {
    return service::RunIdempotent(*ctx_, "test.append", key, request, [](store::Tx& tx) -> Result<nlohmann::json> {
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO counter_rows (n) VALUES (1)").status());
      SY_ASSIGN_OR_RETURN(store::Rows r, tx.Exec("SELECT COUNT(*) FROM counter_rows"));
      return nlohmann::json{{"rows", r[0].Int(0)}};
    });
  }
  int64_t Rows() {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(store::Rows r, tx.Exec("SELECT COUNT(*) FROM counter_rows"));
                     n = r[0].Int(0);
                     return Status::Ok();
                   }).ok());
    return n;
  }
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<service::Context> ctx_;
};

TEST_P(IdempotencyTest, RetryAnswersTheFirstResultAndWritesNothing) {
  auto first = Append("k-1", "{\"a\":1}");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->body, "{\"rows\":1}");
  auto again = Append("k-1", "{\"a\":1}");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->body, "{\"rows\":1}");
  EXPECT_EQ(Rows(), 1);
  // Another key writes again; no key always writes.
  EXPECT_EQ(Append("k-2", "{\"a\":1}")->body, "{\"rows\":2}");
  EXPECT_EQ(Append(std::nullopt, "{\"a\":1}")->body, "{\"rows\":3}");
  EXPECT_EQ(Append(std::nullopt, "{\"a\":1}")->body, "{\"rows\":4}");
}

TEST_P(IdempotencyTest, KeyReusedForAnotherRequestIsRefused) {
  ASSERT_TRUE(Append("k-1", "{\"a\":1}").ok());
  auto other = Append("k-1", "{\"a\":2}");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kConflict);
  EXPECT_NE(other.status().message().find("different request"), std::string::npos);
  EXPECT_EQ(Rows(), 1);
}

TEST_P(IdempotencyTest, BadKeysAreRefusedBeforeAnyWrite) {
  for (std::string key : {std::string(), std::string(201, 'x'), std::string("has space"), std::string("tab\t")}) {
    auto r = Append(key, "{}");
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    ASSERT_EQ(r.status().details().size(), 1u);
    EXPECT_EQ(r.status().details()[0].field, "Idempotency-Key");
  }
  EXPECT_EQ(Rows(), 0);
}

TEST_P(IdempotencyTest, FailedWorkStoresNothingSoARetryRuns) {
  bool fail = true;
  auto run = [&] {
    return service::RunIdempotent(*ctx_, "test.flaky", std::string("k"), "{}", [&](store::Tx& tx) -> Result<nlohmann::json> {
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO counter_rows (n) VALUES (1)").status());
      if (fail) return Status(Code::kConflict, "not enough points");
      return nlohmann::json{{"ok", true}};
    });
  };
  auto r1 = run();
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().message(), "not enough points");
  EXPECT_EQ(Rows(), 0);
  fail = false;
  auto r2 = run();
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_FALSE(r2->replayed);
  EXPECT_EQ(Rows(), 1);
}

TEST_P(IdempotencyTest, ConcurrentRequestsWithOneKeyWriteOnce) {
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, replayed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      auto r = Append("same-key", "{\"a\":1}");
      if (!r.ok()) return;
      ++ok;
      if (r->replayed) ++replayed;
      EXPECT_EQ(r->body, "{\"rows\":1}");
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(replayed.load(), kThreads - 1);
  EXPECT_EQ(Rows(), 1);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(IdempotencyTest);

}  // namespace
}  // namespace shuyou::test
