// Receipts through the HTTP API on both engines: a sale written into the sales tables with SQL
// (lines, an applied and a not-applied discount, payments with stored value, a return, the
// member's points rows) comes back as ESC/POS, HTML, PDF and text with the right rules, balances
// and local time; bad parameters answer 400 and roles are enforced; e-mailing queues an outbox
// row that the outbox job delivers to a real (test) SMTP server, retrying a refused connection
// with backoff until it gives up after five attempts.
#include <regex>

#include "core/encoding.h"
#include "jobs/jobs.h"
#include "service/outbox.h"
#include "service/receipts.h"
#include "support/api_client.h"
#include "support/process.h"
#include "support/smtp_server.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
constexpr int64_t kSaleAt = 1795845900000;  // 2026-11-28T06:05:00Z = 14:05 in Shanghai
constexpr int64_t kMinute = 60 * 1000;

class ReceiptApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    cashier_id_ = MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("zhao.lei", "marketer", store_id_);
    marketer_ = Login("zhao.lei", "correct-horse-battery");
    Exec("UPDATE stores SET address = ?, phone = ? WHERE id = ?",
         {std::string("上海市徐汇区漕溪北路 595 号"), std::string("021-64000000"), store_id_});
    Exec("UPDATE staff SET display_name = ? WHERE id = ?", {std::string("李明"), cashier_id_});
    product_ = Insert("INSERT INTO products (kind, isbn13, barcode, title, list_price, created_at, updated_at) VALUES "
                      "('book', '9787544253994', '9787544253994', ?, 3980, 1, 1) RETURNING id",
                      {std::string("百年孤独（典藏版）<script>alert(1)</script>")});
    member_ = Insert("INSERT INTO members (card_number, phone, phone_last4, name, email, tier, points_balance, stored_value_balance, "
                     "created_at, updated_at) VALUES ('8601000000123', '+8613800138000', '8000', '王小明', 'xm@example.com', "
                     "'gold', 2000, 3000, 1, 1) RETURNING id");
    sale_ = MakeSale(member_, "MAIN-20261128-1");
    walk_in_ = MakeSale(std::nullopt, "MAIN-20261128-2");
  }

  void Exec(const std::string& sql, const std::vector<store::Value>& params = {}) {
    Status st = db_->Write([&](store::Tx& tx) { return tx.Exec(sql, params).status(); });
    ASSERT_TRUE(st.ok()) << st.message() << "\n" << sql;
  }
  int64_t Insert(const std::string& sql, const std::vector<store::Value>& params = {}) {
    int64_t id = 0;
    Status st = db_->Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      id = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message() << "\n" << sql;
    return id;
  }

  // 2 × ¥39.80 with a gold-tier 10% discount (¥7.96) and a coupon (¥10.00); 200 points pay ¥2.00;
  // ¥20.00 stored value and ¥57.04 cash (¥100 tendered); one copy returned later.
  int64_t MakeSale(std::optional<int64_t> member, const std::string& number) {
    store::Value m = member ? store::Value(*member) : store::Null();
    int64_t sale = Insert(
        "INSERT INTO sales (receipt_number, store_id, staff_id, member_id, at, business_day, subtotal, discount_total, "
        "net_total, points_redeemed, points_value, due, tendered, change_due, points_earned, refunded_total, status) "
        "VALUES (?, ?, ?, ?, ?, '2026-11-28', 7960, 1796, 6164, 200, 200, 5964, 12000, 4296, 59, 3082, "
        "'partly_returned') RETURNING id",
        {number, store_id_, cashier_id_, m, kSaleAt});
    Exec("INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, title, quantity, unit_price, gross, "
         "member_discount, coupon_discount, net, points_share, paid, returned_qty) VALUES (?, 1, ?, '9787544253994', "
         "?, 2, 3980, 7960, 796, 1000, 6164, 200, 5964, 1)",
         {sale, product_, std::string("百年孤独（典藏版）<script>alert(1)</script>")});
    Exec("INSERT INTO sale_discounts (sale_id, rule, detail, amount, applied) VALUES (?, 'tier:gold', '9折', 796, 1), "
         "(?, 'coupon:SAVE10', '满50减10', 1000, 1), (?, 'club:书友会', '不与优惠券同享', 500, 0)",
         {sale, sale, sale});
    std::optional<int64_t> sv;
    if (member) {
      sv = Insert("INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after) VALUES (?, ?, 'spend', "
                  "-2000, 3000) RETURNING id",
                  {*member, kSaleAt});
      Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, sale_id) VALUES (?, ?, 'redeem', "
           "-200, 1800, ?), (?, ?, 'earn', 59, 1859, ?)",
           {*member, kSaleAt, sale, *member, kSaleAt, sale});
    }
    Exec("INSERT INTO sale_payments (sale_id, method, amount, tendered, stored_value_ledger_id) VALUES (?, "
         "'stored_value', 2000, 2000, ?), (?, 'cash', 3964, 10000, NULL)",
         {sale, sv ? store::Value(*sv) : store::Null(), sale});
    Exec("INSERT INTO sale_returns (sale_id, store_id, at, business_day, kind, refund_total, points_taken_back) VALUES "
         "(?, ?, ?, '2026-11-29', 'return', 2982, 29)",
         {sale, store_id_, kSaleAt + 20 * 3600 * 1000 + 7 * kMinute});
    return sale;
  }

  std::string R(int64_t sale, const std::string& query = "") {
    return "/api/v1/sales/" + std::to_string(sale) + "/receipt" + query;
  }

  // A POST with an Idempotency-Key header from an integration (API key).
  Reply PostWithKey(const Caller& who, const std::string& path, const json& body, const std::string& key) {
    http::Request req;
    req.method = "POST";
    req.target = path;
    req.body = body.dump();
    req.remote_addr = who.ip;
    req.headers["content-type"] = "application/json";
    req.headers["idempotency-key"] = key;
    req.headers["authorization"] = "Bearer " + who.bearer;
    http::Response res = app_->Handle(req);
    Reply out;
    out.status = res.status;
    out.body = res.body;
    out.headers = res.headers;
    out.json = json::parse(res.body, nullptr, false);
    return out;
  }

  service::OutboxMessage Outbox(int64_t id) {
    auto m = service::GetOutboxMessage(app_->context(), id);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? *m : service::OutboxMessage{};
  }

  int64_t cashier_id_ = 0, product_ = 0, member_ = 0, sale_ = 0, walk_in_ = 0;
  Caller cashier_, marketer_;
};

