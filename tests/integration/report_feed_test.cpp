// The report aggregates (service/report_feed.h) on both engines: sales through the real checkout
// API at chosen local times in two stores, with members and walk-ins, costs on some products, a
// coupon, points, a partial return and a void. Every aggregate table must equal what this test
// computes itself from the raw rows (Shanghai is UTC+8 all year, so the local hour is worked out
// here without the zone code), a rebuild must give exactly the rows the feed wrote, `check` must
// find a tampered row, history arriving out of order must keep first_buyers right, and a member
// merge must keep the cohorts right.
#include <chrono>

#include "service/check.h"
#include "service/report_feed.h"
#include "support/api_client.h"
#include "support/process.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
using Table = std::map<std::vector<std::string>, std::vector<int64_t>>;

constexpr int64_t kHourMs = 3'600'000;

// A visit month of report_member_months as a number: 'YYYY-MM' → YYYYMM, '' → 0, NULL → -1.
int64_t MonthCode(const std::optional<std::string>& month) {
  if (!month) return -1;
  if (month->empty()) return 0;
  return std::stoll(month->substr(0, 4)) * 100 + std::stoll(month->substr(5, 2));
}
constexpr int64_t kShanghaiMs = 8 * kHourMs;

// UTC epoch ms of a local time in Shanghai.
int64_t Local(int y, unsigned mo, unsigned d, int h, int mi) {
  using namespace std::chrono;
  int64_t days = sys_days(year{y} / month{mo} / day{d}).time_since_epoch().count();
  return days * 86'400'000 + h * kHourMs + mi * 60'000 - kShanghaiMs;
}

// The Shanghai day and hour of a UTC instant, by arithmetic.
std::pair<std::string, int64_t> DayHour(int64_t utc_ms) {
  using namespace std::chrono;
  int64_t local = utc_ms + kShanghaiMs;
  int64_t days = local / 86'400'000;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return {buf, (local % 86'400'000) / kHourMs};
}

const char* const kTables[] = {"report_sales_hourly", "report_items_daily", "report_items_monthly",
                               "report_member_months", "report_cohorts",    "report_points_daily"};
// The member-group aggregates (service/report_member_groups.h), rebuilt from members rather than sales.
const char* const kGroupTables[] = {"report_member_groups", "report_member_visit_days", "report_member_genres",
                                    "report_member_genre_days"};

