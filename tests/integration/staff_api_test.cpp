// Staff accounts and stores through the HTTP API, on both engines: the owner's and manager's
// everyday actions, pagination, and every kind of bad input (nothing half-written).
#include <set>

#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class StaffApi : public ApiFixture {
 protected:
  json NewCashier(const std::string& username) {
    return {{"username", username}, {"display_name", "收银员 " + username}, {"role", "cashier"},
            {"home_store_id", store_id_}, {"password", "plum-blossom-7"}};
  }
};

TEST_P(StaffApi, OwnerCreatesACashierAndAManagerWhoCanSignIn) {
  Reply cashier = Send(owner_, "POST", "/api/v1/staff", NewCashier("wang.fang"));
  ASSERT_EQ(cashier.status, 201) << cashier.body;
  EXPECT_EQ(cashier.json["username"], "wang.fang");
  EXPECT_EQ(cashier.json["display_name"], "收银员 wang.fang");
  EXPECT_EQ(cashier.json["role"], "cashier");
  EXPECT_EQ(cashier.json["home_store_id"], store_id_);
  EXPECT_EQ(cashier.json["active"], true);
  EXPECT_FALSE(cashier.json.contains("password"));
  Reply manager = Send(owner_, "POST", "/api/v1/staff",
                       json{{"username", "chen.jing"}, {"role", "manager"}, {"password", "bamboo-grove-9"}});
  ASSERT_EQ(manager.status, 201) << manager.body;
  EXPECT_TRUE(manager.json["home_store_id"].is_null());

  Reply list = Send(owner_, "GET", "/api/v1/staff");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> names;
  for (const auto& s : list.json["items"]) names.push_back(s["username"]);
  EXPECT_EQ(names, (std::vector<std::string>{"chen.jing", "owner", "wang.fang"}));  // by username
  EXPECT_TRUE(list.json["next_cursor"].is_null());

  Caller c = Login("wang.fang", "plum-blossom-7");
  Reply me = Send(c, "GET", "/api/v1/auth/me");
  EXPECT_EQ(me.json["user"]["role"], "cashier");
  EXPECT_EQ(Send(c, "GET", "/api/v1/staff").status, 403);
  EXPECT_EQ(Send(c, "GET", "/api/v1/stores").status, 200);
}

TEST_P(StaffApi, BadStaffInputIsRejectedWithFieldDetailsAndWritesNothing) {
  int64_t before = CountRows("staff");
  int64_t audit_before = CountRows("audit_log");
  struct Case { json body; std::string field; };
  std::vector<Case> cases = {
      {{{"username", "ab"}, {"role", "cashier"}, {"password", "plum-blossom-7"}}, "username"},
      {{{"username", "Robert'); DROP TABLE staff;--"}, {"role", "cashier"}, {"password", "plum-blossom-7"}}, "username"},
      {{{"username", "li.wei"}, {"role", "admin"}, {"password", "plum-blossom-7"}}, "role"},
      {{{"username", "li.wei"}, {"role", "cashier"}, {"password", "short"}}, "password"},
      {{{"username", "li.wei"}, {"role", 3}, {"password", "plum-blossom-7"}}, "role"},
      {{{"username", "li.wei"}, {"role", "cashier"}, {"password", "plum-blossom-7"}, {"home_store_id", "1"}}, "home_store_id"},
      {{{"username", "li.wei"}, {"role", "cashier"}, {"password", "plum-blossom-7"}, {"home_store_id", 9999}}, "home_store_id"},
      {{{"username", "li.wei"}, {"role", "cashier"}, {"password", "plum-blossom-7"}, {"is_admin", true}}, "is_admin"},
      {{{"role", "cashier"}, {"password", "plum-blossom-7"}}, "username"},
      {{{"username", "li.wei"}, {"role", "cashier"}, {"password", "plum-blossom-7"}, {"display_name", "tab\there"}}, "display_name"},
  };
  for (const auto& c : cases) {
    Reply r = Send(owner_, "POST", "/api/v1/staff", c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " → " << r.body;
    EXPECT_EQ(r.ErrorCode(), "invalid_argument");
    EXPECT_FALSE(r.FieldError(c.field).empty()) << c.field << " in " << r.body;
  }
  Reply malformed = SendRaw(owner_, "POST", "/api/v1/staff", "{\"username\": \"li.wei\",");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json["error"]["message"].get<std::string>().find("not valid JSON"), std::string::npos);
  Reply bad_utf8 = SendRaw(owner_, "POST", "/api/v1/staff", "{\"username\": \"\xff\xfe\"}");
  EXPECT_EQ(bad_utf8.status, 400);
  EXPECT_EQ(CountRows("staff"), before);
  EXPECT_EQ(CountRows("audit_log"), audit_before);
}

