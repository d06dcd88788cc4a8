// The points earning program as plain data, and EarnPoints: the points a purchase earns plus
// one explanation line per rule that took part. Invariants: the lines' points sum to the total,
// and the total is never negative. The combination rule, in order:
//
//  1. Eligible lines: every basket line except those whose genre multiplier is 0 (excluded;
//     listed with 0 points). Eligible total T = the sum of their paid amounts.
//  2. base = round(T × base_points ÷ base_per). One rounding on the whole basket, so three
//     books at ¥29.90 earn 89 points at 1 per ¥1.00, not 3 × 29.
//  3. For each genre with a multiplier m ≠ ×1 (in the program's order), on that genre's
//     subtotal G: extra = round(G × base_points ÷ base_per × (m − 1)). A multiplier below ×1
//     gives a negative extra, always rounded toward zero, so the basket never goes below zero.
//     line points P = base + all genre extras.
//  4. Member multipliers (tier, active bonus events, birthday month) are not multiplied together:
//     only the highest applies, extra = round(P × (M − 1)); ties go to the earlier of tier,
//     events in program order, birthday. The others are listed with 0 points, "not applied".
//  5. The first-purchase bonus is added last and is never multiplied. (The sign-up bonus is
//     granted without a purchase: SignUpPoints.)
//
// "round" is the program's Rounding everywhere except the reduction in step 3.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "core/tiers.h"

namespace shuyou::core {

using Date = std::chrono::year_month_day;  // also declared by tiers.h and expiry.h

// Multipliers are in percent: 100 = ×1, 150 = ×1.5, 0 = the genre earns nothing.
struct GenreMultiplier {
  std::string genre;
  int64_t pct = 100;  // 0–1000000
};

// Active on every day in [first, last], or only on `weekday` in that range ("member day").
struct BonusEvent {
  std::string name;
  Date first;
  Date last;
  std::optional<std::chrono::weekday> weekday{};
  int64_t pct = 200;  // 100–1000000
};

// A default Program is valid and earns nothing.
struct Program {
  int64_t base_points = 0;          // base_points for every base_per paid: 1 per ¥1.00
  Money base_per{100, kCNY};        // its currency is the program's currency
  Rounding rounding = Rounding::kDown;
  std::vector<GenreMultiplier> genres;
  std::vector<Tier> tiers;          // their points_pct is the tier multiplier
  std::vector<BonusEvent> events;
  int64_t birthday_month_pct = 100;  // in the member's birth month
  int64_t sign_up_bonus = 0;         // points, granted by SignUpPoints
  int64_t first_purchase_bonus = 0;  // points, on a first purchase with an eligible line
};

// Ok, or Invalid naming the first problem. Limits keep all arithmetic inside int64:
// base_points 0–1000000, base_per 1–10^12 minor units, multipliers as noted above, bonuses
// 0–10^12, event dates real and first ≤ last, names non-empty and unique, tiers as CheckTiers
// (when there are any) with spend thresholds in the program's currency.
Status CheckProgram(const Program& p);

struct BasketLine {
  std::string genre;
  Money paid;  // what the member actually paid for the line, after discounts; ≥ 0
};

using Basket = std::vector<BasketLine>;

struct MemberFacts {
  std::string tier;  // a name from Program::tiers, or "" for none
  std::optional<std::chrono::month> birth_month{};
  bool first_purchase = false;  // the member has made no purchase before this one
};

struct Explanation {
  std::string rule;    // "base", "genre:comics", "tier:gold", "event:member-day", "birthday",
                       // "first_purchase", "sign_up"
  std::string detail;  // "1 point per ¥1.00 on ¥86.00", "×2 on ¥30.00", "×1.5 on 116 points"
  int64_t points;
  friend bool operator==(const Explanation&, const Explanation&) = default;
};

struct EarnResult {
  int64_t points = 0;
  std::vector<Explanation> lines;
};

// Invalid when the program is invalid, the date is not a real date, a line is negative or in
// another currency than the program, the member's tier is unknown, or the points overflow.
Result<EarnResult> EarnPoints(const Program& program, const Basket& basket, const MemberFacts& member,
                              Date date);

// The sign-up bonus as one line ("sign_up"), or no lines when the program has none.
Result<EarnResult> SignUpPoints(const Program& program);

}  // namespace shuyou::core
