// Sales at the till: see sales.h.
#include "service/sales.h"

#include <algorithm>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "core/isbn.h"
#include "core/pricing.h"
#include "core/stamps.h"
#include "service/business_day.h"
#include "service/clubs.h"
#include "service/coupons.h"
#include "service/crypto.h"
#include "service/loyalty.h"
#include "service/paging.h"
#include "service/points.h"
#include "service/report_feed.h"
#include "service/stock.h"
#include "service/stored_value.h"

namespace shuyou::service {

namespace {

constexpr size_t kMaxLines = 200;
constexpr int64_t kMaxQuantity = 9999;
constexpr size_t kMaxPayments = 10;
constexpr size_t kMaxCoupons = 10;

store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }
store::Value OptValue(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }

bool IsTillRole(core::Role r) { return r == core::Role::kOwner || r == core::Role::kManager || r == core::Role::kCashier; }

// Staff with a home store sell, take returns and run shifts there only; owners everywhere.
Status CheckStoreAccess(const Actor& actor, int64_t store_id, std::string_view what) {
  if (actor.role == core::Role::kOwner || !actor.home_store_id || *actor.home_store_id == store_id) return Status::Ok();
  return Status(Code::kPermissionDenied, "you may " + std::string(what) + " only in your home store");
}

struct StoreInfo {
  std::string code;
  bool active = true;
};

Result<StoreInfo> LoadStore(store::Tx& tx, int64_t store_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT code, active FROM stores WHERE id = ?", {store_id}));
  if (rows.empty()) return Invalid("no store with id " + std::to_string(store_id), {{"store_id", "no such store"}});
  return StoreInfo{rows[0].Text(0), rows[0].Int(1) != 0};
}

Status CheckOpenShift(store::Tx& tx, int64_t shift_id, int64_t store_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT store_id, closed_at FROM shifts WHERE id = ?", {shift_id}));
  if (rows.empty()) return Invalid("no shift with id " + std::to_string(shift_id), {{"shift_id", "no such shift"}});
  if (rows[0].Int(0) != store_id) return Invalid("shift " + std::to_string(shift_id) + " belongs to another store", {{"shift_id", "belongs to another store"}});
  if (!rows[0].IsNull(1)) return Invalid("shift " + std::to_string(shift_id) + " is closed", {{"shift_id", "is closed"}});
  return Status::Ok();
}

struct MemberInfo {
  int64_t id = 0;
  std::string tier;
  int64_t points_balance = 0, stored_value_balance = 0;
};

Result<MemberInfo> LoadMember(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT tier, points_balance, stored_value_balance, merged_into, erased_at "
                                         "FROM members WHERE id = ?",
                                         {member_id}));
  if (rows.empty()) return Invalid("no member with id " + std::to_string(member_id), {{"member_id", "no such member"}});
  if (auto to = rows[0].OptInt(3))
    return Invalid("member " + std::to_string(member_id) + " was merged into member " + std::to_string(*to),
                   {{"member_id", "merged into " + std::to_string(*to)}});
  if (!rows[0].IsNull(4)) return Invalid("member " + std::to_string(member_id) + " has been erased", {{"member_id", "erased"}});
  return MemberInfo{member_id, rows[0].Text(0), rows[0].Int(1), rows[0].Int(2)};
}

struct ProductInfo {
  int64_t id = 0;
  std::string barcode, title, genre;
  int64_t list_price = 0, tax_rate_bp = 0;
  std::optional<int64_t> cost;
};

constexpr const char* kProductSql =
    "SELECT p.id, p.barcode, p.title, COALESCE(c.code, ''), p.list_price, p.tax_rate_bp, p.cost, p.active "
    "FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE ";

Result<ProductInfo> ResolveProduct(store::Tx& tx, const SaleLineRequest& l, size_t i) {
  std::string field = "lines[" + std::to_string(i) + "]";
  store::Rows rows;
  if (l.product_id) {
    SY_ASSIGN_OR_RETURN(rows, tx.Exec(std::string(kProductSql) + "p.id = ?", {*l.product_id}));
    if (rows.empty())
      return Invalid("line " + std::to_string(i + 1) + ": no product with id " + std::to_string(*l.product_id),
                     {{field + ".product_id", "no such product"}});
  } else {
    auto code = core::NormalizeBarcode(l.barcode);
    if (!code.ok())
      return Invalid("line " + std::to_string(i + 1) + ": '" + l.barcode + "' is not a valid code: " + code.status().message(),
                     {{field + ".barcode", code.status().message()}});
    SY_ASSIGN_OR_RETURN(rows, tx.Exec(std::string(kProductSql) + "p.barcode = ?", {*code}));
    if (rows.empty())
      return Invalid("line " + std::to_string(i + 1) + ": no product has the code " + *code,
                     {{field + ".barcode", "unknown code " + *code}});
  }
  const store::Row& r = rows[0];
  if (r.Int(7) == 0)
    return Invalid("line " + std::to_string(i + 1) + ": " + r.Text(2) + " is no longer sold", {{field, "product is inactive"}});
  return ProductInfo{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.OptInt(6)};
}

// Everything checkout and quote share: the request checked, products and member loaded, priced.
struct Priced {
  int64_t at = 0;
  std::string day;
  StoreInfo store;
  std::optional<MemberInfo> member;
  StoredProgram program;
  ClubBenefits club;
  std::vector<ProductInfo> products;
  std::vector<SaleCoupon> coupons;
  core::Pricing pricing;
  core::Currency currency = core::kCNY;
};

