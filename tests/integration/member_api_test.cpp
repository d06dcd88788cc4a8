// Members through the HTTP API on both engines: registration at the till, lookup by every key,
// profile changes and consent, points adjustments and their ledger, bad input that writes
// nothing, and concurrent adjustments that can never take a balance below zero.
#include <atomic>
#include <thread>

#include "core/card.h"
#include "service/members.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class MemberApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    manager_id_ = MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  json Register(const json& body, const Caller* who = nullptr) {
    Reply r = Send(who ? *who : cashier_, "POST", "/api/v1/members", body);
    EXPECT_EQ(r.status, 201) << body.dump() << " → " << r.body;
    return r.json;
  }

  std::vector<int64_t> FoundIds(const std::string& query_string) {
    Reply r = Send(cashier_, "GET", "/api/v1/members?" + query_string);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    for (const auto& m : r.json["items"]) ids.push_back(m["id"].get<int64_t>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  Reply Adjust(const Caller& who, int64_t member, int64_t points, const std::string& reason) {
    return Send(who, "POST", "/api/v1/members/" + std::to_string(member) + "/points/adjustments",
                json{{"points", points}, {"reason", reason}});
  }

  // The sum of a member's points ledger, computed by the database, and the cached balance.
  std::pair<int64_t, int64_t> LedgerSumAndBalance(int64_t member) {
    std::pair<int64_t, int64_t> out{-1, -1};
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto sum, tx.Exec("SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE member_id = ?", {member}));
      SY_ASSIGN_OR_RETURN(auto bal, tx.Exec("SELECT points_balance FROM members WHERE id = ?", {member}));
      out = {sum[0].Int(0), bal[0].Int(0)};
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  int64_t manager_id_ = 0;
  Caller manager_, cashier_;
};

TEST_P(MemberApi, CashierRegistersWithJustAPhoneAndFindsTheMemberByEveryKey) {
  json wang = Register({{"phone", "138-0013-8000"}, {"name", "王芳"}});
  EXPECT_EQ(Register({{"phone", "13600001111"}})["name"], "") << "only the phone is required";
  EXPECT_EQ(wang["phone"], "+8613800138000");
  EXPECT_EQ(wang["tier"], "regular");
  EXPECT_EQ(wang["points_balance"], 0);
  EXPECT_EQ(wang["stored_value_balance"], 0);
  EXPECT_EQ(wang["home_store_id"], store_id_) << "defaults to the cashier's store";
  EXPECT_EQ(wang["created_by"], "staff:li.ming");
  EXPECT_TRUE(wang["email"].is_null());
  EXPECT_TRUE(wang["birthday"].is_null());
  std::string card = wang["card_number"];
  EXPECT_TRUE(core::IsValidCardNumber(card)) << card;
  EXPECT_EQ(card.rfind("8601", 0), 0u);
  int64_t wang_id = wang["id"];

  int64_t zhang_id = Register({{"phone", "+86 139 0000 8000"}, {"name", "张伟"}})["id"];  // same last 4
  int64_t us_id = Register({{"phone", "+1 (415) 555-0100"}, {"name", "Lily Wang"}})["id"];
  json plain = Register({{"phone", "13700001111"}, {"name", "8000 号读者"}});
  int64_t plain_id = plain["id"];

  using Ids = std::vector<int64_t>;
  EXPECT_EQ(FoundIds("q=%2B86%20138%200013%208000"), Ids{wang_id});  // +86 138 0013 8000
  EXPECT_EQ(FoundIds("q=13800138000"), Ids{wang_id});
  EXPECT_EQ(FoundIds("q=138-0013-8000"), Ids{wang_id});
  EXPECT_EQ(FoundIds("q=%2B8613800138000"), Ids{wang_id});
  EXPECT_EQ(FoundIds("q=14000000000"), Ids{}) << "a mobile-shaped number that is no valid number finds nobody";
  EXPECT_EQ(FoundIds("q=4155550100"), Ids{}) << "without +1 the number is read in CN, the default region";
  EXPECT_EQ(FoundIds("q=001%20415%20555%200100"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=%2B1%20(415)%20555-0100"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=8000"), (Ids{wang_id, zhang_id})) << "a number is not matched against names";
  EXPECT_EQ(FoundIds("q=8000%20%E5%8F%B7"), Ids{plain_id});  // "8000 号" is text: names match
  EXPECT_EQ(FoundIds("q=0100"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=" + card), Ids{wang_id});
  EXPECT_EQ(FoundIds("q=%E7%8E%8B%E8%8A%B3"), Ids{wang_id});  // 王芳
  EXPECT_EQ(FoundIds("q=%E5%BC%A0"), Ids{zhang_id});           // 张
  EXPECT_EQ(FoundIds("q=Wang"), Ids{us_id});
  EXPECT_EQ(FoundIds("q=9999"), Ids{});
  EXPECT_EQ(FoundIds("q=%25"), Ids{}) << "% is literal, not a wildcard";
  EXPECT_EQ(FoundIds("q=%27%20OR%201%3D1%20--"), Ids{});  // ' OR 1=1 --
  EXPECT_EQ(FoundIds("limit=200").size(), 5u);

  Reply got = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(wang_id));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json, wang);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/999999").status, 404);

  // A marketer finds members but does not register them.
  MakeStaff("zhou.min", "marketer", store_id_);
  Caller marketer = Login("zhou.min", "correct-horse-battery");
  EXPECT_EQ(Send(marketer, "GET", "/api/v1/members?q=8000").json["items"].size(), 2u);
  EXPECT_EQ(Send(marketer, "POST", "/api/v1/members", json{{"phone", "13500001111"}}).status, 403);
}

TEST_P(MemberApi, SearchPagesWithACursor) {
  for (int i = 0; i < 5; ++i) Register({{"phone", "1380000000" + std::to_string(i)}, {"name", "读者" + std::to_string(i)}});
  std::vector<std::string> names;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    Reply r = Send(cashier_, "GET", "/api/v1/members?limit=2&sort=-id" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& m : r.json["items"]) names.push_back(m["name"]);
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"读者4", "读者3", "读者2", "读者1", "读者0"}));
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members?sort=phone").status, 400);
}

