// Sales history import (see sales_import.h). Three passes over the file held in memory:
//  1. read: every row is checked on its own (cells) and interned (receipt, customer, product);
//  2. resolve: receipts already imported, customers and products are looked up with one IN query
//     per 100 keys; receipts with a bad row are dropped whole; receipts are ordered by time and
//     each return row is matched to the sale lines it gives back (this file's, then the
//     database's earlier imports);
//  3. write (real run): new members and products, then sales, lines and payments as multi-row
//     INSERTs, the report aggregates for all the sales at once (FeedSales: a few set-based
//     statements per 500 sales), the returns, member statistics as multi-row upserts, a tier
//     check per member, points when asked, one audit row.
#include "service/sales_import.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/card.h"
#include "core/isbn.h"
#include "core/money.h"
#include "core/phone.h"
#include "core/staff_rules.h"
#include "service/business_day.h"
#include "service/catalog.h"
#include "service/loyalty.h"
#include "service/member_tiers.h"
#include "service/points.h"
#include "service/report_feed.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr size_t kChunk = 100;  // keys per IN query, rows per multi-row statement
constexpr int64_t kMaxPrice = 100'000'000'00;
constexpr int64_t kMaxQuantity = 9999;  // as at the till
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kNoonMs = 12 * 3'600'000;  // the time of a row that gives only a date

enum Field { kReceipt, kDate, kTime, kPhone, kCustomer, kIsbn, kBarcode, kDescription, kQuantity, kUnitPrice, kStore,
             kFieldCount };
constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "receipt", "date", "time", "phone", "customer", "isbn", "barcode", "description", "quantity", "unit_price", "store"};

// Header names as other systems and people write them, compared after NormalizeHeader.
constexpr HeaderAlias kAliases[] = {
    {"单号", kReceipt}, {"小票号", kReceipt}, {"小票号码", kReceipt}, {"小票编号", kReceipt}, {"销售单号", kReceipt},
    {"单据号", kReceipt}, {"单据编号", kReceipt}, {"流水号", kReceipt}, {"订单号", kReceipt}, {"发票号", kReceipt},
    {"发票号码", kReceipt}, {"票号", kReceipt}, {"receipt", kReceipt}, {"receiptno", kReceipt},
    {"receiptnumber", kReceipt}, {"invoice", kReceipt}, {"invoiceno", kReceipt}, {"invoicenumber", kReceipt},
    {"ticket", kReceipt}, {"ticketno", kReceipt}, {"orderno", kReceipt}, {"saleno", kReceipt},
    {"transactionid", kReceipt},
    {"日期", kDate}, {"销售日期", kDate}, {"交易日期", kDate}, {"日期时间", kDate}, {"销售时间", kDate},
    {"交易时间", kDate}, {"下单时间", kDate}, {"date", kDate}, {"datetime", kDate}, {"saledate", kDate},
    {"transactiondate", kDate}, {"timestamp", kDate}, {"soldat", kDate},
    {"时间", kTime}, {"time", kTime},
    {"手机号", kPhone}, {"手机", kPhone}, {"手机号码", kPhone}, {"电话", kPhone}, {"会员手机", kPhone},
    {"会员手机号", kPhone}, {"联系电话", kPhone}, {"phone", kPhone}, {"mobile", kPhone}, {"phonenumber", kPhone},
    {"tel", kPhone},
    {"会员", kCustomer}, {"会员号", kCustomer}, {"会员卡号", kCustomer}, {"卡号", kCustomer}, {"会员编号", kCustomer},
    {"顾客", kCustomer}, {"客户", kCustomer}, {"客户编号", kCustomer}, {"customer", kCustomer},
    {"customerid", kCustomer}, {"customerno", kCustomer}, {"member", kCustomer}, {"memberid", kCustomer},
    {"membercard", kCustomer}, {"cardnumber", kCustomer}, {"card", kCustomer},
    {"isbn", kIsbn}, {"isbn13", kIsbn}, {"isbn10", kIsbn}, {"书号", kIsbn}, {"国际标准书号", kIsbn},
    {"条码", kBarcode}, {"条形码", kBarcode}, {"商品条码", kBarcode}, {"商品编码", kBarcode}, {"编码", kBarcode},
    {"货号", kBarcode}, {"barcode", kBarcode}, {"ean", kBarcode}, {"ean13", kBarcode}, {"upc", kBarcode},
    {"code", kBarcode}, {"productcode", kBarcode}, {"itemcode", kBarcode}, {"sku", kBarcode},
    {"品名", kDescription}, {"书名", kDescription}, {"商品名称", kDescription}, {"商品名", kDescription},
    {"名称", kDescription}, {"题名", kDescription}, {"description", kDescription}, {"title", kDescription},
    {"name", kDescription}, {"productname", kDescription}, {"itemname", kDescription},
    {"数量", kQuantity}, {"销量", kQuantity}, {"销售数量", kQuantity}, {"qty", kQuantity}, {"quantity", kQuantity},
    {"单价", kUnitPrice}, {"售价", kUnitPrice}, {"销售单价", kUnitPrice}, {"价格", kUnitPrice}, {"实售价", kUnitPrice},
    {"unitprice", kUnitPrice}, {"price", kUnitPrice}, {"saleprice", kUnitPrice},
    {"门店", kStore}, {"门店代码", kStore}, {"分店", kStore}, {"店铺", kStore}, {"store", kStore},
    {"storecode", kStore}, {"shop", kStore},
};

std::optional<int> FieldByName(std::string_view name) {
  for (size_t f = 0; f < kFieldCount; ++f)
    if (name == kFieldNames[f]) return int(f);
  return std::nullopt;
}

// ---- date and time ----

bool AllDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "14:30", "14:30:15", "9:05", "14:30:15.250" → ms since midnight; nullopt otherwise.
std::optional<int64_t> ParseClock(std::string_view s) {
  int part[3] = {0, 0, 0};
  int n = 0;
  size_t i = 0;
  while (n < 3) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    size_t len = i - start;
    if (len == 0 || len > 2) return std::nullopt;
    part[n++] = Num(s.substr(start, len));
    if (i == s.size()) break;
    if (s[i] == '.' && n == 3) break;  // fractions of a second are dropped
    if (s[i] != ':' || n == 3) return std::nullopt;
    ++i;
  }
  if (n < 2 || part[0] > 23 || part[1] > 59 || part[2] > 59) return std::nullopt;
  return int64_t(part[0]) * 3'600'000 + int64_t(part[1]) * 60'000 + int64_t(part[2]) * 1000;
}

// A spreadsheet time of day as a fraction of a day ("0.5" is noon).
std::optional<int64_t> ParseDayFraction(std::string_view s) {
  if (s.size() < 2 || s[0] != '0' || (s.size() > 1 && s[1] != '.') || !AllDigits(s.substr(2))) return std::nullopt;
  double f = std::strtod(std::string(s).c_str(), nullptr);
  if (!(f >= 0 && f < 1)) return std::nullopt;
  return int64_t(std::llround(f * 86400.0)) * 1000;
}

struct FileDateTime {
  int64_t ms = 0;          // local wall-clock time as if it were UTC
  bool has_time = false;
};

int64_t DaysMs(int y, int m, int d) {
  using namespace std::chrono;
  return int64_t(sys_days{year_month_day{year{y}, month{unsigned(m)}, day{unsigned(d)}}}.time_since_epoch().count()) * kDayMs;
}

bool RealDate(int y, int m, int d) {
  using namespace std::chrono;
  return y >= 1900 && y <= 9999 && year_month_day{year{y}, month{unsigned(m)}, day{unsigned(d)}}.ok();
}

