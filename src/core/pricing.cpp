// Basket pricing and payment settlement: see pricing.h for the order of the rules.
#include "core/pricing.h"

#include <algorithm>
#include <set>

namespace shuyou::core {
namespace {

Money Zero(const Currency& c) { return Money(0, c); }

// Adds b into a (same currency assumed checked by the caller).
Status AddTo(Money& a, const Money& b) {
  SY_ASSIGN_OR_RETURN(a, Add(a, b));
  return Status::Ok();
}

std::string Pct(int64_t pct) { return std::to_string(pct) + "%"; }

// Splits `total` over the lines in `which` in proportion to `weights` (their current amounts);
// answers one Money per input line (0 for lines not in `which`).
Result<std::vector<Money>> SplitOver(const Money& total, const std::vector<size_t>& which,
                                     const std::vector<Money>& weights, size_t line_count) {
  std::vector<Money> out(line_count, Zero(total.currency()));
  if (total.minor() == 0 || which.empty()) return out;
  std::vector<int64_t> w;
  for (size_t i : which) w.push_back(weights[i].minor());
  SY_ASSIGN_OR_RETURN(std::vector<Money> parts, SplitByWeights(total, w));
  for (size_t k = 0; k < which.size(); ++k) out[which[k]] = parts[k];
  return out;
}

Status CheckCoupon(const Coupon& c, const Currency& cur) {
  const std::string name = "coupon " + c.code;
  if (c.code.empty()) return Invalid("a coupon has no code");
  auto same = [&](const Money& m) { return m.currency() == cur; };
  switch (c.kind) {
    case CouponKind::kPercent:
      if (c.percent < 1 || c.percent > 100) return Invalid(name + ": the percent must be 1 to 100");
      break;
    case CouponKind::kFixed:
      if (!same(c.amount) || c.amount.minor() <= 0) return Invalid(name + ": the amount must be positive");
      break;
    case CouponKind::kSpendGet:
      if (!same(c.amount) || !same(c.threshold) || c.amount.minor() <= 0 || c.threshold.minor() <= 0)
        return Invalid(name + ": the spend and the amount off must be positive");
      break;
  }
  if (c.min_spend && (!same(*c.min_spend) || c.min_spend->minor() < 0))
    return Invalid(name + ": the minimum spend must not be negative");
  return Status::Ok();
}

// What a coupon takes off `eligible`, with the receipt's words for it.
Result<std::pair<Money, std::string>> CouponAmount(const Coupon& c, const Money& eligible, Rounding rounding) {
  const Currency& cur = eligible.currency();
  switch (c.kind) {
    case CouponKind::kPercent: {
      SY_ASSIGN_OR_RETURN(Money off, Multiply(eligible, Percent(c.percent), rounding));
      return std::pair{off, Pct(c.percent) + " off " + FormatMoney(eligible)};
    }
    case CouponKind::kFixed: {
      Money off(std::min(c.amount.minor(), eligible.minor()), cur);
      return std::pair{off, FormatMoney(c.amount) + " off " + FormatMoney(eligible)};
    }
    case CouponKind::kSpendGet: {
      int64_t times = eligible.minor() / c.threshold.minor();
      if (!c.repeat) times = std::min<int64_t>(times, 1);
      if (times == 0)
        return Invalid("coupon " + c.code + " needs a spend of " + FormatMoney(c.threshold) +
                       " on eligible items; the basket has " + FormatMoney(eligible));
      SY_ASSIGN_OR_RETURN(Money off, Multiply(c.amount, Ratio{times, 1}, Rounding::kDown));
      off = Money(std::min(off.minor(), eligible.minor()), cur);
      std::string detail = FormatMoney(c.amount) + " off " + (c.repeat ? "every " : "") + FormatMoney(c.threshold) +
                           " of " + FormatMoney(eligible);
      return std::pair{off, detail};
    }
  }
  return Internal("unknown coupon kind");
}

}  // namespace

Result<Pricing> PriceBasket(const PricingInput& in) {
  const Currency& cur = in.currency;
  const size_t n = in.lines.size();
  if (n == 0) return Invalid("the sale has no lines");
  if (in.tier_discount_pct < 0 || in.tier_discount_pct > 100 || in.club_discount_pct < 0 ||
      in.club_discount_pct > 100)
    return Invalid("a member discount must be 0 to 100 percent");

  Pricing out;
  out.subtotal = out.discount_total = out.net_total = out.points_value = out.due = out.tax_total = Zero(cur);
  std::vector<Money> net;  // running net per line
  for (size_t i = 0; i < n; ++i) {
    const PricingLine& l = in.lines[i];
    const std::string where = "line " + std::to_string(i + 1);
    if (l.quantity < 1 || l.quantity > 9999) return Invalid(where + ": the quantity must be 1 to 9999");
    if (!(l.unit_price.currency() == cur)) return Invalid(where + ": the price is not in " + std::string(cur.code));
    if (l.unit_price.minor() < 0) return Invalid(where + ": the price must not be negative");
    if (l.tax_rate_bp < 0 || l.tax_rate_bp > 10000) return Invalid(where + ": the tax rate must be 0% to 100%");
    PricedLine p;
    SY_ASSIGN_OR_RETURN(p.gross, Multiply(l.unit_price, Ratio{l.quantity, 1}, Rounding::kDown));
    p.member_discount = p.coupon_discount = p.points_share = p.tax = Zero(cur);
    SY_RETURN_IF_ERROR(AddTo(out.subtotal, p.gross));
    net.push_back(p.gross);
    out.lines.push_back(p);
  }
  std::vector<size_t> discountable;
  for (size_t i = 0; i < n; ++i)
    if (in.lines[i].discountable) discountable.push_back(i);
  auto sum_of = [&](const std::vector<size_t>& which) -> Result<Money> {
    Money s = Zero(cur);
    for (size_t i : which) SY_RETURN_IF_ERROR(AddTo(s, net[i]));
    return s;
  };

  // 2. The better member discount; the tier's on a tie.
  struct MemberOffer {
    std::string rule;
    int64_t pct;
  };
  std::vector<MemberOffer> offers;
  if (!in.tier.empty() && in.tier_discount_pct > 0) offers.push_back({"tier:" + in.tier, in.tier_discount_pct});
  if (!in.club.empty() && in.club_discount_pct > 0) offers.push_back({"club:" + in.club, in.club_discount_pct});
  if (!offers.empty()) {
    size_t best = offers.size() > 1 && offers[1].pct > offers[0].pct ? 1 : 0;
    SY_ASSIGN_OR_RETURN(Money eligible, sum_of(discountable));
    for (size_t k = 0; k < offers.size(); ++k) {
      AppliedDiscount d;
      d.rule = offers[k].rule;
      d.detail = Pct(offers[k].pct) + " off " + FormatMoney(eligible);
      d.amount = Zero(cur);
      d.per_line.assign(n, Zero(cur));
      if (k == best) {
        SY_ASSIGN_OR_RETURN(d.amount, Multiply(eligible, Percent(offers[k].pct), in.rounding));
        SY_ASSIGN_OR_RETURN(d.per_line, SplitOver(d.amount, discountable, net, n));
        for (size_t i = 0; i < n; ++i) {
          out.lines[i].member_discount = d.per_line[i];
          SY_ASSIGN_OR_RETURN(net[i], Subtract(net[i], d.per_line[i]));
        }
      } else {
        d.applied = false;
        d.detail += " (not applied: the better member discount is used)";
      }
      out.discounts.push_back(std::move(d));
    }
  }

  // 3. Coupons in the order given.
  std::set<std::string> codes;
  for (const Coupon& c : in.coupons) {
    SY_RETURN_IF_ERROR(CheckCoupon(c, cur));
    if (!codes.insert(c.code).second) return Invalid("coupon " + c.code + " is given twice");
    if (c.exclusive && in.coupons.size() > 1)
      return Invalid("coupon " + c.code + " cannot be combined with other coupons");
    std::vector<size_t> eligible_lines;
    for (size_t i : discountable)
      if (c.genres.empty() || std::find(c.genres.begin(), c.genres.end(), in.lines[i].genre) != c.genres.end())
        eligible_lines.push_back(i);
    SY_ASSIGN_OR_RETURN(Money eligible, sum_of(eligible_lines));
    if (eligible_lines.empty() || eligible.minor() == 0)
      return Invalid("coupon " + c.code + " applies to none of the items in this sale");
    if (c.min_spend && eligible.minor() < c.min_spend->minor())
      return Invalid("coupon " + c.code + " needs a spend of " + FormatMoney(*c.min_spend) +
                     " on eligible items; the basket has " + FormatMoney(eligible));
    SY_ASSIGN_OR_RETURN(auto off, CouponAmount(c, eligible, in.rounding));
    AppliedDiscount d;
    d.rule = "coupon:" + c.code;
    d.amount = off.first;
    d.detail = off.second;
    SY_ASSIGN_OR_RETURN(d.per_line, SplitOver(d.amount, eligible_lines, net, n));
    for (size_t i = 0; i < n; ++i) {
      SY_RETURN_IF_ERROR(AddTo(out.lines[i].coupon_discount, d.per_line[i]));
      SY_ASSIGN_OR_RETURN(net[i], Subtract(net[i], d.per_line[i]));
    }
    out.discounts.push_back(std::move(d));
  }
  for (const AppliedDiscount& d : out.discounts) SY_RETURN_IF_ERROR(AddTo(out.discount_total, d.amount));
  for (size_t i = 0; i < n; ++i) {
    out.lines[i].net = net[i];
    SY_RETURN_IF_ERROR(AddTo(out.net_total, net[i]));
  }

  // 4. Points as payment.
  if (in.points_to_redeem < 0) return Invalid("points to redeem must not be negative");
  if (in.points_to_redeem > 0) {
    const PointsRate& r = in.points_rate;
    if (r.points <= 0 || !(r.worth.currency() == cur) || r.worth.minor() <= 0 || r.max_pct < 0 || r.max_pct > 100)
      return Invalid("the points rate is not set up correctly");
    if (in.points_to_redeem > in.points_balance)
      return Status(Code::kConflict, "the member has " + std::to_string(in.points_balance) + " points, not " +
                                         std::to_string(in.points_to_redeem));
    auto value = MulDivRound(in.points_to_redeem, r.worth.minor(), r.points, Rounding::kDown);
    auto exact = MulDivRound(in.points_to_redeem, r.worth.minor(), r.points, Rounding::kUp);
    if (!value || !exact) return Invalid("points to redeem is too large");
    if (*value != *exact)
      return Invalid(std::to_string(r.points) + " points are worth " + FormatMoney(r.worth) +
                     ": redeem a number of points worth whole " + std::string(cur.code) + " minor units");
    SY_ASSIGN_OR_RETURN(Money cap, Multiply(out.net_total, Percent(r.max_pct), Rounding::kDown));
    if (*value > cap.minor()) {
      auto cap_points = MulDivRound(cap.minor(), r.points, r.worth.minor(), Rounding::kDown);
      return Invalid("at most " + FormatMoney(cap) + " (" + std::to_string(cap_points.value_or(0)) +
                     " points) of this sale may be paid with points");
    }
    out.points_redeemed = in.points_to_redeem;
    out.points_value = Money(*value, cur);
    std::vector<size_t> all;
    for (size_t i = 0; i < n; ++i) all.push_back(i);
    SY_ASSIGN_OR_RETURN(std::vector<Money> shares, SplitOver(out.points_value, all, net, n));
    for (size_t i = 0; i < n; ++i) out.lines[i].points_share = shares[i];
  }

  // 5. What is due, and the tax included in each line.
  for (size_t i = 0; i < n; ++i) {
    PricedLine& p = out.lines[i];
    SY_ASSIGN_OR_RETURN(p.paid, Subtract(p.net, p.points_share));
    SY_ASSIGN_OR_RETURN(p.tax, Multiply(p.net, Ratio{in.lines[i].tax_rate_bp, 10000 + in.lines[i].tax_rate_bp},
                                        Rounding::kHalfUp));
    SY_RETURN_IF_ERROR(AddTo(out.tax_total, p.tax));
  }
  SY_ASSIGN_OR_RETURN(out.due, Subtract(out.net_total, out.points_value));
  return out;
}

const char* PaymentMethodName(PaymentMethod m) {
  switch (m) {
    case PaymentMethod::kCash: return "cash";
    case PaymentMethod::kCard: return "card";
    case PaymentMethod::kMobile: return "mobile";
    case PaymentMethod::kStoredValue: return "stored_value";
  }
  return "cash";
}

std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name) {
  for (PaymentMethod m : {PaymentMethod::kCash, PaymentMethod::kCard, PaymentMethod::kMobile,
                          PaymentMethod::kStoredValue})
    if (name == PaymentMethodName(m)) return m;
  return std::nullopt;
}

