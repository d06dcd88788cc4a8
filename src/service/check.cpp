// Invariant checks behind `shuyou check` (see check.h).
#include "service/check.h"

#include "service/report_feed.h"

namespace shuyou::service {
namespace {

struct LedgerCheck {
  const char* balance_column;  // on members
  const char* ledger;          // ledger table
  const char* amount_column;   // signed change per ledger row
};

constexpr LedgerCheck kLedgers[] = {
    {"points_balance", "points_ledger", "points"},
    {"stored_value_balance", "stored_value_ledger", "amount"},
};

}  // namespace

Result<std::vector<Mismatch>> CheckInvariants(Context& ctx) {
  std::vector<Mismatch> found;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    for (const auto& c : kLedgers) {
      std::string bal = c.balance_column, led = c.ledger, amt = c.amount_column;
      // The cached balance equals the sum of the member's ledger rows.
      SY_ASSIGN_OR_RETURN(auto sums, tx.Exec(
          "SELECT m.id, m." + bal + ", COALESCE(SUM(l." + amt + "), 0) FROM members m LEFT JOIN " + led +
          " l ON l.member_id = m.id GROUP BY m.id, m." + bal + " HAVING m." + bal + " <> COALESCE(SUM(l." + amt +
          "), 0) ORDER BY m.id"));
      for (const auto& r : sums.rows)
        found.push_back({bal + " = SUM(" + led + "." + amt + ")", r.Int(0), r.Int(1), r.Int(2), ""});
      // The newest ledger row's balance_after is the cached balance.
      SY_ASSIGN_OR_RETURN(auto last, tx.Exec(
          "SELECT m.id, m." + bal + ", l.balance_after FROM members m JOIN " + led + " l ON l.member_id = m.id "
          "WHERE l.id = (SELECT MAX(id) FROM " + led + " WHERE member_id = m.id) AND l.balance_after <> m." + bal +
          " ORDER BY m.id"));
      for (const auto& r : last.rows)
        found.push_back({bal + " = last " + led + ".balance_after", r.Int(0), r.Int(1), r.Int(2), ""});
      // A merged member keeps no ledger rows: they moved to the member it was merged into.
      SY_ASSIGN_OR_RETURN(auto stranded, tx.Exec(
          "SELECT m.id, COUNT(*) FROM members m JOIN " + led + " l ON l.member_id = m.id "
          "WHERE m.merged_into IS NOT NULL GROUP BY m.id ORDER BY m.id"));
      for (const auto& r : stranded.rows)
        found.push_back({"a merged member has no " + led + " rows", r.Int(0), r.Int(1), 0, ""});
    }
    // Points lots (service/points.h): what the lots still hold is the cached balance.
    SY_ASSIGN_OR_RETURN(auto lots, tx.Exec(
        "SELECT m.id, m.points_balance, COALESCE(SUM(l.remaining), 0) FROM members m LEFT JOIN points_lots l "
        "ON l.member_id = m.id GROUP BY m.id, m.points_balance HAVING m.points_balance <> COALESCE(SUM(l.remaining), 0) "
        "ORDER BY m.id"));
    for (const auto& r : lots.rows)
      found.push_back({"points_balance = SUM(points_lots.remaining)", r.Int(0), r.Int(1), r.Int(2), ""});
    // Every stamp reward on record comes from a stamping event that completed a card, and back.
    SY_ASSIGN_OR_RETURN(auto stamps, tx.Exec(
        "SELECT e.member_id, COALESCE(w.n, 0), e.n FROM (SELECT member_id, SUM(rewards) AS n FROM stamp_events "
        "GROUP BY member_id) e LEFT JOIN (SELECT member_id, COUNT(*) AS n FROM stamp_rewards GROUP BY member_id) w "
        "ON w.member_id = e.member_id WHERE COALESCE(w.n, 0) <> e.n ORDER BY e.member_id"));
    for (const auto& r : stamps.rows)
      found.push_back({"COUNT(stamp_rewards) = SUM(stamp_events.rewards)", r.Int(0), r.Int(1), r.Int(2), ""});
    // A merged member points at a member that is not merged itself (merging re-points chains).
    SY_ASSIGN_OR_RETURN(auto chains, tx.Exec(
        "SELECT m.id, m.merged_into, s.merged_into FROM members m JOIN members s ON s.id = m.merged_into "
        "WHERE s.merged_into IS NOT NULL ORDER BY m.id"));
    for (const auto& r : chains.rows)
      found.push_back({"merged_into names a member that is not merged", r.Int(0), r.Int(1), r.Int(2), ""});
    // Stock: each level equals the sum of its movements (a level with no movements must be 0),
    // and the newest movement's on_hand_after is the level.
    SY_ASSIGN_OR_RETURN(auto stock, tx.Exec(
        "SELECT l.store_id, l.product_id, l.on_hand, COALESCE(SUM(m.quantity), 0) FROM stock_levels l "
        "LEFT JOIN stock_movements m ON m.store_id = l.store_id AND m.product_id = l.product_id "
        "GROUP BY l.store_id, l.product_id, l.on_hand HAVING l.on_hand <> COALESCE(SUM(m.quantity), 0) "
        "ORDER BY l.store_id, l.product_id"));
    auto subject = [](const store::Row& r) {
      return "stock store " + std::to_string(r.Int(0)) + " product " + std::to_string(r.Int(1));
    };
    for (const auto& r : stock.rows)
      found.push_back({"on_hand = SUM(stock_movements.quantity)", 0, r.Int(2), r.Int(3), subject(r)});
    SY_ASSIGN_OR_RETURN(auto last, tx.Exec(
        "SELECT l.store_id, l.product_id, l.on_hand, m.on_hand_after FROM stock_levels l JOIN stock_movements m "
        "ON m.store_id = l.store_id AND m.product_id = l.product_id WHERE m.id = (SELECT MAX(id) FROM stock_movements "
        "WHERE store_id = l.store_id AND product_id = l.product_id) AND m.on_hand_after <> l.on_hand "
        "ORDER BY l.store_id, l.product_id"));
    for (const auto& r : last.rows)
      found.push_back({"on_hand = last stock_movements.on_hand_after", 0, r.Int(2), r.Int(3), subject(r)});
    // Movements whose level row is missing altogether.
    SY_ASSIGN_OR_RETURN(auto orphans, tx.Exec(
        "SELECT m.store_id, m.product_id, 0, SUM(m.quantity) FROM stock_movements m LEFT JOIN stock_levels l "
        "ON l.store_id = m.store_id AND l.product_id = m.product_id WHERE l.store_id IS NULL "
        "GROUP BY m.store_id, m.product_id ORDER BY m.store_id, m.product_id"));
    for (const auto& r : orphans.rows)
      found.push_back({"a stock level exists for every stock movement", 0, r.Int(2), r.Int(3), subject(r)});
    // Coupons: uses is the number of redemptions not given back, and never above max_uses.
    SY_ASSIGN_OR_RETURN(auto coupons, tx.Exec(
        "SELECT c.id, c.code, c.uses, COALESCE(r.n, 0), c.max_uses FROM coupons c LEFT JOIN (SELECT coupon_id, COUNT(*) AS n "
        "FROM coupon_redemptions WHERE given_back_at IS NULL GROUP BY coupon_id) r ON r.coupon_id = c.id "
        "WHERE c.uses <> COALESCE(r.n, 0) OR (c.max_uses IS NOT NULL AND c.uses > c.max_uses) ORDER BY c.id"));
    for (const auto& r : coupons.rows) {
      std::string subject = "coupon " + r.Text(0) + " " + r.Text(1);
      if (r.Int(2) != r.Int(3))
        found.push_back({"coupon uses = COUNT(coupon_redemptions not given back)", 0, r.Int(2), r.Int(3), subject});
      if (!r.IsNull(4) && r.Int(2) > r.Int(4))
        found.push_back({"coupon uses <= max_uses", 0, r.Int(2), r.Int(4), subject});
    }
    // Sales (service/sales.h): each total is the sum of its lines; payments pay what was due.
    struct SaleSum {
      const char* invariant;
      const char* cached;    // column of sales s
      const char* computed;  // aggregate over sale_lines l
    };
    static const SaleSum kSaleSums[] = {
        {"sales.subtotal = SUM(sale_lines.gross)", "s.subtotal", "SUM(l.gross)"},
        {"sales.net_total = SUM(sale_lines.net)", "s.net_total", "SUM(l.net)"},
        {"sales.points_value = SUM(sale_lines.points_share)", "s.points_value", "SUM(l.points_share)"},
        {"sales.net_total = subtotal - discount_total", "s.net_total", "MIN(s.subtotal - s.discount_total)"},
        {"sales.due = net_total - points_value", "s.due", "MIN(s.net_total - s.points_value)"},
        {"sales.refunded_total = SUM(returned lines' refunds)", "s.refunded_total",
         "(SELECT COALESCE(SUM(r.refund_total), 0) FROM sale_returns r WHERE r.sale_id = s.id)"},
    };
    for (const auto& c : kSaleSums) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT s.id, ") + c.cached + ", " + c.computed +
                                             " FROM sales s JOIN sale_lines l ON l.sale_id = s.id GROUP BY s.id, " +
                                             c.cached + " HAVING " + c.cached + " <> " + c.computed + " ORDER BY s.id"));
      for (const auto& r : rows.rows) found.push_back({c.invariant, 0, r.Int(1), r.Int(2), "sale " + r.Text(0)});
    }
    SY_ASSIGN_OR_RETURN(auto pays, tx.Exec(
        "SELECT s.id, s.due, COALESCE(SUM(p.amount), 0) FROM sales s LEFT JOIN sale_payments p ON p.sale_id = s.id "
        "GROUP BY s.id, s.due HAVING s.due <> COALESCE(SUM(p.amount), 0) ORDER BY s.id"));
    for (const auto& r : pays.rows)
      found.push_back({"sales.due = SUM(sale_payments.amount)", 0, r.Int(1), r.Int(2), "sale " + r.Text(0)});
    SY_ASSIGN_OR_RETURN(auto returned, tx.Exec(
        "SELECT l.id, l.returned_qty, COALESCE(SUM(rl.quantity), 0), l.quantity FROM sale_lines l LEFT JOIN return_lines rl "
        "ON rl.sale_line_id = l.id GROUP BY l.id, l.returned_qty, l.quantity "
        "HAVING l.returned_qty <> COALESCE(SUM(rl.quantity), 0) OR l.returned_qty > l.quantity ORDER BY l.id"));
    for (const auto& r : returned.rows)
      found.push_back({"sale_lines.returned_qty = SUM(return_lines.quantity) <= quantity", 0, r.Int(1), r.Int(2),
                       "sale line " + r.Text(0)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // The report aggregates agree with a rebuild from the raw rows (service/report_feed.h).
  SY_ASSIGN_OR_RETURN(auto reports, CheckReports(ctx));
  found.insert(found.end(), reports.begin(), reports.end());
  return found;
}

}  // namespace shuyou::service
