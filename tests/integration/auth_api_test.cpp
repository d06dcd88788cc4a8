// Sign-in, sessions, CSRF, throttling and API keys through the HTTP API, on both engines.
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class AuthApi : public ApiFixture {};

TEST_P(AuthApi, LoginSetsAHardenedSessionCookieAndMeAnswers) {
  Caller anon;
  Reply r = Send(anon, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "correct-horse-battery"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = r.Header("Set-Cookie");
  EXPECT_EQ(cookie.rfind("shuyou_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // no TLS here
  EXPECT_EQ(r.json["user"]["username"], "owner");
  EXPECT_EQ(r.json["user"]["role"], "owner");
  EXPECT_FALSE(r.json["user"].contains("password_hash"));
  EXPECT_GE(r.json["csrf_token"].get<std::string>().size(), 20u);

  Reply me = Send(owner_, "GET", "/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["user"]["username"], "owner");
  EXPECT_EQ(me.json["csrf_token"], owner_.csrf);
}

TEST_P(AuthApi, SecureCookieUnderTls) {
  options_.secure_cookies = true;
  app_ = std::make_unique<http::App>(*db_, options_);
  Reply r = Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "correct-horse-battery"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_P(AuthApi, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  Reply wrong = Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "not-the-password"}});
  Reply unknown = Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "nobody"}, {"password", "not-the-password"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json["error"]["message"], unknown.json["error"]["message"]);
  EXPECT_EQ(wrong.ErrorCode(), "unauthenticated");
  EXPECT_TRUE(wrong.Header("Set-Cookie").empty());
  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=auth.login_failed");
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(audit.json["items"].size(), 2u);
  EXPECT_EQ(audit.json["items"][0]["ip"], "203.0.113.7");
}

TEST_P(AuthApi, LoginRejectsBadBodies) {
  Caller anon;
  EXPECT_EQ(SendRaw(anon, "POST", "/api/v1/auth/login", "{\"username\": \"owner\"").status, 400);
  Reply missing = Send(anon, "POST", "/api/v1/auth/login", json{{"username", "owner"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.FieldError("password"), "is required");
  Reply typed = Send(anon, "POST", "/api/v1/auth/login", json{{"username", 42}, {"password", "x"}});
  EXPECT_EQ(typed.FieldError("username"), "must be a string");
  Reply extra = Send(anon, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "x"}, {"remember", true}});
  EXPECT_EQ(extra.FieldError("remember"), "is not a known field");
  Reply form = SendRaw(anon, "POST", "/api/v1/auth/login", "username=owner&password=x", "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 400);
  EXPECT_NE(form.json["error"]["message"].get<std::string>().find("JSON"), std::string::npos);
  Reply array = SendRaw(anon, "POST", "/api/v1/auth/login", "[1,2]");
  EXPECT_EQ(array.json["error"]["message"], "the body must be a JSON object");
}

TEST_P(AuthApi, FailedSignInsAreThrottledPerAccount) {
  MakeStaff("li.wei", "cashier", store_id_, "lotus-pond-2026");
  for (int i = 0; i < 5; ++i) {
    Caller from;
    from.ip = "198.51.100." + std::to_string(i + 1);  // different addresses: the account limit applies
    EXPECT_EQ(Send(from, "POST", "/api/v1/auth/login", json{{"username", "li.wei"}, {"password", "wrong-wrong"}}).status, 401);
  }
  Reply r = Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "li.wei"}, {"password", "lotus-pond-2026"}});
  EXPECT_EQ(r.status, 429) << r.body;  // even the right password waits
  EXPECT_EQ(r.ErrorCode(), "too_many_requests");
  EXPECT_EQ(r.Header("Retry-After"), "900");
  // Another account is not affected.
  EXPECT_EQ(Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "correct-horse-battery"}}).status, 200);
  // After the window the account signs in again.
  clock_offset_ms_ = 16 * 60 * 1000;
  EXPECT_EQ(Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "li.wei"}, {"password", "lotus-pond-2026"}}).status, 200);
}

