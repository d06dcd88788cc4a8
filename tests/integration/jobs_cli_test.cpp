// `shuyou jobs run NAME [--date]` and `shuyou jobs list` as a person runs them, on both engines:
// a run lapses the due points once, a second run of the same day says it is done and changes
// nothing, the list shows the run, and a bad job name or date is refused with a message.
#include <gtest/gtest.h>

#include "service/loyalty.h"
#include "service/members.h"
#include "service/points.h"
#include "support/process.h"
#include "support/test_db.h"

namespace shuyou::test {
namespace {

RunResult Shuyou(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ShuyouBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {{{"SHUYOU_TIMEZONE", "Asia/Shanghai"}}, ""}, 60s);
}

class JobsCli : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    db_ = NewTestDatabaseTarget(GetParam());
    auto r = Shuyou({"migrate", "--db", db_});
    ASSERT_TRUE(r.status.ok()) << r.Describe();
  }
  std::string db_;
};

TEST_P(JobsCli, RunExpiresDuePointsOnceAndListShowsTheRun) {
  {
    store::Options o;
    o.readers = 1;
    auto db = OpenTestDatabase(db_, o);
    // 2025-01-10 12:00 in Shanghai: 100 points that expire on 2026-01-10.
    int64_t at = 1736481600000;  // 2025-01-10T04:00:00Z
    service::Context ctx{*db, {}, [at] { return at; }};
    service::NewMember m;
    m.phone = "13800138000";
    auto member = service::RegisterMember(ctx, service::Actor{}, m);
    ASSERT_TRUE(member.ok()) << member.status().message();
    auto earned = service::EarnForPurchase(ctx, service::Actor{}, member->id, {std::nullopt, at, {{"文学", 10000}}, false, 100, ""});
    ASSERT_TRUE(earned.ok()) << earned.status().message();
    ASSERT_EQ(earned->entry->expires_on, "2026-01-10");
  }
  auto run = Shuyou({"jobs", "run", "points-expiry", "--date", "2026-01-10", "--db", db_});
  ASSERT_TRUE(run.status.ok()) << run.Describe();
  EXPECT_EQ(run.out, "points-expiry 2026-01-10: done, 1 members, 100 points\n");
  auto again = Shuyou({"jobs", "run", "points-expiry", "--date", "2026-01-10", "--db", db_});
  ASSERT_TRUE(again.status.ok()) << again.Describe();
  EXPECT_NE(again.out.find("already done"), std::string::npos) << again.out;

  auto list = Shuyou({"jobs", "list", "--db", db_});
  ASSERT_TRUE(list.status.ok()) << list.Describe();
  EXPECT_NE(list.out.find("2026-01-10  points-expiry  done  1 members  100 points  (cli)"), std::string::npos) << list.out;

  auto check = Shuyou({"check", "--db", db_});
  EXPECT_TRUE(check.status.ok()) << check.Describe();

  auto unknown = Shuyou({"jobs", "run", "points-expiri", "--db", db_});
  EXPECT_FALSE(unknown.status.ok());
  EXPECT_NE(unknown.err.find("no job named 'points-expiri'"), std::string::npos) << unknown.err;
  auto bad_date = Shuyou({"jobs", "run", "birthday-bonus", "--date", "2026-02-30", "--db", db_});
  EXPECT_FALSE(bad_date.status.ok());
  EXPECT_NE(bad_date.err.find("is not a real date"), std::string::npos) << bad_date.err;
}

SHUYOU_INSTANTIATE_FOR_ENGINES(JobsCli);

}  // namespace
}  // namespace shuyou::test
