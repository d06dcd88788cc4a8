// A member's favourite genres through the HTTP API on both engines: purchases recorded with
// service::RecordPurchase (as the checkout does), then GET /api/v1/members/{id}/interests —
// genres by net spend with shares, category names in both languages or the raw code, the last
// purchase day (not moved back by a return or a late-recorded sale), the top N and the rest,
// the cashier's summary line; a merge combining both members' genres; erasure removing them
// (and the export listing them before); refused input and roles.
#include "service/member_tiers.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

// Noon in Shanghai (the default business time zone) of 2026-03-01 .. 2026-03-05.
constexpr int64_t kDay1 = 1'772'337'600'000, kDayMs = 86'400'000;
int64_t Day(int n) { return kDay1 + (n - 1) * kDayMs; }

class MemberInterestsApi : public ApiFixture {
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

  int64_t Register(const std::string& phone) {
    Reply r = Send(cashier_, "POST", "/api/v1/members", json{{"phone", phone}, {"name", "林小雨"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  void Category(const json& body) {
    Reply r = Send(manager_, "POST", "/api/v1/categories", body);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // One purchase (or, with a negative amount, a return) in one genre, as the checkout records it.
  void Buy(int64_t member, int64_t at, const std::string& genre, int64_t amount) {
    service::PurchaseStats p;
    p.at = at;
    p.amount = amount;
    p.visit = amount > 0;
    p.genres = {{genre, amount}};
    Status st = db_->Write([&](store::Tx& tx) { return service::RecordPurchase(tx, app_->context(), member, p).status(); });
    ASSERT_TRUE(st.ok()) << st.message();
  }

  Reply Interests(const Caller& who, int64_t member, const std::string& query = "") {
    return Send(who, "GET", "/api/v1/members/" + std::to_string(member) + "/interests" + query);
  }

  int64_t GenreRows(int64_t member) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto r, tx.Exec("SELECT COUNT(*) FROM member_genres WHERE member_id = ?", {member}));
                     n = r[0].Int(0);
                     return Status::Ok();
                   }).ok());
    return n;
  }

  // The catalog: 科幻 under 小说, 历史, and 艺术 without an English name.
  void Catalog() {
    Category({{"code", "fiction"}, {"name", "小说"}, {"name_en", "Fiction"}});
    Category({{"code", "fiction.scifi"}, {"name", "科幻"}, {"name_en", "Science fiction"}});
    Category({{"code", "history"}, {"name", "历史"}, {"name_en", "History"}});
    Category({{"code", "art"}, {"name", "艺术"}});
  }

  Caller manager_, cashier_, marketer_;
};

