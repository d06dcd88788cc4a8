// Plain request and response values: the only HTTP types the rest of the code sees.
// Beast stays inside http/server.cpp; handlers and tests work with these structs.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace shuyou::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query as received
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;
  std::string request_id;
  bool tls = false;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  std::string Cookie(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Splits "path?query" into Request::path and Request::query; false when the encoding is bad.
bool ParseTarget(Request& req);

}  // namespace shuyou::http
