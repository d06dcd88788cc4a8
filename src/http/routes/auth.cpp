// /api/v1/auth: sign in (sets the session cookie), who am I, sign out.
#include <nlohmann/json.hpp>

#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"

namespace shuyou::http {
namespace {

std::string SessionCookie(const App& app, const Request& req, const std::string& value, int64_t max_age_s) {
  bool secure = app.options().secure_cookies || req.tls;
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s) + (secure ? "; Secure" : "");
}

}  // namespace

void AddAuthRoutes(Router& r, App& app) {
  r.Public("POST", "/api/v1/auth/login", [&app](Call& c) {
    auto body = ReadBody(c.req, {{"username", JType::kString, true}, {"password", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto res = service::Login(app.context(), (*body)["username"], (*body)["password"], c.req.remote_addr,
                              c.req.Header("user-agent"), c.req.request_id);
    if (!res.ok()) {
      Response e = ErrorResponse(res.status());
      if (res.status().code() == Code::kTooManyRequests)
        e.headers.emplace_back("Retry-After", std::to_string(app.options().settings.failure_window_ms / 1000));
      return e;
    }
    std::string out;
    JsonObject(out)
        .Raw("user", ToJson(WriteStaff, res->staff))
        .Str("csrf_token", res->csrf_token)
        .Time("expires_at", res->expires_at)
        .Close();
    Response ok = JsonText(200, std::move(out));
    ok.headers.emplace_back("Set-Cookie", SessionCookie(app, c.req, res->session_token,
                                                        (res->expires_at - app.context().now()) / 1000));
    ok.headers.emplace_back("Cache-Control", "no-store");
    return ok;
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/auth/me", [](Call& c) {
    const auto& p = *c.principal;
    if (!p.staff)
      return Json(200, {{"user", nullptr},
                        {"api_key", {{"id", p.actor.id}, {"name", p.actor.name}, {"role", core::RoleName(p.actor.role)}}}});
    std::string out;
    JsonObject(out)
        .Raw("user", ToJson(WriteStaff, *p.staff))
        .Str("csrf_token", p.csrf_token)
        .Time("expires_at", p.expires_at)
        .Close();
    Response res = JsonText(200, std::move(out));
    res.headers.emplace_back("Cache-Control", "no-store");
    return res;
  });

  r.Allow(core::kEveryRole, "POST", "/api/v1/auth/logout", [&app](Call& c) {
    Status st = service::Logout(app.context(), *c.principal);
    if (!st.ok()) return ErrorResponse(st);
    Response res = NoContent();
    res.headers.emplace_back("Set-Cookie", SessionCookie(app, c.req, "", 0));
    return res;
  });
}

}  // namespace shuyou::http
