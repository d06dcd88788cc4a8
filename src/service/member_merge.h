// Merging a duplicate member into the member who stays (the survivor), in one transaction and
// without losing history: the duplicate's points and stored-value ledger rows move to the
// survivor with their time, kind and reason (merged_from records where they came from), and the
// survivor's balance_after values from the first moved row on are re-based to the running sum of
// the combined ledger, so that `shuyou check` holds for both members (the duplicate ends with no
// rows and zero balances). The duplicate row stays, marked merged_into/merged_at: hidden from
// search and GET (NotFound naming the survivor), its phone freed for reuse, its card number kept
// so that scanning the old card finds the survivor.
#pragma once

#include "service/members.h"

namespace shuyou::service {

struct MergeOutcome {
  Member survivor;                    // after the merge
  int64_t duplicate_id = 0;
  int64_t points_moved = 0;           // the duplicate's points balance, now the survivor's
  int64_t stored_value_moved = 0;     // minor units
  int64_t points_entries_moved = 0;   // ledger rows
  int64_t stored_value_entries_moved = 0;
  std::vector<std::string> fields_filled;  // survivor profile fields taken from the duplicate
};

// Merges member `duplicate_id` into member `survivor_id`. Owners and managers only; `reason`
// (1–200 characters) is required. Balances are added; the higher-ranked tier of the current
// loyalty program is kept; the survivor's empty name, email, birthday, gender and home store are
// filled from the duplicate (the survivor wins otherwise); the duplicate's notes are appended to
// the survivor's under a line naming the merge; of the two consent decisions the more recent one
// wins. Audited as "member.merge" with both ids. Invalid for the same id twice; NotFound for a
// missing member; Conflict when either member is already merged (of two concurrent merges of
// one duplicate only the first succeeds). Nothing is written when it fails.
Result<MergeOutcome> MergeMembers(Context& ctx, const Actor& actor, int64_t survivor_id, int64_t duplicate_id,
                                  const std::string& reason);

}  // namespace shuyou::service
