// Member identity through the HTTP API on both engines: merging a duplicate member into the one
// who stays (history moved, balances combined, `shuyou check` still clean, the old card still
// found, the phone freed, refusals that write nothing, concurrent merges of one duplicate), card
// numbers under a configured prefix, phone numbers read in the configured region, and the card's
// QR code images checked module by module against libqrencode.
#include <png.h>
#include <qrencode.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "core/card.h"
#include "service/check.h"
#include "service/member_merge.h"
#include "service/member_tiers.h"
#include "support/api_client.h"
#include "support/process.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class MemberIdentity : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    manager_id_ = MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    manager_actor_.kind = "staff";
    manager_actor_.id = manager_id_;
    manager_actor_.name = "chen.jing";
    manager_actor_.role = core::Role::kManager;
  }

  json Register(const json& body) {
    Reply r = Send(cashier_, "POST", "/api/v1/members", body);
    EXPECT_EQ(r.status, 201) << body.dump() << " → " << r.body;
    return r.json;
  }

  void Adjust(int64_t member, int64_t points) {
    Reply r = Send(manager_, "POST", "/api/v1/members/" + std::to_string(member) + "/points/adjustments",
                   json{{"points", points}, {"reason", "test " + std::to_string(points)}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A stored-value ledger row written as a top-up would be (no top-up endpoint is needed here).
  void StoredValue(int64_t member, int64_t amount) {
    Status st = db_->Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto bal, tx.Exec("UPDATE members SET stored_value_balance = stored_value_balance + ? "
                                            "WHERE id = ? RETURNING stored_value_balance",
                                            {amount, member}));
      return tx.Exec("INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after, reason) "
                     "VALUES (?, ?, 'topup', ?, ?, 'test')",
                     {member, service::SystemNowMs(), amount, bal[0].Int(0)})
          .status();
    });
    ASSERT_TRUE(st.ok()) << st.message();
  }

  Reply Merge(const Caller& who, int64_t survivor, const json& body) {
    return Send(who, "POST", "/api/v1/members/" + std::to_string(survivor) + "/merge", body);
  }

  std::vector<int64_t> FoundIds(const std::string& query_string) {
    Reply r = Send(cashier_, "GET", "/api/v1/members?" + query_string);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    for (const auto& m : r.json["items"]) ids.push_back(m["id"].get<int64_t>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<service::Mismatch> Check() {
    auto r = service::CheckInvariants(app_->context());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<service::Mismatch>{{"check failed", 0, 0, 0, ""}};
  }

  // (points, balance_after) of a member's ledger rows, oldest first, read from the database.
  std::vector<std::pair<int64_t, int64_t>> LedgerRows(const char* ledger, const char* amount, int64_t member) {
    std::vector<std::pair<int64_t, int64_t>> out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + amount + ", balance_after FROM " + ledger +
                                                 " WHERE member_id = ? ORDER BY id",
                                             {member}));
      for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1)});
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  // A response with its content type, which Reply does not keep.
  http::Response Get(const Caller& who, const std::string& target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    req.remote_addr = who.ip;
    req.headers["cookie"] = std::string(http::kSessionCookie) + "=" + who.cookie;
    return app_->Handle(req);
  }

  int64_t manager_id_ = 0;
  Caller manager_, cashier_;
  service::Actor manager_actor_;
};

// Checks that each row's balance_after is the running sum of the rows before it and itself.
void ExpectRunningSum(const std::vector<std::pair<int64_t, int64_t>>& rows, int64_t final_balance) {
  int64_t sum = 0;
  for (const auto& [amount, after] : rows) {
    sum += amount;
    EXPECT_EQ(after, sum);
  }
  EXPECT_EQ(sum, final_balance);
}

