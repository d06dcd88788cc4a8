// Stored-value top-up bonuses ("top up ¥500, get ¥50"): of the rules a top-up meets, the one
// with the largest bonus applies, once; bonuses never stack and never repeat per multiple
// (topping up ¥1000 under "≥ ¥500 get ¥50" gives ¥50).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace shuyou::core {

struct TopUpRule {
  Money min_top_up;  // > 0
  Money bonus;       // ≥ 0, in the same currency
};

struct TopUpBonus {
  Money bonus;                 // zero when no rule applies
  std::optional<size_t> rule;  // the index of the rule applied
  std::string explanation;     // "top up ≥ ¥500.00 get ¥50.00" or "no top-up bonus below ¥200.00"
};

// Ties between equal bonuses go to the earlier rule. Invalid when the top-up or a rule's
// minimum is not positive, a bonus is negative, or currencies differ.
Result<TopUpBonus> TopUpBonusFor(const std::vector<TopUpRule>& rules, const Money& top_up);

}  // namespace shuyou::core
