// /api/v1/reports/dashboard, /sales, /books, /hours: the owner's dashboard and the sales reports
// as JSON or as CSV/XLSX downloads (http/routes/report_common.h). Owners and managers.
#include <nlohmann/json.hpp>

#include "http/app.h"
#include "http/routes/report_common.h"
#include "http/routes/routes.h"
#include "service/business_day.h"
#include "service/report_sales.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
using nlohmann::ordered_json;
using service::ColumnKind;
using service::ReportCell;
using service::ReportColumn;
using service::ReportTable;
using service::SalesTotals;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

template <class T>
ordered_json Opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}
template <class T>
ReportCell Cell(const std::optional<T>& v) {
  if (!v) return std::monostate{};
  if constexpr (std::is_same_v<T, double>) return *v;
  else return static_cast<int64_t>(*v);
}

// Relative change (b → a), null when b is 0.
std::optional<double> Change(int64_t now, int64_t before) {
  if (before == 0) return std::nullopt;
  return static_cast<double>(now - before) / static_cast<double>(before);
}
std::optional<double> Change(std::optional<int64_t> now, std::optional<int64_t> before) {
  if (!now || !before) return std::nullopt;
  return Change(*now, *before);
}
std::optional<double> Diff(std::optional<double> now, std::optional<double> before) {
  if (!now || !before) return std::nullopt;
  return *now - *before;
}

ordered_json PeriodJson(const service::ReportPeriod& p) {
  return ordered_json{{"from", service::FormatDay(p.from)},  {"to", service::FormatDay(p.to)},
                      {"days", p.days},                       {"previous_from", service::FormatDay(p.prev_from)},
                      {"previous_to", service::FormatDay(p.prev_to)}, {"store_id", Opt(p.store_id)}};
}

ordered_json TotalsJson(const SalesTotals& t) {
  return ordered_json{{"sales", t.sales},
                      {"member_sales", t.member_sales},
                      {"items", t.items},
                      {"gross", t.gross},
                      {"discounts", t.discounts},
                      {"net", t.net},
                      {"member_net", t.member_net},
                      {"returns", t.returns},
                      {"returned_items", t.returned_items},
                      {"returned_net", t.returned_net},
                      {"net_after_returns", t.NetAfterReturns()},
                      {"average_basket", Opt(t.AverageBasket())},
                      {"member_share", Opt(t.MemberShare())},
                      {"cost", t.Cost()},
                      {"costed_net", t.CostedNet()},
                      {"gross_margin", Opt(t.GrossMargin())},
                      {"gross_margin_rate", Opt(t.GrossMarginRate())},
                      {"cost_coverage", Opt(t.CostCoverage())}};
}

ordered_json ChangeJson(const SalesTotals& a, const SalesTotals& b) {
  return ordered_json{{"sales", Opt(Change(a.sales, b.sales))},
                      {"items", Opt(Change(a.items, b.items))},
                      {"gross", Opt(Change(a.gross, b.gross))},
                      {"discounts", Opt(Change(a.discounts, b.discounts))},
                      {"net", Opt(Change(a.net, b.net))},
                      {"returns", Opt(Change(a.returns, b.returns))},
                      {"returned_net", Opt(Change(a.returned_net, b.returned_net))},
                      {"net_after_returns", Opt(Change(a.NetAfterReturns(), b.NetAfterReturns()))},
                      {"average_basket", Opt(Change(a.AverageBasket(), b.AverageBasket()))},
                      {"cost", Opt(Change(a.Cost(), b.Cost()))},
                      {"gross_margin", Opt(Change(a.GrossMargin(), b.GrossMargin()))},
                      {"member_share", Opt(Diff(a.MemberShare(), b.MemberShare()))},
                      {"gross_margin_rate", Opt(Diff(a.GrossMarginRate(), b.GrossMarginRate()))}};
}

