// Demo sales history (see demo_sales.h). The generator walks the days in order, keeps every
// member's running state in memory (points lots, tier, rolling purchases) and writes batches of
// days with multi-row INSERTs; rows get their ids from the generator so that one pass writes
// sales, lines, payments, returns and points rows that refer to each other.
#include "service/demo_sales.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "core/expiry.h"
#include "core/pricing.h"
#include "core/tiers.h"
#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/report_feed.h"

namespace shuyou::service {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr int64_t kHourMs = 3'600'000;
constexpr size_t kFlushSales = 20'000;  // sales per transaction (at a day's end)
constexpr int32_t kNone = std::numeric_limits<int32_t>::min();

// ---- random draws (fixed by the standard engine; no std distributions) ----

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = rng();
    if (x < limit) return x % n;
  }
}
bool Chance(std::mt19937_64& rng, uint64_t per_mille) { return Below(rng, 1000) < per_mille; }
double Unit(uint64_t bits) { return double(bits >> 11) * 0x1.0p-53; }  // [0, 1)
double Unit(std::mt19937_64& rng) { return Unit(rng()); }
// Index into a cumulative weight table.
size_t Pick(const std::vector<double>& cum, double u) {
  size_t i = size_t(std::upper_bound(cum.begin(), cum.end(), u * cum.back()) - cum.begin());
  return std::min(i, cum.size() - 1);
}

// ---- the calendar ----

int DayIndex(core::Date d) { return int(sys_days(d).time_since_epoch().count()); }
core::Date DateOf(int idx) { return core::Date{sys_days{days{idx}}}; }

// 春节 (the first day of the lunar year).
constexpr std::array<std::array<int, 3>, 10> kSpringFestival = {{{2022, 2, 1}, {2023, 1, 22}, {2024, 2, 10},
                                                                  {2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},
                                                                  {2028, 1, 26}, {2029, 2, 13}, {2030, 2, 3},
                                                                  {2031, 1, 23}}};

struct DayShape {
  double factor = 1;      // sales relative to an ordinary day
  bool leisure = false;   // weekend or public holiday: the afternoon peak
};

DayShape ShapeOf(int idx) {
  core::Date d = DateOf(idx);
  int y = int(d.year());
  unsigned m = unsigned(d.month()), dd = unsigned(d.day());
  unsigned wd = std::chrono::weekday(sys_days(d)).c_encoding();  // 0 = Sunday
  static constexpr double kWeek[7] = {1.45, 0.85, 0.8, 0.85, 0.9, 1.05, 1.55};
  static constexpr double kMonth[12] = {0.9, 0.85, 0.95, 1.0, 0.95, 0.95, 1.1, 1.2, 1.1, 0.95, 1.0, 1.15};
  DayShape s{kWeek[wd] * kMonth[m - 1], wd == 0 || wd == 6};
  auto on = [&](unsigned mm, unsigned from, unsigned to) { return m == mm && dd >= from && dd <= to; };
  if (on(1, 1, 1)) s = {s.factor * 1.3, true};                        // 元旦
  if (on(4, 23, 23)) s.factor *= 1.8;                                  // 世界读书日
  if (on(5, 1, 5)) s = {std::max(s.factor, 1.4) * 1.2, true};          // 五一
  if (on(6, 1, 1)) s.factor *= 1.4;                                    // 六一
  if (on(6, 18, 18)) s.factor *= 1.5;                                  // 618
  if (on(8, 20, 31) || on(9, 1, 5)) s.factor *= 1.3;                   // back to school
  if (on(10, 1, 7)) s = {std::max(s.factor, 1.4) * 1.15, true};        // 国庆
  if (on(11, 11, 11)) s.factor *= 2.5;                                 // 双十一
  if (on(11, 10, 10) || on(11, 12, 12)) s.factor *= 1.3;
  if (on(12, 24, 25)) s.factor *= 1.3;
  for (const auto& sf : kSpringFestival) {
    if (sf[0] != y) continue;
    int off = idx - DayIndex(core::Date{std::chrono::year{sf[0]}, std::chrono::month{unsigned(sf[1])},
                                        std::chrono::day{unsigned(sf[2])}});
    if (off >= -21 && off <= -2) s.factor *= 1.25;       // gifts before the new year
    else if (off == -1) s = {s.factor * 0.3, true};      // 除夕: a short day
    else if (off == 0 || off == 1) s = {0, true};        // closed
    else if (off >= 2 && off <= 6) s = {std::max(s.factor, 1.4) * 1.1, true};
  }
  return s;
}

// Opening hours 09:00–22:00: relative weights of each hour.
constexpr std::array<double, 13> kWeekdayHours = {0.4, 0.7, 0.9, 1.4, 1.2, 0.7, 0.7, 0.8, 1.2, 1.6, 1.7, 1.2, 0.6};
constexpr std::array<double, 13> kLeisureHours = {0.4, 0.9, 1.1, 1.2, 1.3, 1.7, 1.8, 1.6, 1.3, 1.1, 1.1, 0.9, 0.5};

// ---- the data the generator works from ----

struct Product {
  int64_t id = 0;
  std::string barcode, title;
  int genre = 0;
  int64_t price = 0, tax_bp = 0;
  std::optional<int64_t> cost;
};

struct Member {
  int64_t id = 0, created_at = 0, lapse_at = 0;
  int64_t points = 0, total_spend = 0, visits = 0;
  std::optional<int64_t> last_visit_at, tier_since;
  int32_t lot_head = -1, lot_tail = -1, event_head = -1, last_qualified = kNone;
  uint8_t tier = 0, fav1 = 0, fav2 = 0, birth_month = 0;
  bool tier_known = true, touched = false;
};

struct Lot {  // in memory; the row is written in the batch it is created in
  int64_t remaining = 0;
  int32_t member = 0, earned_day = 0, expires_day = 0, next = -1;
};

struct Event {  // a member's purchase or return, for the rolling tier window
  int64_t spend = 0;
  int32_t day = 0, prev = -1;
};

enum class Method : uint8_t { kCash, kCard, kMobile };
const char* MethodName(Method m) { return m == Method::kCash ? "cash" : m == Method::kCard ? "card" : "mobile"; }
int RefundOrder(Method m) { return m == Method::kCard ? 1 : m == Method::kMobile ? 2 : 3; }

struct SaleRow {
  int64_t id = 0, at = 0, staff = 0;
  int32_t day = 0, store = 0, member = -1;
  int64_t subtotal = 0, discount_total = 0, net_total = 0, points_redeemed = 0, points_value = 0, due = 0;
  int64_t tax_total = 0, tendered = 0, change_due = 0, points_earned = 0, refunded_total = 0;
  const char* status = "completed";
};
struct LineRow {
  int64_t id = 0, sale_id = 0, line_no = 0;
  int32_t product = 0;
  int64_t qty = 0, unit_price = 0, gross = 0, member_discount = 0, coupon_discount = 0, net = 0, points_share = 0;
  int64_t paid = 0, tax = 0, returned_qty = 0;
};
struct PayRow {
  int64_t id = 0, sale_id = 0;
  Method method = Method::kCash;
  int64_t amount = 0, tendered = 0, refunded = 0;
  std::string reference;
};
struct DiscountRow {
  int64_t sale_id = 0;
  std::string rule, detail;
  int64_t amount = 0;
  bool applied = true;
};
struct ReturnRow {
  int64_t id = 0, sale_id = 0, staff = 0, at = 0;
  int32_t store = 0, day = 0;
  bool is_void = false;
  std::string reason;
  int64_t refund_total = 0, taken_back = 0;
};
struct ReturnLineRow {
  int64_t return_id = 0, sale_line_id = 0, qty = 0, refund = 0;
};
struct ReturnPayRow {
  int64_t return_id = 0, sale_payment_id = 0;
  Method method = Method::kCash;
  int64_t amount = 0;
};
struct LedgerRow {
  int64_t id = 0;
  int32_t member = 0;
  int64_t at = 0;
  const char* kind = "earn";
  int64_t points = 0, balance_after = 0;
  std::string reason;
  int64_t staff = 0, sale_id = 0;
  int32_t expires_day = kNone;
};
struct NewLot {
  int32_t lot = 0;
  int64_t ledger_id = 0, sale_id = 0, points = 0;
};
struct DrawRow {
  int64_t ledger_id = 0;
  int32_t lot = 0;
  int64_t points = 0;
};
struct ReversalRow {
  int64_t sale_id = 0;
  int32_t member = 0;
  int64_t at = 0, returned = 0, of_total = 0, due = 0, taken = 0;
};
struct TierRow {
  int32_t member = 0;
  uint8_t from = 0, to = 0;
  std::string reason;
  int32_t day = 0;
  int64_t at = 0;
};

