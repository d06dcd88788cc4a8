// Privacy through the HTTP API on both engines: the consent history written by registration and
// profile changes, the member data export, and erasure, checked by searching every column of
// every table for the erased member's phone, name, e-mail and card number afterwards.
#include <algorithm>

#include "service/check.h"
#include "service/demo_members.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class PrivacyApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("zhou.yu", "marketer", store_id_);
    marketer_ = Login("zhou.yu", "correct-horse-battery");
  }

  int64_t Register(const json& body) {
    Reply r = Send(cashier_, "POST", "/api/v1/members", body);
    EXPECT_EQ(r.status, 201) << body.dump() << " → " << r.body;
    return r.json.value("id", int64_t{0});
  }

  static std::string Path(int64_t id, const std::string& rest = "") { return "/api/v1/members/" + std::to_string(id) + rest; }

  void Exec(const std::string& sql, const std::vector<store::Value>& params) {
    Status st = db_->Write([&](store::Tx& tx) { return tx.Exec(sql, params).status(); });
    ASSERT_TRUE(st.ok()) << sql << ": " << st.message();
  }

  // Every "table.column" in the database whose value, as text, contains `needle`.
  std::vector<std::string> PlacesHolding(const std::string& needle) {
    std::vector<std::string> found;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      std::vector<std::pair<std::string, std::string>> columns;
      if (tx.engine() == store::Engine::kSqlite) {
        SY_ASSIGN_OR_RETURN(auto tables, tx.Exec("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"));
        for (const auto& t : tables.rows) {
          SY_ASSIGN_OR_RETURN(auto cols, tx.Exec("SELECT name FROM pragma_table_info(?)", {t.Text(0)}));
          for (const auto& c : cols.rows) columns.emplace_back(t.Text(0), c.Text(0));
        }
      } else {
        SY_ASSIGN_OR_RETURN(auto cols, tx.Exec("SELECT table_name, column_name FROM information_schema.columns "
                                               "WHERE table_schema = current_schema() ORDER BY table_name, column_name"));
        for (const auto& c : cols.rows) columns.emplace_back(c.Text(0), c.Text(1));
      }
      EXPECT_GT(columns.size(), 50u) << "the search must see the whole schema";
      for (const auto& [table, column] : columns) {
        SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM " + table + " WHERE CAST(" + column +
                                                " AS TEXT) LIKE ?",
                                            {"%" + needle + "%"}));
        if (n[0].Int(0) > 0) found.push_back(table + "." + column);
      }
      std::sort(found.begin(), found.end());
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return found;
  }

  std::vector<int64_t> FoundIds(const std::string& q) {
    Reply r = Send(cashier_, "GET", "/api/v1/members?q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    for (const auto& m : r.json["items"]) ids.push_back(m["id"].get<int64_t>());
    return ids;
  }

  Caller manager_, cashier_, marketer_;
};

