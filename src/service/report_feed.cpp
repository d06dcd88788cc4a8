// The report aggregates: incremental feed, rebuild and check (see report_feed.h).
// The feed and the rebuild share the SQL below: the feed runs it for one sale or return (a WHERE
// on its id), the rebuild for everything, so both follow one definition. Local hours come from
// 15-minute UTC buckets (`at / 900000`; every real zone offset is a multiple of 15 minutes)
// mapped to (day, hour) in C++, which keeps time zones and DST out of the SQL.
#include "service/report_feed.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <unordered_map>

#include "service/business_day.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr int64_t kBucketMs = 900'000;
constexpr size_t kFeedBatch = 500;  // sales per FeedSales statement

std::string Marks(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

// The aggregate tables a rebuild writes: the stored ones, or the check's temporary copies.
struct Tables {
  std::string hourly, items_daily, items_monthly, member_months, cohorts, points_daily;
};
const Tables kStored{"report_sales_hourly", "report_items_daily", "report_items_monthly",
                     "report_member_months", "report_cohorts",    "report_points_daily"};
const Tables kCheck{"chk_report_sales_hourly", "chk_report_items_daily", "chk_report_items_monthly",
                    "chk_report_member_months", "chk_report_cohorts",    "chk_report_points_daily"};

// ---- local time of 15-minute buckets ----

class BucketClock {
 public:
  explicit BucketClock(const Context& ctx) : ctx_(ctx) {}
  Result<LocalTime> At(int64_t bucket) {
    if (auto it = cache_.find(bucket); it != cache_.end()) return it->second;
    SY_ASSIGN_OR_RETURN(LocalTime t, BusinessLocalTime(ctx_, bucket * kBucketMs));
    cache_.emplace(bucket, t);
    return t;
  }

 private:
  const Context& ctx_;
  std::unordered_map<int64_t, LocalTime> cache_;
};

// ---- report_sales_hourly ----

constexpr size_t kHourSums = 14;
const char* const kHourCols[kHourSums] = {"sales",   "member_sales",   "items",        "gross",        "discounts",
                                          "net",     "member_net",     "cost",         "costed_net",   "returns",
                                          "returned_items", "returned_net", "returned_cost", "returned_costed_net"};
using HourKey = std::tuple<std::string, int64_t, int64_t, int64_t>;  // day, store, hour, staff
using HourMap = std::map<HourKey, std::array<int64_t, kHourSums>>;

// Sales per (day, store, staff, bucket) with their lines' sums; `where` filters sales s and
// `line_where` the lines (the same sale ids).
std::string HourlySalesSql(const std::string& where, const std::string& line_where) {
  return "SELECT s.business_day, s.store_id, COALESCE(s.staff_id, 0), s.at / 900000, COUNT(*), "
         "SUM(CASE WHEN s.member_id IS NULL THEN 0 ELSE 1 END), SUM(l.q), SUM(s.subtotal), SUM(s.discount_total), "
         "SUM(s.net_total), SUM(CASE WHEN s.member_id IS NULL THEN 0 ELSE s.net_total END), SUM(l.cost), SUM(l.cnet) "
         "FROM sales s JOIN (SELECT sale_id, SUM(quantity) AS q, "
         "SUM(CASE WHEN unit_cost IS NULL THEN 0 ELSE unit_cost * quantity END) AS cost, "
         "SUM(CASE WHEN unit_cost IS NULL THEN 0 ELSE net END) AS cnet FROM sale_lines" +
         line_where + " GROUP BY sale_id) l ON l.sale_id = s.id" + where +
         " GROUP BY s.business_day, s.store_id, COALESCE(s.staff_id, 0), s.at / 900000";
}

std::string HourlyReturnsSql(const std::string& where, const std::string& line_where) {
  return "SELECT r.business_day, r.store_id, COALESCE(r.staff_id, 0), r.at / 900000, COUNT(*), SUM(x.q), SUM(x.net), "
         "SUM(x.cost), SUM(x.cnet) FROM sale_returns r JOIN (SELECT rl.return_id, SUM(rl.quantity) AS q, "
         "SUM(rl.refund + rl.points_share) AS net, "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE l.unit_cost * rl.quantity END) AS cost, "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE rl.refund + rl.points_share END) AS cnet "
         "FROM return_lines rl JOIN sale_lines l ON l.id = rl.sale_line_id" +
         line_where + " GROUP BY rl.return_id) x ON x.return_id = r.id" + where +
         " GROUP BY r.business_day, r.store_id, COALESCE(r.staff_id, 0), r.at / 900000";
}

// Adds the rows of a HourlySalesSql (first = 0) or HourlyReturnsSql (first = 9) result.
Status CollectHours(const store::Rows& rows, size_t first, BucketClock& clock, HourMap& out) {
  for (const auto& r : rows.rows) {
    SY_ASSIGN_OR_RETURN(LocalTime t, clock.At(r.Int(3)));
    auto& sums = out[HourKey{r.Text(0), r.Int(1), t.hour, r.Int(2)}];
    for (size_t i = 4; i < r.cols.size(); ++i) sums[first + i - 4] += r.Int(i);
  }
  return Status::Ok();
}

