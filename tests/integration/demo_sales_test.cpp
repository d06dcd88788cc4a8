// The demo sales history on both engines: `shuyou check` clean, every sale's lines, discounts,
// payments and returns add up to its totals (checked here with independent SQL), members'
// statistics agree with their sales, the shape looks like a bookstore (weekends busier, the
// peak hour at lunch or after work, a long tail of buyers), the same seed gives the same rows,
// a second run adds nothing, and the till keeps working on top of the history.
#include <chrono>
#include <map>

#include "service/check.h"
#include "service/demo_catalog.h"
#include "service/demo_members.h"
#include "service/demo_sales.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using json = nlohmann::json;

// 2026-11-28 10:00 in Shanghai (a Saturday).
constexpr int64_t kNow = 1'795'831'200'000;

Result<service::DemoSalesResult> Generate(service::Context& ctx, int64_t store_id, uint64_t seed, int64_t members) {
  SY_RETURN_IF_ERROR(service::GenerateDemoCatalog(ctx, 300, seed, store_id).status());
  SY_RETURN_IF_ERROR(service::GenerateDemoMembers(ctx, members, seed, store_id).status());
  service::DemoSalesOptions o;
  o.months = 3;
  o.seed = seed;
  o.store_ids = {store_id};
  return service::GenerateDemoSales(ctx, o);
}

int64_t Count(store::Database& db, const std::string& sql) {
  int64_t n = -1;
  Status st = db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
    n = rows[0].Int(0);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message() << "\n" << sql;
  return n;
}

// A fingerprint of the history: counts and sums over every table the generator writes.
std::string Fingerprint(store::Database& db) {
  std::string out;
  for (const char* sql : {
           "SELECT COUNT(*) FROM sales", "SELECT SUM(due) FROM sales", "SELECT SUM(id * due % 1000003) FROM sales",
           "SELECT SUM(at % 1000003) FROM sales", "SELECT COUNT(*) FROM sale_lines",
           "SELECT SUM(product_id * quantity) FROM sale_lines", "SELECT SUM(member_id) FROM sales",
           "SELECT SUM(amount) FROM sale_payments WHERE method = 'cash'", "SELECT COUNT(*) FROM sale_returns",
           "SELECT SUM(refund_total) FROM sale_returns", "SELECT SUM(points * id % 1000003) FROM points_ledger",
           "SELECT SUM(remaining) FROM points_lots", "SELECT COUNT(*) FROM tier_history",
           "SELECT SUM(spend) FROM member_genres", "SELECT SUM(total_spend * id % 1000003) FROM members"}) {
    out += std::to_string(Count(db, sql)) + "|";
  }
  return out;
}

class DemoSales : public ApiFixture {};

