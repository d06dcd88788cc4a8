// /api/v1/products and /api/v1/categories: the catalog the till scans from and managers keep.
// Every signed-in role reads it; owners and managers change it.
#include "core/isbn.h"
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/catalog.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

void WriteCategory(std::string& out, const service::Category& c) {
  JsonObject(out)
      .Int("id", c.id)
      .OptInt("parent_id", c.parent_id)
      .Str("code", c.code)
      .Str("name", c.name)
      .Str("name_en", c.name_en)
      .Int("sort_order", c.sort_order)
      .Time("created_at", c.created_at)
      .Time("updated_at", c.updated_at)
      .Close();
}

void WriteProduct(std::string& out, const service::Product& p) {
  JsonObject o(out);
  o.Int("id", p.id).Str("kind", p.kind);
  if (p.isbn13) {
    o.Str("isbn13", *p.isbn13);
    if (auto isbn10 = core::Isbn13To10(*p.isbn13)) o.Str("isbn10", *isbn10);
    else o.Null("isbn10");
  } else {
    o.Null("isbn13").Null("isbn10");
  }
  std::string authors = "[";
  for (size_t i = 0; i < p.authors.size(); ++i) {
    if (i) authors += ',';
    AppendJsonString(authors, p.authors[i]);
  }
  authors += ']';
  o.Str("barcode", p.barcode)
      .Str("title", p.title)
      .Str("subtitle", p.subtitle)
      .Raw("authors", authors)
      .Str("publisher", p.publisher)
      .OptInt("pub_year", p.pub_year)
      .OptInt("category_id", p.category_id)
      .Int("list_price", p.list_price)
      .OptInt("cost", p.cost)
      .Int("tax_rate_bp", p.tax_rate_bp)
      .Bool("active", p.active)
      .Bool("imported", p.imported)
      .Time("created_at", p.created_at)
      .Time("updated_at", p.updated_at);
  if (p.on_hand) o.Int("on_hand", *p.on_hand);
  o.Close();
}

std::vector<Field> ProductFields() {
  return {{"kind", JType::kString},          {"isbn", JType::kNullableString},  {"barcode", JType::kNullableString},
          {"title", JType::kString},         {"subtitle", JType::kString},      {"authors", JType::kArray},
          {"publisher", JType::kString},     {"pub_year", JType::kNullableInt}, {"category_id", JType::kNullableInt},
          {"list_price", JType::kInt},       {"cost", JType::kNullableInt},     {"tax_rate_bp", JType::kInt},
          {"active", JType::kBool}};
}

std::optional<std::optional<int64_t>> OptNullableInt(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  if (it->is_null()) return std::optional<int64_t>();
  return std::optional<int64_t>(it->get<int64_t>());
}

std::optional<int64_t> OptInt(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  return it->get<int64_t>();
}

Result<service::ProductFields> ProductFieldsOf(const nlohmann::json& b) {
  service::ProductFields f;
  f.kind = OptString(b, "kind");
  f.isbn = OptNullableString(b, "isbn");
  f.barcode = OptNullableString(b, "barcode");
  f.title = OptString(b, "title");
  f.subtitle = OptString(b, "subtitle");
  f.publisher = OptString(b, "publisher");
  if (auto it = b.find("authors"); it != b.end()) {
    std::vector<std::string> authors;
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string())
        return Invalid("the request body has invalid fields", {{"authors[" + std::to_string(i) + "]", "must be a string"}});
      authors.push_back((*it)[i].get<std::string>());
    }
    f.authors = std::move(authors);
  }
  f.pub_year = OptNullableInt(b, "pub_year");
  f.category_id = OptNullableInt(b, "category_id");
  f.cost = OptNullableInt(b, "cost");
  f.list_price = OptInt(b, "list_price");
  f.tax_rate_bp = OptInt(b, "tax_rate_bp");
  f.active = OptBool(b, "active");
  return f;
}

