// The member reports (members, RFM, cohorts, loyalty) through the HTTP API on both engines. A
// small history is made through the real checkout, returns, point adjustments and the expiry job
// at chosen days; every expected number is worked out here from the raw rows (sales,
// sale_lines, return_lines, points_ledger, tier_history, stored_value_ledger) or from the inputs,
// never from the aggregates or the code under test.
#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <optional>
#include <set>

#include "jobs/jobs.h"
#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/report_feed.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
constexpr int64_t kDay = 86'400'000;

// 12:00 in Shanghai (04:00 UTC) on `day`.
int64_t Noon(const std::string& day) {
  auto d = service::ParseDay(day);
  EXPECT_TRUE(d.ok()) << day;
  return int64_t(std::chrono::sys_days(*d).time_since_epoch().count()) * kDay + 4 * 3'600'000;
}
// The Shanghai day of a UTC time (UTC+8, no daylight saving).
std::string ShanghaiDay(int64_t at) {
  std::chrono::sys_days d{std::chrono::days((at + 8 * 3'600'000) / kDay)};
  return service::FormatDay(std::chrono::year_month_day(d));
}

class ReportsMembers : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    // Sessions opened on the test's clock, long enough to last through the history it makes.
    app_->context().now = [this] { return now_.load(); };
    app_->context().settings.session_ttl_ms = 20LL * 365 * kDay;
    owner_ = Login("owner", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    Status st = db_->Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) "
                                             "VALUES ('EAST', '东店', 0, 0) RETURNING id"));
      east_ = rows[0].Int(0);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.message();
    MakeStaff("wang.wu", "cashier", east_);
    east_cashier_ = Login("wang.wu", "correct-horse-battery");
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("zhao.lei", "marketer", store_id_);
    marketer_ = Login("zhao.lei", "correct-horse-battery");
  }

  void At(const std::string& day) { now_ = Noon(day); }

  store::Rows Query(const std::string& sql, const std::vector<store::Value>& params = {}) {
    store::Rows out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(out, tx.Exec(sql, params));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
  void Exec(const std::string& sql, const std::vector<store::Value>& params = {}) {
    Status st = db_->Write([&](store::Tx& tx) -> Status { return tx.Exec(sql, params).status(); });
    ASSERT_TRUE(st.ok()) << st.message();
  }

  // Silver from ¥100.00 of spend in 12 months (gold from ¥1,000.00); points lapse after 1 month.
  void Program() {
    service::LoyaltyProgram p = service::DefaultLoyaltyProgram();
    ASSERT_GE(p.earning.tiers.size(), 3u);
    p.earning.tiers[1].min_spend = core::Money(10000, core::kCNY);
    p.earning.tiers[1].min_visits = std::nullopt;
    p.earning.tiers[2].min_spend = core::Money(100000, core::kCNY);
    p.earning.tiers[2].min_visits = std::nullopt;
    p.points_expiry_months = 1;
    service::Actor system;
    auto r = service::SaveLoyaltyProgram(app_->context(), system, p, std::nullopt);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  void Catalog() {
    Reply fic = Send(owner_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}});
    ASSERT_EQ(fic.status, 201) << fic.body;
    Reply com = Send(owner_, "POST", "/api/v1/categories", json{{"code", "comics"}, {"name", "漫画"}});
    ASSERT_EQ(com.status, 201) << com.body;
    Reply a = Send(owner_, "POST", "/api/v1/products",
                   json{{"isbn", "9787020002207"}, {"title", "红楼梦"}, {"list_price", 5000}, {"category_id", fic.json["id"]}});
    ASSERT_EQ(a.status, 201) << a.body;
    book_a_ = a.json["id"];
    Reply b = Send(owner_, "POST", "/api/v1/products",
                   json{{"isbn", "9787532744510"}, {"title", "海贼王"}, {"list_price", 3000}, {"category_id", com.json["id"]}});
    ASSERT_EQ(b.status, 201) << b.body;
    book_b_ = b.json["id"];
    for (int64_t store : {store_id_, east_})
      for (int64_t p : {book_a_, book_b_}) {
        Reply r = Send(owner_, "POST", "/api/v1/stock/receipts",
                       json{{"store_id", store}, {"lines", {{{"product_id", p}, {"quantity", 100}}}}});
        ASSERT_EQ(r.status, 201) << r.body;
      }
  }

  int64_t Member(const std::string& phone, const std::string& joined, json extra) {
    At(joined);
    json body = {{"phone", phone}, {"name", "会员" + phone.substr(7)}};
    body.update(extra);
    Reply m = Send(cashier_, "POST", "/api/v1/members", body);
    EXPECT_EQ(m.status, 201) << m.body;
    int64_t id = m.json.value("id", int64_t(0));
    // The join day as an import from the old system would give it.
    Exec("UPDATE members SET joined_on = ? WHERE id = ?", {joined, id});
    return id;
  }

  // A cash sale of `a` × book A and `b` × book B on `day`.
  int64_t Sell(const std::string& day, std::optional<int64_t> member, int64_t a, int64_t b, int64_t store = 0,
               int64_t points = 0, int64_t stored_value = 0) {
    At(day);
    json lines = json::array();
    if (a) lines.push_back({{"product_id", book_a_}, {"quantity", a}});
    if (b) lines.push_back({{"product_id", book_b_}, {"quantity", b}});
    json payments = json::array();
    if (stored_value) payments.push_back({{"method", "stored_value"}, {"amount", stored_value}});
    payments.push_back({{"method", "cash"}, {"amount", 100000}});
    json body = {{"store_id", store ? store : store_id_}, {"lines", lines}, {"payments", payments}};
    if (member) body["member_id"] = *member;
    if (points) body["points_to_redeem"] = points;
    Reply r = Send(store == east_ ? east_cashier_ : cashier_, "POST", "/api/v1/sales", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  // The history of the member tests; "now" is 2025-12-20 afterwards.
  void History() {
    Program();
    Catalog();
    // m1: female, 35 on 2025-12-20; m2: male, 24 (25 the day after); m3: nothing known, home EAST;
    // m4: female, 75, never buys; m5: born 2010, under 18.
    m1_ = Member("13800000001", "2025-01-10", {{"gender", "female"}, {"birthday", "1990-05-17"}, {"home_store_id", store_id_}});
    m2_ = Member("13800000002", "2025-01-20", {{"gender", "male"}, {"birthday", "2000-12-21"}, {"home_store_id", store_id_}});
    m3_ = Member("13800000003", "2025-03-05", {{"home_store_id", east_}});
    m4_ = Member("13800000004", "2025-03-20", {{"gender", "female"}, {"birthday", "1950-01-01"}, {"home_store_id", store_id_}});
    m5_ = Member("13800000005", "2025-11-02", {{"gender", "other"}, {"birthday", "2010-06-01"}, {"home_store_id", store_id_}});

    Sell("2025-01-15", m1_, 1, 0);
    int64_t s2 = Sell("2025-02-10", m2_, 1, 1);
    // m2 brings the comic back two days later.
    At("2025-02-12");
    Reply sale = Send(owner_, "GET", "/api/v1/sales/" + std::to_string(s2));
    ASSERT_EQ(sale.status, 200) << sale.body;
    int64_t comic_line = 0;
    for (const auto& l : sale.json["lines"])
      if (l["product_id"] == book_b_) comic_line = l["id"];
    Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(s2) + "/returns",
                     json{{"lines", {{{"sale_line_id", comic_line}, {"quantity", 1}}}}, {"reason", "重复购买"}});
    ASSERT_EQ(ret.status, 201) << ret.body;

    At("2025-03-01");
    std::string m1 = "/api/v1/members/" + std::to_string(m1_);
    Reply top = Send(cashier_, "POST", m1 + "/stored-value/top-ups", json{{"amount", 10000}, {"payment_method", "cash"}});
    ASSERT_EQ(top.status, 201) << top.body;
    Sell("2025-03-02", m1_, 0, 1);
    Sell("2025-03-06", m3_, 3, 0, east_);
    // The expiry job lapses what was earned more than a month before.
    At("2025-04-10");
    auto run = jobs::RunJob(app_->context(), "points-expiry", *service::ParseDay("2025-04-10"), "cli");
    ASSERT_TRUE(run.ok()) << run.status().message();
    Sell("2025-06-15", m2_, 0, 2);
    At("2025-11-01");
    Reply adj = Send(manager_, "POST", m1 + "/points/adjustments", json{{"points", 2000}, {"reason", "会员日赠送"}});
    ASSERT_EQ(adj.status, 201) << adj.body;
    Sell("2025-11-20", m1_, 2, 0, 0, 500, 2000);
    At("2025-11-21");
    Reply take = Send(manager_, "POST", m1 + "/points/adjustments", json{{"points", -100}, {"reason", "更正"}});
    ASSERT_EQ(take.status, 201) << take.body;
    Sell("2025-12-05", m1_, 0, 1);
    Sell("2025-12-10", std::nullopt, 1, 0);
    Sell("2025-12-18", m5_, 0, 1);
    At("2025-12-20");
    // The tier job (downgrades, and upgrades not already made at the till).
    auto tiers = jobs::RunJob(app_->context(), "tier-evaluation", *service::ParseDay("2025-12-20"), "cli");
    ASSERT_TRUE(tiers.ok()) << tiers.status().message();
  }

  Reply Get(const Caller& who, const std::string& path) { return Send(who, "GET", path); }

  std::atomic<int64_t> now_{Noon("2025-01-01")};
  Caller cashier_, east_cashier_, manager_, marketer_;
  int64_t east_ = 0, book_a_ = 0, book_b_ = 0;
  int64_t m1_ = 0, m2_ = 0, m3_ = 0, m4_ = 0, m5_ = 0;
};