class ReportFeed : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    ASSERT_EQ(app_->context().settings.timezone, "Asia/Shanghai");
    At(Local(2026, 8, 1, 9, 0));
    Reply east = Send(owner_, "POST", "/api/v1/stores", json{{"code", "EAST"}, {"name", "东区店"}});
    ASSERT_EQ(east.status, 201) << east.body;
    east_ = east.json["id"];
    cashier_id_ = MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    east_cashier_id_ = MakeStaff("zhao.lei", "cashier", east_);
    east_cashier_ = Login("zhao.lei", "correct-horse-battery");
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    Reply cat = Send(owner_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}, {"name_en", "Fiction"}});
    ASSERT_EQ(cat.status, 201) << cat.body;
    // A: costed fiction; B: no cost, no genre; C: costed fiction.
    book_a_ = Product("9787020002207", "红楼梦", 5990, cat.json["id"], 3500);
    book_b_ = Product("9787532744510", "挪威的森林", 3600, nullptr, std::nullopt);
    book_c_ = Product("9787544253994", "百年孤独", 2500, cat.json["id"], 1000);
    for (int64_t store : {store_id_, east_})
      for (int64_t p : {book_a_, book_b_, book_c_}) {
        Reply r = Send(owner_, "POST", "/api/v1/stock/receipts",
                       json{{"store_id", store}, {"lines", {{{"product_id", p}, {"quantity", 50}}}}});
        ASSERT_EQ(r.status, 201) << r.body;
      }
    ASSERT_TRUE(db_->Write([](store::Tx& tx) {
                     return tx.Exec("INSERT INTO coupons (code, name, kind, amount, threshold, created_at, updated_at) "
                                    "VALUES ('MAN100JIAN20', '满100减20', 'spend_get', 2000, 10000, 0, 0)")
                         .status();
                   }).ok());
  }

  // Travels to `utc_ms` and signs everyone in again there (sessions last 12 hours).
  void At(int64_t utc_ms) {
    clock_offset_ms_ = utc_ms - service::SystemNowMs();
    owner_ = Login("owner", "correct-horse-battery");
    if (cashier_id_) cashier_ = Login("li.ming", "correct-horse-battery");
    if (east_cashier_id_) east_cashier_ = Login("zhao.lei", "correct-horse-battery");
    if (!manager_.cookie.empty()) manager_ = Login("chen.jing", "correct-horse-battery");
  }

  int64_t Product(const std::string& isbn, const std::string& title, int64_t price, json category,
                  std::optional<int64_t> cost) {
    json body{{"isbn", isbn}, {"title", title}, {"list_price", price}};
    if (!category.is_null()) body["category_id"] = category;
    if (cost) body["cost"] = *cost;
    Reply r = Send(owner_, "POST", "/api/v1/products", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  int64_t Register(const std::string& phone, int64_t utc_ms) {
    At(utc_ms);
    Reply m = Send(owner_, "POST", "/api/v1/members", json{{"phone", phone}, {"name", "会员" + phone.substr(7)}});
    EXPECT_EQ(m.status, 201) << m.body;
    home_ = m.json["home_store_id"].is_null() ? "0" : std::to_string(m.json["home_store_id"].get<int64_t>());
    return m.json.value("id", int64_t(0));
  }

  // One sale at `utc_ms`: lines {product, quantity}, paid in cash (enough for any basket here).
  json Sell(const Caller& who, int64_t store, std::optional<int64_t> member,
            const std::vector<std::pair<int64_t, int64_t>>& lines, int64_t utc_ms, bool coupon = false,
            int64_t points = 0) {
    At(utc_ms);
    json body{{"store_id", store}, {"payments", {{{"method", "cash"}, {"amount", 100000}}}}};
    if (member) body["member_id"] = *member;
    for (auto [p, q] : lines) body["lines"].push_back({{"product_id", p}, {"quantity", q}});
    if (coupon) body["coupon_codes"] = {"MAN100JIAN20"};
    if (points) body["points_to_redeem"] = points;
    Reply r = Send(who, "POST", "/api/v1/sales", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  }

  // report_member_months: visits, spend, store_id, then the visit months as YYYYMM (0 for '',
  // -1 for NULL). report_cohorts: keyed by store_id, cohort, month.
  Table Stored(const std::string& table) {
    Table out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      const bool months = table == "report_member_months";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(months ? "SELECT member_id, month, visits, spend, store_id, prev_visit_month, "
                                                      "next_visit_month FROM report_member_months"
                                                    : "SELECT * FROM " + table));
      size_t keys = table == "report_member_months" || table == "report_points_daily"               ? 2
                    : table == "report_member_groups" || table == "report_cohorts" ? 3
                                                                                                       : 4;
      for (const auto& r : rows.rows) {
        std::vector<std::string> k;
        std::vector<int64_t> v;
        for (size_t i = 0; i < r.cols.size(); ++i) {
          if (i < keys) k.push_back(r.Text(i));
          else if (months && i >= 5) v.push_back(MonthCode(r.OptText(i)));
          else v.push_back(r.Int(i));
        }
        out[k] = v;
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  std::map<std::string, Table> AllStored() {
    std::map<std::string, Table> all;
    for (const char* t : kTables) all[t] = Stored(t);
    return all;
  }

  // Every aggregate computed here from the raw rows, row by row in C++.
  std::map<std::string, Table> Expected() {
    std::map<std::string, Table> e;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      struct SaleRow {
        int64_t at, store, staff;
        std::optional<int64_t> member;
        std::string day;
      };
      std::map<int64_t, SaleRow> sales;
      std::map<int64_t, int64_t> owner;  // member → the member it was merged into, or itself
      std::map<int64_t, std::string> joined;
      std::map<int64_t, int64_t> home;  // member → home store, 0 for none
      SY_ASSIGN_OR_RETURN(auto ms, tx.Exec("SELECT id, merged_into, joined_on, home_store_id FROM members"));
      for (const auto& r : ms.rows) {
        owner[r.Int(0)] = r.IsNull(1) ? r.Int(0) : r.Int(1);
        joined[r.Int(0)] = r.Text(2);
        home[r.Int(0)] = r.IsNull(3) ? 0 : r.Int(3);
      }
      SY_ASSIGN_OR_RETURN(auto ss, tx.Exec("SELECT id, at, business_day, store_id, staff_id, member_id, subtotal, "
                                           "discount_total, net_total FROM sales"));
      auto add = [](std::vector<int64_t>& v, size_t n, size_t i, int64_t x) {
        if (v.empty()) v.assign(n, 0);
        v[i] += x;
      };
      std::map<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>> months;  // (member, month) → visits, spend
      for (const auto& r : ss.rows) {
        auto [day, hour] = DayHour(r.Int(1));
        EXPECT_EQ(day, r.Text(2)) << "sale " << r.Int(0);
        SaleRow s{r.Int(1), r.Int(3), r.Int(4), r.OptInt(5), day};
        sales[r.Int(0)] = s;
        auto& h = e["report_sales_hourly"][{day, r.Text(3), std::to_string(hour), r.Text(4)}];
        bool m = s.member.has_value();
        add(h, 14, 0, 1);
        add(h, 14, 1, m);
        add(h, 14, 3, r.Int(6));
        add(h, 14, 4, r.Int(7));
        add(h, 14, 5, r.Int(8));
        add(h, 14, 6, m ? r.Int(8) : 0);
        if (m) {
          auto& mm = months[{owner[*s.member], day.substr(0, 7)}];
          mm.first += 1;
          mm.second += r.Int(8);
        }
      }
      struct LineRow {
        int64_t sale, product;
        std::string genre;
        std::optional<int64_t> cost;
      };
      std::map<int64_t, LineRow> lines;
      SY_ASSIGN_OR_RETURN(auto ls, tx.Exec("SELECT id, sale_id, product_id, genre, quantity, net, unit_cost FROM sale_lines"));
      for (const auto& r : ls.rows) {
        const SaleRow& s = sales.at(r.Int(1));
        lines[r.Int(0)] = {r.Int(1), r.Int(2), r.Text(3), r.OptInt(6)};
        auto hour = DayHour(s.at).second;
        auto& h = e["report_sales_hourly"][{s.day, std::to_string(s.store), std::to_string(hour), std::to_string(s.staff)}];
        int64_t q = r.Int(4), net = r.Int(5);
        int64_t cost = r.IsNull(6) ? 0 : r.Int(6) * q, cnet = r.IsNull(6) ? 0 : net;
        add(h, 14, 2, q);
        add(h, 14, 7, cost);
        add(h, 14, 8, cnet);
        for (const char* t : {"report_items_daily", "report_items_monthly"}) {
          std::string period = std::string(t) == "report_items_daily" ? s.day : s.day.substr(0, 7);
          auto& it = e[t][{period, std::to_string(s.store), r.Text(2), r.Text(3)}];
          add(it, 9, 0, 1);
          add(it, 9, 1, q);
          add(it, 9, 2, net);
          add(it, 9, 3, cost);
          add(it, 9, 4, cnet);
        }
      }
      std::map<int64_t, std::tuple<int64_t, std::string, int64_t, int64_t, int64_t>> rets;  // at, day, store, staff, sale
      SY_ASSIGN_OR_RETURN(auto rs, tx.Exec("SELECT id, at, business_day, store_id, staff_id, sale_id FROM sale_returns"));
      for (const auto& r : rs.rows) {
        auto [day, hour] = DayHour(r.Int(1));
        EXPECT_EQ(day, r.Text(2));
        rets[r.Int(0)] = {r.Int(1), day, r.Int(3), r.Int(4), r.Int(5)};
        add(e["report_sales_hourly"][{day, r.Text(3), std::to_string(hour), r.Text(4)}], 14, 9, 1);
      }
      SY_ASSIGN_OR_RETURN(auto rls, tx.Exec("SELECT return_id, sale_line_id, quantity, refund, points_share FROM return_lines"));
      for (const auto& r : rls.rows) {
        auto [at, day, store, staff, sale] = rets.at(r.Int(0));
        const LineRow& l = lines.at(r.Int(1));
        int64_t q = r.Int(2), net = r.Int(3) + r.Int(4);
        int64_t cost = l.cost ? *l.cost * q : 0, cnet = l.cost ? net : 0;
        auto& h = e["report_sales_hourly"][{day, std::to_string(store), std::to_string(DayHour(at).second), std::to_string(staff)}];
        add(h, 14, 10, q);
        add(h, 14, 11, net);
        add(h, 14, 12, cost);
        add(h, 14, 13, cnet);
        for (const char* t : {"report_items_daily", "report_items_monthly"}) {
          std::string period = std::string(t) == "report_items_daily" ? day : day.substr(0, 7);
          auto& it = e[t][{period, std::to_string(store), std::to_string(l.product), l.genre}];
          add(it, 9, 5, q);
          add(it, 9, 6, net);
          add(it, 9, 7, cost);
          add(it, 9, 8, cnet);
        }
        if (auto m = sales.at(sale).member) months[{owner[*m], day.substr(0, 7)}].second -= net;
      }
      std::map<int64_t, std::string> first;   // member → first month with a visit
      std::map<int64_t, std::string> joiner;  // member → first month with a visit on or after joining
      // Visit-month links: the member's months with a visit, in order (months is ordered by
      // member, then month).
      std::map<int64_t, std::vector<std::pair<std::string, int64_t>>> visited;  // member → (month, visits)
      for (const auto& [k, v] : months)
        if (v.first > 0) visited[k.first].push_back({k.second, v.first});
      for (const auto& [k, v] : months) {
        int64_t prev = -1, next = -1;
        const auto& list = visited[k.first];
        for (size_t i = 0; i < list.size(); ++i) {
          if (list[i].first != k.second) continue;
          prev = i == 0 ? 0 : MonthCode(list[i - 1].first);
          next = list[i].second >= 2 ? MonthCode(list[i].first) : i + 1 < list.size() ? MonthCode(list[i + 1].first) : 0;
        }
        e["report_member_months"][{std::to_string(k.first), k.second}] = {v.first, v.second, home.at(k.first), prev, next};
        if (v.first > 0 && (first[k.first].empty() || k.second < first[k.first])) first[k.first] = k.second;
        if (v.first > 0 && k.second >= joined.at(k.first).substr(0, 7) &&
            (joiner[k.first].empty() || k.second < joiner[k.first]))
          joiner[k.first] = k.second;
      }
      for (const auto& [k, v] : months) {
        auto& c = e["report_cohorts"][{std::to_string(home.at(k.first)), joined.at(k.first).substr(0, 7), k.second}];
        add(c, 5, 0, v.first > 0);
        add(c, 5, 1, first[k.first] == k.second);
        add(c, 5, 2, v.first);
        add(c, 5, 3, v.second);
        add(c, 5, 4, joiner[k.first] == k.second);
      }
      SY_ASSIGN_OR_RETURN(auto ps, tx.Exec("SELECT at, kind, points FROM points_ledger"));
      for (const auto& r : ps.rows) {
        auto& p = e["report_points_daily"][{DayHour(r.Int(0)).first, r.Text(1)}];
        add(p, 3, r.Int(2) > 0 ? 0 : 1, r.Int(2) > 0 ? r.Int(2) : -r.Int(2));
        add(p, 3, 2, 1);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    for (const char* t : kTables) e[t];  // every table present, even when empty
    return e;
  }

  void ExpectAggregatesMatchRawRows() {
    auto expected = Expected();
    auto stored = AllStored();
    for (const char* t : kTables) EXPECT_EQ(stored[t], expected[t]) << t;
  }

  void ExpectRebuildGivesTheSameRows() {
    auto before = AllStored();
    for (const char* t : kGroupTables) before[t] = Stored(t);
    service::RebuildStats stats;
    Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context(), &stats); });
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(stats.rows.size(), 10u);
    auto after = AllStored();
    for (const char* t : kTables) EXPECT_EQ(after[t], before[t]) << t;
    for (const char* t : kGroupTables) {
      EXPECT_FALSE(before[t].empty()) << t;
      EXPECT_EQ(Stored(t), before[t]) << t;
    }
  }

  std::vector<service::Mismatch> CheckReports() {
    auto found = service::CheckReports(app_->context());
    EXPECT_TRUE(found.ok()) << found.status().message();
    return found.ok() ? *found : std::vector<service::Mismatch>{};
  }

  // The day of business in two stores: see the comments in Trade for what happens when.
  void Trade() {
    m1_ = Register("13800138001", Local(2026, 8, 3, 9, 30));   // cohort 2026-08
    m2_ = Register("13800138002", Local(2026, 9, 10, 18, 0));  // cohort 2026-09
    m3_ = Register("13800138003", Local(2026, 9, 12, 8, 15));  // cohort 2026-09
    At(Local(2026, 9, 12, 8, 20));
    Reply adj = Send(manager_, "POST", "/api/v1/members/" + std::to_string(m1_) + "/points/adjustments",
                     json{{"points", 2000}, {"reason", "opening balance"}});
    ASSERT_EQ(adj.status, 201) << adj.body;
    // 2026-09-14: m1 buys A + 2×B with the coupon at 10:20 in MAIN, a walk-in 3×C at 10:40 in
    // MAIN, m2 2×A at 15:05 in EAST; then 23:50 a walk-in (the day's last hour).
    s1_ = Sell(cashier_, store_id_, m1_, {{book_a_, 1}, {book_b_, 2}}, Local(2026, 9, 14, 10, 20), true);
    Sell(cashier_, store_id_, std::nullopt, {{book_c_, 3}}, Local(2026, 9, 14, 10, 40));
    Sell(east_cashier_, east_, m2_, {{book_a_, 2}}, Local(2026, 9, 14, 15, 5));
    Sell(cashier_, store_id_, std::nullopt, {{book_b_, 1}}, Local(2026, 9, 14, 23, 50));
    // 2026-10-02: m1 buys B paying 500 points at 11:10 in MAIN; m3 buys C + A at 11:30 in EAST,
    // voided by the manager at 11:35; 00:10 a walk-in (the day's first hour).
    Sell(cashier_, store_id_, std::nullopt, {{book_c_, 1}}, Local(2026, 10, 2, 0, 10));
    Sell(cashier_, store_id_, m1_, {{book_b_, 1}}, Local(2026, 10, 2, 11, 10), false, 500);
    json s5 = Sell(east_cashier_, east_, m3_, {{book_c_, 1}, {book_a_, 1}}, Local(2026, 10, 2, 11, 30));
    At(Local(2026, 10, 2, 11, 35));
    Reply v = Send(owner_, "POST", "/api/v1/sales/" + std::to_string(s5["id"].get<int64_t>()) + "/void",
                   json{{"reason", "wrong member"}});
    ASSERT_EQ(v.status, 201) << v.body;
    // 2026-10-03 16:00: one B of m1's first sale comes back in MAIN.
    At(Local(2026, 10, 3, 16, 0));
    int64_t line_b = s1_["lines"][1]["id"];
    Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(s1_["id"].get<int64_t>()) + "/returns",
                     json{{"lines", {{{"sale_line_id", line_b}, {"quantity", 1}}}}, {"reason", "破损"}});
    ASSERT_EQ(ret.status, 201) << ret.body;
    returned_net_ = ret.json.value("refund_total", int64_t(0)) + ret.json["lines"][0].value("points_share", int64_t(0));
  }

  Caller cashier_, east_cashier_, manager_;
  int64_t east_ = 0, cashier_id_ = 0, east_cashier_id_ = 0;
  int64_t book_a_ = 0, book_b_ = 0, book_c_ = 0;
  int64_t m1_ = 0, m2_ = 0, m3_ = 0, returned_net_ = 0;
  json s1_;
  std::string home_ = "0";  // the home store of the members registered here (the owner's)

  // A report_cohorts key of the members registered here.
  std::vector<std::string> Cell(const std::string& cohort, const std::string& month) const {
    return {home_, cohort, month};
  }
};