TEST_P(StaffApi, UsernamesAreUnique) {
  ASSERT_EQ(Send(owner_, "POST", "/api/v1/staff", NewCashier("wang.fang")).status, 201);
  Reply dup = Send(owner_, "POST", "/api/v1/staff", NewCashier("wang.fang"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.ErrorCode(), "conflict");
  EXPECT_EQ(dup.FieldError("username"), "is taken");
}

TEST_P(StaffApi, ChineseTextAndSqlMetacharactersRoundTrip) {
  json body = NewCashier("zhao.lei");
  body["display_name"] = "赵磊 O'Brien \"; DROP TABLE staff; --";
  Reply r = Send(owner_, "POST", "/api/v1/staff", body);
  ASSERT_EQ(r.status, 201) << r.body;
  Reply got = Send(owner_, "GET", "/api/v1/staff/" + std::to_string(r.json["id"].get<int64_t>()));
  EXPECT_EQ(got.json["display_name"], body["display_name"]);
  Reply search = Send(owner_, "GET", "/api/v1/staff?q=%E8%B5%B5%E7%A3%8A");  // 赵磊
  ASSERT_EQ(search.json["items"].size(), 1u);
  EXPECT_EQ(search.json["items"][0]["username"], "zhao.lei");
  Reply sneaky = Send(owner_, "GET", "/api/v1/staff?q=%27%20OR%201%3D1%20--");  // ' OR 1=1 --
  EXPECT_EQ(sneaky.status, 200);
  EXPECT_EQ(sneaky.json["items"].size(), 0u);
  json store = {{"code", "PD-01"}, {"name", "浦东店 'quoted' ; --"}, {"address", "上海市浦东新区世纪大道 100 号"}};
  Reply s = Send(owner_, "POST", "/api/v1/stores", store);
  ASSERT_EQ(s.status, 201) << s.body;
  EXPECT_EQ(s.json["name"], store["name"]);
  EXPECT_EQ(s.json["address"], store["address"]);
}

// Every free-text field keeps Chinese text and SQL metacharacters exactly; every constrained
// field (username, code, role, time zone, currency) refuses them with a field error, no crash.
TEST_P(StaffApi, EveryStringFieldTakesChineseAndMetacharactersOrRefusesThemCleanly) {
  const std::vector<std::string> nasty = {"书友 · 旗舰店", "'; DROP TABLE stores; --", "\" OR 1=1 --", "%_\\", "混合 mixed ' \""};
  int n = 0;
  for (const auto& text : nasty) {
    std::string code = "S" + std::to_string(++n);
    Reply s = Send(owner_, "POST", "/api/v1/stores", json{{"code", code}, {"name", text}, {"address", text}, {"phone", text}});
    ASSERT_EQ(s.status, 201) << text << " → " << s.body;
    Reply got = Send(owner_, "GET", "/api/v1/stores/" + std::to_string(s.json["id"].get<int64_t>()));
    for (const char* f : {"name", "address", "phone"}) EXPECT_EQ(got.json[f], text) << f;
    Reply staff = Send(owner_, "POST", "/api/v1/staff",
                       json{{"username", "user" + std::to_string(n)}, {"display_name", text}, {"role", "cashier"}, {"password", "plum-blossom-7"}});
    ASSERT_EQ(staff.status, 201) << staff.body;
    EXPECT_EQ(staff.json["display_name"], text);
    Reply key = Send(owner_, "POST", "/api/v1/api-keys", json{{"name", text}, {"role", "cashier"}});
    ASSERT_EQ(key.status, 201) << key.body;
    EXPECT_EQ(key.json["name"], text);
    for (const char* f : {"code", "timezone", "currency"}) {
      json body = {{"code", "OK" + std::to_string(n)}, {"name", "x"}};
      body[f] = text;
      Reply r = Send(owner_, "POST", "/api/v1/stores", body);
      EXPECT_EQ(r.status, 400) << f << "=" << text;
      EXPECT_FALSE(r.FieldError(f).empty()) << f;
    }
    for (const char* f : {"username", "role", "password"}) {
      json body = {{"username", "ok" + std::to_string(n)}, {"role", "cashier"}, {"password", "plum-blossom-7"}};
      body[f] = text;
      Reply r = Send(owner_, "POST", "/api/v1/staff", body);
      if (std::string(f) == "password" && text.size() >= 10) {
        EXPECT_EQ(r.status, 201) << "any characters make a password";
      } else {
        EXPECT_EQ(r.status, 400) << f << "=" << text;
        EXPECT_FALSE(r.FieldError(f).empty()) << f;
      }
    }
    Reply login = Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", text}, {"password", text}});
    EXPECT_EQ(login.status, 401);
  }
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/stores?limit=200").json["items"].size(), nasty.size() + 1);
}

TEST_P(StaffApi, ListsPageWithStableCursorsAndSort) {
  for (int i = 0; i < 7; ++i) MakeStaff("user" + std::to_string(i), "cashier", store_id_);
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    Reply r = Send(owner_, "GET", "/api/v1/staff?limit=3&sort=-username" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_LE(r.json["items"].size(), 3u);
    for (const auto& s : r.json["items"]) seen.push_back(s["username"]);
    cursor = r.json["next_cursor"].is_null() ? "" : r.json["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"user6", "user5", "user4", "user3", "user2", "user1", "user0", "owner"}));

  Reply by_store = Send(owner_, "GET", "/api/v1/staff?store_id=" + std::to_string(store_id_) + "&limit=200");
  EXPECT_EQ(by_store.json["items"].size(), 8u);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?limit=0").FieldError("limit"), "must be an integer from 1 to 200");
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?limit=abc").status, 400);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?limit=201").status, 400);
  EXPECT_FALSE(Send(owner_, "GET", "/api/v1/staff?sort=password_hash").FieldError("sort").empty());
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?cursor=garbage!").FieldError("cursor"), "not from this list and sort");
  // A cursor made for another sort order is refused rather than silently misused.
  Reply first = Send(owner_, "GET", "/api/v1/staff?limit=2&sort=username");
  std::string c = first.json["next_cursor"];
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?limit=2&sort=created_at&cursor=" + c).status, 400);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff?store_id=abc").status, 400);
}