// A return decided when the sale is made, carried out on its day.
struct PendingReturn {
  int64_t at = 0, sale_id = 0, staff = 0, net_total = 0, points_earned = 0;
  int32_t day = 0, store = 0, member = -1, earn_lot = -1;
  bool is_void = false;
  std::string reason;
  struct Line {
    int64_t id, qty, net, paid, take;
    int genre;
  };
  std::vector<Line> lines;
  struct Pay {
    int64_t id;
    Method method;
    int64_t amount;
  };
  std::vector<Pay> pays;
};

std::string PointsText(int64_t n) { return std::to_string(n) + (n == 1 || n == -1 ? " point" : " points"); }

// As service/points.cpp explains an earning.
std::string ExplainEarning(const core::EarnResult& r) {
  std::string out = "purchase:";
  bool first = true;
  for (const auto& l : r.lines) {
    if (l.points == 0) continue;
    out += first ? " " : "; ";
    first = false;
    out += l.rule + " " + (l.points > 0 ? "+" : "") + std::to_string(l.points) + " (" + l.detail + ")";
  }
  return out;
}

store::Value OptId(int64_t v) { return v > 0 ? store::Value(v) : store::Null(); }

// Multi-row INSERT of n rows, `cols` values each, appended by append(i, params).
template <class Append>
Status InsertRows(store::Tx& tx, const std::string& head, const std::string& row, size_t cols, size_t n,
                  Append&& append, const std::string& tail = "") {
  const size_t per = std::max<size_t>(1, std::min<size_t>(500, 30'000 / cols));
  std::vector<store::Value> params;
  std::string full;
  for (size_t start = 0; start < n; start += per) {
    size_t end = std::min(n, start + per);
    params.clear();
    params.reserve((end - start) * cols);
    for (size_t i = start; i < end; ++i) append(i, params);
    std::string partial;
    std::string* sql = &partial;
    if (end - start == per && !full.empty()) sql = &full;
    else {
      partial = head;
      for (size_t i = start; i < end; ++i) partial += (i == start ? "" : ", ") + row;
      partial += tail;
      if (end - start == per) full = partial, sql = &full;
    }
    SY_RETURN_IF_ERROR(tx.Exec(*sql, params).status());
  }
  return Status::Ok();
}

class Generator {
 public:
  Generator(Context& ctx, const DemoSalesOptions& o) : ctx_(ctx), o_(o), rng_(SplitMix64(o.seed ^ 0x53414c45ULL)) {}

  Result<DemoSalesResult> Run();

 private:
  Status Load();
  Status WriteDays(int64_t now);
  Status LoadMembers(store::Tx& tx);
  Result<int64_t> LocalMidnight(int idx);
  void MakeDay(int idx, int64_t midnight, std::vector<int64_t>& times);
  void Sell(int64_t at, int day);
  void Return(const PendingReturn& r);
  void ExpireLots(int day, int64_t at);
  void AddLot(int32_t member, int day, int64_t ledger_id, int64_t sale_id, int64_t points);
  std::vector<std::pair<int32_t, int64_t>> Draw(Member& m, int64_t points, int32_t preferred);
  void Evaluate(int32_t mi, int day, int64_t at);
  void RecordStats(int32_t mi, int day, int64_t at, int64_t amount, bool visit,
                   const std::vector<std::pair<int, int64_t>>& genres);
  int64_t NewLedger(LedgerRow row);
  void Touch(int32_t mi);
  void TouchLot(int32_t lot);
  Status Flush();
  Status WriteBatch(store::Tx& tx);
  const std::string& Day(int idx) { return day_text_.at(size_t(idx - first_day_)); }
  // As checkout numbers receipts: "<store code>-<yyyymmdd>-<id>".
  std::string Receipt(const SaleRow& s) {
    std::string out = store_codes_[size_t(s.store)] + "-";
    for (char c : Day(s.day))
      if (c != '-') out += c;
    return out + "-" + std::to_string(s.id);
  }
  int32_t PickMember(int64_t at);
  int32_t PickProduct(int32_t member);

  Context& ctx_;
  DemoSalesOptions o_;
  std::mt19937_64 rng_;
  DemoSalesResult result_;

  LoyaltyProgram program_;
  core::Currency currency_ = core::kCNY;
  std::vector<std::string> store_codes_;
  std::vector<double> store_cum_;
  std::vector<int64_t> cashiers_;  // staff who sell
  int64_t manager_ = 0;            // who voids (0: nobody)
  std::vector<Product> products_;
  std::vector<std::string> genres_;
  std::vector<double> product_cum_;
  std::vector<std::vector<int32_t>> genre_products_;
  std::vector<std::vector<double>> genre_cum_;
  std::vector<Member> members_;
  std::vector<double> member_cum_;
  std::vector<Lot> lots_;
  std::vector<Event> events_;
  std::vector<int32_t> window_start_;  // per history day: the first day of its rolling window

  int first_day_ = 0, last_day_ = 0;
  std::vector<std::string> day_text_;
  std::vector<int32_t> expiry_of_;     // per history day: its points' expires_on day
  std::vector<std::string> expiry_text_;
  std::vector<std::vector<int32_t>> expiring_;  // per history day: lots whose expires_on it is
  std::vector<std::vector<PendingReturn>> returns_;
  int64_t sales_per_day_ = 0;

  // Next ids, and the first id of the batch being built.
  int64_t next_sale_ = 1, next_line_ = 1, next_pay_ = 1, next_return_ = 1, next_ledger_ = 1, next_lot_id_ = 1;
  int64_t batch_sale_ = 1, batch_line_ = 1, batch_pay_ = 1;
  int32_t batch_lot_ = 0;
  int64_t lot_id_base_ = 1;

  // The batch.
  std::vector<SaleRow> sales_;
  std::vector<LineRow> lines_;
  std::vector<PayRow> pays_;
  std::vector<DiscountRow> discounts_;
  std::vector<ReturnRow> rets_;
  std::vector<ReturnLineRow> ret_lines_;
  std::vector<ReturnPayRow> ret_pays_;
  std::vector<LedgerRow> ledger_;
  std::vector<NewLot> new_lots_;
  std::vector<int32_t> dirty_lots_;
  std::vector<uint8_t> lot_dirty_;
  std::vector<DrawRow> draws_;
  std::vector<ReversalRow> reversals_;
  std::vector<TierRow> tier_rows_;
  std::vector<int32_t> touched_;
  std::map<std::pair<int32_t, int32_t>, std::pair<int64_t, int64_t>> daily_;   // (member, day) → spend, visits
  std::map<std::pair<int32_t, int>, std::pair<int64_t, int64_t>> member_genres_;  // → spend, purchases
  std::vector<std::pair<int64_t, int64_t>> old_line_returned_, old_pay_refunded_;
  std::vector<std::tuple<int64_t, std::string, int64_t>> old_sale_status_;
  int64_t batch_sales_count_ = 0;
};

Status Generator::Load() {
  return ctx_.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
    program_ = sp.program;
    currency_ = program_.earning.base_per.currency();
    for (size_t i = 0; i < o_.store_ids.size(); ++i) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT code FROM stores WHERE id = ?", {o_.store_ids[i]}));
      if (rows.empty())
        return Invalid("no store with id " + std::to_string(o_.store_ids[i]), {{"store_id", "no such store"}});
      store_codes_.push_back(rows[0].Text(0));
      store_cum_.push_back((store_cum_.empty() ? 0 : store_cum_.back()) + (i == 0 ? 2.0 : 1.0) / double(i + 1));
    }
    SY_ASSIGN_OR_RETURN(auto staff, tx.Exec("SELECT id, role, home_store_id FROM staff WHERE active = 1 "
                                            "AND role IN ('owner', 'manager', 'cashier') ORDER BY id"));
    for (const auto& r : staff.rows) {
      cashiers_.push_back(r.Int(0));
      if (!manager_ && r.Text(1) != "cashier") manager_ = r.Int(0);
    }
    SY_ASSIGN_OR_RETURN(auto prows, tx.Exec("SELECT p.id, p.barcode, p.title, COALESCE(c.code, ''), p.list_price, "
                                            "p.tax_rate_bp, p.cost FROM products p LEFT JOIN categories c "
                                            "ON c.id = p.category_id WHERE p.active = 1 AND p.list_price > 0 "
                                            "ORDER BY p.id"));
    std::map<std::string, int> genre_index;
    for (const auto& r : prows.rows) {
      Product p{r.Int(0), r.Text(1), r.Text(2), 0, r.Int(4), r.Int(5), r.OptInt(6)};
      auto [it, added] = genre_index.emplace(r.Text(3), int(genres_.size()));
      if (added) genres_.push_back(r.Text(3));
      p.genre = it->second;
      products_.push_back(std::move(p));
    }
    if (products_.empty()) return Invalid("the catalog has no products to sell: generate the demo catalog first");
    // A long tail of popularity: weight 1/(0.02+u)^1.2, a few best sellers and many slow titles.
    genre_products_.assign(genres_.size(), {});
    genre_cum_.assign(genres_.size(), {});
    for (size_t i = 0; i < products_.size(); ++i) {
      double w = 1.0 / std::pow(0.02 + Unit(SplitMix64(o_.seed ^ SplitMix64(uint64_t(products_[i].id)))), 1.2);
      product_cum_.push_back((product_cum_.empty() ? 0 : product_cum_.back()) + w);
      auto& g = genre_cum_[size_t(products_[i].genre)];
      genre_products_[size_t(products_[i].genre)].push_back(int32_t(i));
      g.push_back((g.empty() ? 0 : g.back()) + w);
    }
    SY_RETURN_IF_ERROR(LoadMembers(tx));
    const std::array<std::pair<const char*, int64_t*>, 6> next_ids = {{{"sales", &next_sale_}, {"sale_lines", &next_line_},
                                                                        {"sale_payments", &next_pay_}, {"sale_returns", &next_return_},
                                                                        {"points_ledger", &next_ledger_}, {"points_lots", &next_lot_id_}}};
    for (auto [table, next] : next_ids) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT COALESCE(MAX(id), 0) FROM ") + table));
      *next = rows[0].Int(0) + 1;
    }
    lot_id_base_ = next_lot_id_;
    return Status::Ok();
  });
}