// Multi-row INSERTs of at most `per` rows; `append` pushes row i's parameters.
template <class Append>
Status InsertBatches(store::Tx& tx, const std::string& head, size_t cols, size_t n, const std::string& tail,
                     Append&& append) {
  const size_t per = std::max<size_t>(1, 20'000 / cols);
  std::string one = "(";
  for (size_t c = 0; c < cols; ++c) one += c ? ", ?" : "?";
  one += ")";
  std::vector<store::Value> params;
  for (size_t start = 0; start < n; start += per) {
    size_t end = std::min(n, start + per);
    std::string sql = head;
    params.clear();
    for (size_t i = start; i < end; ++i) {
      sql += (i == start ? "" : ", ") + one;
      append(i, params);
    }
    SY_RETURN_IF_ERROR(tx.Exec(sql + tail, params).status());
  }
  return Status::Ok();
}

Status WriteHours(store::Tx& tx, const std::string& table, const HourMap& hours) {
  std::string head = "INSERT INTO " + table + " (business_day, store_id, hour, staff_id";
  std::string tail = " ON CONFLICT (business_day, store_id, hour, staff_id) DO UPDATE SET ";
  for (size_t i = 0; i < kHourSums; ++i) {
    head += std::string(", ") + kHourCols[i];
    tail += std::string(i ? ", " : "") + kHourCols[i] + " = " + table + "." + kHourCols[i] + " + excluded." + kHourCols[i];
  }
  head += ") VALUES ";
  std::vector<const HourMap::value_type*> rows;
  for (const auto& e : hours) rows.push_back(&e);
  return InsertBatches(tx, head, 4 + kHourSums, rows.size(), tail, [&](size_t i, std::vector<store::Value>& p) {
    const auto& [key, sums] = *rows[i];
    p.push_back(std::get<0>(key));
    p.push_back(std::get<1>(key));
    p.push_back(std::get<2>(key));
    p.push_back(std::get<3>(key));
    for (int64_t v : sums) p.push_back(v);
  });
}

// ---- report_items_daily / report_items_monthly ----

const char* const kItemSaleCols[] = {"lines", "quantity", "net", "cost", "costed_net"};
const char* const kItemReturnCols[] = {"returned_qty", "returned_net", "returned_cost", "returned_costed_net"};

template <size_t N>
std::string AddUp(const std::string& table, const char* const (&cols)[N]) {
  std::string s;
  for (size_t i = 0; i < N; ++i)
    s += std::string(i ? ", " : "") + cols[i] + " = " + table + "." + cols[i] + " + excluded." + cols[i];
  return s;
}

// `period` is the first key column: business_day or month. `where` is a full WHERE clause.
std::string ItemsSalesSql(const std::string& table, const std::string& period, const std::string& where) {
  std::string day = period == "month" ? "substr(s.business_day, 1, 7)" : "s.business_day";
  return "INSERT INTO " + table + " (" + period + ", store_id, product_id, genre, lines, quantity, net, cost, costed_net) "
         "SELECT " + day + ", s.store_id, l.product_id, l.genre, COUNT(*), SUM(l.quantity), SUM(l.net), "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE l.unit_cost * l.quantity END), "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE l.net END) "
         "FROM sale_lines l JOIN sales s ON s.id = l.sale_id " + where + " GROUP BY 1, 2, 3, 4 "
         "ON CONFLICT (" + period + ", store_id, product_id, genre) DO UPDATE SET " + AddUp(table, kItemSaleCols);
}

std::string ItemsReturnsSql(const std::string& table, const std::string& period, const std::string& where) {
  std::string day = period == "month" ? "substr(r.business_day, 1, 7)" : "r.business_day";
  return "INSERT INTO " + table + " (" + period + ", store_id, product_id, genre, returned_qty, returned_net, "
         "returned_cost, returned_costed_net) "
         "SELECT " + day + ", r.store_id, l.product_id, l.genre, SUM(rl.quantity), SUM(rl.refund + rl.points_share), "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE l.unit_cost * rl.quantity END), "
         "SUM(CASE WHEN l.unit_cost IS NULL THEN 0 ELSE rl.refund + rl.points_share END) "
         "FROM return_lines rl JOIN sale_returns r ON r.id = rl.return_id JOIN sale_lines l ON l.id = rl.sale_line_id " +
         where + " GROUP BY 1, 2, 3, 4 ON CONFLICT (" + period + ", store_id, product_id, genre) DO UPDATE SET " +
         AddUp(table, kItemReturnCols);
}

// ---- report_member_months / report_cohorts ----

const char* const kMonthCols[] = {"visits", "spend"};
const char* const kCohortCols[] = {"members", "first_buyers", "visits", "spend", "buyers"};

// A sale or return counts for the member it was made by, or the one that member was merged into.
// The rows' store_id and visit-month links are set afterwards by LinkMonthsSql.
std::string MemberMonthsSalesSql(const std::string& table, const std::string& where) {
  return "INSERT INTO " + table + " (member_id, month, visits, spend) "
         "SELECT COALESCE(m.merged_into, m.id), substr(s.business_day, 1, 7), COUNT(*), SUM(s.net_total) "
         "FROM sales s JOIN members m ON m.id = s.member_id " + where + " GROUP BY 1, 2 "
         "ON CONFLICT (member_id, month) DO UPDATE SET " + AddUp(table, kMonthCols);
}

std::string MemberMonthsReturnsSql(const std::string& table, const std::string& where) {
  return "INSERT INTO " + table + " (member_id, month, visits, spend) "
         "SELECT COALESCE(m.merged_into, m.id), substr(r.business_day, 1, 7), 0, -SUM(rl.refund + rl.points_share) "
         "FROM return_lines rl JOIN sale_returns r ON r.id = rl.return_id JOIN sales s ON s.id = r.sale_id "
         "JOIN members m ON m.id = s.member_id " + where + " GROUP BY 1, 2 "
         "ON CONFLICT (member_id, month) DO UPDATE SET " + AddUp(table, kMonthCols);
}

// Sets store_id (the member's home store, 0 = none), prev_visit_month and next_visit_month
// (migration 0024) of the member months of `table` whose member_id matches `filter` (" AND …"
// over r.member_id, or ""), from the rows themselves: the one definition the feed keeps
// incrementally. Writes only the rows that change.
std::string LinkMonthsSql(const std::string& table, const std::string& filter) {
  return "UPDATE " + table + " SET store_id = w.store_id, prev_visit_month = w.prev_month, "
         "next_visit_month = w.next_month FROM (SELECT r.member_id, r.month, COALESCE(m.home_store_id, 0) AS store_id, "
         "CASE WHEN r.visits > 0 THEN COALESCE(MAX(CASE WHEN r.visits > 0 THEN r.month END) OVER (PARTITION BY "
         "r.member_id ORDER BY r.month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), '') END AS prev_month, "
         "CASE WHEN r.visits >= 2 THEN r.month WHEN r.visits > 0 THEN COALESCE(MIN(CASE WHEN r.visits > 0 THEN r.month "
         "END) OVER (PARTITION BY r.member_id ORDER BY r.month ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '') "
         "END AS next_month FROM " + table + " r JOIN members m ON m.id = r.member_id WHERE 1 = 1" + filter + ") w "
         "WHERE " + table + ".member_id = w.member_id AND " + table + ".month = w.month AND (" + table +
         ".store_id <> w.store_id OR COALESCE(" + table + ".prev_visit_month, '-') <> COALESCE(w.prev_month, '-') "
         "OR COALESCE(" + table + ".next_visit_month, '-') <> COALESCE(w.next_month, '-'))";
}

