// The application seen from HTTP: turns one Request into one Response. It resolves the caller
// (session cookie or Bearer API key), enforces each route's roles and the CSRF token on
// cookie-authenticated writes, maps Status to the error shape, serves the built front end,
// and records metrics. It has no sockets: the Beast server (server.h) and the tests call Handle.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/services.h"

namespace shuyou::http {

struct AppOptions {
  std::string static_dir;       // built front end (web/dist); empty: no static files
  bool secure_cookies = false;  // Secure attribute on the session cookie (under TLS)
  // Addresses of reverse proxies (nginx) whose X-Forwarded-For and X-Forwarded-Proto are
  // believed: the client address then comes from X-Forwarded-For (the nearest address that is
  // not itself a trusted proxy), and "https" marks the request as TLS (Secure cookies).
  std::vector<std::string> trusted_proxies;
  service::Settings settings;
};

inline constexpr const char* kSessionCookie = "shuyou_session";

class App {
 public:
  App(store::Database& db, AppOptions opt);
  ~App();
  Response Handle(Request& req);
  const Router& router() const { return router_; }
  Metrics& metrics() { return *metrics_; }
  service::Context& context() { return ctx_; }
  const AppOptions& options() const { return opt_; }
  // Once set, /healthz answers 503 so that a load balancer stops sending new requests.
  void SetDraining() { draining_ = true; }
  bool draining() const { return draining_; }

 private:
  Response Dispatch(Request& req, size_t& slot);
  Response ServeStatic(const Request& req);
  std::string NextRequestId();
  void ApplyForwardedHeaders(Request& req) const;

  AppOptions opt_;
  service::Context ctx_;
  Router router_;
  std::unique_ptr<Metrics> metrics_;
  std::atomic<bool> draining_{false};
  size_t static_slot_ = 0, unmatched_slot_ = 0;
  std::string request_id_prefix_;
  std::atomic<uint64_t> request_counter_{1};
};

// The OpenAPI document: the fragments embedded at build time from src/http/openapi/*.json (in
// file-name order), merged once on first use (http/openapi.cpp).
const char* OpenApiDocument();

}  // namespace shuyou::http