// A date, optionally with a time, as people, exports and spreadsheets write it: 2024-03-05
// 14:30[:15], 2024/3/5 14:30, 2024.3.5, 2024年3月5日 14:30, 2024-03-05T14:30:00, 20240305[1430[00]],
// or an Excel serial number (45356.6042). `why` says what is wrong otherwise.
std::optional<FileDateTime> ParseDateTime(std::string_view s, std::string& why) {
  why = "must be a date and time such as 2024-03-05 14:30";
  FileDateTime out;
  // An Excel serial number, with the time of day as its fraction.
  {
    auto dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (AllDigits(whole) && whole.size() <= 6 && (dot == std::string_view::npos || AllDigits(frac))) {
      double serial = std::strtod(std::string(s).c_str(), nullptr);
      if (serial < 1) return std::nullopt;
      // 25569 is 1970-01-01; serials before 1900-03-01 carry Lotus' leap-year bug: refuse them.
      if (serial < 61) {
        why = "is too early";
        return std::nullopt;
      }
      out.ms = int64_t(std::llround((serial - 25569.0) * 86400.0)) * 1000;
      out.has_time = frac.find_first_not_of('0') != std::string_view::npos;
      return out;
    }
  }
  std::string_view date = s, clock;
  if (auto cut = s.find_first_of(" T"); cut != std::string_view::npos) {
    date = s.substr(0, cut);
    clock = Trim(s.substr(cut + 1));
  }
  int y = 0, m = 0, d = 0;
  if (AllDigits(date) && (date.size() == 8 || date.size() == 12 || date.size() == 14) && clock.empty()) {
    y = Num(date.substr(0, 4));
    m = Num(date.substr(4, 2));
    d = Num(date.substr(6, 2));
    if (date.size() > 8) {
      int hh = Num(date.substr(8, 2)), mi = Num(date.substr(10, 2)), ss = date.size() == 14 ? Num(date.substr(12, 2)) : 0;
      if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
      out.ms = int64_t(hh) * 3'600'000 + int64_t(mi) * 60'000 + int64_t(ss) * 1000;
      out.has_time = true;
    }
  } else {
    int parts[3] = {0, 0, 0};
    int part = 0;
    size_t i = 0, len = 0;
    for (; i <= date.size(); ++i) {
      bool end = i == date.size();
      if (!end && date[i] >= '0' && date[i] <= '9') {
        if (++len > (part == 0 ? 4u : 2u)) return std::nullopt;
        parts[part] = parts[part] * 10 + (date[i] - '0');
        continue;
      }
      size_t sep = 1;
      if (!end && (date.compare(i, 3, "年") == 0 || date.compare(i, 3, "月") == 0 || date.compare(i, 3, "日") == 0))
        sep = 3;
      else if (!end && date[i] != '-' && date[i] != '/' && date[i] != '.')
        return std::nullopt;
      if (len == 0) return std::nullopt;
      if (part == 0 && len != 4) return std::nullopt;
      ++part;
      len = 0;
      if (part == 3) {
        // Only 日 may follow the day.
        if (!end && !(sep == 3 && date.compare(i, 3, "日") == 0 && i + 3 == date.size())) return std::nullopt;
        break;
      }
      if (end) return std::nullopt;
      i += sep - 1;
    }
    if (part != 3) return std::nullopt;
    y = parts[0];
    m = parts[1];
    d = parts[2];
    if (!clock.empty()) {
      auto t = ParseClock(clock);
      if (!t) return std::nullopt;
      out.ms = *t;
      out.has_time = true;
    }
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || !RealDate(y, m, d)) {
    why = "is not a real date";
    return std::nullopt;
  }
  out.ms += DaysMs(y, m, d);
  return out;
}

std::string DayOfLocal(int64_t local_ms) {
  using namespace std::chrono;
  int64_t days_since = local_ms >= 0 ? local_ms / kDayMs : -((-local_ms + kDayMs - 1) / kDayMs);
  return FormatDay(year_month_day{sys_days{days{days_since}}});
}

// E.164 digits as a number: "+8613800138000" → 8613800138000.
uint64_t PhoneKey(const std::string& e164) {
  uint64_t k = 0;
  for (char c : e164)
    if (c >= '0' && c <= '9') k = k * 10 + uint64_t(c - '0');
  return k;
}

// Share of `total` that k of n units carry, cumulatively exact (as the till's returns).
int64_t Share(int64_t total, int64_t k, int64_t n) { return n == 0 ? 0 : total * k / n; }

// ---- the file in memory ----

struct Line {           // one data row
  int64_t line = 0;
  int32_t receipt = -1;
  int32_t customer = -1;  // -1: none
  int32_t product = -1;
  int64_t quantity = 0;
  int64_t price = 0;
  int64_t local_ms = 0;
  bool bad = false;
};

struct Receipt {
  std::string number;       // as in the file
  int64_t store_id = 0;
  std::string key;          // "<store code>-I-<number>"
  std::vector<int32_t> rows;
  bool bad = false, skipped = false;
  int64_t at = 0;           // UTC ms
  std::string day;
  int32_t customer = -1;
  // Decided in the resolve pass:
  int32_t sale = -1;        // index in sales_, when it has positive rows
};

struct Customer {
  std::string phone;        // E.164, when the file gives a phone (or a card no member has)
  std::string card;         // a card number as written
  std::string column, value;  // for problems
  int64_t member_id = 0;    // 0: to create (needs a phone)
  bool bad = false;
  std::string message;
  // The earliest receipt of the file's good ones (new members: created_at, joined_on, home store).
  int64_t first_at = 0;
  std::string first_day;
  int64_t first_store = 0;
  bool has_receipt = false;
  bool earned_before = false;  // with earn_points: the member has a visit before this import
};

struct ProductRef {
  std::string code;         // canonical barcode
  bool isbn = false;
  std::string description;  // of the first row naming it
  int64_t price = 0;
  int64_t product_id = 0;   // 0: to create
  std::string title, genre;
  int64_t tax_rate_bp = 0;
  std::optional<int64_t> cost;
  bool used = false;        // by a good receipt
};

struct PlannedLine {
  int32_t row = 0;
  int64_t quantity = 0, unit_price = 0, gross = 0, tax = 0;
  int64_t returned = 0;     // units returned by this file's returns
  int64_t refunded = 0;     // money refunded by them
  int64_t id = 0;           // sale_lines.id once written
};

struct PlannedSale {
  int32_t receipt = 0;
  std::vector<PlannedLine> lines;
  int64_t net = 0;
  int64_t refunded = 0;
  int64_t id = 0, payment_id = 0;
  int64_t points_earned = 0;
};

// Units of one sale line given back by one return row.
struct Allocation {
  int32_t sale = -1;           // planned sale (this file), or
  int32_t line = -1;           // its line
  int64_t db_line_id = 0;      // a line already in the database
  int64_t quantity = 0, refund = 0;
};

// Everything known of a sale line already in the database that a return may give back.
struct DbLine {
  int64_t id = 0, sale_id = 0, at = 0;
  int64_t quantity = 0, left = 0, paid = 0, points_share = 0, returned_before = 0;
  std::string genre;
};

struct DbSale {
  int64_t net_total = 0, refunded = 0, payment_id = 0, points_earned = 0, points_redeemed = 0;
  std::optional<int64_t> member_id;
  std::map<int64_t, std::pair<int64_t, int64_t>> lines;  // line id → (quantity, returned after this import)
};

struct PlannedReturn {
  int32_t receipt = 0;
  std::vector<Allocation> allocs;
};

class Importer {
 public:
  Importer(Context& ctx, const Actor& actor, const SalesImportOptions& opt) : ctx_(ctx), actor_(actor), opt_(opt) {
    rep_.dry_run = opt.dry_run;
    now_ = ctx.now();
    created_by_ = "sales_import:" + opt.file_name;
  }

  SalesImportReport& report() { return rep_; }

  Status Start(store::Tx& tx) {
    SY_ASSIGN_OR_RETURN(zone_, BusinessZone(ctx_));
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, code, name FROM stores ORDER BY id"));
    for (const auto& r : rows.rows) stores_.push_back({r.Int(0), r.Text(1), r.Text(2)});
    if (opt_.store_id || !opt_.store_code.empty()) {
      const StoreRow* s = nullptr;
      for (const auto& x : stores_)
        if ((opt_.store_id && x.id == *opt_.store_id) ||
            (!opt_.store_code.empty() && FoldForSearch(x.code) == FoldForSearch(opt_.store_code)))
          s = &x;
      if (!s) {
        std::string which = opt_.store_id ? "id " + std::to_string(*opt_.store_id) : "code '" + opt_.store_code + "'";
        return Invalid("no store with " + which, {{opt_.store_id ? "store_id" : "store", "no such store"}});
      }
      if (auto m = StoreRefusal(s->id); !m.empty()) return Status(Code::kPermissionDenied, m);
      default_store_ = s->id;
    } else if (actor_.home_store_id) {
      default_store_ = actor_.home_store_id;
    } else if (stores_.size() == 1) {
      default_store_ = stores_[0].id;
    }
    rep_.store_id = default_store_;
    SY_ASSIGN_OR_RETURN(StoredProgram program, GetLoyaltyProgram(tx));
    currency_ = program.program.earning.base_per.currency().code;
    return Status::Ok();
  }

  Status Row(const TableRow& row) {
    if (!header_done_) return Header(row);
    if (IsBlankRow(row)) return Status::Ok();
    ++rep_.rows;
    Parse(row);
    return Status::Ok();
  }