// What the member months `from` (table alias r, joined to members m) add to their cohort rows,
// with `sign` "" or "-": a member counts in `members` in each month with a visit, in
// `first_buyers` in their first (no earlier visit), in `buyers` in their first on or after the
// month they joined (their cohort).
std::string CohortRowsSql(const std::string& table, const char* sign, const std::string& from) {
  const std::string cohort = "COALESCE(substr(m.joined_on, 1, 7), '')";
  return "INSERT INTO " + table + " (store_id, cohort, month, members, first_buyers, visits, spend, buyers) "
         "SELECT r.store_id, " + cohort + ", r.month, " + sign + "SUM(CASE WHEN r.visits > 0 THEN 1 ELSE 0 END), " +
         sign + "SUM(CASE WHEN r.prev_visit_month = '' THEN 1 ELSE 0 END), " + sign + "SUM(r.visits), " + sign +
         "SUM(r.spend), " + sign + "SUM(CASE WHEN r.visits > 0 AND r.month >= " + cohort +
         " AND (r.prev_visit_month = '' OR r.prev_visit_month < " + cohort + ") THEN 1 ELSE 0 END) FROM " + from +
         " GROUP BY 1, 2, 3 ON CONFLICT (store_id, cohort, month) DO UPDATE SET " + AddUp(table, kCohortCols);
}

// A member's cohort (the month of joined_on, filled from created_at when NULL) and home store
// (0 = none): the key of their report_cohorts rows.
struct CohortKey {
  std::string cohort;
  int64_t store_id = 0;
};

Result<CohortKey> CohortOf(store::Tx& tx, const Context& ctx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT joined_on, created_at, COALESCE(home_store_id, 0) FROM members WHERE id = ?",
                                         {member_id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  if (!rows[0].IsNull(0)) return CohortKey{rows[0].Text(0).substr(0, 7), rows[0].Int(2)};
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, rows[0].Int(1)));
  std::string joined = FormatDay(day);
  SY_RETURN_IF_ERROR(
      tx.Exec("UPDATE members SET joined_on = ? WHERE id = ? AND joined_on IS NULL", {joined, member_id}).status());
  return CohortKey{joined.substr(0, 7), rows[0].Int(2)};
}

Status AddCohort(store::Tx& tx, const CohortKey& key, const std::string& month, int64_t members, int64_t first_buyers,
                 int64_t visits, int64_t spend, int64_t buyers = 0) {
  return tx.Exec("INSERT INTO report_cohorts (store_id, cohort, month, members, first_buyers, visits, spend, buyers) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store_id, cohort, month) DO UPDATE SET " +
                     AddUp("report_cohorts", kCohortCols),
                 {key.store_id, key.cohort, month, members, first_buyers, visits, spend, buyers})
      .status();
}

// Adds (sign "") or takes out (sign "-") the cohort rows of one member's months, under the
// store their rows carry; taking out drops the cohort rows it emptied.
Status MemberCohortRows(store::Tx& tx, int64_t member_id, const char* sign) {
  SY_RETURN_IF_ERROR(tx.Exec(CohortRowsSql("report_cohorts", sign,
                                           "report_member_months r JOIN members m ON m.id = r.member_id "
                                           "WHERE r.member_id = ?"),
                             {member_id})
                         .status());
  if (*sign == '\0') return Status::Ok();
  return tx.Exec("DELETE FROM report_cohorts WHERE members = 0 AND first_buyers = 0 AND visits = 0 AND spend = 0 "
                 "AND buyers = 0 AND month IN (SELECT month FROM report_member_months WHERE member_id = ?)",
                 {member_id})
      .status();
}

// Adds visits and spend to one member month and the member's cohort row, keeping members (the
// month's visits went 0 → more), first_buyers (the earliest month with a visit), buyers and the
// visit-month links right even when an earlier month arrives after a later one (imported
// history). A checkout's usual sale costs two statements here (the member, the upsert) and the
// cohort upsert; the first visit of a month three more (its neighbours, their links, and the
// rows that stop being first), the second visit of a month one more (its next_visit_month).
Status AddMemberMonth(store::Tx& tx, const Context& ctx, int64_t member_id, const std::string& month, int64_t visits,
                      int64_t spend) {
  SY_ASSIGN_OR_RETURN(CohortKey key, CohortOf(tx, ctx, member_id));
  SY_ASSIGN_OR_RETURN(auto row, tx.Exec("INSERT INTO report_member_months (member_id, month, store_id, visits, spend) "
                                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (member_id, month) DO UPDATE SET " +
                                            AddUp("report_member_months", kMonthCols) + " RETURNING visits",
                                        {member_id, month, key.store_id, visits, spend}));
  const int64_t now_visits = row[0].Int(0), before = now_visits - visits;
  const bool now_active = visits > 0 && before == 0;
  if (!now_active) {
    if (before > 0 && before < 2 && now_visits >= 2)  // a second visit this month
      SY_RETURN_IF_ERROR(tx.Exec("UPDATE report_member_months SET next_visit_month = month WHERE member_id = ? AND month = ?",
                                 {member_id, month})
                             .status());
    return AddCohort(tx, key, month, 0, 0, visits, spend, 0);
  }
  // The month turned active: its neighbours among the member's other months with a visit, and
  // their first month on or after joining.
  SY_ASSIGN_OR_RETURN(auto around, tx.Exec("SELECT MAX(CASE WHEN month < ? THEN month END), "
                                           "MIN(CASE WHEN month > ? THEN month END), "
                                           "MIN(CASE WHEN month >= ? THEN month END) FROM report_member_months "
                                           "WHERE member_id = ? AND visits > 0 AND month <> ?",
                                           {month, month, key.cohort, member_id, month}));
  const std::string prev = around[0].IsNull(0) ? "" : around[0].Text(0);
  const std::string next = around[0].IsNull(1) ? "" : around[0].Text(1);
  const std::string buying = around[0].IsNull(2) ? "" : around[0].Text(2);
  // Links: this month's, the previous month's next (unless it has two visits), the next's prev.
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE report_member_months SET prev_visit_month = CASE WHEN month = ? THEN ? "
                             "WHEN month = ? THEN ? ELSE prev_visit_month END, next_visit_month = CASE "
                             "WHEN month = ? THEN (CASE WHEN visits >= 2 THEN month ELSE ? END) "
                             "WHEN month = ? AND visits < 2 THEN ? ELSE next_visit_month END "
                             "WHERE member_id = ? AND month IN (?, ?, ?)",
                             {month, prev, next, month, month, next, prev, month, member_id, month, prev, next})
                         .status());
  // No earlier visit: first buyer here, and no more in the month that was first (the next one).
  const int64_t first = prev.empty() ? 1 : 0;
  int64_t buyer = 0;
  if (month >= key.cohort && (buying.empty() || buying > month)) buyer = 1;
  const bool next_loses_first = prev.empty() && !next.empty();
  const bool buying_loses = buyer == 1 && !buying.empty();
  if (next_loses_first || buying_loses) {
    if (next_loses_first && buying_loses && next == buying) {
      SY_RETURN_IF_ERROR(AddCohort(tx, key, next, 0, -1, 0, 0, -1));
    } else {
      if (next_loses_first) SY_RETURN_IF_ERROR(AddCohort(tx, key, next, 0, -1, 0, 0, 0));
      if (buying_loses) SY_RETURN_IF_ERROR(AddCohort(tx, key, buying, 0, 0, 0, 0, -1));
    }
  }
  return AddCohort(tx, key, month, 1, first, visits, spend, buyer);
}

