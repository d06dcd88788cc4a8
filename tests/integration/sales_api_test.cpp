// Checkout, returns, voids and shifts through the HTTP API on both engines. The expected numbers
// are worked out by hand in the comments (prices in fen), not taken from the code under test.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "service/check.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

// The SQL of every statement SQLite runs in this process while `g_recording` is on: a trace
// callback on every connection, installed by an auto-extension registered before the tests
// open any (TheTillsStatementsSearchIndexes below).
std::atomic<bool> g_recording{false};
std::mutex g_recorded_mu;
std::set<std::string> g_recorded;
int RecordStatement(unsigned, void*, void*, void* sql) {
  auto* text = static_cast<const char*>(sql);
  // A trigger's statements come as "-- …" comments.
  if (!g_recording.load(std::memory_order_relaxed) || text == nullptr || text[0] == '-') return 0;
  std::lock_guard lock(g_recorded_mu);
  g_recorded.insert(text);
  return 0;
}
int TraceConnection(sqlite3* db, char**, const sqlite3_api_routines*) {
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT, RecordStatement, nullptr);
  return SQLITE_OK;
}
// Registering initializes SQLite, after which store::OpenSqlite's sqlite3_config has no effect:
// the same configuration first.
const int kTraceRegistered = (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0),
                              sqlite3_auto_extension(reinterpret_cast<void (*)()>(&TraceConnection)));

class SalesApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    Reply cat = Send(owner_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}, {"name_en", "Fiction"}});
    ASSERT_EQ(cat.status, 201) << cat.body;
    Reply a = Send(owner_, "POST", "/api/v1/products",
                   json{{"isbn", "9787020002207"}, {"title", "红楼梦"}, {"list_price", 5990}, {"category_id", cat.json["id"]},
                        {"cost", 3500}, {"tax_rate_bp", 900}});
    ASSERT_EQ(a.status, 201) << a.body;
    book_a_ = a.json["id"];
    Reply b = Send(owner_, "POST", "/api/v1/products", json{{"isbn", "9787532744510"}, {"title", "挪威的森林"}, {"list_price", 3600}});
    ASSERT_EQ(b.status, 201) << b.body;
    book_b_ = b.json["id"];
    Receive(book_a_, 10);
    Receive(book_b_, 10);
  }

  void Receive(int64_t product, int64_t qty) {
    Reply r = Send(owner_, "POST", "/api/v1/stock/receipts",
                   json{{"store_id", store_id_}, {"lines", {{{"product_id", product}, {"quantity", qty}}}}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // A member with 2000 points and ¥100.00 stored value.
  int64_t RichMember(const std::string& phone) {
    Reply m = Send(cashier_, "POST", "/api/v1/members", json{{"phone", phone}, {"name", "王芳"}});
    EXPECT_EQ(m.status, 201) << m.body;
    int64_t id = m.json.value("id", int64_t(0));
    std::string base = "/api/v1/members/" + std::to_string(id);
    Reply adj = Send(manager_, "POST", base + "/points/adjustments", json{{"points", 2000}, {"reason", "opening balance"}});
    EXPECT_EQ(adj.status, 201) << adj.body;
    Reply top = Send(cashier_, "POST", base + "/stored-value/top-ups", json{{"amount", 10000}, {"payment_method", "cash"}});
    EXPECT_EQ(top.status, 201) << top.body;
    return id;
  }

  // 满100减20 (spend ¥100.00, get ¥20.00 off), optionally capped.
  void Coupon(const std::string& code, std::optional<int64_t> max_uses = std::nullopt,
              std::optional<std::string> valid_to = std::nullopt) {
    Status st = db_->Write([&](store::Tx& tx) -> Status {
      return tx
          .Exec("INSERT INTO coupons (code, name, kind, amount, threshold, max_uses, valid_to, created_at, updated_at) "
                "VALUES (?, '满100减20', 'spend_get', 2000, 10000, ?, ?, 0, 0)",
                {code, max_uses ? store::Value(*max_uses) : store::Null(),
                 valid_to ? store::Value(*valid_to) : store::Null()})
          .status();
    });
    ASSERT_TRUE(st.ok()) << st.message();
  }

  int64_t Count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  int64_t OnHand(int64_t product) {
    return Count("SELECT on_hand FROM stock_levels WHERE store_id = ? AND product_id = ?", {store_id_, product});
  }

  json Member(int64_t id) { return Send(owner_, "GET", "/api/v1/members/" + std::to_string(id)).json; }

  Reply Sell(const json& body, const std::string& key = "") {
    Caller c = cashier_;
    c.idempotency_key = key;
    return Send(c, "POST", "/api/v1/sales", body);
  }

  // The issue's example: 红楼梦 ×1 (¥59.90) and 挪威的森林 ×2 (¥72.00) with 满100减20, 500 points
  // and ¥50.00 stored value, the rest in cash (¥100.00 handed over).
  json ExampleSale(int64_t member) {
    return json{{"store_id", store_id_},
                {"member_id", member},
                {"lines", {{{"barcode", "978-7-02-000220-7"}, {"quantity", 1}}, {{"product_id", book_b_}, {"quantity", 2}}}},
                {"coupon_codes", {"man100jian20"}},
                {"points_to_redeem", 500},
                {"payments", {{{"method", "stored_value"}, {"amount", 5000}}, {{"method", "cash"}, {"amount", 10000}}}}};
  }

  void ExpectChecksClean() {
    auto found = service::CheckInvariants(app_->context());
    ASSERT_TRUE(found.ok()) << found.status().message();
    for (const auto& m : *found) ADD_FAILURE() << m.invariant << " " << m.subject << " member " << m.member_id << ": " << m.cached << " vs " << m.computed;
  }

  Caller cashier_, manager_;
  int64_t book_a_ = 0, book_b_ = 0;
};

TEST_P(SalesApi, CheckoutWithMemberCouponPointsAndSplitPaymentWritesEverythingOnce) {
  int64_t member = RichMember("13800138000");
  Coupon("MAN100JIAN20");
  Reply r = Sell(ExampleSale(member), "till-1-0001");
  ASSERT_EQ(r.status, 201) << r.body;
  const json& s = r.json;
  // subtotal 5990 + 7200 = 13190; 满100减20 once → 11190; 500 points = ¥5.00 → due 10690;
  // tendered 5000 + 10000 = 15000 → change 4310 from the cash, which keeps 5690.
  EXPECT_EQ(s["subtotal"], 13190);
  EXPECT_EQ(s["discount_total"], 2000);
  EXPECT_EQ(s["total"], 11190);
  EXPECT_EQ(s["points_redeemed"], 500);
  EXPECT_EQ(s["points_value"], 500);
  EXPECT_EQ(s["due"], 10690);
  EXPECT_EQ(s["change_due"], 4310);
  EXPECT_EQ(s["status"], "completed");
  EXPECT_EQ(s["receipt_number"].get<std::string>().rfind("MAIN-", 0), 0u) << s["receipt_number"];
  ASSERT_EQ(s["discounts"].size(), 1u);
  EXPECT_EQ(s["discounts"][0]["rule"], "coupon:MAN100JIAN20");
  EXPECT_EQ(s["discounts"][0]["amount"], 2000);
  // The coupon splits 7200:5990 by largest remainder: 红楼梦 908, 挪威的森林 1092; points 500 by net
  // (5082:6108): 227 and 273.
  ASSERT_EQ(s["lines"].size(), 2u);
  EXPECT_EQ(s["lines"][0]["coupon_discount"], 908);
  EXPECT_EQ(s["lines"][0]["net"], 5082);
  EXPECT_EQ(s["lines"][0]["points_share"], 227);
  EXPECT_EQ(s["lines"][0]["genre"], "fiction");
  EXPECT_EQ(s["lines"][1]["coupon_discount"], 1092);
  EXPECT_EQ(s["lines"][1]["paid"], 6108 - 273);
  // 1 point per ¥1.00 paid, rounded down: ¥106.90 → 106.
  EXPECT_EQ(s["points_earned"], 106);
  EXPECT_EQ(s["points_explained"]["points"], 106);
  EXPECT_EQ(s["points_balance"], 2000 - 500 + 106);
  EXPECT_EQ(s["stored_value_balance"], 10000 - 5000);
  ASSERT_EQ(s["payments"].size(), 2u);
  EXPECT_EQ(s["payments"][0]["method"], "stored_value");
  EXPECT_EQ(s["payments"][0]["amount"], 5000);
  EXPECT_EQ(s["payments"][1]["method"], "cash");
  EXPECT_EQ(s["payments"][1]["amount"], 5690);
  EXPECT_EQ(s["payments"][1]["tendered"], 10000);

  int64_t id = s["id"];
  EXPECT_EQ(OnHand(book_a_), 9);
  EXPECT_EQ(OnHand(book_b_), 8);
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE code = 'MAN100JIAN20'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_ledger WHERE sale_id = ?", {id}), 2) << "one redeem and one earn row";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stored_value_ledger WHERE sale_id = ? AND kind = 'spend'", {id}), 1);
  json m = Member(member);
  EXPECT_EQ(m["points_balance"], 1606);
  EXPECT_EQ(Count("SELECT total_spend FROM members WHERE id = ?", {member}), 10690);
  EXPECT_EQ(Count("SELECT visits FROM members WHERE id = ?", {member}), 1);
  EXPECT_EQ(Count("SELECT spend FROM member_genres WHERE member_id = ? AND genre = 'fiction'", {member}), 5082 - 227);

  Reply got = Send(owner_, "GET", "/api/v1/sales/" + std::to_string(id));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["total"], 11190);
  EXPECT_EQ(got.json["lines"], s["lines"]);
  EXPECT_EQ(got.json["payments"], s["payments"]);
  Reply list = Send(owner_, "GET", "/api/v1/sales?member_id=" + std::to_string(member));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["items"].size(), 1u);
  EXPECT_EQ(list.json["items"][0]["id"], id);
  Reply by_receipt = Send(owner_, "GET", "/api/v1/sales?receipt_number=" + s["receipt_number"].get<std::string>());
  ASSERT_EQ(by_receipt.json["items"].size(), 1u);
  ExpectChecksClean();
}