// ---- members ---------------------------------------------------------------------------------

struct RawSale {
  int64_t member;  // 0: none
  std::string day;
  int64_t at, net, store;
};

TEST_P(ReportsMembers, MembersReportAgreesWithTheRawSales) {
  History();
  std::vector<RawSale> sales;
  for (const auto& r : Query("SELECT COALESCE(member_id, 0), business_day, at, net_total, store_id FROM sales").rows)
    sales.push_back({r.Int(0), r.Text(1), r.Int(2), r.Int(3), r.Int(4)});
  ASSERT_EQ(sales.size(), 9u);  // m1 4, m2 2, m3 1, m5 1 and one without a member
  // Returned value per (member, month of the return).
  std::map<std::pair<int64_t, std::string>, int64_t> returned;
  for (const auto& r : Query("SELECT s.member_id, sr.business_day, rl.refund + rl.points_share FROM return_lines rl "
                             "JOIN sale_returns sr ON sr.id = rl.return_id JOIN sales s ON s.id = sr.sale_id")
                           .rows)
    returned[{r.Int(0), r.Text(1).substr(0, 7)}] += r.Int(2);

  Reply rep = Get(manager_, "/api/v1/reports/members?from=2025-01-01&to=2025-12-20");
  ASSERT_EQ(rep.status, 200) << rep.body;
  const json& j = rep.json;
  EXPECT_EQ(j["from"], "2025-01-01");
  EXPECT_EQ(j["to"], "2025-12-20");
  EXPECT_EQ(j["definitions"], (json{{"active_days", 90}, {"at_risk_days", 180}, {"lapsed_days", 365}, {"clv_max_years", 5}}));
  ASSERT_EQ(j["months"].size(), 12u);

  // Status now (2025-12-20 noon) from each member's last sale.
  std::map<int64_t, int64_t> last;
  for (const auto& s : sales)
    if (s.member) last[s.member] = std::max(last[s.member], s.at);
  json status = {{"total", 5}, {"active", 0}, {"at_risk", 0}, {"dormant", 0}, {"lapsed", 0}, {"never_bought", 0}};
  for (int64_t m : {m1_, m2_, m3_, m4_, m5_}) {
    if (!last.count(m)) {
      status["never_bought"] = status["never_bought"].get<int>() + 1;
      continue;
    }
    int64_t days_ago = (now_ - last[m]);
    const char* k = days_ago <= 90 * kDay ? "active" : days_ago <= 180 * kDay ? "at_risk" : days_ago <= 365 * kDay ? "dormant" : "lapsed";
    status[k] = status[k].get<int>() + 1;
  }
  EXPECT_EQ(j["status"], status);
  // m1 and m5 active (Dec), m2 (June 15: 188 days) dormant, m3 (March 6) dormant, m4 never.
  EXPECT_EQ(status["active"], 2);
  EXPECT_EQ(status["dormant"], 2);

  // Month by month.
  std::map<int64_t, std::string> first_month;
  for (const auto& s : sales)
    if (s.member && (!first_month.count(s.member) || s.day.substr(0, 7) < first_month[s.member]))
      first_month[s.member] = s.day.substr(0, 7);
  std::map<int64_t, std::string> joined = {{m1_, "2025-01"}, {m2_, "2025-01"}, {m3_, "2025-03"}, {m4_, "2025-03"}, {m5_, "2025-11"}};
  int64_t visits_total = 0, spend_total = 0, net_total = 0, member_net_total = 0;
  for (const auto& row : j["months"]) {
    std::string month = row["month"];
    SCOPED_TRACE(month);
    int64_t joined_n = 0;
    for (const auto& [_, jm] : joined) joined_n += jm == month;
    std::set<int64_t> buyers, firsts;
    int64_t visits = 0, spend = 0, net = 0, member_net = 0;
    for (const auto& s : sales) {
      if (s.day.substr(0, 7) != month) continue;
      net += s.net;
      if (!s.member) continue;
      member_net += s.net;
      buyers.insert(s.member);
      if (first_month[s.member] == month) firsts.insert(s.member);
      visits += 1;
      spend += s.net;
    }
    for (const auto& [key, v] : returned)
      if (key.second == month) spend -= v;
    EXPECT_EQ(row["new_members"], joined_n);
    EXPECT_EQ(row["buyers"], buyers.size());
    EXPECT_EQ(row["first_time_buyers"], firsts.size());
    EXPECT_EQ(row["returning_buyers"], buyers.size() - firsts.size());
    EXPECT_EQ(row["visits"], visits);
    EXPECT_EQ(row["member_spend"], spend);
    EXPECT_EQ(row["sales_net"], net);
    EXPECT_EQ(row["member_sales_net"], member_net);
    EXPECT_DOUBLE_EQ(row["member_share"].get<double>(), net ? double(member_net) / double(net) : 0.0);
    visits_total += visits, spend_total += spend, net_total += net, member_net_total += member_net;
  }
  // December: m1 (bought since January) returns, m5 buys for the first time.
  EXPECT_EQ(j["months"][11]["returning_buyers"], 1);
  EXPECT_EQ(j["months"][11]["first_time_buyers"], 1);

  // Totals: m1 4 sales, m2 2, m3 1, m5 1 → 4 buyers, 2 of them repeat buyers.
  std::map<int64_t, int> per_member;
  for (const auto& s : sales)
    if (s.member) per_member[s.member] += 1;
  int64_t repeat = std::count_if(per_member.begin(), per_member.end(), [](const auto& p) { return p.second >= 2; });
  EXPECT_EQ(j["totals"]["buyers"], per_member.size());
  EXPECT_EQ(j["totals"]["repeat_buyers"], repeat);
  EXPECT_EQ(repeat, 2);
  EXPECT_DOUBLE_EQ(j["totals"]["repeat_purchase_rate"].get<double>(), double(repeat) / double(per_member.size()));
  EXPECT_EQ(j["totals"]["new_members"], 5);
  EXPECT_EQ(j["totals"]["visits"], visits_total);
  EXPECT_EQ(j["totals"]["member_spend"], spend_total);
  EXPECT_EQ(j["totals"]["sales_net"], net_total);
  EXPECT_EQ(j["totals"]["member_sales_net"], member_net_total);

  // Age on 2025-12-20: m1 35, m2 24 (25 tomorrow), m4 75, m5 15; m3 unknown.
  std::map<std::string, int64_t> bands;
  for (const auto& b : j["age_bands"]) bands[b["band"]] = b["members"];
  EXPECT_EQ(bands, (std::map<std::string, int64_t>{{"under_18", 1}, {"18_24", 1}, {"25_34", 0}, {"35_44", 1},
                                                    {"45_54", 0}, {"55_64", 0}, {"65_plus", 1}, {"unknown", 1}}));
  std::map<std::string, int64_t> genders;
  for (const auto& g : j["genders"]) genders[g["gender"]] = g["members"];
  EXPECT_EQ(genders, (std::map<std::string, int64_t>{{"female", 2}, {"male", 1}, {"other", 1}, {"unknown", 1}}));
  // Genre preference of the women (m1; m4 never bought): what the lines were paid in money (the
  // points part left out, as member_genres keeps it), less what came back.
  std::map<std::string, int64_t> genre_spend;
  for (const auto& r : Query("SELECT l.genre, l.paid FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.member_id = ?", {m1_}).rows)
    genre_spend[r.Text(0)] += r.Int(1);
  const json& women = j["genders"][0];
  ASSERT_EQ(women["gender"], "female");
  EXPECT_EQ(women["buyers"], 1);
  EXPECT_EQ(women["active"], 1);
  ASSERT_EQ(women["top_genres"].size(), 2u);
  std::string top = genre_spend["fiction"] >= genre_spend["comics"] ? "fiction" : "comics";
  EXPECT_EQ(women["top_genres"][0]["genre"], top);
  EXPECT_EQ(women["top_genres"][0]["spend"], genre_spend[top]);
  // The man's comic came back: his comics spend is the second sale's 2 comics only.
  const json& men = j["genders"][1];
  int64_t m2_comics = 0, m2_fiction = 0;
  for (const auto& r : Query("SELECT l.genre, l.paid FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.member_id = ?", {m2_}).rows)
    (r.Text(0) == "comics" ? m2_comics : m2_fiction) += r.Int(1);
  for (const auto& r : Query("SELECT rl.refund FROM return_lines rl JOIN sale_lines l ON l.id = rl.sale_line_id "
                             "JOIN sales s ON s.id = l.sale_id WHERE s.member_id = ? AND l.genre = 'comics'", {m2_}).rows)
    m2_comics -= r.Int(0);
  ASSERT_EQ(men["top_genres"].size(), 2u);
  EXPECT_EQ(men["top_genres"][0]["genre"], m2_comics >= m2_fiction ? "comics" : "fiction");
  EXPECT_DOUBLE_EQ(men["top_genres"][0]["share"].get<double>(),
                   double(std::max(m2_comics, m2_fiction)) / double(m2_comics + m2_fiction));

  // One store: member numbers are those of members whose home store it is (m3 is EAST's), sales
  // those made in the store.
  Reply east = Get(manager_, "/api/v1/reports/members?from=2025-01-01&to=2025-12-20&store_id=" + std::to_string(east_));
  ASSERT_EQ(east.status, 200) << east.body;
  EXPECT_EQ(east.json["status"]["total"], 1);
  EXPECT_EQ(east.json["status"]["dormant"], 1);
  EXPECT_EQ(east.json["totals"]["new_members"], 1);
  EXPECT_EQ(east.json["totals"]["buyers"], 1);
  EXPECT_EQ(east.json["months"][2]["buyers"], 1);
  EXPECT_EQ(east.json["months"][2]["first_time_buyers"], 1);
  int64_t east_net = 0;
  for (const auto& s : sales)
    if (s.store == east_) east_net += s.net;
  EXPECT_EQ(east.json["totals"]["sales_net"], east_net);
  EXPECT_EQ(east.json["totals"]["member_share"], 1.0);
}