Status CheckRequestShape(const SaleRequest& in, bool need_payments) {
  std::vector<FieldError> errs;
  if (in.store_id <= 0) errs.push_back({"store_id", "is required"});
  if (in.lines.empty()) errs.push_back({"lines", "must have at least one line"});
  if (in.lines.size() > kMaxLines) errs.push_back({"lines", "must have at most 200 lines"});
  for (size_t i = 0; i < in.lines.size() && i < kMaxLines; ++i) {
    const auto& l = in.lines[i];
    std::string f = "lines[" + std::to_string(i) + "]";
    if (!l.product_id && l.barcode.empty()) errs.push_back({f, "needs product_id or barcode"});
    if (l.product_id && !l.barcode.empty()) errs.push_back({f, "give product_id or barcode, not both"});
    if (l.quantity < 1 || l.quantity > kMaxQuantity) errs.push_back({f + ".quantity", "must be 1 to 9999"});
  }
  if (in.coupon_codes.size() > kMaxCoupons) errs.push_back({"coupon_codes", "at most 10 coupons"});
  if (in.points_to_redeem < 0) errs.push_back({"points_to_redeem", "must not be negative"});
  if (in.points_to_redeem > 0 && !in.member_id) errs.push_back({"points_to_redeem", "needs a member"});
  if (need_payments && in.payments.empty()) errs.push_back({"payments", "must have at least one payment"});
  if (in.payments.size() > kMaxPayments) errs.push_back({"payments", "at most 10 payments"});
  for (size_t i = 0; i < in.payments.size(); ++i) {
    const auto& p = in.payments[i];
    std::string f = "payments[" + std::to_string(i) + "]";
    if (!core::ParsePaymentMethod(p.method)) errs.push_back({f + ".method", "must be cash, card, mobile or stored_value"});
    if (p.amount <= 0) errs.push_back({f + ".amount", "must be positive"});
    if (p.method == "stored_value" && !in.member_id) errs.push_back({f + ".method", "stored value needs a member"});
    if (p.reference.size() > 100) errs.push_back({f + ".reference", "must be at most 100 characters"});
  }
  if (in.note.size() > 500) errs.push_back({"note", "must be at most 500 characters"});
  if (!errs.empty()) return Invalid("the sale has invalid fields: " + errs.front().field + " " + errs.front().message, errs);
  return Status::Ok();
}

Result<Priced> PriceRequest(store::Tx& tx, const Context& ctx, const SaleRequest& in) {
  Priced out;
  out.at = ctx.now();
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, out.at));
  out.day = FormatDay(day);
  SY_ASSIGN_OR_RETURN(out.store, LoadStore(tx, in.store_id));
  if (!out.store.active) return Invalid("store " + out.store.code + " is closed", {{"store_id", "store is not active"}});
  if (in.shift_id) SY_RETURN_IF_ERROR(CheckOpenShift(tx, *in.shift_id, in.store_id));
  SY_ASSIGN_OR_RETURN(out.program, GetLoyaltyProgram(tx));
  out.currency = out.program.program.earning.base_per.currency();
  if (in.member_id) {
    SY_ASSIGN_OR_RETURN(MemberInfo m, LoadMember(tx, *in.member_id));
    out.member = m;
    SY_ASSIGN_OR_RETURN(out.club, ActiveClubBenefits(tx, *in.member_id, out.day));
  }
  core::PricingInput pin;
  pin.currency = out.currency;
  pin.rounding = core::Rounding::kHalfUp;
  for (size_t i = 0; i < in.lines.size(); ++i) {
    SY_ASSIGN_OR_RETURN(ProductInfo p, ResolveProduct(tx, in.lines[i], i));
    pin.lines.push_back({p.genre, in.lines[i].quantity, core::Money(p.list_price, out.currency), p.tax_rate_bp, true});
    out.products.push_back(std::move(p));
  }
  if (out.member) {
    for (const auto& t : out.program.program.earning.tiers)
      if (t.name == out.member->tier) {
        pin.tier = t.name;
        pin.tier_discount_pct = t.discount_pct;
      }
    if (out.club.discount_club_id) {
      pin.club = out.club.discount_club;
      pin.club_discount_pct = out.club.discount_percent;
    }
    pin.points_balance = out.member->points_balance;
  }
  auto coupons = CouponsForSale(tx, in.coupon_codes, in.store_id, in.member_id, out.day);
  if (!coupons.ok()) {
    // The request calls the list coupon_codes.
    std::vector<FieldError> details = coupons.status().details();
    for (auto& d : details)
      if (d.field.rfind("coupons", 0) == 0) d.field = "coupon_codes" + d.field.substr(7);
    return Status(coupons.status().code(), coupons.status().message(), details);
  }
  out.coupons = std::move(coupons).value();
  for (auto& c : out.coupons) {
    c.rule.amount = core::Money(c.rule.amount.minor(), out.currency);
    c.rule.threshold = core::Money(c.rule.threshold.minor(), out.currency);
    if (c.rule.min_spend) c.rule.min_spend = core::Money(c.rule.min_spend->minor(), out.currency);
    pin.coupons.push_back(c.rule);
  }
  pin.points_to_redeem = in.points_to_redeem;
  pin.points_rate = out.program.program.points_payment;
  pin.points_rate.worth = core::Money(pin.points_rate.worth.minor(), out.currency);
  auto priced = core::PriceBasket(pin);
  if (!priced.ok()) {
    const Status& st = priced.status();
    // A short points balance is a refusal of the member's request, not a race: 400 with the field.
    if (st.code() == Code::kConflict) return Invalid(st.message(), {{"points_to_redeem", st.message()}});
    if (st.code() == Code::kInvalidArgument && st.details().empty()) return Invalid(st.message(), {{"sale", st.message()}});
    return st;
  }
  out.pricing = std::move(priced).value();
  return out;
}