TEST_P(SalesApi, TheSameIdempotencyKeyAnswersTheFirstSaleAndWritesNothingAgain) {
  json body = {{"store_id", store_id_},
               {"lines", {{{"product_id", book_b_}, {"quantity", 1}}}},
               {"payments", {{{"method", "card"}, {"amount", 3600}, {"reference", "POS-778"}}}}};
  Reply first = Sell(body, "till-2-42");
  ASSERT_EQ(first.status, 201) << first.body;
  Reply again = Sell(body, "till-2-42");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json["id"], first.json["id"]);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 1);
  EXPECT_EQ(OnHand(book_b_), 9);
  body["lines"][0]["quantity"] = 2;
  body["payments"][0]["amount"] = 7200;
  Reply other = Sell(body, "till-2-42");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 1);
}

TEST_P(SalesApi, BadInputGetsAClearErrorAndWritesNothing) {
  int64_t member = RichMember("13800138001");
  Coupon("OLD20", std::nullopt, "2020-01-31");
  auto sale = [&](json lines, json payments) {
    return json{{"store_id", store_id_}, {"member_id", member}, {"lines", lines}, {"payments", payments}};
  };
  json cash3600 = {{{"method", "cash"}, {"amount", 3600}}};
  struct Case {
    const char* name;
    json body;
    int status;
    std::string field;  // "" = only the status is checked
  };
  std::vector<Case> cases = {
      {"unknown ISBN", sale({{{"barcode", "9787111111111"}, {"quantity", 1}}}, cash3600), 400, "lines[0].barcode"},
      {"bad check digit", sale({{{"barcode", "9787532744511"}, {"quantity", 1}}}, cash3600), 400, "lines[0].barcode"},
      {"zero quantity", sale({{{"product_id", book_b_}, {"quantity", 0}}}, cash3600), 400, "lines[0].quantity"},
      {"negative quantity", sale({{{"product_id", book_b_}, {"quantity", -2}}}, cash3600), 400, "lines[0].quantity"},
      {"no lines", sale(json::array(), cash3600), 400, "lines"},
      {"short payment", sale({{{"product_id", book_b_}, {"quantity", 1}}}, {{{"method", "cash"}, {"amount", 3500}}}), 400, "payments"},
      {"card overpays", sale({{{"product_id", book_b_}, {"quantity", 1}}}, {{{"method", "card"}, {"amount", 4000}}}), 400, "payments"},
      {"unknown method", sale({{{"product_id", book_b_}, {"quantity", 1}}}, {{{"method", "cheque"}, {"amount", 3600}}}), 400,
       "payments[0].method"},
      {"amount as text", sale({{{"product_id", book_b_}, {"quantity", 1}}}, {{{"method", "cash"}, {"amount", "36.00"}}}), 400,
       "payments[0].amount"},
      {"stock short", sale({{{"product_id", book_b_}, {"quantity", 11}}}, {{{"method", "cash"}, {"amount", 39600}}}), 409, ""},
      {"stored value short",
       sale({{{"product_id", book_b_}, {"quantity", 3}}}, {{{"method", "stored_value"}, {"amount", 10800}}}), 409, ""},
  };
  json expired = sale({{{"product_id", book_a_}, {"quantity", 2}}}, {{{"method", "cash"}, {"amount", 11980}}});
  expired["coupon_codes"] = {"OLD20"};
  cases.push_back({"expired coupon", expired, 400, "coupon_codes[0]"});
  json unknown_coupon = expired;
  unknown_coupon["coupon_codes"] = {"NOPE"};
  cases.push_back({"unknown coupon", unknown_coupon, 400, "coupon_codes[0]"});
  json too_many_points = sale({{{"product_id", book_b_}, {"quantity", 1}}}, {{{"method", "cash"}, {"amount", 3600}}});
  too_many_points["points_to_redeem"] = 2100;
  cases.push_back({"points above balance", too_many_points, 400, "points_to_redeem"});
  json points_no_member = too_many_points;
  points_no_member.erase("member_id");
  points_no_member["points_to_redeem"] = 100;
  cases.push_back({"points without a member", points_no_member, 400, "points_to_redeem"});
  json unknown_member = too_many_points;
  unknown_member["member_id"] = 999999;
  unknown_member["points_to_redeem"] = 0;
  cases.push_back({"unknown member", unknown_member, 400, "member_id"});
  json stray = sale({{{"product_id", book_b_}, {"quantity", 1}, {"price", 1}}}, cash3600);
  cases.push_back({"unknown line field", stray, 400, "lines[0].price"});

  for (const auto& c : cases) {
    Reply r = Sell(c.body);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_FALSE(r.json["error"]["message"].get<std::string>().empty()) << c.name;
    if (!c.field.empty()) {
      EXPECT_FALSE(r.FieldError(c.field).empty()) << c.name << ": " << r.body;
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sale_lines"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock_movements WHERE kind = 'sale'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_ledger WHERE sale_id IS NOT NULL"), 0);
  EXPECT_EQ(OnHand(book_b_), 10);
  EXPECT_EQ(Member(member)["points_balance"], 2000);
  EXPECT_EQ(Member(member)["stored_value_balance"], 10000);
  ExpectChecksClean();
}

