// Points earning (see points.h for the combination rule). Every step adds one explanation
// line and its points through AddLine, which is the only place the total grows, so the lines
// always sum to the total and an overflow is caught where it happens.
#include "core/points.h"

namespace shuyou::core {

namespace {

constexpr int64_t kMaxBasePoints = 1000000;
constexpr int64_t kMaxBasePer = 1000000000000;  // 10^12 minor units
constexpr int64_t kMaxPct = 1000000;
constexpr int64_t kMaxBonus = 1000000000000;

std::string Times(int64_t pct) {
  std::string out = "×" + std::to_string(pct / 100);
  int64_t frac = pct % 100;
  if (frac == 0) return out;
  return out + (frac % 10 == 0 ? "." + std::to_string(frac / 10) : (frac < 10 ? ".0" : ".") + std::to_string(frac));
}

std::string PointsWord(int64_t n) { return std::to_string(n) + (n == 1 ? " point" : " points"); }

bool Active(const BonusEvent& e, Date date) {
  auto d = std::chrono::sys_days(date);
  if (d < std::chrono::sys_days(e.first) || d > std::chrono::sys_days(e.last)) return false;
  return !e.weekday || *e.weekday == std::chrono::weekday(d);
}

Status Overflow() { return Invalid("the points do not fit: the basket or the program is out of range"); }

Status AddLine(EarnResult& out, std::string rule, std::string detail, int64_t points) {
  if (__builtin_add_overflow(out.points, points, &out.points)) return Overflow();
  out.lines.push_back({std::move(rule), std::move(detail), points});
  return Status::Ok();
}

}  // namespace

Status CheckProgram(const Program& p) {
  if (p.base_points < 0 || p.base_points > kMaxBasePoints) return Invalid("base points must be 0–1000000");
  if (p.base_per.minor() < 1 || p.base_per.minor() > kMaxBasePer)
    return Invalid("the base rate's amount must be positive and at most 10^12 minor units");
  for (size_t i = 0; i < p.genres.size(); ++i) {
    const GenreMultiplier& g = p.genres[i];
    if (g.genre.empty()) return Invalid("genre multiplier " + std::to_string(i + 1) + " needs a genre");
    for (size_t j = 0; j < i; ++j)
      if (p.genres[j].genre == g.genre) return Invalid("genre \"" + g.genre + "\" has two multipliers");
    if (g.pct < 0 || g.pct > kMaxPct) return Invalid("genre \"" + g.genre + "\": multiplier must be 0–1000000%");
  }
  if (!p.tiers.empty()) {
    SY_RETURN_IF_ERROR(CheckTiers(p.tiers));
    for (const Tier& t : p.tiers) {
      if (t.min_spend && !(t.min_spend->currency() == p.base_per.currency()))
        return Invalid("tier " + t.name + ": minimum spend is not in the program's currency");
    }
  }
  for (size_t i = 0; i < p.events.size(); ++i) {
    const BonusEvent& e = p.events[i];
    if (e.name.empty()) return Invalid("bonus event " + std::to_string(i + 1) + " needs a name");
    for (size_t j = 0; j < i; ++j)
      if (p.events[j].name == e.name) return Invalid("bonus event \"" + e.name + "\" is defined twice");
    if (!e.first.ok() || !e.last.ok()) return Invalid("bonus event \"" + e.name + "\": not a real date");
    if (std::chrono::sys_days(e.first) > std::chrono::sys_days(e.last))
      return Invalid("bonus event \"" + e.name + "\": ends before it starts");
    if (e.weekday && !e.weekday->ok()) return Invalid("bonus event \"" + e.name + "\": not a weekday");
    if (e.pct < 100 || e.pct > kMaxPct) return Invalid("bonus event \"" + e.name + "\": multiplier must be 100–1000000%");
  }
  if (p.birthday_month_pct < 100 || p.birthday_month_pct > kMaxPct)
    return Invalid("birthday multiplier must be 100–1000000%");
  if (p.sign_up_bonus < 0 || p.sign_up_bonus > kMaxBonus) return Invalid("sign-up bonus must be 0–10^12 points");
  if (p.first_purchase_bonus < 0 || p.first_purchase_bonus > kMaxBonus)
    return Invalid("first-purchase bonus must be 0–10^12 points");
  return Status::Ok();
}

Result<EarnResult> EarnPoints(const Program& p, const Basket& basket, const MemberFacts& member, Date date) {
  SY_RETURN_IF_ERROR(CheckProgram(p));
  if (!date.ok()) return Invalid("not a real date");
  if (member.birth_month && !member.birth_month->ok()) return Invalid("birth month must be 1–12");
  const Tier* tier = nullptr;
  for (const Tier& t : p.tiers)
    if (t.name == member.tier) tier = &t;
  if (!member.tier.empty() && !tier) return Invalid("unknown tier \"" + member.tier + "\"");

  // Step 1: eligible total and subtotals per genre rule.
  const Currency& currency = p.base_per.currency();
  Money eligible(0, currency);
  std::vector<Money> subtotal(p.genres.size(), Money(0, currency));
  for (size_t i = 0; i < basket.size(); ++i) {
    const Money& paid = basket[i].paid;
    std::string where = "line " + std::to_string(i + 1);
    if (!(paid.currency() == currency)) {
      return Invalid(where + " is in " + std::string(paid.currency().code) + " but the program is in " +
                     std::string(currency.code));
    }
    if (paid.minor() < 0) return Invalid(where + ": the paid amount must not be negative");
    bool excluded = false;
    for (size_t g = 0; g < p.genres.size(); ++g) {
      if (p.genres[g].genre != basket[i].genre) continue;
      SY_ASSIGN_OR_RETURN(subtotal[g], Add(subtotal[g], paid));
      excluded = p.genres[g].pct == 0;
    }
    if (!excluded) {
      SY_ASSIGN_OR_RETURN(eligible, Add(eligible, paid));
    }
  }

  EarnResult out;
  const int64_t per = p.base_per.minor();
  // Step 2: base points on the eligible total.
  if (eligible.minor() > 0) {
    auto base = MulDivRound(eligible.minor(), p.base_points, per, p.rounding);
    if (!base) return Overflow();
    SY_RETURN_IF_ERROR(AddLine(out, "base",
                               PointsWord(p.base_points) + " per " + FormatMoney(p.base_per) + " on " + FormatMoney(eligible),
                               *base));
  }
  // Step 3: genre extras (and excluded genres, for the record).
  for (size_t g = 0; g < p.genres.size(); ++g) {
    const GenreMultiplier& rule = p.genres[g];
    if (subtotal[g].minor() == 0 || rule.pct == 100) continue;
    if (rule.pct == 0) {
      SY_RETURN_IF_ERROR(AddLine(out, "genre:" + rule.genre, "excluded: " + FormatMoney(subtotal[g]) + " earns no points", 0));
      continue;
    }
    Rounding mode = rule.pct < 100 ? Rounding::kDown : p.rounding;
    auto extra = MulDivRound(subtotal[g].minor(), p.base_points * (rule.pct - 100), per * 100, mode);
    if (!extra) return Overflow();
    SY_RETURN_IF_ERROR(AddLine(out, "genre:" + rule.genre, Times(rule.pct) + " on " + FormatMoney(subtotal[g]), *extra));
  }
  // Step 4: the highest member multiplier, applied to the line points so far.
  if (eligible.minor() > 0) {
    struct Candidate {
      std::string rule;
      int64_t pct;
    };
    std::vector<Candidate> candidates;
    if (tier && tier->points_pct > 100) candidates.push_back({"tier:" + tier->name, tier->points_pct});
    for (const BonusEvent& e : p.events)
      if (Active(e, date) && e.pct > 100) candidates.push_back({"event:" + e.name, e.pct});
    if (member.birth_month && *member.birth_month == date.month() && p.birthday_month_pct > 100)
      candidates.push_back({"birthday", p.birthday_month_pct});
    size_t best = 0;
    for (size_t i = 1; i < candidates.size(); ++i)
      if (candidates[i].pct > candidates[best].pct) best = i;
    const int64_t line_points = out.points;
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (i != best) {
        SY_RETURN_IF_ERROR(AddLine(out, c.rule, Times(c.pct) + " not applied: only the highest member multiplier counts", 0));
        continue;
      }
      auto extra = MulDivRound(line_points, c.pct - 100, 100, p.rounding);
      if (!extra) return Overflow();
      SY_RETURN_IF_ERROR(AddLine(out, c.rule, Times(c.pct) + " on " + PointsWord(line_points), *extra));
    }
  }
  // Step 5: first-purchase bonus, never multiplied.
  if (member.first_purchase && eligible.minor() > 0 && p.first_purchase_bonus > 0)
    SY_RETURN_IF_ERROR(AddLine(out, "first_purchase", "first purchase bonus", p.first_purchase_bonus));
  return out;
}

Result<EarnResult> SignUpPoints(const Program& p) {
  SY_RETURN_IF_ERROR(CheckProgram(p));
  EarnResult out;
  if (p.sign_up_bonus > 0) SY_RETURN_IF_ERROR(AddLine(out, "sign_up", "sign-up bonus", p.sign_up_bonus));
  return out;
}

}  // namespace shuyou::core
