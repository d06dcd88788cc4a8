// Demo sales history (`shuyou demo --months M --seed S`): months of till sales in the demo
// store(s) that look like what checkout writes, for the reports to have something real to show.
//  - Volume per day follows the week (weekends busier), the year (summer, back to school, the
//    December gift season) and the Chinese retail calendar (元旦, 春节 closed days and the
//    weeks around them, 世界读书日, 五一, 六一, 618, 国庆, 双十一), with slow growth and noise;
//    times of day peak at lunch and after work on weekdays and in the afternoon at weekends, in
//    the business time zone (Settings::timezone), between 09:00 and 22:00.
//  - Baskets of 1–5 lines from the catalog (a long tail of title popularity). A sale has a
//    member with a chance rising from 30 % to 70 % as members join (none before their
//    created_at); buyers are chosen with a long tail (5 % loyal members buy most weeks, most
//    members a few times), each with favourite genres; about a third lapse and buy no more.
//  - Each sale is priced by core::PriceBasket with the member's tier at that moment (tier
//    discounts as sale_discounts rows), some members pay part with points, payments are cash
//    (with change), card, mobile or split. Points are earned by core::EarnPoints under the
//    stored program, with their lots; lots lapse on their expires_on (an 'expire' row as the
//    nightly job writes); purchase statistics (members' totals, member_daily, member_genres)
//    and immediate tier upgrades (tier_history) follow service::RecordPurchase. About 1.5 % of
//    sales are returned days later (in full or one unit) and 0.3 % voided at once, with refunds
//    by payment method and earned points taken back as service::ReversePoints does.
//  - Stock is left alone: the catalog's opening stock is today's count after the history, so
//    the stock invariant holds; no shift, coupon, stamp or stored-value rows are written.
// Guarantees: deterministic for a seed, a database state and ctx.now() (one std::mt19937_64 in a
// fixed order; ids are assigned by the generator); every committed batch passes `shuyou check`
// and the sales invariants of 0011_sales.sql. It refuses a database that already has sales (the
// history must come first, so that ids follow time) and should run while no server writes to
// the database. Batches of about 20,000 sales are one transaction each with one audit row
// ("sale.demo_generate"). At the end the report aggregates are rebuilt from the whole history
// (service/report_feed.h) in one more transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/services.h"

namespace shuyou::service {

struct DemoSalesOptions {
  int64_t months = 3;                    // 0–36: the history ends today (up to ctx.now())
  uint64_t seed = 1;
  std::vector<int64_t> store_ids;        // at least one; the first gets the most sales
  std::optional<int64_t> sales_per_day;  // average; default max(40, members / 165)
};

struct DemoSalesResult {
  int64_t sales = 0, lines = 0, member_sales = 0, returns = 0, points_rows = 0, tier_changes = 0;
  std::string first_day, last_day;
  bool skipped = false;  // the database already had sales: nothing written
  int64_t reports_ms = 0;  // the report aggregates rebuilt at the end (RebuildReports)
};

// Invalid for months outside 0–36, sales_per_day outside 1–1,000,000, no or unknown stores, or
// an empty catalog.
Result<DemoSalesResult> GenerateDemoSales(Context& ctx, const DemoSalesOptions& options);

}  // namespace shuyou::service
