// Stored value, paid clubs and stamp cards through the HTTP API on both engines: top-ups with
// their bonus row and Idempotency-Key replays, spends refused when short (and never both won by
// two tills at once), adjustments, club joins and renewals around the end date, stamps with
// carry-over and rewards redeemed once; bad input answers a clear error and writes nothing.
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "service/business_day.h"
#include "service/check.h"
#include "service/clubs.h"
#include "service/stamps.h"
#include "service/stored_value.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

class WalletApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    manager_id_ = MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    cashier_id_ = MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("zhao.lei", "marketer", store_id_);
    marketer_ = Login("zhao.lei", "correct-horse-battery");
  }

  int64_t NewMember(const std::string& phone) {
    Reply r = Send(cashier_, "POST", "/api/v1/members", json{{"phone", phone}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["id"].get<int64_t>();
  }

  std::string M(int64_t id) { return "/api/v1/members/" + std::to_string(id); }

  // Top up ≥ ¥200 get ¥10; ≥ ¥500 get ¥50.
  void SetTopUpBonuses() {
    json p = Send(owner_, "GET", "/api/v1/loyalty/program").json;
    p["top_up_bonuses"] = json::array({{{"min_top_up", 20000}, {"bonus", 1000}}, {{"min_top_up", 50000}, {"bonus", 5000}}});
    Reply r = Send(owner_, "PUT", "/api/v1/loyalty/program", p);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // A POST with an Idempotency-Key header, signed in as `who` (cookie and CSRF token).
  Reply SendWithHeader(const Caller& who, const std::string& path, const json& body, const std::string& key) {
    Caller keyed = who;
    keyed.idempotency_key = key;
    return Send(keyed, "POST", path, body);
  }

  int64_t Count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  service::Actor Staff(int64_t id, const std::string& name, core::Role role) {
    service::Actor a;
    a.kind = "staff";
    a.id = id;
    a.name = name;
    a.role = role;
    return a;
  }

  // Today in Asia/Shanghai (UTC+8 all year since 1991), computed independently of the service.
  std::string ShanghaiDate(int64_t offset_days = 0) {
    using namespace std::chrono;
    int64_t ms = service::SystemNowMs() + clock_offset_ms_ + 8LL * 3600 * 1000 + offset_days * kDayMs;
    year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(ms)))};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
    return buf;
  }

  int64_t manager_id_ = 0, cashier_id_ = 0;
  Caller manager_, cashier_, marketer_;
};

