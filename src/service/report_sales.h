// The sales reports and the owner's dashboard (docs/api.md, "Reports: sales, books, hours,
// dashboard"): read-only use cases over the report aggregates of migration 0016
// (report_sales_hourly, report_items_daily/monthly, report_points_daily) and small tables
// (stores, staff, categories, products, stock_levels, members through indexes of 0018). None
// scans sales, sale_lines or points_ledger. Each runs in one read transaction (one snapshot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/report_common.h"
#include "service/services.h"

namespace shuyou::service {

// Sums of report_sales_hourly (or, for genre rows, report_items_*) over a period.
struct SalesTotals {
  int64_t sales = 0, member_sales = 0, items = 0, gross = 0, discounts = 0, net = 0, member_net = 0;
  int64_t returns = 0, returned_items = 0, returned_net = 0;
  int64_t sold_cost = 0, sold_costed_net = 0, returned_cost = 0, returned_costed_net = 0;

  void Add(const SalesTotals& o);
  int64_t NetAfterReturns() const { return net - returned_net; }
  int64_t Cost() const { return sold_cost - returned_cost; }
  int64_t CostedNet() const { return sold_costed_net - returned_costed_net; }
  bool HasCost() const { return sold_cost != 0 || sold_costed_net != 0 || returned_cost != 0 || returned_costed_net != 0; }
  std::optional<int64_t> GrossMargin() const;
  std::optional<double> GrossMarginRate() const;
  std::optional<int64_t> AverageBasket() const { return DivRound(net, sales); }
  std::optional<double> MemberShare() const { return Ratio(member_net, net); }
  std::optional<double> CostCoverage() const { return Ratio(CostedNet(), NetAfterReturns()); }
};

// ---- sales ----
struct SalesRow {
  std::string key, label;
  SalesTotals totals;
  bool per_line = false;  // a genre row: no per-sale numbers
  int64_t lines = 0;      // genre rows: sale lines
};

struct SalesReport {
  ReportPeriod period;
  std::string group;
  SalesTotals totals, previous;
  std::vector<SalesRow> rows;
};

// group: day, week, month, store, genre, cashier (checked by the caller); lang labels genres.
Result<SalesReport> ReportSales(Context& ctx, const ReportPeriod& period, const std::string& group,
                                const std::string& lang);

// ---- dashboard ----
struct TopBook {
  int64_t product_id = 0;
  std::string title;
  std::optional<std::string> isbn13;
  int64_t quantity = 0, net = 0;
};

struct Dashboard {
  core::Date day, previous_day, month_from, previous_month_from, previous_month_to;
  std::optional<int64_t> store_id;
  SalesTotals today, yesterday, month, previous_month;
  int64_t new_today = 0, new_yesterday = 0, new_month = 0, new_previous_month = 0;
  std::vector<std::pair<std::string, SalesTotals>> series;  // 30 days ending `day`
  std::vector<TopBook> top_books;
  int64_t members_total = 0, members_active_90 = 0;
  int64_t points_outstanding = 0, points_value = 0, stored_value = 0;
};

Result<Dashboard> ReportDashboard(Context& ctx, core::Date day, std::optional<int64_t> store_id);

// ---- books ----
struct BooksOptions {
  std::string sort = "quantity";  // quantity or net
  int64_t limit = 20, slow_days = 90, lead_days = 14, cover_days = 30;
  std::string lang = "zh-CN";
};

struct BookLine {
  int64_t product_id = 0;
  std::string title, barcode, genre, genre_name;
  std::optional<std::string> isbn13;
  int64_t quantity = 0, net = 0, cost = 0, costed_net = 0;  // period, net of returns
  bool has_cost = false;
  int64_t on_hand = 0, reorder_point = 0;
  std::optional<int64_t> unit_cost;
  std::optional<std::string> last_sold_on;  // slow sellers
  int64_t suggested = 0;                    // reorder
};

struct GenreStock {
  std::string genre, genre_name;
  int64_t quantity = 0, on_hand = 0, stock_value = 0;
};

struct BooksReport {
  ReportPeriod period;
  BooksOptions options;
  int64_t products_sold = 0, quantity = 0, on_hand = 0, stock_value = 0;
  int64_t slow_products = 0, slow_units = 0, slow_stock_value = 0, reorder_products = 0;
  std::vector<BookLine> best, slow, reorder;
  std::vector<GenreStock> genres;
};

Result<BooksReport> ReportBooks(Context& ctx, const ReportPeriod& period, const BooksOptions& options);

// ---- hours ----
struct HourCell {
  int64_t sales = 0, net = 0;
};

struct MonthSales {
  std::string month;  // 'YYYY-MM'
  int64_t days = 0, sales = 0, items = 0, net = 0, returned_net = 0;
};

struct HoursReport {
  ReportPeriod period;
  HourCell cells[8][24];        // [ISO weekday 1–7][hour]
  std::vector<int64_t> weekday_days;  // [1–7]: such days in the period
  std::vector<MonthSales> months;     // every month of the period, in order
};

Result<HoursReport> ReportHours(Context& ctx, const ReportPeriod& period);

}  // namespace shuyou::service
