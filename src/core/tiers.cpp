// Tier qualification and evaluation (see tiers.h).
#include "core/tiers.h"

#include "core/encoding.h"

namespace shuyou::core {

namespace {

constexpr int64_t kMaxMultiplierPct = 1000000;

std::string FormatDate(Date d) {
  int64_t day = std::chrono::sys_days(d).time_since_epoch().count();
  return FormatIsoUtc(day * 86400000).substr(0, 10);
}

bool Qualifies(const Tier& t, const Money& spend, int64_t visits) {
  bool by_spend = t.min_spend && spend.minor() >= t.min_spend->minor();
  bool by_visits = t.min_visits && visits >= *t.min_visits;
  if (!t.min_spend && !t.min_visits) return true;
  if (t.min_spend && t.min_visits) return t.need_both ? by_spend && by_visits : by_spend || by_visits;
  return by_spend || by_visits;
}

}  // namespace

Status CheckTiers(const std::vector<Tier>& tiers) {
  if (tiers.empty()) return Invalid("at least one tier is needed");
  const Money* first_spend = nullptr;
  for (size_t i = 0; i < tiers.size(); ++i) {
    const Tier& t = tiers[i];
    std::string where = "tier " + std::to_string(i + 1) + " (" + t.name + ")";
    if (t.name.empty()) return Invalid("tier " + std::to_string(i + 1) + " needs a name");
    for (size_t j = 0; j < i; ++j)
      if (tiers[j].name == t.name) return Invalid("tier name \"" + t.name + "\" is used twice");
    bool has_threshold = t.min_spend || t.min_visits;
    if (i == 0 && has_threshold) return Invalid(where + ": the entry tier cannot have thresholds");
    if (i > 0 && !has_threshold) return Invalid(where + ": needs a spend or visits threshold");
    if (t.min_spend) {
      if (t.min_spend->minor() < 0) return Invalid(where + ": minimum spend must not be negative");
      if (first_spend && !(first_spend->currency() == t.min_spend->currency()))
        return Invalid(where + ": minimum spends are in different currencies");
      if (!first_spend) first_spend = &*t.min_spend;
    }
    if (t.min_visits && *t.min_visits < 0) return Invalid(where + ": minimum visits must not be negative");
    if (t.discount_pct < 0 || t.discount_pct > 100) return Invalid(where + ": discount must be 0–100%");
    if (t.points_pct < 100 || t.points_pct > kMaxMultiplierPct)
      return Invalid(where + ": points multiplier must be 100–1000000%");
  }
  return Status::Ok();
}

Result<size_t> QualifyingTier(const std::vector<Tier>& tiers, const Money& spend, int64_t visits) {
  SY_RETURN_IF_ERROR(CheckTiers(tiers));
  if (spend.minor() < 0) return Invalid("spend must not be negative");
  if (visits < 0) return Invalid("visits must not be negative");
  size_t best = 0;
  for (size_t i = 0; i < tiers.size(); ++i) {
    const auto& min = tiers[i].min_spend;
    if (min && !(min->currency() == spend.currency())) {
      return Invalid("spend is in " + std::string(spend.currency().code) + " but tiers are in " +
                     std::string(min->currency().code));
    }
    if (Qualifies(tiers[i], spend, visits)) best = i;
  }
  return best;
}

Result<TierDecision> EvaluateTier(const std::vector<Tier>& tiers, const TierReview& r) {
  SY_RETURN_IF_ERROR(CheckTiers(tiers));
  if (r.current >= tiers.size() || r.qualifying >= tiers.size()) return Invalid("no such tier");
  if (!r.last_qualified.ok() || !r.today.ok()) return Invalid("not a real date");
  if (r.grace_days < 0) return Invalid("grace period must not be negative");
  if (r.grace_days > 36600) return Invalid("grace period must be at most 36600 days");
  if (std::chrono::sys_days(r.last_qualified) > std::chrono::sys_days(r.today))
    return Invalid("last qualified date is after today");
  const std::string& current = tiers[r.current].name;
  const std::string& qualifying = tiers[r.qualifying].name;
  if (r.qualifying > r.current)
    return TierDecision{r.qualifying, TierChange::kUpgrade, "qualifies for " + qualifying + ": upgraded at once"};
  if (r.qualifying == r.current) return TierDecision{r.current, TierChange::kKeep, "still qualifies for " + current};
  std::string below = "qualifies only for " + qualifying + ": ";
  if (!r.periodic)
    return TierDecision{r.current, TierChange::kKeep, below + current + " is kept until the periodic evaluation"};
  Date grace_end{std::chrono::sys_days(r.last_qualified) + std::chrono::days(r.grace_days)};
  if (std::chrono::sys_days(r.today) <= std::chrono::sys_days(grace_end)) {
    return TierDecision{r.current, TierChange::kKeep,
                        below + current + " is kept through " + FormatDate(grace_end) + " (grace period)"};
  }
  return TierDecision{r.qualifying, TierChange::kDowngrade,
                      below + "the grace period ended on " + FormatDate(grace_end) + ", downgraded from " + current};
}

}  // namespace shuyou::core