TEST_P(MemberInterestsApi, GenresBySpendWithSharesNamesLastDayAndSummary) {
  Catalog();
  int64_t m = Register("13800138000");
  Buy(m, Day(1), "fiction.scifi", 6000);
  Buy(m, Day(3), "fiction.scifi", 4000);
  Buy(m, Day(2), "fiction.scifi", 0 + 1);       // recorded late: the last day stays day 3
  Buy(m, Day(2), "history", 5000);
  Buy(m, Day(4), "history", -1000);             // a return: spend down, last day still day 2
  Buy(m, Day(2), "文学", 3000);                 // no category has this code
  Buy(m, Day(1), "art", 2000);
  Buy(m, Day(1), "comics", 1500);
  Buy(m, Day(5), "comics", -1500);              // all returned: left out

  Reply r = Interests(cashier_, m);
  ASSERT_EQ(r.status, 200) << r.body;
  const json& j = r.json;
  // Net spend: scifi 10001, history 4000, 文学 3000, art 2000 → 19001.
  EXPECT_EQ(j["member_id"], m);
  EXPECT_EQ(j["currency"], "CNY");
  EXPECT_EQ(j["total_spend"], 19001);
  EXPECT_EQ(j["genre_count"], 4);
  ASSERT_EQ(j["genres"].size(), 4u) << r.body;
  EXPECT_EQ(j["genres"][0],
            json({{"genre", "fiction.scifi"}, {"name", "科幻"}, {"name_en", "Science fiction"}, {"in_catalog", true},
                  {"spend", 10001}, {"share_percent", 52.6}, {"purchases", 3}, {"last_purchased_on", "2026-03-03"}}));
  EXPECT_EQ(j["genres"][1],
            json({{"genre", "history"}, {"name", "历史"}, {"name_en", "History"}, {"in_catalog", true},
                  {"spend", 4000}, {"share_percent", 21.1}, {"purchases", 1}, {"last_purchased_on", "2026-03-02"}}));
  EXPECT_EQ(j["genres"][2],
            json({{"genre", "文学"}, {"name", "文学"}, {"name_en", "文学"}, {"in_catalog", false},
                  {"spend", 3000}, {"share_percent", 15.8}, {"purchases", 1}, {"last_purchased_on", "2026-03-02"}}));
  EXPECT_EQ(j["genres"][3]["name"], "艺术");
  EXPECT_EQ(j["genres"][3]["name_en"], "艺术") << "no English name: the Chinese one";
  EXPECT_EQ(j["genres"][3]["share_percent"], 10.5);  // 2000 / 19001 = 10.526 %
  EXPECT_TRUE(j["others"].is_null());
  // 52.6 % + 21.1 % ≥ 60 %: the top two.
  EXPECT_EQ(j["summary"], json({{"zh-CN", "以科幻和历史为主"}, {"en", "mostly Science fiction and History"}}));

  Reply two = Interests(marketer_, m, "?limit=2");
  ASSERT_EQ(two.status, 200) << two.body;
  ASSERT_EQ(two.json["genres"].size(), 2u);
  EXPECT_EQ(two.json["genres"][1]["genre"], "history");
  // 文学 and art: 5000 of 19001 = 26.31 %.
  EXPECT_EQ(two.json["others"], json({{"genre_count", 2}, {"spend", 5000}, {"share_percent", 26.3}}));
  EXPECT_EQ(two.json["genre_count"], 4);
  EXPECT_EQ(two.json["summary"], j["summary"]) << "the summary reads every genre, not just the listed ones";
}

TEST_P(MemberInterestsApi, SummaryShapes) {
  Catalog();
  int64_t only = Register("13800138001"), mostly = Register("13800138002"), varied = Register("13800138003");
  Buy(only, Day(1), "history", 800);
  Buy(mostly, Day(1), "history", 600);
  Buy(mostly, Day(1), "art", 400);
  for (auto [genre, amount] : std::vector<std::pair<std::string, int64_t>>{
           {"history", 300}, {"art", 250}, {"fiction.scifi", 250}, {"fiction", 200}})
    Buy(varied, Day(1), genre, amount);
  EXPECT_EQ(Interests(owner_, only).json["summary"], json({{"zh-CN", "只买历史"}, {"en", "only History"}}));
  EXPECT_EQ(Interests(owner_, mostly).json["summary"], json({{"zh-CN", "以历史为主"}, {"en", "mostly History"}}));
  // art and fiction.scifi tie on spend and purchases: the code decides (art first).
  EXPECT_EQ(Interests(owner_, varied).json["summary"],
            json({{"zh-CN", "兴趣广泛：历史、艺术、科幻"}, {"en", "varied: History, 艺术 and Science fiction"}}));
}

TEST_P(MemberInterestsApi, NothingBoughtIsAnEmptyAnswer) {
  int64_t m = Register("13800138000");
  Reply r = Interests(cashier_, m);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json, json({{"member_id", m},
                          {"currency", "CNY"},
                          {"total_spend", 0},
                          {"genre_count", 0},
                          {"genres", json::array()},
                          {"others", nullptr},
                          {"summary", {{"zh-CN", ""}, {"en", ""}}}}));
}

TEST_P(MemberInterestsApi, RefusesBadInputAndUnknownMembers) {
  int64_t m = Register("13800138000");
  for (const char* q : {"?limit=0", "?limit=21", "?limit=abc", "?limit=-1", "?limit=99999999999"}) {
    Reply r = Interests(cashier_, m, q);
    EXPECT_EQ(r.status, 400) << q << " → " << r.body;
    EXPECT_FALSE(r.FieldError("limit").empty()) << q << " → " << r.body;
  }
  EXPECT_EQ(Interests(cashier_, m, "?limit=20").status, 200);
  EXPECT_EQ(Interests(cashier_, m + 1000).status, 404);
  EXPECT_EQ(Send(Caller{}, "GET", "/api/v1/members/" + std::to_string(m) + "/interests").status, 401);
}