// The columns of a sales totals row in downloads, after `first`.
std::vector<ReportColumn> TotalsColumns(std::vector<ReportColumn> first) {
  std::vector<ReportColumn> more = {
      {"sales", "销售笔数", "Sales", ColumnKind::kInt},
      {"items", "销售件数", "Items", ColumnKind::kInt},
      {"gross", "原价金额 (元)", "Gross (CNY)", ColumnKind::kMoney},
      {"discounts", "折扣 (元)", "Discounts (CNY)", ColumnKind::kMoney},
      {"net", "净销售额 (元)", "Net sales (CNY)", ColumnKind::kMoney},
      {"returns", "退货笔数", "Returns", ColumnKind::kInt},
      {"returned_net", "退货金额 (元)", "Returned (CNY)", ColumnKind::kMoney},
      {"net_after_returns", "退货后净额 (元)", "Net after returns (CNY)", ColumnKind::kMoney},
      {"average_basket", "客单价 (元)", "Average basket (CNY)", ColumnKind::kMoney},
      {"member_share", "会员销售占比", "Member share", ColumnKind::kPercent},
      {"cost", "成本 (元)", "Cost (CNY)", ColumnKind::kMoney},
      {"gross_margin", "毛利 (元)", "Gross margin (CNY)", ColumnKind::kMoney},
      {"gross_margin_rate", "毛利率", "Gross margin rate", ColumnKind::kPercent},
  };
  first.insert(first.end(), more.begin(), more.end());
  return first;
}

std::vector<ReportCell> TotalsCells(std::vector<ReportCell> first, const SalesTotals& t, bool per_line = false) {
  auto sale = [&](int64_t v) -> ReportCell { return per_line ? ReportCell{} : ReportCell{v}; };
  std::vector<ReportCell> more = {sale(t.sales),
                                  t.items,
                                  per_line ? ReportCell{} : ReportCell{t.gross},
                                  per_line ? ReportCell{} : ReportCell{t.discounts},
                                  t.net,
                                  sale(t.returns),
                                  t.returned_net,
                                  t.NetAfterReturns(),
                                  per_line ? ReportCell{} : Cell(t.AverageBasket()),
                                  per_line ? ReportCell{} : Cell(t.MemberShare()),
                                  t.HasCost() ? ReportCell{t.Cost()} : ReportCell{},
                                  Cell(t.GrossMargin()),
                                  Cell(t.GrossMarginRate())};
  first.insert(first.end(), more.begin(), more.end());
  return first;
}

// ---------------------------------------------------------------- sales

ordered_json SalesRowJson(const service::SalesRow& r, int64_t total_after_returns) {
  ordered_json j{{"key", r.key}, {"label", r.label},
                 {"share", Opt(service::Ratio(r.totals.NetAfterReturns(), total_after_returns))}};
  ordered_json totals = TotalsJson(r.totals);  // kept alive: items() refers to it
  for (auto& [k, v] : totals.items()) j[k] = v;
  if (r.per_line) {
    for (const char* k : {"sales", "member_sales", "gross", "discounts", "member_net", "returns", "average_basket",
                          "member_share"})
      j[k] = nullptr;
    j["lines"] = r.lines;
  } else {
    j["lines"] = nullptr;
  }
  return j;
}

Response Sales(service::Context& ctx, const Request& req) {
  std::vector<FieldError> bad;
  std::string group = QueryChoice(req, "group", {"day", "week", "month", "store", "genre", "cashier"}, "day", bad);
  auto q = ReadReportQuery(req, ctx, std::move(bad));
  if (!q.ok()) return ErrorResponse(q.status());
  auto rep = service::ReportSales(ctx, q->period, group, q->lang);
  if (!rep.ok()) return ErrorResponse(rep.status());
  if (q->format != "json") {
    static const std::map<std::string, std::pair<const char*, const char*>> kKey = {
        {"day", {"日期", "Day"}},     {"week", {"周", "Week"}},          {"month", {"月份", "Month"}},
        {"store", {"门店", "Store"}}, {"genre", {"类别", "Genre"}}, {"cashier", {"收银员", "Cashier"}}};
    const auto& [zh, en] = kKey.at(group);
    ReportTable t{"销售", "Sales", TotalsColumns({{"label", zh, en, ColumnKind::kText}}), {}};
    for (const auto& r : rep->rows) t.Row(TotalsCells({r.label}, r.totals, r.per_line));
    t.Row(TotalsCells({std::string(q->lang == "en" ? "Total" : "合计")}, rep->totals));
    return ReportDownload(*q, "sales", {t});
  }
  ordered_json rows = ordered_json::array();
  for (const auto& r : rep->rows) rows.push_back(SalesRowJson(r, rep->totals.NetAfterReturns()));
  ordered_json j{{"period", PeriodJson(rep->period)}, {"group", rep->group},
                 {"totals", TotalsJson(rep->totals)}, {"previous", TotalsJson(rep->previous)},
                 {"change", ChangeJson(rep->totals, rep->previous)}, {"rows", std::move(rows)}};
  return ReportJson(j.dump());
}