TEST_P(ReceiptApi, LoadsTheSaleWithRulesBalancesAndLocalTime) {
  auto doc = service::LoadReceiptDoc(app_->context(), sale_, "zh-CN");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->receipt_number, "MAIN-20261128-1");
  EXPECT_EQ(doc->store_name, "书友书店 总店");
  EXPECT_EQ(doc->local_time, "2026-11-28 14:05");
  EXPECT_EQ(doc->cashier, "李明");
  ASSERT_EQ(doc->lines.size(), 1u);
  EXPECT_EQ(doc->lines[0].discount, 1796);
  EXPECT_EQ(doc->lines[0].returned_qty, 1);
  ASSERT_EQ(doc->discounts.size(), 2u);  // the club discount was not applied
  EXPECT_EQ(doc->discounts[0].rule, "tier:gold");
  EXPECT_EQ(doc->discounts[1].rule, "coupon:SAVE10");
  EXPECT_EQ(doc->total, 6164);
  ASSERT_EQ(doc->payments.size(), 2u);
  EXPECT_EQ(doc->payments[1].tendered, 10000);
  ASSERT_TRUE(doc->member);
  EXPECT_EQ(doc->member->points_earned, 59);
  EXPECT_EQ(doc->member->points_balance, 1859);  // after the sale, not today's 2000
  EXPECT_EQ(doc->member->stored_value_balance, 3000);
  ASSERT_EQ(doc->returns.size(), 1u);
  EXPECT_EQ(doc->returns[0].local_time, "2026-11-29 10:12");
  EXPECT_EQ(doc->status, "partly_returned");

  auto walk_in = service::LoadReceiptDoc(app_->context(), walk_in_, "en");
  ASSERT_TRUE(walk_in.ok());
  EXPECT_FALSE(walk_in->member);
  EXPECT_EQ(service::LoadReceiptDoc(app_->context(), 999999, "zh-CN").status().code(), Code::kNotFound);

  // A member without points rows for the sale shows the current balance.
  Exec("DELETE FROM points_ledger WHERE sale_id = ?", {sale_});
  EXPECT_EQ(service::LoadReceiptDoc(app_->context(), sale_, "zh-CN")->member->points_balance, 2000);
}

