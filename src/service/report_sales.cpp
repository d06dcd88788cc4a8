// Sales, books, hours and the dashboard from the report aggregates (see the header and
// docs/api.md). SQL sums are read as BIGINT on both engines (Row::Int reads PostgreSQL NUMERIC).
#include "service/report_sales.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "service/business_day.h"
#include "service/loyalty.h"

namespace shuyou::service {
namespace {

using store::Value;

// The hourly sums, in this order, read by ReadTotals from column `first` on.
constexpr const char* kHourlySums =
    "SUM(sales), SUM(member_sales), SUM(items), SUM(gross), SUM(discounts), SUM(net), SUM(member_net), "
    "SUM(returns), SUM(returned_items), SUM(returned_net), SUM(cost), SUM(costed_net), SUM(returned_cost), "
    "SUM(returned_costed_net)";

SalesTotals ReadTotals(const store::Row& r, size_t first) {
  SalesTotals t;
  int64_t* f[] = {&t.sales,   &t.member_sales,   &t.items,        &t.gross,     &t.discounts,
                  &t.net,     &t.member_net,     &t.returns,      &t.returned_items, &t.returned_net,
                  &t.sold_cost, &t.sold_costed_net, &t.returned_cost, &t.returned_costed_net};
  for (size_t i = 0; i < std::size(f); ++i) *f[i] = r.Int(first + i);
  return t;
}

// The item sums (report_items_*) of a derived table `it`, in this order, read by ReadItemTotals.
constexpr const char* kItemSums =
    "SUM(it.lines), SUM(it.quantity), SUM(it.net), SUM(it.cost), SUM(it.costed_net), SUM(it.returned_qty), "
    "SUM(it.returned_net), SUM(it.returned_cost), SUM(it.returned_costed_net)";

SalesTotals ReadItemTotals(const store::Row& r, size_t first, int64_t& lines) {
  SalesTotals t;
  lines = r.Int(first);
  t.items = r.Int(first + 1);
  t.net = r.Int(first + 2);
  t.sold_cost = r.Int(first + 3);
  t.sold_costed_net = r.Int(first + 4);
  t.returned_items = r.Int(first + 5);
  t.returned_net = r.Int(first + 6);
  t.returned_cost = r.Int(first + 7);
  t.returned_costed_net = r.Int(first + 8);
  return t;
}

// WHERE for report_sales_hourly over [from, to] and maybe one store; appends its parameters.
// `alias` qualifies the columns ("h." when the table is joined).
std::string HourlyWhere(const std::string& from, const std::string& to, std::optional<int64_t> store_id,
                        std::vector<Value>& params, const std::string& alias = "") {
  params.emplace_back(from);
  params.emplace_back(to);
  std::string w = " WHERE " + alias + "business_day >= ? AND " + alias + "business_day <= ?";
  if (store_id) {
    w += " AND " + alias + "store_id = ?";
    params.emplace_back(*store_id);
  }
  return w;
}

Result<SalesTotals> HourlyTotals(store::Tx& tx, core::Date from, core::Date to, std::optional<int64_t> store_id) {
  std::vector<Value> params;
  std::string sql = std::string("SELECT ") + kHourlySums + " FROM report_sales_hourly" +
                    HourlyWhere(FormatDay(from), FormatDay(to), store_id, params);
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
  return rows.empty() ? SalesTotals{} : ReadTotals(rows[0], 0);
}

// Per business day over [from, to]: day → totals (days without rows are absent).
Result<std::map<std::string, SalesTotals>> HourlyByDay(store::Tx& tx, core::Date from, core::Date to,
                                                       std::optional<int64_t> store_id) {
  std::vector<Value> params;
  std::string sql = std::string("SELECT business_day, ") + kHourlySums + " FROM report_sales_hourly" +
                    HourlyWhere(FormatDay(from), FormatDay(to), store_id, params) + " GROUP BY business_day";
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
  std::map<std::string, SalesTotals> out;
  for (const auto& r : rows.rows) out[r.Text(0)] = ReadTotals(r, 1);
  return out;
}

struct Genre {
  std::string name, name_en;
};

Result<std::unordered_map<std::string, Genre>> LoadGenres(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT code, name, name_en FROM categories"));
  std::unordered_map<std::string, Genre> out;
  for (const auto& r : rows.rows) out[r.Text(0)] = Genre{r.Text(1), r.Text(2)};
  return out;
}

std::string GenreName(const std::unordered_map<std::string, Genre>& genres, const std::string& code,
                      const std::string& lang) {
  bool en = lang == "en";
  if (code.empty()) return en ? "Uncategorised" : "未分类";
  auto it = genres.find(code);
  if (it == genres.end()) return code;
  if (en && !it->second.name_en.empty()) return it->second.name_en;
  return it->second.name;
}

std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

}  // namespace

void SalesTotals::Add(const SalesTotals& o) {
  sales += o.sales, member_sales += o.member_sales, items += o.items, gross += o.gross, discounts += o.discounts;
  net += o.net, member_net += o.member_net, returns += o.returns, returned_items += o.returned_items;
  returned_net += o.returned_net, sold_cost += o.sold_cost, sold_costed_net += o.sold_costed_net;
  returned_cost += o.returned_cost, returned_costed_net += o.returned_costed_net;
}

std::optional<int64_t> SalesTotals::GrossMargin() const {
  if (!HasCost()) return std::nullopt;
  return CostedNet() - Cost();
}

std::optional<double> SalesTotals::GrossMarginRate() const {
  if (!HasCost()) return std::nullopt;
  return Ratio(CostedNet() - Cost(), CostedNet());
}

// ---------------------------------------------------------------- sales

Result<SalesReport> ReportSales(Context& ctx, const ReportPeriod& p, const std::string& group, const std::string& lang) {
  SalesReport out;
  out.period = p;
  out.group = group;
  bool en = lang == "en";
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out.previous, HourlyTotals(tx, p.prev_from, p.prev_to, p.store_id));
    if (group == "day" || group == "week" || group == "month") {
      SY_ASSIGN_OR_RETURN(auto days, HourlyByDay(tx, p.from, p.to, p.store_id));
      // Every day, week or month of the period is a row, zeros included.
      for (core::Date d = p.from; DaysBetween(d, p.to) >= 0; d = AddDays(d, 1)) {
        std::string day = FormatDay(d);
        std::string key, label;
        if (group == "day") {
          key = label = day;
        } else if (group == "week") {
          core::Date start = WeekStart(d), end = AddDays(start, 6);
          key = FormatDay(start);
          core::Date lo = DaysBetween(start, p.from) > 0 ? p.from : start;
          core::Date hi = DaysBetween(end, p.to) < 0 ? p.to : end;
          label = FormatDay(lo) + " – " + FormatDay(hi);
        } else {
          key = label = MonthKey(d);
        }
        if (out.rows.empty() || out.rows.back().key != key) {
          SalesRow row;
          row.key = key;
          row.label = label;
          out.rows.push_back(std::move(row));
        }
        auto it = days.find(day);
        if (it != days.end()) out.rows.back().totals.Add(it->second);
      }
      for (const auto& r : out.rows) out.totals.Add(r.totals);
      return Status::Ok();
    }
    SY_ASSIGN_OR_RETURN(out.totals, HourlyTotals(tx, p.from, p.to, p.store_id));
    if (group == "store" || group == "cashier") {
      std::vector<Value> params;
      bool store = group == "store";
      std::string key = store ? "h.store_id" : "h.staff_id";
      std::string label = store ? "s.name" : "COALESCE(NULLIF(s.display_name, ''), s.username)";
      std::string join = store ? " LEFT JOIN stores s ON s.id = h.store_id" : " LEFT JOIN staff s ON s.id = h.staff_id";
      std::string sql = "SELECT " + key + ", MAX(" + label + "), " + std::string(kHourlySums) + " FROM report_sales_hourly h" + join;
      sql += HourlyWhere(FormatDay(p.from), FormatDay(p.to), p.store_id, params, "h.") + " GROUP BY " + key;
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows) {
        SalesRow row;
        row.key = r.Text(0);
        row.label = r.Text(1);
        if (!store && r.Int(0) == 0) row.label = en ? "(no cashier recorded)" : "（未记录收银员）";
        if (row.label.empty()) row.label = row.key;
        row.totals = ReadTotals(r, 2);
        out.rows.push_back(std::move(row));
      }
    } else {  // genre
      SY_ASSIGN_OR_RETURN(auto genres, LoadGenres(tx));
      std::vector<Value> params;
      std::string sql = std::string("SELECT it.genre, ") + kItemSums + " FROM (" +
                        ItemsInRangeSql(p.from, p.to, p.store_id, params) + ") it GROUP BY it.genre";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows) {
        SalesRow row;
        row.key = r.Text(0);
        row.label = GenreName(genres, row.key, lang);
        row.per_line = true;
        row.totals = ReadItemTotals(r, 1, row.lines);
        out.rows.push_back(std::move(row));
      }
    }
    std::stable_sort(out.rows.begin(), out.rows.end(), [](const SalesRow& a, const SalesRow& b) {
      if (a.totals.NetAfterReturns() != b.totals.NetAfterReturns())
        return a.totals.NetAfterReturns() > b.totals.NetAfterReturns();
      return a.key < b.key;
    });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---------------------------------------------------------------- dashboard