  Status Finish(store::Tx& tx) {
    if (!header_done_)
      return Invalid("the file is empty: it needs a header row naming the columns (单号/receipt, 日期/date, "
                     "条码/barcode, 数量/quantity, 单价/unit price, …)");
    SY_RETURN_IF_ERROR(Resolve(tx));
    if (!opt_.dry_run) SY_RETURN_IF_ERROR(Write(tx));
    std::stable_sort(rep_.errors.begin(), rep_.errors.end(),
                     [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
    return Status::Ok();
  }

 private:
  struct StoreRow {
    int64_t id;
    std::string code, name;
  };

  std::string StoreRefusal(int64_t store_id) const {
    if (actor_.role == core::Role::kOwner) return "";
    if (actor_.role == core::Role::kManager && actor_.home_store_id == store_id) return "";
    return "a manager may import sales only into their own store";
  }

  Status Header(const TableRow& row) {
    if (IsBlankRow(row)) return Status::Ok();
    if (!row.problem.empty()) return Invalid("the header row cannot be read: " + row.problem);
    std::vector<HeaderAlias> aliases(std::begin(kAliases), std::end(kAliases));
    std::vector<std::string> mapped;  // keeps the normalized headers alive
    mapped.reserve(opt_.mapping.size());
    std::vector<FieldError> errors;
    for (const auto& [header, field] : opt_.mapping) {
      auto f = FieldByName(field);
      if (!f) {
        errors.push_back({"map", "'" + field + "' is not a field (receipt, date, time, phone, customer, isbn, barcode, "
                                               "description, quantity, unit_price, store)"});
        continue;
      }
      mapped.push_back(NormalizeHeader(header));
    }
    if (!errors.empty()) return Invalid("--map: " + errors.front().message, errors);
    size_t k = 0;
    for (const auto& [header, field] : opt_.mapping) aliases.push_back({mapped[k++].c_str(), *FieldByName(field)});
    // A mapped header names only its mapped field: built-in aliases of the same text go.
    std::vector<HeaderAlias> effective;
    for (size_t i = 0; i < aliases.size(); ++i) {
      bool overridden = false;
      if (i < std::size(kAliases))
        for (const auto& m : mapped)
          if (m == aliases[i].header) overridden = true;
      if (!overridden) effective.push_back(aliases[i]);
    }
    HeaderMatch m = MatchHeader(row.cells, effective, kFieldNames);
    for (size_t f = 0; f < kFieldCount; ++f) col_[f] = m.column_of[f];
    headers_ = std::move(m.headers);
    rep_.columns = std::move(m.columns);
    rep_.ignored_columns = std::move(m.ignored);
    if (col_[kReceipt] < 0) m.errors.push_back({"receipt", "no receipt number column: name one 单号, 小票号 or receipt"});
    if (col_[kDate] < 0 && col_[kTime] < 0) m.errors.push_back({"date", "no date column: name one 日期, 时间 or date"});
    if (col_[kIsbn] < 0 && col_[kBarcode] < 0)
      m.errors.push_back({"barcode", "no product code column: name one 条码, ISBN or barcode"});
    if (col_[kQuantity] < 0) m.errors.push_back({"quantity", "no quantity column: name one 数量 or quantity"});
    if (col_[kUnitPrice] < 0) m.errors.push_back({"unit_price", "no unit price column: name one 单价 or unit price"});
    if (!m.errors.empty()) return Invalid("the header row (line " + std::to_string(row.line) + ") cannot be used", m.errors);
    // Only a time column: it holds the date and time.
    if (col_[kDate] < 0) std::swap(col_[kDate], col_[kTime]);
    header_done_ = true;
    return Status::Ok();
  }

  void Problem(int64_t line, int f, std::string_view value, std::string message) {
    ++rep_.error_count;
    std::string column = f < 0 || col_[size_t(f)] < 0 ? "" : headers_[size_t(col_[size_t(f)])];
    if (rep_.errors.size() < opt_.max_errors) rep_.errors.push_back({line, column, std::string(value), std::move(message)});
  }

  void Parse(const TableRow& row) {
    Line l;
    l.line = row.line;
    if (!row.problem.empty()) {
      Problem(row.line, -1, "", row.problem);
      ++rep_.invalid;
      return;  // cannot even say which receipt it belongs to
    }
    auto cell = [&](int f) -> std::string_view {
      int i = col_[size_t(f)];
      return i >= 0 && size_t(i) < row.cells.size() ? Trim(row.cells[size_t(i)]) : std::string_view();
    };
    bool bad = false;
    auto problem = [&](int f, std::string_view v, std::string message) {
      bad = true;
      Problem(row.line, f, v, std::move(message));
    };
    // Store.
    int64_t store_id = 0;
    std::string store_code;
    if (auto v = cell(kStore); !v.empty()) {
      const StoreRow* s = nullptr;
      for (const auto& x : stores_)
        if (FoldForSearch(x.code) == FoldForSearch(v) || x.name == v) s = &x;
      if (!s) problem(kStore, v, "no store has this code or name");
      else if (auto m = StoreRefusal(s->id); !m.empty()) problem(kStore, v, m);
      else store_id = s->id;
    } else if (default_store_) {
      store_id = *default_store_;
    } else {
      problem(kStore, v, "needs a store: choose the store (--store) or add a 门店/store column");
    }
    for (const auto& x : stores_)
      if (x.id == store_id) store_code = x.code;
    // Receipt number.
    auto number = cell(kReceipt);
    if (number.empty()) problem(kReceipt, number, "is required (the receipt or invoice number)");
    else if (auto m = core::CheckText(number, 64); !m.empty()) problem(kReceipt, number, m);
    // Date and time.
    std::string why;
    if (auto v = cell(kDate); v.empty()) {
      problem(kDate, v, "is required (the date and time of the sale)");
    } else if (auto t = ParseDateTime(v, why); !t) {
      problem(kDate, v, why);
    } else {
      l.local_ms = t->ms;
      if (!t->has_time) {
        if (auto tv = col_[kTime] >= 0 ? cell(kTime) : std::string_view(); !tv.empty()) {
          auto clock = ParseClock(tv);
          if (!clock) clock = ParseDayFraction(tv);
          if (!clock) problem(kTime, tv, "must be a time such as 14:30");
          else l.local_ms += *clock;
        } else {
          l.local_ms += kNoonMs;
        }
      }
      int64_t utc = l.local_ms - zone_.OffsetAt(l.local_ms - zone_.OffsetAt(l.local_ms) * 1000) * 1000;
      if (utc > now_) problem(kDate, v, "is in the future");
    }
    // Customer: a phone, or a card number.
    if (auto v = cell(kPhone); !v.empty()) {
      auto p = core::NormalizePhone(v, ctx_.settings.phone_region);
      if (!p.ok()) {
        problem(kPhone, v, p.status().message());
      } else {
        auto [it, fresh] = customers_by_key_.emplace("p" + std::to_string(PhoneKey(*p)), int32_t(customers_.size()));
        if (fresh) {
          Customer c;
          c.phone = *p;
          c.column = headers_[size_t(col_[kPhone])];
          c.value = v;
          customers_.push_back(std::move(c));
        }
        l.customer = it->second;
      }
    } else if (auto c = cell(kCustomer); !c.empty()) {
      if (auto m = core::CheckText(c, 64); !m.empty()) {
        problem(kCustomer, c, m);
      } else {
        auto [it, fresh] = customers_by_key_.emplace("c" + std::string(c), int32_t(customers_.size()));
        if (fresh) {
          Customer cu;
          cu.card = c;
          cu.column = headers_[size_t(col_[kCustomer])];
          cu.value = c;
          customers_.push_back(std::move(cu));
        }
        l.customer = it->second;
      }
    }
    // Product.
    int code_field = !cell(kIsbn).empty() ? kIsbn : kBarcode;
    if (auto v = cell(code_field); v.empty()) {
      problem(col_[kIsbn] >= 0 ? kIsbn : kBarcode, v, "is required (the ISBN or barcode)");
    } else if (auto code = core::NormalizeBarcode(v); !code.ok()) {
      problem(code_field, v, code.status().message());
    } else {
      auto [it, fresh] = products_by_code_.emplace(*code, int32_t(products_.size()));
      if (fresh) {
        ProductRef p;
        p.code = *code;
        p.isbn = code->size() == 13 && (code->rfind("978", 0) == 0 || code->rfind("979", 0) == 0);
        products_.push_back(std::move(p));
      }
      l.product = it->second;
    }
    // Quantity and price.
    if (auto v = cell(kQuantity); v.empty()) {
      problem(kQuantity, v, "is required");
    } else {
      bool negative = v.front() == '-';
      std::string_view digits = negative ? Trim(v.substr(1)) : v;
      auto q = ParseAmount(digits, 0, kMaxQuantity, why);
      if (!q) problem(kQuantity, v, why == "is too large" ? "must be at most 9999" : why);
      else if (*q == 0) problem(kQuantity, v, "must not be 0 (a return is a negative quantity)");
      else l.quantity = negative ? -*q : *q;
    }
    if (auto v = cell(kUnitPrice); v.empty()) {
      problem(kUnitPrice, v, "is required");
    } else if (auto p = ParseAmount(v, 2, kMaxPrice, why); !p) {
      problem(kUnitPrice, v, why == "must not be negative" ? "must not be negative (a return is a negative quantity)" : why);
    } else {
      l.price = *p;
    }
    if (auto v = cell(kDescription); !v.empty() && l.product >= 0) {
      if (auto m = core::CheckText(v, 200); !m.empty()) problem(kDescription, v, m);
      else if (products_[size_t(l.product)].description.empty()) products_[size_t(l.product)].description = v;
    }
    if (l.product >= 0 && !bad && products_[size_t(l.product)].price == 0 && l.quantity > 0)
      products_[size_t(l.product)].price = l.price;
    // The receipt it belongs to.
    if (!number.empty() && store_id > 0) {
      std::string key = store_code + "-I-" + std::string(number);
      auto [it, fresh] = receipts_by_key_.emplace(key, int32_t(receipts_.size()));
      if (fresh) {
        Receipt r;
        r.number = number;
        r.store_id = store_id;
        r.key = key;
        receipts_.push_back(std::move(r));
      }
      l.receipt = it->second;
    }
    l.bad = bad;
    if (l.receipt < 0) {  // nowhere to go
      ++rep_.invalid;
      return;
    }
    receipts_[size_t(l.receipt)].rows.push_back(int32_t(lines_.size()));
    lines_.push_back(l);
  }

  // ---- resolve ----

  // Runs `query` (with `sql_in` = "?, ?, …" of kChunk placeholders) over `keys`, a chunk at a time,
  // padded so that every statement has the same text.
  Status InChunks(store::Tx& tx, const std::vector<std::string>& keys,
                  const std::function<Status(const std::vector<store::Value>&, const std::string&)>& query) {
    const std::string in = Placeholders(kChunk);
    for (size_t start = 0; start < keys.size(); start += kChunk) {
      std::vector<store::Value> p;
      p.reserve(kChunk);
      for (size_t i = start; i < std::min(keys.size(), start + kChunk); ++i) p.emplace_back(keys[i]);
      while (p.size() < kChunk) p.emplace_back(std::string());
      SY_RETURN_IF_ERROR(query(p, in));
    }
    return Status::Ok();
  }

  Status Resolve(store::Tx& tx) {
    // Customers: card numbers first (a card no member has may be a phone written there).
    std::vector<std::string> cards;
    for (const auto& c : customers_)
      if (!c.card.empty()) cards.push_back(c.card);
    std::unordered_map<std::string, int64_t> by_card;
    SY_RETURN_IF_ERROR(InChunks(tx, cards, [&](const std::vector<store::Value>& p, const std::string& in) -> Status {
      std::vector<store::Value> twice = p;
      twice.insert(twice.end(), p.begin(), p.end());
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT card_number, id FROM members WHERE card_number IN (" + in +
                                                 ") AND merged_into IS NULL AND erased_at IS NULL UNION ALL "
                                                 "SELECT legacy_card_number, id FROM members WHERE legacy_card_number IN (" +
                                                 in + ") AND merged_into IS NULL AND erased_at IS NULL",
                                             twice));
      for (const auto& r : rows.rows) by_card.emplace(r.Text(0), r.Int(1));
      return Status::Ok();
    }));
    for (auto& c : customers_) {
      if (c.card.empty()) continue;
      if (auto it = by_card.find(c.card); it != by_card.end()) {
        c.member_id = it->second;
      } else if (auto p = core::NormalizePhone(c.card, ctx_.settings.phone_region); p.ok()) {
        c.phone = *p;
      } else {
        c.bad = true;
        c.message = "no member has this card number, and it is not a phone number";
      }
    }
    std::vector<std::string> phones;
    for (const auto& c : customers_)
      if (!c.phone.empty() && c.member_id == 0) phones.push_back(c.phone);
    std::unordered_map<std::string, std::pair<int64_t, std::string>> by_phone;  // → id, why not usable
    SY_RETURN_IF_ERROR(InChunks(tx, phones, [&](const std::vector<store::Value>& p, const std::string& in) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT phone, id, merged_into, erased_at FROM members WHERE phone IN (" +
                                                 in + ")", p));
      for (const auto& r : rows.rows) {
        std::string why;
        if (auto to = r.OptInt(2)) why = "belongs to member " + std::to_string(r.Int(1)) + ", merged into member " + std::to_string(*to);
        else if (!r.IsNull(3)) why = "belongs to member " + std::to_string(r.Int(1)) + ", whose data has been erased";
        by_phone.emplace(r.Text(0), std::make_pair(r.Int(1), why));
      }
      return Status::Ok();
    }));
    for (auto& c : customers_) {
      if (c.phone.empty() || c.member_id != 0 || c.bad) continue;
      if (auto it = by_phone.find(c.phone); it != by_phone.end()) {
        if (!it->second.second.empty()) {
          c.bad = true;
          c.message = it->second.second;
        } else {
          c.member_id = it->second.first;
        }
      }
    }
    // Products.
    std::vector<std::string> codes;
    for (const auto& p : products_) codes.push_back(p.code);
    SY_RETURN_IF_ERROR(InChunks(tx, codes, [&](const std::vector<store::Value>& p, const std::string& in) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT p.barcode, p.id, p.title, COALESCE(c.code, ''), p.tax_rate_bp, p.cost "
                                             "FROM products p LEFT JOIN categories c ON c.id = p.category_id "
                                             "WHERE p.barcode IN (" + in + ")", p));
      for (const auto& r : rows.rows) {
        ProductRef& pr = products_[size_t(products_by_code_.at(r.Text(0)))];
        pr.product_id = r.Int(1);
        pr.title = r.Text(2);
        pr.genre = r.Text(3);
        pr.tax_rate_bp = r.Int(4);
        pr.cost = r.OptInt(5);
      }
      return Status::Ok();
    }));
    for (auto& p : products_)
      if (p.product_id == 0) p.title = p.description.empty() ? p.code : p.description;
    // Receipts already imported (as a sale, or as a return).
    std::vector<std::string> keys;
    for (const auto& r : receipts_) keys.push_back(r.key);
    std::unordered_map<std::string, bool> done;
    SY_RETURN_IF_ERROR(InChunks(tx, keys, [&](const std::vector<store::Value>& p, const std::string& in) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT receipt_number FROM sales WHERE receipt_number IN (" + in +
                                                 ") UNION SELECT import_ref FROM sale_returns WHERE import_ref IN (" + in + ")",
                                             [&] {
                                               auto twice = p;
                                               twice.insert(twice.end(), p.begin(), p.end());
                                               return twice;
                                             }()));
      for (const auto& r : rows.rows) done.emplace(r.Text(0), true);
      return Status::Ok();
    }));
    // Per receipt: rows agree, every row good, customer usable.
    for (auto& r : receipts_) {
      if (done.count(r.key)) {
        r.skipped = true;
        ++rep_.receipts_skipped;
        rep_.rows_skipped += int64_t(r.rows.size());
        continue;
      }
      // The first good row sets the receipt's time and customer (a bad one may have neither).
      int32_t lead = r.rows.front();
      for (int32_t i : r.rows)
        if (!lines_[size_t(i)].bad) {
          lead = i;
          break;
        }
      const Line& first = lines_[size_t(lead)];
      for (int32_t i : r.rows) {
        Line& l = lines_[size_t(i)];
        if (l.bad) continue;
        if (l.local_ms != first.local_ms) {
          l.bad = true;
          Problem(l.line, kDate, "", "differs from the date and time of line " + std::to_string(first.line) +
                                         " of the same receipt " + r.number);
        } else if (l.customer != first.customer) {
          l.bad = true;
          Problem(l.line, col_[kPhone] >= 0 ? kPhone : kCustomer, "",
                  "the customer differs from line " + std::to_string(first.line) + " of the same receipt " + r.number);
        } else if (l.customer >= 0 && customers_[size_t(l.customer)].bad) {
          l.bad = true;
          const Customer& c = customers_[size_t(l.customer)];
          Problem(l.line, c.phone.empty() || !c.card.empty() ? kCustomer : kPhone, c.value, c.message);
        }
      }
      MarkIfBad(r);
      if (r.bad) continue;
      r.customer = first.customer;
      r.at = first.local_ms - zone_.OffsetAt(first.local_ms - zone_.OffsetAt(first.local_ms) * 1000) * 1000;
      r.day = DayOfLocal(first.local_ms);
    }
    // In time order: sales, then the returns they allow.
    std::vector<int32_t> order;
    for (size_t i = 0; i < receipts_.size(); ++i)
      if (!receipts_[i].bad && !receipts_[i].skipped) order.push_back(int32_t(i));
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      const Receipt &x = receipts_[size_t(a)], &y = receipts_[size_t(b)];
      return x.at != y.at ? x.at < y.at : x.key < y.key;
    });
    for (int32_t ri : order) SY_RETURN_IF_ERROR(Plan(tx, ri));
    // Counts.
    for (const auto& r : receipts_)
      if (r.bad) rep_.invalid += int64_t(r.rows.size());
    for (int32_t ri : order) {
      const Receipt& r = receipts_[size_t(ri)];
      if (r.bad) continue;
      ++rep_.receipts;
      rep_.valid += int64_t(r.rows.size());
      if (rep_.first_day.empty() || r.day < rep_.first_day) rep_.first_day = r.day;
      if (r.day > rep_.last_day) rep_.last_day = r.day;
      if (r.customer >= 0) {
        Customer& c = customers_[size_t(r.customer)];
        if (!c.has_receipt) {
          c.has_receipt = true;
          c.first_at = r.at;
          c.first_day = r.day;
          c.first_store = r.store_id;
        }
      }
      for (int32_t i : r.rows) products_[size_t(lines_[size_t(i)].product)].used = true;
    }
    for (const auto& c : customers_)
      if (c.has_receipt && c.member_id == 0) ++rep_.members_created;
    for (const auto& p : products_)
      if (p.used && p.product_id == 0) ++rep_.products_created;
    for (const auto& s : sales_) {
      if (receipts_[size_t(s.receipt)].bad) continue;
      ++rep_.sales;
      rep_.lines += int64_t(s.lines.size());
      rep_.net_total += s.net;
    }
    for (const auto& ret : returns_) {
      if (receipts_[size_t(ret.receipt)].bad) continue;
      std::map<std::pair<int32_t, int64_t>, bool> sales;
      for (const auto& a : ret.allocs) {
        sales[{a.sale, a.sale >= 0 ? 0 : db_lines_.at(a.db_line_id).sale_id}] = true;
        ++rep_.return_lines;
        rep_.refund_total += a.refund;
      }
      rep_.returns += int64_t(sales.size());
    }
    return Status::Ok();
  }

  // Reports every good row of a receipt that has a bad one as not imported.
  void MarkIfBad(Receipt& r) {
    int64_t bad_line = 0;
    for (int32_t i : r.rows)
      if (lines_[size_t(i)].bad) {
        bad_line = lines_[size_t(i)].line;
        break;
      }
    if (bad_line == 0) return;
    r.bad = true;
    for (int32_t i : r.rows)
      if (!lines_[size_t(i)].bad)
        Problem(lines_[size_t(i)].line, -1, "",
                "not imported: receipt " + r.number + " has a problem on line " + std::to_string(bad_line));
  }

  // The key under which sale lines wait for returns: the customer, or (without one) the store.
  std::string ReturnKey(const Receipt& r, int32_t product) const {
    return (r.customer >= 0 ? "c" + std::to_string(r.customer) : "s" + std::to_string(r.store_id)) + ":" +
           std::to_string(product);
  }

  // Plans receipt `ri` (good so far, in time order): its sale, and its returns matched to the
  // sale lines they give back; a return that finds nothing makes the receipt bad.
  Status Plan(store::Tx& tx, int32_t ri) {
    Receipt& r = receipts_[size_t(ri)];
    PlannedSale sale;
    sale.receipt = ri;
    std::vector<int32_t> negatives;
    for (int32_t i : r.rows) {
      const Line& l = lines_[size_t(i)];
      if (l.quantity < 0) {
        negatives.push_back(i);
        continue;
      }
      const ProductRef& p = products_[size_t(l.product)];
      PlannedLine pl;
      pl.row = i;
      pl.quantity = l.quantity;
      pl.unit_price = l.price;
      pl.gross = l.quantity * l.price;
      pl.tax = core::MulDivRound(pl.gross, p.tax_rate_bp, 10000 + p.tax_rate_bp, core::Rounding::kHalfUp).value_or(0);
      sale.net += pl.gross;
      sale.lines.push_back(pl);
    }
    // Returns: tentative allocations, kept only if every negative row is covered.
    PlannedReturn ret;
    ret.receipt = ri;
    std::map<std::pair<int32_t, int32_t>, int64_t> taken_here;  // planned (sale, line) → units
    std::map<int64_t, int64_t> taken_db;                        // db line → units
    for (int32_t i : negatives) {
      const Line& l = lines_[size_t(i)];
      int64_t want = -l.quantity;
      std::vector<Allocation> allocs;
      // This file's earlier sales, newest first.
      if (auto it = waiting_.find(ReturnKey(r, l.product)); it != waiting_.end()) {
        for (auto k = it->second.rbegin(); k != it->second.rend() && want > 0; ++k) {
          PlannedLine& pl = sales_[size_t(k->first)].lines[size_t(k->second)];
          int64_t left = pl.quantity - pl.returned - taken_here[*k];
          if (left <= 0) continue;
          int64_t q = std::min(left, want);
          allocs.push_back({k->first, k->second, 0, q, 0});
          taken_here[*k] += q;
          want -= q;
        }
      }
      // Earlier imports in the database, newest first.
      const ProductRef& p = products_[size_t(l.product)];
      const Customer* c = r.customer >= 0 ? &customers_[size_t(r.customer)] : nullptr;
      if (want > 0 && p.product_id != 0 && (!c || c->member_id != 0)) {
        SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(
            "SELECT l.id, l.sale_id, s.at, l.quantity, l.returned_qty, l.paid, l.points_share, l.genre, s.net_total, "
            "s.refunded_total, s.points_earned, s.points_redeemed, s.member_id, "
            "(SELECT MIN(id) FROM sale_payments WHERE sale_id = s.id) "
            "FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE l.product_id = ? AND s.source = 'import' "
            "AND s.at <= ? AND l.returned_qty < l.quantity AND s.status <> 'voided' AND " +
                std::string(c ? "s.member_id = ?" : "s.member_id IS NULL AND s.store_id = ?") +
                " ORDER BY s.at DESC, l.id DESC LIMIT 50",
            {p.product_id, r.at, c ? c->member_id : r.store_id}));
        for (const auto& row : rows.rows) {
          if (want <= 0) break;
          int64_t id = row.Int(0);
          auto [it, fresh] = db_lines_.try_emplace(id);
          DbLine& d = it->second;
          if (fresh) {
            d = DbLine{id, row.Int(1), row.Int(2), row.Int(3), row.Int(3) - row.Int(4), row.Int(5), row.Int(6), row.Int(4),
                       row.Text(7)};
            auto [sit, sfresh] = db_sales_.try_emplace(d.sale_id);
            if (sfresh) {
              sit->second.net_total = row.Int(8);
              sit->second.refunded = row.Int(9);
              sit->second.points_earned = row.Int(10);
              sit->second.points_redeemed = row.Int(11);
              sit->second.member_id = row.OptInt(12);
              sit->second.payment_id = row.IsNull(13) ? 0 : row.Int(13);
            }
          }
          int64_t left = d.left - taken_db[id];
          if (left <= 0) continue;
          int64_t q = std::min(left, want);
          allocs.push_back({-1, -1, id, q, 0});
          taken_db[id] += q;
          want -= q;
        }
      }
      if (want > 0) {
        Problem(l.line, kQuantity, std::to_string(l.quantity),
                "returns " + std::to_string(-l.quantity) + " of " + p.code + " but " +
                    (-l.quantity - want == 0 ? std::string("no earlier imported sale of it")
                                             : "only " + std::to_string(-l.quantity - want)) +
                    (c ? " to this customer" : " without a customer in this store") + " is left to return");
        lines_[size_t(i)].bad = true;
      }
      ret.allocs.insert(ret.allocs.end(), allocs.begin(), allocs.end());
    }
    MarkIfBad(r);
    if (r.bad) return Status::Ok();
    // Commit the allocations, refunds cumulatively exact per line.
    for (auto& a : ret.allocs) {
      if (a.sale >= 0) {
        PlannedLine& pl = sales_[size_t(a.sale)].lines[size_t(a.line)];
        int64_t before = pl.returned, after = before + a.quantity;
        a.refund = Share(pl.gross, after, pl.quantity) - Share(pl.gross, before, pl.quantity);
        pl.returned = after;
        pl.refunded += a.refund;
        sales_[size_t(a.sale)].refunded += a.refund;
      } else {
        DbLine& d = db_lines_.at(a.db_line_id);
        int64_t before = d.quantity - d.left, after = before + a.quantity;
        a.refund = Share(d.paid, after, d.quantity) - Share(d.paid, before, d.quantity);
        d.left -= a.quantity;
      }
    }
    if (!sale.lines.empty()) {
      r.sale = int32_t(sales_.size());
      for (size_t k = 0; k < sale.lines.size(); ++k)
        waiting_[ReturnKey(r, lines_[size_t(sale.lines[k].row)].product)].push_back({r.sale, int32_t(k)});
      sales_.push_back(std::move(sale));
    }
    if (!ret.allocs.empty()) returns_.push_back(std::move(ret));
    return Status::Ok();
  }

  // ---- write ----

  Status Write(store::Tx& tx) {
    SY_RETURN_IF_ERROR(CreateMembers(tx));
    SY_RETURN_IF_ERROR(CreateProducts(tx));
    SY_RETURN_IF_ERROR(WriteSales(tx));
    SY_RETURN_IF_ERROR(WriteReturns(tx));
    SY_RETURN_IF_ERROR(WriteMemberStats(tx));
    if (rep_.receipts == 0) return Status::Ok();
    return RecordAudit(tx, ctx_, actor_, "sale.import", "sales",
                       {{"file", opt_.file_name}, {"rows", rep_.rows}, {"receipts", rep_.receipts},
                        {"sales", rep_.sales}, {"lines", rep_.lines}, {"returns", rep_.returns},
                        {"receipts_skipped", rep_.receipts_skipped}, {"invalid", rep_.invalid},
                        {"members_created", rep_.members_created}, {"products_created", rep_.products_created},
                        {"net_total", rep_.net_total}, {"refund_total", rep_.refund_total},
                        {"earn_points", opt_.earn_points}, {"points_earned", rep_.points_earned},
                        {"first_day", rep_.first_day}, {"last_day", rep_.last_day}, {"encoding", rep_.encoding}});
  }

  Status CreateMembers(store::Tx& tx) {
    std::vector<Customer*> fresh;
    for (auto& c : customers_)
      if (c.has_receipt && c.member_id == 0) fresh.push_back(&c);
    for (size_t start = 0; start < fresh.size(); start += kChunk) {
      size_t end = std::min(fresh.size(), start + kChunk);
      std::string sql = "INSERT INTO members (card_number, phone, phone_last4, home_store_id, created_at, updated_at, "
                        "created_by, joined_on) VALUES ";
      std::vector<store::Value> p;
      std::unordered_map<std::string, Customer*> by_phone;
      for (size_t i = start; i < end; ++i) {
        Customer& c = *fresh[i];
        by_phone.emplace(c.phone, &c);
        sql += i == start ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
        p.insert(p.end(), {"new:" + c.phone, c.phone, c.phone.substr(c.phone.size() - 4), c.first_store, c.first_at,
                           now_, created_by_, c.first_day});
      }
      // A phone registered meanwhile (PostgreSQL, another connection) is a Conflict: run again.
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, phone", p));
      std::vector<int64_t> new_ids;
      for (const auto& row : ids.rows) new_ids.push_back(row.Int(0));
      SY_RETURN_IF_ERROR(AddMemberGroups(tx, new_ids));
      std::string cards = "UPDATE members SET card_number = v.column2 FROM (VALUES ";
      std::vector<store::Value> cp;
      for (size_t r = 0; r < ids.size(); ++r) {
        int64_t id = ids[r].Int(0);
        by_phone.at(ids[r].Text(1))->member_id = id;
        SY_ASSIGN_OR_RETURN(std::string card, core::MakeCardNumber(ctx_.settings.card_prefix, uint64_t(id)));
        cards += r == 0 ? "(CAST(? AS BIGINT), ?)" : ", (CAST(? AS BIGINT), ?)";
        cp.emplace_back(id);
        cp.emplace_back(std::move(card));
      }
      SY_RETURN_IF_ERROR(tx.Exec(cards + ") AS v WHERE members.id = v.column1", cp).status());
    }
    return Status::Ok();
  }

  Status CreateProducts(store::Tx& tx) {
    std::vector<ProductRef*> fresh;
    for (auto& p : products_)
      if (p.used && p.product_id == 0) fresh.push_back(&p);
    for (size_t start = 0; start < fresh.size(); start += kChunk) {
      size_t end = std::min(fresh.size(), start + kChunk);
      std::string sql = "INSERT INTO products (kind, isbn13, barcode, title, list_price, imported, search_text, "
                        "created_at, updated_at) VALUES ";
      std::vector<store::Value> p;
      std::unordered_map<std::string, ProductRef*> by_code;
      for (size_t i = start; i < end; ++i) {
        ProductRef& pr = *fresh[i];
        by_code.emplace(pr.code, &pr);
        Product prod;
        prod.title = pr.title;
        sql += i == start ? "(?, ?, ?, ?, ?, 1, ?, ?, ?)" : ", (?, ?, ?, ?, ?, 1, ?, ?, ?)";
        p.insert(p.end(), {std::string(pr.isbn ? "book" : "item"), pr.isbn ? store::Value(pr.code) : store::Null(),
                           pr.code, pr.title, pr.price, ProductSearchText(prod), now_, now_});
      }
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, barcode", p));
      for (const auto& r : ids.rows) by_code.at(r.Text(1))->product_id = r.Int(0);
    }
    return Status::Ok();
  }

  Status WriteSales(store::Tx& tx) {
    // Sales, a chunk at a time; then their lines and payments.
    for (size_t start = 0; start < sales_.size(); start += kChunk) {
      size_t end = std::min(sales_.size(), start + kChunk);
      std::string sql = "INSERT INTO sales (receipt_number, store_id, member_id, at, business_day, source, currency, "
                        "subtotal, discount_total, net_total, due, tendered, refunded_total, status) VALUES ";
      std::vector<store::Value> p;
      std::unordered_map<std::string, PlannedSale*> by_key;
      for (size_t i = start; i < end; ++i) {
        PlannedSale& s = sales_[i];
        const Receipt& r = receipts_[size_t(s.receipt)];
        by_key.emplace(r.key, &s);
        bool all = true, any = false;
        for (const auto& l : s.lines) {
          all = all && l.returned == l.quantity;
          any = any || l.returned > 0;
        }
        std::string status = !any ? "completed" : all ? "returned" : "partly_returned";
        sql += i == start ? "(?, ?, ?, ?, ?, 'import', ?, ?, 0, ?, ?, ?, ?, ?)"
                          : ", (?, ?, ?, ?, ?, 'import', ?, ?, 0, ?, ?, ?, ?, ?)";
        p.insert(p.end(), {r.key, r.store_id, MemberValue(r.customer), r.at, r.day, currency_, s.net, s.net, s.net,
                           s.net, s.refunded, status});
      }
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, receipt_number", p));
      for (const auto& r : ids.rows) by_key.at(r.Text(1))->id = r.Int(0);
      SY_RETURN_IF_ERROR(WriteLines(tx, start, end));
      SY_RETURN_IF_ERROR(WritePayments(tx, start, end));
    }
    std::vector<int64_t> ids;
    ids.reserve(sales_.size());
    for (const auto& s : sales_) ids.push_back(s.id);
    SY_RETURN_IF_ERROR(FeedSales(tx, ctx_, ids));
    if (opt_.earn_points) {
      // A member's first purchase ever earns the program's first-purchase rules: known members
      // with visits before this import have had theirs.
      std::vector<std::string> known;
      for (const auto& c : customers_)
        if (c.has_receipt && c.member_id != 0) known.push_back(std::to_string(c.member_id));
      std::unordered_map<int64_t, int64_t> visits;
      for (size_t start = 0; start < known.size(); start += kChunk) {
        std::vector<store::Value> p;
        for (size_t i = start; i < std::min(known.size(), start + kChunk); ++i) p.emplace_back(std::stoll(known[i]));
        SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, visits FROM members WHERE id IN (" + Placeholders(p.size()) + ")", p));
        for (const auto& r : rows.rows) visits.emplace(r.Int(0), r.Int(1));
      }
      for (auto& c : customers_)
        if (auto it = visits.find(c.member_id); it != visits.end() && it->second > 0) c.earned_before = true;
      for (auto& s : sales_) {
        const Receipt& r = receipts_[size_t(s.receipt)];
        if (r.customer < 0) continue;
        Customer& c = customers_[size_t(r.customer)];
        Purchase purchase;
        purchase.sale_id = s.id;
        purchase.at = r.at;
        for (const auto& l : s.lines) purchase.lines.push_back({products_[size_t(lines_[size_t(l.row)].product)].genre, l.gross});
        purchase.first_purchase = !c.earned_before;
        c.earned_before = true;
        SY_ASSIGN_OR_RETURN(Earning e, EarnForPurchase(tx, ctx_, actor_, c.member_id, purchase));
        s.points_earned = e.entry ? e.entry->points : 0;
        rep_.points_earned += s.points_earned;
        if (s.points_earned > 0)
          SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET points_earned = ? WHERE id = ?", {s.points_earned, s.id}).status());
      }
    }
    return Status::Ok();
  }

  store::Value MemberValue(int32_t customer) const {
    return customer >= 0 ? store::Value(customers_[size_t(customer)].member_id) : store::Null();
  }

  Status WriteLines(store::Tx& tx, size_t from, size_t to) {
    struct Ref {
      PlannedSale* sale;
      size_t line;
    };
    std::vector<Ref> refs;
    for (size_t i = from; i < to; ++i)
      for (size_t k = 0; k < sales_[i].lines.size(); ++k) refs.push_back({&sales_[i], k});
    for (size_t start = 0; start < refs.size(); start += kChunk) {
      size_t end = std::min(refs.size(), start + kChunk);
      std::string sql = "INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, title, genre, quantity, "
                        "unit_price, unit_cost, tax_rate_bp, gross, net, paid, tax, returned_qty) VALUES ";
      std::vector<store::Value> p;
      p.reserve((end - start) * 15);
      for (size_t i = start; i < end; ++i) {
        const PlannedSale& s = *refs[i].sale;
        const PlannedLine& l = s.lines[refs[i].line];
        const Line& row = lines_[size_t(l.row)];
        const ProductRef& pr = products_[size_t(row.product)];
        sql += i == start ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        p.insert(p.end(), {s.id, int64_t(refs[i].line + 1), pr.product_id, pr.code, pr.title, pr.genre, l.quantity,
                           l.unit_price, pr.cost ? store::Value(*pr.cost) : store::Null(), pr.tax_rate_bp, l.gross,
                           l.gross, l.gross, l.tax, l.returned});
      }
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, sale_id, line_no", p));
      std::unordered_map<int64_t, PlannedSale*> by_id;
      for (size_t i = start; i < end; ++i) by_id.emplace(refs[i].sale->id, refs[i].sale);
      for (const auto& r : ids.rows) by_id.at(r.Int(1))->lines.at(size_t(r.Int(2) - 1)).id = r.Int(0);
    }
    return Status::Ok();
  }

  Status WritePayments(store::Tx& tx, size_t from, size_t to) {
    std::string sql = "INSERT INTO sale_payments (sale_id, method, amount, tendered, reference, refunded) VALUES ";
    std::vector<store::Value> p;
    std::unordered_map<int64_t, PlannedSale*> by_id;
    size_t n = 0;
    for (size_t i = from; i < to; ++i) {
      PlannedSale& s = sales_[i];
      if (s.net <= 0) continue;
      by_id.emplace(s.id, &s);
      sql += n++ == 0 ? "(?, 'cash', ?, ?, 'import', ?)" : ", (?, 'cash', ?, ?, 'import', ?)";
      p.insert(p.end(), {s.id, s.net, s.net, s.refunded});
    }
    if (n == 0) return Status::Ok();
    SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, sale_id", p));
    for (const auto& r : ids.rows) by_id.at(r.Int(1))->payment_id = r.Int(0);
    return Status::Ok();
  }

  Status WriteReturns(store::Tx& tx) {
    for (const auto& ret : returns_) {
      const Receipt& r = receipts_[size_t(ret.receipt)];
      // One sale_returns row per sale returned against, in the order first met.
      std::vector<std::pair<int64_t, std::vector<const Allocation*>>> per_sale;
      for (const auto& a : ret.allocs) {
        int64_t sale_id = a.sale >= 0 ? sales_[size_t(a.sale)].id : db_lines_.at(a.db_line_id).sale_id;
        auto it = std::find_if(per_sale.begin(), per_sale.end(), [&](const auto& x) { return x.first == sale_id; });
        if (it == per_sale.end()) {
          per_sale.push_back({sale_id, {}});
          it = per_sale.end() - 1;
        }
        it->second.push_back(&a);
      }
      for (const auto& [sale_id, allocs] : per_sale) {
        int64_t refund = 0;
        for (const Allocation* a : allocs) refund += a->refund;
        SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO sale_returns (sale_id, store_id, at, business_day, kind, reason, "
                                              "refund_total, import_ref) VALUES (?, ?, ?, ?, 'return', ?, ?, ?) RETURNING id",
                                              {sale_id, r.store_id, r.at, r.day, "imported return " + r.number, refund,
                                               r.key}));
        int64_t return_id = ins[0].Int(0);
        int64_t payment_id = 0;
        bool from_file = allocs.front()->sale >= 0;
        for (const Allocation* a : allocs) {
          int64_t line_id = a->sale >= 0 ? sales_[size_t(a->sale)].lines[size_t(a->line)].id : a->db_line_id;
          SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO return_lines (return_id, sale_line_id, quantity, refund, points_share) "
                                     "VALUES (?, ?, ?, ?, 0)",
                                     {return_id, line_id, a->quantity, a->refund})
                                 .status());
          if (a->sale < 0) {
            SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE sale_lines SET returned_qty = returned_qty + ? WHERE id = ? "
                                                  "AND returned_qty + ? <= quantity",
                                                  {a->quantity, line_id, a->quantity}));
            if (upd.affected == 0) return Status(Code::kConflict, "sale line " + std::to_string(line_id) + " was returned meanwhile; run the import again");
          }
        }
        if (from_file) {
          payment_id = sales_[size_t(allocs.front()->sale)].payment_id;
        } else {
          DbSale& ds = db_sales_.at(sale_id);
          payment_id = ds.payment_id;
          ds.refunded += refund;
          // Status from the lines as they now are.
          SY_ASSIGN_OR_RETURN(auto left, tx.Exec("SELECT COALESCE(SUM(quantity - returned_qty), 0) FROM sale_lines "
                                                 "WHERE sale_id = ?", {sale_id}));
          std::string status = left[0].Int(0) == 0 ? "returned" : "partly_returned";
          SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET status = ?, refunded_total = refunded_total + ? WHERE id = ?",
                                     {status, refund, sale_id})
                                 .status());
          if (payment_id && refund > 0)
            SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_payments SET refunded = refunded + ? WHERE id = ?", {refund, payment_id}).status());
        }
        if (payment_id && refund > 0)
          SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO return_payments (return_id, sale_payment_id, method, amount) "
                                     "VALUES (?, ?, 'cash', ?)",
                                     {return_id, payment_id, refund})
                                 .status());
        // Points: the sale's earned points taken back in proportion, as the till does.
        int64_t member_points = 0;
        int64_t net_total = 0, net_after = 0;
        if (from_file) {
          const PlannedSale& s = sales_[size_t(allocs.front()->sale)];
          member_points = s.points_earned;
          net_total = s.net;
          returned_net_[sale_id] += refund;
          net_after = returned_net_[sale_id];
        } else {
          const DbSale& ds = db_sales_.at(sale_id);
          member_points = ds.points_earned + ds.points_redeemed;
          net_total = ds.net_total;
          net_after = ds.refunded;
        }
        if (opt_.earn_points && member_points > 0) {
          SY_ASSIGN_OR_RETURN(Reversal rev, ReversePoints(tx, ctx_, actor_, ReverseTarget{sale_id, std::nullopt},
                                                          Proportion{net_after, net_total}));
          rep_.points_earned -= rev.taken_back;
          SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_returns SET points_taken_back = ?, points_given_back = ? WHERE id = ?",
                                     {rev.taken_back, rev.given_back, return_id})
                                 .status());
        }
        SY_RETURN_IF_ERROR(FeedReturn(tx, ctx_, return_id));
      }
    }
    return Status::Ok();
  }

  // Members' totals, member_daily and member_genres, as RecordPurchase records each purchase and
  // return, summed per member (and day, and genre) and written in multi-row statements; then
  // one tier check per member on today's window.
  Status WriteMemberStats(store::Tx& tx) {
    struct Totals {
      int64_t spend = 0, visits = 0, last = 0;
    };
    std::map<int64_t, Totals> totals;
    std::map<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>> daily;  // (member, day) → spend, visits
    struct Genre {
      int64_t spend = 0, purchases = 0;
      std::string last;
    };
    std::map<std::pair<int64_t, std::string>, Genre> genres;
    for (const auto& s : sales_) {
      const Receipt& r = receipts_[size_t(s.receipt)];
      if (r.customer < 0) continue;
      int64_t m = customers_[size_t(r.customer)].member_id;
      Totals& t = totals[m];
      t.spend += s.net;
      t.visits += 1;
      t.last = std::max(t.last, r.at);
      auto& d = daily[{m, r.day}];
      d.first += s.net;
      d.second += 1;
      for (const auto& l : s.lines) {
        const std::string& genre = products_[size_t(lines_[size_t(l.row)].product)].genre;
        if (genre.empty()) continue;
        Genre& g = genres[{m, genre}];
        g.spend += l.gross;
        g.purchases += 1;
        g.last = std::max(g.last, r.day);
      }
    }
    for (const auto& ret : returns_) {
      const Receipt& r = receipts_[size_t(ret.receipt)];
      for (const auto& a : ret.allocs) {
        std::optional<int64_t> member;
        std::string genre;
        if (a.sale >= 0) {
          const Receipt& sr = receipts_[size_t(sales_[size_t(a.sale)].receipt)];
          if (sr.customer >= 0) member = customers_[size_t(sr.customer)].member_id;
          genre = products_[size_t(lines_[size_t(sales_[size_t(a.sale)].lines[size_t(a.line)].row)].product)].genre;
        } else {
          const DbLine& d = db_lines_.at(a.db_line_id);
          member = db_sales_.at(d.sale_id).member_id;
          genre = d.genre;
        }
        if (!member || a.refund == 0) continue;
        totals[*member].spend -= a.refund;
        daily[{*member, r.day}].first -= a.refund;
        if (!genre.empty()) genres[{*member, genre}].spend -= a.refund;
      }
    }
    // members (their member-group contributions out before, back in after member_genres)
    std::vector<std::pair<int64_t, Totals>> tl(totals.begin(), totals.end());
    std::vector<int64_t> touched;
    for (const auto& [member, t] : tl) touched.push_back(member);
    SY_RETURN_IF_ERROR(WithdrawMemberGroups(tx, touched));
    for (size_t start = 0; start < tl.size(); start += kChunk) {
      size_t end = std::min(tl.size(), start + kChunk);
      std::string sql = "UPDATE members SET total_spend = total_spend + v.column2, visits = visits + v.column3, "
                        "last_visit_at = CASE WHEN v.column4 > 0 AND (last_visit_at IS NULL OR last_visit_at < v.column4) "
                        "THEN v.column4 ELSE last_visit_at END FROM (VALUES ";
      std::vector<store::Value> p;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
                          : ", (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))";
        p.insert(p.end(), {tl[i].first, tl[i].second.spend, tl[i].second.visits, tl[i].second.last});
      }
      SY_RETURN_IF_ERROR(tx.Exec(sql + ") AS v WHERE members.id = v.column1", p).status());
    }
    // member_daily
    std::vector<std::pair<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>>> dl(daily.begin(), daily.end());
    for (size_t start = 0; start < dl.size(); start += kChunk) {
      size_t end = std::min(dl.size(), start + kChunk);
      std::string sql = "INSERT INTO member_daily (member_id, day, spend, visits) VALUES ";
      std::vector<store::Value> p;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
        p.insert(p.end(), {dl[i].first.first, dl[i].first.second, dl[i].second.first, dl[i].second.second});
      }
      SY_RETURN_IF_ERROR(tx.Exec(sql + " ON CONFLICT (member_id, day) DO UPDATE SET spend = member_daily.spend + "
                                       "excluded.spend, visits = member_daily.visits + excluded.visits", p)
                             .status());
    }
    // member_genres
    std::vector<std::pair<std::pair<int64_t, std::string>, Genre>> gl(genres.begin(), genres.end());
    for (size_t start = 0; start < gl.size(); start += kChunk) {
      size_t end = std::min(gl.size(), start + kChunk);
      std::string sql = "INSERT INTO member_genres (member_id, genre, spend, purchases, last_purchased_on) VALUES ";
      std::vector<store::Value> p;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
        const Genre& g = gl[i].second;
        p.insert(p.end(), {gl[i].first.first, gl[i].first.second, g.spend, g.purchases,
                           g.last.empty() ? store::Null() : store::Value(g.last)});
      }
      SY_RETURN_IF_ERROR(tx.Exec(sql + " ON CONFLICT (member_id, genre) DO UPDATE SET spend = member_genres.spend + "
                                       "excluded.spend, purchases = member_genres.purchases + excluded.purchases, " +
                                       std::string(kLaterGenreDay), p)
                             .status());
    }
    SY_RETURN_IF_ERROR(AddMemberGroups(tx, touched));
    // Tiers: one upgrade check per member, on today's rolling window.
    SY_ASSIGN_OR_RETURN(core::Date today, Today(ctx_));
    for (const auto& [member, t] : tl) {
      (void)t;
      SY_ASSIGN_OR_RETURN(auto change, UpgradeIfQualified(tx, ctx_, member, today));
      if (change) ++rep_.tier_changes;
    }
    return Status::Ok();
  }

  Context& ctx_;
  const Actor& actor_;
  SalesImportOptions opt_;
  SalesImportReport rep_;
  int64_t now_ = 0;
  std::string created_by_, currency_ = "CNY";
  core::TimeZone zone_ = core::TimeZone::Fixed(0);
  bool header_done_ = false;
  std::array<int, kFieldCount> col_{};
  std::vector<std::string> headers_;
  std::vector<StoreRow> stores_;
  std::optional<int64_t> default_store_;
  std::vector<Line> lines_;
  std::vector<Receipt> receipts_;
  std::unordered_map<std::string, int32_t> receipts_by_key_;
  std::vector<Customer> customers_;
  std::unordered_map<std::string, int32_t> customers_by_key_;
  std::vector<ProductRef> products_;
  std::unordered_map<std::string, int32_t> products_by_code_;
  std::vector<PlannedSale> sales_;
  std::vector<PlannedReturn> returns_;
  // Sale lines of this file that returns may give back: return key → (sale, line), in time order.
  std::unordered_map<std::string, std::vector<std::pair<int32_t, int32_t>>> waiting_;
  std::unordered_map<int64_t, DbLine> db_lines_;
  std::unordered_map<int64_t, DbSale> db_sales_;
  std::unordered_map<int64_t, int64_t> returned_net_;  // this file's sale id → net returned so far
};

