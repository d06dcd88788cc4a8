// The loyalty program through the HTTP API on both engines: the default every role can read,
// owner-only saves as numbered, audited versions, strict validation with field paths that
// writes nothing, and previews whose numbers are worked out by hand in the comments.
#include <functional>

#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

// A program with every kind of rule (names in Chinese, as a bookstore would write them).
json SampleProgram() {
  return json::parse(R"({
    "base_rate": {"points": 1, "per_amount": 100, "currency": "CNY"},
    "rounding": "down",
    "genres": [{"genre": "漫画", "percent": 200}, {"genre": "教材", "percent": 0}],
    "tiers": [
      {"name": "regular", "min_spend": null, "min_visits": null, "need_both": false,
       "discount_percent": 0, "points_percent": 100},
      {"name": "silver", "min_spend": 200000, "min_visits": 10, "need_both": false,
       "discount_percent": 5, "points_percent": 120},
      {"name": "gold", "min_spend": 500000, "min_visits": 25, "need_both": true,
       "discount_percent": 10, "points_percent": 150}],
    "events": [{"name": "会员日", "first": "2026-01-01", "last": "2026-12-31", "weekday": "tue",
                "percent": 200},
               {"name": "国庆", "first": "2026-10-01", "last": "2026-10-07", "weekday": null,
                "percent": 300}],
    "birthday_month_percent": 150,
    "sign_up_bonus": 100,
    "first_purchase_bonus": 50,
    "points_expiry_months": 24,
    "tier_downgrade_grace_days": 60,
    "top_up_bonuses": [{"min_top_up": 50000, "bonus": 5000}, {"min_top_up": 100000, "bonus": 12000}]
  })");
}

// The program fields of a GET or PUT answer, without version, updated_at and updated_by.
json WithoutMeta(json j) {
  j.erase("version");
  j.erase("updated_at");
  j.erase("updated_by");
  return j;
}

class LoyaltyApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  Reply Put(const Caller& who, const json& body) { return Send(who, "PUT", "/api/v1/loyalty/program", body); }
  Reply Preview(const Caller& who, const json& body) { return Send(who, "POST", "/api/v1/loyalty/preview", body); }
  int64_t Version() { return Send(cashier_, "GET", "/api/v1/loyalty/program").json["version"].get<int64_t>(); }

  // The versions named by the loyalty audit rows, oldest first.
  std::vector<int64_t> AuditedVersions() {
    std::vector<int64_t> out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT target, details, actor_name FROM audit_log "
                                             "WHERE action = 'loyalty.program.update' ORDER BY id"));
      for (const auto& r : rows.rows) {
        json details = json::parse(r.Text(1));
        int64_t v = details["version"];
        EXPECT_EQ(r.Text(0), "loyalty_program:" + std::to_string(v));
        EXPECT_EQ(details["previous_version"], v - 1);
        EXPECT_EQ(r.Text(2), "owner");
        out.push_back(v);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  Caller manager_, cashier_;
};

TEST_P(LoyaltyApi, TheDefaultProgramIsReadableByACashierBeforeAnySave) {
  Reply r = Send(cashier_, "GET", "/api/v1/loyalty/program");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& p = r.json;
  EXPECT_EQ(p["version"], 0);
  EXPECT_TRUE(p["updated_at"].is_null());
  EXPECT_EQ(p["updated_by"], "");
  EXPECT_EQ(p["base_rate"], json::parse(R"({"points": 1, "per_amount": 100, "currency": "CNY"})"));
  EXPECT_EQ(p["rounding"], "down");
  ASSERT_EQ(p["tiers"].size(), 3u);
  EXPECT_EQ(p["tiers"][0]["name"], "regular");
  EXPECT_TRUE(p["tiers"][0]["min_spend"].is_null());
  EXPECT_EQ(p["tiers"][1]["name"], "silver");
  EXPECT_EQ(p["tiers"][1]["min_spend"], 200000);
  EXPECT_EQ(p["tiers"][2]["name"], "gold");
  EXPECT_EQ(p["tiers"][2]["min_spend"], 500000);
  EXPECT_EQ(p["points_expiry_months"], 12);
  EXPECT_EQ(p["tier_downgrade_grace_days"], 30);
  EXPECT_EQ(p["genres"], json::array());
  EXPECT_EQ(p["events"], json::array());
  EXPECT_EQ(p["top_up_bonuses"], json::array());
  // Every role reads it; the default is a valid program that an owner can save unchanged.
  EXPECT_EQ(Send(manager_, "GET", "/api/v1/loyalty/program").json, p);
  EXPECT_EQ(Send(ApiKeyCaller("marketer"), "GET", "/api/v1/loyalty/program").json, p);
  Reply saved = Put(owner_, p);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json["version"], 1);
  EXPECT_EQ(WithoutMeta(saved.json), WithoutMeta(p));
}

