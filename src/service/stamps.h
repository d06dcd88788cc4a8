// Stamp cards ("buy 10 books, get one free"). The owner defines cards; purchases (the cashier's
// checkout, through AddStamps/AwardStampsForSale) and staff by hand add stamps; every full card
// becomes a reward the member redeems later, and extra stamps carry over (core/stamps.h).
// Invariants: after every transaction a member's stamps on a card are fewer than it needs; a
// reward is redeemed once (a conditional UPDATE: two tills redeeming it at once, one wins).
// Every stamping is a stamp_events row (with its sale or reason), every change audited.
#pragma once

#include "core/stamps.h"
#include "service/services.h"

namespace shuyou::service {

struct StampCard {
  int64_t id = 0;
  std::string name;
  int64_t stamps_needed = 10;          // 1–1000
  std::string reward;                  // "one book up to ¥50 free"
  std::optional<std::string> genre;    // only lines of this genre earn stamps; nullopt: every line
  bool active = true;                  // inactive cards earn no stamps; rewards stay redeemable
  int64_t created_at = 0, updated_at = 0;
};

struct StampCardInput {
  std::optional<std::string> name, reward;
  std::optional<int64_t> stamps_needed;
  std::optional<std::optional<std::string>> genre;  // engaged nullopt: every line earns
  std::optional<bool> active;
};

Result<std::vector<StampCard>> ListStampCards(Context& ctx);
Result<StampCard> GetStampCard(Context& ctx, int64_t id);
Result<StampCard> CreateStampCard(Context& ctx, const Actor& actor, const StampCardInput& in);  // owners
Result<StampCard> UpdateStampCard(Context& ctx, const Actor& actor, int64_t id, const StampCardInput& in);
// Owners. Conflict once any member has stamps or rewards on it (deactivate it instead).
Status DeleteStampCard(Context& ctx, const Actor& actor, int64_t id);

struct StampReward {
  int64_t id = 0;
  int64_t card_id = 0;
  std::string card_name;
  std::string reward;
  int64_t earned_at = 0;
  std::optional<int64_t> sale_id;  // the sale whose stamps completed the card
  std::optional<int64_t> redeemed_at;
  std::string redeemed_by;          // staff username
  std::optional<int64_t> redeemed_sale_id;
};

struct StampAward {
  int64_t card_id = 0;
  std::string card_name;
  int64_t stamps_added = 0;
  int64_t stamps = 0;  // on the card now being filled
  int64_t stamps_needed = 0;
  std::vector<StampReward> rewards;  // completed by this addition
};

// Adds `count` (1–1000) stamps for a purchase or a staff decision inside the caller's
// transaction. Conflict when the card is inactive. `reason` is free text (≤ 200).
Result<StampAward> AddStamps(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                             int64_t card_id, int64_t count, std::optional<int64_t> sale_id,
                             const std::string& reason);
// Every active card's stamps for a sale's lines (core::StampsEarned); cards earning none are left
// out of the answer.
Result<std::vector<StampAward>> AwardStampsForSale(store::Tx& tx, const Context& ctx, const Actor& actor,
                                                   int64_t member_id, const std::vector<core::StampLine>& lines,
                                                   int64_t sale_id);
// What a return took back from one card (TakeBackStampsForReturn).
struct StampTakeBack {
  int64_t card_id = 0;
  std::string card_name;
  int64_t stamps = 0;             // the stamps the returned lines had earned
  int64_t rewards_cancelled = 0;  // unredeemed rewards of the card cancelled to find them
  int64_t shortfall = 0;          // could not be taken back: the rewards were already redeemed
  int64_t stamps_after = 0;       // on the card now being filled
};
// Takes back, inside a return's transaction, the stamps sale `sale_id` gave the member for what
// has now been returned: each card stamped for the sale keeps what the sale's `remaining` lines
// earn on it and gives up the rest (less what earlier returns of the sale took back). Stamps come
// off the card being filled; when it has too few, an unredeemed reward of that card (the sale's
// own first, then the newest) is cancelled and its full card counted back. Audited.
Result<std::vector<StampTakeBack>> TakeBackStampsForReturn(store::Tx& tx, const Context& ctx, const Actor& actor,
                                                           int64_t member_id, int64_t sale_id, int64_t return_id,
                                                           const std::vector<core::StampLine>& remaining);
// A stamp given by hand: owners, managers and cashiers, with a required reason. Audited.
Result<StampAward> AddManualStamps(Context& ctx, const Actor& actor, int64_t member_id, int64_t card_id,
                                   int64_t count, const std::string& reason);

struct StampProgress {
  StampCard card;
  int64_t stamps = 0;
};
struct MemberStamps {
  std::vector<StampProgress> cards;    // every active card, and inactive ones the member has stamps on
  std::vector<StampReward> rewards;    // not yet redeemed, oldest first
  std::vector<StampReward> redeemed;   // the last 20 redeemed, newest first
};
Result<MemberStamps> GetMemberStamps(Context& ctx, int64_t member_id);

// Marks the reward used. Owners, managers, cashiers. NotFound when it is not this member's;
// Conflict when already redeemed.
Result<StampReward> RedeemStampReward(Context& ctx, const Actor& actor, int64_t member_id, int64_t reward_id,
                                      std::optional<int64_t> sale_id);

}  // namespace shuyou::service