// ---------------------------------------------------------------- dashboard

Response Dashboard(service::Context& ctx, const Request& req) {
  auto q = ReadReportQuery(req, ctx);
  if (!q.ok()) return ErrorResponse(q.status());
  auto d = service::ReportDashboard(ctx, q->period.to, q->period.store_id);
  if (!d.ok()) return ErrorResponse(d.status());
  auto numbers = [](const SalesTotals& t, int64_t new_members) {
    ordered_json j = TotalsJson(t);
    j["new_members"] = new_members;
    return j;
  };
  bool en = q->lang == "en";
  if (q->format != "json") {
    ReportTable key{"关键指标", "Key numbers",
                    {{"metric", "指标", "Metric", ColumnKind::kText},
                     {"today", "当日", "Day", ColumnKind::kText},
                     {"yesterday", "前一日", "Day before", ColumnKind::kText},
                     {"month", "本月至今", "Month to date", ColumnKind::kText},
                     {"previous_month", "上月同期", "Previous month, same days", ColumnKind::kText}},
                    {}};
    // Each metric row has its own kind; written as text formatted like the CSV would.
    auto money = [](int64_t v) { return ReportCell{service::FormatYuan(v)}; };
    auto pct = [](std::optional<double> v) {
      if (!v) return ReportCell{};
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f%%", *v * 100.0);
      return ReportCell{std::string(buf)};
    };
    auto omoney = [&](std::optional<int64_t> v) { return v ? money(*v) : ReportCell{}; };
    const SalesTotals* cols[] = {&d->today, &d->yesterday, &d->month, &d->previous_month};
    int64_t news[] = {d->new_today, d->new_yesterday, d->new_month, d->new_previous_month};
    auto row = [&](const char* zh, const char* en_name, auto f) {
      std::vector<ReportCell> r{std::string(en ? en_name : zh)};
      for (int i = 0; i < 4; ++i) r.push_back(f(*cols[i], news[i]));
      key.Row(std::move(r));
    };
    row("净销售额 (元)", "Net sales (CNY)", [&](const SalesTotals& t, int64_t) { return money(t.net); });
    row("退货后净额 (元)", "Net after returns (CNY)", [&](const SalesTotals& t, int64_t) { return money(t.NetAfterReturns()); });
    row("销售笔数", "Sales", [&](const SalesTotals& t, int64_t) { return ReportCell{std::to_string(t.sales)}; });
    row("客单价 (元)", "Average basket (CNY)", [&](const SalesTotals& t, int64_t) { return omoney(t.AverageBasket()); });
    row("销售件数", "Items", [&](const SalesTotals& t, int64_t) { return ReportCell{std::to_string(t.items)}; });
    row("会员销售占比", "Member share", [&](const SalesTotals& t, int64_t) { return pct(t.MemberShare()); });
    row("新会员", "New members", [&](const SalesTotals&, int64_t n) { return ReportCell{std::to_string(n)}; });
    row("毛利 (元)", "Gross margin (CNY)", [&](const SalesTotals& t, int64_t) { return omoney(t.GrossMargin()); });
    row("毛利率", "Gross margin rate", [&](const SalesTotals& t, int64_t) { return pct(t.GrossMarginRate()); });
    ReportTable series{"近30天", "Last 30 days",
                       {{"day", "日期", "Day", ColumnKind::kText},
                        {"sales", "销售笔数", "Sales", ColumnKind::kInt},
                        {"items", "销售件数", "Items", ColumnKind::kInt},
                        {"net", "净销售额 (元)", "Net sales (CNY)", ColumnKind::kMoney},
                        {"member_net", "会员净销售额 (元)", "Member net sales (CNY)", ColumnKind::kMoney},
                        {"returned_net", "退货金额 (元)", "Returned (CNY)", ColumnKind::kMoney},
                        {"net_after_returns", "退货后净额 (元)", "Net after returns (CNY)", ColumnKind::kMoney}},
                       {}};
    for (const auto& [day, t] : d->series)
      series.Row({day, t.sales, t.items, t.net, t.member_net, t.returned_net, t.NetAfterReturns()});
    ReportTable top{"本月畅销", "Top books this month",
                    {{"rank", "排名", "Rank", ColumnKind::kInt},
                     {"title", "书名", "Title", ColumnKind::kText},
                     {"isbn13", "ISBN", "ISBN", ColumnKind::kText},
                     {"quantity", "销量", "Units", ColumnKind::kInt},
                     {"net", "净销售额 (元)", "Net sales (CNY)", ColumnKind::kMoney}},
                    {}};
    int64_t rank = 0;
    for (const auto& b : d->top_books)
      top.Row({++rank, b.title, b.isbn13 ? ReportCell{*b.isbn13} : ReportCell{}, b.quantity, b.net});
    service::ReportPeriod p = q->period;
    p.from = d->month_from;  // the file name says the month to date
    ReportQuery named = *q;
    named.period = p;
    return ReportDownload(named, "dashboard", {key, series, top});
  }
  ordered_json series = ordered_json::array();
  for (const auto& [day, t] : d->series)
    series.push_back(ordered_json{{"day", day}, {"sales", t.sales}, {"items", t.items}, {"net", t.net},
                                  {"member_net", t.member_net}, {"returned_net", t.returned_net},
                                  {"net_after_returns", t.NetAfterReturns()}});
  ordered_json top = ordered_json::array();
  int64_t rank = 0;
  for (const auto& b : d->top_books)
    top.push_back(ordered_json{{"rank", ++rank}, {"product_id", b.product_id}, {"title", b.title},
                               {"isbn13", Opt(b.isbn13)}, {"quantity", b.quantity}, {"net", b.net}});
  ordered_json j{
      {"day", service::FormatDay(d->day)},
      {"store_id", Opt(d->store_id)},
      {"previous_day", service::FormatDay(d->previous_day)},
      {"month_from", service::FormatDay(d->month_from)},
      {"previous_month_from", service::FormatDay(d->previous_month_from)},
      {"previous_month_to", service::FormatDay(d->previous_month_to)},
      {"today", numbers(d->today, d->new_today)},
      {"yesterday", numbers(d->yesterday, d->new_yesterday)},
      {"today_change", ChangeJson(d->today, d->yesterday)},
      {"new_members_change",
       {{"today", Opt(Change(d->new_today, d->new_yesterday))}, {"month", Opt(Change(d->new_month, d->new_previous_month))}}},
      {"month", numbers(d->month, d->new_month)},
      {"previous_month", numbers(d->previous_month, d->new_previous_month)},
      {"month_change", ChangeJson(d->month, d->previous_month)},
      {"series", std::move(series)},
      {"top_books", std::move(top)},
      {"members",
       {{"total", d->members_total},
        {"active_90_days", d->members_active_90},
        {"active_share", Opt(service::Ratio(d->members_active_90, d->members_total))}}},
      {"liabilities",
       {{"points_outstanding", d->points_outstanding}, {"points_value", d->points_value}, {"stored_value", d->stored_value}}}};
  return ReportJson(j.dump());
}

