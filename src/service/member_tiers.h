// Member purchase statistics and tiers. The cashier's checkout records each purchase
// (RecordPurchase: per-day spend and visits in member_daily, running totals on members, genre
// spend); a member is upgraded at once when the rolling 12-month spend or visits qualify for a
// higher tier, and downgraded only by the periodic evaluation (the nightly job) after the
// program's grace period (core::EvaluateTier). Every change of tier is kept in tier_history.
// The rolling window of day D is the days after D minus 12 months up to D itself.
#pragma once

#include "core/points.h"
#include "service/services.h"

namespace shuyou::service {

struct PurchaseStats {
  int64_t at = 0;       // epoch ms of the purchase; its business day is the day counted
  int64_t amount = 0;   // minor units; negative for a return (no visit is counted then)
  bool visit = true;    // counts as a visit (false for a return or a second receipt the same trip)
  std::vector<std::pair<std::string, int64_t>> genres;  // genre → amount, for favourite genres
};

struct TierChangeRecord {
  int64_t id = 0;
  std::string from_tier, to_tier, reason, day;
  int64_t at = 0;
};

// The SET clause of an upsert into member_genres that keeps the later of the stored and the
// incoming (`excluded`) last_purchased_on, NULL counting as unknown (RecordPurchase, merge).
inline constexpr const char* kLaterGenreDay =
    "last_purchased_on = CASE WHEN excluded.last_purchased_on IS NULL THEN member_genres.last_purchased_on "
    "WHEN member_genres.last_purchased_on IS NULL OR member_genres.last_purchased_on < excluded.last_purchased_on "
    "THEN excluded.last_purchased_on ELSE member_genres.last_purchased_on END";

// Records the purchase and upgrades the member at once when they now qualify higher. Answers
// the change made, if any. Runs inside the caller's transaction.
Result<std::optional<TierChangeRecord>> RecordPurchase(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                        const PurchaseStats& p);

// The upgrade check RecordPurchase makes after recording, on its own: upgrades the member when
// the rolling window ending on `day` qualifies for a higher tier, never downgrades. The sales
// import records a history's statistics in bulk and then calls this once per member.
Result<std::optional<TierChangeRecord>> UpgradeIfQualified(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                           core::Date day);

// The periodic evaluation of one member on `day` (the tier-evaluation job): keeps, upgrades, or
// downgrades after the grace period. Answers the change made, if any; rerunning the same day
// changes nothing more.
Result<std::optional<TierChangeRecord>> EvaluateMemberTier(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                            core::Date day);

struct TierProgress {
  std::string tier;
  int64_t discount_pct = 0, points_pct = 100;
  std::optional<int64_t> tier_since;
  std::optional<std::string> last_qualified_on;
  std::string window_from, window_to;  // inclusive days
  int64_t spend = 0, visits = 0;       // in the window
  std::string currency;
  int64_t total_spend = 0, total_visits = 0;
  std::optional<int64_t> last_visit_at;
  struct Next {
    std::string name;
    std::optional<int64_t> min_spend, min_visits;
    bool need_both = false;
    int64_t missing_spend = 0, missing_visits = 0;
    int64_t discount_pct = 0, points_pct = 100;
  };
  std::optional<Next> next;  // none at the top tier
  std::string qualifies_for;  // what the window qualifies for today
  std::vector<TierChangeRecord> history;  // newest first
};

Result<TierProgress> GetTierProgress(Context& ctx, int64_t member_id);

}  // namespace shuyou::service