// The sale as checkout writes it, before it has an id (quote and checkout share it).
Sale SaleFromPricing(const Priced& pr, const SaleRequest& in, const Actor& actor) {
  Sale s;
  s.store_id = in.store_id;
  s.shift_id = in.shift_id;
  if (actor.kind == "staff") s.staff_id = actor.id;
  s.staff_name = actor.name;
  s.member_id = in.member_id;
  s.at = pr.at;
  s.business_day = pr.day;
  s.source = "till";
  s.currency = pr.currency.code;
  s.status = "completed";
  s.note = in.note;
  const core::Pricing& p = pr.pricing;
  s.subtotal = p.subtotal.minor();
  s.discount_total = p.discount_total.minor();
  s.net_total = p.net_total.minor();
  s.points_redeemed = p.points_redeemed;
  s.points_value = p.points_value.minor();
  s.due = p.due.minor();
  s.tax_total = p.tax_total.minor();
  for (size_t i = 0; i < p.lines.size(); ++i) {
    const auto& pl = p.lines[i];
    const auto& prod = pr.products[i];
    SaleLine l;
    l.line_no = int64_t(i + 1);
    l.product_id = prod.id;
    l.barcode = prod.barcode;
    l.title = prod.title;
    l.genre = prod.genre;
    l.quantity = in.lines[i].quantity;
    l.unit_price = prod.list_price;
    l.unit_cost = prod.cost;
    l.tax_rate_bp = prod.tax_rate_bp;
    l.gross = pl.gross.minor();
    l.member_discount = pl.member_discount.minor();
    l.coupon_discount = pl.coupon_discount.minor();
    l.net = pl.net.minor();
    l.points_share = pl.points_share.minor();
    l.paid = pl.paid.minor();
    l.tax = pl.tax.minor();
    s.lines.push_back(std::move(l));
  }
  for (const auto& d : p.discounts) {
    SaleDiscount sd{d.rule, d.detail, d.amount.minor(), d.applied, std::nullopt};
    for (const auto& c : pr.coupons)
      if (d.rule == "coupon:" + c.rule.code) sd.coupon_id = c.id;
    s.discounts.push_back(std::move(sd));
  }
  return s;
}

Result<core::Settlement> Settle(const Priced& pr, const SaleRequest& in) {
  std::vector<core::Payment> pays;
  for (const auto& p : in.payments) pays.push_back({*core::ParsePaymentMethod(p.method), core::Money(p.amount, pr.currency)});
  auto st = core::SettlePayments(pr.pricing.due, pays);
  if (!st.ok()) return Invalid(st.status().message(), {{"payments", st.status().message()}});
  return st;
}

std::vector<PurchaseLine> EarnLines(const Sale& s) {
  std::vector<PurchaseLine> out;
  for (const auto& l : s.lines) out.push_back({l.genre, l.paid});
  return out;
}

// "<store code>-<yyyymmdd>-", the receipt numbers' part before the sale id.
std::string ReceiptPrefix(const std::string& store_code, const std::string& day) {
  std::string compact;
  for (char c : day)
    if (c != '-') compact += c;
  return store_code + "-" + compact + "-";
}

std::string ReceiptNumber(const std::string& store_code, const std::string& day, int64_t id) {
  return ReceiptPrefix(store_code, day) + std::to_string(id);
}

int64_t MaxPointsToRedeem(const Priced& pr) {
  if (!pr.member) return 0;
  const core::PointsRate& r = pr.program.program.points_payment;
  if (r.points <= 0 || r.worth.minor() <= 0) return 0;
  int64_t cap_money = pr.pricing.net_total.minor() * r.max_pct / 100;
  auto by_cap = core::MulDivRound(cap_money, r.points, r.worth.minor(), core::Rounding::kDown).value_or(0);
  int64_t step = r.points / std::gcd(r.points, r.worth.minor());
  int64_t most = std::min(by_cap, pr.member->points_balance);
  return most / step * step;
}

// ---- reading sales back ----

constexpr const char* kSaleColumns =
    "s.id, s.receipt_number, s.store_id, s.shift_id, s.staff_id, s.member_id, s.at, s.business_day, s.source, "
    "s.currency, s.status, s.note, s.subtotal, s.discount_total, s.net_total, s.points_redeemed, s.points_value, "
    "s.due, s.tax_total, s.tendered, s.change_due, s.points_earned, s.refunded_total, "
    "COALESCE(NULLIF(st.display_name, ''), st.username, '')";

Sale SaleFromRow(const store::Row& r) {
  Sale s;
  s.id = r.Int(0);
  s.receipt_number = r.Text(1);
  s.store_id = r.Int(2);
  s.shift_id = r.OptInt(3);
  s.staff_id = r.OptInt(4);
  s.member_id = r.OptInt(5);
  s.at = r.Int(6);
  s.business_day = r.Text(7);
  s.source = r.Text(8);
  s.currency = r.Text(9);
  s.status = r.Text(10);
  s.note = r.Text(11);
  s.subtotal = r.Int(12);
  s.discount_total = r.Int(13);
  s.net_total = r.Int(14);
  s.points_redeemed = r.Int(15);
  s.points_value = r.Int(16);
  s.due = r.Int(17);
  s.tax_total = r.Int(18);
  s.tendered = r.Int(19);
  s.change_due = r.Int(20);
  s.points_earned = r.Int(21);
  s.refunded_total = r.Int(22);
  s.staff_name = r.Text(23);
  return s;
}

