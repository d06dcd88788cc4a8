// JSON views of sales and returns: see sale_json.h.
#include "http/routes/sale_json.h"

#include "core/encoding.h"
#include "http/json_io.h"
#include "http/json_writer.h"

namespace shuyou::http {

using nlohmann::json;

namespace {

json Time(int64_t ms) { return core::FormatIsoUtc(ms); }

// A JSON array as text: `[` each(out, item) `,` … `]`.
std::string ArrayText(const auto& items, const auto& each) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    each(out, item);
  }
  out += ']';
  return out;
}

std::string EarnedText(const core::EarnResult& e) {
  std::string out;
  JsonObject(out)
      .Int("points", e.points)
      .Raw("lines", ArrayText(e.lines, [](std::string& o, const core::Explanation& l) {
             JsonObject(o).Str("rule", l.rule).Str("detail", l.detail).Int("points", l.points).Close();
           }))
      .Close();
  return out;
}

// The sale's fields, into an object the caller closes (the checkout's answer adds more).
void WriteSaleFields(JsonObject& o, const service::Sale& s, bool details) {
  o.Int("id", s.id)
      .Str("receipt_number", s.receipt_number)
      .Int("store_id", s.store_id)
      .OptInt("shift_id", s.shift_id)
      .OptInt("staff_id", s.staff_id)
      .Str("staff_name", s.staff_name)
      .OptInt("member_id", s.member_id)
      .Time("at", s.at)
      .Str("business_day", s.business_day)
      .Str("source", s.source)
      .Str("currency", s.currency)
      .Str("status", s.status)
      .Str("note", s.note)
      .Int("subtotal", s.subtotal)
      .Int("discount_total", s.discount_total)
      .Int("total", s.net_total)
      .Int("points_redeemed", s.points_redeemed)
      .Int("points_value", s.points_value)
      .Int("due", s.due)
      .Int("tax_total", s.tax_total)
      .Int("tendered", s.tendered)
      .Int("change_due", s.change_due)
      .Int("points_earned", s.points_earned)
      .Int("refunded_total", s.refunded_total);
  if (!details) return;
  o.Raw("lines", ArrayText(s.lines, [](std::string& out, const service::SaleLine& l) {
     JsonObject(out)
         .Int("id", l.id)
         .Int("line_no", l.line_no)
         .Int("product_id", l.product_id)
         .Str("barcode", l.barcode)
         .Str("title", l.title)
         .Str("genre", l.genre)
         .Int("quantity", l.quantity)
         .Int("unit_price", l.unit_price)
         .Int("tax_rate_bp", l.tax_rate_bp)
         .Int("gross", l.gross)
         .Int("member_discount", l.member_discount)
         .Int("coupon_discount", l.coupon_discount)
         .Int("net", l.net)
         .Int("points_share", l.points_share)
         .Int("paid", l.paid)
         .Int("tax", l.tax)
         .Int("returned_qty", l.returned_qty)
         .Close();
   }));
  o.Raw("discounts", ArrayText(s.discounts, [](std::string& out, const service::SaleDiscount& d) {
     JsonObject(out)
         .Str("rule", d.rule)
         .Str("detail", d.detail)
         .Int("amount", d.amount)
         .Bool("applied", d.applied)
         .OptInt("coupon_id", d.coupon_id)
         .Close();
   }));
  o.Raw("payments", ArrayText(s.payments, [](std::string& out, const service::SalePayment& p) {
     JsonObject(out)
         .Int("id", p.id)
         .Str("method", p.method)
         .Int("amount", p.amount)
         .Int("tendered", p.tendered)
         .Str("reference", p.reference)
         .Int("refunded", p.refunded)
         .Close();
   }));
  o.Raw("returns", ArrayText(s.returns, [](std::string& out, const service::SaleReturn& r) { out += ReturnJson(r).dump(); }));
}

}  // namespace

json ReturnJson(const service::SaleReturn& r) {
  json lines = json::array(), pays = json::array();
  for (const auto& l : r.lines)
    lines.push_back({{"sale_line_id", l.sale_line_id}, {"quantity", l.quantity}, {"refund", l.refund}, {"points_share", l.points_share}});
  for (const auto& p : r.payments)
    pays.push_back({{"sale_payment_id", p.sale_payment_id}, {"method", p.method}, {"amount", p.amount}});
  json stamps = json::array();
  for (const auto& t : r.stamps)
    stamps.push_back({{"card_id", t.card_id}, {"card_name", t.card_name}, {"stamps", t.stamps},
                      {"rewards_cancelled", t.rewards_cancelled}, {"shortfall", t.shortfall}});
  return {{"id", r.id},
          {"sale_id", r.sale_id},
          {"store_id", r.store_id},
          {"shift_id", OrNull(r.shift_id)},
          {"staff_id", OrNull(r.staff_id)},
          {"at", Time(r.at)},
          {"business_day", r.business_day},
          {"kind", r.kind},
          {"reason", r.reason},
          {"refund_total", r.refund_total},
          {"points_taken_back", r.points_taken_back},
          {"points_given_back", r.points_given_back},
          {"lines", lines},
          {"payments", pays},
          {"stamps_taken_back", stamps}};
}

json EarnedJson(const core::EarnResult& e) {
  return json::parse(EarnedText(e));
}

json SaleJson(const service::Sale& s, bool details) {
  std::string text;
  JsonObject o(text);
  WriteSaleFields(o, s, details);
  o.Close();
  return json::parse(text);
}

// Written as text: it is built while the sale's group commit holds the writer (the answer is
// stored with the Idempotency-Key in the same transaction), where nlohmann::json's objects cost
// several times more.
std::string CheckoutText(const service::CheckoutResult& r) {
  std::string out;
  out.reserve(4096);
  JsonObject o(out);
  WriteSaleFields(o, r.sale, true);
  o.Raw("points_explained", EarnedText(r.points_explained))
      .OptInt("points_balance", r.points_balance)
      .OptInt("stored_value_balance", r.stored_value_balance);
  o.Raw("stamps", ArrayText(r.stamps, [](std::string& t, const auto& a) {
     JsonObject(t)
         .Int("card_id", a.card_id)
         .Str("card_name", a.card_name)
         .Int("stamps_added", a.stamps_added)
         .Int("stamps", a.stamps)
         .Int("stamps_needed", a.stamps_needed)
         .Int("rewards", int64_t(a.rewards.size()))
         .Close();
   }));
  if (r.tier_change) {
    std::string change;
    JsonObject(change)
        .Str("from", r.tier_change->from_tier)
        .Str("to", r.tier_change->to_tier)
        .Str("reason", r.tier_change->reason)
        .Close();
    o.Raw("tier_change", change);
  } else {
    o.Null("tier_change");
  }
  o.Close();
  return out;
}

json ReturnAnswerJson(const service::SaleReturn& r, const service::Sale& s) {
  json out = ReturnJson(r);
  out["sale"] = SaleJson(s);
  return out;
}

}  // namespace shuyou::http