TEST_P(ReportsMembers, DefinitionsAreSettingsThatChangeTheStatusCounts) {
  History();
  Reply d = Get(marketer_, "/api/v1/reports/members/definitions");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.json["active_days"], 90);
  EXPECT_TRUE(d.json["updated_at"].is_null());
  json wider = {{"active_days", 200}, {"at_risk_days", 250}, {"lapsed_days", 300}, {"clv_max_years", 3}};
  EXPECT_EQ(Send(marketer_, "PUT", "/api/v1/reports/members/definitions", wider).status, 403);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/reports/members/definitions").status, 403);
  Reply bad = Send(manager_, "PUT", "/api/v1/reports/members/definitions",
                   json{{"active_days", 100}, {"at_risk_days", 90}, {"lapsed_days", 5000}, {"clv_max_years", 3}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("lapsed_days"), "");
  Reply order = Send(manager_, "PUT", "/api/v1/reports/members/definitions",
                     json{{"active_days", 100}, {"at_risk_days", 90}, {"lapsed_days", 365}, {"clv_max_years", 3}});
  EXPECT_EQ(order.status, 400);
  EXPECT_NE(order.FieldError("at_risk_days"), "");
  Reply unknown = Send(manager_, "PUT", "/api/v1/reports/members/definitions", json{{"active_days", 100}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.FieldError("lapsed_days"), "");
  Reply ok = Send(manager_, "PUT", "/api/v1/reports/members/definitions", wider);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json["updated_by"], "staff:chen.jing");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM audit_log WHERE action = 'report.member_definitions.update'")[0].Int(0), 1);
  // With 200 days active, m2 (last sale 188 days ago) becomes active; m3 (289 days: over 250,
  // not over 300) stays dormant.
  Reply rep = Get(owner_, "/api/v1/reports/members?from=2025-12-01&to=2025-12-20");
  ASSERT_EQ(rep.status, 200) << rep.body;
  EXPECT_EQ(rep.json["definitions"], wider);
  EXPECT_EQ(rep.json["status"]["active"], 3);
  EXPECT_EQ(rep.json["status"]["at_risk"], 0);
  EXPECT_EQ(rep.json["status"]["dormant"], 1);
  EXPECT_EQ(rep.json["status"]["lapsed"], 0);
}

// The groups of the members report (status, age bands and genders with their top genres) come
// from aggregates kept by every change of a member; here they are compared, after each kind of
// change, with what the members and member_genres rows say, computed here from the definitions.
struct GroupsExpectation {
  json status;
  std::map<std::string, std::array<int64_t, 4>> bands, genders;  // members, active, buyers, spend
  std::map<std::string, std::map<std::string, int64_t>> band_genres, gender_genres;
};

std::string AgeBand(const std::optional<std::string>& birthday, const std::string& to) {
  if (!birthday) return "unknown";
  int age = std::stoi(to.substr(0, 4)) - std::stoi(birthday->substr(0, 4));
  if (to.substr(5) < birthday->substr(5)) --age;  // no birthday yet this year
  for (auto [limit, name] : std::vector<std::pair<int, const char*>>{
           {18, "under_18"}, {25, "18_24"}, {35, "25_34"}, {45, "35_44"}, {55, "45_54"}, {65, "55_64"}})
    if (age < limit) return name;
  return "65_plus";
}