Status LoadSaleDetails(store::Tx& tx, Sale& s) {
  SY_ASSIGN_OR_RETURN(auto lines, tx.Exec("SELECT id, line_no, product_id, barcode, title, genre, quantity, unit_price, "
                                          "unit_cost, tax_rate_bp, gross, member_discount, coupon_discount, net, "
                                          "points_share, paid, tax, returned_qty FROM sale_lines WHERE sale_id = ? "
                                          "ORDER BY line_no",
                                          {s.id}));
  for (const auto& r : lines.rows) {
    SaleLine l;
    l.id = r.Int(0);
    l.line_no = r.Int(1);
    l.product_id = r.Int(2);
    l.barcode = r.Text(3);
    l.title = r.Text(4);
    l.genre = r.Text(5);
    l.quantity = r.Int(6);
    l.unit_price = r.Int(7);
    l.unit_cost = r.OptInt(8);
    l.tax_rate_bp = r.Int(9);
    l.gross = r.Int(10);
    l.member_discount = r.Int(11);
    l.coupon_discount = r.Int(12);
    l.net = r.Int(13);
    l.points_share = r.Int(14);
    l.paid = r.Int(15);
    l.tax = r.Int(16);
    l.returned_qty = r.Int(17);
    s.lines.push_back(std::move(l));
  }
  SY_ASSIGN_OR_RETURN(auto discounts, tx.Exec("SELECT rule, detail, amount, applied, coupon_id FROM sale_discounts "
                                              "WHERE sale_id = ? ORDER BY id",
                                              {s.id}));
  for (const auto& r : discounts.rows)
    s.discounts.push_back({r.Text(0), r.Text(1), r.Int(2), r.Int(3) != 0, r.OptInt(4)});
  SY_ASSIGN_OR_RETURN(auto pays, tx.Exec("SELECT id, method, amount, tendered, reference, refunded FROM sale_payments "
                                         "WHERE sale_id = ? ORDER BY id",
                                         {s.id}));
  for (const auto& r : pays.rows) s.payments.push_back({r.Int(0), r.Text(1), r.Int(2), r.Int(3), r.Text(4), r.Int(5)});
  SY_ASSIGN_OR_RETURN(auto rets, tx.Exec("SELECT id, store_id, shift_id, staff_id, at, business_day, kind, reason, "
                                         "refund_total, points_taken_back, points_given_back FROM sale_returns "
                                         "WHERE sale_id = ? ORDER BY id",
                                         {s.id}));
  for (const auto& r : rets.rows) {
    SaleReturn ret;
    ret.id = r.Int(0);
    ret.sale_id = s.id;
    ret.store_id = r.Int(1);
    ret.shift_id = r.OptInt(2);
    ret.staff_id = r.OptInt(3);
    ret.at = r.Int(4);
    ret.business_day = r.Text(5);
    ret.kind = r.Text(6);
    ret.reason = r.Text(7);
    ret.refund_total = r.Int(8);
    ret.points_taken_back = r.Int(9);
    ret.points_given_back = r.Int(10);
    SY_ASSIGN_OR_RETURN(auto rl, tx.Exec("SELECT sale_line_id, quantity, refund, points_share FROM return_lines "
                                         "WHERE return_id = ? ORDER BY id",
                                         {ret.id}));
    for (const auto& x : rl.rows) ret.lines.push_back({x.Int(0), x.Int(1), x.Int(2), x.Int(3)});
    SY_ASSIGN_OR_RETURN(auto rp, tx.Exec("SELECT sale_payment_id, method, amount FROM return_payments "
                                         "WHERE return_id = ? ORDER BY id",
                                         {ret.id}));
    for (const auto& x : rp.rows) ret.payments.push_back({x.Int(0), x.Text(1), x.Int(2)});
    SY_ASSIGN_OR_RETURN(auto st, tx.Exec("SELECT t.card_id, c.name, t.stamps, t.rewards_cancelled, t.shortfall FROM "
                                         "stamp_takebacks t JOIN stamp_cards c ON c.id = t.card_id WHERE t.sale_id = ? "
                                         "AND t.return_id = ? ORDER BY t.id",
                                         {s.id, ret.id}));
    for (const auto& x : st.rows) ret.stamps.push_back({x.Int(0), x.Text(1), x.Int(2), x.Int(3), x.Int(4), 0});
    s.returns.push_back(std::move(ret));
  }
  return Status::Ok();
}

// ---- returns ----

// The part of `total` that k of n units carry, cumulatively exact: Share(total, n, n) = total.
int64_t Share(int64_t total, int64_t k, int64_t n) { return n == 0 ? 0 : total * k / n; }

int RefundOrder(const std::string& method) {
  if (method == "stored_value") return 0;
  if (method == "card") return 1;
  if (method == "mobile") return 2;
  return 3;  // cash last
}