TEST_P(AuthApi, FailedSignInsAreThrottledPerAddress) {
  Caller attacker;
  attacker.ip = "192.0.2.66";
  for (int i = 0; i < 20; ++i)
    Send(attacker, "POST", "/api/v1/auth/login", json{{"username", "guess" + std::to_string(i)}, {"password", "password123"}});
  Reply r = Send(attacker, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "correct-horse-battery"}});
  EXPECT_EQ(r.status, 429);
  Caller elsewhere;
  elsewhere.ip = "192.0.2.67";
  EXPECT_EQ(Send(elsewhere, "POST", "/api/v1/auth/login", json{{"username", "owner"}, {"password", "correct-horse-battery"}}).status, 200);
}

TEST_P(AuthApi, LogoutEndsTheSession) {
  Caller c = Login("owner", "correct-horse-battery");
  Reply out = Send(c, "POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Send(c, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/auth/me").status, 200);  // other sessions live on
}

TEST_P(AuthApi, SessionsExpire) {
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/auth/me").status, 200);
  clock_offset_ms_ = 12LL * 3600 * 1000 + 1000;
  Reply r = Send(owner_, "GET", "/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("expired"), std::string::npos);
}

TEST_P(AuthApi, ForgedOrMissingCookiesAreRejected) {
  Caller forged;
  forged.cookie = "not-a-real-session";
  EXPECT_EQ(Send(forged, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(Caller{}, "GET", "/api/v1/auth/me").status, 401);
  Caller basic;
  basic.bearer.clear();
  http::Request req;
  req.method = "GET";
  req.target = "/api/v1/auth/me";
  req.headers["authorization"] = "Basic b3duZXI6eA==";
  EXPECT_EQ(app_->Handle(req).status, 401);
}

TEST_P(AuthApi, CookieWritesNeedTheCsrfToken) {
  json store = {{"code", "EAST"}, {"name", "东区店"}};
  Caller no_token = owner_;
  no_token.csrf.clear();
  Reply r = Send(no_token, "POST", "/api/v1/stores", store);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("CSRF"), std::string::npos);
  Caller wrong = owner_;
  // One character changed (a token that starts with "x" gets a "y": 1 run in 64 sent the right token).
  wrong.csrf = (owner_.csrf[0] == 'x' ? "y" : "x") + owner_.csrf.substr(1);
  EXPECT_EQ(Send(wrong, "POST", "/api/v1/stores", store).status, 403);
  EXPECT_EQ(CountRows("stores"), 1);  // nothing written
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stores", store).status, 201);
  // Reads need no token.
  EXPECT_EQ(Send(no_token, "GET", "/api/v1/stores").status, 200);
}

TEST_P(AuthApi, ApiKeysAreShownOnceWorkByRoleAndCanBeRevoked) {
  Reply made = Send(owner_, "POST", "/api/v1/api-keys", json{{"name", "收银机 POS-1"}, {"role", "cashier"}});
  ASSERT_EQ(made.status, 201) << made.body;
  std::string key = made.json["key"];
  EXPECT_EQ(key.rfind("sy_", 0), 0u);
  EXPECT_EQ(made.json["prefix"], key.substr(0, 10));
  Reply list = Send(owner_, "GET", "/api/v1/api-keys");
  ASSERT_EQ(list.json["items"].size(), 1u);
  EXPECT_FALSE(list.json["items"][0].contains("key"));
  EXPECT_EQ(list.body.find(key), std::string::npos);

  Caller pos;
  pos.bearer = key;
  EXPECT_EQ(Send(pos, "GET", "/api/v1/stores").status, 200);
  EXPECT_EQ(Send(pos, "GET", "/api/v1/staff").status, 403);  // a cashier may not list staff
  Reply me = Send(pos, "GET", "/api/v1/auth/me");
  EXPECT_EQ(me.json["api_key"]["role"], "cashier");
  // Keys need no CSRF token: an owner key can write.
  Caller admin = ApiKeyCaller("owner");
  EXPECT_EQ(Send(admin, "POST", "/api/v1/stores", json{{"code", "WEST"}, {"name", "West"}}).status, 201);

  EXPECT_EQ(Send(owner_, "DELETE", "/api/v1/api-keys/" + std::to_string(made.json["id"].get<int64_t>())).status, 204);
  EXPECT_EQ(Send(pos, "GET", "/api/v1/stores").status, 401);
  Reply after = Send(owner_, "GET", "/api/v1/api-keys?sort=id");
  EXPECT_FALSE(after.json["items"][0]["revoked_at"].is_null());
  EXPECT_EQ(Send(owner_, "DELETE", "/api/v1/api-keys/99999").status, 404);
  Reply bad = Send(owner_, "POST", "/api/v1/api-keys", json{{"name", ""}, {"role", "root"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.FieldError("name"), "is required");
  EXPECT_FALSE(bad.FieldError("role").empty());
}

TEST_P(AuthApi, AuditLogShowsWhoDidWhatFromWhere) {
  Reply made = Send(owner_, "POST", "/api/v1/staff",
                    json{{"username", "zhang.san"}, {"role", "cashier"}, {"password", "plum-blossom-7"}, {"home_store_id", store_id_}});
  ASSERT_EQ(made.status, 201) << made.body;
  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=staff.");
  ASSERT_EQ(audit.status, 200);
  bool found = false;
  for (const auto& e : audit.json["items"]) {
    if (e["action"] != "staff.create" || e["actor_name"] != "owner") continue;
    found = true;
    EXPECT_EQ(e["actor_kind"], "staff");
    EXPECT_EQ(e["details"]["username"], "zhang.san");
    EXPECT_EQ(e["ip"], "203.0.113.7");
    EXPECT_FALSE(e["request_id"].get<std::string>().empty());
    EXPECT_EQ(e["details"].dump().find("plum-blossom"), std::string::npos);  // never the password
  }
  EXPECT_TRUE(found) << audit.body;
  MakeStaff("boss2", "manager", store_id_);
  Caller manager = Login("boss2", "correct-horse-battery");
  EXPECT_EQ(Send(manager, "GET", "/api/v1/audit").status, 403);
}

TEST_P(AuthApi, ForwardedHeadersAreBelievedOnlyFromTrustedProxies) {
  options_.trusted_proxies = {"10.0.0.5", "10.0.0.6"};
  app_ = std::make_unique<http::App>(*db_, options_);
  auto login = [&](const std::string& from, const std::string& xff, const std::string& proto) {
    http::Request req;
    req.method = "POST";
    req.target = "/api/v1/auth/login";
    req.remote_addr = from;
    req.body = R"({"username":"owner","password":"correct-horse-battery"})";
    req.headers["content-type"] = "application/json";
    if (!xff.empty()) req.headers["x-forwarded-for"] = xff;
    if (!proto.empty()) req.headers["x-forwarded-proto"] = proto;
    return app_->Handle(req);
  };
  auto cookie_of = [](const http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Set-Cookie") return v;
    return std::string();
  };
  // Through a trusted proxy (and a second trusted hop): the client address and the scheme count.
  http::Response via = login("10.0.0.5", "198.51.100.9, 10.0.0.6", "https");
  ASSERT_EQ(via.status, 200);
  EXPECT_NE(cookie_of(via).find("; Secure"), std::string::npos);
  // Straight from a client that forges the headers: ignored.
  http::Response forged = login("203.0.113.50", "192.0.2.1", "https");
  ASSERT_EQ(forged.status, 200);
  EXPECT_EQ(cookie_of(forged).find("Secure"), std::string::npos);
  // A proxy forwarding a forged header: the nearest untrusted hop is the client.
  ASSERT_EQ(login("10.0.0.5", "192.0.2.1, 198.51.100.10", "").status, 200);
  // Garbage in the header stops the walk at the last good address.
  ASSERT_EQ(login("10.0.0.5", "<script>, 10.0.0.6", "").status, 200);

  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=auth.login&limit=4");
  ASSERT_EQ(audit.status, 200);
  std::vector<std::string> ips;
  for (const auto& e : audit.json["items"]) ips.push_back(e["ip"]);
  EXPECT_EQ(ips, (std::vector<std::string>{"10.0.0.6", "198.51.100.10", "203.0.113.50", "198.51.100.9"}));
}

SHUYOU_INSTANTIATE_FOR_ENGINES(AuthApi);

}  // namespace
}  // namespace shuyou::test
