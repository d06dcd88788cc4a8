// /api/v1/sales: checkout (with an Idempotency-Key, through group commit), a price quote for the
// till, the sale list and one sale, returns and voids.
#include <nlohmann/json.hpp>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "http/routes/sale_json.h"
#include "service/idempotency.h"
#include "service/sales.h"

namespace shuyou::http {

namespace {

using core::Bit;
using core::Role;
using nlohmann::json;

constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

std::string Fingerprint(const Call& c, const json& body) { return c.req.target + "\n" + body.dump(); }

// The body of a sale (or a quote): strict, with a field path for every problem.
Result<service::SaleRequest> ReadSale(const Request& req, bool quote) {
  SY_ASSIGN_OR_RETURN(json b, ReadBody(req, {{"store_id", JType::kInt, true},
                                             {"member_id", JType::kNullableInt},
                                             {"shift_id", JType::kNullableInt},
                                             {"lines", JType::kArray, true},
                                             {"coupon_codes", JType::kArray},
                                             {"points_to_redeem", JType::kInt},
                                             {"payments", JType::kArray, !quote},
                                             {"note", JType::kString}}));
  service::SaleRequest in;
  std::vector<FieldError> errs;
  in.store_id = b["store_id"].get<int64_t>();
  if (b.contains("member_id") && !b["member_id"].is_null()) in.member_id = b["member_id"].get<int64_t>();
  if (b.contains("shift_id") && !b["shift_id"].is_null()) in.shift_id = b["shift_id"].get<int64_t>();
  in.points_to_redeem = b.value("points_to_redeem", int64_t(0));
  in.note = b.value("note", "");
  const json& lines = b["lines"];
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string f = "lines[" + std::to_string(i) + "]";
    const json& l = lines[i];
    if (!l.is_object()) {
      errs.push_back({f, "must be an object"});
      continue;
    }
    service::SaleLineRequest line;
    for (const auto& [k, v] : l.items()) {
      if (k == "product_id" && v.is_number_integer()) line.product_id = v.get<int64_t>();
      else if (k == "barcode" && v.is_string()) line.barcode = v.get<std::string>();
      else if (k == "quantity" && v.is_number_integer()) line.quantity = v.get<int64_t>();
      else if (k == "product_id" || k == "quantity") errs.push_back({f + "." + k, "must be an integer"});
      else if (k == "barcode") errs.push_back({f + "." + k, "must be a string"});
      else errs.push_back({f + "." + k, "is not a known field"});
    }
    if (!l.contains("quantity")) errs.push_back({f + ".quantity", "is required"});
    in.lines.push_back(std::move(line));
  }
  if (b.contains("coupon_codes")) {
    const json& codes = b["coupon_codes"];
    for (size_t i = 0; i < codes.size(); ++i) {
      if (codes[i].is_string()) in.coupon_codes.push_back(codes[i].get<std::string>());
      else errs.push_back({"coupon_codes[" + std::to_string(i) + "]", "must be a string"});
    }
  }
  if (b.contains("payments")) {
    const json& pays = b["payments"];
    for (size_t i = 0; i < pays.size(); ++i) {
      std::string f = "payments[" + std::to_string(i) + "]";
      const json& p = pays[i];
      if (!p.is_object()) {
        errs.push_back({f, "must be an object"});
        continue;
      }
      service::PaymentRequest pay;
      for (const auto& [k, v] : p.items()) {
        if (k == "method" && v.is_string()) pay.method = v.get<std::string>();
        else if (k == "amount" && v.is_number_integer()) pay.amount = v.get<int64_t>();
        else if (k == "reference" && v.is_string()) pay.reference = v.get<std::string>();
        else if (k == "amount") errs.push_back({f + ".amount", "must be an integer (minor units)"});
        else if (k == "method" || k == "reference") errs.push_back({f + "." + k, "must be a string"});
        else errs.push_back({f + "." + k, "is not a known field"});
      }
      if (!p.contains("method")) errs.push_back({f + ".method", "is required"});
      if (!p.contains("amount")) errs.push_back({f + ".amount", "is required"});
      in.payments.push_back(std::move(pay));
    }
  }
  if (!errs.empty()) return Invalid("the sale has invalid fields: " + errs.front().field + " " + errs.front().message, errs);
  return in;
}

}  // namespace