Status Generator::LoadMembers(store::Tx& tx) {
  int64_t after_created = std::numeric_limits<int64_t>::min(), after_id = 0;
  for (;;) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, created_at, points_balance, total_spend, visits, last_visit_at, "
                                           "tier, tier_since, tier_last_qualified_on, birthday FROM members "
                                           "WHERE merged_into IS NULL AND erased_at IS NULL AND (created_at > ? OR "
                                           "(created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT 20000",
                                           {after_created, after_created, after_id}));
    if (rows.empty()) break;
    for (const auto& r : rows.rows) {
      Member m;
      m.id = r.Int(0);
      m.created_at = r.Int(1);
      m.points = r.Int(2);
      m.total_spend = r.Int(3);
      m.visits = r.Int(4);
      m.last_visit_at = r.OptInt(5);
      std::string tier = r.Text(6);
      m.tier_known = false;
      for (size_t t = 0; t < program_.earning.tiers.size(); ++t)
        if (program_.earning.tiers[t].name == tier) m.tier = uint8_t(t), m.tier_known = true;
      m.tier_since = r.OptInt(7);
      if (auto q = r.OptText(8))
        if (auto d = ParseDay(*q); d.ok()) m.last_qualified = DayIndex(*d);
      if (auto b = r.OptText(9))
        if (auto d = ParseDay(*b); d.ok()) m.birth_month = uint8_t(unsigned(d->month()));
      members_.push_back(std::move(m));
    }
    after_created = members_.back().created_at;
    after_id = members_.back().id;
  }
  // Per member, from its place in the order: how often it buys, when it lapses, what it reads.
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    uint64_t h = SplitMix64(o_.seed * 0x9e37 + i + 1);
    double u = Unit(h), w;
    bool loyal = u < 0.05;
    if (loyal) w = 20 + 40 * Unit(SplitMix64(h + 1));            // a few buy most weeks
    else if (u < 0.30) w = 2 + 4 * Unit(SplitMix64(h + 1));      // regulars
    else w = 0.3 + 0.7 * Unit(SplitMix64(h + 1));                // most buy now and then
    member_cum_.push_back((member_cum_.empty() ? 0 : member_cum_.back()) + w);
    uint64_t h2 = SplitMix64(h + 2);
    // 35 % lapse (10 % of the loyal), after about six months on average.
    if (Unit(h2) < (loyal ? 0.10 : 0.35))
      m.lapse_at = m.created_at + int64_t(-std::log(1 - Unit(SplitMix64(h2))) * 180.0 * 86'400'000.0);
    else
      m.lapse_at = std::numeric_limits<int64_t>::max();
    uint64_t h3 = SplitMix64(h + 3);
    m.fav1 = uint8_t(h3 % genres_.size());
    m.fav2 = uint8_t((h3 >> 20) % genres_.size());
  }
  return Status::Ok();
}

// The UTC instant the local day `idx` starts at, by bisection over BusinessDay.
Result<int64_t> Generator::LocalMidnight(int idx) {
  int64_t lo = int64_t(idx) * 86'400'000 - 15 * kHourMs, hi = int64_t(idx) * 86'400'000 + 15 * kHourMs;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    SY_ASSIGN_OR_RETURN(core::Date d, BusinessDay(ctx_, mid));
    (DayIndex(d) >= idx ? hi : lo) = mid;
  }
  return hi;
}

void Generator::MakeDay(int idx, int64_t midnight, std::vector<int64_t>& times) {
  DayShape s = ShapeOf(idx);
  double growth = 0.9 + 0.2 * double(idx - first_day_) / double(std::max(1, last_day_ - first_day_));
  double mean = double(sales_per_day_) * s.factor * growth * (0.85 + 0.3 * Unit(rng_));
  int64_t n = int64_t(mean + Unit(rng_));
  const auto& hours = s.leisure ? kLeisureHours : kWeekdayHours;
  std::vector<double> cum;
  for (double w : hours) cum.push_back((cum.empty() ? 0 : cum.back()) + w);
  times.clear();
  for (int64_t i = 0; i < n; ++i) {
    size_t h = Pick(cum, Unit(rng_));
    times.push_back(midnight + int64_t(9 + h) * kHourMs + int64_t(Below(rng_, uint64_t(kHourMs))));
  }
  std::sort(times.begin(), times.end());
}

int32_t Generator::PickMember(int64_t at) {
  // Members registered before `at` are a prefix (ordered by created_at).
  size_t joined = size_t(std::lower_bound(members_.begin(), members_.end(), at,
                                          [](const Member& m, int64_t t) { return m.created_at < t; }) -
                         members_.begin());
  if (joined == 0) return -1;
  double share = 0.3 + 0.4 * double(joined) / double(members_.size());
  if (Unit(rng_) >= share) return -1;
  for (int attempt = 0; attempt < 6; ++attempt) {
    double u = Unit(rng_) * member_cum_[joined - 1];
    size_t i = size_t(std::upper_bound(member_cum_.begin(), member_cum_.begin() + joined, u) - member_cum_.begin());
    i = std::min(i, joined - 1);
    if (members_[i].lapse_at > at) return int32_t(i);
  }
  return -1;
}

