// /api/v1/members/{id}/consents, /export and /erase: a member's consent history, the download of
// everything held about them, and the erasure of their personal data (service/privacy.h).
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/privacy.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kConsentReaders = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kMarketer);
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

void WriteConsent(std::string& out, const service::ConsentChange& c) {
  JsonObject(out)
      .Int("id", c.id)
      .Int("member_id", c.member_id)
      .Str("channel", c.channel)
      .Bool("granted", c.granted)
      .Time("at", c.at)
      .Str("source", c.source)
      .Str("note", c.note)
      .Close();
}

void WriteErasure(std::string& out, const service::Erasure& e) {
  JsonObject(out)
      .Int("member_id", e.member_id)
      .Time("erased_at", e.erased_at)
      .Int("consents_withdrawn", e.consents_withdrawn)
      .Int("rows_scrubbed", e.rows_scrubbed)
      .Close();
}

}  // namespace

void AddPrivacyRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kConsentReaders, "GET", "/api/v1/members/{id}/consents", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto res = service::ListConsents(ctx, *id, *page);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteConsent);
  });

  r.Allow(kManagers, "GET", "/api/v1/members/{id}/export", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto doc = service::ExportMember(ctx, c.principal->actor, *id);
    if (!doc.ok()) return ErrorResponse(doc.status());
    Response res = JsonText(200, doc->dump(2));
    res.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"member-" + std::to_string(*id) + "-export.json\"");
    res.headers.emplace_back("Cache-Control", "no-store");
    return res;
  });

  r.Allow(Bit(Role::kOwner), "POST", "/api/v1/members/{id}/erase", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    return Answer(service::EraseMember(ctx, c.principal->actor, *id, (*body)["reason"].get<std::string>()), 200,
                  WriteErasure);
  });
}

}  // namespace shuyou::http