TEST_P(ReceiptApi, AnswersEveryFormat) {
  Reply text = Send(cashier_, "GET", R(sale_, "?format=text"));
  ASSERT_EQ(text.status, 200) << text.body;
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  for (const char* want : {"书友书店 总店", "会员等级 gold", "优惠券 SAVE10", "¥61.64", "*********0123", "1859", "+59",
                           "2026-11-28 14:05", "收银员: 李明", "退货 2026-11-29 10:12"})
    EXPECT_NE(text.body.find(want), std::string::npos) << want << "\n" << text.body;
  EXPECT_EQ(text.body.find("书友会"), std::string::npos);  // not applied: not on the receipt
  EXPECT_EQ(text.body.find("8601000000123"), std::string::npos);

  Reply html = Send(cashier_, "GET", R(sale_));  // html by default
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(html.body.find("<script>"), std::string::npos);
  EXPECT_NE(html.body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.body.find("<html lang=\"zh-CN\">"), std::string::npos);
  EXPECT_NE(Send(cashier_, "GET", R(sale_, "?lang=en")).body.find("Points balance"), std::string::npos);

  for (const char* width : {"58", "80"}) {
    Reply esc = Send(cashier_, "GET", R(sale_, std::string("?format=escpos&width=") + width));
    ASSERT_EQ(esc.status, 200);
    EXPECT_EQ(esc.content_type, "application/octet-stream");
    EXPECT_EQ(esc.body.rfind("\x1b@\x1c&", 0), 0u);
    EXPECT_EQ(esc.body.substr(esc.body.size() - 4), std::string("\x1dV\x42\x00", 4));
    auto gb = core::Utf8ToGb18030("书友书店 总店");
    EXPECT_NE(esc.body.find(*gb), std::string::npos);
    // The rule line is exactly as wide as the paper.
    std::string rule = "\n" + std::string(std::string(width) == "58" ? 32 : 48, '-') + "\n";
    EXPECT_NE(esc.body.find(rule), std::string::npos);
  }

  Reply pdf = Send(owner_, "GET", R(sale_, "?format=pdf&lang=en"));
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf.Header("Content-Disposition").find("MAIN-20261128-1.pdf"), std::string::npos);
}

TEST_P(ReceiptApi, RefusesBadParametersUnknownSalesAndOtherRoles) {
  Reply bad = Send(cashier_, "GET", R(sale_, "?format=docx&width=76&lang=fr"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.ErrorCode(), "invalid_argument");
  EXPECT_NE(bad.FieldError("format"), "");
  EXPECT_NE(bad.FieldError("width"), "");
  EXPECT_NE(bad.FieldError("lang"), "");
  EXPECT_EQ(Send(cashier_, "GET", R(999999)).status, 404);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/sales/abc/receipt").status, 404);  // as every {id} route
  EXPECT_EQ(Send(marketer_, "GET", R(sale_)).status, 403);
  EXPECT_EQ(Send(Caller{}, "GET", R(sale_)).status, 401);
  EXPECT_EQ(Send(marketer_, "POST", R(sale_, "/email"), json::object()).status, 403);
}

TEST_P(ReceiptApi, EmailQueuesToTheMemberOrTheGivenAddress) {
  Reply r = Send(cashier_, "POST", R(sale_, "/email"), json::object());
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json["status"], "pending");
  EXPECT_EQ(r.json["recipient"], "xm@example.com");
  EXPECT_EQ(r.json["subject"], "书友书店 总店 购物小票 MAIN-20261128-1");
  auto row = Outbox(r.json["id"].get<int64_t>());
  EXPECT_EQ(row.purpose, "receipt");
  EXPECT_EQ(row.ref, "sale:" + std::to_string(sale_));
  EXPECT_EQ(row.member_id, member_);
  int64_t audited = 0;
  Status st = db_->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.receipt.email' AND "
                                           "target = ? AND actor_id = ?",
                                           {"sale:" + std::to_string(sale_), cashier_id_}));
    audited = rows[0].Int(0);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(audited, 1);

  Reply other = Send(cashier_, "POST", R(sale_, "/email"), json{{"email", "friend@example.org"}, {"lang", "en"}});
  ASSERT_EQ(other.status, 202) << other.body;
  EXPECT_EQ(other.json["recipient"], "friend@example.org");
  EXPECT_EQ(other.json["subject"], "Your receipt from 书友书店 总店 (MAIN-20261128-1)");

  int64_t before = CountRows("outbox");
  Reply none = Send(cashier_, "POST", R(walk_in_, "/email"), json::object());
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.FieldError("email"), "");
  Reply injected = Send(cashier_, "POST", R(sale_, "/email"), json{{"email", "a@b.cn\r\nBcc: all@example.com"}});
  EXPECT_EQ(injected.status, 400);
  EXPECT_EQ(Send(cashier_, "POST", R(sale_, "/email"), json{{"emial", "a@b.cn"}}).status, 400);
  EXPECT_EQ(Send(cashier_, "POST", R(999999, "/email"), json{{"email", "a@b.cn"}}).status, 404);
  EXPECT_EQ(CountRows("outbox"), before);  // nothing half-written
  // A walk-in customer's receipt goes to the address they give.
  EXPECT_EQ(Send(cashier_, "POST", R(walk_in_, "/email"), json{{"email", "walkin@example.com"}}).status, 202);
}