int32_t Generator::PickProduct(int32_t member) {
  if (member >= 0 && Chance(rng_, 600)) {
    const Member& m = members_[size_t(member)];
    size_t g = Chance(rng_, 700) ? m.fav1 : m.fav2;
    if (!genre_products_[g].empty()) return genre_products_[g][Pick(genre_cum_[g], Unit(rng_))];
  }
  return int32_t(Pick(product_cum_, Unit(rng_)));
}

void Generator::Touch(int32_t mi) {
  if (!members_[size_t(mi)].touched) members_[size_t(mi)].touched = true, touched_.push_back(mi);
}

void Generator::TouchLot(int32_t lot) {
  if (lot < batch_lot_ && !lot_dirty_[size_t(lot)]) lot_dirty_[size_t(lot)] = 1, dirty_lots_.push_back(lot);
}

int64_t Generator::NewLedger(LedgerRow row) {
  row.id = next_ledger_++;
  ledger_.push_back(std::move(row));
  ++result_.points_rows;
  return ledger_.back().id;
}

void Generator::AddLot(int32_t mi, int day, int64_t ledger_id, int64_t sale_id, int64_t points) {
  Member& m = members_[size_t(mi)];
  int32_t idx = int32_t(lots_.size());
  lots_.push_back({points, mi, day, expiry_of_[size_t(day - first_day_)], -1});
  lot_dirty_.push_back(0);
  if (m.lot_tail >= 0) lots_[size_t(m.lot_tail)].next = idx;
  else m.lot_head = idx;
  m.lot_tail = idx;
  new_lots_.push_back({idx, ledger_id, sale_id, points});
  int32_t e = lots_.back().expires_day;
  if (e <= last_day_) expiring_[size_t(e - first_day_)].push_back(idx);
}

// Takes `points` from the member's lots: `preferred` first, then soonest expiring first (the lots
// are in earning order, which is expiry order here). The caller checked the balance.
std::vector<std::pair<int32_t, int64_t>> Generator::Draw(Member& m, int64_t points, int32_t preferred) {
  std::vector<std::pair<int32_t, int64_t>> out;
  auto take = [&](int32_t lot) {
    int64_t t = std::min(points, lots_[size_t(lot)].remaining);
    if (t <= 0) return;
    lots_[size_t(lot)].remaining -= t;
    points -= t;
    TouchLot(lot);
    out.push_back({lot, t});
  };
  if (preferred >= 0) take(preferred);
  for (int32_t l = m.lot_head; l >= 0 && points > 0; l = lots_[size_t(l)].next) take(l);
  while (m.lot_head >= 0 && lots_[size_t(m.lot_head)].remaining == 0) {
    m.lot_head = lots_[size_t(m.lot_head)].next;
    if (m.lot_head < 0) m.lot_tail = -1;
  }
  return out;
}

// service::RecordPurchase: totals, the day's row, genres, then the tier evaluation.
void Generator::RecordStats(int32_t mi, int day, int64_t at, int64_t amount, bool visit,
                            const std::vector<std::pair<int, int64_t>>& genres) {
  Member& m = members_[size_t(mi)];
  int64_t v = visit && amount >= 0 ? 1 : 0;
  m.total_spend += amount;
  m.visits += v;
  if (v) m.last_visit_at = at;
  auto& d = daily_[{mi, day}];
  d.first += amount;
  d.second += v;
  for (const auto& [g, a] : genres) {
    if (genres_[size_t(g)].empty()) continue;  // checkout records no genre for an uncategorized line
    auto& mg = member_genres_[{mi, g}];
    mg.first += a;
    mg.second += a > 0 ? 1 : 0;
  }
  events_.push_back({amount, int32_t(day), m.event_head});
  m.event_head = int32_t(events_.size() - 1);
  Touch(mi);
  Evaluate(mi, day, at);
}

// member_tiers.cpp's evaluation after a purchase (never periodic: upgrades only).
void Generator::Evaluate(int32_t mi, int day, int64_t at) {
  const auto& tiers = program_.earning.tiers;
  Member& m = members_[size_t(mi)];
  if (tiers.empty() || !m.tier_known) return;
  int64_t spend = 0, visits = 0;
  int32_t from = window_start_[size_t(day - first_day_)];
  for (int32_t e = m.event_head; e >= 0 && events_[size_t(e)].day >= from; e = events_[size_t(e)].prev) {
    spend += events_[size_t(e)].spend;
    visits += events_[size_t(e)].spend > 0 ? 1 : 0;
  }
  auto q = core::QualifyingTier(tiers, core::Money(std::max<int64_t>(0, spend), currency_), visits);
  if (!q.ok()) return;
  size_t qualifying = *q, current = m.tier;
  if (qualifying > current) {
    core::Date last = DateOf(m.last_qualified != kNone && m.last_qualified <= day ? m.last_qualified : day);
    auto decision = core::EvaluateTier(tiers, {current, qualifying, last, DateOf(day),
                                               program_.tier_downgrade_grace_days, false});
    if (!decision.ok() || decision->change != core::TierChange::kUpgrade) return;
    tier_rows_.push_back({mi, uint8_t(current), uint8_t(decision->tier), decision->reason, int32_t(day), at});
    ++result_.tier_changes;
    m.tier = uint8_t(decision->tier);
    m.tier_since = at;
    m.last_qualified = day;
    return;
  }
  bool record = (qualifying >= current && m.last_qualified != day) || (m.last_qualified == kNone && qualifying < current);
  if (record && current > 0) m.last_qualified = day;
}

// The nightly expiry for `day`: what is left of lots whose expires_on is `day`, one row per member.
void Generator::ExpireLots(int day, int64_t at) {
  auto& due = expiring_[size_t(day - first_day_)];
  std::map<int32_t, std::vector<int32_t>> by_member;
  for (int32_t lot : due)
    if (lots_[size_t(lot)].remaining > 0) by_member[lots_[size_t(lot)].member].push_back(lot);
  for (auto& [mi, lots] : by_member) {
    Member& m = members_[size_t(mi)];
    int64_t lapsed = 0;
    int32_t first = std::numeric_limits<int32_t>::max(), last = kNone;
    for (int32_t l : lots) {
      lapsed += lots_[size_t(l)].remaining;
      first = std::min(first, lots_[size_t(l)].earned_day);
      last = std::max(last, lots_[size_t(l)].earned_day);
    }
    m.points -= lapsed;
    std::string earned = first == last ? "earned " + Day(first) : "earned " + Day(first) + " to " + Day(last);
    int64_t id = NewLedger({0, mi, at, "expire", -lapsed, m.points,
                            PointsText(lapsed) + " " + earned + " expired (as of " + Day(day) + ")", 0, 0, kNone});
    for (int32_t l : lots) {
      draws_.push_back({id, l, lots_[size_t(l)].remaining});
      lots_[size_t(l)].remaining = 0;
      TouchLot(l);
    }
    while (m.lot_head >= 0 && lots_[size_t(m.lot_head)].remaining == 0) {
      m.lot_head = lots_[size_t(m.lot_head)].next;
      if (m.lot_head < 0) m.lot_tail = -1;
    }
    Touch(mi);
  }
  due.clear();
  due.shrink_to_fit();
}