Result<SaleReturn> WriteReturn(store::Tx& tx, const Context& ctx, const Actor& actor, Sale& sale,
                               const std::vector<ReturnLineRequest>& wanted, const std::string& kind,
                               const std::string& reason, std::optional<int64_t> shift_id) {
  if (sale.status == "voided") return Invalid("sale " + sale.receipt_number + " was voided", {{"sale", "voided"}});
  if (sale.status == "returned") return Invalid("sale " + sale.receipt_number + " has been returned in full", {{"sale", "already returned"}});
  if (reason.size() > 500) return Invalid("the reason must be at most 500 characters", {{"reason", "too long"}});
  if (shift_id) SY_RETURN_IF_ERROR(CheckOpenShift(tx, *shift_id, sale.store_id));
  // What to return: the lines named, or everything not yet returned.
  std::map<int64_t, int64_t> qty;  // sale_line_id → quantity now
  if (wanted.empty()) {
    for (const auto& l : sale.lines)
      if (l.quantity > l.returned_qty) qty[l.id] = l.quantity - l.returned_qty;
  } else {
    for (size_t i = 0; i < wanted.size(); ++i) {
      std::string f = "lines[" + std::to_string(i) + "]";
      auto it = std::find_if(sale.lines.begin(), sale.lines.end(), [&](const SaleLine& l) { return l.id == wanted[i].sale_line_id; });
      if (it == sale.lines.end())
        return Invalid("line " + std::to_string(wanted[i].sale_line_id) + " is not a line of sale " + sale.receipt_number,
                       {{f + ".sale_line_id", "not a line of this sale"}});
      if (wanted[i].quantity <= 0) return Invalid("a returned quantity must be positive", {{f + ".quantity", "must be positive"}});
      qty[it->id] += wanted[i].quantity;
      if (qty[it->id] > it->quantity - it->returned_qty)
        return Invalid("only " + std::to_string(it->quantity - it->returned_qty) + " of \"" + it->title + "\" can still be returned",
                       {{f + ".quantity", "more than is left to return (" + std::to_string(it->quantity - it->returned_qty) + ")"}});
    }
  }
  if (qty.empty()) return Invalid("nothing is left to return on sale " + sale.receipt_number, {{"lines", "nothing to return"}});

  const int64_t at = ctx.now();
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, at));
  SaleReturn ret;
  ret.sale_id = sale.id;
  ret.store_id = sale.store_id;
  ret.shift_id = shift_id;
  if (actor.kind == "staff") ret.staff_id = actor.id;
  ret.at = at;
  ret.business_day = FormatDay(day);
  ret.kind = kind;
  ret.reason = reason;
  // Per line: the money and points parts of the net for the units returned, cumulatively.
  int64_t net_after = 0;  // the net of everything returned so far, this return included
  std::vector<std::pair<std::string, int64_t>> genres;
  bool all_returned = true;
  for (auto& l : sale.lines) {
    int64_t now = qty.count(l.id) ? qty[l.id] : 0;
    int64_t before = l.returned_qty, after = before + now;
    net_after += Share(l.net, after, l.quantity);
    if (after < l.quantity) all_returned = false;
    if (now == 0) continue;
    ReturnLine rl{l.id, now, Share(l.paid, after, l.quantity) - Share(l.paid, before, l.quantity),
                  Share(l.points_share, after, l.quantity) - Share(l.points_share, before, l.quantity)};
    ret.refund_total += rl.refund;
    ret.lines.push_back(rl);
    genres.push_back({l.genre, -rl.refund});
    l.returned_qty = after;
  }
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO sale_returns (sale_id, store_id, shift_id, staff_id, at, business_day, "
                                        "kind, reason, refund_total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                        {sale.id, sale.store_id, OptValue(shift_id), StaffIdOf(actor), at,
                                         ret.business_day, kind, reason, ret.refund_total}));
  ret.id = ins[0].Int(0);
  const std::string why = (kind == "void" ? "void of sale " : "return of sale ") + sale.receipt_number;
  for (const auto& rl : ret.lines) {
    const SaleLine& l = *std::find_if(sale.lines.begin(), sale.lines.end(), [&](const SaleLine& x) { return x.id == rl.sale_line_id; });
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO return_lines (return_id, sale_line_id, quantity, refund, points_share) "
                               "VALUES (?, ?, ?, ?, ?)",
                               {ret.id, rl.sale_line_id, rl.quantity, rl.refund, rl.points_share})
                           .status());
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE sale_lines SET returned_qty = returned_qty + ? WHERE id = ? AND "
                                          "returned_qty + ? <= quantity",
                                          {rl.quantity, rl.sale_line_id, rl.quantity}));
    if (upd.affected == 0) return Status(Code::kConflict, "\"" + l.title + "\" was returned meanwhile; reload the sale");
    SY_RETURN_IF_ERROR(ReturnStock(tx, at, sale.store_id, l.product_id, rl.quantity, "return", sale.id, why,
                                   actor.kind == "staff" ? std::optional<int64_t>(actor.id) : std::nullopt)
                           .status());
  }
  // Stamps the returned lines had earned come off the member's cards.
  if (sale.member_id) {
    std::vector<core::StampLine> remaining;
    for (const auto& l : sale.lines) remaining.push_back({l.genre, l.quantity - l.returned_qty});
    SY_ASSIGN_OR_RETURN(ret.stamps, TakeBackStampsForReturn(tx, ctx, actor, *sale.member_id, sale.id, ret.id, remaining));
  }
  // The refund goes back to the payments: stored value, card, mobile, then cash.
  std::vector<SalePayment*> order;
  for (auto& p : sale.payments) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const SalePayment* a, const SalePayment* b) {
    return RefundOrder(a->method) < RefundOrder(b->method);
  });
  int64_t left = ret.refund_total;
  for (SalePayment* p : order) {
    int64_t take = std::min(left, p->amount - p->refunded);
    if (take <= 0) continue;
    left -= take;
    store::Value ledger = store::Null();
    if (p->method == "stored_value") {
      SY_ASSIGN_OR_RETURN(auto e, RefundStoredValue(tx, ctx, actor, *sale.member_id, take, sale.id, why));
      ledger = e.id;
    }
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO return_payments (return_id, sale_payment_id, method, amount, "
                               "stored_value_ledger_id) VALUES (?, ?, ?, ?, ?)",
                               {ret.id, p->id, p->method, take, ledger})
                           .status());
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_payments SET refunded = refunded + ? WHERE id = ?", {take, p->id}).status());
    p->refunded += take;
    ret.payments.push_back({p->id, p->method, take});
  }
  if (left != 0) return Status(Code::kInternal, "the refund of sale " + sale.receipt_number + " does not match its payments");
  // Points in proportion of the net returned so far; the member's spend down by the refund.
  if (sale.member_id && (sale.points_earned > 0 || sale.points_redeemed > 0)) {
    SY_ASSIGN_OR_RETURN(Reversal rev, ReversePoints(tx, ctx, actor, ReverseTarget{sale.id, std::nullopt},
                                                    Proportion{net_after, sale.net_total}));
    ret.points_taken_back = rev.taken_back;
    ret.points_given_back = rev.given_back;
  }
  if (sale.member_id && ret.refund_total > 0) {
    SY_RETURN_IF_ERROR(RecordPurchase(tx, ctx, *sale.member_id, PurchaseStats{at, -ret.refund_total, false, genres}).status());
  }
  if (all_returned) SY_RETURN_IF_ERROR(GiveBackCoupons(tx, sale.id, at));
  sale.status = kind == "void" ? "voided" : all_returned ? "returned" : "partly_returned";
  sale.refunded_total += ret.refund_total;
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE sale_returns SET points_taken_back = ?, points_given_back = ? WHERE id = ?",
                             {ret.points_taken_back, ret.points_given_back, ret.id})
                         .status());
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET status = ?, refunded_total = refunded_total + ? WHERE id = ?",
                             {sale.status, ret.refund_total, sale.id})
                         .status());
  SY_RETURN_IF_ERROR(FeedReturn(tx, ctx, ret.id));
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, kind == "void" ? "sale.void" : "sale.return", "sale:" + std::to_string(sale.id),
                                 {{"return_id", ret.id},
                                  {"refund_total", ret.refund_total},
                                  {"points_taken_back", ret.points_taken_back},
                                  {"points_given_back", ret.points_given_back},
                                  {"reason", reason}}));
  return ret;
}

}  // namespace