TEST_P(ReceiptApi, ARetriedEmailRequestWithAKeyQueuesOnce) {
  Caller till = ApiKeyCaller("cashier");
  json body{{"email", "friend@example.org"}};
  Reply first = PostWithKey(till, R(sale_, "/email"), body, "till-1-receipt-0001");
  ASSERT_EQ(first.status, 202) << first.body;
  int64_t rows = CountRows("outbox");
  Reply again = PostWithKey(till, R(sale_, "/email"), body, "till-1-receipt-0001");
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.json["id"], first.json["id"]);
  EXPECT_EQ(CountRows("outbox"), rows);
  EXPECT_EQ(PostWithKey(till, R(sale_, "/email"), json{{"email", "other@example.org"}}, "till-1-receipt-0001").status, 409);
  EXPECT_EQ(CountRows("outbox"), rows);
}

TEST_P(ReceiptApi, TheOutboxJobDeliversOverSmtp) {
  SmtpServer smtp;
  auto& ctx = app_->context();
  Reply q = Send(cashier_, "POST", R(sale_, "/email"), json::object());
  ASSERT_EQ(q.status, 202);
  int64_t id = q.json["id"].get<int64_t>();

  // Delivery off: nothing sent, the row waits.
  auto off = jobs::RunOutbox(ctx);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->enabled);
  EXPECT_EQ(Outbox(id).status, "pending");

  ctx.settings.smtp_url = smtp.url();
  ctx.settings.mail_from = "书友书店 <receipts@shuyou.example>";
  auto run = jobs::RunOutbox(ctx);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(run->enabled);
  EXPECT_EQ(run->report.sent, 1);
  auto msgs = smtp.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].mail_from, "receipts@shuyou.example");
  ASSERT_EQ(msgs[0].recipients, std::vector<std::string>{"xm@example.com"});
  EXPECT_EQ(msgs[0].Header("To"), "xm@example.com");
  // Subject: RFC 2047 words decoding to the Chinese subject.
  std::string subject = msgs[0].Header("Subject"), decoded;
  std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]+)\\?=");
  for (std::sregex_iterator it(subject.begin(), subject.end(), word), end; it != end; ++it)
    decoded += core::Base64Decode((*it)[1].str()).value_or("");
  EXPECT_EQ(decoded, "书友书店 总店 购物小票 MAIN-20261128-1");
  EXPECT_NE(msgs[0].Header("Content-Type").find("multipart/alternative"), std::string::npos);
  EXPECT_NE(msgs[0].data.find("text/html; charset=UTF-8"), std::string::npos);
  auto sent = Outbox(id);
  EXPECT_EQ(sent.status, "sent");
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_TRUE(sent.sent_at.has_value());
  // Sent rows are not sent again.
  EXPECT_EQ(jobs::RunOutbox(ctx)->report.sent, 0);
  EXPECT_EQ(smtp.messages().size(), 1u);
}