Result<Dashboard> ReportDashboard(Context& ctx, core::Date day, std::optional<int64_t> store_id) {
  Dashboard d;
  d.day = day;
  d.store_id = store_id;
  d.previous_day = AddDays(day, -1);
  d.month_from = FirstOfMonth(day);
  d.previous_month_from = AddMonthsClipped(d.month_from, -1);
  d.previous_month_to = AddMonthsClipped(day, -1);
  core::Date series_from = AddDays(day, -29);
  core::Date first = DaysBetween(series_from, d.previous_month_from) < 0 ? d.previous_month_from : series_from;
  int64_t now = ctx.now();

  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    // One read of the hourly sums per day covers today, yesterday, both months and the series.
    SY_ASSIGN_OR_RETURN(auto days, HourlyByDay(tx, first, day, store_id));
    auto in = [](const std::string& k, core::Date lo, core::Date hi) { return k >= FormatDay(lo) && k <= FormatDay(hi); };
    for (const auto& [k, t] : days) {
      if (in(k, day, day)) d.today.Add(t);
      if (in(k, d.previous_day, d.previous_day)) d.yesterday.Add(t);
      if (in(k, d.month_from, day)) d.month.Add(t);
      if (in(k, d.previous_month_from, d.previous_month_to)) d.previous_month.Add(t);
    }
    for (core::Date x = series_from; DaysBetween(x, day) >= 0; x = AddDays(x, 1)) {
      auto it = days.find(FormatDay(x));
      d.series.emplace_back(FormatDay(x), it == days.end() ? SalesTotals{} : it->second);
    }

    // New members per join day (members_joined_on, or members_store_joined with a store).
    {
      std::vector<Value> params{FormatDay(first), FormatDay(day)};
      std::string sql = "SELECT joined_on, COUNT(*) FROM members WHERE ";
      if (store_id) {
        sql += "home_store_id = ? AND ";
        params.insert(params.begin(), *store_id);
      }
      sql += "joined_on >= ? AND joined_on <= ? GROUP BY joined_on";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows) {
        std::string k = r.Text(0);
        int64_t n = r.Int(1);
        if (in(k, day, day)) d.new_today += n;
        if (in(k, d.previous_day, d.previous_day)) d.new_yesterday += n;
        if (in(k, d.month_from, day)) d.new_month += n;
        if (in(k, d.previous_month_from, d.previous_month_to)) d.new_previous_month += n;
      }
    }

    // Top books of the month to date.
    {
      std::vector<Value> params;
      std::string items = ItemsInRangeSql(d.month_from, day, store_id, params);
      std::string sql =
          "SELECT t.product_id, p.title, p.isbn13, t.qty, t.net FROM (SELECT it.product_id, "
          "SUM(it.quantity - it.returned_qty) AS qty, SUM(it.net - it.returned_net) AS net FROM (" +
          items + ") it GROUP BY it.product_id) t JOIN products p ON p.id = t.product_id WHERE t.qty > 0 "
          "ORDER BY t.qty DESC, t.net DESC, p.title, t.product_id LIMIT 10";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows)
        d.top_books.push_back(TopBook{r.Int(0), r.Text(1), r.OptText(2), r.Int(3), r.Int(4)});
    }

    // Members now: live members, and those with a purchase in the last 90 days (0018's indexes).
    {
      const char* live = "merged_into IS NULL AND erased_at IS NULL";
      int64_t since = now - 90LL * 24 * 3600 * 1000;
      std::vector<Value> p1, p2{since};
      std::string total = std::string("SELECT COUNT(*) FROM members WHERE ") + live;
      std::string active = std::string("SELECT COUNT(*) FROM members WHERE ") + live + " AND last_visit_at >= ?";
      if (store_id) {
        total += " AND home_store_id = ?";
        active += " AND home_store_id = ?";
        p1.emplace_back(*store_id);
        p2.emplace_back(*store_id);
      }
      SY_ASSIGN_OR_RETURN(auto t, tx.Exec(total, p1));
      SY_ASSIGN_OR_RETURN(auto a, tx.Exec(active, p2));
      d.members_total = t[0].Int(0);
      d.members_active_90 = a[0].Int(0);
    }

    // Liabilities, for every store: points held (the points ledger's sum, kept per day in
    // report_points_daily) and stored value (members_stored_value holds only positive balances).
    {
      SY_ASSIGN_OR_RETURN(auto pts, tx.Exec("SELECT SUM(points_in) - SUM(points_out) FROM report_points_daily"));
      d.points_outstanding = pts.empty() ? 0 : pts[0].Int(0);
      SY_ASSIGN_OR_RETURN(auto sv, tx.Exec("SELECT SUM(stored_value_balance) FROM members WHERE stored_value_balance > 0"));
      d.stored_value = sv.empty() ? 0 : sv[0].Int(0);
      SY_ASSIGN_OR_RETURN(auto program, GetLoyaltyProgram(tx));
      const auto& rate = program.program.points_payment;
      d.points_value = rate.points > 0 ? d.points_outstanding * rate.worth.minor() / rate.points : 0;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return d;
}