TEST_P(MemberApi, APhoneIsRegisteredOnlyOnceInAnyForm) {
  Register({{"phone", "13800138000"}});
  int64_t members = CountRows("members"), audit = CountRows("audit_log");
  for (const char* form : {"13800138000", "+86 138 0013 8000", "138-0013-8000"}) {
    Reply dup = Send(cashier_, "POST", "/api/v1/members", json{{"phone", form}, {"name", "又一个"}});
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(dup.ErrorCode(), "conflict");
    EXPECT_EQ(dup.FieldError("phone"), "is already registered");
  }
  EXPECT_EQ(CountRows("members"), members);
  EXPECT_EQ(CountRows("audit_log"), audit);

  // Changing another member's phone to a taken one is refused too.
  int64_t other = Register({{"phone", "13900139000"}})["id"];
  Reply taken = Send(cashier_, "PATCH", "/api/v1/members/" + std::to_string(other), json{{"phone", "+8613800138000"}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.FieldError("phone"), "is already registered");
}

TEST_P(MemberApi, BadMemberInputIsRejectedWithFieldDetailsAndWritesNothing) {
  int64_t members = CountRows("members"), audit = CountRows("audit_log");
  json ok = {{"phone", "13800138000"}};
  struct Case { json patch; std::string field; };
  std::vector<Case> cases = {
      {{{"phone", "12345"}}, "phone"},
      {{{"phone", "+44 20 7946 095"}}, "phone"},
      {{{"phone", "12800138000"}}, "phone"},
      {{{"phone", ""}}, "phone"},
      {{{"phone", 13800138000LL}}, "phone"},
      {{{"email", "not-an-email"}}, "email"},
      {{{"email", "a@b"}}, "email"},
      {{{"email", "王@例子.中国"}}, "email"},
      {{{"birthday", "2026-02-30"}}, "birthday"},
      {{{"birthday", "1990-13-01"}}, "birthday"},
      {{{"birthday", "17/05/1990"}}, "birthday"},
      {{{"birthday", "2999-01-01"}}, "birthday"},
      {{{"gender", "unknown"}}, "gender"},
      {{{"gender", 1}}, "gender"},
      {{{"name", "tab\there"}}, "name"},
      {{{"consent_sms", "yes"}}, "consent_sms"},
      {{{"home_store_id", 9999}}, "home_store_id"},
      {{{"tier", "gold"}}, "tier"},
      {{{"points_balance", 1000}}, "points_balance"},
  };
  for (const auto& c : cases) {
    json body = ok;
    body.update(c.patch);
    Reply r = Send(cashier_, "POST", "/api/v1/members", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " → " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument");
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  Reply missing = Send(cashier_, "POST", "/api/v1/members", json{{"name", "无电话"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_FALSE(missing.FieldError("phone").empty());
  // Several bad fields are all listed at once.
  Reply several = Send(cashier_, "POST", "/api/v1/members",
                       json{{"phone", "123"}, {"email", "x"}, {"birthday", "2026-02-30"}, {"gender", "?"}});
  EXPECT_EQ(several.status, 400);
  for (const char* f : {"phone", "email", "birthday", "gender"}) EXPECT_FALSE(several.FieldError(f).empty()) << f;
  EXPECT_EQ(CountRows("members"), members);
  EXPECT_EQ(CountRows("audit_log"), audit);

  // The same rules hold for changes, and a refused change leaves the member as it was.
  json m = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"birthday", "1990-05-17"}});
  std::string path = "/api/v1/members/" + std::to_string(m["id"].get<int64_t>());
  for (const auto& c : cases) {
    if (c.field == "tier" || c.field == "points_balance") continue;
    Reply r = Send(cashier_, "PATCH", path, c.patch);
    EXPECT_EQ(r.status, 400) << c.patch.dump() << " → " << r.body;
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  EXPECT_EQ(Send(cashier_, "GET", path).json, m);
  EXPECT_EQ(Send(cashier_, "PATCH", "/api/v1/members/999999", json{{"name", "x"}}).status, 404);
}

TEST_P(MemberApi, ProfileChangesAndConsentRecordWhenAndWho) {
  json m = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"email", "wang@example.com"}, {"gender", "female"}});
  EXPECT_EQ(m["consent_email"], false);
  EXPECT_TRUE(m["consent_updated_at"].is_null());
  EXPECT_EQ(m["consent_source"], "");
  std::string path = "/api/v1/members/" + std::to_string(m["id"].get<int64_t>());

  Reply changed = Send(manager_, "PATCH", path,
                       json{{"consent_email", true}, {"birthday", "1990-05-17"}, {"email", nullptr}, {"notes", "喜欢推理小说\n周末来"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["consent_email"], true);
  EXPECT_EQ(changed.json["consent_sms"], false);
  EXPECT_EQ(changed.json["consent_source"], "staff:chen.jing");
  EXPECT_FALSE(changed.json["consent_updated_at"].is_null());
  EXPECT_EQ(changed.json["birthday"], "1990-05-17");
  EXPECT_TRUE(changed.json["email"].is_null());
  EXPECT_EQ(changed.json["notes"], "喜欢推理小说\n周末来");
  EXPECT_EQ(changed.json["name"], "王芳") << "fields not sent stay";
  EXPECT_EQ(changed.json["gender"], "female");

  // Sending the same consent again is not a change: the source stays the manager's.
  Reply same = Send(cashier_, "PATCH", path, json{{"consent_email", true}, {"phone", "139 0013 9000"}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.json["consent_source"], "staff:chen.jing");
  EXPECT_EQ(same.json["phone"], "+8613900139000");
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members?q=9000").json["items"].size(), 1u) << "last 4 follows the phone";
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members?q=8000").json["items"].size(), 0u);

  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=member.");
  ASSERT_EQ(audit.status, 200);
  std::vector<std::string> actions;
  for (const auto& e : audit.json["items"]) actions.push_back(e["action"]);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "member.update"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "member.register"), 1);
}

TEST_P(MemberApi, ManagersAdjustPointsAndTheLedgerShowsEachRowNewestFirst) {
  int64_t id = Register({{"phone", "13800138000"}, {"name", "王芳"}})["id"];
  std::string base = "/api/v1/members/" + std::to_string(id);
  Reply add = Adjust(manager_, id, 500, "开卡礼 welcome gift");
  ASSERT_EQ(add.status, 201) << add.body;
  EXPECT_EQ(add.json["balance"], 500);
  EXPECT_EQ(add.json["entry"]["kind"], "adjust");
  EXPECT_EQ(add.json["entry"]["points"], 500);
  EXPECT_EQ(add.json["entry"]["balance_after"], 500);
  EXPECT_EQ(add.json["entry"]["staff_id"], manager_id_);
  EXPECT_EQ(add.json["entry"]["staff_username"], "chen.jing");
  ASSERT_EQ(Adjust(manager_, id, -120, "补扣 duplicate receipt").status, 201);
  ASSERT_EQ(Adjust(owner_, id, 30, "店庆").status, 201);

  Reply ledger = Send(cashier_, "GET", base + "/points");
  ASSERT_EQ(ledger.status, 200) << ledger.body;
  EXPECT_EQ(ledger.json["balance"], 410);
  ASSERT_EQ(ledger.json["entries"].size(), 3u);
  std::vector<int64_t> points, after;
  for (const auto& e : ledger.json["entries"]) {
    points.push_back(e["points"]);
    after.push_back(e["balance_after"]);
  }
  EXPECT_EQ(points, (std::vector<int64_t>{30, -120, 500}));
  EXPECT_EQ(after, (std::vector<int64_t>{410, 380, 500}));
  EXPECT_EQ(ledger.json["entries"][1]["reason"], "补扣 duplicate receipt");
  EXPECT_TRUE(ledger.json["next_cursor"].is_null());
  EXPECT_EQ(Send(cashier_, "GET", base).json["points_balance"], 410);

  Reply first = Send(cashier_, "GET", base + "/points?limit=2");
  ASSERT_EQ(first.json["entries"].size(), 2u);
  ASSERT_TRUE(first.json["next_cursor"].is_string());
  Reply second = Send(cashier_, "GET", base + "/points?limit=2&cursor=" + first.json["next_cursor"].get<std::string>());
  ASSERT_EQ(second.json["entries"].size(), 1u);
  EXPECT_EQ(second.json["entries"][0]["points"], 500);

  auto [sum, balance] = LedgerSumAndBalance(id);
  EXPECT_EQ(sum, 410);
  EXPECT_EQ(balance, 410);

  Reply sv = Send(cashier_, "GET", base + "/stored-value");
  ASSERT_EQ(sv.status, 200);
  EXPECT_EQ(sv.json, (json{{"balance", 0}, {"entries", json::array()}, {"next_cursor", nullptr}}));
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/999999/points").status, 404);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/999999/stored-value").status, 404);
}

