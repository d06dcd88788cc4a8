// Top-up bonus selection (see stored_value.h).
#include "core/stored_value.h"

namespace shuyou::core {

Result<TopUpBonus> TopUpBonusFor(const std::vector<TopUpRule>& rules, const Money& top_up) {
  if (top_up.minor() <= 0) return Invalid("a top-up must be positive");
  const Currency& currency = top_up.currency();
  for (size_t i = 0; i < rules.size(); ++i) {
    const TopUpRule& r = rules[i];
    std::string where = "top-up rule " + std::to_string(i + 1);
    if (!(r.min_top_up.currency() == currency) || !(r.bonus.currency() == currency))
      return Invalid(where + " is not in " + std::string(currency.code));
    if (r.min_top_up.minor() <= 0) return Invalid(where + ": the minimum top-up must be positive");
    if (r.bonus.minor() < 0) return Invalid(where + ": the bonus must not be negative");
  }
  std::optional<size_t> best;
  std::optional<size_t> smallest;
  for (size_t i = 0; i < rules.size(); ++i) {
    const TopUpRule& r = rules[i];
    if (!smallest || r.min_top_up.minor() < rules[*smallest].min_top_up.minor()) smallest = i;
    if (r.min_top_up.minor() > top_up.minor()) continue;
    if (!best || r.bonus.minor() > rules[*best].bonus.minor()) best = i;
  }
  if (best) {
    const TopUpRule& r = rules[*best];
    return TopUpBonus{r.bonus, best, "top up ≥ " + FormatMoney(r.min_top_up) + " get " + FormatMoney(r.bonus)};
  }
  std::string why = smallest ? "no top-up bonus below " + FormatMoney(rules[*smallest].min_top_up)
                             : "no top-up bonus rules";
  return TopUpBonus{Money(0, currency), std::nullopt, why};
}

}  // namespace shuyou::core
