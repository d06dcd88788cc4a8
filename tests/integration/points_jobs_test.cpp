// The points ledger beyond adjustments, tiers and the daily jobs on both engines: earning with
// its explanation and expiry, the sign-up and birthday bonuses, first-expiring-first redemption,
// two tills redeeming one balance at once, reversal on returns, expiry that never lapses twice,
// upgrades at once and downgrades only after the grace period, and the HTTP endpoints.
// Expected numbers are worked out by hand in the comments.
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "core/expiry.h"
#include "jobs/jobs.h"
#include "jobs/scheduler.h"
#include "service/business_day.h"
#include "service/check.h"
#include "service/loyalty.h"
#include "service/member_tiers.h"
#include "service/points.h"
#include "service/report_feed.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

// 12:00 in Shanghai (04:00 UTC) on `day`.
int64_t Noon(const std::string& day) {
  auto d = service::ParseDay(day);
  EXPECT_TRUE(d.ok()) << day;
  return int64_t(std::chrono::sys_days(*d).time_since_epoch().count()) * 86'400'000 + 4 * 3'600'000;
}

core::Date Day(const std::string& day) { return *service::ParseDay(day); }

class PointsJobs : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    app_->context().now = [this] { return now_.load(); };
    cashier_id_ = MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    till_.kind = "staff";
    till_.id = cashier_id_;
    till_.name = "li.ming";
    till_.role = core::Role::kCashier;
  }
  service::Context& ctx() { return app_->context(); }
  void At(const std::string& day) { now_ = Noon(day); }

  void SaveProgram(const std::function<void(service::LoyaltyProgram&)>& change) {
    service::LoyaltyProgram p = service::DefaultLoyaltyProgram();
    change(p);
    auto r = service::SaveLoyaltyProgram(ctx(), system_, p, std::nullopt);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  int64_t NewMember(const std::string& phone, std::optional<std::string> birthday = std::nullopt) {
    service::NewMember m;
    m.phone = phone;
    m.birthday = birthday;
    auto r = service::RegisterMember(ctx(), system_, m);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r->id : 0;
  }
  service::Earning Earn(int64_t member, const std::string& day, std::vector<service::PurchaseLine> lines,
                        std::optional<int64_t> sale = std::nullopt) {
    At(day);
    service::Purchase p{sale, Noon(day), std::move(lines), std::nullopt, 100, ""};
    auto r = service::EarnForPurchase(ctx(), till_, member, p);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : service::Earning{};
  }
  int64_t Balance(int64_t member) { return Scalar("SELECT points_balance FROM members WHERE id = ?", {member}); }
  int64_t Scalar(const std::string& sql, const std::vector<store::Value>& params = {}) {
    int64_t out = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto r, tx.Exec(sql, params));
      out = r.empty() ? -1 : r[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
  void ExpectConsistent() {
    auto found = service::CheckInvariants(ctx());
    ASSERT_TRUE(found.ok()) << found.status().message();
    for (const auto& m : *found)
      ADD_FAILURE() << "member " << m.member_id << ": " << m.invariant << ": " << m.cached << " vs " << m.computed;
  }
  jobs::JobRun Run(const std::string& job, const std::string& day) {
    auto r = jobs::RunJob(ctx(), job, Day(day), "cli");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : jobs::JobRun{};
  }

  std::atomic<int64_t> now_{Noon("2026-01-05")};
  service::Actor system_;
  service::Actor till_;
  int64_t cashier_id_ = 0;
  Caller cashier_;
};

TEST_P(PointsJobs, APurchaseEarnsOneExplainedRowThatExpiresAfterTheProgramsMonths) {
  SaveProgram([](service::LoyaltyProgram& p) {
    p.earning.first_purchase_bonus = 50;
    p.earning.genres = {{"漫画", 200}};
    p.points_expiry_months = 12;
  });
  int64_t m = NewMember("13800138001");
  // 1 point per ¥1: base on ¥116.00 = 116; 漫画 ×2 on ¥30.00 = +30; first purchase +50 → 196.
  auto e = Earn(m, "2026-01-31", {{"文学", 8600}, {"漫画", 3000}}, 7001);
  ASSERT_TRUE(e.entry.has_value());
  EXPECT_EQ(e.entry->points, 196);
  EXPECT_EQ(e.entry->kind, "earn");
  EXPECT_EQ(e.entry->sale_id, 7001);
  EXPECT_EQ(e.entry->expires_on, "2027-01-31");
  EXPECT_NE(e.entry->reason.find("base +116"), std::string::npos) << e.entry->reason;
  EXPECT_NE(e.entry->reason.find("genre:漫画 +30"), std::string::npos) << e.entry->reason;
  EXPECT_NE(e.entry->reason.find("first_purchase +50"), std::string::npos) << e.entry->reason;
  EXPECT_EQ(Balance(m), 196);
  // Recorded as a visit, the next purchase is not a first one: 10 points only.
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return service::RecordPurchase(tx, ctx(), m, {Noon("2026-01-31"), 11600, true, {}}).status();
                 }).ok());
  EXPECT_EQ(Earn(m, "2026-02-01", {{"文学", 1000}}).entry->points, 10);
  // A basket that earns nothing writes nothing.
  EXPECT_FALSE(Earn(m, "2026-02-01", {{"文学", 50}}).entry.has_value());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger WHERE member_id = ?", {m}), 2);
  ExpectConsistent();
}