TEST_P(MemberIdentity, MergeMovesHistoryCombinesBalancesAndCheckStaysClean) {
  json keep = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"notes", "常买历史类"}});
  json dup = Register({{"phone", "13900139000"},
                       {"email", "wang@example.com"},
                       {"birthday", "1990-05-17"},
                       {"gender", "female"},
                       {"notes", "旧卡，在分店办的"}});
  int64_t k = keep["id"], d = dup["id"];
  // Interleaved histories: the ledger ids of the two members alternate.
  Adjust(k, 100);
  Adjust(d, 250);
  Adjust(k, -30);
  Adjust(d, -50);
  Adjust(d, 7);
  StoredValue(d, 5000);
  StoredValue(k, 1200);
  StoredValue(d, -2000);
  // The survivor decided on consent first, the duplicate later: the later decision wins.
  ASSERT_EQ(Send(cashier_, "PATCH", "/api/v1/members/" + std::to_string(k), json{{"consent_email", true}}).status, 200);
  clock_offset_ms_ += 60'000;
  ASSERT_EQ(Send(cashier_, "PATCH", "/api/v1/members/" + std::to_string(d), json{{"consent_sms", true}}).status, 200);
  // The duplicate reached gold (the default program ranks regular < silver < gold).
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return tx.Exec("UPDATE members SET tier = 'gold' WHERE id = ?", {d}).status(); }).ok());
  auto dup_points_before = LedgerRows("points_ledger", "points", d);
  ASSERT_EQ(dup_points_before.size(), 3u);
  ASSERT_TRUE(Check().empty());
  int64_t audit = CountRows("audit_log");

  Reply r = Merge(manager_, k, {{"duplicate_id", d}, {"reason", "同一人两张卡"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json& m = r.json["member"];
  EXPECT_EQ(m["id"], k);
  EXPECT_EQ(m["points_balance"], 100 - 30 + 250 - 50 + 7);
  EXPECT_EQ(m["stored_value_balance"], 1200 + 5000 - 2000);
  EXPECT_EQ(m["tier"], "gold");
  EXPECT_EQ(m["name"], "王芳") << "the survivor's own fields win";
  EXPECT_EQ(m["phone"], "+8613800138000");
  EXPECT_EQ(m["card_number"], keep["card_number"]);
  EXPECT_EQ(m["email"], "wang@example.com") << "empty fields are filled from the duplicate";
  EXPECT_EQ(m["birthday"], "1990-05-17");
  EXPECT_EQ(m["gender"], "female");
  EXPECT_EQ(m["consent_email"], false);
  EXPECT_EQ(m["consent_sms"], true);
  std::string notes = m["notes"];
  EXPECT_EQ(notes.rfind("常买历史类\nMerged from member " + std::to_string(d) + " (card " +
                            dup["card_number"].get<std::string>() + ", phone +8613900139000) on ",
                        0),
            0u)
      << notes;
  EXPECT_NE(notes.find(": 同一人两张卡\n旧卡，在分店办的"), std::string::npos) << notes;
  EXPECT_EQ(r.json["duplicate_id"], d);
  EXPECT_EQ(r.json["points_moved"], 207);
  EXPECT_EQ(r.json["stored_value_moved"], 3000);
  EXPECT_EQ(r.json["points_entries_moved"], 3);
  EXPECT_EQ(r.json["stored_value_entries_moved"], 2);
  EXPECT_EQ(r.json["fields_filled"], json::parse(R"(["email","birthday","gender","tier","consent"])"));

  // History: every row now belongs to the survivor with its time, kind and reason, and the
  // combined ledger reads as one running balance; the duplicate has no rows and zero balances.
  Reply ledger = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(k) + "/points");
  ASSERT_EQ(ledger.status, 200);
  ASSERT_EQ(ledger.json["entries"].size(), 5u);
  EXPECT_EQ(ledger.json["balance"], 277);
  std::multiset<std::string> reasons;
  for (const auto& e : ledger.json["entries"]) reasons.insert(e["reason"].get<std::string>() + "/" + e["kind"].get<std::string>());
  EXPECT_EQ(reasons, (std::multiset<std::string>{"test 100/adjust", "test 250/adjust", "test -30/adjust",
                                                  "test -50/adjust", "test 7/adjust"}));
  ExpectRunningSum(LedgerRows("points_ledger", "points", k), 277);
  ExpectRunningSum(LedgerRows("stored_value_ledger", "amount", k), 4200);
  EXPECT_TRUE(LedgerRows("points_ledger", "points", d).empty());
  EXPECT_TRUE(LedgerRows("stored_value_ledger", "amount", d).empty());
  int64_t merged_from = 0;
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM points_ledger WHERE member_id = ? AND merged_from = ?", {k, d}));
    merged_from = rows[0].Int(0);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(merged_from, 3) << "moved rows remember whose they were";
  auto mismatches = Check();
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " mismatches, first: "
                                  << (mismatches.empty() ? "" : mismatches[0].invariant);

  // The duplicate is gone for lookups, but its card still finds the survivor.
  Reply gone = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(d));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.ErrorCode(), "not_found");
  EXPECT_EQ(gone.FieldError("merged_into"), std::to_string(k));
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(d) + "/points").status, 404);
  EXPECT_EQ(Send(cashier_, "PATCH", "/api/v1/members/" + std::to_string(d), json{{"name", "x"}}).status, 404);
  Reply adjust_gone = Send(manager_, "POST", "/api/v1/members/" + std::to_string(d) + "/points/adjustments",
                           json{{"points", 5}, {"reason", "late"}});
  EXPECT_EQ(adjust_gone.status, 404) << adjust_gone.body;
  std::string old_card = dup["card_number"];
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(FoundIds("q=" + old_card), Ids{k});
  std::string spaced = old_card.substr(0, 4) + "%20" + old_card.substr(4, 4) + "-" + old_card.substr(8);
  EXPECT_EQ(FoundIds("q=" + spaced), Ids{k});
  EXPECT_EQ(FoundIds("q=13900139000"), Ids{});
  EXPECT_EQ(FoundIds("q=9000"), Ids{}) << "the duplicate's last 4 digits no longer find anyone";
  EXPECT_EQ(FoundIds("limit=200"), Ids{k});
  // Its phone is free for a new member.
  json reuse = Register({{"phone", "139-0013-9000"}, {"name", "新会员"}});
  EXPECT_EQ(reuse["phone"], "+8613900139000");
  EXPECT_EQ(FoundIds("q=13900139000"), Ids{reuse["id"].get<int64_t>()});

  // Audited once, with both ids.
  EXPECT_EQ(CountRows("audit_log"), audit + 2);  // the merge and the new member
  Reply log = Send(owner_, "GET", "/api/v1/audit?limit=200");
  ASSERT_EQ(log.status, 200) << log.body;
  int merges = 0;
  for (const auto& e : log.json["items"]) {
    if (e["action"] != "member.merge") continue;
    ++merges;
    EXPECT_EQ(e["target"], "member:" + std::to_string(k));
    EXPECT_EQ(e["details"]["survivor_id"], k);
    EXPECT_EQ(e["details"]["duplicate_id"], d);
    EXPECT_EQ(e["details"]["reason"], "同一人两张卡");
  }
  EXPECT_EQ(merges, 1);
}