TEST_P(LoyaltyApi, OwnerSavesVersionsThatRoundTripAndAreAudited) {
  json program = SampleProgram();
  Reply first = Put(owner_, program);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["version"], 1);
  EXPECT_EQ(first.json["updated_by"], "staff:owner");
  EXPECT_FALSE(first.json["updated_at"].is_null());
  EXPECT_EQ(WithoutMeta(first.json), program);

  Reply got = Send(cashier_, "GET", "/api/v1/loyalty/program");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json, first.json);
  EXPECT_EQ(got.json["events"][0]["name"], "会员日");
  EXPECT_EQ(got.json["genres"][0]["genre"], "漫画");

  // A GET answer can be edited and sent back as it is, version included.
  json edited = got.json;
  edited["events"][1]["name"] = "国庆黄金周";
  edited["tiers"][2]["need_both"] = false;
  Reply second = Put(owner_, edited);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json["version"], 2);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/loyalty/program").json["events"][1]["name"], "国庆黄金周");

  // Sending back an old version means someone else saved meanwhile: refused, nothing written.
  Reply stale = Put(owner_, got.json);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_FALSE(stale.FieldError("version").empty());
  EXPECT_EQ(Version(), 2);

  // An API key with the owner role saves too; without "version" there is no check.
  Reply third = Put(ApiKeyCaller("owner"), program);
  ASSERT_EQ(third.status, 200) << third.body;
  EXPECT_EQ(third.json["version"], 3);
  EXPECT_EQ(third.json["updated_by"].get<std::string>().rfind("api_key:", 0), 0u);

  // Every version stays on record.
  EXPECT_EQ(CountRows("loyalty_programs"), 3);
  std::vector<int64_t> audited;
  Status st = db_->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT details FROM audit_log WHERE action = 'loyalty.program.update' ORDER BY id"));
    for (const auto& r : rows.rows) audited.push_back(json::parse(r.Text(0))["version"].get<int64_t>());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(audited, (std::vector<int64_t>{1, 2, 3}));
}

TEST_P(LoyaltyApi, OnlyOwnersChangeTheProgram) {
  for (const Caller& who : {manager_, cashier_, ApiKeyCaller("manager"), ApiKeyCaller("marketer")}) {
    Reply r = Put(who, SampleProgram());
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.ErrorCode(), "permission_denied");
  }
  EXPECT_EQ(CountRows("loyalty_programs"), 0);
  EXPECT_EQ(Version(), 0);
}