Result<Settlement> SettlePayments(const Money& due, const std::vector<Payment>& payments) {
  const Currency& cur = due.currency();
  Money cash = Zero(cur), other = Zero(cur);
  for (size_t i = 0; i < payments.size(); ++i) {
    const Payment& p = payments[i];
    const std::string where = "payment " + std::to_string(i + 1);
    if (!(p.amount.currency() == cur)) return Invalid(where + " is not in " + std::string(cur.code));
    if (p.amount.minor() <= 0) return Invalid(where + ": the amount must be positive");
    SY_RETURN_IF_ERROR(AddTo(p.method == PaymentMethod::kCash ? cash : other, p.amount));
  }
  if (other.minor() > due.minor())
    return Invalid("card, mobile and stored-value payments come to " + FormatMoney(other) + ", more than the " +
                   FormatMoney(due) + " due");
  SY_ASSIGN_OR_RETURN(Money paid, Add(cash, other));
  if (paid.minor() < due.minor()) {
    SY_ASSIGN_OR_RETURN(Money short_by, Subtract(due, paid));
    return Invalid("the payments come to " + FormatMoney(paid) + ", short of the " + FormatMoney(due) + " due by " +
                   FormatMoney(short_by));
  }
  Settlement s;
  SY_ASSIGN_OR_RETURN(s.change_due, Subtract(paid, due));
  // The change comes out of the cash, last cash payment first.
  int64_t change = s.change_due.minor();
  s.payments = payments;
  for (auto it = s.payments.rbegin(); it != s.payments.rend() && change > 0; ++it) {
    if (it->method != PaymentMethod::kCash) continue;
    int64_t take = std::min(change, it->amount.minor());
    it->amount = Money(it->amount.minor() - take, cur);
    change -= take;
  }
  s.payments.erase(std::remove_if(s.payments.begin(), s.payments.end(),
                                  [](const Payment& p) { return p.amount.minor() == 0; }),
                   s.payments.end());
  return s;
}

}  // namespace shuyou::core