TEST_P(ReportFeed, CheckoutReturnsAndVoidsKeepEveryAggregateEqualToTheRawRows) {
  Trade();
  ExpectAggregatesMatchRawRows();
  auto hourly = Stored("report_sales_hourly");
  // MAIN 2026-09-14 10:00–11:00 by li.ming: two sales, 1 + 2 + 3 items, one with a member;
  // gross 5990 + 7200 + 7500, the coupon's 2000 off; cost 3500 (A) + 3 × 1000 (C).
  auto main10 = hourly.at({"2026-09-14", std::to_string(store_id_), "10", std::to_string(cashier_id_)});
  EXPECT_EQ(main10[0], 2);
  EXPECT_EQ(main10[1], 1);
  EXPECT_EQ(main10[2], 6);
  EXPECT_EQ(main10[3], 5990 + 7200 + 7500);
  EXPECT_EQ(main10[4], 2000);
  EXPECT_EQ(main10[5], 5990 + 7200 + 7500 - 2000);
  EXPECT_EQ(main10[7], 3500 + 3000);
  EXPECT_EQ(hourly.at({"2026-09-14", std::to_string(east_), "15", std::to_string(east_cashier_id_)})[0], 1);
  EXPECT_EQ(hourly.at({"2026-09-14", std::to_string(store_id_), "23", std::to_string(cashier_id_)})[0], 1);
  EXPECT_EQ(hourly.at({"2026-10-02", std::to_string(store_id_), "0", std::to_string(cashier_id_)})[0], 1);
  // The void counts at 11:00 in EAST (by the owner), the return at 16:00 in MAIN.
  auto void_row = hourly.begin();
  int64_t voids = 0, void_items = 0;
  for (auto it = hourly.begin(); it != hourly.end(); ++it)
    if (it->first[0] == "2026-10-02" && it->first[1] == std::to_string(east_) && it->first[2] == "11") {
      voids += it->second[9], void_items += it->second[10];
      void_row = it;
    }
  EXPECT_EQ(voids, 1);
  EXPECT_EQ(void_items, 2);
  auto ret = hourly.at({"2026-10-03", std::to_string(store_id_), "16", std::to_string(cashier_id_)});
  EXPECT_EQ(ret[0], 0);
  EXPECT_EQ(ret[9], 1);
  EXPECT_EQ(ret[10], 1);
  EXPECT_EQ(ret[11], returned_net_);
  EXPECT_EQ(ret[12], 0);  // B has no cost
  // Items: B in MAIN on 2026-09-14 sold 2 + 1 (two lines); one back on 2026-10-03, uncosted.
  auto b = Stored("report_items_daily").at({"2026-09-14", std::to_string(store_id_), std::to_string(book_b_), ""});
  EXPECT_EQ(b[0], 2);
  EXPECT_EQ(b[1], 3);
  EXPECT_EQ(b[3], 0);
  auto b_month = Stored("report_items_monthly").at({"2026-10", std::to_string(store_id_), std::to_string(book_b_), ""});
  EXPECT_EQ(b_month[5], 1);
  EXPECT_EQ(b_month[6], returned_net_);
  // Members: m1 visits once in September and once in October (spend less the return there).
  auto months = Stored("report_member_months");
  EXPECT_EQ(months.at({std::to_string(m1_), "2026-09"})[0], 1);
  EXPECT_EQ(months.at({std::to_string(m1_), "2026-10"})[0], 1);
  EXPECT_EQ(months.at({std::to_string(m1_), "2026-10"})[1], 3600 - returned_net_);
  EXPECT_EQ(months.at({std::to_string(m3_), "2026-10"})[0], 1);  // a voided sale is still a visit
  // Cohorts: 2026-08 (m1): September first buyers 1, October active 1 and not first.
  auto cohorts = Stored("report_cohorts");
  // members, first_buyers, visits, spend, buyers (September is m1's first month since joining).
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-09")), (std::vector<int64_t>{1, 1, 1, s1_["total"].get<int64_t>(), 1}));
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-10"))[0], 1);
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-10"))[1], 0);
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-09"))[1], 1);  // m2
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-10"))[1], 1);  // m3
  // Points: the adjustment on 2026-09-12, the 500 redeemed on 2026-10-02.
  auto points = Stored("report_points_daily");
  EXPECT_EQ(points.at({"2026-09-12", "adjust"}), (std::vector<int64_t>{2000, 0, 1}));
  EXPECT_EQ(points.at({"2026-10-02", "redeem"})[1], 500);
  EXPECT_GT(points.at({"2026-09-14", "earn"})[0], 0);

  ExpectRebuildGivesTheSameRows();
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
}

