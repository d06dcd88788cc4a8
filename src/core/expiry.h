// Points lots: each purchase's points form a lot with an expiry date; redemptions draw on lots
// first-expiring first, and what is left of a lot lapses on its expiry date. Invariant: no lot
// and no balance is ever negative; a history that would need one is refused, not clamped.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace shuyou::core {

using Date = std::chrono::year_month_day;  // also declared by tiers.h and points.h

struct EarnLot {
  Date earned;      // usable from this day
  int64_t points;   // > 0
  Date expires_on;  // the first day the points are no longer usable; after `earned`
};

struct Redemption {
  Date on;
  int64_t points;  // > 0
};

// `months` calendar months after `earned`, clamped to the month's last day
// (2026-01-31 + 1 → 2026-02-28; 2024-02-29 + 12 → 2025-02-28). For "expires 12 months after
// earning". Invalid when earned is not a real date or months is outside 1–1200.
Result<Date> AddMonths(Date earned, int months);

struct Draw {
  size_t lot;  // index into the lots given
  int64_t points;
  friend bool operator==(const Draw&, const Draw&) = default;
};

// The lots after replaying a history up to the end of `as_of`.
struct LotState {
  std::vector<int64_t> remaining;        // per lot: usable after as_of (0 once lapsed or before earned)
  std::vector<int64_t> lapsed;           // per lot: expired on or before as_of
  std::vector<std::vector<Draw>> draws;  // per redemption: the lots it used (none if after as_of)
  int64_t balance = 0;                   // the sum of remaining
};

// Replays the redemptions in date order (the given order within a day). A redemption on day d
// can use lots with earned ≤ d < expires_on, and takes them soonest expires_on first, then
// earliest earned, then in the given order: first in, first out when all lots share one expiry
// period. Invalid when a date is not real, points are not positive, a lot expires on or before
// it is earned, the points overflow, or a redemption exceeds what is usable on its day.
Result<LotState> ReplayLots(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                            Date as_of);

// The points that lapse on `day`: what is left of the lots whose expires_on is `day`.
Result<int64_t> ExpiringOn(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                           Date day);

// The lots a new redemption of `points` on `day` would draw from, after the recorded ones.
// Invalid when it exceeds the balance usable that day, or when it would leave a later recorded
// redemption without enough points.
Result<std::vector<Draw>> Redeem(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                                 Date day, int64_t points);

}  // namespace shuyou::core