// The set-based AddMemberMonth for a batch of (member, month) sums with distinct keys: the same
// rows and cohort counts as one AddMemberMonth per sum, in any order. A month turns active when
// its visits go from 0 to more (the upsert returns the new visits); the member's first month is
// the smallest active one: the old smallest (read before the upsert) loses first_buyers when an
// earlier month turns active. The links of the batch's members are then set by LinkMonthsSql.
struct MonthSum {
  int64_t member_id;
  std::string month;
  int64_t visits, spend;
};

Status AddMemberMonths(store::Tx& tx, const Context& ctx, const std::vector<MonthSum>& sums) {
  if (sums.empty()) return Status::Ok();
  std::vector<int64_t> members;
  for (const auto& s : sums) members.push_back(s.member_id);
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::vector<store::Value> ids(members.begin(), members.end());
  const std::string in = "(" + Marks(ids.size()) + ")";
  // Cohorts and home stores: a NULL joined_on is filled as CohortOf does.
  std::unordered_map<int64_t, CohortKey> cohort;
  SY_ASSIGN_OR_RETURN(auto joined, tx.Exec("SELECT id, joined_on, COALESCE(home_store_id, 0) FROM members WHERE id IN " + in,
                                           ids));
  for (const auto& r : joined.rows)
    if (!r.IsNull(1)) cohort.emplace(r.Int(0), CohortKey{r.Text(1).substr(0, 7), r.Int(2)});
  for (int64_t id : members)
    if (!cohort.count(id)) {
      SY_ASSIGN_OR_RETURN(CohortKey c, CohortOf(tx, ctx, id));
      cohort.emplace(id, std::move(c));
    }
  // Before the upsert: each member's first month with a visit (first_buyers) and first such month
  // on or after joining (buyers).
  std::unordered_map<int64_t, std::string> first_before, buyer_before;
  SY_ASSIGN_OR_RETURN(auto active, tx.Exec("SELECT member_id, month FROM report_member_months WHERE member_id IN " + in +
                                               " AND visits > 0",
                                           ids));
  auto keep_min = [](std::unordered_map<int64_t, std::string>& m, int64_t member, const std::string& month) {
    auto [it, fresh] = m.emplace(member, month);
    if (!fresh && month < it->second) it->second = month;
  };
  for (const auto& r : active.rows) {
    const int64_t member = r.Int(0);
    const std::string month = r.Text(1);
    keep_min(first_before, member, month);
    if (month >= cohort.at(member).cohort) keep_min(buyer_before, member, month);
  }
  // The upsert, remembering which months turned active.
  std::map<std::pair<int64_t, std::string>, int64_t> added;  // (member, month) → visits added
  for (const auto& s : sums) added.emplace(std::pair{s.member_id, s.month}, s.visits);
  std::map<int64_t, std::string> first_new;  // member → earliest month that turned active
  std::map<int64_t, std::string> buyer_new;  // … of those on or after the member's joining month
  // (store, cohort, month) → members, first_buyers, visits, spend, buyers
  std::map<std::tuple<int64_t, std::string, std::string>, std::array<int64_t, 5>> cohorts;
  auto cell = [&](int64_t member, const std::string& month) -> std::array<int64_t, 5>& {
    const CohortKey& k = cohort.at(member);
    return cohorts[{k.store_id, k.cohort, month}];
  };
  const size_t per = 20'000 / 5;
  for (size_t start = 0; start < sums.size(); start += per) {
    const size_t end = std::min(sums.size(), start + per);
    std::string sql = "INSERT INTO report_member_months (member_id, month, store_id, visits, spend) VALUES ";
    std::vector<store::Value> p;
    for (size_t i = start; i < end; ++i) {
      sql += i == start ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
      p.insert(p.end(), {sums[i].member_id, sums[i].month, cohort.at(sums[i].member_id).store_id, sums[i].visits,
                         sums[i].spend});
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " ON CONFLICT (member_id, month) DO UPDATE SET " +
                                               AddUp("report_member_months", kMonthCols) +
                                               " RETURNING member_id, month, visits",
                                           p));
    for (const auto& r : rows.rows) {
      const int64_t member = r.Int(0), visits = added.at({member, r.Text(1)});
      if (visits <= 0 || r.Int(2) != visits) continue;
      cell(member, r.Text(1))[0] += 1;
      auto [it, fresh] = first_new.emplace(member, r.Text(1));
      if (!fresh && r.Text(1) < it->second) it->second = r.Text(1);
      if (r.Text(1) >= cohort.at(member).cohort) {
        auto [b, b_fresh] = buyer_new.emplace(member, r.Text(1));
        if (!b_fresh && r.Text(1) < b->second) b->second = r.Text(1);
      }
    }
  }
  for (const auto& [member, month] : first_new) {
    auto old = first_before.find(member);
    if (old != first_before.end() && old->second < month) continue;
    cell(member, month)[1] += 1;
    if (old != first_before.end()) cell(member, old->second)[1] -= 1;
  }
  for (const auto& [member, month] : buyer_new) {
    auto old = buyer_before.find(member);
    if (old != buyer_before.end() && old->second < month) continue;
    cell(member, month)[4] += 1;
    if (old != buyer_before.end()) cell(member, old->second)[4] -= 1;
  }
  for (const auto& s : sums) {
    auto& c = cell(s.member_id, s.month);
    c[2] += s.visits;
    c[3] += s.spend;
  }
  SY_RETURN_IF_ERROR(tx.Exec(LinkMonthsSql("report_member_months", " AND r.member_id IN " + in), ids).status());
  std::vector<const decltype(cohorts)::value_type*> rows;
  for (const auto& e : cohorts) rows.push_back(&e);
  return InsertBatches(tx,
                       "INSERT INTO report_cohorts (store_id, cohort, month, members, first_buyers, visits, spend, buyers) "
                       "VALUES ",
                       8, rows.size(),
                       " ON CONFLICT (store_id, cohort, month) DO UPDATE SET " + AddUp("report_cohorts", kCohortCols),
                       [&](size_t i, std::vector<store::Value>& p) {
                         const auto& [key, c] = *rows[i];
                         p.insert(p.end(), {std::get<0>(key), std::get<1>(key), std::get<2>(key), c[0], c[1], c[2], c[3],
                                            c[4]});
                       });
}