TEST_P(PointsJobs, TheSignUpBonusIsGrantedAtRegistration) {
  SaveProgram([](service::LoyaltyProgram& p) { p.earning.sign_up_bonus = 100; });
  int64_t m = NewMember("13800138002");
  EXPECT_EQ(Balance(m), 100);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger WHERE member_id = ? AND kind = 'earn' AND reason LIKE 'sign_up%'", {m}), 1);
  ExpectConsistent();
}

TEST_P(PointsJobs, RedemptionTakesTheOldestLotsFirstAndAShortBalanceIsRefused) {
  int64_t m = NewMember("13800138003");
  Earn(m, "2026-01-10", {{"文学", 10000}});  // lot A: 100, expires 2027-01-10
  Earn(m, "2026-02-01", {{"文学", 5000}});   // lot B: 50, expires 2027-02-01
  At("2026-03-01");
  auto r = service::RedeemPoints(ctx(), till_, m, 120, "抵扣 ¥12.00");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->balance, 30);
  EXPECT_EQ(r->entry.points, -120);
  // A gave all 100, B 20.
  EXPECT_EQ(Scalar("SELECT remaining FROM points_lots WHERE member_id = ? AND points = 100", {m}), 0);
  EXPECT_EQ(Scalar("SELECT remaining FROM points_lots WHERE member_id = ? AND points = 50", {m}), 30);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_draws WHERE ledger_id = ?", {r->entry.id}), 2);

  int64_t rows = Scalar("SELECT COUNT(*) FROM points_ledger");
  auto short_ = service::RedeemPoints(ctx(), till_, m, 31, "抵扣");
  ASSERT_FALSE(short_.ok());
  EXPECT_EQ(short_.status().code(), Code::kConflict);
  EXPECT_NE(short_.status().message().find("only 30 points"), std::string::npos) << short_.status().message();
  for (int64_t bad : {0, -5}) {
    auto b = service::RedeemPoints(ctx(), till_, m, bad, "抵扣");
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), Code::kInvalidArgument);
  }
  EXPECT_EQ(service::RedeemPoints(ctx(), till_, m, 5, "  ").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger"), rows);
  EXPECT_EQ(Balance(m), 30);
  ExpectConsistent();
}