TEST_P(MemberApi, CashiersCannotAdjustAndNoAdjustmentGoesBelowZeroOrLacksAReason) {
  int64_t id = Register({{"phone", "13800138000"}})["id"];
  ASSERT_EQ(Adjust(manager_, id, 100, "opening balance").status, 201);
  Caller cashier_key = ApiKeyCaller("cashier");  // creating the key is audited: before counting
  int64_t ledger = CountRows("points_ledger"), audit = CountRows("audit_log");

  Reply cashier = Adjust(cashier_, id, 50, "I'd like to");
  EXPECT_EQ(cashier.status, 403);
  EXPECT_EQ(cashier.ErrorCode(), "permission_denied");
  EXPECT_EQ(Adjust(cashier_key, id, 50, "by key").status, 403);

  Reply below = Adjust(manager_, id, -101, "too much");
  EXPECT_EQ(below.status, 409) << below.body;
  EXPECT_NE(below.json["error"]["message"].get<std::string>().find("balance is 100"), std::string::npos) << below.body;
  EXPECT_FALSE(below.FieldError("points").empty());

  struct Case { json body; std::string field; };
  std::vector<Case> cases = {
      {{{"points", 10}}, "reason"},
      {{{"points", 10}, {"reason", ""}}, "reason"},
      {{{"points", 10}, {"reason", "   "}}, "reason"},
      {{{"points", 0}, {"reason", "nothing"}}, "points"},
      {{{"points", "10"}, {"reason", "text"}}, "points"},
      {{{"points", 1.5}, {"reason", "fraction"}}, "points"},
      {{{"points", 2000000000}, {"reason", "huge"}}, "points"},
      {{{"reason", "no points"}}, "points"},
      {{{"points", 10}, {"reason", "ok"}, {"kind", "earn"}}, "kind"},
  };
  std::string path = "/api/v1/members/" + std::to_string(id) + "/points/adjustments";
  for (const auto& c : cases) {
    Reply r = Send(manager_, "POST", path, c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " → " << r.body;
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  EXPECT_EQ(Adjust(manager_, 999999, 10, "nobody").status, 404);
  EXPECT_EQ(CountRows("points_ledger"), ledger);
  EXPECT_EQ(CountRows("audit_log"), audit);
  auto [sum, balance] = LedgerSumAndBalance(id);
  EXPECT_EQ(sum, 100);
  EXPECT_EQ(balance, 100);
  ASSERT_EQ(Adjust(manager_, id, -100, "to zero").status, 201) << "exactly zero is allowed";
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(id)).json["points_balance"], 0);
}