void AddSalesRoutes(Router& r, App& app) {
  service::Context& ctx = app.context();

  r.Allow(kTill, "POST", "/api/v1/sales", [&ctx](Call& c) {
    auto in = ReadSale(c.req, false);
    if (!in.ok()) return ErrorResponse(in.status());
    const auto& actor = c.principal->actor;
    json fingerprint_body = json::parse(c.req.body, nullptr, false);
    return IdempotentJson(
        201, service::RunIdempotentText(
                 ctx, "sale:store:" + std::to_string(in->store_id), IdempotencyKeyOf(c.req), Fingerprint(c, fingerprint_body),
                 [&](store::Tx& tx) -> Result<std::string> {
                   SY_ASSIGN_OR_RETURN(auto out, service::Checkout(tx, ctx, actor, *in));
                   return CheckoutText(out);
                 },
                 /*grouped=*/true));
  });

  r.Allow(kTill, "POST", "/api/v1/sales/quote", [&ctx](Call& c) {
    auto in = ReadSale(c.req, true);
    if (!in.ok()) return ErrorResponse(in.status());
    auto q = service::QuoteSale(ctx, c.principal->actor, *in);
    if (!q.ok()) return ErrorResponse(q.status());
    json out = SaleJson(q->sale);
    out.erase("id");
    out.erase("receipt_number");
    for (auto& l : out["lines"]) l.erase("id");
    out["points_to_earn"] = q->points_to_earn;
    out["points_explained"] = EarnedJson(q->points_explained);
    out["points_balance"] = OrNull(q->points_balance);
    out["stored_value_balance"] = OrNull(q->stored_value_balance);
    out["max_points_to_redeem"] = q->max_points_to_redeem;
    return Json(200, out);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/sales", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    service::SaleFilter f;
    for (auto [name, slot] : {std::pair{"store_id", &f.store_id}, {"member_id", &f.member_id}, {"shift_id", &f.shift_id},
                              {"returnable_product_id", &f.returnable_product_id}}) {
      auto v = QueryId(c.req, name);
      if (!v.ok()) return ErrorResponse(v.status());
      *slot = *v;
    }
    auto query = [&](const char* name) {
      auto it = c.req.query.find(name);
      return it == c.req.query.end() ? std::string() : it->second;
    };
    f.from = query("from");
    f.to = query("to");
    if (std::string receipt = query("receipt_number"); !receipt.empty()) {
      auto s = service::FindSaleByReceipt(ctx, receipt);
      json items = json::array();
      if (s.ok()) items.push_back(SaleJson(*s, false));
      else if (s.status().code() != Code::kNotFound) return ErrorResponse(s.status());
      return Json(200, {{"items", items}, {"next_cursor", nullptr}});
    }
    auto list = service::ListSales(ctx, *page, f);
    if (!list.ok()) return ErrorResponse(list.status());
    json items = json::array();
    for (const auto& s : list->items) items.push_back(SaleJson(s, false));
    return Json(200, {{"items", items}, {"next_cursor", OrNull(list->next_cursor)}});
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/sales/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto s = service::GetSale(ctx, *id);
    if (!s.ok()) return ErrorResponse(s.status());
    return Json(200, SaleJson(*s));
  });

  r.Allow(kTill, "POST", "/api/v1/sales/{id}/returns", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"lines", JType::kArray}, {"reason", JType::kString}, {"shift_id", JType::kNullableInt}});
    if (!body.ok()) return ErrorResponse(body.status());
    service::ReturnRequest in;
    std::vector<FieldError> errs;
    if (body->contains("lines")) {
      const json& lines = (*body)["lines"];
      for (size_t i = 0; i < lines.size(); ++i) {
        std::string f = "lines[" + std::to_string(i) + "]";
        const json& l = lines[i];
        if (!l.is_object() || !l.contains("sale_line_id") || !l["sale_line_id"].is_number_integer() ||
            !l.contains("quantity") || !l["quantity"].is_number_integer() || l.size() != 2) {
          errs.push_back({f, "must be {\"sale_line_id\": integer, \"quantity\": integer}"});
          continue;
        }
        in.lines.push_back({l["sale_line_id"].get<int64_t>(), l["quantity"].get<int64_t>()});
      }
    }
    if (!errs.empty()) return ErrorResponse(Invalid("the return has invalid lines", errs));
    in.reason = body->value("reason", "");
    if (body->contains("shift_id") && !(*body)["shift_id"].is_null()) in.shift_id = (*body)["shift_id"].get<int64_t>();
    const auto& actor = c.principal->actor;
    return IdempotentJson(201, service::RunIdempotent(ctx, "sale.return:sale:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                                      Fingerprint(c, *body), [&](store::Tx& tx) -> Result<json> {
                                                        SY_ASSIGN_OR_RETURN(auto ret, service::ReturnSale(tx, ctx, actor, *id, in));
                                                        SY_ASSIGN_OR_RETURN(auto sale, service::LoadSale(tx, *id));
                                                        return ReturnAnswerJson(ret, sale);
                                                      }));
  });

  r.Allow(kManagers, "POST", "/api/v1/sales/{id}/void", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"reason", JType::kString, true}, {"shift_id", JType::kNullableInt}});
    if (!body.ok()) return ErrorResponse(body.status());
    std::optional<int64_t> shift;
    if (body->contains("shift_id") && !(*body)["shift_id"].is_null()) shift = (*body)["shift_id"].get<int64_t>();
    const auto& actor = c.principal->actor;
    std::string reason = (*body)["reason"].get<std::string>();
    return IdempotentJson(201, service::RunIdempotent(ctx, "sale.void:sale:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                                      Fingerprint(c, *body), [&](store::Tx& tx) -> Result<json> {
                                                        SY_ASSIGN_OR_RETURN(auto ret, service::VoidSale(tx, ctx, actor, *id, reason, shift));
                                                        SY_ASSIGN_OR_RETURN(auto sale, service::LoadSale(tx, *id));
                                                        return ReturnAnswerJson(ret, sale);
                                                      }));
  });
}

}  // namespace shuyou::http