TEST_P(WalletApi, TopUpWritesTheTopUpAndItsBonusRowAndAKeyedRetryWritesNothing) {
  SetTopUpBonuses();
  int64_t id = NewMember("13800138000");
  json body = {{"amount", 50000}, {"payment_method", "cash"}};
  Reply first = SendWithHeader(cashier_, M(id) + "/stored-value/top-ups", body, "till-1-0001");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(first.json["entries"].size(), 2u);
  EXPECT_EQ(first.json["entries"][0]["kind"], "topup");
  EXPECT_EQ(first.json["entries"][0]["amount"], 50000);
  EXPECT_EQ(first.json["entries"][0]["balance_after"], 50000);
  EXPECT_EQ(first.json["entries"][0]["payment_method"], "cash");
  EXPECT_EQ(first.json["entries"][0]["staff_username"], "li.ming");
  EXPECT_EQ(first.json["entries"][1]["kind"], "bonus");
  EXPECT_EQ(first.json["entries"][1]["amount"], 5000);
  EXPECT_EQ(first.json["entries"][1]["balance_after"], 55000);
  EXPECT_EQ(first.json["entries"][1]["reason"], "top up ≥ ¥500.00 get ¥50.00");
  EXPECT_EQ(first.json["balance"], 55000);

  Reply again = SendWithHeader(cashier_, M(id) + "/stored-value/top-ups", body, "till-1-0001");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stored_value_ledger WHERE member_id = ?", {id}), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.stored_value.topup'"), 1);

  Reply reused = SendWithHeader(cashier_, M(id) + "/stored-value/top-ups",
                                json{{"amount", 60000}, {"payment_method", "cash"}}, "till-1-0001");
  EXPECT_EQ(reused.status, 409) << reused.body;

  // Below every rule: a top-up row only. Between the rules: the smaller bonus.
  Reply small = Send(cashier_, "POST", M(id) + "/stored-value/top-ups",
                     json{{"amount", 10000}, {"payment_method", "mobile"}, {"reason", "微信支付"}});
  ASSERT_EQ(small.status, 201) << small.body;
  ASSERT_EQ(small.json["entries"].size(), 1u);
  EXPECT_EQ(small.json["entries"][0]["reason"], "微信支付");
  EXPECT_EQ(small.json["balance"], 65000);
  Reply mid = Send(manager_, "POST", M(id) + "/stored-value/top-ups", json{{"amount", 20000}, {"payment_method", "card"}});
  ASSERT_EQ(mid.status, 201) << mid.body;
  EXPECT_EQ(mid.json["entries"][1]["amount"], 1000);
  EXPECT_EQ(mid.json["balance"], 86000);

  Reply ledger = Send(marketer_, "GET", M(id) + "/stored-value");
  ASSERT_EQ(ledger.status, 200);
  EXPECT_EQ(ledger.json["balance"], 86000);
  ASSERT_EQ(ledger.json["entries"].size(), 5u);
  EXPECT_EQ(ledger.json["entries"][0]["kind"], "bonus");
  EXPECT_EQ(ledger.json["entries"][1]["payment_method"], "card");
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_P(WalletApi, BadTopUpsAndSpendsAreRefusedWithFieldDetailsAndWriteNothing) {
  int64_t id = NewMember("13800138001");
  struct Case { json body; std::string field; };
  const Case cases[] = {
      {{{"amount", 0}, {"payment_method", "cash"}}, "amount"},
      {{{"amount", -100}, {"payment_method", "cash"}}, "amount"},
      {{{"amount", service::kMaxTopUp + 1}, {"payment_method", "cash"}}, "amount"},
      {{{"amount", 100}, {"payment_method", "bitcoin"}}, "payment_method"},
      {{{"amount", 100}}, "payment_method"},
      {{{"amount", "100"}, {"payment_method", "cash"}}, "amount"},
      {{{"amount", 100}, {"payment_method", "cash"}, {"tip", 1}}, "tip"},
  };
  for (const auto& c : cases) {
    Reply r = Send(cashier_, "POST", M(id) + "/stored-value/top-ups", c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump();
    EXPECT_NE(r.FieldError(c.field), "") << c.body.dump() << " → " << r.body;
  }
  EXPECT_EQ(Send(marketer_, "POST", M(id) + "/stored-value/top-ups", json{{"amount", 100}, {"payment_method", "cash"}}).status, 403);
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/members/999999/stored-value/top-ups", json{{"amount", 100}, {"payment_method", "cash"}}).status, 404);

  ASSERT_EQ(Send(cashier_, "POST", M(id) + "/stored-value/top-ups", json{{"amount", 2000}, {"payment_method", "cash"}}).status, 201);
  Reply shortr = Send(cashier_, "POST", M(id) + "/stored-value/spends", json{{"amount", 5000}});
  EXPECT_EQ(shortr.status, 409);
  EXPECT_EQ(shortr.json["error"]["message"], "stored value balance is ¥20.00, short by ¥30.00");
  EXPECT_EQ(Send(cashier_, "POST", M(id) + "/stored-value/spends", json{{"amount", 0}}).status, 400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stored_value_ledger WHERE member_id = ?", {id}), 1);
  EXPECT_EQ(Count("SELECT stored_value_balance FROM members WHERE id = ?", {id}), 2000);

  Reply spend = SendWithHeader(cashier_, M(id) + "/stored-value/spends", json{{"amount", 1500}, {"sale_id", 77}}, "sale-77-pay");
  ASSERT_EQ(spend.status, 201) << spend.body;
  EXPECT_EQ(spend.json["entries"][0]["amount"], -1500);
  EXPECT_EQ(spend.json["entries"][0]["sale_id"], 77);
  EXPECT_EQ(spend.json["balance"], 500);
  Reply replay = SendWithHeader(cashier_, M(id) + "/stored-value/spends", json{{"amount", 1500}, {"sale_id", 77}}, "sale-77-pay");
  EXPECT_EQ(replay.body, spend.body);
  EXPECT_EQ(Count("SELECT stored_value_balance FROM members WHERE id = ?", {id}), 500);
}

TEST_P(WalletApi, ManagersAdjustWithAReasonAndNeverBelowZero) {
  int64_t id = NewMember("13800138002");
  std::string path = M(id) + "/stored-value/adjustments";
  EXPECT_EQ(Send(cashier_, "POST", path, json{{"amount", 100}, {"reason", "x"}}).status, 403);
  Reply noreason = Send(manager_, "POST", path, json{{"amount", 100}, {"reason", "  "}});
  EXPECT_EQ(noreason.status, 400);
  EXPECT_NE(noreason.FieldError("reason"), "");
  EXPECT_EQ(Send(manager_, "POST", path, json{{"amount", 0}, {"reason", "zero"}}).status, 400);
  Reply neg = Send(manager_, "POST", path, json{{"amount", -1}, {"reason", "oops"}});
  EXPECT_EQ(neg.status, 409) << neg.body;
  Reply ok = Send(manager_, "POST", path, json{{"amount", 3000}, {"reason", "migrated from the old card system"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json["entries"][0]["kind"], "adjust");
  EXPECT_EQ(ok.json["balance"], 3000);
  Reply down = Send(owner_, "POST", path, json{{"amount", -1000}, {"reason", "double entry"}});
  EXPECT_EQ(down.json["balance"], 2000);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.stored_value.adjust'"), 2);

  // A refund for a return goes back on the card with its sale, inside the caller's transaction.
  auto& ctx = app_->context();
  service::Actor cashier = Staff(cashier_id_, "li.ming", core::Role::kCashier);
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
                   return service::RefundStoredValue(tx, ctx, cashier, id, 700, 88, "").status();
                 }).ok());
  Reply ledger = Send(cashier_, "GET", M(id) + "/stored-value");
  EXPECT_EQ(ledger.json["entries"][0]["kind"], "refund");
  EXPECT_EQ(ledger.json["entries"][0]["sale_id"], 88);
  EXPECT_EQ(ledger.json["entries"][0]["reason"], "return of sale 88");
  EXPECT_EQ(ledger.json["balance"], 2700);
}

// Two tills spend ¥0.80 each from a balance of ¥1.00 at the same moment, on their own
// connections: exactly one wins, the other is told the balance is short, and the ledger holds.
TEST_P(WalletApi, TwoConcurrentSpendsOfTheSameBalanceNeverBothSucceed) {
  auto& ctx = app_->context();
  service::Actor manager = Staff(manager_id_, "chen.jing", core::Role::kManager);
  service::Actor cashier = Staff(cashier_id_, "li.ming", core::Role::kCashier);
  for (int round = 0; round < 5; ++round) {
    int64_t id = NewMember("1390013900" + std::to_string(round));
    ASSERT_TRUE(service::AdjustStoredValue(ctx, manager, id, 100, "opening balance").ok());
    std::atomic<int> ok{0}, refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> tills;
    for (int t = 0; t < 2; ++t)
      tills.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto r = service::Spend(ctx, cashier, id, 80, std::nullopt, "till " + std::to_string(t));
        if (r.ok()) ++ok;
        else if (r.status().code() == Code::kConflict) ++refused;
        else ++other;
      });
    go = true;
    for (auto& t : tills) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(refused.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(Count("SELECT stored_value_balance FROM members WHERE id = ?", {id}), 20);
    EXPECT_EQ(Count("SELECT COALESCE(SUM(amount), 0) FROM stored_value_ledger WHERE member_id = ?", {id}), 20);
  }
  auto problems = service::CheckInvariants(ctx);
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  EXPECT_TRUE(problems->empty());
}