// Eight tills take 100 points each from a balance of 500 at the same moment, through the service
// on their own connections: exactly five succeed and the balance ends at zero, never below.
TEST_P(MemberApi, ConcurrentAdjustmentsNeverTakeTheBalanceBelowZero) {
  auto& ctx = app_->context();
  service::Actor manager;
  manager.kind = "staff";
  manager.id = manager_id_;
  manager.name = "chen.jing";
  manager.role = core::Role::kManager;
  for (int round = 0; round < 3; ++round) {
    int64_t id = Register({{"phone", "1380013800" + std::to_string(round)}})["id"];
    ASSERT_TRUE(service::AdjustPoints(ctx, manager, id, 500, "opening balance").ok());
    std::atomic<int> ok{0}, refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> tills;
    for (int t = 0; t < 8; ++t)
      tills.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto r = service::AdjustPoints(ctx, manager, id, -100, "redeem at till " + std::to_string(t));
        if (r.ok()) ++ok;
        else if (r.status().code() == Code::kConflict) ++refused;
        else ++other;
      });
    go = true;
    for (auto& t : tills) t.join();
    EXPECT_EQ(ok.load(), 5);
    EXPECT_EQ(refused.load(), 3);
    EXPECT_EQ(other.load(), 0);
    auto [sum, balance] = LedgerSumAndBalance(id);
    EXPECT_EQ(balance, 0);
    EXPECT_EQ(sum, balance);
    Reply ledger = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(id) + "/points");
    ASSERT_EQ(ledger.json["entries"].size(), 6u);
    int64_t expect_after = 0;  // newest first: each row's balance_after is the previous row's plus its points
    for (const auto& e : ledger.json["entries"]) {
      EXPECT_EQ(e["balance_after"], expect_after);
      expect_after -= e["points"].get<int64_t>();
    }
    EXPECT_EQ(expect_after, 0);
  }
}

