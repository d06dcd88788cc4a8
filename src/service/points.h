// The points ledger beyond manual adjustments: earning on purchases, redemption, reversal on
// returns, expiry and the birthday bonus. Each change is a ledger row plus the member's cached
// balance, updated in one transaction.
//
// Lots (table points_lots): every credit row opens a lot that is usable from its day until the
// day before its expires_on (earn date + program.points_expiry_months; NULL never lapses). Every
// debit row draws from lots, soonest expiring first (core::Redeem), recorded in points_draws.
// Invariants: SUM(lots.remaining) = points_balance = SUM(ledger.points) (checked by `shuyou
// check`); no lot and no balance below zero. Every write to a member's points first locks the
// member row (an UPDATE of members), so lot changes of one member are serialized on PostgreSQL
// too. Before a debit, lots already due are lapsed (an 'expire' row), so a debit never draws on
// points that have expired but that the nightly job has not yet reached.
//
// The `store::Tx&` forms run inside the caller's transaction (the checkout); the others open
// their own. All answer Conflict for a refused change (short balance) and write nothing then.
#pragma once

#include "core/points.h"
#include "service/members.h"

namespace shuyou::service {

struct PurchaseLine {
  std::string genre;
  int64_t amount = 0;  // paid, minor units of the program's currency, ≥ 0
};

struct Purchase {
  std::optional<int64_t> sale_id;
  int64_t at = 0;  // epoch ms; its business day is the earn date
  std::vector<PurchaseLine> lines;
  // Whether this is the member's first purchase; when absent, true if the member has no
  // recorded visit yet (so call EarnForPurchase before RecordPurchase in one checkout).
  std::optional<bool> first_purchase;
  // A paid club's points multiplier (service::ActiveClubBenefits), applied after the program's
  // rules on the points they give: "club:<name>" ×1.2 on 100 points = +20 (rounded down).
  int64_t club_points_pct = 100;
  std::string club;
};

struct Earning {
  std::optional<PointsEntry> entry;  // none when the purchase earns 0 points
  core::EarnResult explained;       // the rules, as core::EarnPoints answered them
  int64_t balance = 0;
};

// A paid club's multiplier on the points the program's rules gave (Purchase::club_points_pct):
// adds a "club:<name>" line (×1.2 on 100 points = +20, rounded down) when pct > 100. The
// checkout's earning and the till's quote both apply it.
void ApplyClubMultiplier(core::EarnResult& earned, int64_t pct, const std::string& club);

// Earns the purchase's points under the current program: one 'earn' row whose reason lists
// every rule that gave points ("purchase: base +86 (1 point per ¥1.00 on ¥86.00); …"), with
// expires_on, and its lot.
Result<Earning> EarnForPurchase(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                const Purchase& p);
Result<Earning> EarnForPurchase(Context& ctx, const Actor& actor, int64_t member_id, const Purchase& p);

// The program's sign-up bonus for a member just registered (nothing when it has none).
Status GrantSignUpBonus(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id);

// Owners, managers and cashiers. Conflict when the usable balance is short.
Result<Adjustment> RedeemPoints(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                int64_t points, const std::string& reason, std::optional<int64_t> sale_id);
Result<Adjustment> RedeemPoints(Context& ctx, const Actor& actor, int64_t member_id, int64_t points,
                                const std::string& reason, std::optional<int64_t> sale_id = std::nullopt);

// What a return reverses: the earn and redeem rows of a sale, or one earn or redeem row.
struct ReverseTarget {
  std::optional<int64_t> sale_id;
  std::optional<int64_t> entry_id;
};

// How much of the sale has been returned so far, this return included: returned / of
// (cumulative, so that rounding never drifts over several partial returns).
struct Proportion {
  int64_t returned = 0;
  int64_t of = 0;
};

struct Reversal {
  std::vector<PointsEntry> entries;  // the 'reverse' rows written (0–2)
  int64_t taken_back = 0;            // earned points taken back now
  int64_t shortfall = 0;             // earned points due back now that the balance could not cover
  int64_t given_back = 0;            // redeemed points given back now
  int64_t balance = 0;
};

// For returns. Due now = floor(earned × returned ÷ of) − due before (rounded down: in the
// member's favour); given back now = ceil(redeemed × returned ÷ of) − given before (rounded up:
// in the member's favour). The earned points are taken from the sale's own lots first, then
// soonest expiring first; when the member has already spent them, only what the balance holds
// is taken and the shortfall is written in the row's reason (it is not carried forward). Given
// back points form a new lot expiring as the latest lot the redemption drew from, or, when that
// has passed, as points earned today. NotFound without earn/redeem rows for the target.
Result<Reversal> ReversePoints(store::Tx& tx, const Context& ctx, const Actor& actor, const ReverseTarget& target,
                               Proportion proportion);
Result<Reversal> ReversePoints(Context& ctx, const Actor& actor, const ReverseTarget& target, Proportion proportion);

// Lapses what is left of the member's lots with expires_on ≤ day: one 'expire' row (none when
// nothing lapses). Answers the points expired. Rerunning finds nothing more to lapse.
Result<int64_t> ExpireDuePoints(store::Tx& tx, const Context& ctx, int64_t member_id, core::Date day);
// ExpireDuePoints for today's business day: what a use case runs before it takes points.
Status ExpireDueBeforeDebit(store::Tx& tx, const Context& ctx, int64_t member_id);

// Grants the program's birthday bonus for `day`'s year once ("birthday_bonuses" keyed by member
// and year). Answers the points granted (0 when already granted or the program has none).
Result<int64_t> GrantBirthdayBonus(store::Tx& tx, const Context& ctx, int64_t member_id, core::Date day);

// Keeps lots in step with a manual adjustment row already written (members.cpp): a positive
// adjustment opens a lot expiring as earned points do; a negative one draws from lots.
// Answers the lot's expires_on for a positive one.
Result<std::optional<std::string>> ApplyAdjustmentToLots(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                         int64_t ledger_id, int64_t points, int64_t at);

}  // namespace shuyou::service
