// Receipts loaded from the sales tables and e-mailed through the outbox (see receipts.h).
#include "service/receipts.h"

#include <nlohmann/json.hpp>

#include "core/mail.h"
#include "service/business_day.h"

namespace shuyou::service {

Status CheckReceiptLang(std::string_view lang) {
  if (lang == "zh-CN" || lang == "en") return Status::Ok();
  return Invalid("lang must be zh-CN or en", {{"lang", "must be zh-CN or en"}});
}

Result<core::ReceiptDoc> LoadReceiptDoc(store::Tx& tx, const Context& ctx, int64_t sale_id, std::string_view lang) {
  SY_RETURN_IF_ERROR(CheckReceiptLang(lang));
  SY_ASSIGN_OR_RETURN(
      auto sale,
      tx.Exec("SELECT s.receipt_number, st.name, st.address, st.phone, st.timezone, s.at, s.currency, s.subtotal, "
              "s.discount_total, s.net_total, s.points_redeemed, s.points_value, s.due, s.tax_total, s.change_due, "
              "s.points_earned, s.status, s.member_id, sf.display_name, sf.username "
              "FROM sales s JOIN stores st ON st.id = s.store_id LEFT JOIN staff sf ON sf.id = s.staff_id WHERE s.id = ?",
              {sale_id}));
  if (sale.empty()) return NotFound("no sale " + std::to_string(sale_id));
  const store::Row& s = sale[0];
  core::ReceiptDoc d;
  d.receipt_number = s.Text(0);
  d.store_name = s.Text(1);
  d.store_address = s.Text(2);
  d.store_phone = s.Text(3);
  std::string zone = s.Text(4).empty() ? ctx.settings.timezone : s.Text(4);
  SY_ASSIGN_OR_RETURN(d.local_time, FormatLocalMinute(zone, s.Int(5)));
  d.currency = s.Text(6);
  d.subtotal = s.Int(7);
  d.discount_total = s.Int(8);
  d.total = s.Int(9);
  d.points_redeemed = s.Int(10);
  d.points_value = s.Int(11);
  d.due = s.Int(12);
  d.tax_total = s.Int(13);
  d.change_due = s.Int(14);
  int64_t points_earned = s.Int(15);
  d.status = s.Text(16);
  std::optional<int64_t> member_id = s.OptInt(17);
  d.cashier = s.Text(18).empty() ? s.Text(19) : s.Text(18);

  SY_ASSIGN_OR_RETURN(auto lines, tx.Exec("SELECT title, barcode, quantity, unit_price, gross, member_discount + "
                                          "coupon_discount, net, returned_qty FROM sale_lines WHERE sale_id = ? "
                                          "ORDER BY line_no",
                                          {sale_id}));
  for (const auto& r : lines.rows)
    d.lines.push_back({r.Text(0), r.Text(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5), r.Int(6), r.Int(7)});
  SY_ASSIGN_OR_RETURN(auto discounts, tx.Exec("SELECT rule, detail, amount FROM sale_discounts WHERE sale_id = ? AND "
                                              "applied = 1 ORDER BY id",
                                              {sale_id}));
  for (const auto& r : discounts.rows) d.discounts.push_back({r.Text(0), r.Text(1), r.Int(2)});
  SY_ASSIGN_OR_RETURN(auto payments, tx.Exec("SELECT p.method, p.amount, p.tendered, l.balance_after FROM sale_payments p "
                                             "LEFT JOIN stored_value_ledger l ON l.id = p.stored_value_ledger_id "
                                             "WHERE p.sale_id = ? ORDER BY p.id",
                                             {sale_id}));
  std::optional<int64_t> stored_value_after;
  for (const auto& r : payments.rows) {
    d.payments.push_back({r.Text(0), r.Int(1), r.Int(2)});
    if (r.Text(0) == "stored_value" && !r.IsNull(3)) stored_value_after = r.Int(3);
  }
  SY_ASSIGN_OR_RETURN(auto returns, tx.Exec("SELECT at, kind, refund_total, points_taken_back, points_given_back FROM "
                                            "sale_returns WHERE sale_id = ? ORDER BY at, id",
                                            {sale_id}));
  for (const auto& r : returns.rows) {
    core::ReceiptReturn ret;
    ret.at = r.Int(0);
    SY_ASSIGN_OR_RETURN(ret.local_time, FormatLocalMinute(zone, ret.at));
    ret.kind = r.Text(1);
    ret.refund_total = r.Int(2);
    ret.points_taken_back = r.Int(3);
    ret.points_given_back = r.Int(4);
    d.returns.push_back(std::move(ret));
  }

  if (member_id) {
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT name, card_number, tier, points_balance, stored_value_balance FROM members "
                                        "WHERE id = ?",
                                        {*member_id}));
    if (!m.empty()) {
      core::ReceiptDoc::Member mem;
      mem.name = m[0].Text(0);
      mem.card_number = m[0].Text(1);
      mem.tier = m[0].Text(2);
      mem.points_earned = points_earned;
      mem.points_balance = m[0].Int(3);
      SY_ASSIGN_OR_RETURN(auto pts, tx.Exec("SELECT balance_after FROM points_ledger WHERE sale_id = ? AND member_id = ? "
                                            "ORDER BY id DESC LIMIT 1",
                                            {sale_id, *member_id}));
      if (!pts.empty()) mem.points_balance = pts[0].Int(0);
      mem.stored_value_balance = stored_value_after;
      d.member = std::move(mem);
    }
  }
  d.footer = lang == "en" ? "Thank you for shopping with us" : "谢谢惠顾，欢迎再次光临";
  return d;
}