TEST_P(PrivacyApi, EveryConsentChangeIsKeptWithTimeSourceAndNote) {
  int64_t id = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"consent_email", true}, {"consent_sms", false},
                         {"consent_note", "paper form"}});
  int64_t quiet = Register({{"phone", "13900139000"}});  // no consent given: nothing to record

  Reply h = Send(marketer_, "GET", Path(id, "/consents"));
  ASSERT_EQ(h.status, 200) << h.body;
  ASSERT_EQ(h.json["items"].size(), 2u);
  for (const auto& c : h.json["items"]) {
    EXPECT_EQ(c["source"], "staff:li.ming");
    EXPECT_EQ(c["note"], "paper form");
    EXPECT_EQ(c["granted"], c["channel"] == "email");
  }
  EXPECT_EQ(Send(owner_, "GET", Path(quiet, "/consents")).json["items"].size(), 0u);

  clock_offset_ms_ += 60'000;
  Reply u = Send(manager_, "PATCH", Path(id), json{{"consent_sms", true}, {"consent_note", "verbal at till"}});
  ASSERT_EQ(u.status, 200) << u.body;
  // Sending the same values again is no change and adds nothing.
  ASSERT_EQ(Send(manager_, "PATCH", Path(id), json{{"consent_sms", true}, {"consent_email", true}}).status, 200);
  clock_offset_ms_ += 60'000;
  ASSERT_EQ(Send(cashier_, "PATCH", Path(id), json{{"consent_email", false}}).status, 200);

  h = Send(manager_, "GET", Path(id, "/consents"));
  ASSERT_EQ(h.status, 200) << h.body;
  const auto& items = h.json["items"];
  ASSERT_EQ(items.size(), 4u) << h.body;
  EXPECT_EQ(items[0]["channel"], "email");
  EXPECT_EQ(items[0]["granted"], false);
  EXPECT_EQ(items[0]["source"], "staff:li.ming");
  EXPECT_EQ(items[0]["note"], "");
  EXPECT_EQ(items[1]["channel"], "sms");
  EXPECT_EQ(items[1]["granted"], true);
  EXPECT_EQ(items[1]["source"], "staff:chen.jing");
  EXPECT_EQ(items[1]["note"], "verbal at till");
  EXPECT_GT(items[0]["at"].get<std::string>(), items[1]["at"].get<std::string>());
  EXPECT_GT(items[1]["at"].get<std::string>(), items[2]["at"].get<std::string>());
  EXPECT_GT(items[0]["id"].get<int64_t>(), items[1]["id"].get<int64_t>()) << "newest first";
  // The newest row per channel is the member's current consent.
  Reply m = Send(owner_, "GET", Path(id));
  EXPECT_EQ(m.json["consent_email"], false);
  EXPECT_EQ(m.json["consent_sms"], true);
  EXPECT_EQ(m.json["consent_updated_at"], items[0]["at"]);

  // Pages with a cursor.
  Reply p1 = Send(owner_, "GET", Path(id, "/consents?limit=3"));
  ASSERT_EQ(p1.json["items"].size(), 3u);
  ASSERT_TRUE(p1.json["next_cursor"].is_string());
  Reply p2 = Send(owner_, "GET", Path(id, "/consents?limit=3&cursor=" + p1.json["next_cursor"].get<std::string>()));
  ASSERT_EQ(p2.status, 200) << p2.body;
  ASSERT_EQ(p2.json["items"].size(), 1u);
  EXPECT_EQ(p2.json["items"][0]["id"], items[3]["id"]);
  EXPECT_TRUE(p2.json["next_cursor"].is_null());
}