TEST_P(StaffApi, ManagersManageOnlyCashiersAndMarketersOfTheirStore) {
  MakeStaff("boss", "manager", store_id_);
  Caller m = Login("boss", "correct-horse-battery");
  EXPECT_EQ(Send(m, "POST", "/api/v1/staff", NewCashier("new.cashier")).status, 201);
  json owner_body = NewCashier("new.owner");
  owner_body["role"] = "owner";
  EXPECT_EQ(Send(m, "POST", "/api/v1/staff", owner_body).status, 403);
  owner_body["role"] = "manager";
  EXPECT_EQ(Send(m, "POST", "/api/v1/staff", owner_body).status, 403);
  Reply other = Send(owner_, "POST", "/api/v1/stores", json{{"code", "NORTH"}, {"name", "北区店"}});
  json elsewhere = NewCashier("far.away");
  elsewhere["home_store_id"] = other.json["id"];
  EXPECT_EQ(Send(m, "POST", "/api/v1/staff", elsewhere).status, 403);
  // The owner's account is out of a manager's reach.
  EXPECT_EQ(Send(m, "PATCH", "/api/v1/staff/1", json{{"display_name", "hacked"}}).status, 403);
  EXPECT_EQ(Send(m, "POST", "/api/v1/staff/1/revoke-sessions").status, 403);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff/1").json["display_name"], "");
  // …and so is promoting a cashier.
  Reply c = Send(owner_, "GET", "/api/v1/staff?q=new.cashier");
  std::string id = std::to_string(c.json["items"][0]["id"].get<int64_t>());
  EXPECT_EQ(Send(m, "PATCH", "/api/v1/staff/" + id, json{{"role", "manager"}}).status, 403);
  EXPECT_EQ(Send(m, "PATCH", "/api/v1/staff/" + id, json{{"role", "marketer"}}).status, 200);
  // Only owners change stores.
  EXPECT_EQ(Send(m, "POST", "/api/v1/stores", json{{"code", "X"}, {"name", "X"}}).status, 403);
}