TEST_P(MemberIdentity, MergeCombinesPurchasesClubsStampsAndPointsLots) {
  int64_t keep = Register(json{{"phone", "13800138101"}, {"name", "周"}})["id"];
  int64_t dup = Register(json{{"phone", "13800138102"}})["id"];
  Adjust(keep, 100);  // each adjustment opens a points lot
  Adjust(dup, 40);
  // Purchases on the same day and on another day, in two genres.
  const int64_t day1 = 1'790'000'000'000, day2 = day1 + 86'400'000;
  auto buy = [&](int64_t member, int64_t at, int64_t amount, const char* genre) {
    service::PurchaseStats p;
    p.at = at;
    p.amount = amount;
    p.genres = {{genre, amount}};
    Status st = db_->Write([&](store::Tx& tx) { return service::RecordPurchase(tx, app_->context(), member, p).status(); });
    ASSERT_TRUE(st.ok()) << st.message();
  };
  buy(keep, day1, 5000, "fiction");
  buy(dup, day1, 3000, "fiction");
  buy(dup, day2, 2000, "comics");
  // Both in one club; stamps on one card: 6 + 5 of 10 complete a card with 1 left over.
  int64_t club = Send(owner_, "POST", "/api/v1/clubs", json{{"name", "书友会"}, {"annual_fee", 0}}).json["id"];
  for (int64_t m : {keep, dup})
    ASSERT_EQ(Send(cashier_, "POST", "/api/v1/members/" + std::to_string(m) + "/clubs",
                   json{{"club_id", club}, {"payment_method", "cash"}}).status, 201);
  int64_t card = Send(owner_, "POST", "/api/v1/stamp-cards",
                      json{{"name", "十章卡"}, {"stamps_needed", 10}, {"reward", "书签"}}).json["id"];
  ASSERT_EQ(Send(cashier_, "POST", "/api/v1/members/" + std::to_string(keep) + "/stamps",
                 json{{"card_id", card}, {"count", 6}, {"reason", "r"}}).status, 201);
  ASSERT_EQ(Send(cashier_, "POST", "/api/v1/members/" + std::to_string(dup) + "/stamps",
                 json{{"card_id", card}, {"count", 5}, {"reason", "r"}}).status, 201);

  // A sale of the duplicate's that used a coupon issued to it (the rows checkout writes for a
  // zero-value sale, so that `check` stays clean).
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
                   int64_t now = app_->context().now();
                   SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO coupons (code, kind, amount, member_id, uses, created_at, updated_at) "
                                              "VALUES ('MERGE1', 'fixed', 0, ?, 1, ?, ?)",
                                              {dup, now, now}).status());
                   SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sales (receipt_number, store_id, member_id, at, business_day, "
                                              "subtotal, discount_total, net_total, due) "
                                              "SELECT 'M-1', MIN(id), ?, ?, '2026-01-01', 0, 0, 0, 0 FROM stores",
                                              {dup, now}).status());
                   return tx.Exec("INSERT INTO coupon_redemptions (coupon_id, sale_id, member_id, at, amount) "
                                  "SELECT c.id, s.id, ?, ?, 0 FROM coupons c, sales s WHERE c.code = 'MERGE1' "
                                  "AND s.receipt_number = 'M-1'",
                                  {dup, now}).status();
                 }).ok());

  Reply merged = Merge(manager_, keep, json{{"duplicate_id", dup}, {"reason", "same person"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_TRUE(Check().empty());

  auto one = [&](const std::string& sql, std::vector<store::Value> params) {
    int64_t v = -1;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto r, tx.Exec(sql, params));
                     v = r.empty() ? -1 : r[0].Int(0);
                     return Status::Ok();
                   }).ok());
    return v;
  };
  EXPECT_EQ(one("SELECT total_spend FROM members WHERE id = ?", {keep}), 10000);
  EXPECT_EQ(one("SELECT visits FROM members WHERE id = ?", {keep}), 3);
  EXPECT_EQ(one("SELECT COUNT(*) FROM members WHERE id = ? AND visits = 0 AND total_spend = 0 AND last_visit_at IS NULL", {dup}), 1)
      << "the duplicate keeps no purchase statistics";
  EXPECT_EQ(one("SELECT COUNT(*) FROM member_daily WHERE member_id = ?", {keep}), 2);
  EXPECT_EQ(one("SELECT spend FROM member_genres WHERE member_id = ? AND genre = 'fiction'", {keep}), 8000);
  EXPECT_EQ(one("SELECT SUM(remaining) FROM points_lots WHERE member_id = ?", {keep}), 140);
  EXPECT_EQ(one("SELECT COUNT(*) FROM club_memberships WHERE member_id = ? AND club_id = ?", {keep, club}), 1);
  EXPECT_EQ(one("SELECT COUNT(*) FROM club_payments p JOIN club_memberships m ON m.id = p.membership_id "
                "WHERE m.member_id = ?", {keep}), 2);
  EXPECT_EQ(one("SELECT stamps FROM stamp_progress WHERE member_id = ? AND card_id = ?", {keep, card}), 1);
  EXPECT_EQ(one("SELECT COUNT(*) FROM stamp_rewards WHERE member_id = ?", {keep}), 1);
  EXPECT_EQ(one("SELECT COUNT(*) FROM sales WHERE member_id = ? AND receipt_number = 'M-1'", {keep}), 1);
  EXPECT_EQ(one("SELECT COUNT(*) FROM coupon_redemptions WHERE member_id = ?", {keep}), 1);
  EXPECT_EQ(one("SELECT COUNT(*) FROM coupons WHERE member_id = ? AND code = 'MERGE1'", {keep}), 1);
  // Nothing but its own row refers to the duplicate any more.
  for (const char* table : {"points_ledger", "points_lots", "member_daily", "member_genres", "club_memberships",
                            "stamp_progress", "stamp_events", "stamp_rewards", "tier_history", "member_consents",
                            "sales", "coupons", "coupon_redemptions", "outbox"})
    EXPECT_EQ(one(std::string("SELECT COUNT(*) FROM ") + table + " WHERE member_id = ?", {dup}), 0) << table;
}