TEST_P(ReportsMembers, MemberGroupsFollowEveryChangeOfAMember) {
  History();
  auto expect_groups = [&](const std::string& to, std::optional<int64_t> store, int64_t active_days,
                           const std::string& step) {
    SCOPED_TRACE(step + " to " + to + (store ? " store " + std::to_string(*store) : ""));
    GroupsExpectation e;
    e.status = {{"total", 0}, {"active", 0}, {"at_risk", 0}, {"dormant", 0}, {"lapsed", 0}, {"never_bought", 0}};
    std::map<int64_t, std::pair<std::string, std::string>> group_of;
    for (const auto& r : Query("SELECT id, birthday, gender, home_store_id, visits, total_spend, last_visit_at "
                               "FROM members WHERE merged_into IS NULL AND erased_at IS NULL")
                             .rows) {
      if (store && r.OptInt(3) != store) continue;
      std::string band = AgeBand(r.OptText(1), to), gender = r.OptText(2).value_or("unknown");
      group_of[r.Int(0)] = {band, gender};
      std::optional<int64_t> last = r.OptInt(6);
      bool active = last && *last >= now_ - active_days * kDay;
      const char* k = !last ? "never_bought"
                      : active ? "active"
                      : *last >= now_ - 180 * kDay ? "at_risk"
                      : *last >= now_ - 365 * kDay ? "dormant"
                                                  : "lapsed";
      e.status[k] = e.status[k].get<int64_t>() + 1;
      e.status["total"] = e.status["total"].get<int64_t>() + 1;
      for (auto* g : {&e.bands[band], &e.genders[gender]}) {
        (*g)[0] += 1, (*g)[1] += active, (*g)[2] += r.Int(4) > 0, (*g)[3] += r.Int(5);
      }
    }
    for (const auto& r : Query("SELECT member_id, genre, spend FROM member_genres").rows) {
      auto it = group_of.find(r.Int(0));
      if (it == group_of.end()) continue;
      e.band_genres[it->second.first][r.Text(1)] += r.Int(2);
      e.gender_genres[it->second.second][r.Text(1)] += r.Int(2);
    }
    Reply d = Send(manager_, "PUT", "/api/v1/reports/members/definitions",
                   json{{"active_days", active_days}, {"at_risk_days", 180}, {"lapsed_days", 365}, {"clv_max_years", 5}});
    ASSERT_EQ(d.status, 200) << d.body;
    Reply rep = Get(manager_, "/api/v1/reports/members?from=2025-01-01&to=" + to +
                                  (store ? "&store_id=" + std::to_string(*store) : ""));
    ASSERT_EQ(rep.status, 200) << rep.body;
    EXPECT_EQ(rep.json["status"], e.status);
    auto compare = [](const json& rows, const char* key, auto& want, auto& genres) {
      for (const auto& row : rows) {
        std::string name = row[key];
        SCOPED_TRACE(name);
        auto w = want[name];
        EXPECT_EQ(row["members"], w[0]);
        EXPECT_EQ(row["active"], w[1]);
        EXPECT_EQ(row["buyers"], w[2]);
        EXPECT_EQ(row["total_spend"], w[3]);
        std::vector<std::pair<std::string, int64_t>> top(genres[name].begin(), genres[name].end());
        std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        json expected = json::array();
        int64_t sum = 0;
        for (const auto& [_, v] : top) sum += v;
        for (size_t i = 0; i < top.size() && i < 3; ++i)
          if (top[i].second > 0)
            expected.push_back({{"genre", top[i].first}, {"spend", top[i].second}, {"share", double(top[i].second) / double(sum)}});
        EXPECT_EQ(row["top_genres"], expected);
      }
    };
    compare(rep.json["age_bands"], "band", e.bands, e.band_genres);
    compare(rep.json["genders"], "gender", e.genders, e.gender_genres);
  };
  auto expect_all = [&](const std::string& step) {
    for (const std::string to : {"2025-12-20", "2025-12-21", "2025-05-17"})
      for (std::optional<int64_t> store : {std::optional<int64_t>(), std::optional<int64_t>(store_id_), std::optional<int64_t>(east_)})
        expect_groups(to, store, 90, step);
    auto found = service::CheckReports(app_->context());
    ASSERT_TRUE(found.ok()) << found.status().message();
    for (const auto& m : *found) ADD_FAILURE() << step << ": " << m.invariant << " " << m.subject;
  };
  expect_all("history");
  // Every last visit day as the active threshold, and the days either side: the day the
  // threshold falls in is counted from the members themselves.
  for (const auto& r : Query("SELECT DISTINCT last_visit_at FROM members WHERE last_visit_at IS NOT NULL").rows)
    for (int64_t shift : {-1, 0, 1}) {
      int64_t days = (now_ - r.Int(0)) / kDay + shift;
      if (days >= 1 && days < 180) expect_groups("2025-12-20", std::nullopt, days, "threshold " + std::to_string(days));
    }
  // m2 turns 25 on 2025-12-20 instead of the day after, and says he is "other"; m1 moves to EAST.
  Reply b = Send(manager_, "PATCH", "/api/v1/members/" + std::to_string(m2_), json{{"birthday", "2000-12-20"}, {"gender", "other"}});
  ASSERT_EQ(b.status, 200) << b.body;
  Reply h = Send(manager_, "PATCH", "/api/v1/members/" + std::to_string(m1_), json{{"home_store_id", east_}});
  ASSERT_EQ(h.status, 200) << h.body;
  expect_all("birthday, gender and home store changed");
  // m5 (under 18, one sale) is merged into m4 (never bought): m4 takes over the sale and genres.
  Reply merged = Send(manager_, "POST", "/api/v1/members/" + std::to_string(m4_) + "/merge",
                      json{{"duplicate_id", m5_}, {"reason", "same person"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  expect_all("merge");
  // A new sale and its return for m4, then m1 erased.
  Sell("2025-12-20", m4_, 1, 1);
  expect_all("sale");
  Reply erased = Send(owner_, "POST", "/api/v1/members/" + std::to_string(m1_) + "/erase", json{{"reason", "asked"}});
  ASSERT_EQ(erased.status, 200) << erased.body;
  expect_all("erasure");
  // A rebuild writes the same aggregates the changes left.
  Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context()); });
  ASSERT_TRUE(st.ok()) << st.message();
  expect_all("rebuild");
}

// ---- cohorts ---------------------------------------------------------------------------------