void Generator::Sell(int64_t at, int day) {
  SaleRow s;
  s.id = next_sale_++;
  s.at = at;
  s.day = day;
  s.store = int32_t(Pick(store_cum_, Unit(rng_)));
  uint64_t who = rng_();  // drawn whoever is on staff, so that the rest does not depend on it
  s.staff = cashiers_.empty() ? 0 : cashiers_[who % cashiers_.size()];
  s.member = PickMember(at);
  // The basket: 1–5 titles, now and then two or three copies.
  uint64_t r = Below(rng_, 100);
  int n = r < 45 ? 1 : r < 73 ? 2 : r < 88 ? 3 : r < 96 ? 4 : 5;
  std::vector<int32_t> picked;
  std::vector<int64_t> qty;
  for (int i = 0; i < n; ++i) {
    int32_t p = PickProduct(s.member);
    if (std::find(picked.begin(), picked.end(), p) != picked.end()) continue;
    picked.push_back(p);
    uint64_t q = Below(rng_, 100);
    qty.push_back(q < 93 ? 1 : q < 99 ? 2 : 3);
  }
  core::PricingInput pin;
  pin.currency = currency_;
  pin.rounding = core::Rounding::kHalfUp;
  for (size_t i = 0; i < picked.size(); ++i) {
    const Product& p = products_[size_t(picked[i])];
    pin.lines.push_back({genres_[size_t(p.genre)], qty[i], core::Money(p.price, currency_), p.tax_bp, true});
  }
  Member* m = s.member >= 0 ? &members_[size_t(s.member)] : nullptr;
  const auto& tiers = program_.earning.tiers;
  if (m) {
    if (m->tier_known && m->tier < tiers.size()) {
      pin.tier = tiers[m->tier].name;
      pin.tier_discount_pct = tiers[m->tier].discount_pct;
    }
    pin.points_balance = m->points;
  }
  pin.points_rate = program_.points_payment;
  pin.points_rate.worth = core::Money(pin.points_rate.worth.minor(), currency_);
  auto priced = core::PriceBasket(pin);
  if (!priced.ok()) {
    --next_sale_;
    return;
  }
  // Now and then a member pays part with points: whole yuan, up to the program's limit.
  const core::PointsRate& rate = program_.points_payment;
  if (m && m->points >= 1000 && rate.points > 0 && rate.worth.minor() > 0 && Chance(rng_, 60)) {
    int64_t cap_money = priced->net_total.minor() * rate.max_pct / 100;
    int64_t by_cap = core::MulDivRound(cap_money, rate.points, rate.worth.minor(), core::Rounding::kDown).value_or(0);
    int64_t want = std::min(by_cap, m->points);
    int64_t unit = rate.points * 100 / std::max<int64_t>(1, rate.worth.minor());  // points worth ¥1
    if (unit > 0) want = want / unit * unit;
    if (want > 0) {
      pin.points_to_redeem = want;
      if (auto again = core::PriceBasket(pin); again.ok()) priced = std::move(again);
    }
  }
  const core::Pricing& p = *priced;
  s.subtotal = p.subtotal.minor();
  s.discount_total = p.discount_total.minor();
  s.net_total = p.net_total.minor();
  s.points_redeemed = p.points_redeemed;
  s.points_value = p.points_value.minor();
  s.due = p.due.minor();
  s.tax_total = p.tax_total.minor();

  PendingReturn pr;
  std::vector<std::pair<int, int64_t>> genres;
  for (size_t i = 0; i < p.lines.size(); ++i) {
    const auto& pl = p.lines[i];
    const Product& prod = products_[size_t(picked[i])];
    LineRow l{next_line_++, s.id, int64_t(i + 1), picked[i], qty[i], prod.price, pl.gross.minor(),
              pl.member_discount.minor(), pl.coupon_discount.minor(), pl.net.minor(), pl.points_share.minor(),
              pl.paid.minor(), pl.tax.minor(), 0};
    lines_.push_back(l);
    genres.push_back({prod.genre, l.paid});
    pr.lines.push_back({l.id, l.qty, l.net, l.paid, 0, prod.genre});
  }
  for (const auto& d : p.discounts) discounts_.push_back({s.id, d.rule, d.detail, d.amount.minor(), d.applied});
  result_.lines += int64_t(p.lines.size());

  // Payments: mobile, card or cash (with change), now and then card and cash together.
  auto add_pay = [&](Method method, int64_t amount, int64_t tendered) {
    std::string ref;
    if (method == Method::kCard) ref = "****" + std::to_string(1000 + Below(rng_, 9000));
    else if (method == Method::kMobile) ref = "4200" + std::to_string(1'000'000'000'000ULL + Below(rng_, 9'000'000'000'000ULL));
    pays_.push_back({next_pay_++, s.id, method, amount, tendered, 0, ref});
    pr.pays.push_back({pays_.back().id, method, amount});
    s.tendered += tendered;
  };
  uint64_t how = Below(rng_, 1000);
  int64_t due = s.due;
  if (how < 40 && due >= 200) {
    int64_t card = due / 2 / 100 * 100;
    add_pay(Method::kCard, card, card);
    add_pay(Method::kCash, due - card, due - card);
  } else if (how < 560) {
    add_pay(Method::kMobile, due, due);
  } else if (how < 780) {
    add_pay(Method::kCard, due, due);
  } else {
    uint64_t c = Below(rng_, 10);
    int64_t step = c < 3 ? 1 : c < 6 ? 1000 : c < 8 ? 5000 : 10000;
    int64_t tendered = (due + step - 1) / step * step;
    s.change_due = tendered - due;
    add_pay(Method::kCash, due, tendered);
  }

  if (m) {
    ++result_.member_sales;
    if (s.points_redeemed > 0) {
      m->points -= s.points_redeemed;
      int64_t id = NewLedger({0, s.member, at, "redeem", -s.points_redeemed, m->points, "paid sale " + Receipt(s), s.staff,
                              s.id, kNone});
      for (const auto& [lot, n] : Draw(*m, s.points_redeemed, -1)) draws_.push_back({id, lot, n});
    }
    core::MemberFacts facts;
    if (m->tier_known && m->tier < tiers.size()) facts.tier = tiers[m->tier].name;
    if (m->birth_month) facts.birth_month = std::chrono::month{m->birth_month};
    facts.first_purchase = m->visits == 0;
    core::Basket basket;
    for (const auto& l : p.lines) basket.push_back({"", l.paid});
    for (size_t i = 0; i < basket.size(); ++i) basket[i].genre = pin.lines[i].genre;
    auto earned = core::EarnPoints(program_.earning, basket, facts, DateOf(day));
    if (earned.ok() && earned->points > 0) {
      m->points += earned->points;
      s.points_earned = earned->points;
      int64_t id = NewLedger({0, s.member, at, "earn", earned->points, m->points, ExplainEarning(*earned), s.staff, s.id,
                              expiry_of_[size_t(day - first_day_)]});
      pr.earn_lot = int32_t(lots_.size());
      AddLot(s.member, day, id, s.id, earned->points);
    }
    RecordStats(s.member, day, at, s.due, true, genres);
  }
  sales_.push_back(s);
  ++result_.sales;
  ++batch_sales_count_;

  // Some sales come back: voided at once (a manager), or returned days later.
  if (s.points_redeemed > 0) return;
  uint64_t back = Below(rng_, 1000);
  if (back >= 18) return;
  pr.is_void = back < 3;
  pr.at = pr.is_void ? at + int64_t(2 + Below(rng_, 28)) * 60'000 : 0;
  int64_t later_days = pr.is_void ? 0 : int64_t(1 + Below(rng_, 20));
  pr.sale_id = s.id;
  pr.staff = pr.is_void ? manager_ : s.staff;
  pr.net_total = s.net_total;
  pr.points_earned = s.points_earned;
  pr.store = s.store;
  pr.member = s.member;
  static constexpr const char* kReasons[] = {"顾客退货", "重复购买", "书页破损", "买错版本", "礼物退换"};
  pr.reason = pr.is_void ? "收银错误" : kReasons[Below(rng_, 5)];
  bool partial = !pr.is_void && Chance(rng_, 400);
  if (partial) {
    auto& l = pr.lines[Below(rng_, pr.lines.size())];
    l.take = 1;
  } else {
    for (auto& l : pr.lines) l.take = l.qty;
  }
  if (pr.is_void) {
    pr.day = day;
    returns_[size_t(day - first_day_)].push_back(std::move(pr));
    return;
  }
  int rday = day + int(later_days);
  while (rday <= last_day_ && ShapeOf(rday).factor == 0) ++rday;  // not while the store is closed
  if (rday > last_day_) return;
  pr.day = rday;
  pr.at = int64_t(Below(rng_, uint64_t(11 * kHourMs)));  // offset from 10:00, set on the day
  returns_[size_t(rday - first_day_)].push_back(std::move(pr));
}