TEST_P(MemberIdentity, MergedChainsLeadToTheLastSurvivor) {
  int64_t a = Register({{"phone", "13800138001"}})["id"], b = Register({{"phone", "13800138002"}})["id"],
          c = Register({{"phone", "13800138003"}})["id"];
  std::string card_a = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(a)).json["card_number"];
  Adjust(a, 10);
  Adjust(b, 20);
  Adjust(c, 30);
  ASSERT_EQ(Merge(manager_, b, {{"duplicate_id", a}, {"reason", "dup"}}).status, 200);
  Reply second = Merge(owner_, c, {{"duplicate_id", b}, {"reason", "dup"}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json["member"]["points_balance"], 60);
  EXPECT_EQ(FoundIds("q=" + card_a), std::vector<int64_t>{c});
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(a)).FieldError("merged_into"), std::to_string(c));
  EXPECT_TRUE(Check().empty());
  ExpectRunningSum(LedgerRows("points_ledger", "points", c), 60);

  // `shuyou check` notices what a writer ignoring merges would leave behind: a row (with its
  // balance) on a merged member, and a merged member pointing at another merged one.
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET points_balance = 5 WHERE id = ?", {b}).status());
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after) "
                               "VALUES (?, 0, 'earn', 5, 5)", {b}).status());
    return tx.Exec("UPDATE members SET merged_into = ? WHERE id = ?", {b, a}).status();
  }).ok());
  std::vector<std::string> found;
  // (The ledger row written behind the report feed's back also shows in report_points_daily,
  // which report_feed_test covers; only the member invariants are looked at here.)
  for (const auto& m : Check())
    if (m.invariant.rfind("report_", 0) != 0) found.push_back(m.invariant + " #" + std::to_string(m.member_id));
  // (The balance written without a points lot breaks the lots invariant too.)
  EXPECT_EQ(found, (std::vector<std::string>{"a merged member has no points_ledger rows #" + std::to_string(b),
                                             "points_balance = SUM(points_lots.remaining) #" + std::to_string(b),
                                             "merged_into names a member that is not merged #" + std::to_string(a)}));
}