Result<core::ReceiptDoc> LoadReceiptDoc(Context& ctx, int64_t sale_id, std::string_view lang) {
  core::ReceiptDoc doc;
  SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(doc, LoadReceiptDoc(tx, ctx, sale_id, lang));
    return Status::Ok();
  }));
  return doc;
}

Result<OutboxMessage> EmailReceiptIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                                     std::optional<std::string> email, std::string_view lang) {
  SY_RETURN_IF_ERROR(CheckReceiptLang(lang));
  if (email && !core::LooksLikeEmailAddress(*email))
    return Invalid("not an e-mail address", {{"email", "must be one e-mail address such as name@example.com"}});
  SY_ASSIGN_OR_RETURN(core::ReceiptDoc doc, LoadReceiptDoc(tx, ctx, sale_id, lang));
  SY_ASSIGN_OR_RETURN(auto sale, tx.Exec("SELECT member_id FROM sales WHERE id = ?", {sale_id}));
  std::optional<int64_t> member_id = sale[0].OptInt(0);
  std::string to = email.value_or("");
  if (to.empty() && member_id) {
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT email FROM members WHERE id = ?", {*member_id}));
    if (!m.empty()) to = m[0].Text(0);
  }
  if (to.empty())
    return Invalid(member_id ? "the member has no e-mail address: give one" : "a walk-in sale: give an e-mail address",
                   {{"email", "is required"}});
  SY_ASSIGN_OR_RETURN(OutboxMessage out,
                      EnqueueEmail(tx, ctx, to, core::ReceiptEmailSubject(doc, lang), core::RenderReceiptText(doc, lang),
                                   core::RenderReceiptHtml(doc, lang), "receipt", "sale:" + std::to_string(sale_id),
                                   member_id));
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "sale.receipt.email", "sale:" + std::to_string(sale_id),
                                 {{"outbox_id", out.id}, {"to_member", !email.has_value()}}));
  return out;
}

Result<OutboxMessage> EmailReceipt(Context& ctx, const Actor& actor, int64_t sale_id, std::optional<std::string> email,
                                   std::string_view lang) {
  OutboxMessage out;
  SY_RETURN_IF_ERROR(ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, EmailReceiptIn(tx, ctx, actor, sale_id, email, lang));
    return Status::Ok();
  }));
  return out;
}

}  // namespace shuyou::service