// A redemption reads the lots only as far as it needs them (service/points.cpp DrawInOrder), and
// falls back to all of them past one page: the draws must be core::Redeem's over all the lots,
// whichever way they were read. Lots with expiries out of id order, one earned in the future, one
// expired, and a carried-over lot that never lapses.
TEST_P(PointsJobs, RedemptionDrawsWhatCoreRedeemWouldOverAllLotsHoweverManyThereAre) {
  int64_t m = NewMember("13800138011");
  At("2026-03-01");
  struct LotRow {
    std::string earned;
    std::optional<std::string> expires;
    int64_t points;
  };
  // Two lots that expire together, the later earned first by id: the earlier earned goes first.
  std::vector<LotRow> rows = {{"1970-01-01", std::nullopt, 500}, {"2026-01-01", "2026-02-01", 70},
                              {"2026-04-01", "2027-04-01", 90},  {"2026-02-20", "2026-06-01", 2},
                              {"2026-01-05", "2026-06-01", 2}};
  for (int i = 0; i < 40; ++i) {
    // Expiries that go down and up as ids go up, ties on the expiry broken by the earned day.
    int month = 1 + (i * 7) % 12, day = 1 + (i * 5) % 27;
    char earned[11], expires[11];
    std::snprintf(earned, sizeof earned, "2026-%02d-%02d", 1 + i % 2, day);
    std::snprintf(expires, sizeof expires, "2027-%02d-%02d", month, i % 3 == 0 ? 15 : 1 + day % 27);
    rows.push_back({earned, std::string(expires), 2});
  }
  int64_t total = 0;
  Status st = db_->Write([&](store::Tx& tx) -> Status {
    for (const auto& r : rows) {
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO points_lots (member_id, earned_on, expires_on, points, remaining) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 {m, r.earned, r.expires ? store::Value(*r.expires) : store::Null(), r.points, r.points})
                             .status());
      total += r.points;
    }
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason) "
                               "VALUES (?, ?, 'adjust', ?, ?, 'carried over')",
                               {m, Noon("2026-01-01"), total, total})
                           .status());
    SY_RETURN_IF_ERROR(service::FeedPoints(tx, ctx(), Noon("2026-01-01"), "adjust", total));
    return tx.Exec("UPDATE members SET points_balance = ? WHERE id = ?", {total, m}).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  // The expired lot (2026-02-01) lapses first; the one earned on 2026-04-01 is not usable yet.
  // 3 points come from the two lots that expire first (2 + 1); then the first page of 8 lots
  // holds 15 points, so 70 are drawn over all the lots; the last redemption takes the last 11
  // expiring points and 400 of the lot that never lapses.
  for (int64_t points : {int64_t(3), int64_t(70), int64_t(411)}) {
    SCOPED_TRACE(points);
    std::vector<int64_t> ids;
    std::vector<core::EarnLot> lots;
    ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto r, tx.Exec("SELECT id, earned_on, expires_on, remaining FROM points_lots "
                                                         "WHERE member_id = ? AND remaining > 0 AND "
                                                         "(expires_on IS NULL OR expires_on > '2026-03-01') ORDER BY id",
                                                         {m}));
                     for (const auto& row : r.rows) {
                       ids.push_back(row.Int(0));
                       lots.push_back({Day(row.Text(1)), row.Int(3),
                                       row.OptText(2) ? Day(*row.OptText(2)) : core::Date(std::chrono::year(9999) / 12 / 31)});
                     }
                     return Status::Ok();
                   }).ok());
    auto want = core::Redeem(lots, {}, Day("2026-03-01"), points);
    ASSERT_TRUE(want.ok()) << want.status().message();
    std::map<int64_t, int64_t> expected;
    for (const auto& d : *want) expected[ids[d.lot]] += d.points;
    auto r = service::RedeemPoints(ctx(), till_, m, points, "抵扣");
    ASSERT_TRUE(r.ok()) << r.status().message();
    std::map<int64_t, int64_t> drawn;
    ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto d, tx.Exec("SELECT lot_id, points FROM points_draws WHERE ledger_id = ?",
                                                         {r->entry.id}));
                     for (const auto& row : d.rows) drawn[row.Int(0)] = row.Int(1);
                     return Status::Ok();
                   }).ok());
    EXPECT_EQ(drawn, expected);
  }
  EXPECT_EQ(Scalar("SELECT remaining FROM points_lots WHERE member_id = ? AND expires_on IS NULL", {m}), 100);
  // What is left is not enough for one more than it: refused, nothing written.
  int64_t left = Balance(m), ledger = Scalar("SELECT COUNT(*) FROM points_ledger");
  EXPECT_EQ(left, 100 + 90);
  auto refused = service::RedeemPoints(ctx(), till_, m, 101, "抵扣");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kConflict);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger"), ledger);
  ExpectConsistent();
}