// ---------------------------------------------------------------- books

std::optional<double> CoverDays(int64_t on_hand, int64_t quantity, int64_t days) {
  if (quantity <= 0) return std::nullopt;
  return static_cast<double>(on_hand) * static_cast<double>(days) / static_cast<double>(quantity);
}

Response Books(service::Context& ctx, const Request& req) {
  std::vector<FieldError> bad;
  service::BooksOptions o;
  o.sort = QueryChoice(req, "sort", {"quantity", "net"}, "quantity", bad);
  o.limit = QueryInt(req, "limit", 1, 500, 20, bad);
  o.slow_days = QueryInt(req, "slow_days", 1, 3650, 90, bad);
  o.lead_days = QueryInt(req, "lead_days", 0, 365, 14, bad);
  o.cover_days = QueryInt(req, "cover_days", 1, 365, 30, bad);
  std::string table = QueryChoice(req, "table", {"best", "slow", "genres", "reorder"}, "best", bad);
  auto q = ReadReportQuery(req, ctx, std::move(bad));
  if (!q.ok()) return ErrorResponse(q.status());
  o.lang = q->lang;
  auto rep = service::ReportBooks(ctx, q->period, o);
  if (!rep.ok()) return ErrorResponse(rep.status());
  int64_t days = rep->period.days;
  auto velocity = [&](const service::BookLine& b) { return static_cast<double>(b.quantity) / static_cast<double>(days); };
  auto margin = [](const service::BookLine& b) -> std::optional<int64_t> {
    if (!b.has_cost) return std::nullopt;
    return b.costed_net - b.cost;
  };
  auto stock_value = [](const service::BookLine& b) -> std::optional<int64_t> {
    if (!b.unit_cost) return std::nullopt;
    return b.on_hand * *b.unit_cost;
  };
  auto days_since = [&](const service::BookLine& b) -> std::optional<int64_t> {
    if (!b.last_sold_on) return std::nullopt;
    auto d = service::ParseDay(*b.last_sold_on);
    if (!d.ok()) return std::nullopt;
    return service::DaysBetween(*d, rep->period.to);
  };
  auto order_value = [](const service::BookLine& b) -> std::optional<int64_t> {
    if (!b.unit_cost) return std::nullopt;
    return b.suggested * *b.unit_cost;
  };
  auto isbn = [](const service::BookLine& b) { return b.isbn13 ? ReportCell{*b.isbn13} : ReportCell{}; };

  if (q->format != "json") {
    ReportTable best{"畅销书", "Best sellers",
                     {{"rank", "排名", "Rank", ColumnKind::kInt},
                      {"title", "书名", "Title", ColumnKind::kText},
                      {"isbn13", "ISBN", "ISBN", ColumnKind::kText},
                      {"genre_name", "类别", "Genre", ColumnKind::kText},
                      {"quantity", "销量 (扣除退货)", "Units (less returns)", ColumnKind::kInt},
                      {"net", "净销售额 (元)", "Net sales (CNY)", ColumnKind::kMoney},
                      {"gross_margin", "毛利 (元)", "Gross margin (CNY)", ColumnKind::kMoney},
                      {"on_hand", "库存", "On hand", ColumnKind::kInt},
                      {"stock_cover_days", "库存可售天数", "Stock cover (days)", ColumnKind::kDecimal}},
                     {}};
    int64_t rank = 0;
    for (const auto& b : rep->best)
      best.Row({++rank, b.title, isbn(b), b.genre_name, b.quantity, b.net, Cell(margin(b)), b.on_hand,
                Cell(CoverDays(b.on_hand, b.quantity, days))});
    ReportTable slow{"滞销书", "Slow sellers",
                     {{"title", "书名", "Title", ColumnKind::kText},
                      {"isbn13", "ISBN", "ISBN", ColumnKind::kText},
                      {"genre_name", "类别", "Genre", ColumnKind::kText},
                      {"on_hand", "库存", "On hand", ColumnKind::kInt},
                      {"unit_cost", "单位成本 (元)", "Unit cost (CNY)", ColumnKind::kMoney},
                      {"stock_value", "库存成本 (元)", "Stock value at cost (CNY)", ColumnKind::kMoney},
                      {"last_sold_on", "最后售出日", "Last sold on", ColumnKind::kText},
                      {"days_since_sale", "未售天数", "Days since sale", ColumnKind::kInt}},
                     {}};
    for (const auto& b : rep->slow)
      slow.Row({b.title, isbn(b), b.genre_name, b.on_hand, Cell(b.unit_cost), Cell(stock_value(b)),
                b.last_sold_on ? ReportCell{*b.last_sold_on} : ReportCell{}, Cell(days_since(b))});
    ReportTable genres{"类别动销", "Genres",
                       {{"genre_name", "类别", "Genre", ColumnKind::kText},
                        {"quantity", "销量 (扣除退货)", "Units (less returns)", ColumnKind::kInt},
                        {"on_hand", "库存", "On hand", ColumnKind::kInt},
                        {"sell_through", "售罄率", "Sell-through", ColumnKind::kPercent},
                        {"stock_cover_days", "库存可售天数", "Stock cover (days)", ColumnKind::kDecimal},
                        {"stock_value", "库存成本 (元)", "Stock value at cost (CNY)", ColumnKind::kMoney}},
                       {}};
    for (const auto& g : rep->genres)
      genres.Row({g.genre_name, g.quantity, g.on_hand, Cell(service::Ratio(g.quantity, g.quantity + g.on_hand)),
                  Cell(CoverDays(g.on_hand, g.quantity, days)), g.stock_value});
    ReportTable reorder{"补货建议", "Reorder",
                        {{"title", "书名", "Title", ColumnKind::kText},
                         {"isbn13", "ISBN", "ISBN", ColumnKind::kText},
                         {"on_hand", "库存", "On hand", ColumnKind::kInt},
                         {"reorder_point", "再订货点", "Reorder point", ColumnKind::kInt},
                         {"daily_velocity", "日均销量", "Units per day", ColumnKind::kDecimal},
                         {"stock_cover_days", "库存可售天数", "Stock cover (days)", ColumnKind::kDecimal},
                         {"suggested_quantity", "建议订货量", "Suggested quantity", ColumnKind::kInt},
                         {"order_value", "订货成本 (元)", "Order value at cost (CNY)", ColumnKind::kMoney}},
                        {}};
    for (const auto& b : rep->reorder)
      reorder.Row({b.title, isbn(b), b.on_hand, b.reorder_point, velocity(b), Cell(CoverDays(b.on_hand, b.quantity, days)),
                   b.suggested, Cell(order_value(b))});
    size_t index = table == "slow" ? 1 : table == "genres" ? 2 : table == "reorder" ? 3 : 0;
    return ReportDownload(*q, "books", {best, slow, genres, reorder}, index);
  }

  ordered_json best = ordered_json::array(), slow = ordered_json::array(), genres = ordered_json::array(),
               reorder = ordered_json::array();
  int64_t rank = 0;
  for (const auto& b : rep->best)
    best.push_back(ordered_json{{"rank", ++rank}, {"product_id", b.product_id}, {"title", b.title},
                                {"isbn13", Opt(b.isbn13)}, {"barcode", b.barcode}, {"genre", b.genre},
                                {"genre_name", b.genre_name}, {"quantity", b.quantity}, {"net", b.net},
                                {"gross_margin", Opt(margin(b))}, {"on_hand", b.on_hand},
                                {"stock_cover_days", Opt(CoverDays(b.on_hand, b.quantity, days))}});
  for (const auto& b : rep->slow)
    slow.push_back(ordered_json{{"product_id", b.product_id}, {"title", b.title}, {"isbn13", Opt(b.isbn13)},
                                {"genre", b.genre}, {"genre_name", b.genre_name}, {"on_hand", b.on_hand},
                                {"unit_cost", Opt(b.unit_cost)}, {"stock_value", Opt(stock_value(b))},
                                {"last_sold_on", Opt(b.last_sold_on)}, {"days_since_sale", Opt(days_since(b))}});
  for (const auto& g : rep->genres)
    genres.push_back(ordered_json{{"genre", g.genre}, {"genre_name", g.genre_name}, {"quantity", g.quantity},
                                  {"on_hand", g.on_hand},
                                  {"sell_through", Opt(service::Ratio(g.quantity, g.quantity + g.on_hand))},
                                  {"stock_cover_days", Opt(CoverDays(g.on_hand, g.quantity, days))},
                                  {"stock_value", g.stock_value}});
  for (const auto& b : rep->reorder)
    reorder.push_back(ordered_json{{"product_id", b.product_id}, {"title", b.title}, {"isbn13", Opt(b.isbn13)},
                                   {"on_hand", b.on_hand}, {"reorder_point", b.reorder_point},
                                   {"daily_velocity", velocity(b)},
                                   {"stock_cover_days", Opt(CoverDays(b.on_hand, b.quantity, days))},
                                   {"suggested_quantity", b.suggested}, {"unit_cost", Opt(b.unit_cost)},
                                   {"order_value", Opt(order_value(b))}});
  ordered_json j{{"period", PeriodJson(rep->period)},
                 {"sort", o.sort},
                 {"limit", o.limit},
                 {"slow_days", o.slow_days},
                 {"lead_days", o.lead_days},
                 {"cover_days", o.cover_days},
                 {"summary",
                  {{"products_sold", rep->products_sold},
                   {"quantity", rep->quantity},
                   {"on_hand", rep->on_hand},
                   {"stock_value", rep->stock_value},
                   {"sell_through", Opt(service::Ratio(rep->quantity, rep->quantity + rep->on_hand))},
                   {"stock_cover_days", Opt(CoverDays(rep->on_hand, rep->quantity, days))},
                   {"slow_products", rep->slow_products},
                   {"slow_units", rep->slow_units},
                   {"slow_stock_value", rep->slow_stock_value},
                   {"reorder_products", rep->reorder_products}}},
                 {"best_sellers", std::move(best)},
                 {"slow_sellers", std::move(slow)},
                 {"genres", std::move(genres)},
                 {"reorder", std::move(reorder)}};
  return ReportJson(j.dump());
}