TEST_P(DemoSales, ConsistentRealisticDeterministicAndUsable) {
  service::Context ctx{*db_, {}, [] { return kNow; }};
  auto made = Generate(ctx, store_id_, 7, 300);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_FALSE(made->skipped);
  EXPECT_EQ(made->first_day, "2026-08-28");
  EXPECT_EQ(made->last_day, "2026-11-28");
  EXPECT_GT(made->sales, 3000);
  EXPECT_EQ(made->sales, CountRows("sales"));
  EXPECT_EQ(made->lines, CountRows("sale_lines"));
  EXPECT_GT(made->returns, 10);
  EXPECT_GT(made->tier_changes, 0);
  store::Database& db = *db_;

  // `shuyou check`: points and stock agree with their ledgers.
  auto check = service::CheckInvariants(ctx);
  ASSERT_TRUE(check.ok()) << check.status().message();
  for (const auto& m : *check) ADD_FAILURE() << m.invariant << " " << m.member_id << " " << m.subject;

  // Every sale adds up (0011_sales.sql's invariants), computed here from the rows.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s JOIN (SELECT sale_id, SUM(gross) g, SUM(member_discount + "
                      "coupon_discount) d, SUM(net) n, SUM(points_share) p, SUM(paid) pd, SUM(tax) t FROM sale_lines "
                      "GROUP BY sale_id) l ON l.sale_id = s.id WHERE s.subtotal <> l.g OR s.discount_total <> l.d OR "
                      "s.net_total <> l.n OR s.points_value <> l.p OR s.due <> l.pd OR s.tax_total <> l.t OR "
                      "s.net_total <> s.subtotal - s.discount_total OR s.due <> s.net_total - s.points_value"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)"), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.due <> (SELECT SUM(amount) FROM sale_payments p "
                      "WHERE p.sale_id = s.id) OR s.tendered <> (SELECT SUM(tendered) FROM sale_payments p "
                      "WHERE p.sale_id = s.id) OR s.change_due <> s.tendered - s.due"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.discount_total <> (SELECT COALESCE(SUM(amount), 0) FROM "
                      "sale_discounts d WHERE d.sale_id = s.id AND d.applied = 1)"),
            0);
  EXPECT_GT(Count(db, "SELECT COUNT(*) FROM sale_discounts WHERE applied = 1 AND amount > 0 AND rule LIKE 'tier:%'"), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sale_lines l WHERE l.returned_qty <> (SELECT COALESCE(SUM(quantity), 0) FROM "
                      "return_lines r WHERE r.sale_line_id = l.id) OR l.returned_qty > l.quantity"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.refunded_total <> (SELECT COALESCE(SUM(refund_total), 0) "
                      "FROM sale_returns r WHERE r.sale_id = s.id)"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sale_returns r WHERE r.refund_total <> (SELECT SUM(refund) FROM return_lines l "
                      "WHERE l.return_id = r.id) OR r.refund_total <> (SELECT SUM(amount) FROM return_payments p "
                      "WHERE p.return_id = r.id) OR r.at <= (SELECT at FROM sales s WHERE s.id = r.sale_id)"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sale_payments p WHERE p.refunded <> (SELECT COALESCE(SUM(amount), 0) FROM "
                      "return_payments r WHERE r.sale_payment_id = p.id) OR p.refunded > p.amount"),
            0);
  // Status follows the returns.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE (s.status = 'completed') <> (s.refunded_total = 0)"), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.status = 'returned' AND EXISTS (SELECT 1 FROM sale_lines l "
                      "WHERE l.sale_id = s.id AND l.returned_qty < l.quantity)"),
            0);
  EXPECT_GT(Count(db, "SELECT COUNT(*) FROM sales WHERE status = 'partly_returned'"), 0);
  // Receipt numbers as checkout writes them.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales WHERE receipt_number <> 'MAIN-' || REPLACE(business_day, '-', '') || "
                      "'-' || CAST(id AS TEXT)"),
            0);

  // Members: purchase statistics as RecordPurchase keeps them, and no sale before joining.
  const std::string spend = "(SELECT COALESCE(SUM(due), 0) FROM sales s WHERE s.member_id = m.id) - (SELECT "
                            "COALESCE(SUM(r.refund_total), 0) FROM sale_returns r JOIN sales s ON s.id = r.sale_id WHERE "
                            "s.member_id = m.id)";
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM members m WHERE m.total_spend <> " + spend), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM members m WHERE m.visits <> (SELECT COUNT(*) FROM sales s WHERE s.member_id = m.id) "
                      "OR COALESCE(m.last_visit_at, 0) <> (SELECT COALESCE(MAX(at), 0) FROM sales s WHERE s.member_id = m.id)"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM members m WHERE m.total_spend <> (SELECT COALESCE(SUM(spend), 0) FROM member_daily d "
                      "WHERE d.member_id = m.id) OR m.visits <> (SELECT COALESCE(SUM(visits), 0) FROM member_daily d "
                      "WHERE d.member_id = m.id) OR m.total_spend <> (SELECT COALESCE(SUM(spend), 0) FROM member_genres g "
                      "WHERE g.member_id = m.id)"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s JOIN members m ON m.id = s.member_id WHERE s.at <= m.created_at"), 0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.member_id IS NOT NULL AND s.points_earned <> (SELECT "
                      "COALESCE(SUM(points), 0) FROM points_ledger p WHERE p.sale_id = s.id AND p.kind = 'earn')"),
            0);
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM sales s WHERE s.points_redeemed <> (SELECT COALESCE(-SUM(points), 0) FROM "
                      "points_ledger p WHERE p.sale_id = s.id AND p.kind = 'redeem')"),
            0);
  EXPECT_GT(Count(db, "SELECT COUNT(*) FROM sales WHERE points_redeemed > 0"), 0);
  EXPECT_GT(Count(db, "SELECT COUNT(*) FROM points_ledger WHERE kind = 'reverse'"), 0);
  // Tiers: the current tier is the last change's.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM members m WHERE m.tier <> COALESCE((SELECT to_tier FROM tier_history h WHERE "
                      "h.member_id = m.id ORDER BY h.id DESC LIMIT 1), 'regular')"),
            0);

  // The long tail: a share without a member; the top tenth of buyers make far more than a tenth of member sales.
  int64_t all = CountRows("sales"), with_member = Count(db, "SELECT COUNT(*) FROM sales WHERE member_id IS NOT NULL");
  EXPECT_GT(with_member, all / 2);
  EXPECT_LT(with_member, all * 85 / 100);
  int64_t buyers = Count(db, "SELECT COUNT(DISTINCT member_id) FROM sales");
  int64_t top = Count(db, "SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM sales WHERE member_id IS NOT NULL "
                          "GROUP BY member_id ORDER BY COUNT(*) DESC LIMIT " + std::to_string(buyers / 10) + ") t");
  EXPECT_GT(top * 100 / with_member, 30) << "the top 10% of " << buyers << " buyers make " << top << " of " << with_member;
  // Baskets of 1–5 lines.
  EXPECT_EQ(Count(db, "SELECT COUNT(*) FROM (SELECT sale_id FROM sale_lines GROUP BY sale_id HAVING COUNT(*) > 5) t"), 0);
  EXPECT_GT(Count(db, "SELECT COUNT(*) FROM (SELECT sale_id FROM sale_lines GROUP BY sale_id HAVING COUNT(*) >= 3) t"), 0);

  // Seasonality: weekend days sell more than weekdays; the busiest hour is at lunch or after work,
  // inside opening hours (Shanghai is UTC+8 all year).
  std::map<std::string, int64_t> per_day;
  std::map<int64_t, int64_t> per_hour;
  Status st = db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT business_day, at FROM sales"));
    for (const auto& r : rows.rows) {
      ++per_day[r.Text(0)];
      ++per_hour[(r.Int(1) / 3'600'000 + 8) % 24];
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  double weekend = 0, weekdays_sold = 0;
  int weekend_days = 0, weekdays = 0;
  using namespace std::chrono;
  for (sys_days d = sys_days(2026y / August / 28); d < sys_days(2026y / November / 28); d += days{1}) {
    year_month_day ymd(d);
    char key[11];
    std::snprintf(key, sizeof key, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
    unsigned wd = std::chrono::weekday(d).c_encoding();
    bool holiday = ymd.month() == October && unsigned(ymd.day()) <= 7;  // 国庆 is its own peak
    if (holiday) continue;
    (wd == 0 || wd == 6 ? weekend : weekdays_sold) += double(per_day[key]);
    ++(wd == 0 || wd == 6 ? weekend_days : weekdays);
  }
  EXPECT_GT(weekend / weekend_days, 1.3 * weekdays_sold / weekdays);
  EXPECT_GT(per_day["2026-10-02"], per_day["2026-09-23"]) << "国庆 beats an ordinary Wednesday";
  EXPECT_GT(per_day["2026-11-11"], per_day["2026-11-18"]) << "双十一 beats the next Wednesday";
  int64_t peak = 0;
  for (const auto& [h, n] : per_hour) {
    EXPECT_GE(h, 9) << "no sale before the store opens";
    EXPECT_LE(h, 21) << "no sale after it closes";
    if (n > per_hour[peak]) peak = h;
  }
  EXPECT_GE(peak, 12);
  EXPECT_LE(peak, 19);

  // The same seed on a fresh database: the same history; another seed: another one.
  std::string print = Fingerprint(db);
  auto twin = NewMigratedTestDatabase(GetParam());
  ASSERT_TRUE(twin->Write([](store::Tx& tx) {
                    return tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) VALUES ('MAIN', 'M', 0, 0)").status();
                  }).ok());
  service::Context twin_ctx{*twin, {}, [] { return kNow; }};
  auto again = Generate(twin_ctx, 1, 7, 300);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(Fingerprint(*twin), print);
  auto other_db = NewMigratedTestDatabase(GetParam());
  ASSERT_TRUE(other_db->Write([](store::Tx& tx) {
                        return tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) VALUES ('MAIN', 'M', 0, 0)").status();
                      }).ok());
  service::Context other_ctx{*other_db, {}, [] { return kNow; }};
  ASSERT_TRUE(Generate(other_ctx, 1, 8, 300).ok());
  EXPECT_NE(Fingerprint(*other_db), print);

  // A second run adds nothing; bad options are refused.
  service::DemoSalesOptions o;
  o.store_ids = {store_id_};
  auto second = service::GenerateDemoSales(ctx, o);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->skipped);
  EXPECT_EQ(Fingerprint(db), print);
  o.months = 37;
  EXPECT_EQ(service::GenerateDemoSales(ctx, o).status().code(), Code::kInvalidArgument);
  o.months = 3;
  o.store_ids = {999};
  EXPECT_EQ(service::GenerateDemoSales(ctx, o).status().code(), Code::kInvalidArgument);
  o.store_ids = {};
  EXPECT_EQ(service::GenerateDemoSales(ctx, o).status().code(), Code::kInvalidArgument);

  // The till works on top of the history: a demo sale reads back, is returned through the API
  // (points reversed from the demo lots), and a new sale gets the next id on both engines.
  int64_t sale = Count(db, "SELECT MIN(id) FROM sales WHERE status = 'completed' AND points_earned > 0 AND points_redeemed = 0");
  Reply got = Send(owner_, "GET", "/api/v1/sales/" + std::to_string(sale));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["id"], sale);
  Reply ret = Send(owner_, "POST", "/api/v1/sales/" + std::to_string(sale) + "/returns", json{{"reason", "test"}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  EXPECT_EQ(ret.json["sale"]["status"], "returned");
  int64_t product = Count(db, "SELECT MIN(product_id) FROM stock_levels WHERE on_hand > 0");
  int64_t max_id = Count(db, "SELECT MAX(id) FROM sales");
  Caller till = owner_;
  till.idempotency_key = "demo-sales-test-1";
  Reply sold = Send(till, "POST", "/api/v1/sales",
                    json{{"store_id", store_id_}, {"lines", {{{"product_id", product}, {"quantity", 1}}}},
                         {"payments", {{{"method", "cash"}, {"amount", 100000}}}}});
  ASSERT_EQ(sold.status, 201) << sold.body;
  EXPECT_EQ(sold.json["id"], max_id + 1);
  check = service::CheckInvariants(ctx);
  ASSERT_TRUE(check.ok());
  for (const auto& m : *check) ADD_FAILURE() << "after the till: " << m.invariant << " " << m.member_id << " " << m.subject;
}

SHUYOU_INSTANTIATE_FOR_ENGINES(DemoSales);

}  // namespace
}  // namespace shuyou::test