service::CategoryFields CategoryFieldsOf(const nlohmann::json& b) {
  service::CategoryFields f;
  f.parent_id = OptNullableInt(b, "parent_id");
  f.code = OptString(b, "code");
  f.name = OptString(b, "name");
  f.name_en = OptString(b, "name_en");
  f.sort_order = OptInt(b, "sort_order");
  return f;
}

std::vector<Field> CategoryFields(bool creating) {
  return {{"parent_id", JType::kNullableInt}, {"code", JType::kString, creating}, {"name", JType::kString, creating},
          {"name_en", JType::kString},        {"sort_order", JType::kInt}};
}

Result<std::optional<bool>> QueryBool(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::optional<bool>();
  if (it->second == "true") return std::optional<bool>(true);
  if (it->second == "false") return std::optional<bool>(false);
  return Invalid(name + " must be true or false", {{name, "must be true or false"}});
}

}  // namespace

void AddCatalogRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(core::kEveryRole, "GET", "/api/v1/products", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    service::ProductFilter f;
    if (auto it = c.req.query.find("q"); it != c.req.query.end()) f.q = it->second;
    if (auto it = c.req.query.find("kind"); it != c.req.query.end() && !it->second.empty()) f.kind = it->second;
    auto category = QueryId(c.req, "category_id");
    if (!category.ok()) return ErrorResponse(category.status());
    f.category_id = *category;
    auto active = QueryBool(c.req, "active");
    if (!active.ok()) return ErrorResponse(active.status());
    f.active = *active;
    auto res = service::SearchProducts(ctx, *page, f);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteProduct);
  });

  r.Allow(kManagers, "POST", "/api/v1/products", [&ctx](Call& c) {
    auto body = ReadBody(c.req, ProductFields());
    if (!body.ok()) return ErrorResponse(body.status());
    auto fields = ProductFieldsOf(*body);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(service::CreateProduct(ctx, c.principal->actor, *fields), 201, WriteProduct);
  });

  // Registered before /products/{id}: the first matching route wins.
  r.Allow(core::kEveryRole, "GET", "/api/v1/products/lookup", [&ctx](Call& c) {
    auto it = c.req.query.find("code");
    if (it == c.req.query.end() || it->second.empty())
      return ErrorResponse(Invalid("code is required", {{"code", "is required"}}));
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    return Answer(service::LookupProduct(ctx, it->second, *store), 200, WriteProduct);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/products/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetProduct(ctx, *id), 200, WriteProduct);
  });

  r.Allow(kManagers, "PATCH", "/api/v1/products/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, ProductFields());
    if (!body.ok()) return ErrorResponse(body.status());
    auto fields = ProductFieldsOf(*body);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(service::UpdateProduct(ctx, c.principal->actor, *id, *fields), 200, WriteProduct);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/categories", [&ctx](Call&) {
    auto res = service::ListCategories(ctx);
    if (!res.ok()) return ErrorResponse(res.status());
    std::string out = "{\"items\":[";
    for (size_t i = 0; i < res->size(); ++i) {
      if (i) out += ',';
      WriteCategory(out, (*res)[i]);
    }
    out += "]}";
    return JsonText(200, std::move(out));
  });

  r.Allow(kManagers, "POST", "/api/v1/categories", [&ctx](Call& c) {
    auto body = ReadBody(c.req, CategoryFields(true));
    if (!body.ok()) return ErrorResponse(body.status());
    return Answer(service::CreateCategory(ctx, c.principal->actor, CategoryFieldsOf(*body)), 201, WriteCategory);
  });

  r.Allow(kManagers, "PATCH", "/api/v1/categories/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, CategoryFields(false));
    if (!body.ok()) return ErrorResponse(body.status());
    return Answer(service::UpdateCategory(ctx, c.principal->actor, *id, CategoryFieldsOf(*body)), 200, WriteCategory);
  });
}

}  // namespace shuyou::http
