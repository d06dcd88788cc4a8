// Report periods, calendar arithmetic, the month/day split and the SQL dialect (see the header).
#include "service/report_common.h"

#include <chrono>

#include "service/business_day.h"

namespace shuyou::service {

using namespace std::chrono;

core::Date AddDays(core::Date d, int64_t n) { return core::Date{sys_days(d) + days(n)}; }

int64_t DaysBetween(core::Date from, core::Date to) { return (sys_days(to) - sys_days(from)).count(); }

int IsoWeekday(core::Date d) { return static_cast<int>(weekday(sys_days(d)).iso_encoding()); }

core::Date WeekStart(core::Date d) { return AddDays(d, -(IsoWeekday(d) - 1)); }

core::Date FirstOfMonth(core::Date d) { return core::Date{d.year(), d.month(), day{1}}; }

core::Date LastOfMonth(core::Date d) {
  year_month_day_last l{d.year(), month_day_last{d.month()}};
  return core::Date{l};
}

core::Date AddMonthsClipped(core::Date d, int n) {
  year_month ym = year_month{d.year(), d.month()} + months(n);
  core::Date last{year_month_day_last{ym.year(), month_day_last{ym.month()}}};
  return d.day() > last.day() ? last : core::Date{ym.year(), ym.month(), d.day()};
}

std::string MonthKey(core::Date d) { return FormatDay(d).substr(0, 7); }

std::vector<int64_t> WeekdayCounts(core::Date from, core::Date to) {
  std::vector<int64_t> counts(8, 0);
  int64_t n = DaysBetween(from, to) + 1;
  if (n <= 0) return counts;
  for (int k = 1; k <= 7; ++k) counts[k] = n / 7;
  int wd = IsoWeekday(from);
  for (int64_t i = 0; i < n % 7; ++i) counts[(wd - 1 + i) % 7 + 1]++;
  return counts;
}

ReportPeriod MakeReportPeriod(core::Date from, core::Date to, std::optional<int64_t> store_id) {
  ReportPeriod p;
  p.from = from;
  p.to = to;
  p.days = DaysBetween(from, to) + 1;
  p.prev_to = AddDays(from, -1);
  p.prev_from = AddDays(from, -p.days);
  p.store_id = store_id;
  return p;
}

RangeSplit SplitRange(core::Date from, core::Date to) {
  RangeSplit s;
  if (DaysBetween(from, to) < 0) return s;
  // The first whole month starts at `from` when it is a 1st, else the month after.
  core::Date first_whole = from.day() == day{1} ? from : AddDays(LastOfMonth(from), 1);
  // The last whole month ends at `to` when it is a month's last day, else the month before.
  core::Date last_whole_end = to == LastOfMonth(to) ? to : AddDays(FirstOfMonth(to), -1);
  if (DaysBetween(first_whole, last_whole_end) < 0) {  // no whole month inside: one run per month
    if (MonthKey(from) == MonthKey(to)) {
      s.day_runs.emplace_back(FormatDay(from), FormatDay(to));
    } else {
      s.day_runs.emplace_back(FormatDay(from), FormatDay(LastOfMonth(from)));
      s.day_runs.emplace_back(FormatDay(FirstOfMonth(to)), FormatDay(to));
    }
    return s;
  }
  s.months.emplace(MonthKey(first_whole), MonthKey(last_whole_end));
  if (first_whole != from) s.day_runs.emplace_back(FormatDay(from), FormatDay(AddDays(first_whole, -1)));
  if (last_whole_end != to) s.day_runs.emplace_back(FormatDay(AddDays(last_whole_end, 1)), FormatDay(to));
  return s;
}

std::string ItemsInRangeSql(core::Date from, core::Date to, std::optional<int64_t> store_id,
                            std::vector<store::Value>& params) {
  static const char* kCols =
      "store_id, product_id, genre, lines, quantity, net, cost, costed_net, returned_qty, returned_net, "
      "returned_cost, returned_costed_net";
  static const char* kNegated =
      "store_id, product_id, genre, -lines, -quantity, -net, -cost, -costed_net, -returned_qty, -returned_net, "
      "-returned_cost, -returned_costed_net";
  RangeSplit split = SplitRange(from, to);
  std::string sql;
  auto add = [&](const char* cols, const char* table, const char* key, const std::string& lo, const std::string& hi) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += std::string("SELECT ") + cols + " FROM " + table + " WHERE " + key + " >= ? AND " + key + " <= ?";
    params.emplace_back(lo);
    params.emplace_back(hi);
    if (store_id) {
      sql += " AND store_id = ?";
      params.emplace_back(*store_id);
    }
  };
  if (split.months) add(kCols, "report_items_monthly", "month", split.months->first, split.months->second);
  for (const auto& [lo, hi] : split.day_runs) {
    // A run of most of a month (the month to date, typically) is cheaper as the month's row less
    // the days outside the run (often none yet: they are in the future).
    core::Date a = *ParseDay(lo), b = *ParseDay(hi);
    core::Date first = FirstOfMonth(a), last = LastOfMonth(a);
    int64_t run = DaysBetween(a, b) + 1, month = DaysBetween(first, last) + 1;
    if (month - run < run) {
      add(kCols, "report_items_monthly", "month", MonthKey(a), MonthKey(a));
      if (first != a) add(kNegated, "report_items_daily", "business_day", FormatDay(first), FormatDay(AddDays(a, -1)));
      if (last != b) add(kNegated, "report_items_daily", "business_day", FormatDay(AddDays(b, 1)), FormatDay(last));
    } else {
      add(kCols, "report_items_daily", "business_day", lo, hi);
    }
  }
  if (sql.empty()) sql = std::string("SELECT ") + kCols + " FROM report_items_daily WHERE 1 = 0";
  return sql;
}