TEST_P(PointsJobs, TwoTillsRedeemingOneBalanceAtOnceNeverBothSucceed) {
  for (int round = 0; round < 4; ++round) {
    int64_t m = NewMember("1390013900" + std::to_string(round));
    Earn(m, "2026-01-05", {{"文学", 10000}});  // 100 points
    ASSERT_EQ(Balance(m), 100);
    std::atomic<int> ok{0}, refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> tills;
    for (int t = 0; t < 2; ++t)
      tills.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto r = service::RedeemPoints(ctx(), till_, m, 80, "till " + std::to_string(t));
        if (r.ok()) ++ok;
        else if (r.status().code() == Code::kConflict) ++refused;
        else ++other;
      });
    go = true;
    for (auto& t : tills) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(refused.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(Balance(m), 20);
  }
  ExpectConsistent();
}

TEST_P(PointsJobs, ReturnsTakeBackEarnedAndGiveBackRedeemedPointsProportionally) {
  int64_t m = NewMember("13800138004");
  Earn(m, "2026-01-05", {{"文学", 20000}});          // 200 points, no sale
  At("2026-01-06");
  ASSERT_TRUE(service::RedeemPoints(ctx(), till_, m, 31, "抵扣", 9001).ok());  // 169
  Earn(m, "2026-01-06", {{"文学", 10100}}, 9001);     // 101 points → 270
  // A third returned: floor(101/3) = 33 taken back, ceil(31/3) = 11 given back → 248.
  auto r1 = service::ReversePoints(ctx(), till_, {9001, std::nullopt}, {1, 3});
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_EQ(r1->taken_back, 33);
  EXPECT_EQ(r1->given_back, 11);
  EXPECT_EQ(r1->shortfall, 0);
  EXPECT_EQ(r1->balance, 248);
  // The rest: everything still due: 101 − 33 = 68 taken, 31 − 11 = 20 given → 200.
  auto r2 = service::ReversePoints(ctx(), till_, {9001, std::nullopt}, {3, 3});
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_EQ(r2->taken_back, 68);
  EXPECT_EQ(r2->given_back, 20);
  EXPECT_EQ(Balance(m), 200);
  // Reversing the whole sale again changes nothing.
  auto r3 = service::ReversePoints(ctx(), till_, {9001, std::nullopt}, {3, 3});
  ASSERT_TRUE(r3.ok());
  EXPECT_TRUE(r3->entries.empty());
  EXPECT_EQ(Balance(m), 200);
  EXPECT_EQ(service::ReversePoints(ctx(), till_, {424242, std::nullopt}, {1, 1}).status().code(), Code::kNotFound);
  EXPECT_EQ(service::ReversePoints(ctx(), till_, {9001, std::nullopt}, {4, 3}).status().code(), Code::kInvalidArgument);
  ExpectConsistent();
}

TEST_P(PointsJobs, ReturningAfterSpendingTheEarnedPointsTakesWhatIsThereAndRecordsTheShortfall) {
  int64_t m = NewMember("13800138005");
  Earn(m, "2026-01-05", {{"文学", 10000}}, 9100);  // 100
  At("2026-01-06");
  ASSERT_TRUE(service::RedeemPoints(ctx(), till_, m, 90, "抵扣").ok());  // 10 left
  auto r = service::ReversePoints(ctx(), till_, {9100, std::nullopt}, {1, 1});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->taken_back, 10);
  EXPECT_EQ(r->shortfall, 90);
  EXPECT_EQ(r->balance, 0);
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_NE(r->entries[0].reason.find("90 points already spent"), std::string::npos) << r->entries[0].reason;
  ExpectConsistent();
}