TEST_P(SalesApi, TwoTillsSellingTheLastCopyCannotBothSucceed) {
  Reply adj = Send(owner_, "POST", "/api/v1/stock/adjustments",
                   json{{"store_id", store_id_}, {"product_id", book_a_}, {"quantity", -9}, {"reason", "display copies"}});
  ASSERT_EQ(adj.status, 201) << adj.body;
  json body = {{"store_id", store_id_},
               {"lines", {{{"product_id", book_a_}, {"quantity", 1}}}},
               {"payments", {{{"method", "cash"}, {"amount", 5990}}}}};
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> tills;
  for (int i = 0; i < 2; ++i)
    tills.emplace_back([&, i] {
      Reply r = Sell(body, "last-copy-" + std::to_string(i));
      (r.status == 201 ? created : refused)++;
      if (r.status != 201) {
        EXPECT_EQ(r.status, 409) << r.body;
      }
    });
  for (auto& t : tills) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 1);
  EXPECT_EQ(OnHand(book_a_), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 1);
}

TEST_P(SalesApi, ManyTillsAtOnceAllCommitThroughGroupCommit) {
  constexpr int kTills = 6, kEach = 5;
  Receive(book_b_, 100);
  std::vector<std::thread> tills;
  std::atomic<int> created{0};
  for (int t = 0; t < kTills; ++t)
    tills.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Reply r = Sell(json{{"store_id", store_id_},
                            {"lines", {{{"product_id", book_b_}, {"quantity", 1}}}},
                            {"payments", {{{"method", "mobile"}, {"amount", 3600}}}}},
                       "till-" + std::to_string(t) + "-" + std::to_string(i));
        if (r.status == 201) {
          created++;
        } else {
          ADD_FAILURE() << r.body;
        }
      }
    });
  for (auto& t : tills) t.join();
  EXPECT_EQ(created.load(), kTills * kEach);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), kTills * kEach);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT receipt_number) FROM sales"), kTills * kEach);
  EXPECT_EQ(OnHand(book_b_), 110 - kTills * kEach);
  ExpectChecksClean();
}

TEST_P(SalesApi, PartialThenFullReturnGivesBackMoneyPointsStockAndTheCoupon) {
  int64_t member = RichMember("13800138002");
  Coupon("MAN100JIAN20", 1);
  Reply sale = Sell(ExampleSale(member));
  ASSERT_EQ(sale.status, 201) << sale.body;
  int64_t id = sale.json["id"];
  int64_t line_b = sale.json["lines"][1]["id"];
  std::string path = "/api/v1/sales/" + std::to_string(id) + "/returns";

  // One of the two 挪威的森林: the line paid 5835 for 2, so 2917 comes back (rounded down; the
  // second copy will bring the other 2918), to the stored value first.
  Reply part = Send(cashier_, "POST", path, json{{"lines", {{{"sale_line_id", line_b}, {"quantity", 1}}}}, {"reason", "破损"}});
  ASSERT_EQ(part.status, 201) << part.body;
  EXPECT_EQ(part.json["refund_total"], 2917);
  ASSERT_EQ(part.json["payments"].size(), 1u);
  EXPECT_EQ(part.json["payments"][0]["method"], "stored_value");
  EXPECT_EQ(part.json["payments"][0]["amount"], 2917);
  EXPECT_EQ(part.json["sale"]["status"], "partly_returned");
  EXPECT_EQ(part.json["sale"]["lines"][1]["returned_qty"], 1);
  EXPECT_EQ(OnHand(book_b_), 9);
  EXPECT_EQ(Member(member)["stored_value_balance"], 5000 + 2917);
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE code = 'MAN100JIAN20'"), 1) << "the coupon stays used on a partial return";

  // Without the receipt: the member's purchases of the book on the counter.
  auto returnable = [&](int64_t product) {
    Reply r = Send(cashier_, "GET", "/api/v1/sales?member_id=" + std::to_string(member) +
                                        "&returnable_product_id=" + std::to_string(product));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["items"];
  };
  ASSERT_EQ(returnable(book_b_).size(), 1u);
  EXPECT_EQ(returnable(book_b_)[0]["id"], id);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/sales?returnable_product_id=x").status, 400);

  Reply too_many = Send(cashier_, "POST", path, json{{"lines", {{{"sale_line_id", line_b}, {"quantity", 2}}}}});
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_FALSE(too_many.FieldError("lines[0].quantity").empty());
  Reply foreign = Send(cashier_, "POST", path, json{{"lines", {{{"sale_line_id", 999999}, {"quantity", 1}}}}});
  EXPECT_EQ(foreign.status, 400) << foreign.body;

  // The rest: 红楼梦 (paid 5082 − 227 = 4855) and the other copy (2918).
  Reply rest = Send(cashier_, "POST", path, json{{"reason", "changed mind"}});
  ASSERT_EQ(rest.status, 201) << rest.body;
  EXPECT_EQ(rest.json["refund_total"], 4855 + 2918);
  EXPECT_EQ(rest.json["sale"]["status"], "returned");
  EXPECT_EQ(rest.json["sale"]["refunded_total"], 10690) << "everything paid with money comes back";
  // Stored value had 5000 − 2917 = 2083 left to refund; the cash kept 5690 takes the rest.
  int64_t sv = 0, cash = 0;
  for (const auto& p : rest.json["payments"]) (p["method"] == "cash" ? cash : sv) += p["amount"].get<int64_t>();
  EXPECT_EQ(sv, 2083);
  EXPECT_EQ(cash, 4855 + 2918 - 2083);
  json m = Member(member);
  EXPECT_EQ(m["stored_value_balance"], 10000);
  EXPECT_EQ(m["points_balance"], 2000) << "earned points taken back and the 500 redeemed given back";
  EXPECT_EQ(OnHand(book_a_), 10);
  EXPECT_EQ(OnHand(book_b_), 10);
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE code = 'MAN100JIAN20'"), 0) << "a full return gives the coupon back";
  EXPECT_TRUE(returnable(book_b_).empty()) << "nothing of it is left to return";
  EXPECT_TRUE(returnable(book_a_).empty());
  EXPECT_EQ(Count("SELECT total_spend FROM members WHERE id = ?", {member}), 0);
  Reply again = Send(cashier_, "POST", path, json::object());
  EXPECT_EQ(again.status, 400) << again.body;
  ExpectChecksClean();
}