TEST_P(ReportsMembers, CohortsFollowEachJoinMonth) {
  History();
  Reply rep = Get(marketer_, "/api/v1/reports/cohorts?from=2025-01-01&to=2025-06-30");
  ASSERT_EQ(rep.status, 200) << rep.body;
  const json& cohorts = rep.json["cohorts"];
  ASSERT_EQ(cohorts.size(), 6u);
  std::map<int64_t, std::string> joined = {{m1_, "2025-01"}, {m2_, "2025-01"}, {m3_, "2025-03"}, {m4_, "2025-03"}, {m5_, "2025-11"}};
  // (cohort, month) → members active, visits, spend; from the raw sales and returns.
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> active;
  std::map<std::pair<std::string, std::string>, int64_t> visits, spend;
  std::map<int64_t, std::string> first;
  for (const auto& r : Query("SELECT member_id, business_day, net_total FROM sales WHERE member_id IS NOT NULL ORDER BY business_day").rows) {
    std::string month = r.Text(1).substr(0, 7);
    auto key = std::make_pair(joined[r.Int(0)], month);
    active[key].insert(r.Int(0));
    visits[key] += 1;
    spend[key] += r.Int(2);
    if (!first.count(r.Int(0))) first[r.Int(0)] = month;
  }
  for (const auto& r : Query("SELECT s.member_id, sr.business_day, rl.refund + rl.points_share FROM return_lines rl "
                             "JOIN sale_returns sr ON sr.id = rl.return_id JOIN sales s ON s.id = sr.sale_id").rows)
    spend[{joined[r.Int(0)], r.Text(1).substr(0, 7)}] -= r.Int(2);
  for (const auto& c : cohorts) {
    std::string cohort = c["cohort"];
    SCOPED_TRACE(cohort);
    int64_t size = 0;
    for (const auto& [_, jm] : joined) size += jm == cohort;
    EXPECT_EQ(c["size"], size);
    ASSERT_EQ(c["months"].size(), size_t(6 - (std::stoi(cohort.substr(5)) - 1)));
    for (const auto& m : c["months"]) {
      auto key = std::make_pair(cohort, m["month"].get<std::string>());
      SCOPED_TRACE(key.second);
      int64_t firsts = 0;
      for (int64_t id : active[key]) firsts += first[id] == key.second;
      EXPECT_EQ(m["active"], active[key].size());
      EXPECT_EQ(m["first_buyers"], firsts);
      EXPECT_EQ(m["visits"], visits[key]);
      EXPECT_EQ(m["spend"], spend[key]);
      EXPECT_DOUBLE_EQ(m["rate"].get<double>(), size ? double(active[key].size()) / double(size) : 0.0);
    }
  }
  // January's cohort (m1, m2): both bought in January or February, m1 again in March, m2 in June.
  EXPECT_EQ(cohorts[0]["size"], 2);
  EXPECT_EQ(cohorts[0]["buyers"], 2);
  EXPECT_EQ(cohorts[0]["months"][0]["active"], 1);
  EXPECT_EQ(cohorts[0]["months"][5]["active"], 1);
  // Offset 0 averages January (1 of 2) and March (1 of 2); February, April, May, June are empty.
  EXPECT_DOUBLE_EQ(rep.json["average_rates"][0]["rate"].get<double>(), 2.0 / 4.0);
  EXPECT_EQ(rep.json["average_rates"][0]["cohorts"], 6);

  // The same for the members of one store (m3 is EAST's): read from the members' months.
  Reply east = Get(marketer_, "/api/v1/reports/cohorts?from=2025-01-01&to=2025-06-30&store_id=" + std::to_string(east_));
  ASSERT_EQ(east.status, 200) << east.body;
  EXPECT_EQ(east.json["cohorts"][0]["size"], 0);
  EXPECT_EQ(east.json["cohorts"][2]["size"], 1);
  EXPECT_EQ(east.json["cohorts"][2]["months"][0]["active"], 1);
  EXPECT_EQ(east.json["cohorts"][2]["months"][0]["first_buyers"], 1);
  // m4 (the same cohort, MAIN's) never bought: the March cohort's spend is m3's alone.
  EXPECT_EQ(east.json["cohorts"][2]["months"][0]["spend"], (spend[{"2025-03", "2025-03"}]));
  // And MAIN's January cohort equals the chain's (both members are MAIN's).
  Reply main = Get(marketer_, "/api/v1/reports/cohorts?from=2025-01-01&to=2025-06-30&store_id=" + std::to_string(store_id_));
  ASSERT_EQ(main.status, 200) << main.body;
  EXPECT_EQ(main.json["cohorts"][0], cohorts[0]);
}

// Buyers of a cohort count each member once, from the month they joined: through a member who
// bought before joining, a merge (the survivor takes the earlier join day) and an erasure; per
// range, chain-wide and per store, against the members and sales themselves.
TEST_P(ReportsMembers, CohortBuyersCountEachMemberOnceFromTheJoinMonth) {
  History();
  // m6 (EAST) bought in February as a walk-in customer would, joined in April, bought in May.
  int64_t m6 = Member("13800000006", "2025-02-01", {{"home_store_id", east_}});
  Exec("UPDATE members SET joined_on = '2025-04-15' WHERE id = ?", {m6});
  Sell("2025-02-05", m6, 1, 0, east_);
  Sell("2025-05-10", m6, 0, 1, east_);
  // m7 (MAIN) joined and bought in May; m2 (January's cohort) is merged into m7, which then
  // joined in January. m5 (bought in December) is erased: their purchases still count.
  int64_t m7 = Member("13800000007", "2025-05-03", {{"home_store_id", store_id_}});
  Sell("2025-05-04", m7, 1, 0);
  At("2025-12-20");
  Reply merged = Send(manager_, "POST", "/api/v1/members/" + std::to_string(m7) + "/merge",
                      json{{"duplicate_id", m2_}, {"reason", "same person"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  Reply erased = Send(owner_, "POST", "/api/v1/members/" + std::to_string(m5_) + "/erase", json{{"reason", "asked"}});
  ASSERT_EQ(erased.status, 200) << erased.body;

  // Raw: each member's cohort and home store, and the months of their sales (a merged member's
  // sales are the survivor's).
  std::map<int64_t, int64_t> owner;
  std::map<int64_t, std::string> cohort_of;
  std::map<int64_t, int64_t> store_of;
  for (const auto& r : Query("SELECT id, merged_into, joined_on, home_store_id FROM members").rows) {
    owner[r.Int(0)] = r.IsNull(1) ? r.Int(0) : r.Int(1);
    if (r.IsNull(1)) cohort_of[r.Int(0)] = r.Text(2).substr(0, 7), store_of[r.Int(0)] = r.IsNull(3) ? 0 : r.Int(3);
  }
  std::map<int64_t, std::set<std::string>> bought;
  for (const auto& r : Query("SELECT member_id, business_day FROM sales WHERE member_id IS NOT NULL").rows)
    bought[owner[r.Int(0)]].insert(r.Text(1).substr(0, 7));
  EXPECT_EQ(cohort_of[m7], "2025-01");
  EXPECT_EQ(cohort_of[m6], "2025-04");

  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"2025-01-01", "2025-06-30"}, {"2025-01-01", "2025-12-20"}, {"2025-04-01", "2025-04-30"}, {"2025-02-01", "2025-05-31"}}) {
    for (int64_t store : {int64_t(0), store_id_, east_}) {
      SCOPED_TRACE(from + ".." + to + " store " + std::to_string(store));
      Reply rep = Get(marketer_, "/api/v1/reports/cohorts?from=" + from + "&to=" + to +
                                     (store ? "&store_id=" + std::to_string(store) : ""));
      ASSERT_EQ(rep.status, 200) << rep.body;
      const std::string last = to.substr(0, 7);
      for (const auto& c : rep.json["cohorts"]) {
        std::string cohort = c["cohort"];
        int64_t size = 0, buyers = 0;
        for (const auto& [id, joined] : cohort_of) {
          if (joined != cohort || (store && store_of[id] != store)) continue;
          size += 1;
          bool any = false;
          for (const auto& month : bought[id]) any = any || (month >= cohort && month <= last);
          buyers += any;
        }
        EXPECT_EQ(c["size"], size) << cohort;
        EXPECT_EQ(c["buyers"], buyers) << cohort;
      }
    }
  }
  // April's cohort is m6 alone: the February purchase is before joining, so over April alone
  // there is no buyer, and from April to May one.
  Reply april = Get(marketer_, "/api/v1/reports/cohorts?from=2025-04-01&to=2025-04-30");
  ASSERT_EQ(april.status, 200) << april.body;
  EXPECT_EQ(april.json["cohorts"][0]["size"], 1);
  EXPECT_EQ(april.json["cohorts"][0]["buyers"], 0);
  Reply spring = Get(marketer_, "/api/v1/reports/cohorts?from=2025-04-01&to=2025-05-31");
  ASSERT_EQ(spring.status, 200) << spring.body;
  EXPECT_EQ(spring.json["cohorts"][0]["buyers"], 1);
  auto found = service::CheckReports(app_->context());
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_TRUE(found->empty());
}

// ---- loyalty ---------------------------------------------------------------------------------

