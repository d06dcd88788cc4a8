// Boost.Beast HTTP/1.1 server (see server.h). One Listener accepts; one Session per connection
// reads a request, calls App::Handle on the I/O thread (handlers may block on the database;
// the pool has more threads than cores for that), writes the response and reads the next.
#include "http/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "http/app.h"
#include "http/json_io.h"

namespace shuyou::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Connections known to the server, so that shutdown can close the idle ones.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void CloseIfIdle() = 0;
};

struct Shared {
  Shared(App& a, const ServerOptions& o) : app(a), opt(o) {}
  App& app;
  const ServerOptions& opt;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex mu;
  std::list<std::weak_ptr<SessionBase>> sessions;
};

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(Shared& sh, std::string remote, bool tls, Args&&... args)
      : sh_(sh), stream_(std::forward<Args>(args)...), remote_(std::move(remote)), tls_(tls) {}
  ~Session() override { EndRequest(); }

  void Start() {
    {
      std::lock_guard lk(sh_.mu);
      sh_.sessions.push_back(this->weak_from_this());
    }
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(sh_.opt.request_timeout_s));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return;  // failed handshakes are routine noise
                                self->DoRead();
                              });
    } else {
      asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->DoRead(); });
    }
  }

  void CloseIfIdle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) {
        beast::error_code ec;
        beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(self->stream_).cancel();
      }
    });
  }

 private:
  void DoRead() {
    if (sh_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(sh_.opt.max_body_bytes);
    parser_->header_limit(16 * 1024);
    EndRequest();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(sh_.opt.idle_timeout_s));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // A request is in flight from its header until its response is written (or the connection
  // fails): shutdown waits for exactly these.
  void BeginRequest() {
    if (!busy_) sh_.in_flight++;
    busy_ = true;
  }
  void EndRequest() {
    if (busy_) sh_.in_flight--;
    busy_ = false;
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    BeginRequest();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(sh_.opt.request_timeout_s));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return Close();
    Response r;
    if (ec == bhttp::error::body_limit)
      r = ErrorResponse(Status(Code::kPayloadTooLarge, "the request body is larger than " +
                                                           std::to_string(sh_.opt.max_body_bytes) + " bytes"));
    else if (ec == bhttp::error::header_limit)
      r = ErrorResponse(Status(Code::kPayloadTooLarge, "the request headers are too large"));
    else
      r = ErrorResponse(Invalid("malformed HTTP request: " + ec.message()));
    BeginRequest();
    Send(std::move(r), false, 11);
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      auto [it, fresh] = req.headers.emplace(name, std::string(f.value()));
      if (!fresh) it->second += (name == "cookie" ? "; " : ", ") + std::string(f.value());
    }
    req.body = std::move(msg.body());
    req.remote_addr = remote_;
    req.tls = tls_;
    std::string rid = req.Header("x-request-id");
    if (!rid.empty() && rid.size() <= 64 &&
        rid.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == std::string::npos)
      req.request_id = rid;
    Response res = sh_.app.Handle(req);
    bool keep = msg.keep_alive() && !sh_.stopping;
    Send(std::move(res), keep, msg.version(), req.method == "HEAD");
  }

  void Send(Response r, bool keep_alive, unsigned version, bool head = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), version);
    res->set(bhttp::field::server, "shuyou");
    if (!r.content_type.empty()) res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();
    res_ = res;
    bhttp::async_write(stream_, *res, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      self->res_.reset();
      if (ec || !keep_alive) return self->Close();
      self->DoRead();
    });
  }

  void Close() {
    EndRequest();
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Shared& sh_;
  Stream stream_;
  std::string remote_;
  bool tls_;
  bool busy_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<void> res_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Accepts on the first context and hands connections to all of them in turn.
  Listener(std::vector<std::unique_ptr<asio::io_context>>& ctxs, Shared& sh, asio::ssl::context* tls)
      : ctxs_(ctxs), sh_(sh), tls_(tls), acceptor_(*ctxs.front()) {}

  Status Open(const tcp::endpoint& ep) {
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status(Code::kUnavailable, "cannot listen on " + ep.address().to_string() + ":" +
                                                  std::to_string(ep.port()) + ": " + ec.message());
    return Status::Ok();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Accept() {
    auto& ctx = *ctxs_[next_++ % ctxs_.size()];
    acceptor_.async_accept(ctx, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        beast::error_code ignore;
        s.set_option(tcp::no_delay(true), ignore);
        std::string remote = s.remote_endpoint(ignore).address().to_string();
        if (self->tls_) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(self->sh_, remote, true, std::move(s), *self->tls_)
              ->Start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(self->sh_, remote, false, std::move(s))->Start();
        }
      }
      self->Accept();
    });
  }

  void Stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>>& ctxs_;
  size_t next_ = 0;
  Shared& sh_;
  asio::ssl::context* tls_;
  tcp::acceptor acceptor_;
};

}  // namespace