// ---- report_points_daily ----

Status UpsertPoints(store::Tx& tx, const std::string& table,
                    const std::vector<std::tuple<std::string, std::string, int64_t, int64_t, int64_t>>& rows) {
  return InsertBatches(tx, "INSERT INTO " + table + " (business_day, kind, points_in, points_out, entries) VALUES ", 5,
                       rows.size(),
                       " ON CONFLICT (business_day, kind) DO UPDATE SET points_in = " + table +
                           ".points_in + excluded.points_in, points_out = " + table +
                           ".points_out + excluded.points_out, entries = " + table + ".entries + excluded.entries",
                       [&](size_t i, std::vector<store::Value>& p) {
                         const auto& [day, kind, in, out, n] = rows[i];
                         p.insert(p.end(), {day, kind, in, out, n});
                       });
}

// ---- rebuild ----

int64_t Count(store::Tx& tx, const std::string& table) {
  auto rows = tx.Exec("SELECT COUNT(*) FROM " + table);
  return rows.ok() ? rows->rows[0].Int(0) : 0;
}

// Fills NULL members.joined_on with the business day of created_at: buckets mapped in C++,
// applied through a temporary table in one UPDATE.
Result<int64_t> FillJoinedOn(store::Tx& tx, const Context& ctx) {
  SY_ASSIGN_OR_RETURN(auto buckets, tx.Exec("SELECT DISTINCT created_at / 900000 FROM members WHERE joined_on IS NULL"));
  if (buckets.empty()) return int64_t(0);
  SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE IF EXISTS report_join_days").status());
  SY_RETURN_IF_ERROR(tx.Exec("CREATE TEMP TABLE report_join_days (bucket BIGINT PRIMARY KEY, day TEXT NOT NULL)").status());
  BucketClock clock(ctx);
  std::vector<std::pair<int64_t, std::string>> days;
  for (const auto& r : buckets.rows) {
    SY_ASSIGN_OR_RETURN(LocalTime t, clock.At(r.Int(0)));
    days.push_back({r.Int(0), FormatDay(t.day)});
  }
  SY_RETURN_IF_ERROR(InsertBatches(tx, "INSERT INTO report_join_days (bucket, day) VALUES ", 2, days.size(), "",
                                   [&](size_t i, std::vector<store::Value>& p) {
                                     p.push_back(days[i].first);
                                     p.push_back(days[i].second);
                                   }));
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET joined_on = (SELECT day FROM report_join_days j "
                                        "WHERE j.bucket = members.created_at / 900000) WHERE joined_on IS NULL"));
  SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE report_join_days").status());
  return upd.affected;
}

// Recomputes every aggregate from the raw rows into `t` (empty tables with their keys unique).
Status RebuildInto(store::Tx& tx, const Context& ctx, const Tables& t, RebuildStats* stats) {
  auto note = [&](const std::string& table) {
    if (stats) stats->rows.push_back({table, Count(tx, table)});
  };
  BucketClock clock(ctx);
  {
    HourMap hours;
    SY_ASSIGN_OR_RETURN(auto sales, tx.Exec(HourlySalesSql("", "")));
    SY_RETURN_IF_ERROR(CollectHours(sales, 0, clock, hours));
    SY_ASSIGN_OR_RETURN(auto returns, tx.Exec(HourlyReturnsSql("", "")));
    SY_RETURN_IF_ERROR(CollectHours(returns, 9, clock, hours));
    SY_RETURN_IF_ERROR(WriteHours(tx, t.hourly, hours));
    note(t.hourly);
  }
  SY_RETURN_IF_ERROR(tx.Exec(ItemsSalesSql(t.items_daily, "business_day", "WHERE true")).status());
  SY_RETURN_IF_ERROR(tx.Exec(ItemsReturnsSql(t.items_daily, "business_day", "WHERE true")).status());
  note(t.items_daily);
  std::string sums;
  for (const char* c : kItemSaleCols) sums += std::string(", SUM(") + c + ")";
  for (const char* c : kItemReturnCols) sums += std::string(", SUM(") + c + ")";
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO " + t.items_monthly + " (month, store_id, product_id, genre, lines, quantity, "
                             "net, cost, costed_net, returned_qty, returned_net, returned_cost, returned_costed_net) "
                             "SELECT substr(business_day, 1, 7), store_id, product_id, genre" + sums + " FROM " +
                             t.items_daily + " GROUP BY 1, 2, 3, 4")
                         .status());
  note(t.items_monthly);
  SY_RETURN_IF_ERROR(tx.Exec(MemberMonthsSalesSql(t.member_months, "WHERE true")).status());
  SY_RETURN_IF_ERROR(tx.Exec(MemberMonthsReturnsSql(t.member_months, "WHERE true")).status());
  SY_RETURN_IF_ERROR(tx.Exec(LinkMonthsSql(t.member_months, "")).status());
  note(t.member_months);
  // The cohorts from the member months' visits alone (not their links): the first month with a
  // visit, and the first on or after joining, as minimums.
  SY_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO " + t.cohorts + " (store_id, cohort, month, members, first_buyers, visits, spend, buyers) "
      "SELECT COALESCE(m.home_store_id, 0), COALESCE(substr(m.joined_on, 1, 7), ''), mm.month, SUM(CASE WHEN mm.visits > 0 THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN mm.month = f.first_month THEN 1 ELSE 0 END), SUM(mm.visits), SUM(mm.spend), "
      "SUM(CASE WHEN mm.month = b.first_month THEN 1 ELSE 0 END) FROM " +
      t.member_months + " mm JOIN members m ON m.id = mm.member_id LEFT JOIN (SELECT member_id, MIN(month) AS first_month "
      "FROM " + t.member_months + " WHERE visits > 0 GROUP BY member_id) f ON f.member_id = mm.member_id "
      "LEFT JOIN (SELECT x.member_id, MIN(x.month) AS first_month FROM " + t.member_months + " x "
      "JOIN members y ON y.id = x.member_id WHERE x.visits > 0 AND x.month >= COALESCE(substr(y.joined_on, 1, 7), '') "
      "GROUP BY x.member_id) b ON b.member_id = mm.member_id "
      "GROUP BY 1, 2, 3").status());
  note(t.cohorts);
  {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT at / 900000, kind, SUM(CASE WHEN points > 0 THEN points ELSE 0 END), "
                                           "SUM(CASE WHEN points < 0 THEN -points ELSE 0 END), COUNT(*) "
                                           "FROM points_ledger GROUP BY 1, 2"));
    std::map<std::pair<std::string, std::string>, std::array<int64_t, 3>> days;
    for (const auto& r : rows.rows) {
      SY_ASSIGN_OR_RETURN(LocalTime lt, clock.At(r.Int(0)));
      auto& s = days[{FormatDay(lt.day), r.Text(1)}];
      s[0] += r.Int(2), s[1] += r.Int(3), s[2] += r.Int(4);
    }
    std::vector<std::tuple<std::string, std::string, int64_t, int64_t, int64_t>> out;
    for (const auto& [k, s] : days) out.push_back({k.first, k.second, s[0], s[1], s[2]});
    SY_RETURN_IF_ERROR(UpsertPoints(tx, t.points_daily, out));
    note(t.points_daily);
  }
  return Status::Ok();
}

