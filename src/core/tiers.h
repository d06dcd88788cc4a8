// Membership tiers: which tier a member's rolling 12-month spend and visits qualify for, and
// when the member's tier changes. Upgrades happen at once; downgrades only at a periodic
// evaluation and only after a grace period. Tiers are ranked by their position in the list.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace shuyou::core {

using Date = std::chrono::year_month_day;  // also declared by points.h and expiry.h

// One tier. The first tier of a list is the entry tier ("regular"): it has no thresholds and
// everyone qualifies for it; every later tier has at least one threshold.
struct Tier {
  std::string name;
  std::optional<Money> min_spend{};     // rolling 12-month spend of at least this
  std::optional<int64_t> min_visits{};  // rolling 12-month visits of at least this many
  bool need_both = false;               // with both thresholds set: both (true) or either (false)
  int64_t discount_pct = 0;             // benefit: percent off, 0–100, applied by pricing
  int64_t points_pct = 100;             // benefit: points multiplier in percent, 150 = ×1.5, ≥ 100
};

// Ok, or Invalid naming the first problem: no tiers, an empty or repeated name, thresholds on
// the first tier or none on a later one, negative thresholds, thresholds in different
// currencies, a discount outside 0–100, a points multiplier outside 100–1000000.
Status CheckTiers(const std::vector<Tier>& tiers);

// The index of the highest-ranked tier whose thresholds `spend` and `visits` meet (0 when only
// the entry tier). Invalid when the tiers are invalid, spend or visits are negative, or spend
// is in another currency than the thresholds.
Result<size_t> QualifyingTier(const std::vector<Tier>& tiers, const Money& spend, int64_t visits);

// The facts of one tier review.
struct TierReview {
  size_t current = 0;     // the member's tier now
  size_t qualifying = 0;  // what QualifyingTier answers today
  Date last_qualified;    // the last day the member still qualified for `current`
  Date today;
  int64_t grace_days = 0;  // a member below `current` keeps it through last_qualified + grace_days
  bool periodic = false;   // the scheduled evaluation (true) or an evaluation after a purchase
};

enum class TierChange { kKeep, kUpgrade, kDowngrade };

struct TierDecision {
  size_t tier;
  TierChange change;
  std::string reason;  // for the member's history: "qualifies for gold: upgraded at once"
};

// Qualifying above `current`: upgrade to it at once, at any evaluation. Qualifying below:
// keep `current` unless the evaluation is periodic and today is after last_qualified +
// grace_days; then go down to the qualifying tier directly (not one step at a time).
// Invalid when the tiers are invalid, an index is out of range, a date is not a real date,
// grace_days is negative or above 36600 (100 years), or last_qualified is after today.
Result<TierDecision> EvaluateTier(const std::vector<Tier>& tiers, const TierReview& review);

}  // namespace shuyou::core