// A purchase or a return changes the member-group rows by what it adds (member_tiers.cpp
// RecordPurchase, AddPurchaseToMemberGroups): they must end where a rebuild from the members
// would put them, including a genre brought back to nothing and a last visit that moves on.
TEST_P(ReportFeed, PurchasesAndReturnsLeaveTheMemberGroupsWhereARebuildWould) {
  Trade();
  // m2 buys 2×C in MAIN on 2026-10-05 and brings both back the next day.
  json s = Sell(cashier_, store_id_, m2_, {{book_c_, 2}}, Local(2026, 10, 5, 12, 0));
  At(Local(2026, 10, 6, 9, 0));
  int64_t line = s["lines"][0]["id"];
  Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(s["id"].get<int64_t>()) + "/returns",
                   json{{"lines", {{{"sale_line_id", line}, {"quantity", 2}}}}, {"reason", "不要了"}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  // m1 buys A on 2026-10-07: his last visit moves on from 2026-10-02.
  Sell(cashier_, store_id_, m1_, {{book_a_, 1}}, Local(2026, 10, 7, 10, 0));
  auto scalar = [&](const std::string& sql) {
    int64_t out = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto r, tx.Exec(sql));
      out = r.rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  };
  // Each member who has visited counts once, on the day of the last visit.
  EXPECT_EQ(scalar("SELECT COALESCE(SUM(members), 0) FROM report_member_visit_days"),
            scalar("SELECT COUNT(*) FROM members WHERE last_visit_at IS NOT NULL"));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM report_member_visit_days WHERE members = 0"), 0);
  EXPECT_EQ(scalar("SELECT COALESCE(SUM(spend), 0) FROM report_member_groups"),
            scalar("SELECT COALESCE(SUM(total_spend), 0) FROM members"));
  ExpectAggregatesMatchRawRows();
  ExpectRebuildGivesTheSameRows();
  EXPECT_TRUE(CheckReports().empty());
}