// service::WriteReturn for a sale without points paid: refunds in the payments' order, earned
// points taken back in proportion (the sale's own lot first), the member's spend down.
void Generator::Return(const PendingReturn& r) {
  ReturnRow ret;
  ret.id = next_return_++;
  ret.sale_id = r.sale_id;
  ret.staff = r.staff;
  ret.at = r.at;
  ret.store = r.store;
  ret.day = r.day;
  ret.is_void = r.is_void;
  ret.reason = r.reason;
  bool all = true;
  int64_t net_after = 0;
  std::vector<std::pair<int, int64_t>> genres;
  for (const auto& l : r.lines) {
    net_after += l.qty == 0 ? 0 : l.net * l.take / l.qty;
    if (l.take < l.qty) all = false;
    if (l.take == 0) continue;
    int64_t refund = l.paid * l.take / l.qty;
    ret.refund_total += refund;
    ret_lines_.push_back({ret.id, l.id, l.take, refund});
    genres.push_back({l.genre, -refund});
    if (l.id >= batch_line_) lines_[size_t(l.id - batch_line_)].returned_qty += l.take;
    else old_line_returned_.push_back({l.id, l.take});
  }
  std::vector<PendingReturn::Pay> order = r.pays;
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return RefundOrder(a.method) < RefundOrder(b.method); });
  int64_t left = ret.refund_total;
  for (const auto& p : order) {
    int64_t take = std::min(left, p.amount);
    if (take <= 0) continue;
    left -= take;
    ret_pays_.push_back({ret.id, p.id, p.method, take});
    if (p.id >= batch_pay_) pays_[size_t(p.id - batch_pay_)].refunded += take;
    else old_pay_refunded_.push_back({p.id, take});
  }
  const char* status = r.is_void ? "voided" : all ? "returned" : "partly_returned";
  if (r.sale_id >= batch_sale_) {
    SaleRow& s = sales_[size_t(r.sale_id - batch_sale_)];
    s.status = status;
    s.refunded_total += ret.refund_total;
  } else {
    old_sale_status_.push_back({r.sale_id, status, ret.refund_total});
  }
  if (r.member >= 0 && r.points_earned > 0) {
    Member& m = members_[size_t(r.member)];
    int64_t due = int64_t(__int128(r.points_earned) * net_after / r.net_total);
    int64_t taken = std::min(due, m.points);
    if (taken > 0) {
      m.points -= taken;
      std::string prop = std::to_string(net_after) + "/" + std::to_string(r.net_total);
      std::string reason = "return of sale:" + std::to_string(r.sale_id) + " (" + prop + " returned): earned points taken back";
      if (due > taken) reason += "; " + PointsText(due - taken) + " already spent could not be taken back";
      int64_t id = NewLedger({0, r.member, r.at, "reverse", -taken, m.points, reason, r.staff, r.sale_id, kNone});
      for (const auto& [lot, n] : Draw(m, taken, r.earn_lot)) draws_.push_back({id, lot, n});
    }
    ret.taken_back = taken;
    reversals_.push_back({r.sale_id, r.member, r.at, net_after, r.net_total, due, taken});
    Touch(r.member);
  }
  if (r.member >= 0 && ret.refund_total > 0) RecordStats(r.member, r.day, r.at, -ret.refund_total, false, genres);
  rets_.push_back(std::move(ret));
  ++result_.returns;
}

Result<DemoSalesResult> Generator::Run() {
  if (o_.months < 0 || o_.months > 36) return Invalid("--months must be from 0 to 36", {{"months", "must be 0–36"}});
  if (o_.sales_per_day && (*o_.sales_per_day < 1 || *o_.sales_per_day > 1'000'000))
    return Invalid("--sales-per-day must be from 1 to 1000000", {{"sales_per_day", "must be 1–1000000"}});
  if (o_.store_ids.empty()) return Invalid("a store is required", {{"store_id", "is required"}});
  if (o_.months == 0) return result_;
  bool has_sales = false;
  SY_RETURN_IF_ERROR(ctx_.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM sales LIMIT 1"));
    has_sales = !rows.empty();
    return Status::Ok();
  }));
  SY_RETURN_IF_ERROR(Load());
  if (has_sales) {
    result_.skipped = true;
    return result_;
  }
  const int64_t now = ctx_.now();
  SY_ASSIGN_OR_RETURN(core::Date today, BusinessDay(ctx_, now));
  // M months back, the day clamped to the month's end (31 May − 3 months = 28/29 February).
  std::chrono::year_month ym = std::chrono::year_month(today.year(), today.month()) - std::chrono::months{o_.months};
  core::Date start{ym.year(), ym.month(), std::min(today.day(), std::chrono::year_month_day_last(
                                                                       ym.year(), std::chrono::month_day_last(ym.month())).day())};
  first_day_ = DayIndex(start);
  last_day_ = DayIndex(today);
  size_t n_days = size_t(last_day_ - first_day_ + 1);
  sales_per_day_ = o_.sales_per_day ? *o_.sales_per_day : std::max<int64_t>(40, int64_t(members_.size()) / 165);
  result_.first_day = FormatDay(start);
  result_.last_day = FormatDay(today);
  for (int d = first_day_; d <= last_day_; ++d) {
    day_text_.push_back(FormatDay(DateOf(d)));
    SY_ASSIGN_OR_RETURN(core::Date e, core::AddMonths(DateOf(d), int(program_.points_expiry_months)));
    expiry_of_.push_back(DayIndex(e));
    core::Date back{DateOf(d).year() - std::chrono::years{1}, DateOf(d).month(), DateOf(d).day()};
    if (!back.ok()) back = std::chrono::year_month_day_last(back.year(), std::chrono::month_day_last(back.month()));
    window_start_.push_back(DayIndex(back) + 1);
  }
  expiring_.assign(n_days, {});
  returns_.assign(n_days, {});
  batch_sale_ = next_sale_, batch_line_ = next_line_, batch_pay_ = next_pay_;

  // SQLite: a larger page cache for the writer while the history is written (most of the time
  // otherwise goes to re-reading index pages), given back at the end.
  std::optional<int64_t> cache_pages;
  if (ctx_.db.engine() == store::Engine::kSqlite) {
    SY_RETURN_IF_ERROR(ctx_.db.Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("PRAGMA cache_size"));
      if (!rows.empty()) cache_pages = rows[0].Int(0);
      return tx.Exec("PRAGMA cache_size = -262144").status();  // 256 MiB
    }));
  }
  Status st = WriteDays(now);
  // The report aggregates from the whole history at once (far faster than feeding each sale).
  if (st.ok()) {
    RebuildStats rebuilt;
    st = ctx_.db.Write([&](store::Tx& tx) { return RebuildReports(tx, ctx_, &rebuilt); });
    result_.reports_ms = rebuilt.elapsed_ms;
  }
  if (cache_pages) {
    Status restored = ctx_.db.Write([&](store::Tx& tx) {
      return tx.Exec("PRAGMA cache_size = " + std::to_string(*cache_pages)).status();
    });
    if (st.ok()) st = restored;
  }
  if (!st.ok()) return st;
  return result_;
}

