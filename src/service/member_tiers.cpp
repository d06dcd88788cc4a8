// Purchase statistics, tier upgrades and periodic evaluation (see member_tiers.h).
#include "service/member_tiers.h"

#include <map>

#include <nlohmann/json.hpp>

#include "core/tiers.h"
#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

using namespace std::chrono;

// The first day of the rolling 12-month window ending on `day` (inclusive).
core::Date WindowStart(core::Date day) {
  core::Date back{day.year() - years{1}, day.month(), day.day()};
  if (!back.ok()) back = year_month_day_last(back.year(), month_day_last(back.month()));
  return core::Date{sys_days(back) + days{1}};
}

struct Window {
  int64_t spend = 0, visits = 0;
};

Result<Window> Rolling(store::Tx& tx, int64_t member_id, core::Date day) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COALESCE(SUM(spend), 0), COALESCE(SUM(visits), 0) FROM member_daily "
                                         "WHERE member_id = ? AND day >= ? AND day <= ?",
                                         {member_id, FormatDay(WindowStart(day)), FormatDay(day)}));
  return Window{std::max<int64_t>(0, rows[0].Int(0)), std::max<int64_t>(0, rows[0].Int(1))};
}

size_t TierIndex(const std::vector<core::Tier>& tiers, const std::string& name, bool& found) {
  for (size_t i = 0; i < tiers.size(); ++i)
    if (tiers[i].name == name) {
      found = true;
      return i;
    }
  found = false;
  return 0;
}

Result<std::optional<TierChangeRecord>> Evaluate(store::Tx& tx, const Context& ctx, int64_t member_id, core::Date day,
                                                 bool periodic) {
  SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
  const auto& tiers = sp.program.earning.tiers;
  if (tiers.empty()) return std::optional<TierChangeRecord>();
  SY_ASSIGN_OR_RETURN(auto mrows, tx.Exec("SELECT tier, tier_last_qualified_on FROM members WHERE id = ?", {member_id}));
  if (mrows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  std::string current_name = mrows[0].Text(0);
  std::optional<std::string> last_text = mrows[0].OptText(1);
  SY_ASSIGN_OR_RETURN(Window w, Rolling(tx, member_id, day));
  SY_ASSIGN_OR_RETURN(size_t qualifying,
                      core::QualifyingTier(tiers, core::Money(w.spend, sp.program.earning.base_per.currency()), w.visits));
  bool known = false;
  size_t current = TierIndex(tiers, current_name, known);
  std::string today = FormatDay(day);
  core::TierDecision decision{qualifying, core::TierChange::kKeep, ""};
  if (!known) {
    decision = {qualifying, qualifying > 0 ? core::TierChange::kUpgrade : core::TierChange::kDowngrade,
                "tier " + current_name + " is no longer in the program: now " + tiers[qualifying].name};
  } else {
    core::Date last = day;
    if (last_text) {
      if (auto d = ParseDay(*last_text); d.ok() && sys_days(*d) <= sys_days(day)) last = *d;
    }
    SY_ASSIGN_OR_RETURN(decision, core::EvaluateTier(tiers, {current, qualifying, last, day,
                                                             sp.program.tier_downgrade_grace_days, periodic}));
  }
  int64_t now = ctx.now();
  if (known && decision.change == core::TierChange::kKeep) {
    // Still qualifying: remember the day; not qualifying and never recorded: the grace starts today.
    bool record = (qualifying >= current && last_text != today) || (!last_text && qualifying < current);
    if (record && current > 0)
      SY_RETURN_IF_ERROR(
          tx.Exec("UPDATE members SET tier_last_qualified_on = ? WHERE id = ?", {today, member_id}).status());
    return std::optional<TierChangeRecord>();
  }
  if (!known && tiers[decision.tier].name == current_name) return std::optional<TierChangeRecord>();
  const std::string& to = tiers[decision.tier].name;
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET tier = ?, tier_since = ?, tier_last_qualified_on = ?, updated_at = ? "
                             "WHERE id = ?",
                             {to, now, today, now, member_id})
                         .status());
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO tier_history (member_id, from_tier, to_tier, reason, day, at) "
                                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                        {member_id, current_name, to, decision.reason, today, now}));
  Actor system;
  system.name = "jobs";
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, system, "member.tier.change", "member:" + std::to_string(member_id),
                                 {{"from", current_name}, {"to", to}, {"reason", decision.reason}}));
  return std::optional<TierChangeRecord>(TierChangeRecord{ins[0].Int(0), current_name, to, decision.reason, today, now});
}

}  // namespace