TEST_P(ReportFeed, CheckFindsATamperedAggregateRowByTableAndKey) {
  Trade();
  EXPECT_TRUE(CheckReports().empty());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE report_items_daily SET quantity = quantity + 1 WHERE business_day = '2026-09-14' "
                                  "AND product_id = ?",
                                  {book_c_})
                       .status();
                 }).ok());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("DELETE FROM report_cohorts WHERE cohort = '2026-08' AND month = '2026-10'").status();
                 }).ok());
  // The quantity of the one item row, and each non-zero sum of the missing cohort row.
  auto found = CheckReports();
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].invariant, "report_items_daily.quantity = rebuilt from the raw rows");
  EXPECT_NE(found[0].subject.find("business_day=2026-09-14"), std::string::npos) << found[0].subject;
  EXPECT_NE(found[0].subject.find("product_id=" + std::to_string(book_c_)), std::string::npos) << found[0].subject;
  EXPECT_EQ(found[0].cached, 4);
  EXPECT_EQ(found[0].computed, 3);
  EXPECT_EQ(found[1].invariant, "report_cohorts.members = rebuilt from the raw rows");
  EXPECT_EQ(found[1].subject, "report_cohorts store_id=" + home_ + " cohort=2026-08 month=2026-10");
  EXPECT_EQ(found[1].cached, 0);
  EXPECT_EQ(found[1].computed, 1);
  EXPECT_EQ(found[2].invariant, "report_cohorts.visits = rebuilt from the raw rows");
  EXPECT_EQ(found[3].invariant, "report_cohorts.spend = rebuilt from the raw rows");
  EXPECT_EQ(found[3].computed, 3600 - returned_net_);
  // `shuyou check` reports them too; a rebuild repairs both.
  auto all = service::CheckInvariants(app_->context());
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_GE(all->size(), 2u);
  Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context()); });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(CheckReports().empty());
  ExpectAggregatesMatchRawRows();
}