TEST_P(StaffApi, EditingAnAccount) {
  Reply made = Send(owner_, "POST", "/api/v1/staff", NewCashier("wang.fang"));
  std::string path = "/api/v1/staff/" + std::to_string(made.json["id"].get<int64_t>());
  Caller cashier = Login("wang.fang", "plum-blossom-7");

  Reply edit = Send(owner_, "PATCH", path, json{{"display_name", "王芳"}, {"role", "marketer"}});
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(edit.json["display_name"], "王芳");
  EXPECT_EQ(edit.json["role"], "marketer");
  EXPECT_EQ(Send(cashier, "GET", "/api/v1/auth/me").json["user"]["role"], "marketer");  // takes effect at once

  Reply bad = Send(owner_, "PATCH", path, json{{"role", "boss"}, {"active", "no"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(bad.FieldError("active").empty());
  EXPECT_EQ(Send(owner_, "GET", path).json["role"], "marketer");

  // A new password ends the account's sessions and replaces the old one.
  EXPECT_EQ(Send(owner_, "PATCH", path, json{{"password", "new-secret-123"}}).status, 200);
  EXPECT_EQ(Send(cashier, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "wang.fang"}, {"password", "plum-blossom-7"}}).status, 401);
  Caller again = Login("wang.fang", "new-secret-123");

  // Deactivation ends sessions and blocks sign-in.
  EXPECT_EQ(Send(owner_, "PATCH", path, json{{"active", false}}).json["active"], false);
  EXPECT_EQ(Send(again, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(Caller{}, "POST", "/api/v1/auth/login", json{{"username", "wang.fang"}, {"password", "new-secret-123"}}).status, 401);
  EXPECT_EQ(Send(owner_, "PATCH", path, json{{"home_store_id", nullptr}}).json["home_store_id"], nullptr);

  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff/9999").status, 404);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/staff/abc").status, 404);
  EXPECT_EQ(Send(owner_, "PATCH", "/api/v1/staff/9999", json{{"display_name", "x"}}).status, 404);
}

TEST_P(StaffApi, TheLastOwnerCannotBeLockedOut) {
  Reply demote = Send(owner_, "PATCH", "/api/v1/staff/1", json{{"role", "manager"}});
  EXPECT_EQ(demote.status, 409);
  EXPECT_EQ(Send(owner_, "PATCH", "/api/v1/staff/1", json{{"active", false}}).status, 400);  // not yourself
  MakeStaff("owner2", "owner");
  Caller second = Login("owner2", "correct-horse-battery");
  EXPECT_EQ(Send(second, "PATCH", "/api/v1/staff/1", json{{"role", "manager"}}).status, 200);
  Reply me = Send(second, "GET", "/api/v1/auth/me");
  std::string own = "/api/v1/staff/" + std::to_string(me.json["user"]["id"].get<int64_t>());
  EXPECT_EQ(Send(second, "PATCH", own, json{{"role", "cashier"}}).status, 409);
}