// What the till does holds the writer (checkout, returns, voids) or answers the cashier while the
// customer waits (quote, sale, receipt): none of its statements may read a table that grows with
// the business from end to end. Every statement SQLite ran is checked against its query plan:
// a SCAN is allowed only of the configuration tables below. (A return used to scan
// points_ledger and points_lots whole: migration 0027.)
TEST_P(SalesApi, TheTillsStatementsSearchIndexes) {
  if (GetParam() != store::Engine::kSqlite) GTEST_SKIP() << "SQLite's query plans";
  ASSERT_EQ(kTraceRegistered, SQLITE_OK);
  int64_t member = RichMember("13800138009");
  Coupon("MAN100JIAN20");
  Reply card = Send(owner_, "POST", "/api/v1/stamp-cards", json{{"name", "三本卡"}, {"stamps_needed", 3}, {"reward", "书签"}});
  ASSERT_EQ(card.status, 201) << card.body;
  {
    std::lock_guard lock(g_recorded_mu);
    g_recorded.clear();
  }
  g_recording = true;
  Reply quote = Send(cashier_, "POST", "/api/v1/sales/quote", ExampleSale(member));
  EXPECT_EQ(quote.status, 200) << quote.body;
  Reply sale = Sell(ExampleSale(member), "till-9-1");
  ASSERT_EQ(sale.status, 201) << sale.body;
  const std::string path = "/api/v1/sales/" + std::to_string(sale.json["id"].get<int64_t>());
  EXPECT_EQ(Send(cashier_, "GET", path).status, 200);
  EXPECT_EQ(Send(cashier_, "GET", path + "/receipt?format=html").status, 200);
  int64_t line = sale.json["lines"][1]["id"];
  Reply part = Send(cashier_, "POST", path + "/returns", json{{"lines", {{{"sale_line_id", line}, {"quantity", 1}}}}});
  EXPECT_EQ(part.status, 201) << part.body;
  EXPECT_EQ(Send(cashier_, "POST", path + "/returns", json::object()).status, 201);
  Reply other = Sell(json{{"store_id", store_id_},
                          {"member_id", member},
                          {"lines", {{{"product_id", book_a_}, {"quantity", 1}}}},
                          {"payments", {{{"method", "card"}, {"amount", 5990}}}}});
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/sales/" + std::to_string(other.json["id"].get<int64_t>()) + "/void",
                 json{{"reason", "rung up twice"}}).status, 201);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/sales?member_id=" + std::to_string(member) +
                                      "&returnable_product_id=" + std::to_string(book_b_)).status, 200);
  g_recording = false;
  std::set<std::string> statements;
  {
    std::lock_guard lock(g_recorded_mu);
    statements.swap(g_recorded);
  }
  ASSERT_GT(statements.size(), 50u) << "the trace saw the till's statements";

  const std::set<std::string> small = {"stores", "staff", "categories", "loyalty_programs", "clubs", "stamp_cards",
                                       "report_settings", "sqlite_sequence"};
  std::set<std::string> tables;
  ASSERT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                   SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT name FROM sqlite_master WHERE type = 'table'"));
                   for (const auto& r : rows.rows) tables.insert(r.Text(0));
                   return Status::Ok();
                 }).ok());
  static const std::regex named(R"((?:FROM|JOIN|UPDATE|INTO)\s+([a-z_]+)(?:\s+(?:AS\s+)?([a-z_]+))?)", std::regex::icase);
  static const std::regex scan(R"(^SCAN ([a-z_]+))");
  int checked = 0;
  for (const std::string& sql : statements) {
    if (sql.rfind("SELECT", 0) != 0 && sql.rfind("INSERT", 0) != 0 && sql.rfind("UPDATE", 0) != 0 &&
        sql.rfind("DELETE", 0) != 0 && sql.rfind("WITH", 0) != 0)
      continue;  // BEGIN, SAVEPOINT, PRAGMA, …
    std::map<std::string, std::string> table_of;  // name in the statement (alias or table) → table
    for (auto it = std::sregex_iterator(sql.begin(), sql.end(), named); it != std::sregex_iterator(); ++it) {
      std::string table = (*it)[1], alias = (*it)[2];
      if (!tables.count(table)) continue;
      table_of[table] = table;
      if (!alias.empty() && !tables.count(alias)) table_of[alias] = table;
    }
    std::vector<store::Value> params(size_t(std::count(sql.begin(), sql.end(), '?')), store::Null());
    std::string plan;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("EXPLAIN QUERY PLAN " + sql, params));
      for (const auto& r : rows.rows) plan += r.Text(3) + "\n";
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.message() << "\n" << sql;
    ++checked;
    std::istringstream lines(plan);
    for (std::string step; std::getline(lines, step);) {
      std::smatch m;
      if (!std::regex_search(step, m, scan) || !table_of.count(m[1])) continue;
      const std::string& table = table_of[m[1]];
      EXPECT_TRUE(small.count(table)) << "scans " << table << ":\n" << sql << "\n" << plan;
    }
  }
  EXPECT_GT(checked, 50);
}