TEST_P(ReportFeed, CheckFindsATamperedMemberGroupRow) {
  Trade();
  EXPECT_TRUE(CheckReports().empty());
  // The members registered here gave no birthday or gender: every one is in a '' group.
  auto groups = Stored("report_member_groups");
  ASSERT_FALSE(groups.empty());
  const std::vector<std::string> key = groups.begin()->first;
  int64_t members = 0;
  for (const auto& [k, v] : groups) members += v[0];
  EXPECT_EQ(members, 3);
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE report_member_groups SET spend = spend + 7 WHERE birthday = ? AND "
                                  "store_id = ? AND gender = ?",
                                  {key[0], std::stoll(key[1]), key[2]})
                       .status();
                 }).ok());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return tx.Exec("DELETE FROM report_member_genre_days").status(); }).ok());
  auto found = CheckReports();
  ASSERT_GE(found.size(), 2u);
  EXPECT_EQ(found[0].invariant, "report_member_groups.spend = rebuilt from members");
  EXPECT_EQ(found[0].subject, "report_member_groups birthday=" + key[0] + " store_id=" + key[1] + " gender=" + key[2]);
  EXPECT_EQ(found[0].cached - found[0].computed, 7);
  EXPECT_EQ(found[1].invariant, "report_member_genre_days.spend = rebuilt from members");
  EXPECT_EQ(found[1].cached, 0);
  EXPECT_NE(found[1].computed, 0);
  Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context()); });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(CheckReports().empty());
}

TEST_P(ReportFeed, HistoryArrivingOutOfOrderKeepsFirstBuyersRight) {
  int64_t m = Register("13800138009", Local(2026, 6, 1, 10, 0));  // cohort 2026-06
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 10, 5, 12, 0));
  auto cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at(Cell("2026-06", "2026-10"))[1], 1);
  EXPECT_EQ(cohorts.at(Cell("2026-06", "2026-10"))[4], 1);  // buyers: first month on or after joining
  // An older sale arrives later (imported history): July becomes the first month.
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 7, 20, 12, 0));
  Sell(cashier_, store_id_, m, {{book_a_, 1}}, Local(2026, 8, 20, 12, 0));
  cohorts = Stored("report_cohorts");
  // members, first_buyers, visits, spend, buyers
  EXPECT_EQ(cohorts.at(Cell("2026-06", "2026-07")), (std::vector<int64_t>{1, 1, 1, 2500, 1}));
  EXPECT_EQ(cohorts.at(Cell("2026-06", "2026-08")), (std::vector<int64_t>{1, 0, 1, 5990, 0}));
  EXPECT_EQ(cohorts.at(Cell("2026-06", "2026-10")), (std::vector<int64_t>{1, 0, 1, 2500, 0}));
  ExpectAggregatesMatchRawRows();
  ExpectRebuildGivesTheSameRows();
}

// A member who bought before the day they joined (an old customer signed up later): the first
// purchase ever is before the cohort, the cohort's buyers count them in their first month on or
// after joining.
TEST_P(ReportFeed, BuyersOfACohortStartAtTheJoinMonth) {
  int64_t m = Register("13800138010", Local(2026, 6, 1, 10, 0));
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE members SET joined_on = '2026-09-15' WHERE id = ?", {m}).status();
                 }).ok());
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 7, 20, 12, 0));
  auto cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-07")), (std::vector<int64_t>{1, 1, 1, 2500, 0}));
  Sell(cashier_, store_id_, m, {{book_a_, 1}}, Local(2026, 10, 20, 12, 0));
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 11, 2, 12, 0));
  cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-10"))[4], 1);
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-11"))[4], 0);
  // A September sale arriving late moves the member's buyer month from October to September.
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 9, 20, 12, 0));
  cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-09"))[4], 1);
  EXPECT_EQ(cohorts.at(Cell("2026-09", "2026-10"))[4], 0);
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
  ExpectRebuildGivesTheSameRows();
  // The check finds a wrong buyers count, and a rebuild repairs it.
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE report_cohorts SET buyers = buyers + 1 WHERE cohort = '2026-09' AND month = '2026-11'")
                       .status();
                 }).ok());
  auto found = CheckReports();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].invariant, "report_cohorts.buyers = rebuilt from the raw rows");
  EXPECT_EQ(found[0].subject, "report_cohorts store_id=" + home_ + " cohort=2026-09 month=2026-11");
  EXPECT_EQ(found[0].cached, 1);
  EXPECT_EQ(found[0].computed, 0);
  Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context()); });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(CheckReports().empty());
  ExpectAggregatesMatchRawRows();
}