TEST_P(PointsJobs, ExpiryLapsesWhatIsLeftOfEachLotOnceEvenWhenRunTwiceOrResumed) {
  int64_t m = NewMember("13800138006");
  int64_t other = NewMember("13800138007");
  Earn(m, "2025-01-10", {{"文学", 10000}});  // lot A: 100, expires 2026-01-10
  Earn(m, "2025-03-01", {{"文学", 6000}});   // lot B: 60, expires 2026-03-01
  Earn(other, "2025-01-10", {{"文学", 4000}});  // 40, expires 2026-01-10
  At("2025-06-01");
  ASSERT_TRUE(service::RedeemPoints(ctx(), till_, m, 70, "抵扣").ok());  // A keeps 30, B 60
  At("2026-01-10");
  EXPECT_EQ(Run("points-expiry", "2026-01-09").points, 0);
  auto run = Run("points-expiry", "2026-01-10");
  EXPECT_EQ(run.status, "done");
  EXPECT_EQ(run.members, 2);
  EXPECT_EQ(run.points, 70);  // 30 of A and the other member's 40
  EXPECT_EQ(Balance(m), 60);
  EXPECT_EQ(Balance(other), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger WHERE member_id = ? AND kind = 'expire' AND points = -30", {m}), 1);
  // The same day again: skipped. A crash left a later day "running": the rerun lapses nothing twice.
  EXPECT_TRUE(Run("points-expiry", "2026-01-10").skipped);
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE job_runs SET status = 'running', finished_at = NULL WHERE day = '2026-01-10'").status();
                 }).ok());
  auto resumed = Run("points-expiry", "2026-01-10");
  EXPECT_EQ(resumed.status, "done");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger WHERE kind = 'expire'"), 2);
  EXPECT_EQ(Balance(m), 60);
  // B lapses on its own day.
  EXPECT_EQ(Run("points-expiry", "2026-03-01").points, 60);
  EXPECT_EQ(Balance(m), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'points-expiry'"), 3);
  ExpectConsistent();
}

TEST_P(PointsJobs, ARedemptionNeverUsesPointsWhoseDayHasComeBeforeTheJobRuns) {
  int64_t m = NewMember("13800138008");
  Earn(m, "2025-01-10", {{"文学", 10000}});  // 100, expires 2026-01-10
  Earn(m, "2025-06-10", {{"文学", 2000}});   // 20
  At("2026-01-10");
  auto r = service::RedeemPoints(ctx(), till_, m, 50, "抵扣");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kConflict);
  EXPECT_NE(r.status().message().find("only 20 points"), std::string::npos) << r.status().message();
  ASSERT_TRUE(service::RedeemPoints(ctx(), till_, m, 20, "抵扣").ok());
  EXPECT_EQ(Balance(m), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM points_ledger WHERE member_id = ? AND kind = 'expire' AND points = -100", {m}), 1);
  EXPECT_EQ(Run("points-expiry", "2026-01-10").points, 0);
  ExpectConsistent();
}

