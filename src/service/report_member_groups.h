// The member-group aggregates of the members report (migration 0022_report_member_groups.sql):
// current members (neither merged away nor erased) summed by home store, gender and birthday,
// by the day of their last visit, and their genre spend by birth month and by birthday.
//
// Every writer that changes what a member contributes (members.home_store_id, gender, birthday,
// visits, total_spend, last_visit_at, merged_into, erased_at, or the member's member_genres rows)
// calls WithdrawMemberGroups for the member(s) before the change and AddMemberGroups after it,
// in the same transaction: both read the members' current rows, so the aggregates follow
// whatever the writer did. New members only need AddMemberGroups. Concurrent writers add
// deltas (INSERT … ON CONFLICT DO UPDATE), so they add up instead of overwriting each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/check.h"
#include "store/db.h"

namespace shuyou::service {

Status WithdrawMemberGroups(store::Tx& tx, const std::vector<int64_t>& member_ids);
Status AddMemberGroups(store::Tx& tx, const std::vector<int64_t>& member_ids);

// What a purchase or a return (RecordPurchase) changes of one current member: total_spend by
// `spend`, visits from `visits_before` up by `visit` (0 or 1), last_visit_at from
// `last_visit_before` to `last_visit_after`, and member_genres.spend by `genres` (distinct genres).
// The member's keys (birthday, home store, gender) stay. Adds exactly what a withdraw before and
// an add after would, as point updates of the rows involved instead of two grouped reads.
struct MemberGroupKey {
  std::string birthday;  // '' = not given
  int64_t store_id = 0;  // 0 = no home store
  std::string gender;    // '' = not given
};
struct PurchaseDelta {
  int64_t spend = 0;
  int64_t visits_before = 0;
  int64_t visit = 0;
  std::optional<int64_t> last_visit_before, last_visit_after;
  std::vector<std::pair<std::string, int64_t>> genres;
};
Status AddPurchaseToMemberGroups(store::Tx& tx, const MemberGroupKey& key, const PurchaseDelta& d);

// Empties the four tables and recomputes them from members and member_genres; appends
// (table, rows written) to `rows` when given.
Status RebuildMemberGroups(store::Tx& tx, std::vector<std::pair<std::string, int64_t>>* rows = nullptr);

// Recomputes into temporary tables and appends, per table, at most `examples` rows that differ
// (cached = stored, computed = rebuilt) and one line with the count when more differ. Rows
// whose sums are all zero count as absent.
Status CheckMemberGroups(store::Tx& tx, int examples, std::vector<Mismatch>& found);

}  // namespace shuyou::service