TEST_P(MemberInterestsApi, MergeCombinesGenresAndKeepsTheLaterDay) {
  Catalog();
  int64_t keep = Register("13800138101"), dup = Register("13800138102");
  Buy(keep, Day(1), "fiction.scifi", 1000);
  Buy(keep, Day(4), "art", 300);
  Buy(dup, Day(5), "fiction.scifi", 2000);
  Buy(dup, Day(2), "history", 500);
  Buy(dup, Day(1), "art", 200);
  Reply merged = Send(manager_, "POST", "/api/v1/members/" + std::to_string(keep) + "/merge",
                      json{{"duplicate_id", dup}, {"reason", "same person"}});
  ASSERT_EQ(merged.status, 200) << merged.body;

  Reply r = Interests(cashier_, keep);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["genres"].size(), 3u) << r.body;
  EXPECT_EQ(r.json["total_spend"], 4000);
  EXPECT_EQ(r.json["genres"][0]["genre"], "fiction.scifi");
  EXPECT_EQ(r.json["genres"][0]["spend"], 3000);
  EXPECT_EQ(r.json["genres"][0]["purchases"], 2);
  EXPECT_EQ(r.json["genres"][0]["last_purchased_on"], "2026-03-05") << "the duplicate's later day";
  // art and history both 500: art has two purchases, so it comes first.
  EXPECT_EQ(r.json["genres"][1]["genre"], "art");
  EXPECT_EQ(r.json["genres"][1]["spend"], 500);
  EXPECT_EQ(r.json["genres"][1]["purchases"], 2);
  EXPECT_EQ(r.json["genres"][1]["last_purchased_on"], "2026-03-04") << "the survivor's later day";
  EXPECT_EQ(r.json["genres"][2]["genre"], "history");
  EXPECT_EQ(r.json["genres"][2]["last_purchased_on"], "2026-03-02");
  EXPECT_EQ(r.json["summary"]["en"], "mostly Science fiction");  // 75 %

  Reply gone = Interests(cashier_, dup);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(gone.FieldError("merged_into"), std::to_string(keep));
  EXPECT_EQ(GenreRows(dup), 0);
}

TEST_P(MemberInterestsApi, ExportListsThemAndErasureRemovesThem) {
  Catalog();
  int64_t m = Register("13800138000"), other = Register("13800138009");
  Buy(m, Day(1), "history", 5000);
  Buy(m, Day(2), "fiction.scifi", 3000);
  Buy(other, Day(2), "history", 700);

  Reply exp = Send(manager_, "GET", "/api/v1/members/" + std::to_string(m) + "/export");
  ASSERT_EQ(exp.status, 200) << exp.body;
  ASSERT_EQ(exp.json["interests"].size(), 2u) << exp.body;
  EXPECT_EQ(exp.json["interests"][0]["genre"], "history");
  EXPECT_EQ(exp.json["interests"][0]["spend"], 5000);
  EXPECT_EQ(exp.json["interests"][0]["last_purchased_on"], "2026-03-01");

  Reply erased = Send(owner_, "POST", "/api/v1/members/" + std::to_string(m) + "/erase", json{{"reason", "asked"}});
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_GE(erased.json["rows_scrubbed"].get<int64_t>(), 2);
  EXPECT_EQ(GenreRows(m), 0);
  Reply r = Interests(cashier_, m);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json["genres"].empty());
  EXPECT_EQ(r.json["summary"]["zh-CN"], "");
  // Spend totals stay (financial records are kept without identity); other members keep theirs.
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/members/" + std::to_string(m) + "/tier").json["total_spend"], 8000);
  EXPECT_EQ(GenreRows(other), 1);
  EXPECT_EQ(Interests(cashier_, other).json["genres"][0]["spend"], 700);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(MemberInterestsApi);

}  // namespace
}  // namespace shuyou::test