// ---------------------------------------------------------------- books

Result<BooksReport> ReportBooks(Context& ctx, const ReportPeriod& p, const BooksOptions& o) {
  BooksReport out;
  out.period = p;
  out.options = o;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto genres, LoadGenres(tx));

    // Stock now, per product (in the store, or summed over stores), with its category and cost.
    struct Stock {
      int64_t on_hand = 0, reorder_point = 0;
      std::optional<int64_t> cost;
      std::string genre;
    };
    std::unordered_map<int64_t, Stock> stock;
    {
      std::vector<Value> params;
      std::string sql =
          "SELECT sl.product_id, SUM(sl.on_hand), SUM(sl.reorder_point), MAX(p.cost), MAX(COALESCE(c.code, '')) "
          "FROM stock_levels sl JOIN products p ON p.id = sl.product_id LEFT JOIN categories c ON c.id = p.category_id";
      if (p.store_id) {
        sql += " WHERE sl.store_id = ?";
        params.emplace_back(*p.store_id);
      }
      sql += " GROUP BY sl.product_id";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      stock.reserve(rows.size());
      for (const auto& r : rows.rows) stock[r.Int(0)] = Stock{r.Int(1), r.Int(2), r.OptInt(3), r.Text(4)};
    }

    // Sales of the period per product (net of returns) and per genre (as sold).
    std::vector<BookLine> sold;
    std::map<std::string, GenreStock> by_genre;
    {
      std::vector<Value> params;
      std::string items = ItemsInRangeSql(p.from, p.to, p.store_id, params);
      std::string sql =
          "SELECT it.product_id, it.genre, SUM(it.quantity - it.returned_qty), SUM(it.net - it.returned_net), "
          "SUM(it.cost - it.returned_cost), SUM(it.costed_net - it.returned_costed_net), "
          "SUM(CASE WHEN it.cost <> 0 OR it.costed_net <> 0 THEN 1 ELSE 0 END) FROM (" +
          items + ") it GROUP BY it.product_id, it.genre ORDER BY it.product_id";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows) {
        int64_t id = r.Int(0);
        std::string genre = r.Text(1);
        int64_t qty = r.Int(2);
        by_genre[genre].quantity += qty;
        if (sold.empty() || sold.back().product_id != id) {
          BookLine b;
          b.product_id = id;
          sold.push_back(std::move(b));
        }
        BookLine& b = sold.back();
        b.quantity += qty;
        b.net += r.Int(3);
        b.cost += r.Int(4);
        b.costed_net += r.Int(5);
        b.has_cost = b.has_cost || r.Int(6) > 0;
      }
    }
    for (auto& b : sold) {
      auto it = stock.find(b.product_id);
      if (it != stock.end()) {
        b.on_hand = it->second.on_hand;
        b.reorder_point = it->second.reorder_point;
        b.unit_cost = it->second.cost;
      }
      if (b.quantity > 0) ++out.products_sold;
      out.quantity += b.quantity;
    }
    for (const auto& [id, s] : stock) {
      out.on_hand += s.on_hand;
      int64_t value = s.cost && s.on_hand > 0 ? s.on_hand * *s.cost : 0;
      out.stock_value += value;
      GenreStock& g = by_genre[s.genre];
      g.on_hand += s.on_hand;
      g.stock_value += value;
    }
    for (auto& [code, g] : by_genre) {
      g.genre = code;
      g.genre_name = GenreName(genres, code, o.lang);
      if (g.quantity != 0 || g.on_hand != 0) out.genres.push_back(g);
    }
    std::stable_sort(out.genres.begin(), out.genres.end(),
                     [](const GenreStock& a, const GenreStock& b) { return a.quantity > b.quantity; });

    // Best sellers.
    std::vector<BookLine> best;
    for (const auto& b : sold)
      if (b.quantity > 0) best.push_back(b);
    bool by_net = o.sort == "net";
    std::sort(best.begin(), best.end(), [&](const BookLine& a, const BookLine& b) {
      int64_t ka = by_net ? a.net : a.quantity, kb = by_net ? b.net : b.quantity;
      if (ka != kb) return ka > kb;
      int64_t sa = by_net ? a.quantity : a.net, sb = by_net ? b.quantity : b.net;
      if (sa != sb) return sa > sb;
      return a.product_id < b.product_id;
    });
    if (static_cast<int64_t>(best.size()) > o.limit) best.resize(static_cast<size_t>(o.limit));
    out.best = std::move(best);

    // Reorder: sold in the period and stock short of lead + cover days, or below the reorder point.
    double days = static_cast<double>(p.days);
    std::unordered_map<int64_t, const BookLine*> sold_by_id;
    for (const auto& b : sold) sold_by_id[b.product_id] = &b;
    std::vector<BookLine> reorder;
    auto suggest = [&](BookLine b) {
      double v = b.quantity > 0 ? static_cast<double>(b.quantity) / days : 0.0;
      // A tiny epsilon so that a velocity like 0.1 × 44 gives 4.4 → 5, not 4.400000000001 → 5 twice.
      int64_t target = static_cast<int64_t>(std::ceil(v * static_cast<double>(o.lead_days + o.cover_days) - 1e-9));
      target = std::max(target, b.reorder_point);
      if (b.on_hand < target) {
        b.suggested = target - b.on_hand;
        reorder.push_back(std::move(b));
      }
    };
    for (const auto& b : sold) suggest(b);
    for (const auto& [id, s] : stock) {
      if (sold_by_id.count(id) || s.on_hand >= s.reorder_point) continue;
      BookLine b;
      b.product_id = id;
      b.on_hand = s.on_hand;
      b.reorder_point = s.reorder_point;
      b.unit_cost = s.cost;
      suggest(b);
    }
    out.reorder_products = static_cast<int64_t>(reorder.size());
    auto cover = [&](const BookLine& b) {  // days of stock; +inf without sales
      return b.quantity > 0 ? static_cast<double>(b.on_hand) * days / static_cast<double>(b.quantity)
                            : std::numeric_limits<double>::infinity();
    };
    std::sort(reorder.begin(), reorder.end(), [&](const BookLine& a, const BookLine& b) {
      double ca = cover(a), cb = cover(b);
      if (ca != cb) return ca < cb;
      if (a.suggested != b.suggested) return a.suggested > b.suggested;
      return a.product_id < b.product_id;
    });
    if (static_cast<int64_t>(reorder.size()) > o.limit) reorder.resize(static_cast<size_t>(o.limit));
    out.reorder = std::move(reorder);

    // Slow sellers: in stock, no sale in the slow_days days ending `to` (one index probe each on
    // report_items_daily_product).
    {
      std::vector<Value> params{FormatDay(AddDays(p.to, -(o.slow_days - 1))), FormatDay(p.to)};
      std::string sql =
          "SELECT sl.product_id, SUM(sl.on_hand) FROM stock_levels sl WHERE sl.on_hand > 0 AND NOT EXISTS "
          "(SELECT 1 FROM report_items_daily d WHERE d.product_id = sl.product_id AND d.business_day >= ? "
          "AND d.business_day <= ? AND d.quantity > 0";
      if (p.store_id) {
        sql += " AND d.store_id = ?) AND sl.store_id = ?";
        params.emplace_back(*p.store_id);
        params.emplace_back(*p.store_id);
      } else {
        sql += ")";
      }
      sql += " GROUP BY sl.product_id";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      std::vector<BookLine> slow;
      for (const auto& r : rows.rows) {
        BookLine b;
        b.product_id = r.Int(0);
        b.on_hand = r.Int(1);
        auto it = stock.find(b.product_id);
        if (it != stock.end()) b.unit_cost = it->second.cost;
        ++out.slow_products;
        out.slow_units += b.on_hand;
        if (b.unit_cost) out.slow_stock_value += b.on_hand * *b.unit_cost;
        slow.push_back(std::move(b));
      }
      std::sort(slow.begin(), slow.end(), [](const BookLine& a, const BookLine& b) {
        if (a.unit_cost.has_value() != b.unit_cost.has_value()) return a.unit_cost.has_value();
        int64_t va = a.unit_cost ? a.on_hand * *a.unit_cost : 0, vb = b.unit_cost ? b.on_hand * *b.unit_cost : 0;
        if (va != vb) return va > vb;
        if (a.on_hand != b.on_hand) return a.on_hand > b.on_hand;
        return a.product_id < b.product_id;
      });
      if (static_cast<int64_t>(slow.size()) > o.limit) slow.resize(static_cast<size_t>(o.limit));
      for (auto& b : slow) {
        std::vector<Value> q{b.product_id, FormatDay(p.to)};
        std::string last = "SELECT MAX(business_day) FROM report_items_daily WHERE product_id = ? AND business_day <= ? AND quantity > 0";
        if (p.store_id) {
          last += " AND store_id = ?";
          q.emplace_back(*p.store_id);
        }
        SY_ASSIGN_OR_RETURN(auto r, tx.Exec(last, q));
        if (!r.empty() && !r[0].IsNull(0)) b.last_sold_on = r[0].Text(0);
      }
      out.slow = std::move(slow);
    }

    // Titles and codes of the products listed.
    std::vector<Value> ids;
    for (auto* list : {&out.best, &out.reorder, &out.slow})
      for (const auto& b : *list) ids.emplace_back(b.product_id);
    if (!ids.empty()) {
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT p.id, p.title, p.isbn13, p.barcode, COALESCE(c.code, ''), p.cost "
                                             "FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.id IN (" +
                                                 Placeholders(ids.size()) + ")",
                                             ids));
      std::unordered_map<int64_t, const store::Row*> by_id;
      for (const auto& r : rows.rows) by_id[r.Int(0)] = &r;
      for (auto* list : {&out.best, &out.reorder, &out.slow})
        for (auto& b : *list) {
          auto it = by_id.find(b.product_id);
          if (it == by_id.end()) continue;
          const store::Row& r = *it->second;
          b.title = r.Text(1);
          b.isbn13 = r.OptText(2);
          b.barcode = r.Text(3);
          b.genre = r.Text(4);
          b.genre_name = GenreName(genres, b.genre, o.lang);
          if (!b.unit_cost) b.unit_cost = r.OptInt(5);
        }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---------------------------------------------------------------- hours