Status Generator::WriteDays(int64_t now) {
  std::vector<int64_t> times;
  for (int d = first_day_; d <= last_day_; ++d) {
    SY_ASSIGN_OR_RETURN(int64_t midnight, LocalMidnight(d));
    if (midnight + 2 * kHourMs <= now) ExpireLots(d, midnight + 2 * kHourMs);  // the nightly job at 02:00
    MakeDay(d, midnight, times);
    // The returns decided on earlier days for today, in time order.
    auto& rets = returns_[size_t(d - first_day_)];
    std::stable_sort(rets.begin(), rets.end(), [](const PendingReturn& a, const PendingReturn& b) { return a.at < b.at; });
    for (auto& r : rets)
      if (!r.is_void) r.at = midnight + 10 * kHourMs + r.at;
    // Sales and returns in time order; voids come after their sale (they are minutes later).
    size_t ri = 0;
    std::vector<PendingReturn> voids;
    for (size_t si = 0;; ) {
      int64_t next_sale = si < times.size() ? times[si] : std::numeric_limits<int64_t>::max();
      int64_t next_ret = ri < rets.size() ? rets[ri].at : std::numeric_limits<int64_t>::max();
      if (next_sale == std::numeric_limits<int64_t>::max() && next_ret == std::numeric_limits<int64_t>::max()) break;
      if (next_ret < next_sale) {
        if (rets[ri].at <= now) Return(rets[ri]);
        ++ri;
        continue;
      }
      if (next_sale > now) break;
      size_t before = rets.size();
      Sell(next_sale, d);
      ++si;
      // A void just decided joins today's list in time order (after the returns not yet made).
      if (rets.size() > before) {
        PendingReturn v = std::move(rets.back());
        rets.pop_back();
        auto pos = std::upper_bound(rets.begin() + long(ri), rets.end(), v.at,
                                    [](int64_t t, const PendingReturn& x) { return t < x.at; });
        rets.insert(pos, std::move(v));
      }
    }
    rets.clear();
    rets.shrink_to_fit();
    if (batch_sales_count_ >= int64_t(kFlushSales) || d == last_day_) SY_RETURN_IF_ERROR(Flush());
  }
  return Status::Ok();
}

Status Generator::Flush() {
  if (sales_.empty() && ledger_.empty() && rets_.empty()) return Status::Ok();
  SY_RETURN_IF_ERROR(ctx_.db.Write([&](store::Tx& tx) { return WriteBatch(tx); }));
  sales_.clear(), lines_.clear(), pays_.clear(), discounts_.clear(), rets_.clear(), ret_lines_.clear(), ret_pays_.clear();
  ledger_.clear(), new_lots_.clear(), draws_.clear(), reversals_.clear(), tier_rows_.clear();
  for (int32_t l : dirty_lots_) lot_dirty_[size_t(l)] = 0;
  dirty_lots_.clear();
  for (int32_t mi : touched_) members_[size_t(mi)].touched = false;
  touched_.clear();
  daily_.clear(), member_genres_.clear();
  old_line_returned_.clear(), old_pay_refunded_.clear(), old_sale_status_.clear();
  batch_sale_ = next_sale_, batch_line_ = next_line_, batch_pay_ = next_pay_;
  batch_lot_ = int32_t(lots_.size());
  batch_sales_count_ = 0;
  return Status::Ok();
}

