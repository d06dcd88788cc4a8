// Members: registration at the till, lookup, profile changes with consent tracking, and the
// points and stored-value ledgers. Every write is one transaction with its audit row.
// Invariant kept here: a member's cached points_balance equals the sum of their ledger rows and
// never goes below zero, even under concurrent adjustments from several connections (the
// balance changes through one conditional UPDATE in the same transaction as the ledger row).
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct Member {
  int64_t id = 0;
  std::string card_number;
  std::string phone;  // E.164
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> birthday;  // YYYY-MM-DD
  std::optional<std::string> gender;    // female, male, other
  std::optional<int64_t> home_store_id;
  std::string tier;
  int64_t points_balance = 0;
  int64_t stored_value_balance = 0;  // minor units
  bool consent_email = false;
  bool consent_sms = false;
  std::optional<int64_t> consent_updated_at;
  std::string consent_source;  // "staff:<username>", "api_key:<name>", "system"
  std::string notes;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;
  std::optional<int64_t> erased_at;  // set when the personal data was erased (service/privacy.h)
};

struct NewMember {
  std::string phone;  // any accepted form; required
  std::string name;
  std::optional<std::string> email, birthday, gender;
  std::optional<int64_t> home_store_id;  // the actor's home store when absent
  std::optional<bool> consent_email, consent_sms;
  std::string consent_note;  // kept with each consent given, e.g. "verbal at till"
  std::string notes;
};

// Only engaged fields change; an engaged nullopt clears a nullable field.
struct MemberChange {
  std::optional<std::string> phone, name, notes;
  std::optional<std::optional<std::string>> email, birthday, gender;
  std::optional<std::optional<int64_t>> home_store_id;
  std::optional<bool> consent_email, consent_sms;
  std::string consent_note;  // kept with each consent that changes
};

// Phone numbers are read in ctx.settings.phone_region unless typed with "+" or "00"; new card
// numbers start with ctx.settings.card_prefix.
Result<Member> RegisterMember(Context& ctx, const Actor& actor, const NewMember& in);
// NotFound for a member merged into another too (details name it: merged_into).
Result<Member> GetMember(Context& ctx, int64_t id);
// The same inside the caller's transaction.
Result<Member> LoadMember(store::Tx& tx, int64_t id);
// `q` is a full phone number in any accepted form, its last 4 digits, a card number (the card of
// a merged member finds the member it was merged into), or part of a name (only when `q` holds
// something other than digits and phone punctuation); empty lists every member. Merged members
// are never listed. Sorts: name (default), id, created_at.
Result<Page<Member>> SearchMembers(Context& ctx, const PageQuery& page, const std::string& q);
// Conflict (detail "member": "erased") for an erased member.
Result<Member> UpdateMember(Context& ctx, const Actor& actor, int64_t id, const MemberChange& in);

struct PointsEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string kind;  // earn, redeem, adjust, expire, reverse
  int64_t points = 0;
  int64_t balance_after = 0;
  std::string reason;
  std::optional<int64_t> staff_id;
  std::string staff_username;  // "" when not done by a staff account
  std::optional<int64_t> sale_id;
  std::optional<std::string> expires_on;
};

struct StoredValueEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string kind;  // topup, bonus, spend, refund, adjust
  int64_t amount = 0;
  int64_t balance_after = 0;
  std::string reason;
  std::optional<int64_t> staff_id;
  std::string staff_username;
  std::optional<int64_t> sale_id;             // the sale paid or refunded
  std::optional<std::string> payment_method;  // how a top-up was paid: cash, card, mobile
};

template <class T>
struct Ledger {
  int64_t balance = 0;
  std::vector<T> entries;  // newest first
  std::optional<std::string> next_cursor;
};

struct Adjustment {
  PointsEntry entry;
  int64_t balance = 0;
};

// Adds (or, when negative, takes) points with a required reason. Owners and managers only.
// Conflict when the balance would go below zero; nothing is written then.
Result<Adjustment> AdjustPoints(Context& ctx, const Actor& actor, int64_t member_id, int64_t points,
                                const std::string& reason);
Result<Ledger<PointsEntry>> ListPoints(Context& ctx, int64_t member_id, const PageQuery& page);
Result<Ledger<StoredValueEntry>> ListStoredValue(Context& ctx, int64_t member_id, const PageQuery& page);

// The checks registration makes, shared with the member import: "" when valid, else a message.
std::string CheckMemberEmail(std::string_view email);
std::string CheckMemberBirthday(std::string_view date, int64_t now_ms);
std::string CheckMemberNotes(std::string_view notes);
// Who did it, as created_by and consent_source record it: "staff:<username>", "api_key:<name>", "system".
std::string ActorSource(const Actor& actor);

}  // namespace shuyou::service