TEST_P(LoyaltyApi, InvalidProgramsAreRefusedWithFieldPathsAndChangeNothing) {
  ASSERT_EQ(Put(owner_, SampleProgram()).status, 200);
  std::vector<int64_t> audited_before = AuditedVersions();
  int64_t audit_rows = CountRows("audit_log");
  struct Case {
    std::string field;
    std::function<void(json&)> change;
  };
  std::vector<Case> cases = {
      {"base_rate.points", [](json& p) { p["base_rate"]["points"] = -1; }},
      {"base_rate.per_amount", [](json& p) { p["base_rate"]["per_amount"] = 0; }},
      {"base_rate.currency", [](json& p) { p["base_rate"]["currency"] = "XYZ"; }},
      {"rounding", [](json& p) { p["rounding"] = "nearest"; }},
      {"tiers[2].min_spend", [](json& p) { p["tiers"][2]["min_spend"] = 100000; }},  // below silver's 200000
      {"tiers[2].min_visits", [](json& p) { p["tiers"][2]["min_visits"] = 10; }},    // equal to silver's
      {"tiers[1].min_spend", [](json& p) { p["tiers"][1]["min_spend"] = -5; }},
      {"tiers[1].min_spend", [](json& p) { p["tiers"][1]["min_spend"] = "2000"; }},
      {"tiers[1].name", [](json& p) { p["tiers"][1]["name"] = "regular"; }},
      {"tiers[0].min_spend", [](json& p) { p["tiers"][0]["min_spend"] = 100; }},
      {"tiers[1].min_spend", [](json& p) { p["tiers"][1]["min_spend"] = nullptr; p["tiers"][1]["min_visits"] = nullptr; }},
      {"tiers[1].discount_percent", [](json& p) { p["tiers"][1]["discount_percent"] = 101; }},
      {"tiers[1].points_percent", [](json& p) { p["tiers"][1]["points_percent"] = 99; }},
      {"tiers[0].colour", [](json& p) { p["tiers"][0]["colour"] = "grey"; }},
      {"tiers", [](json& p) { p["tiers"] = json::array(); }},
      {"tiers", [](json& p) { p.erase("tiers"); }},
      {"tiers", [](json& p) { p["tiers"] = "regular"; }},
      {"events[0].last", [](json& p) { p["events"][0]["last"] = "2025-12-31"; }},
      {"events[0].first", [](json& p) { p["events"][0]["first"] = "2026-02-30"; }},
      {"events[0].first", [](json& p) { p["events"][0]["first"] = "2026/01/01"; }},
      {"events[0].weekday", [](json& p) { p["events"][0]["weekday"] = "tuesday"; }},
      {"events[1].percent", [](json& p) { p["events"][1]["percent"] = 50; }},
      {"events[1].name", [](json& p) { p["events"][1]["name"] = "会员日"; }},
      {"genres[0].percent", [](json& p) { p["genres"][0]["percent"] = 1000001; }},
      {"genres[1].genre", [](json& p) { p["genres"][1]["genre"] = "漫画"; }},
      {"genres[0].genre", [](json& p) { p["genres"][0]["genre"] = ""; }},
      {"birthday_month_percent", [](json& p) { p["birthday_month_percent"] = 99; }},
      {"sign_up_bonus", [](json& p) { p["sign_up_bonus"] = true; }},
      {"first_purchase_bonus", [](json& p) { p["first_purchase_bonus"] = -1; }},
      {"points_expiry_months", [](json& p) { p["points_expiry_months"] = 0; }},
      {"tier_downgrade_grace_days", [](json& p) { p["tier_downgrade_grace_days"] = 1.5; }},
      {"top_up_bonuses[0].min_top_up", [](json& p) { p["top_up_bonuses"][0]["min_top_up"] = 0; }},
      {"top_up_bonuses[1].bonus", [](json& p) { p["top_up_bonuses"][1]["bonus"] = -100; }},
      {"bonus", [](json& p) { p["bonus"] = 1; }},
      {"version", [](json& p) { p["version"] = "1"; }},
  };
  for (const auto& c : cases) {
    json body = SampleProgram();
    c.change(body);
    Reply r = Put(owner_, body);
    EXPECT_EQ(r.status, 400) << c.field << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument");
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  // Several mistakes are all listed at once.
  json several = SampleProgram();
  several["base_rate"]["points"] = -1;
  several["events"][0]["first"] = "2026-02-30";
  several["tiers"][1]["name"] = "regular";
  Reply all = Put(owner_, several);
  EXPECT_EQ(all.status, 400);
  for (const char* f : {"base_rate.points", "events[0].first", "tiers[1].name"}) EXPECT_FALSE(all.FieldError(f).empty()) << f;
  EXPECT_EQ(Put(owner_, json::array()).status, 400);
  EXPECT_EQ(SendRaw(owner_, "PUT", "/api/v1/loyalty/program", "{\"rounding\": ").status, 400);

  EXPECT_EQ(Version(), 1);
  EXPECT_EQ(CountRows("loyalty_programs"), 1);
  EXPECT_EQ(CountRows("audit_log"), audit_rows);
  EXPECT_EQ(AuditedVersions(), audited_before);
  EXPECT_EQ(WithoutMeta(Send(cashier_, "GET", "/api/v1/loyalty/program").json), SampleProgram());
}

// SampleProgram: 1 point per ¥1.00 rounded down; 漫画 ×2, 教材 excluded; silver ×1.2;
// 会员日 ×2 on Tuesdays of 2026; birthday month ×1.5; first purchase +50. Only the highest
// member multiplier applies, to base + genre points.
TEST_P(LoyaltyApi, PreviewNumbersMatchTheRulesWorkedOutByHand) {
  ASSERT_EQ(Put(owner_, SampleProgram()).status, 200);
  auto rules = [](const json& explanation) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& l : explanation) out.emplace_back(l["rule"].get<std::string>(), l["points"].get<int64_t>());
    return out;
  };
  using Lines = std::vector<std::pair<std::string, int64_t>>;

  // Basket 1, Thursday 2026-03-12, a regular member's first purchase:
  //   文学 ¥29.90 ×3 = ¥89.70 eligible; 教材 ¥45.00 is excluded.
  //   base = 89.70 × 1 ÷ 1.00 = 89.7 → down → 89 (one rounding for the basket, not 3 × 29 = 87)
  //   no member multiplier above ×1; first purchase +50 → 89 + 50 = 139.
  Reply b1 = Preview(cashier_, json::parse(R"({
      "lines": [{"genre": "文学", "amount": 2990}, {"genre": "文学", "amount": 2990},
                {"genre": "文学", "amount": 2990}, {"genre": "教材", "amount": 4500}],
      "member": {"tier": "regular", "first_purchase": true}, "date": "2026-03-12"})"));
  ASSERT_EQ(b1.status, 200) << b1.body;
  EXPECT_EQ(b1.json["points"], 139);
  EXPECT_EQ(rules(b1.json["explanation"]), (Lines{{"base", 89}, {"genre:教材", 0}, {"first_purchase", 50}}));
  EXPECT_EQ(b1.json["explanation"][0]["detail"], "1 point per ¥1.00 on ¥89.70");
  EXPECT_EQ(b1.json["program_version"], 1);

  // Basket 2, Tuesday 2026-03-10 (会员日), a silver member:
  //   漫画 ¥30.50 + 文学 ¥56.00 = ¥86.50 → base 86.5 → down → 86
  //   漫画 ×2: extra = 30.50 × (2 − 1) = 30.5 → down → 30; line points 86 + 30 = 116
  //   会员日 ×2 beats silver ×1.2: extra = 116 × (2 − 1) = 116 → 116 + 116 = 232.
  json basket2 = json::parse(R"({
      "lines": [{"genre": "漫画", "amount": 3050}, {"genre": "文学", "amount": 5600}],
      "member": {"tier": "silver"}, "date": "2026-03-10"})");
  Reply b2 = Preview(manager_, basket2);
  ASSERT_EQ(b2.status, 200) << b2.body;
  EXPECT_EQ(b2.json["points"], 232);
  EXPECT_EQ(rules(b2.json["explanation"]), (Lines{{"base", 86}, {"genre:漫画", 30}, {"tier:silver", 0}, {"event:会员日", 116}}));

  // Basket 3, Thursday 2026-05-14, a silver member born in May:
  //   文学 ¥123.45 → base 123.45 → down → 123
  //   birthday ×1.5 beats silver ×1.2: extra = 123 × 0.5 = 61.5 → down → 61 → 123 + 61 = 184.
  Reply b3 = Preview(ApiKeyCaller("marketer"), json::parse(R"({
      "lines": [{"genre": "文学", "amount": 12345}],
      "member": {"tier": "silver", "birthday": "1990-05-17", "first_purchase": false}, "date": "2026-05-14"})"));
  ASSERT_EQ(b3.status, 200) << b3.body;
  EXPECT_EQ(b3.json["points"], 184);
  EXPECT_EQ(rules(b3.json["explanation"]), (Lines{{"base", 123}, {"tier:silver", 0}, {"birthday", 61}}));

  // The same basket 2 under an unsaved draft: rounding half_up and no events.
  //   base 86.5 → half_up → 87; 漫画 extra 30.5 → half_up → 31; line points 118
  //   silver ×1.2: extra = 118 × 0.2 = 23.6 → half_up → 24 → 118 + 24 = 142.
  json draft = SampleProgram();
  draft["rounding"] = "half_up";
  draft["events"] = json::array();
  json with_draft = basket2;
  with_draft["program"] = draft;
  Reply b4 = Preview(cashier_, with_draft);
  ASSERT_EQ(b4.status, 200) << b4.body;
  EXPECT_EQ(b4.json["points"], 142);
  EXPECT_EQ(rules(b4.json["explanation"]), (Lines{{"base", 87}, {"genre:漫画", 31}, {"tier:silver", 24}}));
  EXPECT_TRUE(b4.json["program_version"].is_null());
  // Previewing a draft saved nothing.
  EXPECT_EQ(Version(), 1);
  EXPECT_EQ(CountRows("loyalty_programs"), 1);
  EXPECT_EQ(WithoutMeta(Send(cashier_, "GET", "/api/v1/loyalty/program").json), SampleProgram());
  EXPECT_EQ(Preview(cashier_, basket2).json["points"], 232);
}