Status Generator::WriteBatch(store::Tx& tx) {
  const auto& tiers = program_.earning.tiers;
  auto q = [](size_t n) {
    std::string s = "(";
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s + ")";
  };
  const std::string currency(currency_.code);
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO sales (id, receipt_number, store_id, staff_id, member_id, at, business_day, source, currency, "
          "subtotal, discount_total, net_total, points_redeemed, points_value, due, tax_total, tendered, change_due, "
          "points_earned, refunded_total, status) VALUES ",
      q(21), 21, sales_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const SaleRow& s = sales_[i];
        for (store::Value x : {store::Value(s.id), store::Value(Receipt(s)),
                               store::Value(o_.store_ids[size_t(s.store)]), OptId(s.staff),
                               s.member >= 0 ? store::Value(members_[size_t(s.member)].id) : store::Null(),
                               store::Value(s.at), store::Value(Day(s.day)), store::Value(std::string("till")),
                               store::Value(currency), store::Value(s.subtotal), store::Value(s.discount_total),
                               store::Value(s.net_total), store::Value(s.points_redeemed), store::Value(s.points_value),
                               store::Value(s.due), store::Value(s.tax_total), store::Value(s.tendered),
                               store::Value(s.change_due), store::Value(s.points_earned), store::Value(s.refunded_total),
                               store::Value(std::string(s.status))})
          v.emplace_back(std::move(x));
      }));
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO sale_lines (id, sale_id, line_no, product_id, barcode, title, genre, quantity, unit_price, "
          "unit_cost, tax_rate_bp, gross, member_discount, coupon_discount, net, points_share, paid, tax, returned_qty) VALUES ",
      q(19), 19, lines_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const LineRow& l = lines_[i];
        const Product& p = products_[size_t(l.product)];
        for (store::Value x : {store::Value(l.id), store::Value(l.sale_id), store::Value(l.line_no), store::Value(p.id),
                               store::Value(p.barcode), store::Value(p.title), store::Value(genres_[size_t(p.genre)]),
                               store::Value(l.qty), store::Value(l.unit_price), p.cost ? store::Value(*p.cost) : store::Null(),
                               store::Value(p.tax_bp), store::Value(l.gross), store::Value(l.member_discount),
                               store::Value(l.coupon_discount), store::Value(l.net), store::Value(l.points_share),
                               store::Value(l.paid), store::Value(l.tax), store::Value(l.returned_qty)})
          v.emplace_back(std::move(x));
      }));
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO sale_discounts (sale_id, rule, detail, amount, applied) VALUES ", q(5), 5,
                                discounts_.size(), [&](size_t i, std::vector<store::Value>& v) {
                                  const DiscountRow& d = discounts_[i];
                                  v.emplace_back(d.sale_id);
                                  v.emplace_back(d.rule);
                                  v.emplace_back(d.detail);
                                  v.emplace_back(d.amount);
                                  v.emplace_back(int64_t(d.applied ? 1 : 0));
                                }));
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO sale_payments (id, sale_id, method, amount, tendered, reference, refunded) VALUES ",
                                q(7), 7, pays_.size(), [&](size_t i, std::vector<store::Value>& v) {
                                  const PayRow& p = pays_[i];
                                  v.emplace_back(p.id);
                                  v.emplace_back(p.sale_id);
                                  v.emplace_back(std::string(MethodName(p.method)));
                                  v.emplace_back(p.amount);
                                  v.emplace_back(p.tendered);
                                  v.emplace_back(p.reference);
                                  v.emplace_back(p.refunded);
                                }));
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO sale_returns (id, sale_id, store_id, staff_id, at, business_day, kind, reason, refund_total, "
          "points_taken_back, points_given_back) VALUES ",
      q(11), 11, rets_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const ReturnRow& r = rets_[i];
        for (store::Value x : {store::Value(r.id), store::Value(r.sale_id), store::Value(o_.store_ids[size_t(r.store)]),
                               OptId(r.staff), store::Value(r.at), store::Value(Day(r.day)),
                               store::Value(std::string(r.is_void ? "void" : "return")), store::Value(r.reason),
                               store::Value(r.refund_total), store::Value(r.taken_back), store::Value(int64_t(0))})
          v.emplace_back(std::move(x));
      }));
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO return_lines (return_id, sale_line_id, quantity, refund, points_share) VALUES ",
                                q(5), 5, ret_lines_.size(), [&](size_t i, std::vector<store::Value>& v) {
                                  const ReturnLineRow& r = ret_lines_[i];
                                  v.emplace_back(r.return_id);
                                  v.emplace_back(r.sale_line_id);
                                  v.emplace_back(r.qty);
                                  v.emplace_back(r.refund);
                                  v.emplace_back(int64_t(0));
                                }));
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO return_payments (return_id, sale_payment_id, method, amount) VALUES ",
                                q(4), 4, ret_pays_.size(), [&](size_t i, std::vector<store::Value>& v) {
                                  const ReturnPayRow& r = ret_pays_[i];
                                  v.emplace_back(r.return_id);
                                  v.emplace_back(r.sale_payment_id);
                                  v.emplace_back(std::string(MethodName(r.method)));
                                  v.emplace_back(r.amount);
                                }));
  for (const auto& [id, n] : old_line_returned_)
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_lines SET returned_qty = returned_qty + ? WHERE id = ?", {n, id}).status());
  for (const auto& [id, n] : old_pay_refunded_)
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_payments SET refunded = refunded + ? WHERE id = ?", {n, id}).status());
  for (const auto& [id, status, refund] : old_sale_status_)
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET status = ?, refunded_total = refunded_total + ? WHERE id = ?",
                               {status, refund, id})
                           .status());
  // Points: ledger rows, the lots opened in this batch (with what is left of them now), older
  // lots drawn on, the draws, and the reversals.
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO points_ledger (id, member_id, at, kind, points, balance_after, reason, staff_id, sale_id, expires_on) VALUES ",
      q(10), 10, ledger_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const LedgerRow& l = ledger_[i];
        for (store::Value x : {store::Value(l.id), store::Value(members_[size_t(l.member)].id), store::Value(l.at),
                               store::Value(std::string(l.kind)), store::Value(l.points), store::Value(l.balance_after),
                               store::Value(l.reason), OptId(l.staff), OptId(l.sale_id),
                               l.expires_day == kNone ? store::Null() : store::Value(FormatDay(DateOf(l.expires_day)))})
          v.emplace_back(std::move(x));
      }));
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO points_lots (id, member_id, ledger_id, sale_id, earned_on, expires_on, points, remaining) VALUES ",
      q(8), 8, new_lots_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const NewLot& n = new_lots_[i];
        const Lot& l = lots_[size_t(n.lot)];
        for (store::Value x : {store::Value(lot_id_base_ + n.lot), store::Value(members_[size_t(l.member)].id),
                               store::Value(n.ledger_id), OptId(n.sale_id), store::Value(Day(l.earned_day)),
                               store::Value(FormatDay(DateOf(l.expires_day))), store::Value(n.points),
                               store::Value(l.remaining)})
          v.emplace_back(std::move(x));
      }));
  if (!dirty_lots_.empty()) {
    std::vector<int32_t> sorted = dirty_lots_;
    std::sort(sorted.begin(), sorted.end());
    SY_RETURN_IF_ERROR(InsertRows(tx, "UPDATE points_lots SET remaining = v.column2 FROM (VALUES ", "(?, ?)", 2,
                                  sorted.size(), [&](size_t i, std::vector<store::Value>& v) {
                                    v.emplace_back(lot_id_base_ + sorted[i]);
                                    v.emplace_back(lots_[size_t(sorted[i])].remaining);
                                  },
                                  ") AS v WHERE points_lots.id = v.column1"));
  }
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO points_draws (ledger_id, lot_id, points) VALUES ", q(3), 3, draws_.size(),
                                [&](size_t i, std::vector<store::Value>& v) {
                                  v.emplace_back(draws_[i].ledger_id);
                                  v.emplace_back(lot_id_base_ + draws_[i].lot);
                                  v.emplace_back(draws_[i].points);
                                }));
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "INSERT INTO points_reversals (target, member_id, at, returned, of_total, earned_due, earned_taken, redeemed_given) VALUES ",
      q(8), 8, reversals_.size(), [&](size_t i, std::vector<store::Value>& v) {
        const ReversalRow& r = reversals_[i];
        for (store::Value x : {store::Value("sale:" + std::to_string(r.sale_id)), store::Value(members_[size_t(r.member)].id),
                               store::Value(r.at), store::Value(r.returned), store::Value(r.of_total), store::Value(r.due),
                               store::Value(r.taken), store::Value(int64_t(0))})
          v.emplace_back(std::move(x));
      }));
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO tier_history (member_id, from_tier, to_tier, reason, day, at) VALUES ",
                                q(6), 6, tier_rows_.size(), [&](size_t i, std::vector<store::Value>& v) {
                                  const TierRow& t = tier_rows_[i];
                                  v.emplace_back(members_[size_t(t.member)].id);
                                  v.emplace_back(tiers[t.from].name);
                                  v.emplace_back(tiers[t.to].name);
                                  v.emplace_back(t.reason);
                                  v.emplace_back(Day(t.day));
                                  v.emplace_back(t.at);
                                }));
  // Purchase statistics, as RecordPurchase keeps them.
  std::vector<std::pair<std::pair<int32_t, int32_t>, std::pair<int64_t, int64_t>>> daily(daily_.begin(), daily_.end());
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO member_daily (member_id, day, spend, visits) VALUES ", q(4), 4, daily.size(),
                                [&](size_t i, std::vector<store::Value>& v) {
                                  v.emplace_back(members_[size_t(daily[i].first.first)].id);
                                  v.emplace_back(Day(daily[i].first.second));
                                  v.emplace_back(daily[i].second.first);
                                  v.emplace_back(daily[i].second.second);
                                },
                                " ON CONFLICT (member_id, day) DO UPDATE SET spend = member_daily.spend + excluded.spend, "
                                "visits = member_daily.visits + excluded.visits"));
  std::vector<std::pair<std::pair<int32_t, int>, std::pair<int64_t, int64_t>>> mg(member_genres_.begin(), member_genres_.end());
  SY_RETURN_IF_ERROR(InsertRows(tx, "INSERT INTO member_genres (member_id, genre, spend, purchases) VALUES ", q(4), 4, mg.size(),
                                [&](size_t i, std::vector<store::Value>& v) {
                                  v.emplace_back(members_[size_t(mg[i].first.first)].id);
                                  v.emplace_back(genres_[size_t(mg[i].first.second)]);
                                  v.emplace_back(mg[i].second.first);
                                  v.emplace_back(mg[i].second.second);
                                },
                                " ON CONFLICT (member_id, genre) DO UPDATE SET spend = member_genres.spend + excluded.spend, "
                                "purchases = member_genres.purchases + excluded.purchases"));
  std::vector<int32_t> touched = touched_;
  std::sort(touched.begin(), touched.end());
  SY_RETURN_IF_ERROR(InsertRows(
      tx, "UPDATE members SET total_spend = v.column2, visits = v.column3, last_visit_at = v.column4, "
          "points_balance = v.column5, tier = COALESCE(v.column6, members.tier), tier_since = v.column7, tier_last_qualified_on = v.column8 "
          "FROM (VALUES ",
      "(?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT))", 8, touched.size(),
      [&](size_t i, std::vector<store::Value>& v) {
        const Member& m = members_[size_t(touched[i])];
        v.emplace_back(m.id);
        v.emplace_back(m.total_spend);
        v.emplace_back(m.visits);
        v.emplace_back(m.last_visit_at ? store::Value(*m.last_visit_at) : store::Null());
        v.emplace_back(m.points);
        v.emplace_back(m.tier_known ? store::Value(tiers[m.tier].name) : store::Null());
        v.emplace_back(m.tier_since ? store::Value(*m.tier_since) : store::Null());
        v.emplace_back(m.last_qualified == kNone ? store::Null() : store::Value(FormatDay(DateOf(m.last_qualified))));
      },
      ") AS v WHERE members.id = v.column1"));
  if (tx.engine() == store::Engine::kPostgres) {
    for (const char* table : {"sales", "sale_lines", "sale_payments", "sale_returns", "points_ledger", "points_lots"})
      SY_RETURN_IF_ERROR(tx.Exec(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', 'id'), "
                                 "(SELECT MAX(id) FROM " + table + "))")
                             .status());
  }
  Actor system;
  system.name = "demo";
  return RecordAudit(tx, ctx_, system, "sale.demo_generate", "sales",
                     {{"seed", o_.seed}, {"sales", sales_.size()}, {"returns", rets_.size()}, {"points_rows", ledger_.size()},
                      {"first_sale_id", sales_.empty() ? nlohmann::json() : nlohmann::json(sales_.front().id)}});
}

}  // namespace

Result<DemoSalesResult> GenerateDemoSales(Context& ctx, const DemoSalesOptions& options) {
  Generator g(ctx, options);
  return g.Run();
}

}  // namespace shuyou::service