TEST_P(MemberIdentity, RefusedMergesSayWhyAndWriteNothing) {
  int64_t k = Register({{"phone", "13800138000"}})["id"], d = Register({{"phone", "13900139000"}})["id"];
  int64_t other = Register({{"phone", "13700137000"}})["id"];
  Adjust(d, 40);
  ASSERT_EQ(Merge(manager_, other, {{"duplicate_id", Register({{"phone", "13600136000"}})["id"]}, {"reason", "x"}}).status, 200);
  int64_t merged = other + 1;
  int64_t members = CountRows("members"), audit = CountRows("audit_log"), ledger = CountRows("points_ledger");
  auto before = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(k)).json;

  struct Case {
    const Caller* who;
    int64_t survivor;
    json body;
    int status;
    std::string field;  // the detail that names the problem ("" for none)
  };
  const Case cases[] = {
      {&manager_, k, {{"duplicate_id", k}, {"reason", "self"}}, 400, "duplicate_id"},
      {&manager_, k, {{"duplicate_id", d}, {"reason", ""}}, 400, "reason"},
      {&manager_, k, {{"duplicate_id", d}, {"reason", "   "}}, 400, "reason"},
      {&manager_, k, {{"duplicate_id", d}}, 400, "reason"},
      {&manager_, k, {{"reason", "no id"}}, 400, "duplicate_id"},
      {&manager_, k, {{"duplicate_id", "2"}, {"reason", "string id"}}, 400, "duplicate_id"},
      {&manager_, k, {{"duplicate_id", d}, {"reason", "x"}, {"extra", 1}}, 400, "extra"},
      {&manager_, k, {{"duplicate_id", 999999}, {"reason", "missing"}}, 404, ""},
      {&manager_, 999999, {{"duplicate_id", d}, {"reason", "missing"}}, 404, ""},
      {&manager_, k, {{"duplicate_id", merged}, {"reason", "again"}}, 409, "duplicate_id"},
      {&manager_, merged, {{"duplicate_id", d}, {"reason", "into a merged one"}}, 409, "id"},
      {&cashier_, k, {{"duplicate_id", d}, {"reason", "cashier"}}, 403, ""},
  };
  for (const auto& c : cases) {
    Reply r = Merge(*c.who, c.survivor, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " → " << r.body;
    EXPECT_FALSE(r.ErrorCode().empty()) << r.body;
    if (!c.field.empty()) {
      EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
    }
  }
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/members/abc/merge", json{{"duplicate_id", d}, {"reason", "x"}}).status, 404);
  EXPECT_EQ(CountRows("members"), members);
  EXPECT_EQ(CountRows("audit_log"), audit);
  EXPECT_EQ(CountRows("points_ledger"), ledger);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(k)).json, before);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(d)).json["points_balance"], 40);
  EXPECT_TRUE(Check().empty());
}

