// What every report shares below the HTTP layer: the period (business days, inclusive) and the
// previous period of equal length, calendar arithmetic on days and months, the split of a range
// into whole months (report_items_monthly) and leftover days (report_items_daily), and the few
// SQL dialect differences between SQLite and PostgreSQL, kept here in ONE place.
// Pure functions except StoreExists; all dates are business days (Settings::timezone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/points.h"
#include "store/db.h"

namespace shuyou::service {

// The longest period a report accepts: three years (1,096 days: one leap day allowed).
inline constexpr int64_t kMaxReportDays = 1096;

struct ReportPeriod {
  core::Date from;
  core::Date to;
  int64_t days = 0;       // to − from + 1
  core::Date prev_from;   // the `days` days before `from`
  core::Date prev_to;     // the day before `from`
  std::optional<int64_t> store_id;
};

// Requires from <= to (the caller has validated it).
ReportPeriod MakeReportPeriod(core::Date from, core::Date to, std::optional<int64_t> store_id);

// ---- calendar ----
core::Date AddDays(core::Date d, int64_t n);
int64_t DaysBetween(core::Date from, core::Date to);  // to − from, in days
int IsoWeekday(core::Date d);                          // 1 = Monday … 7 = Sunday
core::Date WeekStart(core::Date d);                    // the Monday on or before d
core::Date FirstOfMonth(core::Date d);
core::Date LastOfMonth(core::Date d);
// The same day `n` months later (or earlier), clipped to that month's last day (Jan 31 + 1 → Feb 28/29).
core::Date AddMonthsClipped(core::Date d, int n);
std::string MonthKey(core::Date d);                    // "2026-11"
// How many times each ISO weekday (index 1–7; [0] unused) occurs in [from, to].
std::vector<int64_t> WeekdayCounts(core::Date from, core::Date to);

// ---- whole months and leftover days ----
// [from, to] as whole calendar months (read from report_items_monthly) and at most two runs of
// leftover days (read from report_items_daily); a run of days never crosses a month's end. A
// range inside one month that is not the whole month is one run of days and no months.
struct RangeSplit {
  std::optional<std::pair<std::string, std::string>> months;            // first and last 'YYYY-MM'
  std::vector<std::pair<std::string, std::string>> day_runs;            // inclusive 'YYYY-MM-DD'
};
RangeSplit SplitRange(core::Date from, core::Date to);

// A derived table of report_items_* rows over [from, to] (optionally one store), with the
// columns store_id, product_id, genre, lines, quantity, net, cost, costed_net, returned_qty,
// returned_net, returned_cost, returned_costed_net. Use as `FROM (<sql>) it` and SUM the columns
// (a run covering most of a month is read as the month's row plus NEGATED rows of the days outside
// the run, so rows must be summed, never counted or filtered on their sign); its parameters are
// appended to `params` in order.
std::string ItemsInRangeSql(core::Date from, core::Date to, std::optional<int64_t> store_id,
                            std::vector<store::Value>& params);

// ---- SQL dialect ----
// Expressions over a TEXT column (or expression) `col` holding 'YYYY-MM-DD'.
struct SqlDialect {
  store::Engine engine;
  // 0 = Sunday … 6 = Saturday, as an integer.
  std::string WeekdayOf(std::string_view col) const;
  // 1 = Monday … 7 = Sunday, as an integer.
  std::string IsoWeekdayOf(std::string_view col) const;
  // The Monday on or before the day, as 'YYYY-MM-DD' text.
  std::string WeekStartOf(std::string_view col) const;
  // 'YYYY-MM' of a day or month column (same on both engines).
  std::string MonthOf(std::string_view col) const;
  // Whole months from month key `a` to month key `b` ('YYYY-MM…' text): b − a (same on both).
  std::string MonthsBetween(std::string_view a, std::string_view b) const;
  // 'YYYY-MM-DD' of the day `n` days after a day column (n may be negative or a `?`).
  std::string AddDaysTo(std::string_view col, std::string_view n) const;
};
inline SqlDialect DialectOf(const store::Tx& tx) { return SqlDialect{tx.engine()}; }

// True when the store exists.
Result<bool> StoreExists(store::Tx& tx, int64_t store_id);

// Ratio helpers shared by the reports: nullopt when the denominator is 0.
std::optional<double> Ratio(int64_t num, int64_t den);
// num / den rounded half up (den > 0; nullopt when den == 0).
std::optional<int64_t> DivRound(int64_t num, int64_t den);

}  // namespace shuyou::service