// ---------------------------------------------------------------- hours

Response Hours(service::Context& ctx, const Request& req) {
  std::vector<FieldError> bad;
  std::string table = QueryChoice(req, "table", {"heatmap", "visits", "months"}, "heatmap", bad);
  auto q = ReadReportQuery(req, ctx, std::move(bad));
  if (!q.ok()) return ErrorResponse(q.status());
  auto rep = service::ReportHours(ctx, q->period);
  if (!rep.ok()) return ErrorResponse(rep.status());
  bool en = q->lang == "en";
  static const char* kDaysZh[] = {"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"};
  static const char* kDaysEn[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

  int64_t total_net = 0, total_after = 0, total_days = rep->period.days;
  for (const auto& m : rep->months) total_net += m.net, total_after += m.net - m.returned_net;
  auto index_of = [&](int64_t after, int64_t days) -> std::optional<double> {
    if (days == 0 || total_after == 0) return std::nullopt;
    return (static_cast<double>(after) / static_cast<double>(days)) /
           (static_cast<double>(total_after) / static_cast<double>(total_days));
  };
  struct MonthOfYear {
    int64_t days = 0, sales = 0, after = 0;
  } moy[13];
  for (const auto& m : rep->months) {
    int k = std::stoi(m.month.substr(5, 2));
    moy[k].days += m.days, moy[k].sales += m.sales, moy[k].after += m.net - m.returned_net;
  }

  if (q->format != "json") {
    auto grid = [&](bool visits) {
      ReportTable t{visits ? "客流热力图" : "销售额热力图", visits ? "Visits heatmap" : "Sales heatmap", {}, {}};
      t.columns.push_back({"weekday", "星期", "Weekday", ColumnKind::kText});
      for (int h = 0; h < 24; ++h) {
        std::string name = std::to_string(h) + ":00";
        t.columns.push_back({"h" + std::to_string(h), name, name, visits ? ColumnKind::kInt : ColumnKind::kMoney});
      }
      for (int w = 1; w <= 7; ++w) {
        std::vector<ReportCell> r{std::string(en ? kDaysEn[w] : kDaysZh[w])};
        for (int h = 0; h < 24; ++h) r.push_back(visits ? rep->cells[w][h].sales : rep->cells[w][h].net);
        t.Row(std::move(r));
      }
      return t;
    };
    ReportTable months{"月度", "Months",
                       {{"month", "月份", "Month", ColumnKind::kText},
                        {"days", "天数", "Days", ColumnKind::kInt},
                        {"sales", "销售笔数", "Sales", ColumnKind::kInt},
                        {"items", "销售件数", "Items", ColumnKind::kInt},
                        {"net", "净销售额 (元)", "Net sales (CNY)", ColumnKind::kMoney},
                        {"returned_net", "退货金额 (元)", "Returned (CNY)", ColumnKind::kMoney},
                        {"net_after_returns", "退货后净额 (元)", "Net after returns (CNY)", ColumnKind::kMoney},
                        {"average_daily_net", "日均净额 (元)", "Average per day (CNY)", ColumnKind::kMoney},
                        {"index", "季节指数", "Seasonality index", ColumnKind::kDecimal}},
                       {}};
    for (const auto& m : rep->months) {
      int64_t after = m.net - m.returned_net;
      months.Row({m.month, m.days, m.sales, m.items, m.net, m.returned_net, after, Cell(service::DivRound(after, m.days)),
                  Cell(index_of(after, m.days))});
    }
    size_t index = table == "visits" ? 1 : table == "months" ? 2 : 0;
    return ReportDownload(*q, "hours", {grid(false), grid(true), months}, index);
  }

  ordered_json heat = ordered_json::array(), weekdays = ordered_json::array(), hours = ordered_json::array(),
               months = ordered_json::array(), month_of_year = ordered_json::array();
  int64_t hour_sales[24] = {}, hour_net[24] = {};
  for (int w = 1; w <= 7; ++w) {
    int64_t days = rep->weekday_days[w], ws = 0, wn = 0;
    for (int h = 0; h < 24; ++h) {
      const auto& c = rep->cells[w][h];
      ws += c.sales, wn += c.net, hour_sales[h] += c.sales, hour_net[h] += c.net;
      heat.push_back(ordered_json{{"weekday", w}, {"hour", h}, {"sales", c.sales}, {"net", c.net}, {"days", days},
                                  {"average_net", Opt(service::DivRound(c.net, days))},
                                  {"average_sales", Opt(service::Ratio(c.sales, days))}});
    }
    weekdays.push_back(ordered_json{{"weekday", w}, {"days", days}, {"sales", ws}, {"net", wn},
                                    {"average_net", Opt(service::DivRound(wn, days))}});
  }
  int64_t heat_net = 0;
  for (int h = 0; h < 24; ++h) heat_net += hour_net[h];
  for (int h = 0; h < 24; ++h)
    hours.push_back(ordered_json{{"hour", h}, {"sales", hour_sales[h]}, {"net", hour_net[h]},
                                 {"share", Opt(service::Ratio(hour_net[h], heat_net))}});
  for (const auto& m : rep->months) {
    int64_t after = m.net - m.returned_net;
    months.push_back(ordered_json{{"month", m.month}, {"days", m.days}, {"sales", m.sales}, {"items", m.items},
                                  {"net", m.net}, {"returned_net", m.returned_net}, {"net_after_returns", after},
                                  {"average_daily_net", Opt(service::DivRound(after, m.days))},
                                  {"index", Opt(index_of(after, m.days))}});
  }
  for (int k = 1; k <= 12; ++k)
    month_of_year.push_back(ordered_json{{"month", k}, {"days", moy[k].days}, {"sales", moy[k].sales},
                                         {"net_after_returns", moy[k].after},
                                         {"average_daily_net", Opt(service::DivRound(moy[k].after, moy[k].days))},
                                         {"index", Opt(index_of(moy[k].after, moy[k].days))}});
  (void)total_net;
  ordered_json j{{"period", PeriodJson(rep->period)}, {"heatmap", std::move(heat)}, {"weekdays", std::move(weekdays)},
                 {"hours", std::move(hours)}, {"months", std::move(months)}, {"month_of_year", std::move(month_of_year)}};
  return ReportJson(j.dump());
}

}  // namespace

void AddReportSalesRoutes(Router& r, App& app) {
  auto& ctx = app.context();
  r.Allow(kManagers, "GET", "/api/v1/reports/dashboard", [&ctx](Call& c) { return Dashboard(ctx, c.req); });
  r.Allow(kManagers, "GET", "/api/v1/reports/sales", [&ctx](Call& c) { return Sales(ctx, c.req); });
  r.Allow(kManagers, "GET", "/api/v1/reports/books", [&ctx](Call& c) { return Books(ctx, c.req); });
  r.Allow(kManagers, "GET", "/api/v1/reports/hours", [&ctx](Call& c) { return Hours(ctx, c.req); });
}

}  // namespace shuyou::http