TEST_P(StaffApi, RevokingSessionsSignsAnAccountOutEverywhere) {
  MakeStaff("wang.fang", "cashier", store_id_);
  Caller phone = Login("wang.fang", "correct-horse-battery");
  Caller till = Login("wang.fang", "correct-horse-battery");
  Reply list = Send(owner_, "GET", "/api/v1/staff?q=wang");
  std::string id = std::to_string(list.json["items"][0]["id"].get<int64_t>());
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/staff/" + id + "/revoke-sessions").status, 204);
  EXPECT_EQ(Send(phone, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(till, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/auth/me").status, 200);
}

TEST_P(StaffApi, Stores) {
  Reply made = Send(owner_, "POST", "/api/v1/stores",
                    json{{"code", "SZ-01"}, {"name", "深圳店"}, {"timezone", "Asia/Shanghai"}, {"currency", "CNY"}, {"phone", "+86 755 1234 5678"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json["active"], true);
  std::string path = "/api/v1/stores/" + std::to_string(made.json["id"].get<int64_t>());
  EXPECT_EQ(Send(owner_, "GET", path).json["name"], "深圳店");
  Reply edited = Send(owner_, "PATCH", path, json{{"name", "深圳 南山店"}, {"active", false}});
  EXPECT_EQ(edited.json["name"], "深圳 南山店");
  EXPECT_EQ(edited.json["active"], false);
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stores", json{{"code", "SZ-01"}, {"name", "dup"}}).FieldError("code"), "is taken");
  EXPECT_EQ(Send(owner_, "PATCH", path, json{{"code", "MAIN"}}).status, 409);
  Reply bad = Send(owner_, "POST", "/api/v1/stores", json{{"code", "bad code!"}, {"currency", "yuan"}, {"timezone", "Mars/Base One"}});
  EXPECT_EQ(bad.status, 400);
  for (const char* f : {"code", "name", "currency", "timezone"}) EXPECT_FALSE(bad.FieldError(f).empty()) << f;
  EXPECT_EQ(bad.json["error"]["details"].size(), 4u);  // one message per field
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stores", json{{"code", "MARS"}, {"name", "Mars"}, {"timezone", "Mars/Base"}})
                .FieldError("timezone"),
            "must be an IANA time zone name such as Asia/Shanghai");
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stores", json{{"code", "ESC"}, {"name", "x"}, {"timezone", "../../etc/passwd"}}).status, 400);
  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stores", json{{"code", "NY"}, {"name", "New York"}, {"timezone", "America/New_York"}, {"currency", "USD"}}).status, 201);
  Reply list = Send(owner_, "GET", "/api/v1/stores?sort=name");
  EXPECT_EQ(list.json["items"].size(), 3u);
  EXPECT_EQ(Send(owner_, "GET", "/api/v1/stores/424242").status, 404);
  EXPECT_EQ(CountRows("stores"), 3);
}

TEST_P(StaffApi, UnknownRoutesAndMethods) {
  Reply missing = Send(owner_, "GET", "/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.ErrorCode(), "not_found");
  Reply method = Send(owner_, "DELETE", "/api/v1/stores");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.ErrorCode(), "method_not_allowed");
  EXPECT_EQ(Send(Caller{}, "GET", "/api/v1/staff/%zz").status, 400);
  Reply health = Send(Caller{}, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "ok");
  EXPECT_FALSE(health.Header("X-Request-Id").empty());
  Reply metrics = Send(Caller{}, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("shuyou_http_requests_total{route=\"GET /healthz\",status=\"2xx\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find("no-such-thing"), std::string::npos);  // unmatched paths never become labels
  EXPECT_NE(metrics.body.find("route=\"unmatched\",status=\"4xx\"} 3"), std::string::npos);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(StaffApi);

}  // namespace
}  // namespace shuyou::test
