// The network edge: an asynchronous HTTP/1.1 server (Boost.Beast/Asio) with keep-alive,
// optional TLS, body and header limits, timeouts, and graceful shutdown. Every request is
// handed to App::Handle; nothing outside server.cpp sees Beast or Asio.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace shuyou::http {

class App;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;          // 0: pick a free port (reported to on_ready)
  int threads = 0;               // 0: 8 per core, at least 32
  std::string tls_cert, tls_key; // both set: HTTPS
  size_t max_body_bytes = 1 << 20;
  int request_timeout_s = 30;    // to read one request once it has started
  int idle_timeout_s = 60;       // keep-alive connection without a request
  int shutdown_grace_s = 20;     // in-flight requests get this long after SIGINT/SIGTERM
};

// Listens and serves until SIGINT or SIGTERM (or `stop` is called), then stops accepting,
// lets requests in flight finish, and returns. `on_ready(port)` runs once listening.
Status RunServer(App& app, const ServerOptions& opt, const std::function<void(uint16_t)>& on_ready = {});

}  // namespace shuyou::http