// The newest history row of each channel is the member's current consent, for members made by
// the API and by the demo generator alike; a member never given a consent has no rows.
TEST_P(PrivacyApi, TheNewestConsentRowOfEveryChannelIsTheCurrentConsent) {
  int64_t id = Register({{"phone", "13800138000"}, {"consent_email", true}});
  ASSERT_EQ(Send(manager_, "PATCH", Path(id), json{{"consent_email", false}, {"consent_sms", true}}).status, 200);
  auto made = service::GenerateDemoMembers(app_->context(), 300, 7, store_id_);
  ASSERT_TRUE(made.ok()) << made.status().message();
  Status st = db_->Read([&](store::Tx& tx) -> Status {
    for (const char* channel : {"email", "sms"}) {
      std::string c = channel;
      SY_ASSIGN_OR_RETURN(auto wrong, tx.Exec(
          "SELECT COUNT(*) FROM members m WHERE m.consent_" + c + " <> COALESCE((SELECT h.granted FROM member_consents h "
          "WHERE h.member_id = m.id AND h.channel = ? ORDER BY h.id DESC LIMIT 1), 0)", {c}));
      EXPECT_EQ(wrong[0].Int(0), 0) << channel;
      SY_ASSIGN_OR_RETURN(auto orphans, tx.Exec(
          "SELECT COUNT(*) FROM members m WHERE m.consent_updated_at IS NULL AND EXISTS "
          "(SELECT 1 FROM member_consents h WHERE h.member_id = m.id)"));
      EXPECT_EQ(orphans[0].Int(0), 0);
    }
    SY_ASSIGN_OR_RETURN(auto given, tx.Exec("SELECT COUNT(*) FROM members WHERE consent_updated_at IS NOT NULL"));
    EXPECT_GT(given[0].Int(0), 100) << "the demo has a consent mix";
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_P(PrivacyApi, ConsentInputAndRolesAreChecked) {
  int64_t id = Register({{"phone", "13800138000"}});
  int64_t before = CountRows("member_consents");
  Reply bad = Send(cashier_, "PATCH", Path(id), json{{"consent_sms", true}, {"consent_note", std::string(201, 'x')}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.FieldError("consent_note"), "");
  bad = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13900139000"}, {"consent_sms", true}, {"consent_note", 5}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("consent_note"), "");
  EXPECT_EQ(CountRows("member_consents"), before) << "nothing half-written";
  EXPECT_EQ(Send(owner_, "GET", Path(id)).json["consent_sms"], false);

  EXPECT_EQ(Send(cashier_, "GET", Path(id, "/consents")).status, 403);
  EXPECT_EQ(Send(ApiKeyCaller("cashier"), "GET", Path(id, "/consents")).status, 403);
  EXPECT_EQ(Send(ApiKeyCaller("marketer"), "GET", Path(id, "/consents")).status, 200);
  EXPECT_EQ(Send(owner_, "GET", Path(999999, "/consents")).status, 404);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/members/abc/consents").status, 404);
  EXPECT_EQ(Send(owner_, "GET", Path(id, "/consents?limit=0")).status, 400);
}

TEST_P(PrivacyApi, ExportHoldsEverythingAboutTheMemberAndIsAudited) {
  int64_t id = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"email", "wang.fang@example.com"},
                         {"birthday", "1990-05-17"}, {"gender", "female"}, {"consent_email", true},
                         {"notes", "likes poetry"}});
  int64_t other = Register({{"phone", "13900139000"}, {"name", "李雷"}});
  ASSERT_EQ(Send(manager_, "PATCH", Path(id), json{{"consent_sms", true}, {"consent_note", "verbal at till"}}).status, 200);
  ASSERT_EQ(Send(manager_, "POST", Path(id, "/points/adjustments"), json{{"points", 300}, {"reason", "开业礼"}}).status, 201);
  ASSERT_EQ(Send(manager_, "POST", Path(id, "/points/adjustments"), json{{"points", -120}, {"reason", "兑换"}}).status, 201);
  ASSERT_EQ(Send(manager_, "POST", Path(other, "/points/adjustments"), json{{"points", 7}, {"reason", "not hers"}}).status, 201);
  Exec("INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after, reason) VALUES (?, 1, 'topup', 50000, 50000, 'top-up')",
       {id});
  Exec("UPDATE members SET stored_value_balance = 50000 WHERE id = ?", {id});

  Reply r = Send(manager_, "GET", Path(id, "/export"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Disposition"), "attachment; filename=\"member-" + std::to_string(id) + "-export.json\"");
  const json& d = r.json;
  EXPECT_EQ(d["format"], "shuyou.member-export");
  EXPECT_EQ(d["member_id"], id);
  EXPECT_EQ(d["exported_by"], "staff:chen.jing");
  EXPECT_EQ(d["profile"]["phone"], "+8613800138000");
  EXPECT_EQ(d["profile"]["name"], "王芳");
  EXPECT_EQ(d["profile"]["email"], "wang.fang@example.com");
  EXPECT_EQ(d["profile"]["birthday"], "1990-05-17");
  EXPECT_EQ(d["profile"]["gender"], "female");
  EXPECT_EQ(d["profile"]["notes"], "likes poetry");
  EXPECT_EQ(d["profile"]["consent_sms"], true);
  EXPECT_EQ(d["profile"]["points_balance"], 180);
  EXPECT_TRUE(d["profile"]["erased_at"].is_null());
  EXPECT_EQ(d["profile"]["created_at"].get<std::string>().size(), 24u) << "times as ISO-8601";

  ASSERT_EQ(d["consents"].size(), 2u);
  EXPECT_EQ(d["consents"][0]["channel"], "email");
  EXPECT_EQ(d["consents"][1]["note"], "verbal at till");

  ASSERT_EQ(d["points_ledger"].size(), 2u) << "only this member's rows";
  int64_t sum = 0;
  for (const auto& e : d["points_ledger"]) sum += e["points"].get<int64_t>();
  EXPECT_EQ(sum, 180);
  EXPECT_EQ(d["points_ledger"][0]["reason"], "开业礼");
  ASSERT_EQ(d["stored_value_ledger"].size(), 1u);
  EXPECT_EQ(d["stored_value_ledger"][0]["amount"], 50000);

  std::vector<std::string> actions;
  for (const auto& a : d["audit"]) actions.push_back(a["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"member.register", "member.update", "member.points.adjust",
                                               "member.points.adjust"}));
  EXPECT_EQ(d["audit"][2]["details"]["reason"], "开业礼") << "details as JSON";

  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=member.export");
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json["items"].size(), 1u) << audit.body;
  EXPECT_EQ(audit.json["items"][0]["target"], "member:" + std::to_string(id));
  EXPECT_EQ(audit.json["items"][0]["actor_name"], "chen.jing");

  EXPECT_EQ(Send(owner_, "GET", Path(id, "/export")).status, 200);
  EXPECT_EQ(Send(cashier_, "GET", Path(id, "/export")).status, 403);
  EXPECT_EQ(Send(marketer_, "GET", Path(id, "/export")).status, 403);
  EXPECT_EQ(Send(ApiKeyCaller("manager"), "GET", Path(id, "/export")).status, 200);
  EXPECT_EQ(Send(owner_, "GET", Path(999999, "/export")).status, 404);
}