TEST_P(ReportsMembers, LoyaltyAgreesWithTheLedgers) {
  History();
  Reply rep = Get(owner_, "/api/v1/reports/loyalty?from=2025-01-01&to=2025-12-20");
  ASSERT_EQ(rep.status, 200) << rep.body;
  const json& j = rep.json;
  EXPECT_EQ(j["points_scope"], "chain");
  // Points per month from the ledger rows, by kind and sign.
  std::map<std::string, std::map<std::string, int64_t>> want;
  for (const auto& r : Query("SELECT at, kind, points FROM points_ledger").rows) {
    std::string month = ShanghaiDay(r.Int(0)).substr(0, 7);
    std::string kind = r.Text(1);
    int64_t p = r.Int(2);
    auto& m = want[month];
    if (kind == "earn") m["earned"] += p;
    else if (kind == "redeem") m["redeemed"] -= p;
    else if (kind == "expire") m["expired"] -= p;
    else if (kind == "adjust") (p > 0 ? m["adjusted_in"] : m["adjusted_out"]) += std::abs(p);
    else if (kind == "reverse") (p > 0 ? m["reversed_in"] : m["reversed_out"]) += std::abs(p);
    m["net"] += p;
  }
  ASSERT_EQ(j["points_months"].size(), 12u);
  std::map<std::string, int64_t> sums;
  for (const auto& row : j["points_months"]) {
    std::string month = row["month"];
    SCOPED_TRACE(month);
    for (const char* k : {"earned", "redeemed", "expired", "adjusted_in", "adjusted_out", "reversed_in", "reversed_out", "net"}) {
      EXPECT_EQ(row[k], want[month][k]) << k;
      sums[k] += want[month][k];
    }
    EXPECT_EQ(row["issued"], want[month]["earned"] + want[month]["adjusted_in"] + want[month]["reversed_in"]);
  }
  for (const auto& [k, v] : sums) EXPECT_EQ(j["points_totals"][k], v) << k;
  // The history has every kind: earning, the 500 redeemed, the 2000 and −100 adjustments, the
  // expiry job, and the return taking back the comic's points.
  EXPECT_EQ(sums["redeemed"], 500);
  EXPECT_EQ(sums["adjusted_in"], 2000);
  EXPECT_EQ(sums["adjusted_out"], 100);
  EXPECT_GT(sums["expired"], 0);
  EXPECT_GT(sums["reversed_out"], 0);

  // Outstanding points and their worth (100 points = ¥1.00).
  int64_t outstanding = 0, holders = 0;
  for (const auto& r : Query("SELECT member_id, SUM(points) FROM points_ledger GROUP BY member_id").rows)
    if (r.Int(1) > 0) outstanding += r.Int(1), holders += 1;
  EXPECT_EQ(j["outstanding"]["points"], outstanding);
  EXPECT_EQ(j["outstanding"]["members"], holders);
  EXPECT_EQ(j["outstanding"]["liability"], outstanding * 100 / 100);
  EXPECT_EQ(j["outstanding"]["per_points"], 100);
  EXPECT_EQ(j["outstanding"]["currency"], "CNY");

  // Tiers now and moves, from tier_history: m1 passed ¥100.00 and went up to silver.
  std::map<std::string, int64_t> tiers_now;
  for (const auto& r : Query("SELECT tier FROM members").rows) tiers_now[r.Text(0)] += 1;
  EXPECT_EQ(j["tiers"][0]["tier"], "regular");
  for (const auto& t : j["tiers"]) EXPECT_EQ(t["members"], tiers_now[t["tier"]]) << t["tier"];
  std::map<std::string, std::string> up;  // "from>to" is an upgrade in the program's order
  int64_t ups = 0;
  std::map<std::string, int64_t> moves_by_month;
  const std::vector<std::string> order = {"regular", "silver", "gold"};
  auto rank = [&](const std::string& t) { return std::find(order.begin(), order.end(), t) - order.begin(); };
  for (const auto& r : Query("SELECT day, from_tier, to_tier FROM tier_history").rows) {
    if (rank(r.Text(2)) > rank(r.Text(1))) ups += 1, moves_by_month[r.Text(0).substr(0, 7)] += 1;
  }
  EXPECT_GE(ups, 1);
  EXPECT_EQ(j["tier_totals"]["upgrades"], ups);
  for (const auto& m : j["tier_months"]) EXPECT_EQ(m["upgrades"], moves_by_month[m["month"]]) << m["month"];

  // Stored value: ¥100.00 topped up in March, ¥20.00 spent in November.
  int64_t liability = 0;
  std::map<std::string, int64_t> flows;
  for (const auto& r : Query("SELECT kind, amount, at FROM stored_value_ledger").rows) {
    liability += r.Int(1);
    flows[r.Text(0)] += r.Int(1);
  }
  EXPECT_EQ(j["stored_value"]["liability"], liability);
  EXPECT_EQ(liability, 8000);
  EXPECT_EQ(j["stored_value"]["members"], 1);
  EXPECT_EQ(j["stored_value"]["flows"]["topup"], flows["topup"]);
  EXPECT_EQ(j["stored_value"]["flows"]["spend"], -flows["spend"]);
  EXPECT_EQ(j["stored_value"]["flows"]["net"], liability);
  EXPECT_EQ(j["stored_value"]["months"][2]["topup"], 10000);
  EXPECT_EQ(j["stored_value"]["months"][10]["spend"], 2000);

  // A range that leaves out March has no top-up; the 2000 points came in November.
  Reply late = Get(owner_, "/api/v1/reports/loyalty?from=2025-04-01&to=2025-12-20");
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_EQ(late.json["stored_value"]["flows"]["topup"], 0);
  EXPECT_EQ(late.json["stored_value"]["flows"]["spend"], 2000);
  EXPECT_EQ(late.json["points_totals"]["adjusted_in"], 2000);
}