// Two managers merge the same duplicate into different members at the same moment, through the
// service on their own connections: exactly one merge happens, the other is refused, and the
// points exist once. Merges of a pair in opposite directions likewise: one wins, no deadlock.
TEST_P(MemberIdentity, ConcurrentMergesOfOneDuplicateLetExactlyOneThrough) {
  auto& ctx = app_->context();
  for (int round = 0; round < 4; ++round) {
    std::string n = std::to_string(round);
    int64_t dup = Register({{"phone", "1380013800" + n}})["id"];
    int64_t s1 = Register({{"phone", "1390013900" + n}})["id"];
    int64_t s2 = Register({{"phone", "1370013700" + n}})["id"];
    Adjust(dup, 500);
    Adjust(s1, 10);
    Adjust(s2, 20);
    bool opposite = round % 2 == 1;  // odd rounds: s1 ← dup and dup ← s1
    std::atomic<int> ok{0}, conflict{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> managers;
    for (int t = 0; t < 2; ++t)
      managers.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto r = opposite ? (t == 0 ? service::MergeMembers(ctx, manager_actor_, s1, dup, "race")
                                    : service::MergeMembers(ctx, manager_actor_, dup, s1, "race"))
                          : service::MergeMembers(ctx, manager_actor_, t == 0 ? s1 : s2, dup, "race");
        if (r.ok()) ++ok;
        else if (r.status().code() == Code::kConflict) ++conflict;
        else {
          ++other;
          ADD_FAILURE() << r.status().message();
        }
      });
    go = true;
    for (auto& t : managers) t.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(conflict.load(), 1) << "round " << round;
    EXPECT_EQ(other.load(), 0);
    // The 500 points exist exactly once among the members still listed.
    int64_t total = 0;
    for (int64_t id : {dup, s1, s2}) {
      Reply g = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(id));
      if (g.status == 200) total += g.json["points_balance"].get<int64_t>();
    }
    EXPECT_EQ(total, 530);
    EXPECT_TRUE(Check().empty());
  }
}

TEST_P(MemberIdentity, NewCardsUseTheConfiguredPrefixAndOldCardsStillScan) {
  json before = Register({{"phone", "13800138000"}});
  app_->context().settings.card_prefix = "66880";
  json after = Register({{"phone", "13900139000"}});
  std::string old_card = before["card_number"], card = after["card_number"];
  EXPECT_EQ(old_card.rfind("8601", 0), 0u);
  EXPECT_EQ(card.rfind("66880", 0), 0u) << card;
  EXPECT_EQ(card.size(), 5u + 8u + 1u);
  EXPECT_TRUE(core::IsValidCardNumber(card));
  EXPECT_EQ(card, core::MakeCardNumber("66880", uint64_t(after["id"].get<int64_t>())).value());
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(before["id"].get<int64_t>())).json["card_number"],
            old_card)
      << "existing cards keep their number";
  using Ids = std::vector<int64_t>;
  int64_t after_id = after["id"], before_id = before["id"];
  EXPECT_EQ(FoundIds("q=" + card), Ids{after_id});
  EXPECT_EQ(FoundIds("q=" + card.substr(0, 5) + "%20" + card.substr(5, 4) + "%20" + card.substr(9)), Ids{after_id});
  EXPECT_EQ(FoundIds("q=" + card.substr(0, 5) + "-" + card.substr(5, 4) + "-" + card.substr(9)), Ids{after_id});
  EXPECT_EQ(FoundIds("q=" + old_card), Ids{before_id});
  std::string typo = card;
  typo[6] = typo[6] == '9' ? '0' : char(typo[6] + 1);
  EXPECT_EQ(FoundIds("q=" + typo), Ids{}) << "the check digit catches a mistyped digit";
}