Status RunServer(App& app, const ServerOptions& opt, const std::function<void(uint16_t)>& on_ready) {
  // One io_context per thread, each connection on one of them: a request never hops between
  // threads (no hand-off, no locking in Asio's scheduler), which on small machines costs more
  // than the request itself. Handlers may block on the database, and a checkout blocks until
  // its group commit is durable: a group can only hold as many sales as there are threads
  // waiting in it, so the default is generous (8 per core, at least 32). With 4 threads on
  // 2 cores a group held at most 4 sales and a sale cost 1.24 ms of server CPU; with 32,
  // 0.81 ms (docs/benchmarks.md, "Checkout"). Idle threads cost only their stacks.
  int threads = opt.threads > 0 ? opt.threads : std::max(32, int(std::thread::hardware_concurrency()) * 8);
  std::vector<std::unique_ptr<asio::io_context>> ctxs;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (int i = 0; i < threads; ++i) {
    ctxs.push_back(std::make_unique<asio::io_context>(1));
    guards.push_back(asio::make_work_guard(*ctxs.back()));
  }
  asio::io_context& ioc = *ctxs.front();
  auto stop_all = [&] {
    for (auto& c : ctxs) c->stop();
  };
  std::optional<asio::ssl::context> tls;
  if (!opt.tls_cert.empty() || !opt.tls_key.empty()) {
    if (opt.tls_cert.empty() || opt.tls_key.empty())
      return Invalid("TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(opt.tls_cert, ec);
    if (ec) return Invalid("cannot read the TLS certificate " + opt.tls_cert + ": " + ec.message());
    tls->use_private_key_file(opt.tls_key, asio::ssl::context::pem, ec);
    if (ec) return Invalid("cannot read the TLS key " + opt.tls_key + ": " + ec.message());
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(opt.host, ec);
  if (ec) return Invalid("'" + opt.host + "' is not an IP address to listen on");

  Shared sh(app, opt);
  auto listener = std::make_shared<Listener>(ctxs, sh, tls ? &*tls : nullptr);
  SY_RETURN_IF_ERROR(listener->Open(tcp::endpoint(addr, opt.port)));
  listener->Accept();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  auto deadline = std::chrono::steady_clock::time_point::max();
  std::function<void()> wait_drained = [&] {
    bool idle = sh.in_flight == 0;
    if (idle || std::chrono::steady_clock::now() >= deadline) {
      if (!idle) spdlog::warn("shutdown: {} requests still running after the grace period", sh.in_flight.load());
      stop_all();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](beast::error_code) { wait_drained(); });
  };
  signals.async_wait([&](beast::error_code e, int sig) {
    if (e) return;
    spdlog::info("signal {}: no new connections; finishing requests in flight", sig);
    sh.stopping = true;
    app.SetDraining();
    listener->Stop();
    {
      std::lock_guard lk(sh.mu);
      for (auto& w : sh.sessions)
        if (auto s = w.lock()) s->CloseIfIdle();
      sh.sessions.clear();
    }
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.shutdown_grace_s);
    wait_drained();
  });
  // Forget sessions that ended, now and then, so the list stays small.
  asio::steady_timer sweep(ioc);
  std::function<void()> sweep_fn = [&] {
    {
      std::lock_guard lk(sh.mu);
      sh.sessions.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    }
    sweep.expires_after(std::chrono::seconds(5));
    sweep.async_wait([&](beast::error_code e) { if (!e) sweep_fn(); });
  };
  sweep_fn();

  uint16_t port = listener->port();
  spdlog::info("listening on {}://{}:{} with {} threads", tls ? "https" : "http", opt.host, port, threads);
  if (on_ready) on_ready(port);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([c = ctxs[i].get()] { c->run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  spdlog::info("server stopped");
  return Status::Ok();
}

}  // namespace shuyou::http
