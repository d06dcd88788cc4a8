// The OpenAPI document stays true: every route is in it with the same roles, and every
// documented operation is a route. Engine-independent ("Pure").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "http/app.h"
#include "support/test_db.h"

namespace shuyou::test {
namespace {

TEST(OpenApiPure, DocumentMatchesTheRouteTable) {
  auto db = NewMigratedTestDatabase(store::Engine::kSqlite);
  http::App app(*db, {});
  auto doc = nlohmann::json::parse(http::OpenApiDocument());
  ASSERT_EQ(doc.value("openapi", "").rfind("3.", 0), 0u);

  std::set<std::string> routes, documented;
  for (const auto& r : app.router().routes()) {
    std::string m = r.method;
    for (auto& c : m) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string key = m + " " + r.pattern;
    routes.insert(key);
    SCOPED_TRACE(key);
    ASSERT_TRUE(doc["paths"].contains(r.pattern));
    ASSERT_TRUE(doc["paths"][r.pattern].contains(m));
    const auto& op = doc["paths"][r.pattern][m];
    EXPECT_TRUE(op.contains("operationId"));
    EXPECT_TRUE(op.contains("responses"));
    if (r.is_public) {
      EXPECT_TRUE(op.contains("security") && op["security"].empty()) << "public routes declare security: []";
      EXPECT_FALSE(op.contains("x-roles"));
    } else {
      std::set<std::string> want, have;
      for (core::Role role : core::kAllRoles)
        if (core::Contains(r.roles, role)) want.insert(core::RoleName(role));
      for (const auto& x : op.value("x-roles", nlohmann::json::array())) have.insert(x.get<std::string>());
      EXPECT_EQ(have, want);
      EXPECT_TRUE(op["responses"].contains("401"));
    }
  }
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items())
      if (kMethods.count(method)) documented.insert(method + " " + path);
  EXPECT_EQ(documented, routes);
}

TEST(OpenApiPure, ServedAtItsPath) {
  auto db = NewMigratedTestDatabase(store::Engine::kSqlite);
  http::App app(*db, {});
  http::Request req;
  req.method = "GET";
  req.target = "/api/v1/openapi.json";
  http::Response res = app.Handle(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body), nlohmann::json::parse(http::OpenApiDocument()));
}

}  // namespace
}  // namespace shuyou::test