Result<CheckoutResult> Checkout(store::Tx& tx, const Context& ctx, const Actor& actor, const SaleRequest& in) {
  if (!IsTillRole(actor.role)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may sell");
  SY_RETURN_IF_ERROR(CheckRequestShape(in, true));
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, in.store_id, "sell"));
  SY_ASSIGN_OR_RETURN(Priced pr, PriceRequest(tx, ctx, in));
  SY_ASSIGN_OR_RETURN(core::Settlement settled, Settle(pr, in));

  CheckoutResult out;
  Sale& s = out.sale;
  s = SaleFromPricing(pr, in, actor);
  for (const auto& p : in.payments) s.tendered += p.amount;
  s.change_due = settled.change_due.minor();

  // The sale row first: every other row refers to it. Its receipt number needs its id, so it is
  // inserted under a unique stand-in that sorts (bytewise) just after the store's receipts of the
  // day, where the real number goes: both land on the same index page.
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO sales (receipt_number, store_id, shift_id, staff_id, member_id, at, "
                                        "business_day, source, currency, subtotal, discount_total, net_total, "
                                        "points_redeemed, points_value, due, tax_total, tendered, change_due, note) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, 'till', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                        {ReceiptPrefix(pr.store.code, pr.day) + "~" + RandomToken(12),
                                         in.store_id, OptValue(in.shift_id), StaffIdOf(actor), OptValue(in.member_id),
                                         pr.at, pr.day, s.currency, s.subtotal, s.discount_total, s.net_total,
                                         s.points_redeemed, s.points_value, s.due, s.tax_total, s.tendered, s.change_due,
                                         in.note}));
  s.id = ins[0].Int(0);
  s.receipt_number = ReceiptNumber(pr.store.code, pr.day, s.id);
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET receipt_number = ? WHERE id = ?", {s.receipt_number, s.id}).status());

  // Lines, in one statement.
  {
    std::string sql = "INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, title, genre, quantity, unit_price, "
                      "unit_cost, tax_rate_bp, gross, member_discount, coupon_discount, net, points_share, paid, tax) VALUES ";
    std::vector<store::Value> params;
    for (size_t i = 0; i < s.lines.size(); ++i) {
      const SaleLine& l = s.lines[i];
      sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      for (store::Value v : {store::Value(s.id), store::Value(l.line_no), store::Value(l.product_id), store::Value(l.barcode),
                             store::Value(l.title), store::Value(l.genre), store::Value(l.quantity), store::Value(l.unit_price),
                             OptValue(l.unit_cost), store::Value(l.tax_rate_bp), store::Value(l.gross),
                             store::Value(l.member_discount), store::Value(l.coupon_discount), store::Value(l.net),
                             store::Value(l.points_share), store::Value(l.paid), store::Value(l.tax)})
        params.push_back(std::move(v));
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " RETURNING id, line_no", params));
    for (const auto& r : rows.rows) s.lines.at(size_t(r.Int(1) - 1)).id = r.Int(0);
  }
  std::vector<std::pair<int64_t, int64_t>> coupon_uses;
  for (const auto& d : s.discounts) {
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sale_discounts (sale_id, rule, detail, amount, applied, coupon_id) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               {s.id, d.rule, d.detail, d.amount, int64_t(d.applied ? 1 : 0), OptValue(d.coupon_id)})
                           .status());
    if (d.coupon_id && d.applied && d.amount > 0) coupon_uses.push_back({*d.coupon_id, d.amount});
  }
  SY_RETURN_IF_ERROR(RecordCouponUses(tx, s.id, in.member_id, pr.at, coupon_uses));

  // Stock, merged per product so that a title scanned twice is taken once.
  {
    std::map<int64_t, int64_t> per_product;
    for (const auto& l : s.lines) per_product[l.product_id] += l.quantity;
    SY_RETURN_IF_ERROR(TakeStockForSale(tx, pr.at, in.store_id, per_product, s.id, "sale " + s.receipt_number,
                                        actor.kind == "staff" ? std::optional<int64_t>(actor.id) : std::nullopt));
  }

  // Payments: stored value is spent from the member's card; cash keeps tendered − change.
  for (size_t i = 0; i < settled.payments.size(); ++i) {
    const core::Payment& p = settled.payments[i];
    store::Value ledger = store::Null();
    if (p.method == core::PaymentMethod::kStoredValue) {
      SY_ASSIGN_OR_RETURN(auto e, SpendStoredValue(tx, ctx, actor, *in.member_id, p.amount.minor(), s.id,
                                                   "sale " + s.receipt_number));
      ledger = e.id;
      out.stored_value_balance = e.balance_after;
    }
    SY_ASSIGN_OR_RETURN(auto prow, tx.Exec("INSERT INTO sale_payments (sale_id, method, amount, tendered, reference, "
                                           "stored_value_ledger_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                           {s.id, std::string(core::PaymentMethodName(p.method)), p.amount.minor(),
                                            in.payments[i].amount, in.payments[i].reference, ledger}));
    s.payments.push_back({prow[0].Int(0), core::PaymentMethodName(p.method), p.amount.minor(), in.payments[i].amount,
                          in.payments[i].reference, 0});
  }

  if (in.member_id) {
    const int64_t member = *in.member_id;
    if (s.points_redeemed > 0)
      SY_RETURN_IF_ERROR(RedeemPoints(tx, ctx, actor, member, s.points_redeemed, "paid sale " + s.receipt_number, s.id).status());
    Purchase purchase;
    purchase.sale_id = s.id;
    purchase.at = pr.at;
    purchase.lines = EarnLines(s);
    purchase.club_points_pct = pr.club.points_percent;
    purchase.club = pr.club.points_club;
    SY_ASSIGN_OR_RETURN(Earning earned, EarnForPurchase(tx, ctx, actor, member, purchase));
    s.points_earned = earned.entry ? earned.entry->points : 0;
    out.points_explained = earned.explained;
    PurchaseStats stats;
    stats.at = pr.at;
    for (const auto& l : s.lines) {
      stats.amount += l.paid;
      if (!l.genre.empty()) stats.genres.push_back({l.genre, l.paid});
    }
    SY_ASSIGN_OR_RETURN(out.tier_change, RecordPurchase(tx, ctx, member, stats));
    std::vector<core::StampLine> stamp_lines;
    for (const auto& l : s.lines) stamp_lines.push_back({l.genre, l.quantity});
    SY_ASSIGN_OR_RETURN(out.stamps, AwardStampsForSale(tx, ctx, actor, member, stamp_lines, s.id));
    SY_ASSIGN_OR_RETURN(auto bal, tx.Exec("SELECT points_balance, stored_value_balance FROM members WHERE id = ?", {member}));
    out.points_balance = bal[0].Int(0);
    out.stored_value_balance = bal[0].Int(1);
    if (s.points_earned > 0)
      SY_RETURN_IF_ERROR(tx.Exec("UPDATE sales SET points_earned = ? WHERE id = ?", {s.points_earned, s.id}).status());
  }
  // The report aggregates are fed once for all the sales that commit together (a group commit's,
  // on SQLite), in the same transaction: FeedSales is the batch form of FeedSale. ctx outlives
  // the transaction (every write's caller waits for its commit).
  SY_RETURN_IF_ERROR(tx.AtCommit("report_feed.sales", s.id, [c = &ctx](store::Tx& t, const std::vector<int64_t>& ids) {
    return FeedSales(t, *c, ids);
  }));
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "sale.create", "sale:" + std::to_string(s.id),
                                 {{"receipt_number", s.receipt_number},
                                  {"total", s.net_total},
                                  {"member_id", in.member_id ? nlohmann::json(*in.member_id) : nlohmann::json()}}));
  return out;
}

