// The baseline of the checkout benchmark (bench/checkout/run.sh): the raw SQLite C API writing
// the same rows as one Shuyou checkout of a 3-line sale with a member, a coupon and points (the
// sale, 3 lines, the coupon's discount, use and redemption, 3 stock levels and movements, the
// payment, a redeem and an earn ledger row with the lot drawn and the lot opened, the member's
// balance and statistics, the day and genre statistics, the audit row and the idempotency key),
// with prepared statements, no reads, no pricing, no HTTP. Same database file, schema and
// pragmas as the server (WAL, synchronous=FULL, foreign keys on).
//
//   bench_raw_checkout DB SALES PER_COMMIT
//
// Prints one line: "<sales> sales in <s> s = <rate> sales/s (<per_commit> per commit)".
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "bench_raw_checkout: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  std::exit(1);
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "bench_raw_checkout: %s: %s\n", sql, err ? err : "");
    std::exit(1);
  }
}

int64_t One(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) Die(db, sql);
  if (sqlite3_step(st) != SQLITE_ROW) Die(db, sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

// A prepared statement run with integer and text parameters.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) != SQLITE_OK) Die(db, sql);
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt& I(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& T(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int64_t Run() {  // the rowid of an INSERT
    int rc = sqlite3_step(st_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) Die(db_, sqlite3_sql(st_));
    sqlite3_reset(st_);
    return sqlite3_last_insert_rowid(db_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_raw_checkout DB SALES PER_COMMIT\n");
    return 2;
  }
  const int64_t sales = std::atoll(argv[2]), per_commit = std::atoll(argv[3]);
  if (sales <= 0 || per_commit <= 0) return 2;
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) Die(db, "open");
  sqlite3_busy_timeout(db, 5000);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  const int64_t store = One(db, "SELECT MIN(id) FROM stores");
  const int64_t staff = One(db, "SELECT MIN(id) FROM staff");
  const int64_t coupon = One(db, "SELECT MIN(id) FROM coupons");
  std::vector<int64_t> products, members;  // the members run.sh gave points to
  {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT id FROM members WHERE points_balance >= 100000 ORDER BY id", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) members.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
  }
  {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT product_id FROM stock_levels WHERE store_id = (SELECT MIN(id) FROM stores) LIMIT 200", -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) products.push_back(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
  }
  if (products.size() < 3 || members.empty()) Die(db, "the database needs stocked products and members (run.sh seeds them)");

  Stmt sale(db, "INSERT INTO sales (receipt_number, store_id, staff_id, member_id, at, business_day, currency, subtotal, "
                "discount_total, net_total, points_redeemed, points_value, due, tax_total, tendered, change_due, points_earned) "
                "VALUES (?, ?, ?, ?, ?, '2026-11-28', 'CNY', 12000, 600, 11400, 100, 100, 11300, 0, 20000, 8700, 113)");
  Stmt line(db, "INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, title, genre, quantity, unit_price, gross, "
                "coupon_discount, net, points_share, paid, tax) VALUES (?, ?, ?, '9787020002207', 'Bench title', 'fiction', "
                "1, 4000, 4000, 200, 3800, 33, 3767, 0)");
  Stmt discount(db, "INSERT INTO sale_discounts (sale_id, rule, detail, amount, applied, coupon_id) "
                    "VALUES (?, 'coupon:BENCH5', '5% off ¥120.00', 600, 1, ?)");
  Stmt coupon_use(db, "UPDATE coupons SET uses = uses + 1 WHERE id = ?");
  Stmt redemption(db, "INSERT INTO coupon_redemptions (coupon_id, sale_id, member_id, at, amount) VALUES (?, ?, ?, ?, 600)");
  Stmt level(db, "UPDATE stock_levels SET on_hand = on_hand - 1, updated_at = ? WHERE store_id = ? AND product_id = ?");
  Stmt movement(db, "INSERT INTO stock_movements (store_id, product_id, at, kind, quantity, on_hand_after, reason, staff_id, sale_id) "
                    "VALUES (?, ?, ?, 'sale', -1, 0, 'sale', ?, ?)");
  Stmt payment(db, "INSERT INTO sale_payments (sale_id, method, amount, tendered) VALUES (?, 'cash', 11300, 20000)");
  Stmt ledger(db, "INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason, staff_id, sale_id, expires_on) "
                  "VALUES (?, ?, ?, ?, 0, 'bench', ?, ?, '2027-11-28')");
  Stmt balance(db, "UPDATE members SET points_balance = points_balance + ?, updated_at = ? WHERE id = ?");
  Stmt draw_lot(db, "UPDATE points_lots SET remaining = remaining WHERE member_id = ? AND id = (SELECT MIN(id) FROM points_lots WHERE member_id = ?)");
  Stmt draw(db, "INSERT INTO points_draws (ledger_id, lot_id, points) VALUES (?, (SELECT MIN(id) FROM points_lots WHERE member_id = ?), 100)");
  Stmt lot(db, "INSERT INTO points_lots (member_id, ledger_id, sale_id, earned_on, expires_on, points, remaining) "
               "VALUES (?, ?, ?, '2026-11-28', '2027-11-28', 113, 113)");
  Stmt stats(db, "UPDATE members SET total_spend = total_spend + 11300, visits = visits + 1, last_visit_at = ? WHERE id = ?");
  Stmt daily(db, "INSERT INTO member_daily (member_id, day, spend, visits) VALUES (?, '2026-11-28', 11300, 1) "
                 "ON CONFLICT (member_id, day) DO UPDATE SET spend = member_daily.spend + excluded.spend, visits = member_daily.visits + 1");
  Stmt genre(db, "INSERT INTO member_genres (member_id, genre, spend, purchases) VALUES (?, 'fiction', 11300, 1) "
                 "ON CONFLICT (member_id, genre) DO UPDATE SET spend = member_genres.spend + excluded.spend, "
                 "purchases = member_genres.purchases + 1");
  Stmt audit(db, "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, details, ip, request_id) "
                 "VALUES (?, 'staff', ?, 'bench', 'sale.create', ?, '{\"total\":11400}', '127.0.0.1', '')");
  Stmt key(db, "INSERT INTO idempotency_keys (scope, key, fingerprint, response, created_at) VALUES ('sale:store:1', ?, "
               "'0000000000000000000000000000000000000000000000000000000000000000', '{\"id\":0}', ?)");

  const auto run = static_cast<int64_t>(std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < sales; ++i) {
    if (i % per_commit == 0) Exec(db, "BEGIN IMMEDIATE");
    const int64_t at = run + i, member = members[size_t((i * 7) % int64_t(members.size()))];
    const std::string tag = "raw-" + std::to_string(run) + "-" + std::to_string(i);
    int64_t id = sale.T(1, tag).I(2, store).I(3, staff).I(4, member).I(5, at).Run();
    for (int64_t l = 0; l < 3; ++l) {
      int64_t product = products[size_t((i * 3 + l) % int64_t(products.size()))];
      line.I(1, id).I(2, l + 1).I(3, product).Run();
      level.I(1, at).I(2, store).I(3, product).Run();
      movement.I(1, store).I(2, product).I(3, at).I(4, staff).I(5, id).Run();
    }
    discount.I(1, id).I(2, coupon).Run();
    coupon_use.I(1, coupon).Run();
    redemption.I(1, coupon).I(2, id).I(3, member).I(4, at).Run();
    payment.I(1, id).Run();
    int64_t redeem = ledger.I(1, member).I(2, at).T(3, "redeem").I(4, -100).I(5, staff).I(6, id).Run();
    balance.I(1, -100).I(2, at).I(3, member).Run();
    draw_lot.I(1, member).I(2, member).Run();
    draw.I(1, redeem).I(2, member).Run();
    int64_t earn = ledger.I(1, member).I(2, at).T(3, "earn").I(4, 113).I(5, staff).I(6, id).Run();
    balance.I(1, 113).I(2, at).I(3, member).Run();
    lot.I(1, member).I(2, earn).I(3, id).Run();
    stats.I(1, at).I(2, member).Run();
    daily.I(1, member).Run();
    genre.I(1, member).Run();
    audit.I(1, at).I(2, staff).T(3, "sale:" + std::to_string(id)).Run();
    key.T(1, tag).I(2, at).Run();
    if ((i + 1) % per_commit == 0 || i + 1 == sales) Exec(db, "COMMIT");
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lld sales in %.2f s = %.0f sales/s (%lld per commit)\n", static_cast<long long>(sales), s, double(sales) / s,
              static_cast<long long>(per_commit));
  sqlite3_close(db);
  return 0;
}