TEST_P(ReportFeed, MergeKeepsMemberMonthsAndCohortsRight) {
  Trade();
  // m1 (joined 2026-08-03, bought in September and October) is merged into m2 (joined
  // 2026-09-10, bought in September): the survivor joined 2026-08-03 and holds both histories.
  At(Local(2026, 10, 10, 10, 0));
  Reply r = Send(manager_, "POST", "/api/v1/members/" + std::to_string(m2_) + "/merge",
                 json{{"duplicate_id", m1_}, {"reason", "same person"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto months = Stored("report_member_months");
  EXPECT_EQ(months.count({std::to_string(m1_), "2026-09"}), 0u);
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-09"})[0], 2);
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-10"})[0], 1);
  // Links: two visits in September (the next visit is September itself), October after it.
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-09"})[3], 0);
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-09"})[4], 202609);
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-10"})[3], 202609);
  EXPECT_EQ(months.at({std::to_string(m2_), "2026-10"})[4], 0);
  auto cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-09"))[0], 1);  // one member (two visits), first buyer
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-09"))[1], 1);
  EXPECT_EQ(cohorts.at(Cell("2026-08", "2026-09"))[2], 2);
  EXPECT_EQ(cohorts.count(Cell("2026-09", "2026-09")), 0u);  // m2's September moved to 2026-08
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
  // A later return of a sale made by the merged member counts for the survivor.
  At(Local(2026, 10, 11, 10, 0));
  Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(s1_["id"].get<int64_t>()) + "/returns",
                   json{{"reason", "rest"}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  ExpectAggregatesMatchRawRows();
  ExpectRebuildGivesTheSameRows();
}

// The visit-month links of report_member_months (migration 0024) through history arriving out
// of order, a second visit in a month and a month with only a return; the members report's
// distinct and repeat buyers over ranges read from them; the check finds a wrong link.
TEST_P(ReportFeed, VisitMonthLinksFollowLateHistorySecondVisitsAndReturns) {
  int64_t m = Register("13800138011", Local(2026, 6, 1, 10, 0));
  const int64_t home = std::stoll(home_);
  const std::string id = std::to_string(m);
  json october = Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 10, 5, 12, 0));
  auto months = Stored("report_member_months");
  // visits, spend, store, previous visit month, next visit month
  EXPECT_EQ(months.at({id, "2026-10"}), (std::vector<int64_t>{1, 2500, home, 0, 0}));
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 7, 20, 12, 0));  // late history
  months = Stored("report_member_months");
  EXPECT_EQ(months.at({id, "2026-07"}), (std::vector<int64_t>{1, 2500, home, 0, 202610}));
  EXPECT_EQ(months.at({id, "2026-10"}), (std::vector<int64_t>{1, 2500, home, 202607, 0}));
  Sell(cashier_, store_id_, m, {{book_a_, 1}}, Local(2026, 8, 20, 12, 0));  // between the two
  months = Stored("report_member_months");
  EXPECT_EQ(months.at({id, "2026-07"})[4], 202608);
  EXPECT_EQ(months.at({id, "2026-08"}), (std::vector<int64_t>{1, 5990, home, 202607, 202610}));
  EXPECT_EQ(months.at({id, "2026-10"})[3], 202608);
  Sell(cashier_, store_id_, m, {{book_c_, 1}}, Local(2026, 8, 25, 12, 0));  // a second visit in August
  months = Stored("report_member_months");
  EXPECT_EQ(months.at({id, "2026-08"})[4], 202608);
  // October's sale comes back in November: a month with a return only has no links.
  At(Local(2026, 11, 3, 10, 0));
  Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(october["id"].get<int64_t>()) + "/returns",
                   json{{"reason", "破损"}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  months = Stored("report_member_months");
  EXPECT_EQ(months.at({id, "2026-11"}), (std::vector<int64_t>{0, -2500, home, -1, -1}));
  EXPECT_EQ(months.at({id, "2026-10"}), (std::vector<int64_t>{1, 2500, home, 202608, 0}));
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
  ExpectRebuildGivesTheSameRows();

  // Distinct and repeat buyers over ranges (visits: July 1, August 2, October 1).
  At(Local(2026, 11, 5, 10, 0));
  auto totals = [&](const std::string& from, const std::string& to) {
    Reply r = Send(owner_, "GET", "/api/v1/reports/members?from=" + from + "&to=" + to, json());
    EXPECT_EQ(r.status, 200) << r.body;
    return std::pair{r.json["totals"].value("buyers", int64_t(-1)), r.json["totals"].value("repeat_buyers", int64_t(-1))};
  };
  EXPECT_EQ(totals("2026-07-01", "2026-07-31"), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(totals("2026-08-01", "2026-08-31"), (std::pair<int64_t, int64_t>{1, 1}));  // twice in August
  EXPECT_EQ(totals("2026-09-01", "2026-10-31"), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(totals("2026-09-01", "2026-09-30"), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(totals("2026-07-01", "2026-11-04"), (std::pair<int64_t, int64_t>{1, 1}));
  EXPECT_EQ(totals("2026-10-01", "2026-11-04"), (std::pair<int64_t, int64_t>{1, 0}));

  // A wrong link is found by the check, naming both values, and repaired by a rebuild.
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE report_member_months SET next_visit_month = '' WHERE member_id = ? AND "
                                  "month = '2026-07'",
                                  {m})
                       .status();
                 }).ok());
  auto found = CheckReports();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].invariant,
            "report_member_months.next_visit_month = rebuilt from the raw rows (stored '', rebuilt '2026-08')");
  EXPECT_EQ(found[0].member_id, m);
  Status st = db_->Write([&](store::Tx& tx) { return service::RebuildReports(tx, app_->context()); });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(CheckReports().empty());
}

