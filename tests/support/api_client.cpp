// In-process API client for integration tests (see api_client.h).
#include "support/api_client.h"

#include "service/crypto.h"
#include "service/staff.h"

namespace shuyou::test {

std::string Reply::FieldError(const std::string& field) const {
  if (!json.is_object() || !json.contains("error")) return "";
  for (const auto& d : json["error"]["details"])
    if (d.value("field", "") == field) return d.value("message", "");
  return "";
}

void ApiFixture::SetUp() {
  service::InitCrypto();
  service::UseMinimalPasswordHashingForTests();
  db_ = NewMigratedTestDatabase(GetParam());
  app_ = std::make_unique<http::App>(*db_, options_);
  app_->context().now = [this] { return service::SystemNowMs() + clock_offset_ms_; };
  service::Actor system;
  service::StoreFields main;
  main.code = "MAIN";
  main.name = "书友书店 总店";
  auto s = service::CreateStore(app_->context(), system, main);
  ASSERT_TRUE(s.ok()) << s.status().message();
  store_id_ = s->id;
  MakeStaff("owner", "owner", store_id_);
  owner_ = Login("owner", "correct-horse-battery");
}

void ApiFixture::TearDown() {
  app_.reset();
  db_.reset();
}

Reply ApiFixture::SendRaw(const Caller& who, const std::string& method, const std::string& target,
                          const std::string& body, const std::string& content_type) {
  http::Request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.remote_addr = who.ip;
  if (!body.empty() && !content_type.empty()) req.headers["content-type"] = content_type;
  if (!who.cookie.empty()) req.headers["cookie"] = std::string(http::kSessionCookie) + "=" + who.cookie;
  if (!who.csrf.empty()) req.headers["x-csrf-token"] = who.csrf;
  if (!who.bearer.empty()) req.headers["authorization"] = "Bearer " + who.bearer;
  if (!who.idempotency_key.empty()) req.headers["idempotency-key"] = who.idempotency_key;
  http::Response res = app_->Handle(req);
  Reply r;
  r.status = res.status;
  r.body = res.body;
  r.content_type = res.content_type;
  r.headers = res.headers;
  r.json = nlohmann::json::parse(res.body, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

Caller ApiFixture::Login(const std::string& username, const std::string& password, const std::string& ip) {
  Caller anon;
  anon.ip = ip;
  Reply r = Send(anon, "POST", "/api/v1/auth/login", nlohmann::json{{"username", username}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  Caller c;
  c.ip = ip;
  std::string cookie = r.Header("Set-Cookie");
  auto eq = cookie.find('='), semi = cookie.find(';');
  if (eq != std::string::npos) c.cookie = cookie.substr(eq + 1, semi - eq - 1);
  if (r.json.is_object()) c.csrf = r.json.value("csrf_token", "");
  return c;
}

int64_t ApiFixture::MakeStaff(const std::string& username, const std::string& role, std::optional<int64_t> store,
                              const std::string& password) {
  service::Actor system;
  auto s = service::CreateStaff(app_->context(), system, {username, "", role, store, password});
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? s->id : 0;
}

Caller ApiFixture::ApiKeyCaller(const std::string& role) {
  service::Actor system;
  auto k = service::CreateApiKey(app_->context(), system, "test-" + role, role);
  EXPECT_TRUE(k.ok()) << k.status().message();
  Caller c;
  c.bearer = k.ok() ? k->key : "";
  return c;
}

int64_t ApiFixture::CountRows(const std::string& table) {
  int64_t n = -1;
  Status st = db_->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM " + table));
    n = rows[0].Int(0);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return n;
}

}  // namespace shuyou::test
