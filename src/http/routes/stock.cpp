// /api/v1/stock: levels per store with the low-stock filter, deliveries, adjustments, transfers,
// counts, reorder points, the movements history and a store's negative-stock rule. Every role
// reads; owners and managers (for their home store) change stock; owners change the rule.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/stock.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);
constexpr core::RoleSet kOwners = Bit(Role::kOwner);

void WriteMovement(std::string& out, const service::StockMovement& m) {
  JsonObject(out)
      .Int("id", m.id)
      .Int("store_id", m.store_id)
      .Int("product_id", m.product_id)
      .Str("product_title", m.product_title)
      .Time("at", m.at)
      .Str("kind", m.kind)
      .Int("quantity", m.quantity)
      .Int("on_hand_after", m.on_hand_after)
      .Str("reason", m.reason)
      .OptInt("staff_id", m.staff_id)
      .Str("staff_username", m.staff_username)
      .OptInt("sale_id", m.sale_id)
      .OptInt("transfer_id", m.transfer_id)
      .OptInt("receipt_id", m.receipt_id)
      .Close();
}

std::string MovementsJson(const std::vector<service::StockMovement>& ms) {
  std::string out = "[";
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i) out += ',';
    WriteMovement(out, ms[i]);
  }
  return out + "]";
}

void WriteLevel(std::string& out, const service::StockLevel& l) {
  JsonObject(out)
      .Int("store_id", l.store_id)
      .Int("product_id", l.product_id)
      .Str("barcode", l.barcode)
      .Str("title", l.title)
      .Int("list_price", l.list_price)
      .Int("on_hand", l.on_hand)
      .Int("reorder_point", l.reorder_point)
      .Bool("low", l.on_hand <= l.reorder_point)
      .Time("updated_at", l.updated_at)
      .Close();
}

void WriteReceipt(std::string& out, const service::Receipt& r) {
  JsonObject(out)
      .Int("id", r.id)
      .Int("store_id", r.store_id)
      .Str("supplier_reference", r.supplier_reference)
      .Str("note", r.note)
      .Time("at", r.at)
      .Raw("movements", MovementsJson(r.movements))
      .Close();
}

void WriteTransfer(std::string& out, const service::Transfer& t) {
  JsonObject(out)
      .Int("id", t.id)
      .Int("from_store_id", t.from_store_id)
      .Int("to_store_id", t.to_store_id)
      .Str("note", t.note)
      .Time("at", t.at)
      .Raw("movements", MovementsJson(t.movements))
      .Close();
}

void WriteCount(std::string& out, const std::vector<service::StockMovement>& ms) {
  JsonObject(out).Raw("movements", MovementsJson(ms)).Close();
}

// "lines": [{"product_id": 7 | "barcode": "978…", "<qty_key>": n}, …] with field errors by index.
Result<std::vector<service::StockLine>> ReadLines(const nlohmann::json& body, const char* qty_key) {
  std::vector<service::StockLine> out;
  std::vector<FieldError> errs;
  const auto& lines = body["lines"];
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string f = "lines[" + std::to_string(i) + "]";
    const auto& l = lines[i];
    if (!l.is_object()) {
      errs.push_back({f, "must be an object"});
      continue;
    }
    service::StockLine line;
    for (const auto& [key, value] : l.items())
      if (key != "product_id" && key != "barcode" && key != qty_key) errs.push_back({f + "." + key, "is not a known field"});
    if (auto it = l.find("product_id"); it != l.end()) {
      if (it->is_number_integer()) line.product.product_id = it->get<int64_t>();
      else errs.push_back({f + ".product_id", "must be an integer"});
    }
    if (auto it = l.find("barcode"); it != l.end()) {
      if (it->is_string()) line.product.code = it->get<std::string>();
      else errs.push_back({f + ".barcode", "must be a string"});
    }
    if (l.contains("product_id") && l.contains("barcode")) errs.push_back({f, "give product_id or barcode, not both"});
    if (auto it = l.find(qty_key); it == l.end()) errs.push_back({f + "." + qty_key, "is required"});
    else if (!it->is_number_integer()) errs.push_back({f + "." + qty_key, "must be an integer"});
    else line.quantity = it->get<int64_t>();
    out.push_back(std::move(line));
  }
  if (!errs.empty()) return Invalid("the request body has invalid fields", errs);
  return out;
}

service::ProductRef RefOf(const nlohmann::json& b) {
  service::ProductRef ref;
  if (b.contains("product_id")) ref.product_id = b["product_id"].get<int64_t>();
  if (b.contains("barcode")) ref.code = b["barcode"].get<std::string>();
  return ref;
}

}  // namespace

void AddStockRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(core::kEveryRole, "GET", "/api/v1/stock", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    if (!*store) return ErrorResponse(Invalid("store_id is required", {{"store_id", "is required"}}));
    bool low = false;
    if (auto it = c.req.query.find("low"); it != c.req.query.end()) {
      if (it->second != "true" && it->second != "false")
        return ErrorResponse(Invalid("low must be true or false", {{"low", "must be true or false"}}));
      low = it->second == "true";
    }
    auto q = c.req.query.find("q");
    auto allow = service::AllowsNegativeStock(ctx, **store);
    if (!allow.ok()) return ErrorResponse(allow.status());
    auto res = service::ListStock(ctx, *page, **store, low, q == c.req.query.end() ? "" : q->second);
    if (!res.ok()) return ErrorResponse(res.status());
    Response page_json = PageJson(*res, WriteLevel);
    // {"store_id", "allow_negative_stock", "items", "next_cursor"}
    page_json.body = "{\"store_id\":" + std::to_string(**store) + ",\"allow_negative_stock\":" +
                     (*allow ? "true" : "false") + "," + page_json.body.substr(1);
    return page_json;
  });

  r.Allow(kManagers, "POST", "/api/v1/stock/receipts", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true},
                                 {"supplier_reference", JType::kString},
                                 {"note", JType::kString},
                                 {"lines", JType::kArray, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto lines = ReadLines(*body, "quantity");
    if (!lines.ok()) return ErrorResponse(lines.status());
    const auto& b = *body;
    return Answer(service::ReceiveStock(ctx, c.principal->actor, b["store_id"].get<int64_t>(),
                                        b.value("supplier_reference", ""), b.value("note", ""), *lines),
                  201, WriteReceipt);
  });

  r.Allow(kManagers, "POST", "/api/v1/stock/adjustments", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true},
                                 {"product_id", JType::kInt},
                                 {"barcode", JType::kString},
                                 {"quantity", JType::kInt, true},
                                 {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    return Answer(service::AdjustStock(ctx, c.principal->actor, b["store_id"].get<int64_t>(), RefOf(b),
                                       b["quantity"].get<int64_t>(), b["reason"].get<std::string>()),
                  201, WriteMovement);
  });

  r.Allow(kManagers, "POST", "/api/v1/stock/transfers", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"from_store_id", JType::kInt, true},
                                 {"to_store_id", JType::kInt, true},
                                 {"note", JType::kString},
                                 {"lines", JType::kArray, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto lines = ReadLines(*body, "quantity");
    if (!lines.ok()) return ErrorResponse(lines.status());
    const auto& b = *body;
    return Answer(service::TransferStock(ctx, c.principal->actor, b["from_store_id"].get<int64_t>(),
                                         b["to_store_id"].get<int64_t>(), b.value("note", ""), *lines),
                  201, WriteTransfer);
  });

  r.Allow(kManagers, "POST", "/api/v1/stock/counts", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true}, {"reason", JType::kString}, {"lines", JType::kArray, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto lines = ReadLines(*body, "counted");
    if (!lines.ok()) return ErrorResponse(lines.status());
    const auto& b = *body;
    return Answer(service::CountStock(ctx, c.principal->actor, b["store_id"].get<int64_t>(), b.value("reason", ""), *lines),
                  201, WriteCount);
  });

  r.Allow(kManagers, "PATCH", "/api/v1/stock/levels", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true},
                                 {"product_id", JType::kInt},
                                 {"barcode", JType::kString},
                                 {"reorder_point", JType::kInt, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    return Answer(service::SetReorderPoint(ctx, c.principal->actor, b["store_id"].get<int64_t>(), RefOf(b),
                                           b["reorder_point"].get<int64_t>()),
                  200, WriteLevel);
  });

  r.Allow(kOwners, "PATCH", "/api/v1/stock/settings", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true}, {"allow_negative_stock", JType::kBool, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    int64_t store = b["store_id"].get<int64_t>();
    bool allow = b["allow_negative_stock"].get<bool>();
    Status st = service::SetAllowNegativeStock(ctx, c.principal->actor, store, allow);
    if (!st.ok()) return ErrorResponse(st);
    return Json(200, {{"store_id", store}, {"allow_negative_stock", allow}});
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/stock/movements", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    auto product = QueryId(c.req, "product_id");
    if (!product.ok()) return ErrorResponse(product.status());
    auto res = service::ListMovements(ctx, *page, *store, *product);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteMovement);
  });
}

}  // namespace shuyou::http
