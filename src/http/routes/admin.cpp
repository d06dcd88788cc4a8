// /api/v1/audit and /api/v1/api-keys: the owner's view of who did what, and integration keys.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/audit.h"

namespace shuyou::http {
namespace {

constexpr core::RoleSet kOwners = core::Bit(core::Role::kOwner);

void WriteApiKey(std::string& out, const service::ApiKey& k) {
  JsonObject o(out);
  o.Int("id", k.id)
      .Str("name", k.name)
      .Str("prefix", k.prefix)
      .Str("role", core::RoleName(k.role))
      .Time("created_at", k.created_at)
      .OptTime("last_used_at", k.last_used_at)
      .OptTime("revoked_at", k.revoked_at);
  if (!k.key.empty()) o.Str("key", k.key);
  o.Close();
}

void WriteAudit(std::string& out, const service::AuditEntry& e) {
  JsonObject(out)
      .Int("id", e.id)
      .Time("at", e.at)
      .Str("actor_kind", e.actor_kind)
      .OptInt("actor_id", e.actor_id)
      .Str("actor_name", e.actor_name)
      .Str("action", e.action)
      .Str("target", e.target)
      .Raw("details", e.details_json)  // written by RecordAudit as JSON text
      .Str("ip", e.ip)
      .Str("request_id", e.request_id)
      .Close();
}

}  // namespace

void AddAdminRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kOwners, "GET", "/api/v1/audit", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto actor = QueryId(c.req, "actor_id");
    if (!actor.ok()) return ErrorResponse(actor.status());
    service::AuditFilter f;
    if (auto it = c.req.query.find("action"); it != c.req.query.end()) f.action_prefix = it->second;
    f.actor_id = *actor;
    auto res = service::ListAudit(ctx, *page, f);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteAudit);
  });

  r.Allow(kOwners, "GET", "/api/v1/api-keys", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto res = service::ListApiKeys(ctx, *page);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteApiKey);
  });

  r.Allow(kOwners, "POST", "/api/v1/api-keys", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"name", JType::kString, true}, {"role", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto res = service::CreateApiKey(ctx, c.principal->actor, (*body)["name"], (*body)["role"]);
    if (!res.ok()) return ErrorResponse(res.status());
    Response out = JsonText(201, ToJson(WriteApiKey, *res));
    out.headers.emplace_back("Cache-Control", "no-store");
    return out;
  });

  r.Allow(kOwners, "DELETE", "/api/v1/api-keys/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    Status st = service::RevokeApiKey(ctx, c.principal->actor, *id);
    return st.ok() ? NoContent() : ErrorResponse(st);
  });
}

}  // namespace shuyou::http
