// Keeps the report aggregates (migration 0016_reports.sql) current and rebuildable.
//
// Feeds run inside the caller's transaction, right after the rows they summarize are written or
// at its commit (store::Tx::AtCommit, once for all the sales of a group commit): checkout →
// FeedSales at commit, an import → FeedSales, a return or void → FeedReturn, a points_ledger row
// → FeedPoints, or FeedLedgerAtCommit (or a PointsFeed for batch writers). Each adds its contribution with a few INSERT … ON CONFLICT DO
// UPDATE statements, so concurrent tills add up instead of overwriting each other.
// RebuildReports empties every aggregate and recomputes it from the raw rows (sales, sale_lines,
// sale_returns, return_lines, points_ledger, members) with the same definitions; CheckReports
// recomputes into temporary tables and lists the rows that differ.
// Definitions (docs/api.md, "Report aggregates"):
//  - a sale counts on its recorded business_day and on the local hour (business time zone) of
//    its `at`; a return or void on its own business_day and hour;
//  - a sale of a member who was later merged counts for the member it was merged into;
//  - member spend is the sale's net_total (the receipt value, points part included) less the
//    returned lines' refund + points_share, in the month the return is made;
//  - a member's cohort is the month of members.joined_on (filled from created_at when NULL).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "service/check.h"
#include "service/services.h"

namespace shuyou::service {

// Adds a sale (its lines already written) to every aggregate.
Status FeedSale(store::Tx& tx, const Context& ctx, int64_t sale_id);
// Adds many sales (their lines already written, ids distinct) to every aggregate: the same sums as
// FeedSale for each, with a few set-based statements per 500 sales (batch writers: imports).
Status FeedSales(store::Tx& tx, const Context& ctx, const std::vector<int64_t>& sale_ids);
// Adds a return or void (its return_lines already written) to every aggregate.
Status FeedReturn(store::Tx& tx, const Context& ctx, int64_t return_id);
// Adds one points_ledger row (`points` signed, `at` its time) to report_points_daily.
Status FeedPoints(store::Tx& tx, const Context& ctx, int64_t at, std::string_view kind, int64_t points);
// The same for the points_ledger row `ledger_id`, fed at commit with the transaction's other rows
// (ctx must outlive the transaction).
Status FeedLedgerAtCommit(store::Tx& tx, const Context& ctx, int64_t ledger_id);

// For writers of many points_ledger rows at once (imports): Add each row, then Flush in the same
// transaction as the rows (one statement per 500 (day, kind) pairs).
class PointsFeed {
 public:
  Status Add(const Context& ctx, int64_t at, std::string_view kind, int64_t points);
  Status Flush(store::Tx& tx);  // writes and forgets what was added

 private:
  struct Sums {
    int64_t in = 0, out = 0, entries = 0;
  };
  std::map<std::pair<std::string, std::string>, Sums> sums_;  // (business day, kind)
};

// Member merge: Withdraw takes the members' rows out of report_member_months and their
// contribution out of report_cohorts (call it before changing joined_on or merged_into);
// Derive recomputes one member's rows from the raw sales and returns (its own and those of
// members merged into it) and adds them back.
Status WithdrawMemberReports(store::Tx& tx, const Context& ctx, const std::vector<int64_t>& member_ids);
Status DeriveMemberReports(store::Tx& tx, const Context& ctx, int64_t member_id);

// report_member_months rows carry their member's home store and report_cohorts is keyed by it
// (migration 0024): every writer of members.home_store_id calls this after the change, in the
// same transaction. For each member whose rows name another store it takes the member's cohort
// contribution out of the old store's rows, moves the member months and adds it to the new
// store's; a member whose store did not change costs one read.
Status FollowHomeStores(store::Tx& tx, const std::vector<int64_t>& member_ids);

struct RebuildStats {
  std::vector<std::pair<std::string, int64_t>> rows;  // table → rows written, in rebuild order
  int64_t joined_on_filled = 0;                       // members whose joined_on came from created_at
  int64_t elapsed_ms = 0;
};
// Empties and recomputes every aggregate table; fills NULL members.joined_on from created_at.
// One transaction: readers see the old aggregates until it commits.
Status RebuildReports(store::Tx& tx, const Context& ctx, RebuildStats* stats = nullptr);

// Recomputes every aggregate into temporary tables and compares them with the stored ones.
// Per table at most `examples` mismatches naming the key and the column (cached = stored,
// computed = rebuilt), then one line with the count of rows that differ. Rows whose sums are
// all zero count as absent. Runs in its own transaction (a read on SQLite, a write that only
// touches temporary tables on PostgreSQL).
Result<std::vector<Mismatch>> CheckReports(Context& ctx, int examples = 5);

}  // namespace shuyou::service
