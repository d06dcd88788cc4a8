// The route table: method + path pattern ("/api/v1/staff/{id}") → handler, with who may call it.
// The table is data: the authorization and OpenAPI tests walk it, so every route added here is
// covered by them without further work.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/staff_rules.h"
#include "http/message.h"
#include "service/auth.h"

namespace shuyou::http {

struct Call {
  const Request& req;
  std::map<std::string, std::string> params;   // path parameters
  const service::Principal* principal = nullptr;  // null on public routes
};

using Handler = std::function<Response(Call&)>;

struct Route {
  std::string method;
  std::string pattern;
  bool is_public = false;
  core::RoleSet roles = 0;  // who may call it when not public
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
};

class Router {
 public:
  void Public(std::string method, std::string pattern, Handler h);
  void Allow(core::RoleSet roles, std::string method, std::string pattern, Handler h);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool path_known = false;  // some route has this path under another method (→ 405)
  };
  Match Find(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace shuyou::http