// ---- check ----

struct TableShape {
  std::string stored, rebuilt;
  std::vector<std::string> keys, values;
  std::vector<std::string> links = {};  // compared too, but not sums: the member months' store and visit months
};

std::vector<TableShape> Shapes() {
  std::vector<std::string> hour_values(std::begin(kHourCols), std::end(kHourCols));
  std::vector<std::string> item_values(std::begin(kItemSaleCols), std::end(kItemSaleCols));
  item_values.insert(item_values.end(), std::begin(kItemReturnCols), std::end(kItemReturnCols));
  return {
      {kStored.hourly, kCheck.hourly, {"business_day", "store_id", "hour", "staff_id"}, hour_values},
      {kStored.items_daily, kCheck.items_daily, {"business_day", "store_id", "product_id", "genre"}, item_values},
      {kStored.items_monthly, kCheck.items_monthly, {"month", "store_id", "product_id", "genre"}, item_values},
      {kStored.member_months, kCheck.member_months, {"member_id", "month"}, {"visits", "spend"},
       {"store_id", "prev_visit_month", "next_visit_month"}},
      {kStored.cohorts,
       kCheck.cohorts,
       {"store_id", "cohort", "month"},
       {"members", "first_buyers", "visits", "spend", "buyers"}},
      {kStored.points_daily, kCheck.points_daily, {"business_day", "kind"}, {"points_in", "points_out", "entries"}},
  };
}

std::string Join(const std::vector<std::string>& v, const std::string& sep, const std::string& prefix = "") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + prefix + v[i];
  return s;
}

Status CompareTable(store::Tx& tx, const TableShape& t, int examples, std::vector<Mismatch>& found) {
  std::vector<std::string> all = t.keys;
  all.insert(all.end(), t.values.begin(), t.values.end());
  all.insert(all.end(), t.links.begin(), t.links.end());
  const std::string cols = Join(all, ", "), keys = Join(t.keys, ", ");
  const std::string nonzero = " WHERE (" + Join(t.values, " <> 0 OR ") + " <> 0)";
  const std::string diff = "SELECT " + keys + " FROM (SELECT " + cols + " FROM " + t.stored + nonzero + " EXCEPT SELECT " +
                           cols + " FROM " + t.rebuilt + nonzero + ") a UNION SELECT " + keys + " FROM (SELECT " + cols +
                           " FROM " + t.rebuilt + nonzero + " EXCEPT SELECT " + cols + " FROM " + t.stored + nonzero + ") b";
  SY_ASSIGN_OR_RETURN(auto count, tx.Exec("SELECT COUNT(*) FROM (" + diff + ") d"));
  const int64_t differ = count[0].Int(0);
  if (differ == 0) return Status::Ok();
  std::string order;
  for (size_t i = 0; i < t.keys.size(); ++i) order += (i ? ", " : "") + std::to_string(i + 1);
  SY_ASSIGN_OR_RETURN(auto keyrows, tx.Exec(diff + " ORDER BY " + order + " LIMIT " + std::to_string(examples)));
  const std::string by = " WHERE " + Join(t.keys, " = ? AND ") + " = ?";
  for (const auto& k : keyrows.rows) {
    std::string subject = t.stored;
    for (size_t i = 0; i < t.keys.size(); ++i) subject += " " + t.keys[i] + "=" + k.Text(i);
    SY_ASSIGN_OR_RETURN(auto stored, tx.Exec("SELECT " + Join(t.values, ", ") + " FROM " + t.stored + by, k.cols));
    SY_ASSIGN_OR_RETURN(auto rebuilt, tx.Exec("SELECT " + Join(t.values, ", ") + " FROM " + t.rebuilt + by, k.cols));
    for (size_t i = 0; i < t.values.size(); ++i) {
      int64_t a = stored.empty() ? 0 : stored[0].Int(i), b = rebuilt.empty() ? 0 : rebuilt[0].Int(i);
      if (a == b) continue;
      Mismatch m{t.stored + "." + t.values[i] + " = rebuilt from the raw rows", 0, a, b, subject};
      if (t.keys[0] == "member_id") m.member_id = k.Int(0);
      found.push_back(std::move(m));
    }
    if (t.links.empty() || stored.empty() || rebuilt.empty()) continue;
    SY_ASSIGN_OR_RETURN(auto stored_links, tx.Exec("SELECT " + Join(t.links, ", ") + " FROM " + t.stored + by, k.cols));
    SY_ASSIGN_OR_RETURN(auto rebuilt_links, tx.Exec("SELECT " + Join(t.links, ", ") + " FROM " + t.rebuilt + by, k.cols));
    for (size_t i = 0; i < t.links.size(); ++i) {
      auto shown = [&](const store::Rows& r) { return r[0].IsNull(i) ? std::string("NULL") : "'" + r[0].Text(i) + "'"; };
      const std::string a = shown(stored_links), b = shown(rebuilt_links);
      if (a == b) continue;
      Mismatch m{t.stored + "." + t.links[i] + " = rebuilt from the raw rows (stored " + a + ", rebuilt " + b + ")", 0,
                 0, 0, subject};
      if (t.keys[0] == "member_id") m.member_id = k.Int(0);
      found.push_back(std::move(m));
    }
  }
  if (differ > int64_t(keyrows.size()))
    found.push_back({t.stored + " rows = rebuilt from the raw rows (rows that differ: " + std::to_string(differ) + ")", 0,
                     Count(tx, t.stored), Count(tx, t.rebuilt),
                     t.stored + ": " + std::to_string(differ) + " rows differ, the first " +
                         std::to_string(keyrows.size()) + " shown above"});
  return Status::Ok();
}

}  // namespace