TEST_P(WalletApi, OwnersDefineClubsOthersOnlyLook) {
  json club = {{"name", "书友会年卡"}, {"annual_fee", 19900}, {"discount_percent", 8}, {"points_percent", 150}};
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/clubs", club).status, 403);
  Reply made = Send(owner_, "POST", "/api/v1/clubs", club);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json["duration_months"], 12);
  EXPECT_EQ(made.json["active"], true);
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/clubs", club).status, 409);
  struct Case { json body; std::string field; };
  const Case bad[] = {
      {{{"annual_fee", 100}}, "name"},
      {{{"name", "x"}}, "annual_fee"},
      {{{"name", "x"}, {"annual_fee", -1}}, "annual_fee"},
      {{{"name", "x"}, {"annual_fee", 1}, {"discount_percent", 95}}, "discount_percent"},
      {{{"name", "x"}, {"annual_fee", 1}, {"points_percent", 90}}, "points_percent"},
      {{{"name", "x"}, {"annual_fee", 1}, {"duration_months", 0}}, "duration_months"},
  };
  for (const auto& c : bad) {
    Reply r = Send(owner_, "POST", "/api/v1/clubs", c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump();
    EXPECT_NE(r.FieldError(c.field), "") << r.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM clubs"), 1);
  int64_t cid = made.json["id"];
  Reply list = Send(marketer_, "GET", "/api/v1/clubs");
  ASSERT_EQ(list.json["items"].size(), 1u);
  Reply patched = Send(owner_, "PATCH", "/api/v1/clubs/" + std::to_string(cid), json{{"discount_percent", 10}});
  EXPECT_EQ(patched.json["discount_percent"], 10);
  EXPECT_EQ(patched.json["name"], "书友会年卡");
  int64_t id = NewMember("13800138003");
  ASSERT_EQ(Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "cash"}}).status, 201);
  EXPECT_EQ(Send(owner_, "DELETE", "/api/v1/clubs/" + std::to_string(cid)).status, 409);
  Reply spare = Send(owner_, "POST", "/api/v1/clubs", json{{"name", "spare"}, {"annual_fee", 0}});
  EXPECT_EQ(Send(owner_, "DELETE", "/api/v1/clubs/" + spare.json["id"].dump()).status, 204);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'club.%'"), 4);
}

