// /api/v1/staff and /api/v1/stores: staff accounts and the stores of a chain.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);
constexpr core::RoleSet kOwners = Bit(Role::kOwner);

service::StoreFields StoreFieldsFrom(const nlohmann::json& b) {
  service::StoreFields f;
  f.code = OptString(b, "code");
  f.name = OptString(b, "name");
  f.address = OptString(b, "address");
  f.phone = OptString(b, "phone");
  f.timezone = OptString(b, "timezone");
  f.currency = OptString(b, "currency");
  if (b.contains("active")) f.active = b["active"].get<bool>();
  return f;
}

const std::vector<Field> kStoreFields = {{"code", JType::kString},     {"name", JType::kString},
                                         {"address", JType::kString},  {"phone", JType::kString},
                                         {"timezone", JType::kString}, {"currency", JType::kString},
                                         {"active", JType::kBool}};

}  // namespace

void AddStaffRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kManagers, "GET", "/api/v1/staff", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    service::StaffFilter f;
    if (auto it = c.req.query.find("q"); it != c.req.query.end()) f.q = it->second;
    f.store_id = *store;
    auto res = service::ListStaff(ctx, c.principal->actor, *page, f);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteStaff);
  });

  r.Allow(kManagers, "POST", "/api/v1/staff", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"username", JType::kString, true},
                                 {"display_name", JType::kString},
                                 {"role", JType::kString, true},
                                 {"home_store_id", JType::kNullableInt},
                                 {"password", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    service::NewStaff in{b["username"], b.value("display_name", ""), b["role"], std::nullopt, b["password"]};
    if (b.contains("home_store_id") && !b["home_store_id"].is_null()) in.home_store_id = b["home_store_id"].get<int64_t>();
    return Answer(service::CreateStaff(ctx, c.principal->actor, in), 201, WriteStaff);
  });

  r.Allow(kManagers, "GET", "/api/v1/staff/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetStaff(ctx, c.principal->actor, *id), 200, WriteStaff);
  });

  r.Allow(kManagers, "PATCH", "/api/v1/staff/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"display_name", JType::kString},
                                 {"role", JType::kString},
                                 {"home_store_id", JType::kNullableInt},
                                 {"active", JType::kBool},
                                 {"password", JType::kString}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    service::StaffChange ch;
    ch.display_name = OptString(b, "display_name");
    ch.role = OptString(b, "role");
    ch.password = OptString(b, "password");
    if (b.contains("active")) ch.active = b["active"].get<bool>();
    if (b.contains("home_store_id"))
      ch.home_store_id = b["home_store_id"].is_null() ? std::optional<int64_t>() : b["home_store_id"].get<int64_t>();
    return Answer(service::UpdateStaff(ctx, c.principal->actor, *id, ch), 200, WriteStaff);
  });

  r.Allow(kManagers, "POST", "/api/v1/staff/{id}/revoke-sessions", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    Status st = service::RevokeStaffSessions(ctx, c.principal->actor, *id);
    return st.ok() ? NoContent() : ErrorResponse(st);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/stores", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto it = c.req.query.find("q");
    auto res = service::ListStores(ctx, *page, it == c.req.query.end() ? "" : it->second);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteStore);
  });

  r.Allow(kOwners, "POST", "/api/v1/stores", [&ctx](Call& c) {
    auto body = ReadBody(c.req, kStoreFields);
    if (!body.ok()) return ErrorResponse(body.status());
    return Answer(service::CreateStore(ctx, c.principal->actor, StoreFieldsFrom(*body)), 201, WriteStore);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/stores/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetStore(ctx, *id), 200, WriteStore);
  });

  r.Allow(kOwners, "PATCH", "/api/v1/stores/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, kStoreFields);
    if (!body.ok()) return ErrorResponse(body.status());
    return Answer(service::UpdateStore(ctx, c.principal->actor, *id, StoreFieldsFrom(*body)), 200, WriteStore);
  });
}

}  // namespace shuyou::http