TEST_P(MemberIdentity, PhonesAreReadInTheConfiguredRegion) {
  app_->context().settings.phone_region = "US";
  json us = Register({{"phone", "(415) 555-0100"}, {"name", "Lily"}});
  EXPECT_EQ(us["phone"], "+14155550100");
  json cn = Register({{"phone", "+86 138 0013 8000"}});
  EXPECT_EQ(cn["phone"], "+8613800138000");
  json cn00 = Register({{"phone", "0086 139 0013 9000"}});
  EXPECT_EQ(cn00["phone"], "+8613900139000");
  using Ids = std::vector<int64_t>;
  int64_t us_id = us["id"];
  EXPECT_EQ(FoundIds("q=4155550100"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=415.555.0100"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=0100"), Ids{us_id}) << "the last 4 digits work in any region";
  Reply bad = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13700137000"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("phone").find("for US"), std::string::npos) << bad.body;
  // Changing the phone reads it in the region too.
  Reply moved = Send(cashier_, "PATCH", "/api/v1/members/" + std::to_string(us_id), json{{"phone", "604 555 0199"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["phone"], "+16045550199");

  app_->context().settings.phone_region = "CN";
  Reply cn_landline = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "(010) 6552-9988"}});
  ASSERT_EQ(cn_landline.status, 201) << cn_landline.body;
  EXPECT_EQ(cn_landline.json["phone"], "+861065529988");
  EXPECT_EQ(FoundIds("q=010-6552-9988"), Ids{cn_landline.json["id"].get<int64_t>()});
}

// The QR matrix libqrencode makes for `text` with the settings the card uses.
std::vector<std::vector<bool>> Expected(const std::string& text) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  EXPECT_NE(code, nullptr);
  std::vector<std::vector<bool>> m(size_t(code->width), std::vector<bool>(size_t(code->width), false));
  for (int y = 0; y < code->width; ++y)
    for (int x = 0; x < code->width; ++x) m[y][x] = code->data[y * code->width + x] & 1;
  QRcode_free(code);
  return m;
}

TEST_P(MemberIdentity, TheCardSvgIsTheQrCodeOfTheCardNumberModuleByModule) {
  json m = Register({{"phone", "13800138000"}});
  std::string card = m["card_number"];
  std::string path = "/api/v1/members/" + std::to_string(m["id"].get<int64_t>()) + "/card.svg";
  http::Response res = Get(cashier_, path);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.content_type, "image/svg+xml");
  auto expected = Expected(card);
  int width = int(expected.size());
  EXPECT_NE(res.body.find("data-modules=\"" + std::to_string(width) + "\""), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("viewBox=\"0 0 " + std::to_string(width + 8) + " "), std::string::npos);
  std::vector<std::vector<bool>> got(size_t(width), std::vector<bool>(size_t(width), false));
  std::regex square(R"(M(\d+) (\d+)h1v1h-1z)");
  int squares = 0;
  for (auto it = std::sregex_iterator(res.body.begin(), res.body.end(), square); it != std::sregex_iterator(); ++it) {
    int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]);
    ASSERT_TRUE(x < width && y < width) << x << "," << y;
    got[y][x] = true;
    ++squares;
  }
  EXPECT_GT(squares, width * width / 4);
  EXPECT_EQ(got, expected);
  std::string grouped;
  for (size_t i = 0; i < card.size(); ++i) grouped += (i && i % 4 == 0 ? " " : "") + std::string(1, card[i]);
  EXPECT_NE(res.body.find(">" + grouped + "</text>"), std::string::npos) << "the number is printed below the code";
  EXPECT_EQ(Get(cashier_, path).body, res.body) << "the same card gives the same image";
  EXPECT_EQ(Get(owner_, path).body, res.body);

  // Bad ids answer in the standard error shape.
  Reply missing = Send(cashier_, "GET", "/api/v1/members/999999/card.svg");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorCode(), "not_found");
  Reply bad = Send(cashier_, "GET", "/api/v1/members/abc/card.svg");
  EXPECT_EQ(bad.status, 404) << "as for every /members/{id} path";
  EXPECT_EQ(bad.ErrorCode(), "not_found");
  EXPECT_FALSE(bad.json["error"]["message"].get<std::string>().empty());
  MakeStaff("zhou.min", "marketer", store_id_);
  EXPECT_EQ(Send(Login("zhou.min", "correct-horse-battery"), "GET", path).status, 403);
}

