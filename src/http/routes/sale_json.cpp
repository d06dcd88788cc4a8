// JSON views of sales and returns: see sale_json.h.
#include "http/routes/sale_json.h"

#include "core/encoding.h"
#include "http/json_io.h"

namespace shuyou::http {

using nlohmann::json;

namespace {

json Time(int64_t ms) { return core::FormatIsoUtc(ms); }

}  // namespace

json EarnedJson(const core::EarnResult& e) {
  json lines = json::array();
  for (const auto& l : e.lines) lines.push_back({{"rule", l.rule}, {"detail", l.detail}, {"points", l.points}});
  return {{"points", e.points}, {"lines", lines}};
}

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

json SaleJson(const service::Sale& s, bool details) {
  json out = {{"id", s.id},
              {"receipt_number", s.receipt_number},
              {"store_id", s.store_id},
              {"shift_id", OrNull(s.shift_id)},
              {"staff_id", OrNull(s.staff_id)},
              {"staff_name", s.staff_name},
              {"member_id", OrNull(s.member_id)},
              {"at", Time(s.at)},
              {"business_day", s.business_day},
              {"source", s.source},
              {"currency", s.currency},
              {"status", s.status},
              {"note", s.note},
              {"subtotal", s.subtotal},
              {"discount_total", s.discount_total},
              {"total", s.net_total},
              {"points_redeemed", s.points_redeemed},
              {"points_value", s.points_value},
              {"due", s.due},
              {"tax_total", s.tax_total},
              {"tendered", s.tendered},
              {"change_due", s.change_due},
              {"points_earned", s.points_earned},
              {"refunded_total", s.refunded_total}};
  if (!details) return out;
  json lines = json::array(), discounts = json::array(), pays = json::array(), rets = json::array();
  for (const auto& l : s.lines)
    lines.push_back({{"id", l.id},
                     {"line_no", l.line_no},
                     {"product_id", l.product_id},
                     {"barcode", l.barcode},
                     {"title", l.title},
                     {"genre", l.genre},
                     {"quantity", l.quantity},
                     {"unit_price", l.unit_price},
                     {"tax_rate_bp", l.tax_rate_bp},
                     {"gross", l.gross},
                     {"member_discount", l.member_discount},
                     {"coupon_discount", l.coupon_discount},
                     {"net", l.net},
                     {"points_share", l.points_share},
                     {"paid", l.paid},
                     {"tax", l.tax},
                     {"returned_qty", l.returned_qty}});
  for (const auto& d : s.discounts)
    discounts.push_back({{"rule", d.rule}, {"detail", d.detail}, {"amount", d.amount}, {"applied", d.applied},
                         {"coupon_id", OrNull(d.coupon_id)}});
  for (const auto& p : s.payments)
    pays.push_back({{"id", p.id}, {"method", p.method}, {"amount", p.amount}, {"tendered", p.tendered},
                    {"reference", p.reference}, {"refunded", p.refunded}});
  for (const auto& r : s.returns) rets.push_back(ReturnJson(r));
  out["lines"] = lines;
  out["discounts"] = discounts;
  out["payments"] = pays;
  out["returns"] = rets;
  return out;
}

json CheckoutJson(const service::CheckoutResult& r) {
  json out = SaleJson(r.sale);
  out["points_explained"] = EarnedJson(r.points_explained);
  out["points_balance"] = OrNull(r.points_balance);
  out["stored_value_balance"] = OrNull(r.stored_value_balance);
  json stamps = json::array();
  for (const auto& a : r.stamps)
    stamps.push_back({{"card_id", a.card_id}, {"card_name", a.card_name}, {"stamps_added", a.stamps_added},
                      {"stamps", a.stamps}, {"stamps_needed", a.stamps_needed}, {"rewards", a.rewards.size()}});
  out["stamps"] = stamps;
  out["tier_change"] = r.tier_change ? json{{"from", r.tier_change->from_tier}, {"to", r.tier_change->to_tier},
                                            {"reason", r.tier_change->reason}}
                                     : json();
  return out;
}

json ReturnAnswerJson(const service::SaleReturn& r, const service::Sale& s) {
  json out = ReturnJson(r);
  out["sale"] = SaleJson(s);
  return out;
}

}  // namespace shuyou::http