TEST_P(WalletApi, JoinRenewAndExpireAgainstTheBusinessDate) {
  int64_t cid = Send(owner_, "POST", "/api/v1/clubs",
                     json{{"name", "书友会"}, {"annual_fee", 19900}, {"discount_percent", 8}, {"points_percent", 150}})
                    .json["id"];
  int64_t quarterly = Send(owner_, "POST", "/api/v1/clubs",
                           json{{"name", "季卡"}, {"annual_fee", 5900}, {"duration_months", 3}, {"discount_percent", 5},
                                {"points_percent", 200}})
                          .json["id"];
  int64_t id = NewMember("13800138004");

  // Paying from stored value with too little on the card joins nothing.
  Reply shortr = Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "stored_value"}});
  EXPECT_EQ(shortr.status, 409) << shortr.body;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM club_memberships"), 0);
  EXPECT_EQ(Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "iou"}}).status, 400);
  EXPECT_EQ(Send(marketer_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "cash"}}).status, 403);
  EXPECT_EQ(Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", 9999}, {"payment_method", "cash"}}).status, 404);

  ASSERT_EQ(Send(cashier_, "POST", M(id) + "/stored-value/top-ups", json{{"amount", 30000}, {"payment_method", "cash"}}).status, 201);
  Reply joined = SendWithHeader(cashier_, M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "stored_value"}}, "join-1");
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_EQ(joined.json["payment"]["kind"], "join");
  EXPECT_EQ(joined.json["membership"]["status"], "active");
  EXPECT_EQ(joined.json["membership"]["started_on"], ShanghaiDate());
  EXPECT_EQ(joined.json["stored_value"]["amount"], -19900);
  EXPECT_EQ(joined.json["stored_value"]["balance_after"], 10100);
  std::string first_end = joined.json["membership"]["ends_on"];
  EXPECT_EQ(SendWithHeader(cashier_, M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "stored_value"}}, "join-1").body,
            joined.body);
  EXPECT_EQ(Count("SELECT stored_value_balance FROM members WHERE id = ?", {id}), 10100);

  // A year less a day: the end date is the day before the same date next year.
  auto start = service::ParseDay(ShanghaiDate());
  auto end = service::ParseDay(first_end);
  ASSERT_TRUE(start.ok() && end.ok());
  auto next_year = std::chrono::sys_days(*start) + std::chrono::days(365);
  EXPECT_LE(std::chrono::sys_days(*end), next_year);
  EXPECT_GE(std::chrono::sys_days(*end), next_year - std::chrono::days(1));

  // Renewed early: the new year follows on from the end date.
  Reply renewed = Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "card"}});
  ASSERT_EQ(renewed.status, 201) << renewed.body;
  EXPECT_EQ(renewed.json["payment"]["kind"], "renew");
  EXPECT_EQ(renewed.json["membership"]["started_on"], ShanghaiDate());
  auto next_start = std::chrono::sys_days(*end) + std::chrono::days(1);
  EXPECT_EQ(renewed.json["payment"]["period_start"], service::FormatDay(core::Date{next_start}));
  std::string second_end = renewed.json["membership"]["ends_on"];
  EXPECT_GT(second_end, first_end);

  Reply quarter = Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", quarterly}, {"payment_method", "mobile"}});
  ASSERT_EQ(quarter.status, 201) << quarter.body;
  std::string quarter_end = quarter.json["membership"]["ends_on"];
  // The best of both: 8% off from the annual club, ×2 points from the quarterly one.
  auto& ctx = app_->context();
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                   auto b = service::ActiveClubBenefits(tx, id, ShanghaiDate());
                   if (!b.ok()) return b.status();
                   EXPECT_EQ(b->discount_percent, 8);
                   EXPECT_EQ(b->discount_club, "书友会");
                   EXPECT_EQ(b->points_percent, 200);
                   EXPECT_EQ(b->points_club, "季卡");
                   auto after_quarter = service::ActiveClubBenefits(tx, id, second_end);
                   EXPECT_EQ(after_quarter->points_percent, 150);
                   auto nothing = service::ActiveClubBenefits(tx, id, "2000-01-01");
                   EXPECT_EQ(nothing->discount_percent, 0);
                   EXPECT_EQ(nothing->points_percent, 100);
                   EXPECT_FALSE(service::ActiveClubBenefits(tx, id, "2026-13-01").ok());
                   return Status::Ok();
                 }).ok());

  // Four months on the quarterly club has expired; a renewal then starts today.
  clock_offset_ms_ = 130 * kDayMs;
  owner_ = Login("owner", "correct-horse-battery");  // sessions from four months ago have lapsed
  cashier_ = Login("li.ming", "correct-horse-battery");
  marketer_ = Login("zhao.lei", "correct-horse-battery");
  Reply later = Send(marketer_, "GET", M(id) + "/clubs");
  ASSERT_EQ(later.status, 200);
  ASSERT_EQ(later.json["items"].size(), 2u);
  EXPECT_EQ(later.json["items"][0]["club"]["name"], "书友会");
  EXPECT_EQ(later.json["items"][0]["status"], "active");
  EXPECT_EQ(later.json["items"][1]["status"], "expired");
  EXPECT_EQ(later.json["items"][1]["days_left"], 0);
  EXPECT_EQ(later.json["payments"].size(), 3u);
  Reply again = Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", quarterly}, {"payment_method", "cash"}});
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.json["membership"]["started_on"], ShanghaiDate());
  EXPECT_EQ(again.json["payment"]["period_start"], ShanghaiDate());
  EXPECT_GT(std::string(again.json["membership"]["ends_on"]), quarter_end);

  // An inactive club takes no renewals; the membership already paid for stays valid.
  ASSERT_EQ(Send(owner_, "PATCH", "/api/v1/clubs/" + std::to_string(cid), json{{"active", false}}).status, 200);
  EXPECT_EQ(Send(cashier_, "POST", M(id) + "/clubs", json{{"club_id", cid}, {"payment_method", "cash"}}).status, 409);
  EXPECT_EQ(Send(cashier_, "GET", M(id) + "/clubs").json["items"][0]["status"], "active");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'member.club.%'"), 4);
  (void)ctx;
}

