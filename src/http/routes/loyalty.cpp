// /api/v1/loyalty: the loyalty program configuration (every role reads it, owners replace it
// as a whole) and the preview of what a sample basket would earn. The nested bodies are read
// strictly by service/loyalty.cpp, which reports field paths such as "tiers[1].min_spend".
#include "core/encoding.h"
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/loyalty.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;

// The whole body as one JSON object (nested fields are checked by the service).
Result<nlohmann::json> ReadObject(const Request& req) {
  std::string ct = req.Header("content-type");
  if (!ct.empty() && ct.rfind("application/json", 0) != 0)
    return Invalid("the body must be JSON (Content-Type: application/json)");
  nlohmann::json body = nlohmann::json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (body.is_discarded()) return Invalid("the body is not valid JSON");
  if (!body.is_object()) return Invalid("the body must be a JSON object");
  return body;
}

Response ProgramJson(const Result<service::StoredProgram>& r) {
  if (!r.ok()) return ErrorResponse(r.status());
  nlohmann::json j = service::ProgramToJson(r->program);
  j["version"] = r->version;
  j["updated_at"] = r->updated_at ? nlohmann::json(core::FormatIsoUtc(*r->updated_at)) : nlohmann::json();
  j["updated_by"] = r->updated_by;
  return Json(200, j);
}

}  // namespace

void AddLoyaltyRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(core::kEveryRole, "GET", "/api/v1/loyalty/program",
          [&ctx](Call&) { return ProgramJson(service::GetLoyaltyProgram(ctx)); });

  r.Allow(Bit(Role::kOwner), "PUT", "/api/v1/loyalty/program", [&ctx](Call& c) {
    auto body = ReadObject(c.req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto program = service::ProgramFromJson(*body, "", /*allow_meta=*/true);
    if (!program.ok()) return ErrorResponse(program.status());
    std::optional<int64_t> expected;
    if (body->contains("version")) expected = (*body)["version"].get<int64_t>();
    return ProgramJson(service::SaveLoyaltyProgram(ctx, c.principal->actor, *program, expected));
  });

  r.Allow(core::kEveryRole, "POST", "/api/v1/loyalty/preview", [&ctx](Call& c) {
    auto body = ReadObject(c.req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto res = service::PreviewPoints(ctx, *body);
    if (!res.ok()) return ErrorResponse(res.status());
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& l : res->earned.lines) lines.push_back({{"rule", l.rule}, {"detail", l.detail}, {"points", l.points}});
    return Json(200, {{"points", res->earned.points},
                      {"explanation", lines},
                      {"program_version", OrNull(res->program_version)}});
  });
}

}  // namespace shuyou::http