Result<Quote> QuoteSale(Context& ctx, const Actor& actor, const SaleRequest& in) {
  if (!IsTillRole(actor.role)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may sell");
  SY_RETURN_IF_ERROR(CheckRequestShape(in, false));
  Quote out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Priced pr, PriceRequest(tx, ctx, in));
    out.sale = SaleFromPricing(pr, in, actor);
    if (!in.payments.empty()) {
      SY_ASSIGN_OR_RETURN(core::Settlement settled, Settle(pr, in));
      for (const auto& p : in.payments) out.sale.tendered += p.amount;
      out.sale.change_due = settled.change_due.minor();
    }
    out.max_points_to_redeem = MaxPointsToRedeem(pr);
    if (pr.member) {
      out.points_balance = pr.member->points_balance;
      out.stored_value_balance = pr.member->stored_value_balance;
      const LoyaltyProgram& prog = pr.program.program;
      core::MemberFacts facts;
      for (const auto& t : prog.earning.tiers)
        if (t.name == pr.member->tier) facts.tier = t.name;
      SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT birthday, visits FROM members WHERE id = ?", {pr.member->id}));
      if (auto b = m[0].OptText(0))
        if (auto d = ParseDay(*b); d.ok()) facts.birth_month = d->month();
      facts.first_purchase = m[0].Int(1) == 0;
      core::Basket basket;
      for (const auto& l : out.sale.lines) basket.push_back({l.genre, core::Money(l.paid, pr.currency)});
      SY_ASSIGN_OR_RETURN(core::Date day, ParseDay(pr.day));
      SY_ASSIGN_OR_RETURN(out.points_explained, core::EarnPoints(prog.earning, basket, facts, day));
      ApplyClubMultiplier(out.points_explained, pr.club.points_percent, pr.club.points_club);
      out.points_to_earn = out.points_explained.points;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Sale> LoadSale(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kSaleColumns +
                                             " FROM sales s LEFT JOIN staff st ON st.id = s.staff_id WHERE s.id = ?",
                                         {id}));
  if (rows.empty()) return NotFound("no sale with id " + std::to_string(id));
  Sale s = SaleFromRow(rows[0]);
  SY_RETURN_IF_ERROR(LoadSaleDetails(tx, s));
  return s;
}