Status CheckAccess(const Actor& actor, const SalesImportOptions& opt) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may import sales");
  if (auto m = core::CheckText(opt.file_name, 200); !m.empty()) return Invalid("the file name " + m, {{"file_name", m}});
  return Status::Ok();
}

Result<SalesImportReport> Run(Context& ctx, const Actor& actor, const SalesImportOptions& opt,
                              const std::function<Status(Importer&)>& read) {
  SY_RETURN_IF_ERROR(CheckAccess(actor, opt));
  std::optional<Importer> imp;
  Status st = RunImportTransaction(ctx, opt.dry_run, [&](store::Tx& tx) -> Status {
    imp.emplace(ctx, actor, opt);  // afresh if the database retries the transaction
    SY_RETURN_IF_ERROR(imp->Start(tx));
    SY_RETURN_IF_ERROR(read(*imp));
    return imp->Finish(tx);
  });
  if (!st.ok()) return st;
  return std::move(imp->report());
}

}  // namespace

Result<SalesImportReport> ImportSalesCsv(Context& ctx, const Actor& actor, std::istream& in,
                                         const SalesImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp) -> Status {
    std::string encoding;
    Status st = ReadCsvRows(in, [&](const TableRow& row) { return imp.Row(row); }, encoding);
    imp.report().encoding = encoding;
    return st;
  });
}

Result<SalesImportReport> ImportSalesXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                          const SalesImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp) -> Status {
    imp.report().encoding = "xlsx";
    return ReadXlsxRows(bytes, [&](const TableRow& row) { return imp.Row(row); });
  });
}

}  // namespace shuyou::service