TEST_P(WalletApi, StampsFillCardsCarryOverAndRewardsAreRedeemedOnce) {
  json card = {{"name", "买十送一"}, {"stamps_needed", 10}, {"reward", "一本 ¥50 以内的书"}};
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/stamp-cards", card).status, 403);
  Reply made = Send(owner_, "POST", "/api/v1/stamp-cards", card);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_TRUE(made.json["genre"].is_null());
  int64_t cid = made.json["id"];
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stamp-cards", card).status, 409);
  Reply bad = Send(owner_, "POST", "/api/v1/stamp-cards", json{{"name", "x"}, {"stamps_needed", 0}, {"reward", " "}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("stamps_needed"), "");
  EXPECT_NE(bad.FieldError("reward"), "");

  int64_t id = NewMember("13800138005");
  std::string stamps = M(id) + "/stamps";
  Reply nine = Send(cashier_, "POST", stamps, json{{"card_id", cid}, {"count", 9}, {"reason", "receipts from the old till"}});
  ASSERT_EQ(nine.status, 201) << nine.body;
  EXPECT_EQ(nine.json["stamps"], 9);
  EXPECT_EQ(nine.json["rewards"].size(), 0u);
  Reply three = Send(manager_, "POST", stamps, json{{"card_id", cid}, {"count", 3}, {"reason", "活动补盖"}});
  ASSERT_EQ(three.status, 201) << three.body;
  EXPECT_EQ(three.json["stamps"], 2);
  ASSERT_EQ(three.json["rewards"].size(), 1u);
  int64_t reward = three.json["rewards"][0]["id"];

  EXPECT_EQ(Send(cashier_, "POST", stamps, json{{"card_id", cid}, {"count", 1}}).status, 400);  // no reason
  EXPECT_EQ(Send(cashier_, "POST", stamps, json{{"card_id", cid}, {"count", 0}, {"reason", "r"}}).status, 400);
  EXPECT_EQ(Send(marketer_, "POST", stamps, json{{"card_id", cid}, {"reason", "r"}}).status, 403);
  EXPECT_EQ(Send(cashier_, "POST", stamps, json{{"card_id", 999}, {"reason", "r"}}).status, 404);

  Reply progress = Send(marketer_, "GET", stamps);
  ASSERT_EQ(progress.status, 200);
  ASSERT_EQ(progress.json["cards"].size(), 1u);
  EXPECT_EQ(progress.json["cards"][0]["stamps"], 2);
  EXPECT_EQ(progress.json["cards"][0]["card"]["stamps_needed"], 10);
  ASSERT_EQ(progress.json["rewards"].size(), 1u);
  EXPECT_EQ(progress.json["rewards"][0]["reward"], "一本 ¥50 以内的书");

  int64_t other = NewMember("13800138006");
  std::string redeem = M(id) + "/stamp-rewards/" + std::to_string(reward) + "/redeem";
  EXPECT_EQ(Send(cashier_, "POST", M(other) + "/stamp-rewards/" + std::to_string(reward) + "/redeem").status, 404);
  Reply used = Send(cashier_, "POST", redeem);
  ASSERT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(used.json["redeemed_by"], "li.ming");
  EXPECT_FALSE(used.json["redeemed_at"].is_null());
  Reply twice = Send(manager_, "POST", redeem, json{{"sale_id", 5}});
  EXPECT_EQ(twice.status, 409);
  Reply after = Send(cashier_, "GET", stamps);
  EXPECT_EQ(after.json["rewards"].size(), 0u);
  EXPECT_EQ(after.json["redeemed"].size(), 1u);

  // Purchases through the cashier's hook: a genre card only counts its genre's lines.
  int64_t kids = Send(owner_, "POST", "/api/v1/stamp-cards",
                      json{{"name", "童书卡"}, {"stamps_needed", 3}, {"reward", "绘本一本"}, {"genre", "children"}})
                     .json["id"];
  auto& ctx = app_->context();
  service::Actor cashier = Staff(cashier_id_, "li.ming", core::Role::kCashier);
  std::vector<service::StampAward> awards;
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
                   auto r = service::AwardStampsForSale(tx, ctx, cashier, id, {{"children", 4}, {"novel", 5}, {"", 1}}, 501);
                   if (!r.ok()) return r.status();
                   awards = *r;
                   return Status::Ok();
                 }).ok());
  ASSERT_EQ(awards.size(), 2u);
  EXPECT_EQ(awards[0].card_id, cid);
  EXPECT_EQ(awards[0].stamps, 2 + 10 - 10);  // 2 + 10 = 12 → one reward, 2 left
  EXPECT_EQ(awards[0].rewards.size(), 1u);
  EXPECT_EQ(awards[1].card_id, kids);
  EXPECT_EQ(awards[1].stamps, 1);
  ASSERT_EQ(awards[1].rewards.size(), 1u);
  EXPECT_EQ(awards[1].rewards[0].sale_id, 501);

  // An inactive card earns nothing more; its reward can still be redeemed.
  ASSERT_EQ(Send(owner_, "PATCH", "/api/v1/stamp-cards/" + std::to_string(kids), json{{"active", false}}).status, 200);
  EXPECT_EQ(Send(cashier_, "POST", stamps, json{{"card_id", kids}, {"reason", "r"}}).status, 409);
  EXPECT_EQ(Send(cashier_, "POST", M(id) + "/stamp-rewards/" + std::to_string(awards[1].rewards[0].id) + "/redeem").status, 200);
  EXPECT_EQ(Send(owner_, "DELETE", "/api/v1/stamp-cards/" + std::to_string(kids)).status, 409);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stamp_rewards WHERE member_id = ?", {id}), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stamp_events WHERE member_id = ?", {id}), 4);
}