TEST_P(PointsJobs, TiersGoUpAtOnceAndDownOnlyAtTheEvaluationAfterTheGracePeriod) {
  SaveProgram([](service::LoyaltyProgram& p) { p.tier_downgrade_grace_days = 30; });
  int64_t m = NewMember("13800138009");
  // Default silver: ¥2,000 in 12 months. ¥2,500 on 2025-03-01 upgrades at once.
  At("2025-03-01");
  std::optional<service::TierChangeRecord> up;
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(up, service::RecordPurchase(tx, ctx(), m, {Noon("2025-03-01"), 250000, true, {{"文学", 250000}}}));
                   return Status::Ok();
                 }).ok());
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->to_tier, "silver");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM tier_history WHERE member_id = ? AND to_tier = 'silver'", {m}), 1);
  // 2026-02-28: the window 2025-03-01..2026-02-28 still holds the purchase.
  Run("tier-evaluation", "2026-02-28");
  // From 2026-03-01 the member qualifies only for regular; kept through 2026-03-30 (grace).
  for (std::string d : {"2026-03-01", "2026-03-15", "2026-03-30"}) {
    At(d);
    EXPECT_EQ(Run("tier-evaluation", d).members, 0) << d;
  }
  auto tier = [&] {
    std::string t;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto r, tx.Exec("SELECT tier FROM members WHERE id = ?", {m}));
                     t = r[0].Text(0);
                     return Status::Ok();
                   }).ok());
    return t;
  };
  EXPECT_EQ(tier(), "silver");
  At("2026-03-31");
  auto down = Run("tier-evaluation", "2026-03-31");
  EXPECT_EQ(down.members, 1);
  EXPECT_EQ(tier(), "regular");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM tier_history WHERE member_id = ?", {m}), 2);
  // A purchase (not periodic) never downgrades: covered by core; here: an upgrade again at once.
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return service::RecordPurchase(tx, ctx(), m, {Noon("2026-03-31"), 200000, true, {}}).status();
                 }).ok());
  EXPECT_EQ(tier(), "silver");
}

TEST_P(PointsJobs, TheBirthdayBonusIsGrantedOnceAYearAndLeapDayBirthdaysOn28FebruaryOtherwise) {
  SaveProgram([](service::LoyaltyProgram& p) { p.birthday_bonus_points = 88; });
  int64_t leap = NewMember("13800138010", "1992-02-29");
  int64_t march = NewMember("13800138011", "1991-03-05");
  At("2026-02-28");
  auto r = Run("birthday-bonus", "2026-02-28");
  EXPECT_EQ(r.members, 1);
  EXPECT_EQ(r.points, 88);
  EXPECT_EQ(Balance(leap), 88);
  EXPECT_EQ(Balance(march), 0);
  // Twice the same day, or the run record lost: still once that year.
  EXPECT_TRUE(Run("birthday-bonus", "2026-02-28").skipped);
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return tx.Exec("DELETE FROM job_runs").status(); }).ok());
  EXPECT_EQ(Run("birthday-bonus", "2026-02-28").points, 0);
  EXPECT_EQ(Balance(leap), 88);
  EXPECT_EQ(Run("birthday-bonus", "2026-03-05").points, 88);
  EXPECT_EQ(Balance(march), 88);
  // In a leap year the leap-day birthday is on 29 February, not the 28th.
  EXPECT_EQ(Run("birthday-bonus", "2028-02-28").points, 0);
  EXPECT_EQ(Run("birthday-bonus", "2028-02-29").points, 88);
  EXPECT_EQ(Balance(leap), 176);
  ExpectConsistent();
}

TEST_P(PointsJobs, RedemptionOverHttpIsRetrySafeAndExplainsAShortBalance) {
  int64_t m = NewMember("13800138012");
  Earn(m, "2026-01-05", {{"文学", 10000}});
  std::string path = "/api/v1/members/" + std::to_string(m) + "/points/redemptions";
  // As ApiFixture::SendRaw, with an Idempotency-Key header when `key` is given.
  auto send = [&](const json& body, const std::string& key) {
    http::Request req;
    req.method = "POST";
    req.target = path;
    req.body = body.dump();
    req.remote_addr = cashier_.ip;
    req.headers["content-type"] = "application/json";
    req.headers["cookie"] = std::string(http::kSessionCookie) + "=" + cashier_.cookie;
    req.headers["x-csrf-token"] = cashier_.csrf;
    if (!key.empty()) req.headers["idempotency-key"] = key;
    http::Response res = app_->Handle(req);
    Reply r;
    r.status = res.status;
    r.body = res.body;
    r.headers = res.headers;
    r.json = json::parse(res.body, nullptr, false);
    return r;
  };
  Reply first = send({{"points", 30}, {"reason", "抵扣 ¥3.00"}}, "till-1-0001");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json["balance"], 70);
  EXPECT_EQ(first.json["entry"]["kind"], "redeem");
  EXPECT_EQ(first.json["entry"]["staff_username"], "li.ming");
  Reply again = send({{"points", 30}, {"reason", "抵扣 ¥3.00"}}, "till-1-0001");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Balance(m), 70);
  EXPECT_EQ(send({{"points", 5}, {"reason", "other"}}, "till-1-0001").status, 409);
  Reply short_ = send({{"points", 71}, {"reason", "抵扣"}}, "");
  EXPECT_EQ(short_.status, 409);
  EXPECT_NE(short_.json["error"]["message"].get<std::string>().find("only 70 points"), std::string::npos) << short_.body;
  EXPECT_EQ(short_.FieldError("points"), "exceeds the balance (70)");
  Reply bad = send({{"points", "many"}, {"reason", "抵扣"}}, "");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/members/999999/points/redemptions", json{{"points", 1}, {"reason", "x"}}).status,
            404);
  EXPECT_EQ(Balance(m), 70);
  Reply ledger = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(m) + "/points");
  ASSERT_EQ(ledger.json["entries"].size(), 2u);
  EXPECT_EQ(ledger.json["entries"][0]["points"], -30);
}