// Balances and tiers per home store, after stored-value top-ups and spending, points earned and
// adjusted, tier changes, a merge and an erasure: from the ledgers and the members' tiers.
TEST_P(ReportsMembers, LoyaltyBalancesPerStoreAgreeWithTheLedgers) {
  History();
  At("2025-12-20");
  std::string m3 = "/api/v1/members/" + std::to_string(m3_);
  Reply top = Send(east_cashier_, "POST", m3 + "/stored-value/top-ups", json{{"amount", 5000}, {"payment_method", "cash"}});
  ASSERT_EQ(top.status, 201) << top.body;
  Sell("2025-12-20", m3_, 1, 1, east_, 0, 1500);
  Reply adj = Send(manager_, "POST", m3 + "/points/adjustments", json{{"points", 700}, {"reason", "会员日赠送"}});
  ASSERT_EQ(adj.status, 201) << adj.body;
  int64_t m6 = Member("13800000006", "2025-12-20", {{"home_store_id", east_}});
  Sell("2025-12-20", m6, 15, 0, east_);
  Sell("2025-12-20", m6, 10, 0, east_);  // ¥1,250.00 in all: gold at the till
  Reply merged = Send(manager_, "POST", "/api/v1/members/" + std::to_string(m1_) + "/merge",
                      json{{"duplicate_id", m2_}, {"reason", "same person"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  Reply erased = Send(owner_, "POST", "/api/v1/members/" + std::to_string(m5_) + "/erase", json{{"reason", "asked"}});
  ASSERT_EQ(erased.status, 200) << erased.body;

  std::map<int64_t, int64_t> points, value;
  for (const auto& r : Query("SELECT member_id, SUM(points) FROM points_ledger GROUP BY member_id").rows) points[r.Int(0)] = r.Int(1);
  for (const auto& r : Query("SELECT member_id, SUM(amount) FROM stored_value_ledger GROUP BY member_id").rows) value[r.Int(0)] = r.Int(1);
  struct Want {
    int64_t outstanding = 0, holders = 0, liability = 0, sv_holders = 0;
    std::map<std::string, int64_t> tiers;
  };
  std::map<int64_t, Want> want;  // 0: the chain
  for (const auto& r : Query("SELECT id, home_store_id, tier FROM members WHERE merged_into IS NULL AND erased_at IS NULL").rows) {
    for (int64_t key : {int64_t(0), r.IsNull(1) ? int64_t(-1) : r.Int(1)}) {
      Want& w = want[key];
      int64_t p = points[r.Int(0)], v = value[r.Int(0)];
      w.outstanding += p, w.holders += p > 0, w.liability += v, w.sv_holders += v > 0;
      w.tiers[r.Text(2)] += 1;
    }
  }
  EXPECT_GT(want[east_].liability, 0);
  EXPECT_EQ(want[east_].tiers["gold"], 1);
  for (int64_t store : {int64_t(0), store_id_, east_}) {
    SCOPED_TRACE("store " + std::to_string(store));
    Reply rep = Get(owner_, std::string("/api/v1/reports/loyalty?from=2025-01-01&to=2025-12-20") +
                                (store ? "&store_id=" + std::to_string(store) : ""));
    ASSERT_EQ(rep.status, 200) << rep.body;
    const Want& w = want[store];
    EXPECT_EQ(rep.json["outstanding"]["points"], w.outstanding);
    EXPECT_EQ(rep.json["outstanding"]["members"], w.holders);
    EXPECT_EQ(rep.json["stored_value"]["liability"], w.liability);
    EXPECT_EQ(rep.json["stored_value"]["members"], w.sv_holders);
    int64_t members = 0;
    for (const auto& t : rep.json["tiers"]) {
      EXPECT_EQ(t["members"], w.tiers.count(t["tier"]) ? w.tiers.at(t["tier"]) : 0) << t["tier"];
      members += t["members"].get<int64_t>();
    }
    int64_t total = 0;
    for (const auto& [_, n] : w.tiers) total += n;
    EXPECT_EQ(members, total);
  }
}

// ---- RFM -------------------------------------------------------------------------------------

// The documented rules, first match wins.
std::string SegmentFor(int r, int f, int m) {
  if (r >= 4 && f >= 4 && m >= 4) return "champions";
  if (r >= 3 && f >= 4) return "loyal";
  if (r <= 2 && f >= 4 && m >= 4) return "cant_lose_them";
  if (r <= 2 && f >= 3) return "at_risk";
  if (r >= 4 && f >= 2) return "potential_loyalists";
  if (r == 5) return "new_customers";
  if (r == 4) return "promising";
  if (r == 3 && f >= 2) return "need_attention";
  if (r == 3) return "about_to_sleep";
  if (r == 2) return "hibernating";
  return "lost";
}

TEST_P(ReportsMembers, RfmScoresQuintilesAndNamesSegments) {
  At("2025-12-20");
  // Ten hand-made buyers (visits, spend and last purchase as checkout keeps them), one member who
  // never bought, one erased and one merged away: only the ten are scored.
  struct Hand {
    int64_t days_ago, visits, spend;
    int64_t store;
  };
  std::vector<Hand> hands = {{2, 30, 900000, 0},  {5, 12, 300000, 0}, {10, 1, 5000, 0},   {20, 2, 20000, 0},
                             {40, 8, 150000, 1},  {70, 1, 3000, 0},   {150, 25, 800000, 0}, {200, 3, 40000, 1},
                             {400, 1, 2000, 0},   {700, 2, 9000, 0}};
  std::vector<int64_t> ids;
  for (size_t i = 0; i < hands.size(); ++i) {
    Reply m = Send(cashier_, "POST", "/api/v1/members",
                   json{{"phone", "1390000" + std::to_string(1000 + i)},
                        {"home_store_id", hands[i].store ? east_ : store_id_},
                        {"consent_email", i % 2 == 0}});
    ASSERT_EQ(m.status, 201) << m.body;
    ids.push_back(m.json["id"]);
    Exec("UPDATE members SET visits = ?, total_spend = ?, last_visit_at = ?, joined_on = '2024-01-05' WHERE id = ?",
         {hands[i].visits, hands[i].spend, now_ - hands[i].days_ago * kDay - 3600000, ids.back()});
  }
  Reply never = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13900009990"}});
  ASSERT_EQ(never.status, 201);
  Reply gone = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13900009991"}});
  ASSERT_EQ(gone.status, 201);
  Exec("UPDATE members SET visits = 50, total_spend = 9999999, last_visit_at = ?, erased_at = ? WHERE id = ?",
       {now_.load(), now_.load(), gone.json["id"].get<int64_t>()});

  // Cut points: the ⌈i·10/5⌉ = 2nd, 4th, 6th and 8th smallest values.
  auto cuts = [&](auto value) {
    std::vector<int64_t> v;
    for (const auto& h : hands) v.push_back(value(h));
    std::sort(v.begin(), v.end());
    return std::vector<int64_t>{v[1], v[3], v[5], v[7]};
  };
  auto last_at = [&](const Hand& h) { return now_ - h.days_ago * kDay - 3600000; };
  auto rc = cuts(last_at);
  auto fc = cuts([](const Hand& h) { return h.visits; });
  auto mc = cuts([](const Hand& h) { return h.spend; });
  auto score = [](int64_t v, const std::vector<int64_t>& c) {
    int s = 1;
    for (int64_t x : c) s += v > x;
    return s;
  };
  std::map<std::string, std::pair<int64_t, int64_t>> want;  // segment → members, revenue
  std::map<std::string, std::set<int64_t>> members_of;
  int64_t revenue = 0;
  for (size_t i = 0; i < hands.size(); ++i) {
    std::string seg = SegmentFor(score(last_at(hands[i]), rc), score(hands[i].visits, fc), score(hands[i].spend, mc));
    want[seg].first += 1;
    want[seg].second += hands[i].spend;
    members_of[seg].insert(ids[i]);
    revenue += hands[i].spend;
  }
  // The hand-made members land where a marketer would put them.
  EXPECT_TRUE(members_of["champions"].count(ids[0]));   // 2 days, 30 visits, ¥9,000
  EXPECT_TRUE(members_of["cant_lose_them"].count(ids[6]));  // 150 days, 25 visits, ¥8,000
  EXPECT_TRUE(members_of["lost"].count(ids[9]));         // 700 days, 2 visits
  EXPECT_TRUE(members_of["promising"].count(ids[2]));  // 10 days, 1 visit
  EXPECT_TRUE(members_of["loyal"].count(ids[4]));      // 40 days, 8 visits
  EXPECT_TRUE(members_of["at_risk"].count(ids[7]));    // 200 days, 3 visits

  Reply rep = Get(marketer_, "/api/v1/reports/rfm");
  ASSERT_EQ(rep.status, 200) << rep.body;
  const json& j = rep.json;
  EXPECT_EQ(j["scope"], "all_time");
  EXPECT_EQ(j["scored_members"], 10);
  EXPECT_EQ(j["revenue"], revenue);
  EXPECT_EQ(j["cut_points"]["frequency"], fc);
  EXPECT_EQ(j["cut_points"]["monetary"], mc);
  ASSERT_EQ(j["segments"].size(), 11u);
  int64_t counted = 0;
  for (const auto& s : j["segments"]) {
    std::string name = s["segment"];
    SCOPED_TRACE(name);
    EXPECT_EQ(s["members"], want[name].first);
    EXPECT_EQ(s["revenue"], want[name].second);
    EXPECT_DOUBLE_EQ(s["share"].get<double>(), double(want[name].first) / 10.0);
    counted += s["members"].get<int64_t>();
  }
  EXPECT_EQ(counted, 10);
  int64_t grid = 0;
  for (const auto& c : j["grid"]) grid += c["members"].get<int64_t>();
  EXPECT_EQ(grid, 10);
  // CLV: Σ spend / Σ visits × (Σ visits / member-years) × min(5, 1 / churn). Every member joined
  // in January 2024: 24 months to December 2025; lapsed (over 365 days) are 2 of 10.
  int64_t visits = 0;
  for (const auto& h : hands) visits += h.visits;
  double aov = double(revenue) / double(visits), per_year = double(visits) / (10.0 * 24.0 / 12.0);
  EXPECT_EQ(j["clv"]["average_order_value"], int64_t(aov));
  EXPECT_DOUBLE_EQ(j["clv"]["purchases_per_year"].get<double>(), per_year);
  EXPECT_DOUBLE_EQ(j["clv"]["churn_rate"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(j["clv"]["expected_lifetime_years"].get<double>(), 5.0);
  EXPECT_EQ(j["clv"]["clv"], int64_t(aov * per_year * 5.0));

  // Per store: chain-wide scores, only EAST's members counted.
  Reply east = Get(marketer_, "/api/v1/reports/rfm?store_id=" + std::to_string(east_));
  ASSERT_EQ(east.status, 200) << east.body;
  EXPECT_EQ(east.json["scored_members"], 2);
  EXPECT_EQ(east.json["revenue"], 150000 + 40000);

  // Each segment's member list holds exactly its members, page by page.
  for (const auto& [seg, expected] : members_of) {
    SCOPED_TRACE(seg);
    std::set<int64_t> got;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
      Reply l = Get(marketer_, "/api/v1/reports/rfm/members?limit=1&segment=" + seg + (cursor.empty() ? "" : "&cursor=" + cursor));
      ASSERT_EQ(l.status, 200) << l.body;
      for (const auto& m : l.json["items"]) {
        got.insert(m["id"].get<int64_t>());
        EXPECT_EQ(m["segment"], seg);
        EXPECT_EQ(SegmentFor(m["r"], m["f"], m["m"]), seg);
      }
      if (l.json["next_cursor"].is_null()) break;
      cursor = l.json["next_cursor"];
    }
    EXPECT_EQ(got, expected);
  }
  Reply by_spend = Get(marketer_, "/api/v1/reports/rfm/members?segment=champions&sort=-total_spend");
  ASSERT_EQ(by_spend.status, 200) << by_spend.body;
  ASSERT_FALSE(by_spend.json["items"].empty());
  EXPECT_EQ(by_spend.json["items"][0]["id"], ids[0]);
  EXPECT_EQ(by_spend.json["items"][0]["total_spend"], 900000);
  EXPECT_EQ(by_spend.json["items"][0]["days_since_last_purchase"], 2);
  EXPECT_EQ(by_spend.json["items"][0]["consent_email"], true);
  Reply east_list = Get(marketer_, "/api/v1/reports/rfm/members?segment=" + SegmentFor(score(last_at(hands[4]), rc), score(8, fc), score(150000, mc)) +
                                       "&store_id=" + std::to_string(east_));
  ASSERT_EQ(east_list.status, 200) << east_list.body;
  for (const auto& m : east_list.json["items"]) EXPECT_EQ(m["home_store_id"], east_);
  EXPECT_FALSE(east_list.json["items"].empty());

  // With many members who never bought (here one with a high id), SQLite reads the scored
  // members through their partial index instead of scanning the table: the same answers.
  Exec("INSERT INTO members (id, card_number, phone, phone_last4, created_at, updated_at) "
       "VALUES (100000, 'C100000', '+8613900100000', '0000', 0, 0)");
  for (const std::string& path : {std::string("/api/v1/reports/rfm"), "/api/v1/reports/rfm?store_id=" + std::to_string(east_)}) {
    Reply before = path == "/api/v1/reports/rfm" ? rep : east;
    Reply after = Get(marketer_, path);
    ASSERT_EQ(after.status, 200) << after.body;
    before.json.erase("generated_at");
    after.json.erase("generated_at");
    EXPECT_EQ(after.json, before.json) << path;
  }
}

// ---- exports, bad input, roles ---------------------------------------------------------------

TEST_P(ReportsMembers, ExportsCsvAndXlsx) {
  History();
  Reply csv = Get(owner_, "/api/v1/reports/members?from=2025-01-01&to=2025-12-20&format=csv&lang=en");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.content_type.find("text/csv"), std::string::npos);
  EXPECT_NE(csv.Header("Content-Disposition").find("members-2025-01-01-2025-12-20.csv"), std::string::npos);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);  // BOM
  // Header plus the 12 months; December: m1 and m5 bought.
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 13);
  EXPECT_NE(csv.body.find("2025-12,0,2,1,1,2"), std::string::npos) << csv.body;
  for (const char* report : {"rfm", "cohorts", "loyalty"}) {
    SCOPED_TRACE(report);
    Reply x = Get(owner_, std::string("/api/v1/reports/") + report + "?from=2025-01-01&to=2025-12-20&format=xlsx");
    ASSERT_EQ(x.status, 200) << x.body;
    EXPECT_NE(x.content_type.find("spreadsheetml"), std::string::npos);
    EXPECT_EQ(x.body.rfind("PK", 0), 0u);  // a zip
    EXPECT_NE(x.Header("Content-Disposition").find(std::string(report) + "-2025-01-01-2025-12-20.xlsx"), std::string::npos);
    Reply c = Get(owner_, std::string("/api/v1/reports/") + report + "?from=2025-01-01&to=2025-12-20&format=csv");
    ASSERT_EQ(c.status, 200) << c.body;
    EXPECT_GT(std::count(c.body.begin(), c.body.end(), '\n'), 1);
  }
  Reply loyal = Get(owner_, "/api/v1/reports/loyalty?from=2025-03-01&to=2025-03-31&format=csv&lang=en");
  ASSERT_EQ(loyal.status, 200);
  EXPECT_NE(loyal.body.find("2025-03"), std::string::npos);
  EXPECT_NE(loyal.body.find("Adjusted in"), std::string::npos);
}

TEST_P(ReportsMembers, BadInputAnswers400WithDetails) {
  At("2025-12-20");
  for (const char* report : {"members", "rfm", "cohorts", "loyalty"}) {
    SCOPED_TRACE(report);
    std::string base = std::string("/api/v1/reports/") + report;
    Reply bad_date = Get(owner_, base + "?from=2025-02-30");
    EXPECT_EQ(bad_date.status, 400);
    EXPECT_NE(bad_date.FieldError("from"), "");
    Reply reversed = Get(owner_, base + "?from=2025-12-01&to=2025-11-01");
    EXPECT_EQ(reversed.status, 400);
    EXPECT_NE(reversed.FieldError("from") + reversed.FieldError("to"), "");
    Reply too_long = Get(owner_, base + "?from=2020-01-01&to=2025-12-01");
    EXPECT_EQ(too_long.status, 400);
    Reply store = Get(owner_, base + "?store_id=99999");
    EXPECT_EQ(store.status, 400);
    EXPECT_NE(store.FieldError("store_id"), "");
    Reply format = Get(owner_, base + "?format=pdf");
    EXPECT_EQ(format.status, 400);
    EXPECT_NE(format.FieldError("format"), "");
  }
  Reply seg = Get(owner_, "/api/v1/reports/rfm/members?segment=whales");
  EXPECT_EQ(seg.status, 400);
  EXPECT_NE(seg.FieldError("segment"), "");
  Reply none = Get(owner_, "/api/v1/reports/rfm/members");
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.FieldError("segment"), "");
  Reply store = Get(owner_, "/api/v1/reports/rfm/members?segment=lost&store_id=99999");
  EXPECT_EQ(store.status, 400);
  EXPECT_NE(store.FieldError("store_id"), "");
  EXPECT_EQ(Get(owner_, "/api/v1/reports/rfm/members?segment=lost&limit=0").status, 400);
  EXPECT_EQ(Get(owner_, "/api/v1/reports/rfm/members?segment=lost&sort=phone").status, 400);
}

TEST_P(ReportsMembers, OwnersManagersAndMarketersReadCashiersDoNot) {
  At("2025-12-20");
  for (const char* path : {"/api/v1/reports/members", "/api/v1/reports/rfm", "/api/v1/reports/rfm/members?segment=lost",
                           "/api/v1/reports/cohorts", "/api/v1/reports/loyalty"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Get(owner_, path).status, 200);
    EXPECT_EQ(Get(manager_, path).status, 200);
    EXPECT_EQ(Get(marketer_, path).status, 200);
    EXPECT_EQ(Get(cashier_, path).status, 403);
    EXPECT_EQ(Get(Caller{}, path).status, 401);
  }
  // An empty database answers zeros, not errors.
  Reply rfm = Get(owner_, "/api/v1/reports/rfm");
  EXPECT_EQ(rfm.json["scored_members"], 0);
  EXPECT_EQ(rfm.json["clv"]["clv"], 0);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ReportsMembers);

}  // namespace
}  // namespace shuyou::test