// Four tills stamp one member's card at once and then three redeem the same reward: the stamps
// add up exactly (20 of 10 → two rewards, none left) and the reward is given once.
TEST_P(WalletApi, ConcurrentStampsAddUpAndARewardIsRedeemedOnce) {
  int64_t cid = Send(owner_, "POST", "/api/v1/stamp-cards", json{{"name", "十章卡"}, {"stamps_needed", 10}, {"reward", "书签"}})
                    .json["id"];
  int64_t id = NewMember("13800138009");
  auto& ctx = app_->context();
  service::Actor cashier = Staff(cashier_id_, "li.ming", core::Role::kCashier);
  auto race = [](int n, const std::function<Status()>& work, std::atomic<int>& ok, std::atomic<int>& refused) {
    std::atomic<bool> go{false};
    std::atomic<int> other{0};
    std::vector<std::thread> tills;
    for (int t = 0; t < n; ++t)
      tills.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        Status st = work();
        if (st.ok()) ++ok;
        else if (st.code() == Code::kConflict) ++refused;
        else ++other;
      });
    go = true;
    for (auto& t : tills) t.join();
    EXPECT_EQ(other.load(), 0);
  };
  std::atomic<int> stamped{0}, none{0};
  race(4, [&] { return service::AddManualStamps(ctx, cashier, id, cid, 5, "till rush").status(); }, stamped, none);
  EXPECT_EQ(stamped.load(), 4);
  Reply progress = Send(cashier_, "GET", M(id) + "/stamps");
  EXPECT_EQ(progress.json["cards"][0]["stamps"], 0);
  ASSERT_EQ(progress.json["rewards"].size(), 2u);
  int64_t reward = progress.json["rewards"][0]["id"];
  std::atomic<int> redeemed{0}, refused{0};
  race(3, [&] { return service::RedeemStampReward(ctx, cashier, id, reward, std::nullopt).status(); }, redeemed, refused);
  EXPECT_EQ(redeemed.load(), 1);
  EXPECT_EQ(refused.load(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.stamps.redeem'"), 1);

  // `shuyou check` holds the rewards to the events that completed cards.
  auto clean = service::CheckInvariants(ctx);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->empty());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return tx.Exec("DELETE FROM stamp_rewards WHERE id = ?", {reward}).status(); }).ok());
  auto found = service::CheckInvariants(ctx);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].invariant, "COUNT(stamp_rewards) = SUM(stamp_events.rewards)");
  EXPECT_EQ((*found)[0].member_id, id);
  EXPECT_EQ((*found)[0].cached, 1);
  EXPECT_EQ((*found)[0].computed, 2);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(WalletApi);