// Free-text fields keep Chinese text and SQL metacharacters exactly; constrained fields refuse
// them with a field error and nothing written.
TEST_P(MemberApi, EveryStringFieldTakesChineseAndMetacharactersOrRefusesThemCleanly) {
  const std::vector<std::string> nasty = {"书友 · 王小明", "'; DROP TABLE members; --", "\" OR 1=1 --", "%_!\\",
                                          "混合 mixed ' \""};
  int n = 0;
  for (const auto& text : nasty) {
    std::string phone = "1380000000" + std::to_string(n++);
    json body = {{"phone", phone}, {"name", text}, {"notes", text}, {"email", "o'brien+" + std::to_string(n) + "@example.com"}};
    Reply r = Send(cashier_, "POST", "/api/v1/members", body);
    ASSERT_EQ(r.status, 201) << text << " → " << r.body;
    int64_t id = r.json["id"];
    std::string path = "/api/v1/members/" + std::to_string(id);
    Reply got = Send(cashier_, "GET", path);
    EXPECT_EQ(got.json["name"], text);
    EXPECT_EQ(got.json["notes"], text);
    EXPECT_EQ(got.json["email"], body["email"]);
    Reply found = Send(cashier_, "GET", "/api/v1/members?q=" + [&] {
      std::string enc;
      for (unsigned char c : text) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        enc += buf;
      }
      return enc;
    }());
    ASSERT_EQ(found.status, 200);
    ASSERT_EQ(found.json["items"].size(), 1u) << text;
    EXPECT_EQ(found.json["items"][0]["id"], id);

    Reply patched = Send(manager_, "PATCH", path, json{{"name", text + "2"}, {"notes", "备注 " + text}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json["name"], text + "2");
    EXPECT_EQ(patched.json["notes"], "备注 " + text);
    Reply adj = Adjust(manager_, id, 7, text);
    ASSERT_EQ(adj.status, 201) << adj.body;
    EXPECT_EQ(Send(cashier_, "GET", path + "/points").json["entries"][0]["reason"], text);

    int64_t members = CountRows("members");
    for (const char* f : {"phone", "email", "birthday", "gender"}) {
      json bad = {{"phone", "13900000000"}};
      bad[f] = text;
      Reply refused = Send(cashier_, "POST", "/api/v1/members", bad);
      EXPECT_EQ(refused.status, 400) << f << "=" << text;
      EXPECT_FALSE(refused.FieldError(f).empty()) << f;
    }
    EXPECT_EQ(CountRows("members"), members);
  }
}

SHUYOU_INSTANTIATE_FOR_ENGINES(MemberApi);

}  // namespace
}  // namespace shuyou::test