Status FeedSale(store::Tx& tx, const Context& ctx, int64_t sale_id) {
  BucketClock clock(ctx);
  HourMap hours;
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(HourlySalesSql(" WHERE s.id = ?", " WHERE sale_id = ?"), {sale_id, sale_id}));
  if (rows.empty()) return NotFound("no sale with lines with id " + std::to_string(sale_id));
  SY_RETURN_IF_ERROR(CollectHours(rows, 0, clock, hours));
  SY_RETURN_IF_ERROR(WriteHours(tx, kStored.hourly, hours));
  for (const char* period : {"business_day", "month"}) {
    const std::string& table = std::string(period) == "month" ? kStored.items_monthly : kStored.items_daily;
    SY_RETURN_IF_ERROR(tx.Exec(ItemsSalesSql(table, period, "WHERE l.sale_id = ?"), {sale_id}).status());
  }
  SY_ASSIGN_OR_RETURN(auto member, tx.Exec("SELECT COALESCE(m.merged_into, m.id), substr(s.business_day, 1, 7), s.net_total "
                                           "FROM sales s JOIN members m ON m.id = s.member_id WHERE s.id = ?",
                                           {sale_id}));
  if (!member.empty())
    SY_RETURN_IF_ERROR(AddMemberMonth(tx, ctx, member[0].Int(0), member[0].Text(1), 1, member[0].Int(2)));
  return Status::Ok();
}

Status FeedSales(store::Tx& tx, const Context& ctx, const std::vector<int64_t>& sale_ids) {
  BucketClock clock(ctx);
  for (size_t start = 0; start < sale_ids.size(); start += kFeedBatch) {
    const size_t end = std::min(sale_ids.size(), start + kFeedBatch);
    std::vector<store::Value> ids(sale_ids.begin() + long(start), sale_ids.begin() + long(end));
    const std::string in = "(" + Marks(ids.size()) + ")";
    std::vector<store::Value> twice = ids;
    twice.insert(twice.end(), ids.begin(), ids.end());
    HourMap hours;
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(HourlySalesSql(" WHERE s.id IN " + in, " WHERE sale_id IN " + in), twice));
    int64_t found = 0;
    for (const auto& r : rows.rows) found += r.Int(4);
    if (found != int64_t(end - start))
      return NotFound(std::to_string(int64_t(end - start) - found) + " of the sales to feed have no lines or do not exist");
    SY_RETURN_IF_ERROR(CollectHours(rows, 0, clock, hours));
    SY_RETURN_IF_ERROR(WriteHours(tx, kStored.hourly, hours));
    for (const char* period : {"business_day", "month"}) {
      const std::string& table = std::string(period) == "month" ? kStored.items_monthly : kStored.items_daily;
      SY_RETURN_IF_ERROR(tx.Exec(ItemsSalesSql(table, period, "WHERE l.sale_id IN " + in), ids).status());
    }
    SY_ASSIGN_OR_RETURN(auto months, tx.Exec("SELECT COALESCE(m.merged_into, m.id), substr(s.business_day, 1, 7), "
                                             "COUNT(*), SUM(s.net_total) FROM sales s JOIN members m ON m.id = s.member_id "
                                             "WHERE s.id IN " + in + " GROUP BY 1, 2",
                                             ids));
    std::vector<MonthSum> sums;
    sums.reserve(months.size());
    for (const auto& r : months.rows) sums.push_back({r.Int(0), r.Text(1), r.Int(2), r.Int(3)});
    SY_RETURN_IF_ERROR(AddMemberMonths(tx, ctx, sums));
  }
  return Status::Ok();
}

Status FeedReturn(store::Tx& tx, const Context& ctx, int64_t return_id) {
  BucketClock clock(ctx);
  HourMap hours;
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(HourlyReturnsSql(" WHERE r.id = ?", " WHERE rl.return_id = ?"), {return_id, return_id}));
  if (rows.empty()) return NotFound("no return with lines with id " + std::to_string(return_id));
  SY_RETURN_IF_ERROR(CollectHours(rows, 9, clock, hours));
  SY_RETURN_IF_ERROR(WriteHours(tx, kStored.hourly, hours));
  for (const char* period : {"business_day", "month"}) {
    const std::string& table = std::string(period) == "month" ? kStored.items_monthly : kStored.items_daily;
    SY_RETURN_IF_ERROR(tx.Exec(ItemsReturnsSql(table, period, "WHERE rl.return_id = ?"), {return_id}).status());
  }
  SY_ASSIGN_OR_RETURN(auto member, tx.Exec("SELECT COALESCE(m.merged_into, m.id), substr(r.business_day, 1, 7), "
                                           "SUM(rl.refund + rl.points_share) FROM sale_returns r "
                                           "JOIN sales s ON s.id = r.sale_id JOIN members m ON m.id = s.member_id "
                                           "JOIN return_lines rl ON rl.return_id = r.id WHERE r.id = ? GROUP BY 1, 2",
                                           {return_id}));
  if (!member.empty())
    SY_RETURN_IF_ERROR(AddMemberMonth(tx, ctx, member[0].Int(0), member[0].Text(1), 0, -member[0].Int(2)));
  return Status::Ok();
}

Status FeedPoints(store::Tx& tx, const Context& ctx, int64_t at, std::string_view kind, int64_t points) {
  PointsFeed feed;
  SY_RETURN_IF_ERROR(feed.Add(ctx, at, kind, points));
  return feed.Flush(tx);
}