Result<Sale> GetSale(Context& ctx, int64_t id) {
  Sale out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadSale(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Sale> FindSaleByReceipt(Context& ctx, const std::string& receipt_number) {
  Sale out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM sales WHERE receipt_number = ?", {receipt_number}));
    if (rows.empty()) return NotFound("no sale has the receipt number " + receipt_number);
    SY_ASSIGN_OR_RETURN(out, LoadSale(tx, rows[0].Int(0)));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Sale>> ListSales(Context& ctx, const PageQuery& page, const SaleFilter& f) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "s.id", true}, {"net_total", "s.net_total", true}}, "-id", "s.id"));
  for (const auto* d : {&f.from, &f.to})
    if (!d->empty() && !ParseDay(*d).ok())
      return Invalid("dates must be YYYY-MM-DD", {{d == &f.from ? "from" : "to", "must be a date YYYY-MM-DD"}});
  Page<Sale> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kSaleColumns + ", " + ks.column.sql +
                      " FROM sales s LEFT JOIN staff st ON st.id = s.staff_id WHERE " + ks.where;
    auto params = ks.params;
    auto filter = [&](const char* cond, store::Value v) {
      sql += std::string(" AND ") + cond;
      params.push_back(std::move(v));
    };
    // With a book on the counter, the sales are found from that book's lines (few, newest
    // first by id) rather than from every sale of the store and days: `s.store_id + 0` and
    // `s.business_day || ''` keep SQLite's planner (no statistics) off the store/day index,
    // which would walk months of sales and probe each one's lines.
    const bool by_book = f.returnable_product_id.has_value();
    if (by_book)
      filter("s.status IN ('completed', 'partly_returned') AND s.id IN (SELECT l.sale_id FROM sale_lines l "
             "WHERE l.product_id = ? AND l.returned_qty < l.quantity)",
             *f.returnable_product_id);
    if (f.store_id) filter(by_book ? "s.store_id + 0 = ?" : "s.store_id = ?", *f.store_id);
    if (f.member_id) filter("s.member_id = ?", *f.member_id);
    if (f.shift_id) filter("s.shift_id = ?", *f.shift_id);
    if (!f.from.empty()) filter(by_book ? "s.business_day || '' >= ?" : "s.business_day >= ?", f.from);
    if (!f.to.empty()) filter(by_book ? "s.business_day || '' <= ?" : "s.business_day <= ?", f.to);
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, 24, 0);
    for (const auto& r : rows.rows) out.items.push_back(SaleFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<SaleReturn> ReturnSale(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                              const ReturnRequest& in) {
  if (!IsTillRole(actor.role)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may take returns");
  SY_ASSIGN_OR_RETURN(Sale sale, LoadSale(tx, sale_id));
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, sale.store_id, "take returns"));
  return WriteReturn(tx, ctx, actor, sale, in.lines, "return", in.reason, in.shift_id);
}

Result<SaleReturn> VoidSale(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                            const std::string& reason, std::optional<int64_t> shift_id) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may void a sale");
  if (reason.find_first_not_of(' ') == std::string::npos) return Invalid("a reason is required to void a sale", {{"reason", "is required"}});
  SY_ASSIGN_OR_RETURN(Sale sale, LoadSale(tx, sale_id));
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, sale.store_id, "void sales"));
  if (!sale.returns.empty())
    return Status(Code::kConflict, "sale " + sale.receipt_number + " already has a return; return the rest instead of voiding");
  return WriteReturn(tx, ctx, actor, sale, {}, "void", reason, shift_id);
}

}  // namespace shuyou::service