TEST_P(ReceiptApi, ARefusedConnectionIsRetriedWithBackoffThenFails) {
  auto& ctx = app_->context();
  ctx.settings.smtp_url = "smtp://127.0.0.1:" + std::to_string(ClosedPort());
  ctx.settings.mail_from = "receipts@shuyou.example";
  Reply q = Send(cashier_, "POST", R(sale_, "/email"), json::object());
  ASSERT_EQ(q.status, 202);
  int64_t id = q.json["id"].get<int64_t>();
  const int64_t delays[] = {1, 5, 30, 120};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    int64_t now = ctx.now();
    auto run = jobs::RunOutbox(ctx);
    ASSERT_TRUE(run.ok()) << run.status().message();
    auto row = Outbox(id);
    EXPECT_EQ(row.attempts, attempt);
    EXPECT_NE(row.last_error, "");
    if (attempt < 5) {
      EXPECT_EQ(run->report.retried, 1);
      EXPECT_EQ(row.status, "pending");
      int64_t wait = row.next_attempt_at - now;
      EXPECT_GE(wait, delays[attempt - 1] * kMinute);
      EXPECT_LT(wait, delays[attempt - 1] * kMinute + 30000);
      // Not due yet: nothing happens.
      EXPECT_EQ(jobs::RunOutbox(ctx)->report.retried, 0);
      EXPECT_EQ(Outbox(id).attempts, attempt);
      clock_offset_ms_ += delays[attempt - 1] * kMinute + 1000;
    } else {
      EXPECT_EQ(run->report.failed, 1);
      EXPECT_EQ(row.status, "failed");
    }
  }
  EXPECT_EQ(jobs::RunOutbox(ctx)->report.failed, 0);  // failed rows stay failed
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ReceiptApi);

// `shuyou jobs run outbox` as an operator runs it: off without smtp_url, delivering with it.
class OutboxCli : public ::testing::TestWithParam<store::Engine> {};

TEST_P(OutboxCli, JobsRunOutboxDeliversWhenSmtpIsSet) {
  std::string target = NewTestDatabaseTarget(GetParam());
  auto migrate = RunProcess({ShuyouBinary(), "migrate", "--db", target}, {}, 60s);
  ASSERT_TRUE(migrate.status.ok()) << migrate.Describe();
  {
    store::Options o;
    o.readers = 1;
    auto db = OpenTestDatabase(target, o);
    service::Context ctx{*db, {}, service::SystemNowMs};
    Status st = db->Write([&](store::Tx& tx) {
      return service::EnqueueEmail(tx, ctx, "reader@example.org", "您的小票", "合计 ¥86.00", "", "receipt", "sale:1",
                                   std::nullopt)
          .status();
    });
    ASSERT_TRUE(st.ok()) << st.message();
  }
  auto off = RunProcess({ShuyouBinary(), "jobs", "run", "outbox", "--db", target}, {}, 60s);
  ASSERT_TRUE(off.status.ok()) << off.Describe();
  EXPECT_NE(off.out.find("delivery is off"), std::string::npos) << off.out;

  SmtpServer smtp;
  auto on = RunProcess({ShuyouBinary(), "jobs", "run", "outbox", "--db", target},
                       {{{"SHUYOU_SMTP_URL", smtp.url()}, {"SHUYOU_MAIL_FROM", "receipts@shop.example"},
                         {"SHUYOU_SMTP_PASSWORD", "s3cret-pw"}}, ""}, 60s);
  ASSERT_TRUE(on.status.ok()) << on.Describe();
  EXPECT_EQ(on.out, "outbox: 1 sent, 0 to retry, 0 failed\n");
  EXPECT_EQ(on.err.find("s3cret-pw"), std::string::npos);
  auto msgs = smtp.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].recipients, std::vector<std::string>{"reader@example.org"});
  EXPECT_EQ(msgs[0].Header("Content-Type"), "text/plain; charset=UTF-8");  // no HTML part given
}

SHUYOU_INSTANTIATE_FOR_ENGINES(OutboxCli);

}  // namespace
}  // namespace shuyou::test
