// /api/v1/audit and /api/v1/api-keys: the owner's view of who did what, and integration keys.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/audit.h"

namespace shuyou::http {
namespace {

constexpr core::RoleSet kOwners = core::Bit(core::Role::kOwner);

nlohmann::json ApiKeyJson(const service::ApiKey& k) {
  nlohmann::json j = {{"id", k.id},
                      {"name", k.name},
                      {"prefix", k.prefix},
                      {"role", core::RoleName(k.role)},
                      {"created_at", core::FormatIsoUtc(k.created_at)},
                      {"last_used_at", TimeOrNull(k.last_used_at)},
                      {"revoked_at", TimeOrNull(k.revoked_at)}};
  if (!k.key.empty()) j["key"] = k.key;
  return j;
}

nlohmann::json AuditJson(const service::AuditEntry& e) {
  nlohmann::json details = nlohmann::json::parse(e.details_json, nullptr, false);
  if (details.is_discarded()) details = e.details_json;
  return {{"id", e.id},           {"at", core::FormatIsoUtc(e.at)}, {"actor_kind", e.actor_kind},
          {"actor_id", OrNull(e.actor_id)}, {"actor_name", e.actor_name}, {"action", e.action},
          {"target", e.target},   {"details", details},             {"ip", e.ip},
          {"request_id", e.request_id}};
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
    return PageJson(*res, AuditJson);
  });

  r.Allow(kOwners, "GET", "/api/v1/api-keys", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto res = service::ListApiKeys(ctx, *page);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, ApiKeyJson);
  });

  r.Allow(kOwners, "POST", "/api/v1/api-keys", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"name", JType::kString, true}, {"role", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto res = service::CreateApiKey(ctx, c.principal->actor, (*body)["name"], (*body)["role"]);
    if (!res.ok()) return ErrorResponse(res.status());
    Response out = Json(201, ApiKeyJson(*res));
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
