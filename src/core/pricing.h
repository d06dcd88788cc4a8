// Pricing a sale at the till: basket lines, the member's discount, coupons and a points payment
// in; priced lines, every discount with the rule that gave it, and the amount due out. Pure.
// The order is fixed so that every number on a receipt can be explained:
//
//  1. Line price: gross = unit_price × quantity. Prices are tax-inclusive list prices.
//  2. Member discount: the better of the member's tier discount and club discount (never both;
//     the other is listed with applied = false). D = round(eligible × pct ÷ 100) on the sum of
//     the discountable lines, then split over those lines in proportion to their amounts.
//  3. Coupons, in the order given, each on what is left of its eligible lines (its genres, or
//     every discountable line): percent (round(E × pct ÷ 100)), fixed (min(amount, E)), or
//     spend-X-get-Y-off (满减: Y once when E ≥ X, or Y for every full X with `repeat`). A
//     coupon's min_spend is checked against E. An exclusive coupon cannot be used with another.
//  4. Points payment: points × value_per_point, at most max_pct of the amount left and at most
//     the member's balance; it is a payment, not a discount, and is split over the lines too
//     (so returns can give back the right share, and points are not earned on it).
//  5. Due = Σ net − points value. Tax per line: round_half_up(net × rate ÷ (100% + rate)) on the
//     net after discounts (the tax-inclusive price the member agreed to).
//
// Every split uses core::SplitByWeights (largest remainder), so each column of the lines sums
// exactly to its total. "round" is the input's rounding everywhere (default half-up).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace shuyou::core {

struct PricingLine {
  std::string genre;
  int64_t quantity = 1;        // 1–9999
  Money unit_price{0, kCNY};   // tax-inclusive, ≥ 0
  int64_t tax_rate_bp = 0;     // basis points: 900 = 9%; 0–10000
  bool discountable = true;    // false: no member discount or coupon touches it (e.g. gift cards)
};

enum class CouponKind { kPercent, kFixed, kSpendGet };

struct Coupon {
  std::string code;  // shown as the rule: "coupon:<code>"
  CouponKind kind = CouponKind::kPercent;
  int64_t percent = 0;                  // kPercent: 1–100
  Money amount{0, kCNY};                // kFixed: the amount off; kSpendGet: Y, the amount off
  Money threshold{0, kCNY};             // kSpendGet: X, the spend that earns Y (> 0)
  bool repeat = false;                  // kSpendGet: Y for every full X
  std::optional<Money> min_spend{};     // the eligible amount must reach this
  std::vector<std::string> genres;      // empty: every discountable line
  bool exclusive = false;               // cannot be combined with another coupon
};

struct PointsRate {
  int64_t points = 100;       // this many points…
  Money worth{100, kCNY};     // …are worth this much (100 points = ¥1.00)
  int64_t max_pct = 100;      // at most this percent of the amount due may be paid with points
};

struct PricingInput {
  Currency currency = kCNY;
  Rounding rounding = Rounding::kHalfUp;
  std::vector<PricingLine> lines;
  std::string tier;                     // "" when no member (or no tier discount)
  int64_t tier_discount_pct = 0;        // 0–100
  std::string club;                     // "" when none
  int64_t club_discount_pct = 0;        // 0–100
  std::vector<Coupon> coupons;
  int64_t points_to_redeem = 0;         // ≥ 0
  int64_t points_balance = 0;           // the member's balance (the limit for points_to_redeem)
  PointsRate points_rate;
};

struct PricedLine {
  Money gross{0, kCNY};            // unit_price × quantity
  Money member_discount{0, kCNY};
  Money coupon_discount{0, kCNY};
  Money net{0, kCNY};              // gross − discounts: the line's price on the receipt
  Money points_share{0, kCNY};     // the part of net paid with points
  Money paid{0, kCNY};             // net − points_share: paid with money (points earn on this)
  Money tax{0, kCNY};              // included in net
};

struct AppliedDiscount {
  std::string rule;          // "tier:gold", "club:书友会", "coupon:SAVE10"
  std::string detail;        // "10% off ¥79.80", "¥20.00 off every ¥100.00 of ¥230.00"
  Money amount{0, kCNY};     // 0 when not applied
  bool applied = true;       // false: listed for the receipt, e.g. the weaker member discount
  std::vector<Money> per_line;  // per input line; sums to amount
};

struct Pricing {
  std::vector<PricedLine> lines;
  std::vector<AppliedDiscount> discounts;
  Money subtotal{0, kCNY};        // Σ gross
  Money discount_total{0, kCNY};  // Σ applied discounts
  Money net_total{0, kCNY};       // subtotal − discount_total
  int64_t points_redeemed = 0;
  Money points_value{0, kCNY};
  Money due{0, kCNY};             // net_total − points_value: what the payments must cover
  Money tax_total{0, kCNY};
};

// Invalid, with a message a cashier can read, when: there are no lines; a line's quantity,
// price, tax rate or currency is wrong; a discount percent is outside 0–100; a coupon is
// malformed, repeated, below its min_spend, has no eligible line, or is exclusive with others;
// points_to_redeem is negative, above the balance, not worth a whole number of minor units, or
// above max_pct of the amount; or an amount overflows.
Result<Pricing> PriceBasket(const PricingInput& in);

enum class PaymentMethod { kCash, kCard, kMobile, kStoredValue };
const char* PaymentMethodName(PaymentMethod m);  // "cash", "card", "mobile", "stored_value"
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name);

struct Payment {
  PaymentMethod method = PaymentMethod::kCash;
  Money amount{0, kCNY};  // > 0
};

struct Settlement {
  std::vector<Payment> payments;  // as given, with cash reduced by the change
  Money change_due{0, kCNY};
};

// Checks that the payments pay `due` exactly, except that cash may be more (change is given
// from cash only, never more than the cash tendered). Invalid when an amount is not positive or
// in another currency, when they do not reach `due`, or when non-cash payments alone exceed it.
Result<Settlement> SettlePayments(const Money& due, const std::vector<Payment>& payments);

}  // namespace shuyou::core