TEST_P(PointsJobs, TierProgressShowsTheWindowTheNextTierAndWhatIsMissing) {
  int64_t m = NewMember("13800138013");
  At("2026-01-05");
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return service::RecordPurchase(tx, ctx(), m, {Noon("2026-01-05"), 50000, true, {}}).status();
                 }).ok());
  Reply r = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(m) + "/tier");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["tier"], "regular");
  EXPECT_EQ(r.json["rolling_12_months"]["from"], "2025-01-06");
  EXPECT_EQ(r.json["rolling_12_months"]["to"], "2026-01-05");
  EXPECT_EQ(r.json["rolling_12_months"]["spend"], 50000);
  EXPECT_EQ(r.json["rolling_12_months"]["visits"], 1);
  EXPECT_EQ(r.json["next"]["tier"], "silver");
  EXPECT_EQ(r.json["next"]["missing_spend"], 150000);  // ¥2,000 − ¥500
  EXPECT_EQ(r.json["next"]["missing_visits"], 9);      // 10 − 1
  EXPECT_EQ(r.json["next"]["need_both"], false);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/999999/tier").status, 404);
}

TEST_P(PointsJobs, OwnersSeeJobRuns) {
  Run("points-expiry", "2026-01-05");
  Run("birthday-bonus", "2026-01-05");
  Reply r = Send(owner_, "GET", "/api/v1/jobs/runs?limit=10");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["items"].size(), 2u);
  EXPECT_EQ(r.json["items"][0]["status"], "done");
  EXPECT_EQ(r.json["items"][0]["trigger"], "cli");
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/jobs/runs?job=birthday-bonus").json["items"].size(), 1u);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/jobs/runs?limit=0").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/jobs/runs").status, 403);
  EXPECT_EQ(jobs::RunJob(ctx(), "no-such-job", Day("2026-01-05"), "cli").status().code(), Code::kInvalidArgument);
}

TEST_P(PointsJobs, TheSchedulerRunsEveryJobOncePerDayAndCatchesUpAfterADowntime) {
  jobs::Scheduler scheduler(ctx());
  At("2026-01-05");
  scheduler.RunDue();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM job_runs WHERE day = '2026-01-05' AND status = 'done'"), 3);
  scheduler.RunDue();  // the same day again: nothing new
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM job_runs"), 3);
  // Down for two days: the next pass runs 01-06, 01-07 and 01-08 for each job.
  At("2026-01-08");
  scheduler.RunDue();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM job_runs"), 12);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'birthday-bonus' AND day = '2026-01-07'"), 1);
  // The thread starts and stops promptly.
  scheduler.Start();
  scheduler.Stop();
}

SHUYOU_INSTANTIATE_FOR_ENGINES(PointsJobs);

}  // namespace
}  // namespace shuyou::test
