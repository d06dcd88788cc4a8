// The sales reports and the dashboard through the HTTP API on both engines: sales are made through
// the real checkout (on chosen days, by moving the clock), a return and a void, products with and
// without a cost and stock; every expected number is computed here from the raw rows (sales,
// sale_lines, sale_returns, return_lines, stock_levels) or the inputs, never from the aggregates
// or the code under test. Also the downloads, bad input and roles; and the pure helpers.
#include <chrono>
#include <map>

#include "service/business_day.h"
#include "service/report_common.h"
#include "service/report_export.h"
#include "service/table_files.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
using namespace std::chrono;
constexpr int64_t kDay = 24LL * 3600 * 1000;

class ReportsSales : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    Reply cat = Send(owner_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}, {"name_en", "Fiction"}});
    ASSERT_EQ(cat.status, 201) << cat.body;
    // A: with cost, fiction. B: no cost, no category. C: with cost, in stock, never sold.
    book_a_ = Product("9787020002207", "红楼梦", 5990, cat.json["id"], 3500);
    book_b_ = Product("9787532744510", "挪威的森林", 3600, nullptr, std::nullopt);
    book_c_ = Product("9787544253994", "百年孤独", 3950, cat.json["id"], 1000);
    Receive(book_a_, 10);
    Receive(book_b_, 10);
    Receive(book_c_, 5);
    Reply m = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13800138000"}, {"name", "王芳"}});
    ASSERT_EQ(m.status, 201) << m.body;
    member_ = m.json["id"];
  }

  int64_t Product(const std::string& isbn, const std::string& title, int64_t price, const json& category,
                  std::optional<int64_t> cost) {
    json body{{"isbn", isbn}, {"title", title}, {"list_price", price}};
    if (!category.is_null()) body["category_id"] = category;
    if (cost) body["cost"] = *cost;
    Reply r = Send(owner_, "POST", "/api/v1/products", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  void Receive(int64_t product, int64_t qty) {
    Reply r = Send(owner_, "POST", "/api/v1/stock/receipts",
                   json{{"store_id", store_id_}, {"lines", {{{"product_id", product}, {"quantity", qty}}}}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A sale `days_ago` days before now, paid by card.
  json Sell(int64_t days_ago, std::vector<std::pair<int64_t, int64_t>> lines, bool member) {
    clock_offset_ms_ = -days_ago * kDay;
    json l = json::array();
    int64_t due = 0;
    for (auto [p, q] : lines) l.push_back(json{{"product_id", p}, {"quantity", q}});
    json body{{"store_id", store_id_}, {"lines", l}};
    if (member) body["member_id"] = member_;
    Reply quote = Send(cashier_, "POST", "/api/v1/sales/quote", body);
    if (quote.status == 200) due = quote.json.value("due", int64_t(0));
    else {  // no quote endpoint: list prices, no discounts (no tier discount for a new member)
      for (auto [p, q] : lines) due += q * (p == book_a_ ? 5990 : p == book_b_ ? 3600 : 3950);
    }
    body["payments"] = json::array({json{{"method", "card"}, {"amount", due}}});
    Reply r = Send(cashier_, "POST", "/api/v1/sales", body);
    EXPECT_EQ(r.status, 201) << r.body;
    clock_offset_ms_ = 0;
    return r.json;
  }

  // Everything the reports should see, made on known days (0 = today).
  void MakeHistory() {
    Sell(35, {{book_a_, 1}}, false);                     // previous period of a 30-day window
    sale2_ = Sell(10, {{book_a_, 2}, {book_b_, 1}}, true);
    Sell(3, {{book_b_, 3}}, false);
    // One 挪威的森林 of sale 2 comes back yesterday.
    clock_offset_ms_ = -1 * kDay;
    Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(sale2_["id"].get<int64_t>()) + "/returns",
                     json{{"lines", {{{"sale_line_id", sale2_["lines"][1]["id"]}, {"quantity", 1}}}}});
    ASSERT_EQ(ret.status, 201) << ret.body;
    clock_offset_ms_ = 0;
    Sell(0, {{book_a_, 1}}, true);
    json voided = Sell(0, {{book_a_, 1}}, false);
    Reply v = Send(manager_, "POST", "/api/v1/sales/" + std::to_string(voided["id"].get<int64_t>()) + "/void",
                   json{{"reason", "rung up twice"}});
    ASSERT_EQ(v.status, 201) << v.body;
  }

  std::string Today() {
    auto d = service::Today(app_->context());
    EXPECT_TRUE(d.ok());
    return service::FormatDay(*d);
  }
  static std::string Shift(const std::string& day, int64_t n) {
    return service::FormatDay(service::AddDays(*service::ParseDay(day), n));
  }

  std::vector<store::Row> Query(const std::string& sql, const std::vector<store::Value>& params = {}) {
    std::vector<store::Row> out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      out = rows.rows;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
  int64_t One(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = Query(sql, params);
    return rows.empty() ? 0 : rows[0].Int(0);
  }

  // The totals of [from, to] straight from the raw sales and returns.
  json RawTotals(const std::string& from, const std::string& to) {
    std::vector<store::Value> p{from, to};
    json t;
    t["sales"] = One("SELECT COUNT(*) FROM sales WHERE business_day >= ? AND business_day <= ?", p);
    t["member_sales"] = One("SELECT COUNT(*) FROM sales WHERE business_day >= ? AND business_day <= ? AND member_id IS NOT NULL", p);
    t["items"] = One("SELECT SUM(l.quantity) FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.business_day >= ? AND s.business_day <= ?", p);
    t["gross"] = One("SELECT SUM(subtotal) FROM sales WHERE business_day >= ? AND business_day <= ?", p);
    t["discounts"] = One("SELECT SUM(discount_total) FROM sales WHERE business_day >= ? AND business_day <= ?", p);
    t["net"] = One("SELECT SUM(net_total) FROM sales WHERE business_day >= ? AND business_day <= ?", p);
    t["member_net"] = One("SELECT SUM(net_total) FROM sales WHERE business_day >= ? AND business_day <= ? AND member_id IS NOT NULL", p);
    t["returns"] = One("SELECT COUNT(*) FROM sale_returns WHERE business_day >= ? AND business_day <= ?", p);
    const std::string rl =
        " FROM return_lines rl JOIN sale_returns r ON r.id = rl.return_id JOIN sale_lines l ON l.id = rl.sale_line_id "
        "WHERE r.business_day >= ? AND r.business_day <= ?";
    t["returned_items"] = One("SELECT SUM(rl.quantity)" + rl, p);
    t["returned_net"] = One("SELECT SUM(rl.refund + rl.points_share)" + rl, p);
    int64_t sold_cost = One("SELECT SUM(l.unit_cost * l.quantity) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                            "WHERE s.business_day >= ? AND s.business_day <= ? AND l.unit_cost IS NOT NULL", p);
    int64_t sold_costed = One("SELECT SUM(l.net) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                              "WHERE s.business_day >= ? AND s.business_day <= ? AND l.unit_cost IS NOT NULL", p);
    int64_t ret_cost = One("SELECT SUM(l.unit_cost * rl.quantity)" + rl + " AND l.unit_cost IS NOT NULL", p);
    int64_t ret_costed = One("SELECT SUM(rl.refund + rl.points_share)" + rl + " AND l.unit_cost IS NOT NULL", p);
    t["net_after_returns"] = t["net"].get<int64_t>() - t["returned_net"].get<int64_t>();
    t["cost"] = sold_cost - ret_cost;
    t["costed_net"] = sold_costed - ret_costed;
    t["gross_margin"] = (sold_cost || sold_costed) ? json(sold_costed - ret_costed - (sold_cost - ret_cost)) : json();
    return t;
  }

  static void ExpectTotals(const json& got, const json& want, const std::string& what) {
    for (const auto& [k, v] : want.items()) EXPECT_EQ(got[k], v) << what << ": " << k << " in " << got.dump();
    int64_t sales = want["sales"], net = want["net"];
    if (sales > 0) {
      int64_t avg = (net * 2 + sales) / (2 * sales);  // half up, net ≥ 0 here
      EXPECT_EQ(got["average_basket"], avg) << what;
      EXPECT_NEAR(got["member_share"].get<double>(), double(want["member_net"].get<int64_t>()) / double(net), 1e-9) << what;
    } else {
      EXPECT_TRUE(got["average_basket"].is_null()) << what;
    }
  }

  Caller cashier_, manager_;
  int64_t book_a_ = 0, book_b_ = 0, book_c_ = 0, member_ = 0;
  json sale2_;
};

TEST_P(ReportsSales, SalesByDayMatchTheRawSalesWithThePreviousPeriodAndChange) {
  MakeHistory();
  std::string to = Today(), from = Shift(to, -29);
  Reply r = Send(manager_, "GET", "/api/v1/reports/sales?from=" + from + "&to=" + to + "&group=day");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["period"]["days"], 30);
  EXPECT_EQ(r.json["period"]["previous_from"], Shift(from, -30));
  EXPECT_EQ(r.json["period"]["previous_to"], Shift(from, -1));
  json want = RawTotals(from, to);
  ExpectTotals(r.json["totals"], want, "totals");
  // By hand: sales 2 (2×红楼梦 + 1×挪威), 3 (3×挪威), 4 (红楼梦), 5 (红楼梦, voided) → 4 sales, 8 items.
  EXPECT_EQ(r.json["totals"]["sales"], 4);
  EXPECT_EQ(r.json["totals"]["items"], 8);
  EXPECT_EQ(r.json["totals"]["returns"], 2) << "the return and the void";
  EXPECT_EQ(r.json["totals"]["returned_items"], 2);
  ExpectTotals(r.json["previous"], RawTotals(Shift(from, -30), Shift(from, -1)), "previous");
  EXPECT_EQ(r.json["previous"]["sales"], 1);
  int64_t net = want["net"], prev = r.json["previous"]["net"];
  EXPECT_NEAR(r.json["change"]["net"].get<double>(), double(net - prev) / double(prev), 1e-9);
  // Margin only over 红楼梦 (cost 3500); 挪威的森林 has none, so coverage < 1.
  ASSERT_FALSE(r.json["totals"]["gross_margin_rate"].is_null());
  EXPECT_LT(r.json["totals"]["cost_coverage"].get<double>(), 1.0);

  ASSERT_EQ(r.json["rows"].size(), 30u) << "every day, zeros included";
  EXPECT_EQ(r.json["rows"][0]["key"], from);
  for (const auto& row : r.json["rows"]) {
    std::string day = row["key"];
    json w = RawTotals(day, day);
    ExpectTotals(row, w, day);
  }
}

TEST_P(ReportsSales, SalesByWeekMonthStoreGenreAndCashierAddUpToTheTotals) {
  MakeHistory();
  std::string to = Today(), from = Shift(to, -40);
  json want = RawTotals(from, to);
  for (const char* group : {"week", "month", "store", "cashier", "genre"}) {
    Reply r = Send(owner_, "GET", "/api/v1/reports/sales?from=" + from + "&to=" + to + "&group=" + group);
    ASSERT_EQ(r.status, 200) << group << r.body;
    int64_t net = 0, items = 0, after = 0;
    for (const auto& row : r.json["rows"]) {
      net += row["net"].get<int64_t>();
      items += row["items"].get<int64_t>();
      after += row["net_after_returns"].get<int64_t>();
    }
    EXPECT_EQ(net, want["net"].get<int64_t>()) << group;
    EXPECT_EQ(items, want["items"].get<int64_t>()) << group;
    EXPECT_EQ(after, want["net_after_returns"].get<int64_t>()) << group;
  }
  // Weeks start on Monday; the first is clipped to the period.
  Reply weeks = Send(owner_, "GET", "/api/v1/reports/sales?from=" + from + "&to=" + to + "&group=week");
  auto first = *service::ParseDay(weeks.json["rows"][0]["key"].get<std::string>());
  EXPECT_EQ(service::IsoWeekday(first), 1);
  EXPECT_EQ(weeks.json["rows"][0]["label"].get<std::string>().substr(0, 10), from);

  // Cashier: every sale was rung up by li.ming; the void was made by chen.jing, and a return
  // counts for whoever made it. Expected per staff id from the raw rows.
  Reply cashiers = Send(owner_, "GET", "/api/v1/reports/sales?from=" + from + "&to=" + to + "&group=cashier&lang=en");
  ASSERT_EQ(cashiers.status, 200) << cashiers.body;
  int64_t li = One("SELECT id FROM staff WHERE username = 'li.ming'");
  bool seen_li = false;
  for (const auto& row : cashiers.json["rows"]) {
    std::string key = row["key"];
    int64_t id = std::stoll(key);
    EXPECT_EQ(row["sales"], One("SELECT COUNT(*) FROM sales WHERE staff_id = ? AND business_day >= ? AND business_day <= ?",
                                {id, from, to})) << key;
    EXPECT_EQ(row["returns"], One("SELECT COUNT(*) FROM sale_returns WHERE staff_id = ? AND business_day >= ? "
                                  "AND business_day <= ?", {id, from, to})) << key;
    if (id == li) {
      seen_li = true;
      EXPECT_EQ(row["label"], "li.ming");
      EXPECT_EQ(row["sales"], want["sales"]);
    }
  }
  EXPECT_TRUE(seen_li) << cashiers.body;

  // Genre: per line, from sale_lines.genre; per-sale numbers are null.
  Reply genres = Send(owner_, "GET", "/api/v1/reports/sales?from=" + from + "&to=" + to + "&group=genre&lang=en");
  std::map<std::string, json> by;
  for (const auto& row : genres.json["rows"]) by[row["key"]] = row;
  ASSERT_EQ(by.size(), 2u) << genres.body;
  EXPECT_EQ(by["fiction"]["label"], "Fiction");
  EXPECT_TRUE(by["fiction"]["sales"].is_null());
  EXPECT_EQ(by["fiction"]["items"], One("SELECT SUM(l.quantity) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                                        "WHERE l.genre = 'fiction' AND s.business_day >= ? AND s.business_day <= ?", {from, to}));
  EXPECT_EQ(by[""]["net"], One("SELECT SUM(l.net) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                               "WHERE l.genre = '' AND s.business_day >= ? AND s.business_day <= ?", {from, to}));
  EXPECT_TRUE(by[""]["gross_margin"].is_null()) << "挪威的森林 has no cost";

  // A store filter on the only store changes nothing; the store row is named.
  Reply store = Send(owner_, "GET", "/api/v1/reports/sales?group=store&from=" + from + "&to=" + to + "&store_id=" +
                                        std::to_string(store_id_));
  ASSERT_EQ(store.status, 200) << store.body;
  ASSERT_EQ(store.json["rows"].size(), 1u);
  EXPECT_EQ(store.json["rows"][0]["key"], std::to_string(store_id_));
  EXPECT_EQ(store.json["totals"]["net"], want["net"]);
}

TEST_P(ReportsSales, DashboardShowsTheDayAndMonthAgainstTheirComparisons) {
  MakeHistory();
  std::string today = Today();
  Reply r = Send(owner_, "GET", "/api/v1/reports/dashboard");
  ASSERT_EQ(r.status, 200) << r.body;
  const json& d = r.json;
  EXPECT_EQ(d["day"], today);
  ExpectTotals(d["today"], RawTotals(today, today), "today");
  ExpectTotals(d["yesterday"], RawTotals(Shift(today, -1), Shift(today, -1)), "yesterday");
  EXPECT_EQ(d["today"]["sales"], 2);
  EXPECT_EQ(d["today"]["returns"], 1) << "the void";
  std::string month_from = today.substr(0, 8) + "01";
  EXPECT_EQ(d["month_from"], month_from);
  ExpectTotals(d["month"], RawTotals(month_from, today), "month");
  ExpectTotals(d["previous_month"], RawTotals(d["previous_month_from"], d["previous_month_to"]), "previous month");
  // The same days of the previous month.
  auto t = *service::ParseDay(today);
  year_month pm = year_month{t.year(), t.month()} - months(1);
  EXPECT_EQ(d["previous_month_from"], service::FormatDay(year_month_day{pm / day{1}}));
  EXPECT_EQ(d["today"]["new_members"], One("SELECT COUNT(*) FROM members WHERE joined_on = ?", {today}));
  ASSERT_EQ(d["series"].size(), 30u);
  EXPECT_EQ(d["series"][29]["day"], today);
  EXPECT_EQ(d["series"][29]["net"], RawTotals(today, today)["net"]);
  EXPECT_EQ(d["series"][19]["net"], RawTotals(Shift(today, -10), Shift(today, -10))["net"]);
  // Top books of the month to date: units sold less returned, from the raw lines.
  ASSERT_FALSE(d["top_books"].empty());
  for (const auto& b : d["top_books"]) {
    int64_t id = b["product_id"];
    int64_t sold = One("SELECT SUM(l.quantity) FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE l.product_id = ? "
                       "AND s.business_day >= ? AND s.business_day <= ?", {id, month_from, today});
    int64_t back = One("SELECT SUM(rl.quantity) FROM return_lines rl JOIN sale_returns r ON r.id = rl.return_id "
                       "JOIN sale_lines l ON l.id = rl.sale_line_id WHERE l.product_id = ? AND r.business_day >= ? "
                       "AND r.business_day <= ?", {id, month_from, today});
    EXPECT_EQ(b["quantity"], sold - back) << b.dump();
  }
  EXPECT_EQ(d["members"]["total"], 1);
  EXPECT_EQ(d["members"]["active_90_days"], 1) << "the member bought today";
  EXPECT_EQ(d["liabilities"]["points_outstanding"], One("SELECT SUM(points_balance) FROM members"));
  EXPECT_EQ(d["liabilities"]["stored_value"], 0);
  // 100 points = ¥1.00 by default.
  EXPECT_EQ(d["liabilities"]["points_value"], d["liabilities"]["points_outstanding"].get<int64_t>());

  Reply past = Send(owner_, "GET", "/api/v1/reports/dashboard?to=" + Shift(today, -3));
  ASSERT_EQ(past.status, 200) << past.body;
  ExpectTotals(past.json["today"], RawTotals(Shift(today, -3), Shift(today, -3)), "three days ago");
  EXPECT_EQ(past.json["today"]["sales"], 1);
}

TEST_P(ReportsSales, BooksRankSellersFindSlowStockAndSuggestReorders) {
  MakeHistory();
  // 挪威的森林 should never run below 20 copies.
  Reply rp = Send(manager_, "PATCH", "/api/v1/stock/levels",
                  json{{"store_id", store_id_}, {"product_id", book_b_}, {"reorder_point", 20}});
  ASSERT_EQ(rp.status, 200) << rp.body;
  std::string to = Today(), from = Shift(to, -29);
  Reply r = Send(owner_, "GET", "/api/v1/reports/books?from=" + from + "&to=" + to + "&slow_days=60&lead_days=10&cover_days=20");
  ASSERT_EQ(r.status, 200) << r.body;
  auto sold = [&](int64_t id) {
    int64_t out = One("SELECT SUM(l.quantity) FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE l.product_id = ? "
                      "AND s.business_day >= ? AND s.business_day <= ?", {id, from, to});
    int64_t back = One("SELECT SUM(rl.quantity) FROM return_lines rl JOIN sale_returns r ON r.id = rl.return_id "
                       "JOIN sale_lines l ON l.id = rl.sale_line_id WHERE l.product_id = ? AND r.business_day >= ? "
                       "AND r.business_day <= ?", {id, from, to});
    return out - back;
  };
  auto on_hand = [&](int64_t id) { return One("SELECT on_hand FROM stock_levels WHERE product_id = ?", {id}); };
  // By hand: 红楼梦 2 + 1 + (1 − 1 voided) = 3; 挪威的森林 1 + 3 − 1 returned = 3.
  EXPECT_EQ(sold(book_a_), 3);
  EXPECT_EQ(sold(book_b_), 3);
  const json& best = r.json["best_sellers"];
  ASSERT_EQ(best.size(), 2u) << r.body;
  for (const auto& b : best) {
    EXPECT_EQ(b["quantity"], sold(b["product_id"])) << b.dump();
    EXPECT_EQ(b["on_hand"], on_hand(b["product_id"])) << b.dump();
  }
  // Equal units: the higher net first (红楼梦 ¥59.90 a copy).
  EXPECT_EQ(best[0]["product_id"], book_a_);
  EXPECT_EQ(best[0]["genre_name"], "小说");
  EXPECT_NEAR(best[0]["stock_cover_days"].get<double>(), double(on_hand(book_a_)) * 30.0 / 3.0, 1e-9);
  EXPECT_TRUE(best[1]["gross_margin"].is_null());

  // Slow: 百年孤独, 5 in stock, never sold: ¥10.00 × 5 tied up.
  ASSERT_EQ(r.json["slow_sellers"].size(), 1u) << r.body;
  const json& slow = r.json["slow_sellers"][0];
  EXPECT_EQ(slow["product_id"], book_c_);
  EXPECT_EQ(slow["on_hand"], 5);
  EXPECT_EQ(slow["stock_value"], 5 * 1000);
  EXPECT_TRUE(slow["last_sold_on"].is_null());
  EXPECT_EQ(r.json["summary"]["slow_stock_value"], 5000);

  // Sell-through over everything: units sold / (sold + on hand now).
  int64_t all_on_hand = One("SELECT SUM(on_hand) FROM stock_levels");
  EXPECT_EQ(r.json["summary"]["on_hand"], all_on_hand);
  EXPECT_NEAR(r.json["summary"]["sell_through"].get<double>(), 6.0 / double(6 + all_on_hand), 1e-9);
  EXPECT_EQ(r.json["summary"]["stock_value"], on_hand(book_a_) * 3500 + 5 * 1000);

  // Reorder: 挪威的森林 sells 3 / 30 = 0.1 a day → ceil(0.1 × 30) = 3 < reorder point 20 → 20 − on hand.
  // 红楼梦: 0.1 a day → 3 ≤ on hand: no suggestion.
  ASSERT_EQ(r.json["reorder"].size(), 1u) << r.body;
  EXPECT_EQ(r.json["reorder"][0]["product_id"], book_b_);
  EXPECT_EQ(r.json["reorder"][0]["suggested_quantity"], 20 - on_hand(book_b_));
  EXPECT_NEAR(r.json["reorder"][0]["daily_velocity"].get<double>(), 0.1, 1e-9);

  // A lead time long enough turns 红楼梦 into a suggestion: ceil(0.1 × (300 + 60)) = 36 − on hand.
  Reply longer = Send(owner_, "GET", "/api/v1/reports/books?from=" + from + "&to=" + to + "&lead_days=300&cover_days=60&sort=net");
  ASSERT_EQ(longer.status, 200) << longer.body;
  bool found = false;
  for (const auto& s : longer.json["reorder"])
    if (s["product_id"] == book_a_) {
      found = true;
      EXPECT_EQ(s["suggested_quantity"], 36 - on_hand(book_a_));
    }
  EXPECT_TRUE(found) << longer.body;
}

TEST_P(ReportsSales, HoursPutEverySaleInItsWeekdayAndLocalHour) {
  MakeHistory();
  std::string to = Today(), from = Shift(to, -40);
  Reply r = Send(owner_, "GET", "/api/v1/reports/hours?from=" + from + "&to=" + to);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["heatmap"].size(), 7u * 24u);
  // Expected cells from the raw sales: Asia/Shanghai is UTC+8 all year.
  std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> want;
  for (const auto& row : Query("SELECT at, business_day, net_total FROM sales WHERE business_day >= ? AND business_day <= ?", {from, to})) {
    int64_t local = row.Int(0) + 8 * 3600 * 1000;
    int hour = static_cast<int>((local / 3600000) % 24);
    int wd = service::IsoWeekday(*service::ParseDay(row.Text(1)));
    want[{wd, hour}].first += 1;
    want[{wd, hour}].second += row.Int(2);
  }
  ASSERT_FALSE(want.empty());
  for (const auto& c : r.json["heatmap"]) {
    auto it = want.find({c["weekday"].get<int>(), c["hour"].get<int>()});
    int64_t sales = it == want.end() ? 0 : it->second.first, net = it == want.end() ? 0 : it->second.second;
    EXPECT_EQ(c["sales"], sales) << c.dump();
    EXPECT_EQ(c["net"], net) << c.dump();
  }
  int64_t days = 0;
  for (const auto& w : r.json["weekdays"]) days += w["days"].get<int64_t>();
  EXPECT_EQ(days, 41);
  // Months: the period's months in order, net after returns from the raw rows.
  for (const auto& m : r.json["months"]) {
    std::string key = m["month"];
    std::string lo = std::max(from, key + "-01"), hi = std::min(to, key + "-31");
    EXPECT_EQ(m["net_after_returns"], RawTotals(lo, hi)["net_after_returns"]) << key;
  }
}

TEST_P(ReportsSales, DownloadsAreCsvWithBomAndXlsxWorkbooks) {
  MakeHistory();
  std::string to = Today(), from = Shift(to, -29);
  Reply csv = Send(owner_, "GET", "/api/v1/reports/sales?format=csv&from=" + from + "&to=" + to);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.Header("Content-Disposition"), "attachment; filename=\"sales-" + from + "-" + to + ".csv\"");
  ASSERT_GT(csv.body.size(), 3u);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF日期,销售笔数,销售件数,", 0), 0u) << csv.body.substr(0, 80);
  // Today's row: its net sales in yuan with two decimals.
  int64_t net = RawTotals(to, to)["net"];
  char yuan[32];
  std::snprintf(yuan, sizeof yuan, "%lld.%02lld", static_cast<long long>(net / 100), static_cast<long long>(net % 100));
  size_t at = csv.body.find("\r\n" + to + ",");
  ASSERT_NE(at, std::string::npos) << csv.body;
  std::string line = csv.body.substr(at + 2, csv.body.find("\r\n", at + 2) - at - 2);
  EXPECT_NE(line.find("," + std::string(yuan) + ","), std::string::npos) << line;

  Reply xlsx = Send(owner_, "GET", "/api/v1/reports/books?format=xlsx&lang=en&from=" + from + "&to=" + to);
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.Header("Content-Disposition"), "attachment; filename=\"books-" + from + "-" + to + ".xlsx\"");
  std::vector<std::vector<std::string>> rows;
  Status st = service::ReadXlsxRows(xlsx.body, [&](const service::TableRow& row) {
    rows.push_back(row.cells);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "Rank");
  EXPECT_EQ(rows[0][1], "Title");
  EXPECT_EQ(rows[1][1], "红楼梦");
  EXPECT_EQ(rows[1][4], "3") << "units less returns";

  for (const char* path : {"dashboard", "hours"}) {
    Reply x = Send(owner_, "GET", std::string("/api/v1/reports/") + path + "?format=xlsx");
    ASSERT_EQ(x.status, 200) << path << x.body;
    EXPECT_TRUE(service::ReadXlsxRows(x.body, [](const service::TableRow&) { return Status::Ok(); }).ok()) << path;
    Reply c = Send(owner_, "GET", std::string("/api/v1/reports/") + path + "?format=csv&lang=en");
    ASSERT_EQ(c.status, 200) << path;
    EXPECT_EQ(c.body.substr(0, 3), "\xEF\xBB\xBF") << path;
  }
}

TEST_P(ReportsSales, BadParametersAreFieldErrorsAndCashiersAreRefused) {
  struct Case {
    std::string query, field;
  } cases[] = {
      {"from=2026-03-02&to=2026-03-01", "from"},
      {"to=2026-02-30", "to"},
      {"from=20260101", "from"},
      {"group=year", "group"},
      {"store_id=999999", "store_id"},
      {"store_id=abc", "store_id"},
      {"from=2020-01-01&to=2023-01-02", "from"},
      {"format=pdf", "format"},
      {"lang=fr", "lang"},
  };
  for (const auto& c : cases) {
    Reply r = Send(owner_, "GET", "/api/v1/reports/sales?" + c.query);
    EXPECT_EQ(r.status, 400) << c.query << " " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument") << r.body;
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.query << " " << r.body;
  }
  // Three years exactly is allowed.
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/reports/sales?from=2023-01-01&to=2025-12-31&group=month").status, 200);
  Reply many = Send(owner_, "GET", "/api/v1/reports/books?limit=0&slow_days=x&sort=price");
  EXPECT_EQ(many.status, 400);
  EXPECT_FALSE(many.FieldError("limit").empty());
  EXPECT_FALSE(many.FieldError("slow_days").empty());
  EXPECT_FALSE(many.FieldError("sort").empty());
  for (const char* path : {"dashboard", "sales", "books", "hours"}) {
    EXPECT_EQ(Send(cashier_, "GET", std::string("/api/v1/reports/") + path).status, 403) << path;
    EXPECT_EQ(Send(manager_, "GET", std::string("/api/v1/reports/") + path).status, 200) << path;
    EXPECT_EQ(Send(Caller{}, "GET", std::string("/api/v1/reports/") + path).status, 401) << path;
  }
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ReportsSales);

// ---- pure helpers ----

service::RangeSplit Split(const char* from, const char* to) {
  return service::SplitRange(*service::ParseDay(from), *service::ParseDay(to));
}

TEST(ReportsSalesPure, RangesSplitIntoWholeMonthsAndLeftoverDays) {
  auto s = Split("2026-01-15", "2026-04-10");
  ASSERT_TRUE(s.months.has_value());
  EXPECT_EQ(s.months->first, "2026-02");
  EXPECT_EQ(s.months->second, "2026-03");
  ASSERT_EQ(s.day_runs.size(), 2u);
  EXPECT_EQ(s.day_runs[0], (std::pair<std::string, std::string>{"2026-01-15", "2026-01-31"}));
  EXPECT_EQ(s.day_runs[1], (std::pair<std::string, std::string>{"2026-04-01", "2026-04-10"}));
  s = Split("2024-02-01", "2024-02-29");  // a whole leap February
  ASSERT_TRUE(s.months.has_value());
  EXPECT_EQ(s.months->first, "2024-02");
  EXPECT_TRUE(s.day_runs.empty());
  s = Split("2026-03-02", "2026-03-30");  // inside one month
  EXPECT_FALSE(s.months.has_value());
  ASSERT_EQ(s.day_runs.size(), 1u);
  s = Split("2026-10-30", "2026-11-28");  // across a month's end, no whole month: a run in each
  EXPECT_FALSE(s.months.has_value());
  ASSERT_EQ(s.day_runs.size(), 2u);
  EXPECT_EQ(s.day_runs[0], (std::pair<std::string, std::string>{"2026-10-30", "2026-10-31"}));
  EXPECT_EQ(s.day_runs[1], (std::pair<std::string, std::string>{"2026-11-01", "2026-11-28"}));
  s = Split("2026-01-31", "2026-03-01");  // no whole month... but February
  ASSERT_TRUE(s.months.has_value());
  EXPECT_EQ(s.months->first, "2026-02");
  EXPECT_EQ(s.months->second, "2026-02");
  EXPECT_EQ(s.day_runs.size(), 2u);
}

TEST(ReportsSalesPure, CalendarHelpers) {
  auto d = [](const char* s) { return *service::ParseDay(s); };
  EXPECT_EQ(service::IsoWeekday(d("2026-11-30")), 1);  // a Monday
  EXPECT_EQ(service::IsoWeekday(d("2026-11-29")), 7);
  EXPECT_EQ(service::FormatDay(service::WeekStart(d("2026-11-29"))), "2026-11-23");
  EXPECT_EQ(service::FormatDay(service::AddMonthsClipped(d("2026-03-31"), -1)), "2026-02-28");
  EXPECT_EQ(service::FormatDay(service::AddMonthsClipped(d("2024-03-31"), -1)), "2024-02-29");
  EXPECT_EQ(service::FormatDay(service::AddMonthsClipped(d("2026-01-15"), -1)), "2025-12-15");
  auto counts = service::WeekdayCounts(d("2026-11-23"), d("2026-12-01"));  // Mon … next Tue: 9 days
  EXPECT_EQ(counts[1], 2);
  EXPECT_EQ(counts[2], 2);
  EXPECT_EQ(counts[3], 1);
  EXPECT_EQ(counts[7], 1);
  auto p = service::MakeReportPeriod(d("2026-03-01"), d("2026-03-31"), std::nullopt);
  EXPECT_EQ(p.days, 31);
  EXPECT_EQ(service::FormatDay(p.prev_from), "2026-01-29");
  EXPECT_EQ(service::FormatDay(p.prev_to), "2026-02-28");
  EXPECT_EQ(service::DivRound(5, 2), 3);
  EXPECT_EQ(service::DivRound(-5, 2), -3);
  EXPECT_FALSE(service::DivRound(5, 0).has_value());
}

TEST(ReportsSalesPure, CsvQuotesEscapesAndFormatsMoneyAndRates) {
  service::ReportTable t{"表", "Table",
                         {{"name", "名称", "Name", service::ColumnKind::kText},
                          {"net", "金额", "Net", service::ColumnKind::kMoney},
                          {"rate", "比率", "Rate", service::ColumnKind::kPercent},
                          {"n", "数量", "N", service::ColumnKind::kInt}},
                         {}};
  t.Row({std::string("a, \"b\""), int64_t{123456}, 0.12345, int64_t{7}});
  t.Row({std::string("=SUM(A1)"), int64_t{-5}, std::monostate{}, std::monostate{}});
  EXPECT_EQ(service::ReportCsv(t, "en"),
            "\xEF\xBB\xBFName,Net,Rate,N\r\n\"a, \"\"b\"\"\",1234.56,12.35%,7\r\n'=SUM(A1),-0.05,,\r\n");
  EXPECT_EQ(service::ReportCsv(t, "zh-CN").rfind("\xEF\xBB\xBF名称,金额,比率,数量\r\n", 0), 0u);
  auto x = service::ReportXlsx({t}, "zh-CN");
  ASSERT_TRUE(x.ok()) << x.status().message();
  std::vector<std::vector<std::string>> rows;
  ASSERT_TRUE(service::ReadXlsxRows(*x, [&](const service::TableRow& r) {
                rows.push_back(r.cells);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "名称");
  EXPECT_EQ(rows[2][0], "=SUM(A1)") << "a string cell, not a formula";
}

}  // namespace
}  // namespace shuyou::test
