// /healthz, /metrics and the OpenAPI document: public, no database writes.
#include <nlohmann/json.hpp>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"

namespace shuyou::http {

void AddSystemRoutes(Router& r, App& app) {
  r.Public("GET", "/healthz", [&app](Call&) {
    if (app.draining()) return ErrorResponse(Status(Code::kUnavailable, "shutting down"));
    Status st = app.context().db.Read([](store::Tx& tx) { return tx.Exec("SELECT 1").status(); });
    if (!st.ok()) return ErrorResponse(Status(Code::kUnavailable, "the database does not answer"));
    return Json(200, {{"status", "ok"}, {"database", store::EngineName(app.context().db.engine())}});
  });
  r.Public("GET", "/metrics", [&app](Call&) {
    Response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = app.metrics().Render();
    return res;
  });
  r.Public("GET", "/api/v1/openapi.json", [](Call&) {
    Response res;
    res.body = OpenApiDocument();
    return res;
  });
}

}  // namespace shuyou::http