TEST_P(MemberIdentity, TheCardPngDecodesToTheSameModules) {
  json m = Register({{"phone", "13800138000"}});
  std::string card = m["card_number"];
  std::string path = "/api/v1/members/" + std::to_string(m["id"].get<int64_t>()) + "/card.png";
  http::Response res = Get(cashier_, path + "?scale=4");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.content_type, "image/png");
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_memory(&image, res.body.data(), res.body.size())) << image.message;
  image.format = PNG_FORMAT_GRAY;
  std::vector<uint8_t> px(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, px.data(), 0, nullptr)) << image.message;
  auto expected = Expected(card);
  int width = int(expected.size());
  ASSERT_EQ(int(image.width), (width + 8) * 4);
  EXPECT_GT(int(image.height), int(image.width)) << "room for the number below the code";
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x) {
      // The centre pixel of each module.
      uint8_t v = px[size_t((4 + y) * 4 + 2) * image.width + size_t((4 + x) * 4 + 2)];
      EXPECT_EQ(v == 0, bool(expected[y][x])) << x << "," << y;
    }
  for (int x = 0; x < int(image.width); ++x) EXPECT_EQ(px[size_t(x)], 0xFF) << "quiet zone";
  bool ink_below = false;
  for (size_t i = size_t((width + 8) * 4) * image.width; i < px.size(); ++i) ink_below |= px[i] == 0;
  EXPECT_TRUE(ink_below) << "the number is drawn below the code";
  EXPECT_EQ(Get(cashier_, path + "?scale=4").body, res.body);
  EXPECT_EQ(Send(cashier_, "GET", path + "?scale=0").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", path + "?scale=33").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/999999/card.png").status, 404);
}

TEST_P(MemberIdentity, AMergedMembersCardImageIsGone) {
  int64_t k = Register({{"phone", "13800138000"}})["id"], d = Register({{"phone", "13900139000"}})["id"];
  ASSERT_EQ(Merge(owner_, k, {{"duplicate_id", d}, {"reason", "dup"}}).status, 200);
  Reply r = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(d) + "/card.svg");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.FieldError("merged_into"), std::to_string(k));
}

SHUYOU_INSTANTIATE_FOR_ENGINES(MemberIdentity);

// The phone_region setting is checked against libphonenumber's regions before any subcommand
// runs, from a flag or the environment; lower case is read as upper case.
TEST(MemberIdentityPure, PhoneRegionMustHaveANumberingPlan) {
  TempDir dir;
  std::string db = dir.File("shuyou.db");
  auto migrate = [&](std::vector<std::string> args, ProcessOptions opt = {}) {
    std::vector<std::string> argv{ShuyouBinary(), "--db", db};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("migrate");
    return RunProcess(argv, opt, 60s);
  };
  for (const char* bad : {"XX", "ZZ", "C", "CHN", "001"}) {
    auto r = migrate({"--phone-region", bad});
    EXPECT_FALSE(r.status.ok()) << bad << ": " << r.Describe();
    EXPECT_NE(r.err.find("phone_region must be a two-letter region code with a phone numbering plan"),
              std::string::npos)
        << r.Describe();
    EXPECT_NE(r.err.find(std::string("got '") + bad + "' from flag"), std::string::npos) << r.Describe();
  }
  ProcessOptions env;
  env.env = {{"SHUYOU_PHONE_REGION", "XX"}};
  auto from_env = migrate({}, env);
  EXPECT_FALSE(from_env.status.ok());
  EXPECT_NE(from_env.err.find("SHUYOU_PHONE_REGION"), std::string::npos) << from_env.Describe();
  for (const char* good : {"CN", "us", "GB", "Hk"}) {
    auto r = migrate({"--phone-region", good});
    EXPECT_TRUE(r.status.ok()) << good << ": " << r.Describe();
  }
}

}  // namespace
}  // namespace shuyou::test