// A customer without the receipt and without a membership: the book on the counter finds this
// store's sales of it that can still be returned, newest first, optionally within days.
TEST_P(SalesApi, WithoutReceiptOrMemberTheBookFindsTheStoresReturnableSales) {
  auto cash_sale = [&](const json& lines, int64_t amount) {
    Reply r = Sell(json{{"store_id", store_id_}, {"lines", lines}, {"payments", {{{"method", "cash"}, {"amount", amount}}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  };
  json first = cash_sale({{{"product_id", book_a_}, {"quantity", 1}}, {{"product_id", book_b_}, {"quantity", 1}}}, 9590);
  json only_a = cash_sale({{{"product_id", book_a_}, {"quantity", 1}}}, 5990);
  json second = cash_sale({{{"product_id", book_b_}, {"quantity", 2}}}, 7200);
  // Another store's sale of the same book is not this till's to refund.
  Reply east = Send(owner_, "POST", "/api/v1/stores", json{{"code", "EAST"}, {"name", "东区店"}});
  ASSERT_EQ(east.status, 201) << east.body;
  int64_t east_id = east.json["id"];
  Reply stock = Send(owner_, "POST", "/api/v1/stock/receipts",
                     json{{"store_id", east_id}, {"lines", {{{"product_id", book_b_}, {"quantity", 5}}}}});
  ASSERT_EQ(stock.status, 201) << stock.body;
  Caller owner_till = owner_;
  owner_till.idempotency_key = "east-1";
  Reply elsewhere = Send(owner_till, "POST", "/api/v1/sales",
                         json{{"store_id", east_id}, {"lines", {{{"product_id", book_b_}, {"quantity", 1}}}},
                              {"payments", {{{"method", "cash"}, {"amount", 3600}}}}});
  ASSERT_EQ(elsewhere.status, 201) << elsewhere.body;

  auto ids = [&](int64_t product, const std::string& extra = "") {
    Reply r = Send(cashier_, "GET", "/api/v1/sales?store_id=" + std::to_string(store_id_) +
                                        "&returnable_product_id=" + std::to_string(product) + extra);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> out;
    for (const auto& s : r.json["items"]) out.push_back(s["id"]);
    return out;
  };
  const int64_t first_id = first["id"], only_a_id = only_a["id"], second_id = second["id"];
  EXPECT_EQ(ids(book_b_), (std::vector<int64_t>{second_id, first_id}));
  EXPECT_EQ(ids(book_a_), (std::vector<int64_t>{only_a_id, first_id}));
  const std::string day = first["business_day"];
  EXPECT_EQ(ids(book_b_, "&from=" + day + "&to=" + day), (std::vector<int64_t>{second_id, first_id}));
  EXPECT_TRUE(ids(book_b_, "&to=2000-01-01").empty());
  EXPECT_EQ(ids(book_b_, "&limit=1"), (std::vector<int64_t>{second_id}));

  // Both copies of `second` back: it no longer offers book B; `first` still does.
  int64_t line = second["lines"][0]["id"];
  Reply back = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(second_id) + "/returns",
                    json{{"lines", {{{"sale_line_id", line}, {"quantity", 2}}}}, {"reason", "无小票"}});
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(ids(book_b_), (std::vector<int64_t>{first_id}));
  ExpectChecksClean();
}

TEST_P(SalesApi, AReturnTakesBackTheStampsItsLinesEarned) {
  Reply card = Send(owner_, "POST", "/api/v1/stamp-cards",
                    json{{"name", "三本卡"}, {"stamps_needed", 3}, {"reward", "书签"}});
  ASSERT_EQ(card.status, 201) << card.body;
  Reply m = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13800138077"}});
  ASSERT_EQ(m.status, 201) << m.body;
  int64_t member = m.json["id"];
  std::string stamps_path = "/api/v1/members/" + std::to_string(member) + "/stamps";
  auto copies = [&](int64_t n) {
    return json{{"store_id", store_id_},
                {"member_id", member},
                {"lines", {{{"product_id", book_b_}, {"quantity", n}}}},
                {"payments", {{{"method", "cash"}, {"amount", 3600 * n}}}}};
  };
  // Four copies: one full card (a reward) and one stamp on the next.
  Reply first = Sell(copies(4));
  ASSERT_EQ(first.status, 201) << first.body;
  json st = Send(cashier_, "GET", stamps_path).json;
  ASSERT_EQ(st["rewards"].size(), 1u) << st.dump();
  int64_t reward = st["rewards"][0]["id"];
  EXPECT_EQ(st["cards"][0]["stamps"], 1);

  // Two come back: the card holds 1, so the sale's reward is cancelled (3 back) and 2 of 4 taken.
  std::string returns = "/api/v1/sales/" + std::to_string(first.json["id"].get<int64_t>()) + "/returns";
  int64_t line = first.json["lines"][0]["id"];
  Reply ret = Send(cashier_, "POST", returns, json{{"lines", {{{"sale_line_id", line}, {"quantity", 2}}}}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  ASSERT_EQ(ret.json["stamps_taken_back"].size(), 1u) << ret.body;
  EXPECT_EQ(ret.json["stamps_taken_back"][0]["stamps"], 2);
  EXPECT_EQ(ret.json["stamps_taken_back"][0]["rewards_cancelled"], 1);
  EXPECT_EQ(ret.json["stamps_taken_back"][0]["shortfall"], 0);
  st = Send(cashier_, "GET", stamps_path).json;
  EXPECT_EQ(st["rewards"].size(), 0u) << st.dump();
  EXPECT_EQ(st["cards"][0]["stamps"], 2) << "the 2 copies kept still count";
  Reply redeem = Send(cashier_, "POST", stamps_path.substr(0, stamps_path.size() - 6) + "stamp-rewards/" +
                                            std::to_string(reward) + "/redeem", json::object());
  EXPECT_EQ(redeem.status, 409) << redeem.body;
  EXPECT_NE(redeem.body.find("cancelled"), std::string::npos) << redeem.body;
  Reply sale_again = Send(cashier_, "GET", "/api/v1/sales/" + std::to_string(first.json["id"].get<int64_t>()));
  EXPECT_EQ(sale_again.json["returns"][0]["stamps_taken_back"][0]["rewards_cancelled"], 1) << sale_again.body;

  // Three more copies complete a card (2 + 3 = 5: a reward and 2 over), which is redeemed; then
  // they come back: 3 are due, the card holds 2, the reward is gone: 1 cannot be taken back.
  Reply second = Sell(copies(3));
  ASSERT_EQ(second.status, 201) << second.body;
  st = Send(cashier_, "GET", stamps_path).json;
  ASSERT_EQ(st["rewards"].size(), 1u) << st.dump();
  Reply used = Send(cashier_, "POST", stamps_path.substr(0, stamps_path.size() - 6) + "stamp-rewards/" +
                                          std::to_string(st["rewards"][0]["id"].get<int64_t>()) + "/redeem", json::object());
  ASSERT_EQ(used.status, 200) << used.body;
  Reply back = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(second.json["id"].get<int64_t>()) + "/returns",
                    json::object());
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(back.json["stamps_taken_back"][0]["stamps"], 3);
  EXPECT_EQ(back.json["stamps_taken_back"][0]["rewards_cancelled"], 0);
  EXPECT_EQ(back.json["stamps_taken_back"][0]["shortfall"], 1);
  EXPECT_EQ(Send(cashier_, "GET", stamps_path).json["cards"][0]["stamps"], 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stamp_takebacks WHERE member_id = ?", {member}), 2);
  ExpectChecksClean();
}

TEST_P(SalesApi, OnlyManagersVoidAndAVoidGivesEverythingBack) {
  int64_t member = RichMember("13800138003");
  Reply sale = Sell(json{{"store_id", store_id_},
                         {"member_id", member},
                         {"lines", {{{"product_id", book_a_}, {"quantity", 2}}}},
                         {"payments", {{{"method", "card"}, {"amount", 11980}}}}});
  ASSERT_EQ(sale.status, 201) << sale.body;
  EXPECT_EQ(sale.json["points_earned"], 119);
  std::string path = "/api/v1/sales/" + std::to_string(sale.json["id"].get<int64_t>()) + "/void";
  EXPECT_EQ(Send(cashier_, "POST", path, json{{"reason", "wrong"}}).status, 403);
  Reply no_reason = Send(manager_, "POST", path, json{{"reason", "  "}});
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  Reply v = Send(manager_, "POST", path, json{{"reason", "rung up twice"}});
  ASSERT_EQ(v.status, 201) << v.body;
  EXPECT_EQ(v.json["kind"], "void");
  EXPECT_EQ(v.json["refund_total"], 11980);
  EXPECT_EQ(v.json["points_taken_back"], 119);
  EXPECT_EQ(v.json["sale"]["status"], "voided");
  EXPECT_EQ(v.json["payments"][0]["method"], "card");
  EXPECT_EQ(Member(member)["points_balance"], 2000);
  EXPECT_EQ(OnHand(book_a_), 10);
  EXPECT_EQ(Send(manager_, "POST", path, json{{"reason", "again"}}).status, 409);
  ExpectChecksClean();
}

TEST_P(SalesApi, AShiftCountsItsSalesRefundsAndCash) {
  Reply open = Send(cashier_, "POST", "/api/v1/shifts", json{{"store_id", store_id_}, {"opening_float", 50000}});
  ASSERT_EQ(open.status, 201) << open.body;
  int64_t shift = open.json["id"];
  EXPECT_EQ(open.json["till"], "1");
  EXPECT_EQ(open.json["report"]["kind"], "X");
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/shifts", json{{"store_id", store_id_}, {"opening_float", 0}}).status, 409)
      << "one open shift per till";
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/shifts", json{{"store_id", store_id_}, {"opening_float", -1}}).status, 400);
  Reply current = Send(cashier_, "GET", "/api/v1/shifts/current?store_id=" + std::to_string(store_id_));
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(current.json["id"], shift);

  // Cash sale 5990 (paid 10000, change 4010), card sale 7200, then the card sale returned.
  Reply s1 = Sell(json{{"store_id", store_id_}, {"shift_id", shift}, {"lines", {{{"product_id", book_a_}, {"quantity", 1}}}},
                       {"payments", {{{"method", "cash"}, {"amount", 10000}}}}});
  ASSERT_EQ(s1.status, 201) << s1.body;
  EXPECT_EQ(s1.json["change_due"], 4010);
  Reply s2 = Sell(json{{"store_id", store_id_}, {"shift_id", shift}, {"lines", {{{"product_id", book_b_}, {"quantity", 2}}}},
                       {"payments", {{{"method", "card"}, {"amount", 7200}}}}});
  ASSERT_EQ(s2.status, 201) << s2.body;
  Reply ret = Send(cashier_, "POST", "/api/v1/sales/" + std::to_string(s2.json["id"].get<int64_t>()) + "/returns",
                   json{{"shift_id", shift}});
  ASSERT_EQ(ret.status, 201) << ret.body;

  Reply close = Send(cashier_, "POST", "/api/v1/shifts/" + std::to_string(shift) + "/close", json{{"counted_cash", 55900}});
  ASSERT_EQ(close.status, 200) << close.body;
  const json& z = close.json["report"];
  EXPECT_EQ(z["kind"], "Z");
  EXPECT_EQ(z["sales_count"], 2);
  EXPECT_EQ(z["sales_total"], 5990 + 7200);
  EXPECT_EQ(z["returns_count"], 1);
  EXPECT_EQ(z["refund_total"], 7200);
  EXPECT_EQ(z["taken_by_method"]["cash"], 5990);
  EXPECT_EQ(z["taken_by_method"]["card"], 7200);
  EXPECT_EQ(z["refunded_by_method"]["card"], 7200);
  EXPECT_EQ(z["expected_cash"], 50000 + 5990);
  EXPECT_EQ(close.json["difference"], 55900 - 55990);
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/shifts/" + std::to_string(shift) + "/close", json{{"counted_cash", 1}}).status, 409);
  Reply late = Sell(json{{"store_id", store_id_}, {"shift_id", shift}, {"lines", {{{"product_id", book_a_}, {"quantity", 1}}}},
                         {"payments", {{{"method", "cash"}, {"amount", 5990}}}}});
  EXPECT_EQ(late.status, 400) << "a closed shift takes no sales: " << late.body;
  EXPECT_EQ(late.FieldError("shift_id"), "is closed");
}

TEST_P(SalesApi, AQuotePricesLikeCheckoutAndWritesNothing) {
  int64_t member = RichMember("13800138004");
  Coupon("MAN100JIAN20");
  json body = ExampleSale(member);
  Reply q = Send(cashier_, "POST", "/api/v1/sales/quote", body);
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.json["total"], 11190);
  EXPECT_EQ(q.json["due"], 10690);
  EXPECT_EQ(q.json["change_due"], 4310);
  EXPECT_EQ(q.json["points_to_earn"], 106);
  // At most 50% of ¥111.90 = ¥55.95 = 5595 points, but the member has 2000.
  EXPECT_EQ(q.json["max_points_to_redeem"], 2000);
  body.erase("payments");
  Reply no_pay = Send(cashier_, "POST", "/api/v1/sales/quote", body);
  ASSERT_EQ(no_pay.status, 200) << no_pay.body;
  EXPECT_EQ(no_pay.json["due"], 10690);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(Count("SELECT uses FROM coupons"), 0);
  Reply sold = Sell(ExampleSale(member));
  ASSERT_EQ(sold.status, 201) << sold.body;
  json sold_lines = sold.json["lines"];
  for (auto& l : sold_lines) l.erase("id");
  EXPECT_EQ(sold_lines, q.json["lines"]);
  EXPECT_EQ(sold.json["points_earned"], q.json["points_to_earn"]);
}

TEST_P(SalesApi, CheckFindsASaleWhoseTotalsNoLongerAddUp) {
  Reply r = Sell(json{{"store_id", store_id_},
                      {"lines", {{{"product_id", book_a_}, {"quantity", 1}}, {{"product_id", book_b_}, {"quantity", 1}}}},
                      {"payments", {{{"method", "cash"}, {"amount", 9590}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  ExpectChecksClean();
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE sale_lines SET net = net + 1 WHERE line_no = 2").status();
                 }).ok());
  auto found = service::CheckInvariants(app_->context());
  ASSERT_TRUE(found.ok());
  std::vector<std::string> names;
  // The report aggregates, fed with the line's net as sold, disagree too: the item's day and month.
  int64_t reports = 0;
  for (const auto& m : *found)
    if (m.invariant.rfind("report_items_", 0) == 0) ++reports;
    else names.push_back(m.invariant + " / " + m.subject);
  EXPECT_EQ(reports, 2);
  std::string sale = "sale " + std::to_string(r.json["id"].get<int64_t>());
  EXPECT_EQ(names, (std::vector<std::string>{"sales.net_total = SUM(sale_lines.net) / " + sale}));
}

SHUYOU_INSTANTIATE_FOR_ENGINES(SalesApi);

}  // namespace
}  // namespace shuyou::test