TEST_P(LoyaltyApi, PreviewUsesTheDefaultBeforeAnySave) {
  // Default: 1 point per ¥1.00 down, gold ×1.5. ¥99.99 → 99; gold extra = 99 × 0.5 = 49.5 → down → 49.
  Reply r = Preview(cashier_, json::parse(R"({
      "lines": [{"genre": "文学", "amount": 9999}], "member": {"tier": "gold"}, "date": "2026-11-28"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["points"], 148);
  EXPECT_EQ(r.json["program_version"], 0);
  // An empty basket earns nothing, with no explanation lines.
  Reply empty = Preview(cashier_, json{{"lines", json::array()}, {"date", "2026-11-28"}});
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json["points"], 0);
  EXPECT_EQ(empty.json["explanation"], json::array());
}

TEST_P(LoyaltyApi, BadPreviewInputIsRefusedWithFieldPaths) {
  json ok = json::parse(R"({"lines": [{"genre": "文学", "amount": 1000}], "member": {"tier": "silver"},
                            "date": "2026-03-10"})");
  struct Case {
    std::string field;
    std::function<void(json&)> change;
  };
  std::vector<Case> cases = {
      {"lines[0].amount", [](json& b) { b["lines"][0]["amount"] = -1; }},
      {"lines[0].amount", [](json& b) { b["lines"][0]["amount"] = "10.00"; }},
      {"lines[0].genre", [](json& b) { b["lines"][0].erase("genre"); }},
      {"lines[0].isbn", [](json& b) { b["lines"][0]["isbn"] = "9787020002207"; }},
      {"lines", [](json& b) { b.erase("lines"); }},
      {"member.tier", [](json& b) { b["member"]["tier"] = "platinum"; }},
      {"member.birthday", [](json& b) { b["member"]["birthday"] = "1990-02-30"; }},
      {"member.first_purchase", [](json& b) { b["member"]["first_purchase"] = "yes"; }},
      {"date", [](json& b) { b["date"] = "2026-02-30"; }},
      {"date", [](json& b) { b.erase("date"); }},
      {"coupon", [](json& b) { b["coupon"] = "HALFOFF"; }},
      {"program.tiers[2].min_spend", [](json& b) { b["program"] = SampleProgram(); b["program"]["tiers"][2]["min_spend"] = 1; }},
      {"program.version", [](json& b) { b["program"] = SampleProgram(); b["program"]["version"] = 1; }},
  };
  for (const auto& c : cases) {
    json body = ok;
    c.change(body);
    Reply r = Preview(cashier_, body);
    EXPECT_EQ(r.status, 400) << c.field << ": " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument");
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  EXPECT_EQ(CountRows("loyalty_programs"), 0);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(LoyaltyApi);

}  // namespace
}  // namespace shuyou::test