std::string SqlDialect::WeekdayOf(std::string_view col) const {
  if (engine == store::Engine::kSqlite) return "CAST(strftime('%w', " + std::string(col) + ") AS INTEGER)";
  return "CAST(EXTRACT(DOW FROM CAST(" + std::string(col) + " AS DATE)) AS INTEGER)";
}

std::string SqlDialect::IsoWeekdayOf(std::string_view col) const {
  return "((" + WeekdayOf(col) + " + 6) % 7 + 1)";
}

std::string SqlDialect::WeekStartOf(std::string_view col) const {
  std::string c(col);
  if (engine == store::Engine::kSqlite)
    return "date(" + c + ", '-' || ((" + WeekdayOf(c) + " + 6) % 7) || ' days')";
  return "to_char(date_trunc('week', CAST(" + c + " AS DATE)), 'YYYY-MM-DD')";
}

std::string SqlDialect::MonthOf(std::string_view col) const { return "SUBSTR(" + std::string(col) + ", 1, 7)"; }

std::string SqlDialect::MonthsBetween(std::string_view a, std::string_view b) const {
  auto months = [](std::string_view c) {
    std::string s(c);
    return "(CAST(SUBSTR(" + s + ", 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(" + s + ", 6, 2) AS INTEGER))";
  };
  return "(" + months(b) + " - " + months(a) + ")";
}

std::string SqlDialect::AddDaysTo(std::string_view col, std::string_view n) const {
  std::string c(col), k(n);
  if (engine == store::Engine::kSqlite) return "date(" + c + ", (" + k + ") || ' days')";
  return "to_char(CAST(" + c + " AS DATE) + CAST(" + k + " AS INTEGER), 'YYYY-MM-DD')";
}

Result<bool> StoreExists(store::Tx& tx, int64_t store_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {store_id}));
  return !rows.empty();
}

std::optional<double> Ratio(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::optional<int64_t> DivRound(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  if (den < 0) num = -num, den = -den;
  int64_t q = num / den, r = num % den;
  if (r < 0) r = -r;
  if (2 * r >= den) q += num < 0 ? -1 : 1;
  return q;
}

}  // namespace shuyou::service