// Moving a member to another home store moves their member months and cohort contribution: the
// cohorts and members reports of the old and the new store follow, and back again.
TEST_P(ReportFeed, MovingAMemberToAnotherHomeStoreMovesTheirCohortRows) {
  Trade();
  const std::string main = home_, east = std::to_string(east_);
  ASSERT_NE(main, east);
  auto move = [&](json store) {
    At(Local(2026, 10, 20, 10, 0));
    Reply r = Send(manager_, "PATCH", "/api/v1/members/" + std::to_string(m1_), json{{"home_store_id", store}});
    ASSERT_EQ(r.status, 200) << r.body;
  };
  auto report = [&](const std::string& path, const std::string& store) {
    Reply r = Send(owner_, "GET", "/api/v1/reports/" + path + "?from=2026-08-01&to=2026-10-31&store_id=" + store, json());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  };
  move(east_);
  auto cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at({east, "2026-08", "2026-09"}), (std::vector<int64_t>{1, 1, 1, s1_["total"].get<int64_t>(), 1}));
  EXPECT_EQ(cohorts.at({east, "2026-08", "2026-10"})[0], 1);
  EXPECT_EQ(cohorts.count({main, "2026-08", "2026-09"}), 0u);
  EXPECT_EQ(cohorts.count({main, "2026-08", "2026-10"}), 0u);
  EXPECT_EQ(Stored("report_member_months").at({std::to_string(m1_), "2026-09"})[2], east_);
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
  // Cohorts: m1 (2026-08) is EAST's now; m2 and m3 (2026-09) stay in MAIN.
  json c_east = report("cohorts", east), c_main = report("cohorts", main);
  ASSERT_EQ(c_east["cohorts"].size(), 3u);
  EXPECT_EQ(c_east["cohorts"][0]["size"], 1);
  EXPECT_EQ(c_east["cohorts"][0]["buyers"], 1);
  EXPECT_EQ(c_east["cohorts"][0]["months"][1]["first_buyers"], 1);  // September
  EXPECT_EQ(c_east["cohorts"][0]["months"][2]["active"], 1);        // October
  EXPECT_EQ(c_east["cohorts"][1]["size"], 0);
  EXPECT_EQ(c_main["cohorts"][0]["size"], 0);
  EXPECT_EQ(c_main["cohorts"][0]["buyers"], 0);
  EXPECT_EQ(c_main["cohorts"][0]["months"][1]["active"], 0);
  EXPECT_EQ(c_main["cohorts"][1]["size"], 2);
  EXPECT_EQ(c_main["cohorts"][1]["buyers"], 2);
  // Members: EAST's months are m1's (September first, October returning); MAIN's are m2's and m3's.
  json m_east = report("members", east), m_main = report("members", main);
  EXPECT_EQ(m_east["months"][1]["buyers"], 1);
  EXPECT_EQ(m_east["months"][1]["first_time_buyers"], 1);
  EXPECT_EQ(m_east["months"][2]["returning_buyers"], 1);
  EXPECT_EQ(m_east["totals"]["buyers"], 1);
  EXPECT_EQ(m_east["totals"]["repeat_buyers"], 1);
  EXPECT_EQ(m_main["months"][1]["buyers"], 1);  // m2
  EXPECT_EQ(m_main["months"][2]["buyers"], 1);  // m3 (a voided sale is still a visit)
  EXPECT_EQ(m_main["totals"]["buyers"], 2);
  EXPECT_EQ(m_main["totals"]["repeat_buyers"], 0);
  // Back again (no home store at all in between): MAIN has all three members' rows again.
  move(nullptr);
  EXPECT_EQ(Stored("report_cohorts").at({"0", "2026-08", "2026-09"})[0], 1);
  ExpectAggregatesMatchRawRows();
  move(std::stoll(main));
  cohorts = Stored("report_cohorts");
  EXPECT_EQ(cohorts.at({main, "2026-08", "2026-09"}), (std::vector<int64_t>{1, 1, 1, s1_["total"].get<int64_t>(), 1}));
  EXPECT_EQ(cohorts.count({east, "2026-08", "2026-09"}), 0u);
  EXPECT_EQ(report("cohorts", main)["cohorts"][0]["buyers"], 1);
  ExpectAggregatesMatchRawRows();
  EXPECT_TRUE(CheckReports().empty());
  ExpectRebuildGivesTheSameRows();
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ReportFeed);

// `shuyou reports rebuild` as an operator runs it: prints each table and the time taken, and
// `shuyou check` agrees afterwards.
class ReportsCli : public ::testing::TestWithParam<store::Engine> {};

TEST_P(ReportsCli, RebuildPrintsTheTablesAndCheckAgrees) {
  std::string db = NewTestDatabaseTarget(GetParam());
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{ShuyouBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, {{{"SHUYOU_TIMEZONE", "Asia/Shanghai"}}, ""}, 120s);
  };
  auto demo = run({"demo", "--db", db, "--members", "40", "--products", "30", "--months", "2", "--sales-per-day", "15"});
  ASSERT_TRUE(demo.status.ok()) << demo.Describe();
  EXPECT_NE(demo.out.find("report aggregates rebuilt in"), std::string::npos) << demo.out;
  auto check = run({"check", "--db", db});
  EXPECT_TRUE(check.status.ok()) << check.Describe();
  auto rebuild = run({"reports", "rebuild", "--db", db});
  ASSERT_TRUE(rebuild.status.ok()) << rebuild.Describe();
  for (const char* t : kTables) EXPECT_NE(rebuild.out.find(std::string(t) + ": "), std::string::npos) << rebuild.out;
  EXPECT_NE(rebuild.out.find("report aggregates rebuilt in "), std::string::npos) << rebuild.out;
  EXPECT_EQ(rebuild.out.find("report_sales_hourly: 0 rows"), std::string::npos) << rebuild.out;
  check = run({"check", "--db", db});
  EXPECT_TRUE(check.status.ok()) << check.Describe();
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ReportsCli);

}  // namespace
}  // namespace shuyou::test