Result<std::optional<TierChangeRecord>> RecordPurchase(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                        const PurchaseStats& p) {
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, p.at));
  int64_t visit = p.visit && p.amount >= 0 ? 1 : 0;
  // What the member contributes to the member-group aggregates before the change.
  SY_ASSIGN_OR_RETURN(auto before, tx.Exec("SELECT COALESCE(birthday, ''), COALESCE(home_store_id, 0), COALESCE(gender, ''), "
                                           "visits, last_visit_at, CASE WHEN merged_into IS NULL AND erased_at IS NULL "
                                           "THEN 1 ELSE 0 END FROM members WHERE id = ?",
                                           {member_id}));
  if (before.empty()) return NotFound("no member with id " + std::to_string(member_id));
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET total_spend = total_spend + ?, visits = visits + ?, "
                             "last_visit_at = CASE WHEN ? = 1 THEN ? ELSE last_visit_at END WHERE id = ?",
                             {p.amount, visit, visit, p.at, member_id})
                         .status());
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO member_daily (member_id, day, spend, visits) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (member_id, day) DO UPDATE SET spend = member_daily.spend + excluded.spend, "
                             "visits = member_daily.visits + excluded.visits",
                             {member_id, FormatDay(day), p.amount, visit})
                         .status());
  // One row per genre: its spend, and its lines that were bought (a return, amount <= 0, leaves
  // the last purchase day as it was; a late-recorded purchase does not move it back).
  std::map<std::string, std::pair<int64_t, int64_t>> genres;
  for (const auto& [genre, amount] : p.genres) {
    auto& g = genres[genre];
    g.first += amount;
    g.second += amount > 0 ? 1 : 0;
  }
  PurchaseDelta delta;
  if (!genres.empty()) {
    std::string sql = "INSERT INTO member_genres (member_id, genre, spend, purchases, last_purchased_on) VALUES ";
    std::vector<store::Value> params;
    for (const auto& [genre, g] : genres) {
      sql += params.empty() ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
      for (store::Value v : {store::Value(member_id), store::Value(genre), store::Value(g.first), store::Value(g.second),
                             g.second > 0 ? store::Value(FormatDay(day)) : store::Null()})
        params.push_back(std::move(v));
      delta.genres.push_back({genre, g.first});
    }
    SY_RETURN_IF_ERROR(tx.Exec(sql + " ON CONFLICT (member_id, genre) DO UPDATE SET spend = member_genres.spend + "
                                     "excluded.spend, purchases = member_genres.purchases + excluded.purchases, " +
                                   std::string(kLaterGenreDay),
                               params)
                           .status());
  }
  const store::Row& b = before[0];
  if (b.Int(5) == 1) {
    delta.spend = p.amount;
    delta.visits_before = b.Int(3);
    delta.visit = visit;
    delta.last_visit_before = b.OptInt(4);
    delta.last_visit_after = visit ? std::optional<int64_t>(p.at) : delta.last_visit_before;
    SY_RETURN_IF_ERROR(AddPurchaseToMemberGroups(tx, {b.Text(0), b.Int(1), b.Text(2)}, delta));
  }
  return Evaluate(tx, ctx, member_id, day, false);
}

Result<std::optional<TierChangeRecord>> UpgradeIfQualified(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                           core::Date day) {
  return Evaluate(tx, ctx, member_id, day, false);
}

Result<std::optional<TierChangeRecord>> EvaluateMemberTier(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                            core::Date day) {
  return Evaluate(tx, ctx, member_id, day, true);
}

Result<TierProgress> GetTierProgress(Context& ctx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(core::Date day, Today(ctx));
  TierProgress out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
    const auto& tiers = sp.program.earning.tiers;
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT tier, tier_since, tier_last_qualified_on, total_spend, visits, "
                                        "last_visit_at FROM members WHERE id = ?",
                                        {member_id}));
    if (m.empty()) return NotFound("no member with id " + std::to_string(member_id));
    out.tier = m[0].Text(0);
    out.tier_since = m[0].OptInt(1);
    out.last_qualified_on = m[0].OptText(2);
    out.total_spend = m[0].Int(3);
    out.total_visits = m[0].Int(4);
    out.last_visit_at = m[0].OptInt(5);
    out.currency = sp.program.earning.base_per.currency().code;
    out.window_from = FormatDay(WindowStart(day));
    out.window_to = FormatDay(day);
    SY_ASSIGN_OR_RETURN(Window w, Rolling(tx, member_id, day));
    out.spend = w.spend;
    out.visits = w.visits;
    bool known = false;
    size_t cur = TierIndex(tiers, out.tier, known);
    if (known) {
      out.discount_pct = tiers[cur].discount_pct;
      out.points_pct = tiers[cur].points_pct;
    }
    if (!tiers.empty()) {
      SY_ASSIGN_OR_RETURN(size_t q, core::QualifyingTier(tiers, core::Money(w.spend, sp.program.earning.base_per.currency()),
                                                         w.visits));
      out.qualifies_for = tiers[q].name;
    }
    if (known && cur + 1 < tiers.size()) {
      const core::Tier& t = tiers[cur + 1];
      TierProgress::Next n;
      n.name = t.name;
      if (t.min_spend) n.min_spend = t.min_spend->minor();
      n.min_visits = t.min_visits;
      n.need_both = t.need_both;
      n.missing_spend = n.min_spend ? std::max<int64_t>(0, *n.min_spend - w.spend) : 0;
      n.missing_visits = n.min_visits ? std::max<int64_t>(0, *n.min_visits - w.visits) : 0;
      n.discount_pct = t.discount_pct;
      n.points_pct = t.points_pct;
      out.next = n;
    }
    SY_ASSIGN_OR_RETURN(auto h, tx.Exec("SELECT id, from_tier, to_tier, reason, day, at FROM tier_history "
                                        "WHERE member_id = ? ORDER BY id DESC LIMIT 50",
                                        {member_id}));
    for (const auto& r : h.rows)
      out.history.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