Result<HoursReport> ReportHours(Context& ctx, const ReportPeriod& p) {
  HoursReport out;
  out.period = p;
  out.weekday_days = WeekdayCounts(p.from, p.to);
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SqlDialect sql_dialect = DialectOf(tx);
    {
      std::vector<Value> params;
      std::string wd = sql_dialect.IsoWeekdayOf("business_day");
      std::string sql = "SELECT " + wd + " AS wd, hour, SUM(sales), SUM(net) FROM report_sales_hourly" +
                        HourlyWhere(FormatDay(p.from), FormatDay(p.to), p.store_id, params) + " GROUP BY " + wd + ", hour";
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      for (const auto& r : rows.rows) {
        int64_t w = r.Int(0), h = r.Int(1);
        if (w < 1 || w > 7 || h < 0 || h > 23) return Internal("report_sales_hourly: weekday or hour out of range");
        out.cells[w][h].sales += r.Int(2);
        out.cells[w][h].net += r.Int(3);
      }
    }
    {
      std::vector<Value> params;
      std::string month = sql_dialect.MonthOf("business_day");
      std::string sql = "SELECT " + month + ", SUM(sales), SUM(items), SUM(net), SUM(returned_net) FROM report_sales_hourly" +
                        HourlyWhere(FormatDay(p.from), FormatDay(p.to), p.store_id, params) + " GROUP BY " + month;
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      std::map<std::string, const store::Row*> by_month;
      for (const auto& r : rows.rows) by_month[r.Text(0)] = &r;
      for (core::Date d = p.from; DaysBetween(d, p.to) >= 0;) {
        core::Date end = LastOfMonth(d);
        if (DaysBetween(end, p.to) < 0) end = p.to;
        MonthSales m;
        m.month = MonthKey(d);
        m.days = DaysBetween(d, end) + 1;
        auto it = by_month.find(m.month);
        if (it != by_month.end()) {
          m.sales = it->second->Int(1);
          m.items = it->second->Int(2);
          m.net = it->second->Int(3);
          m.returned_net = it->second->Int(4);
        }
        out.months.push_back(m);
        d = AddDays(end, 1);
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
