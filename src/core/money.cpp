// Money arithmetic, rounding, formatting, parsing and proportional splits (see money.h).
// Intermediate products are 128-bit (a GCC/Clang extension) so that only final results can
// overflow, and those are checked against int64 before they become Money.
#include "core/money.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace shuyou::core {

namespace {

__extension__ typedef __int128 i128;

constexpr i128 kMin64 = std::numeric_limits<int64_t>::min();
constexpr i128 kMax64 = std::numeric_limits<int64_t>::max();

bool Fits(i128 v) { return v >= kMin64 && v <= kMax64; }

// n ÷ d rounded with `mode`; d > 0.
i128 DivRound(i128 n, i128 d, Rounding mode) {
  i128 q = n / d;  // truncates toward zero
  i128 r = n % d;  // has the sign of n
  if (r == 0) return q;
  i128 away = n < 0 ? -1 : 1;
  i128 abs_r = r < 0 ? -r : r;
  i128 rest = d - abs_r;  // compared with abs_r instead of doubling it, which could overflow
  switch (mode) {
    case Rounding::kDown: return q;
    case Rounding::kUp: return q + away;
    case Rounding::kHalfUp: return abs_r >= rest ? q + away : q;
    case Rounding::kHalfEven:
      if (abs_r != rest) return abs_r > rest ? q + away : q;
      return q % 2 == 0 ? q : q + away;
  }
  return q;
}

Status MixedCurrencies(const Money& a, const Money& b) {
  return Invalid("mixed currencies: " + std::string(a.currency().code) + " and " +
                 std::string(b.currency().code));
}

Status OutOfRange() { return Invalid("amount out of range"); }

// The magnitude of m in major and minor parts: "12" and "30" for 1230 CNY.
std::string Digits(const Money& m) {
  uint64_t mag = m.minor() < 0 ? uint64_t(0) - uint64_t(m.minor()) : uint64_t(m.minor());
  int e = m.currency().exponent;
  uint64_t scale = 1;
  for (int i = 0; i < e; ++i) scale *= 10;
  std::string out = std::to_string(mag / scale);
  if (e > 0) {
    std::string frac = std::to_string(mag % scale);
    out += '.';
    out.append(size_t(e) - frac.size(), '0');
    out += frac;
  }
  return out;
}

}  // namespace

const char* RoundingName(Rounding r) {
  switch (r) {
    case Rounding::kHalfUp: return "half_up";
    case Rounding::kHalfEven: return "half_even";
    case Rounding::kDown: return "down";
    case Rounding::kUp: return "up";
  }
  return "unknown";
}

std::optional<Rounding> ParseRounding(std::string_view name) {
  for (Rounding r : {Rounding::kHalfUp, Rounding::kHalfEven, Rounding::kDown, Rounding::kUp})
    if (name == RoundingName(r)) return r;
  return std::nullopt;
}

std::optional<int64_t> MulDivRound(int64_t a, int64_t num, int64_t den, Rounding mode) {
  if (den <= 0) return std::nullopt;
  i128 v = DivRound(i128(a) * num, den, mode);
  if (!Fits(v)) return std::nullopt;
  return int64_t(v);
}

std::optional<Currency> FindCurrency(std::string_view code) {
  for (const Currency& c : {kCNY, kHKD, kTWD, kUSD, kEUR, kGBP, kJPY, kKRW})
    if (c.code == code) return c;
  return std::nullopt;
}

Result<Money> Add(const Money& a, const Money& b) {
  if (!(a.currency() == b.currency())) return MixedCurrencies(a, b);
  i128 v = i128(a.minor()) + b.minor();
  if (!Fits(v)) return OutOfRange();
  return Money(int64_t(v), a.currency());
}

Result<Money> Subtract(const Money& a, const Money& b) {
  if (!(a.currency() == b.currency())) return MixedCurrencies(a, b);
  i128 v = i128(a.minor()) - b.minor();
  if (!Fits(v)) return OutOfRange();
  return Money(int64_t(v), a.currency());
}

Result<Money> Multiply(const Money& m, Ratio r, Rounding mode) {
  if (r.den <= 0) return Invalid("a ratio's denominator must be positive");
  auto v = MulDivRound(m.minor(), r.num, r.den, mode);
  if (!v) return OutOfRange();
  return Money(*v, m.currency());
}

std::string FormatMoney(const Money& m) {
  std::string out = m.minor() < 0 ? "-" : "";
  out += m.currency().symbol;
  return out + Digits(m);
}

std::string FormatMoneyCode(const Money& m) {
  std::string out = m.minor() < 0 ? "-" : "";
  return out + Digits(m) + " " + std::string(m.currency().code);
}

Result<Money> ParseMoney(std::string_view text, const Currency& currency) {
  const Status bad = Invalid("\"" + std::string(text) + "\" is not an amount in " +
                             std::string(currency.code));
  std::string_view s = text;
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto digits = [](std::string_view d) { return d.find_first_not_of("0123456789") == d.npos; };
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) return bad;
  if (!digits(whole) || !digits(frac)) return bad;
  if (frac.size() > size_t(currency.exponent)) {
    return Invalid("\"" + std::string(text) + "\" has more than " +
                   std::to_string(currency.exponent) + " decimal places for " +
                   std::string(currency.code));
  }
  i128 v = 0;
  auto take = [&v](std::string_view d) {
    for (char c : d) {
      v = v * 10 + (c - '0');
      if (v > kMax64 + 1) return false;  // stop early; the sign is applied below
    }
    return true;
  };
  if (!take(whole) || !take(frac)) return OutOfRange();
  for (size_t i = frac.size(); i < size_t(currency.exponent); ++i) v *= 10;
  if (negative) v = -v;
  if (!Fits(v)) return OutOfRange();
  return Money(int64_t(v), currency);
}

Result<std::vector<Money>> SplitByWeights(const Money& total, const std::vector<int64_t>& weights) {
  if (weights.empty()) return Invalid("nothing to split among");
  i128 sum = 0;
  for (int64_t w : weights) {
    if (w < 0) return Invalid("weights must not be negative");
    sum += w;
  }
  if (sum == 0) return Invalid("weights must not all be zero");
  i128 mag = total.minor() < 0 ? -i128(total.minor()) : i128(total.minor());
  std::vector<i128> parts(weights.size()), rems(weights.size());
  i128 given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    parts[i] = mag * weights[i] / sum;
    rems[i] = mag * weights[i] % sum;
    given += parts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&rems](size_t a, size_t b) { return rems[a] > rems[b]; });
  // The leftover is below the number of parts with a non-zero remainder, so zero weights (whose
  // remainder is zero) never receive a unit.
  for (i128 left = mag - given, k = 0; left > 0; --left, ++k) parts[order[size_t(k)]] += 1;
  std::vector<Money> out;
  out.reserve(parts.size());
  for (i128 p : parts) out.emplace_back(int64_t(total.minor() < 0 ? -p : p), total.currency());
  return out;
}

}  // namespace shuyou::core