TEST_P(PrivacyApi, ErasureRemovesThePersonEverywhereAndKeepsTheMoney) {
  const std::string name = "司马相如", email = "sima.xiangru@example.com";
  int64_t id = Register({{"phone", "139 1234 5678"}, {"name", name}, {"email", email}, {"birthday", "1985-02-03"},
                         {"gender", "male"}, {"consent_email", true}, {"consent_sms", true}, {"notes", "VIP, 139-1234-5678"}});
  int64_t namesake = Register({{"phone", "13800138000"}, {"name", name}});
  std::string card = Send(owner_, "GET", Path(id)).json["card_number"];
  ASSERT_EQ(Send(manager_, "PATCH", Path(id), json{{"name", name}, {"consent_sms", false}, {"consent_note", "asked by " + name}}).status, 200);
  ASSERT_EQ(Send(manager_, "POST", Path(id, "/points/adjustments"), json{{"points", 500}, {"reason", "gift for " + name + ", 13912345678"}}).status, 201);
  ASSERT_EQ(Send(manager_, "POST", Path(id, "/points/adjustments"), json{{"points", -200}, {"reason", "redeemed"}}).status, 201);
  ASSERT_EQ(Send(manager_, "POST", Path(namesake, "/points/adjustments"), json{{"points", 10}, {"reason", "gift for " + name}}).status, 201);
  Exec("INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after, reason) VALUES (?, 1, 'topup', 20000, 20000, ?)",
       {id, "top-up by " + email + ", tel 139-1234-5678"});
  Exec("UPDATE members SET stored_value_balance = 20000 WHERE id = ?", {id});
  // Copies of the member's data elsewhere: a stored idempotent answer and an audit entry under
  // another member (as a merge would write).
  Exec("INSERT INTO idempotency_keys (scope, key, fingerprint, response, created_at) VALUES ('topup', 'k1', 'f', ?, 1)",
       {json{{"member", {{"phone", "+8613912345678"}, {"name", name}, {"card_number", card}}}, {"amount", 20000}}.dump()});
  Exec("INSERT INTO audit_log (at, actor_kind, actor_name, action, target, details) VALUES (1, 'system', '', 'member.merge', ?, ?)",
       {"member:" + std::to_string(namesake), json{{"merged", {{"phone", "+8613912345678"}, {"email", email}}}}.dump()});
  ASSERT_FALSE(PlacesHolding("13912345678").empty()) << "the search finds what is there";

  Reply e = Send(owner_, "POST", Path(id, "/erase"), json{{"reason", name + " asked on the phone (13912345678)"}});
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json["member_id"], id);
  EXPECT_EQ(e.json["consents_withdrawn"], 1) << "only e-mail was still granted";
  EXPECT_GE(e.json["rows_scrubbed"].get<int64_t>(), 5);

  // "VIP, " rather than "VIP": SQLite's LIKE ignores case, and a random session token held "vIp".
  for (const std::string& needle : {std::string("13912345678"), std::string("1234-5678"), email, card,
                                    std::string("1985-02-03"), std::string("VIP, ")})
    EXPECT_EQ(PlacesHolding(needle), std::vector<std::string>{}) << needle;
  // The name is left only where it belongs to the namesake, another person, and stays there.
  EXPECT_EQ(PlacesHolding(name), (std::vector<std::string>{"audit_log.details", "members.name", "points_ledger.reason"}));
  Status rows_of_others = db_->Read([&](store::Tx& tx) -> Status {
    std::string like = "%" + name + "%", target = "member:" + std::to_string(namesake);
    SY_ASSIGN_OR_RETURN(auto a, tx.Exec("SELECT COUNT(*) FROM audit_log WHERE details LIKE ? AND target <> ?", {like, target}));
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT COUNT(*) FROM members WHERE name LIKE ? AND id <> ?", {like, namesake}));
    SY_ASSIGN_OR_RETURN(auto p, tx.Exec("SELECT COUNT(*) FROM points_ledger WHERE reason LIKE ? AND member_id <> ?", {like, namesake}));
    EXPECT_EQ(a[0].Int(0) + m[0].Int(0) + p[0].Int(0), 0);
    return Status::Ok();
  });
  EXPECT_TRUE(rows_of_others.ok()) << rows_of_others.message();
  EXPECT_EQ(Send(owner_, "GET", Path(namesake)).json["name"], name);
  EXPECT_EQ(Send(owner_, "GET", Path(namesake, "/points")).json["entries"][0]["reason"], "gift for " + name);

  Reply m = Send(owner_, "GET", Path(id));
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.json["name"], "");
  EXPECT_EQ(m.json["phone"], "erased:" + std::to_string(id));
  EXPECT_EQ(m.json["card_number"], "erased:" + std::to_string(id));
  EXPECT_TRUE(m.json["email"].is_null());
  EXPECT_TRUE(m.json["birthday"].is_null());
  EXPECT_TRUE(m.json["gender"].is_null());
  EXPECT_EQ(m.json["notes"], "");
  EXPECT_EQ(m.json["consent_email"], false);
  EXPECT_EQ(m.json["consent_sms"], false);
  EXPECT_EQ(m.json["erased_at"], e.json["erased_at"]);
  EXPECT_EQ(m.json["points_balance"], 300) << "balances stay";
  EXPECT_EQ(m.json["stored_value_balance"], 20000);

  // Not findable by any old key; left out of lists.
  EXPECT_TRUE(FoundIds("13912345678").empty());
  EXPECT_TRUE(FoundIds("5678").empty());
  EXPECT_TRUE(FoundIds(card).empty());
  EXPECT_EQ(FoundIds("%E5%8F%B8%E9%A9%AC"), std::vector<int64_t>{namesake});  // 司马
  EXPECT_EQ(FoundIds("erased").size(), 0u);
  EXPECT_EQ(FoundIds("").size(), 1u);
  // The placeholder phone can never be registered and the old number is free again.
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/members", json{{"phone", "erased:" + std::to_string(id)}}).status, 400);
  EXPECT_NE(Register({{"phone", "13912345678"}}), id);

  // Ledgers keep every row and still add up; the reasons lost only the personal data.
  Reply pts = Send(owner_, "GET", Path(id, "/points"));
  ASSERT_EQ(pts.json["entries"].size(), 2u);
  EXPECT_EQ(pts.json["entries"][1]["reason"], "gift for [erased], [erased]");
  auto mismatches = service::CheckInvariants(app_->context());
  ASSERT_TRUE(mismatches.ok());
  EXPECT_TRUE(mismatches->empty());

  // The consent history shows the withdrawal; its notes lost the name.
  Reply h = Send(owner_, "GET", Path(id, "/consents"));
  EXPECT_EQ(h.json["items"][0]["channel"], "email");
  EXPECT_EQ(h.json["items"][0]["granted"], false);
  EXPECT_EQ(h.json["items"][0]["source"], "staff:owner");
  EXPECT_EQ(h.json["items"][1]["note"], "asked by [erased]");

  // The erasure's audit entry: who and why, without the erased data.
  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=member.erase");
  ASSERT_EQ(audit.json["items"].size(), 1u);
  EXPECT_EQ(audit.json["items"][0]["actor_name"], "owner");
  const json& details = audit.json["items"][0]["details"];
  EXPECT_EQ(details["reason"], "[erased] asked on the phone ([erased])");
  // Scrubbed JSON stays JSON.
  Status st = db_->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT details FROM audit_log"));
    for (const auto& r : rows.rows) EXPECT_FALSE(json::parse(r.Text(0), nullptr, false).is_discarded()) << r.Text(0);
    SY_ASSIGN_OR_RETURN(auto idem, tx.Exec("SELECT response FROM idempotency_keys"));
    EXPECT_EQ(json::parse(idem[0].Text(0))["amount"], 20000);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();

  // Nothing personal can come back: no change, no export, no second erasure.
  Reply again = Send(owner_, "POST", Path(id, "/erase"), json{{"reason", "twice"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.FieldError("member"), "erased");
  Reply patch = Send(manager_, "PATCH", Path(id), json{{"name", "Back again"}});
  EXPECT_EQ(patch.status, 409);
  EXPECT_EQ(patch.FieldError("member"), "erased");
  EXPECT_EQ(Send(manager_, "GET", Path(id, "/export")).status, 409);
  EXPECT_EQ(Send(owner_, "GET", Path(id)).json["name"], "");
}

TEST_P(PrivacyApi, ErasureNeedsTheOwnerAndAReasonAndWritesNothingOtherwise) {
  int64_t id = Register({{"phone", "13800138000"}, {"name", "王芳"}, {"consent_sms", true}});
  Caller manager_key = ApiKeyCaller("manager"), owner_key = ApiKeyCaller("owner");
  int64_t audits = CountRows("audit_log"), consents = CountRows("member_consents");
  for (const Caller& who : {manager_, cashier_, marketer_})
    EXPECT_EQ(Send(who, "POST", Path(id, "/erase"), json{{"reason", "asked"}}).status, 403);
  EXPECT_EQ(Send(manager_key, "POST", Path(id, "/erase"), json{{"reason", "asked"}}).status, 403);

  struct Bad {
    json body;
    std::string field;
  };
  for (const auto& [body, field] : std::vector<Bad>{{json::object(), "reason"},
                                                    {{{"reason", ""}}, "reason"},
                                                    {{{"reason", "   "}}, "reason"},
                                                    {{{"reason", 42}}, "reason"},
                                                    {{{"reason", std::string(501, 'x')}}, "reason"},
                                                    {{{"reason", "ok"}, {"also", 1}}, "also"}}) {
    Reply r = Send(owner_, "POST", Path(id, "/erase"), body);
    EXPECT_EQ(r.status, 400) << body.dump() << " → " << r.body;
    EXPECT_NE(r.FieldError(field), "") << body.dump() << " → " << r.body;
  }
  EXPECT_EQ(SendRaw(owner_, "POST", Path(id, "/erase"), "{not json").status, 400);
  EXPECT_EQ(Send(owner_, "POST", Path(999999, "/erase"), json{{"reason", "asked"}}).status, 404);

  EXPECT_EQ(CountRows("audit_log"), audits);
  EXPECT_EQ(CountRows("member_consents"), consents);
  Reply m = Send(owner_, "GET", Path(id));
  EXPECT_EQ(m.json["name"], "王芳");
  EXPECT_EQ(m.json["phone"], "+8613800138000");
  EXPECT_TRUE(m.json["erased_at"].is_null());
  EXPECT_EQ(FoundIds("13800138000"), std::vector<int64_t>{id});

  EXPECT_EQ(Send(owner_key, "POST", Path(id, "/erase"), json{{"reason", "asked"}}).status, 200);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(PrivacyApi);

}  // namespace
}  // namespace shuyou::test
