// Authorization everywhere: walks the router's route table and proves that every non-public
// route answers 401 to an anonymous caller (and to a bad key or cookie) and 403 to every role
// it does not admit, and that admitted roles get past the gate. New routes are covered
// automatically. Path parameters name rows that do not exist, so no probe changes anything.
#include <set>

#include "support/api_client.h"

namespace shuyou::test {
namespace {

class Authorization : public ApiFixture {};

std::string SamplePath(const std::string& pattern) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      size_t end = pattern.find('}', i);
      out += "999999";  // no such row: allowed callers get 404, never a side effect
      i = end + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

TEST_P(Authorization, EveryRouteGuardsItsRoles) {
  const auto& routes = app_->router().routes();
  ASSERT_GT(routes.size(), 10u);
  std::map<core::Role, Caller> by_key, by_session;
  for (core::Role role : core::kAllRoles) {
    std::string name = core::RoleName(role);
    by_key[role] = ApiKeyCaller(name);
    if (role != core::Role::kOwner) MakeStaff("probe." + name, name, store_id_);
    by_session[role] = role == core::Role::kOwner ? owner_ : Login("probe." + name, "correct-horse-battery");
  }
  Caller forged;
  forged.bearer = "sy_forged-key-that-does-not-exist";
  int checked = 0;
  for (const auto& route : routes) {
    if (route.is_public) continue;
    if (route.method == "POST" && route.pattern == "/api/v1/auth/logout") continue;  // checked below: it ends sessions
    std::string path = SamplePath(route.pattern);
    SCOPED_TRACE(route.method + " " + route.pattern);
    Reply anon = SendRaw(Caller{}, route.method, path, "{}");
    EXPECT_EQ(anon.status, 401) << anon.body;
    EXPECT_EQ(anon.ErrorCode(), "unauthenticated");
    EXPECT_EQ(SendRaw(forged, route.method, path, "{}").status, 401);
    for (core::Role role : core::kAllRoles) {
      bool allowed = core::Contains(route.roles, role);
      for (const Caller* who : {&by_key[role], &by_session[role]}) {
        Reply r = SendRaw(*who, route.method, path, "{}");
        if (allowed) {
          EXPECT_NE(r.status, 401) << core::RoleName(role) << ": " << r.body;
          if (r.status == 403) {  // a service-level refusal may be right, never the route gate
            EXPECT_EQ(r.json["error"]["message"].get<std::string>().find("role may not use"), std::string::npos)
                << core::RoleName(role) << ": " << r.body;
          }
        } else {
          EXPECT_EQ(r.status, 403) << core::RoleName(role) << ": " << r.body;
          EXPECT_EQ(r.ErrorCode(), "permission_denied");
        }
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 10);
  // Nothing that was refused left a trace: every store and account is as seeded.
  for (core::Role role : core::kAllRoles) {
    Reply logout = Send(by_session[role], "POST", "/api/v1/auth/logout");
    EXPECT_EQ(logout.status, 204);
  }
  EXPECT_EQ(Send(Caller{}, "POST", "/api/v1/auth/logout").status, 401);
}

TEST_P(Authorization, PublicRoutesAreExactlyTheseFour) {
  std::set<std::string> pub;
  for (const auto& r : app_->router().routes())
    if (r.is_public) pub.insert(r.method + " " + r.pattern);
  EXPECT_EQ(pub, (std::set<std::string>{"GET /healthz", "GET /metrics", "GET /api/v1/openapi.json",
                                        "POST /api/v1/auth/login"}));
}

SHUYOU_INSTANTIATE_FOR_ENGINES(Authorization);

}  // namespace
}  // namespace shuyou::test