TEST(BusinessDayPure, DatesFollowTheZoneNotUtc) {
  // 2026-11-27T16:30Z is already the 28th in Shanghai, still the 27th in New York and UTC.
  const int64_t t = 1795797000000;  // 2026-11-27T16:30:00Z
  auto db = NewMigratedTestDatabase(store::Engine::kSqlite);
  auto day_in = [&](const char* zone, int64_t at) {
    service::Context ctx{*db, {}, [] { return int64_t(0); }};
    ctx.settings.timezone = zone;
    auto d = service::BusinessDay(ctx, at);
    return d.ok() ? service::FormatDay(*d) : d.status().message();
  };
  EXPECT_EQ(day_in("Asia/Shanghai", t), "2026-11-28");
  EXPECT_EQ(day_in("UTC", t), "2026-11-27");
  EXPECT_EQ(day_in("America/New_York", t), "2026-11-27");
  // 03:30Z on 2020-07-01 is still June 30th in New York on daylight time (UTC−4), and 04:30Z
  // is July 1st; in winter (UTC−5) 04:30Z is still the day before.
  EXPECT_EQ(day_in("America/New_York", 1593574200000), "2020-06-30");  // 2020-07-01T03:30Z
  EXPECT_EQ(day_in("America/New_York", 1593577800000), "2020-07-01");  // 2020-07-01T04:30Z
  EXPECT_EQ(day_in("America/New_York", 1577853000000), "2019-12-31");  // 2020-01-01T04:30Z
  EXPECT_NE(day_in("No/Such_Zone", t).find("No/Such_Zone"), std::string::npos);
  EXPECT_FALSE(service::ParseDay("2026-02-30").ok());
  EXPECT_TRUE(service::ParseDay("2024-02-29").ok());
}

}  // namespace
}  // namespace shuyou::test