Status FeedLedgerAtCommit(store::Tx& tx, const Context& ctx, int64_t ledger_id) {
  return tx.AtCommit("report_feed.points", ledger_id, [c = &ctx](store::Tx& t, const std::vector<int64_t>& ids) -> Status {
    PointsFeed feed;
    for (size_t start = 0; start < ids.size(); start += kFeedBatch) {
      const size_t end = std::min(ids.size(), start + kFeedBatch);
      std::vector<store::Value> batch(ids.begin() + long(start), ids.begin() + long(end));
      SY_ASSIGN_OR_RETURN(auto rows, t.Exec("SELECT at, kind, points FROM points_ledger WHERE id IN (" +
                                                Marks(batch.size()) + ")",
                                            batch));
      if (rows.size() != batch.size())
        return Internal("points ledger rows to feed are missing: " + std::to_string(batch.size() - rows.size()));
      for (const auto& r : rows.rows) SY_RETURN_IF_ERROR(feed.Add(*c, r.Int(0), r.Text(1), r.Int(2)));
    }
    return feed.Flush(t);
  });
}

Status PointsFeed::Add(const Context& ctx, int64_t at, std::string_view kind, int64_t points) {
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, at));
  Sums& s = sums_[{FormatDay(day), std::string(kind)}];
  (points > 0 ? s.in : s.out) += points > 0 ? points : -points;
  s.entries += 1;
  return Status::Ok();
}

Status PointsFeed::Flush(store::Tx& tx) {
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t, int64_t>> rows;
  for (const auto& [k, s] : sums_) rows.push_back({k.first, k.second, s.in, s.out, s.entries});
  sums_.clear();
  return UpsertPoints(tx, kStored.points_daily, rows);
}

Status WithdrawMemberReports(store::Tx& tx, const Context& ctx, const std::vector<int64_t>& member_ids) {
  for (int64_t id : member_ids) {
    SY_RETURN_IF_ERROR(CohortOf(tx, ctx, id).status());  // fills a NULL joined_on, as when the rows were added
    SY_RETURN_IF_ERROR(MemberCohortRows(tx, id, "-"));
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM report_member_months WHERE member_id = ?", {id}).status());
  }
  return Status::Ok();
}

Status DeriveMemberReports(store::Tx& tx, const Context& ctx, int64_t member_id) {
  SY_RETURN_IF_ERROR(CohortOf(tx, ctx, member_id).status());
  const std::string whose = "WHERE s.member_id IN (SELECT id FROM members WHERE id = ? OR merged_into = ?)";
  SY_RETURN_IF_ERROR(tx.Exec(MemberMonthsSalesSql("report_member_months", whose), {member_id, member_id}).status());
  SY_RETURN_IF_ERROR(tx.Exec(MemberMonthsReturnsSql("report_member_months", whose), {member_id, member_id}).status());
  SY_RETURN_IF_ERROR(tx.Exec(LinkMonthsSql("report_member_months", " AND r.member_id = ?"), {member_id}).status());
  return MemberCohortRows(tx, member_id, "");
}

Status FollowHomeStores(store::Tx& tx, const std::vector<int64_t>& member_ids) {
  for (int64_t id : member_ids) {
    SY_ASSIGN_OR_RETURN(auto moved, tx.Exec("SELECT COUNT(*) FROM report_member_months r JOIN members m ON m.id = r.member_id "
                                            "WHERE r.member_id = ? AND r.store_id <> COALESCE(m.home_store_id, 0)",
                                            {id}));
    if (moved[0].Int(0) == 0) continue;
    SY_RETURN_IF_ERROR(MemberCohortRows(tx, id, "-"));
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE report_member_months SET store_id = (SELECT COALESCE(home_store_id, 0) FROM members "
                               "WHERE id = ?) WHERE member_id = ?",
                               {id, id})
                           .status());
    SY_RETURN_IF_ERROR(MemberCohortRows(tx, id, ""));
  }
  return Status::Ok();
}

Status RebuildReports(store::Tx& tx, const Context& ctx, RebuildStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  SY_ASSIGN_OR_RETURN(int64_t filled, FillJoinedOn(tx, ctx));
  if (stats) stats->joined_on_filled = filled;
  for (const std::string* table : {&kStored.hourly, &kStored.items_daily, &kStored.items_monthly, &kStored.member_months,
                                   &kStored.cohorts, &kStored.points_daily})
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM " + *table).status());
  SY_RETURN_IF_ERROR(RebuildInto(tx, ctx, kStored, stats));
  SY_RETURN_IF_ERROR(RebuildMemberGroups(tx, stats ? &stats->rows : nullptr));
  if (stats)
    stats->elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return Status::Ok();
}

Result<std::vector<Mismatch>> CheckReports(Context& ctx, int examples) {
  std::vector<Mismatch> found;
  auto run = [&](store::Tx& tx) -> Status {
    const auto shapes = Shapes();
    for (const auto& t : shapes) {
      SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE IF EXISTS " + t.rebuilt).status());
      // The stored table's shape: keys, then sums that default to 0 (the feed's SQL relies on it).
      std::string ddl = "CREATE TEMP TABLE " + t.rebuilt + " (";
      for (const auto& k : t.keys) {
        bool text = k == "business_day" || k == "month" || k == "genre" || k == "cohort" || k == "kind";
        ddl += k + (text ? " TEXT NOT NULL, " : " BIGINT NOT NULL, ");
      }
      for (const auto& v : t.values) ddl += v + " BIGINT NOT NULL DEFAULT 0, ";
      for (const auto& l : t.links) ddl += l + (l == "store_id" ? " BIGINT NOT NULL DEFAULT 0, " : " TEXT, ");
      SY_RETURN_IF_ERROR(tx.Exec(ddl + "PRIMARY KEY (" + Join(t.keys, ", ") + "))").status());
    }
    SY_RETURN_IF_ERROR(RebuildInto(tx, ctx, kCheck, nullptr));
    for (const auto& t : shapes) SY_RETURN_IF_ERROR(CompareTable(tx, t, examples, found));
    for (const auto& t : shapes) SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE " + t.rebuilt).status());
    return CheckMemberGroups(tx, examples, found);
  };
  // SQLite lets a read transaction write temporary tables; PostgreSQL's read-only one does not.
  Status st = ctx.db.engine() == store::Engine::kSqlite ? ctx.db.Read(run) : ctx.db.Write(run);
  if (!st.ok()) return st;
  return found;
}

}  // namespace shuyou::service
