// Money: an amount in integer minor units (fen, cents; yen have none) tagged with its currency.
// Arithmetic never mixes currencies and never overflows silently: it answers a Status instead.
// Every division says how it rounds (Rounding); there are no doubles anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shuyou::core {

// How a division that leaves a remainder is rounded (the names of Java's RoundingMode):
// kHalfUp: to nearest, ties away from zero (2.5 → 3, −2.5 → −3);
// kHalfEven: to nearest, ties to the even neighbour, "banker's rounding" (2.5 → 2, 3.5 → 4);
// kDown: toward zero (2.9 → 2, −2.9 → −2); kUp: away from zero (2.1 → 3, −2.1 → −3).
enum class Rounding { kHalfUp, kHalfEven, kDown, kUp };
const char* RoundingName(Rounding r);  // "half_up", "half_even", "down", "up"
std::optional<Rounding> ParseRounding(std::string_view name);

// a × num ÷ den rounded with `mode`, computed in 128 bits so the product cannot overflow.
// nullopt when den ≤ 0 or the result does not fit in int64.
std::optional<int64_t> MulDivRound(int64_t a, int64_t num, int64_t den, Rounding mode);

// An ISO 4217 currency Shuyou knows. `exponent` is the number of minor-unit digits.
struct Currency {
  std::string_view code;    // "CNY"
  int exponent;             // 2 for CNY, USD, EUR; 0 for JPY, KRW
  std::string_view symbol;  // "¥"; JPY is "JP¥" so that it is never mistaken for yuan
  friend bool operator==(const Currency& a, const Currency& b) { return a.code == b.code; }
};
inline constexpr Currency kCNY{"CNY", 2, "¥"};
inline constexpr Currency kHKD{"HKD", 2, "HK$"};
inline constexpr Currency kTWD{"TWD", 2, "NT$"};
inline constexpr Currency kUSD{"USD", 2, "$"};
inline constexpr Currency kEUR{"EUR", 2, "€"};
inline constexpr Currency kGBP{"GBP", 2, "£"};
inline constexpr Currency kJPY{"JPY", 0, "JP¥"};
inline constexpr Currency kKRW{"KRW", 0, "₩"};
// One of the constants above by its code ("CNY"); nullopt for any other code.
std::optional<Currency> FindCurrency(std::string_view code);

class Money {
 public:
  // `currency` should be one of the constants above (FindCurrency for a code from outside).
  constexpr Money(int64_t minor, const Currency& currency) : minor_(minor), currency_(currency) {}
  constexpr int64_t minor() const { return minor_; }
  constexpr const Currency& currency() const { return currency_; }
  friend bool operator==(const Money& a, const Money& b) {
    return a.minor_ == b.minor_ && a.currency_ == b.currency_;
  }

 private:
  int64_t minor_;
  Currency currency_;
};

// A fraction; Percent(12) is 12/100. Used for discounts and multipliers.
struct Ratio {
  int64_t num;
  int64_t den;
};
constexpr Ratio Percent(int64_t p) { return {p, 100}; }

// Invalid ("mixed currencies: CNY and USD", "amount out of range") instead of a wrong answer.
Result<Money> Add(const Money& a, const Money& b);
Result<Money> Subtract(const Money& a, const Money& b);
// m × r rounded with `mode`; Invalid when r.den ≤ 0 or the result does not fit.
Result<Money> Multiply(const Money& m, Ratio r, Rounding mode);

// "¥12.30", "-¥0.05", "JP¥1200": the symbol, then all minor digits, no grouping.
std::string FormatMoney(const Money& m);
// "12.30 CNY", "-0.05 CNY", "1200 JPY".
std::string FormatMoneyCode(const Money& m);
// "12.30", "12.3", "12", "-0.05" into minor units of `currency`. Refuses more fraction digits
// than the currency has (no silent rounding), signs other than a leading '-', spaces, grouping,
// a bare "." or ".5", and amounts that do not fit in int64.
Result<Money> ParseMoney(std::string_view text, const Currency& currency);

// Splits `total` into parts proportional to `weights` that sum to `total` exactly (largest
// remainder: each part is the floor of its exact share, and the units left over go one each to
// the parts with the largest remainders, earlier parts first on ties). A zero weight gets zero.
// A negative total is split as its magnitude, then negated. Invalid when weights are empty or
// negative or sum to zero.
Result<std::vector<Money>> SplitByWeights(const Money& total, const std::vector<int64_t>& weights);

}  // namespace shuyou::core
