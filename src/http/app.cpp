// Request handling from route match to response (see app.h).
#include "http/app.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/json_io.h"
#include "http/routes/routes.h"
#include "service/crypto.h"

namespace shuyou::http {
namespace fs = std::filesystem;

App::App(store::Database& db, AppOptions opt)
    : opt_(std::move(opt)), ctx_{db, opt_.settings, service::SystemNowMs} {
  AddSystemRoutes(router_, *this);
  AddAuthRoutes(router_, *this);
  AddStaffRoutes(router_, *this);
  AddAdminRoutes(router_, *this);
  AddMemberRoutes(router_, *this);
  AddLoyaltyRoutes(router_, *this);
  AddPointsJobRoutes(router_, *this);
  AddWalletRoutes(router_, *this);
  AddMemberIdentityRoutes(router_, *this);
  AddPrivacyRoutes(router_, *this);
  AddCatalogRoutes(router_, *this);
  AddStockRoutes(router_, *this);
  AddMemberImportRoutes(router_, *this);
  AddSalesRoutes(router_, *this);
  AddShiftRoutes(router_, *this);
  AddCouponRoutes(router_, *this);
  AddProductImportRoutes(router_, *this);
  AddReceiptRoutes(router_, *this);
  AddMemberInterestRoutes(router_, *this);
  AddReportSalesRoutes(router_, *this);
  AddMemberReportRoutes(router_, *this);
  std::vector<std::string> labels;
  for (const auto& r : router_.routes()) labels.push_back(r.method + " " + r.pattern);
  metrics_ = std::make_unique<Metrics>(labels);
  static_slot_ = metrics_->SlotOf("static");
  unmatched_slot_ = metrics_->SlotOf("unmatched");
  request_id_prefix_ = service::RandomToken(6);
}

void App::ApplyForwardedHeaders(Request& req) const {
  auto trusted = [this](std::string_view addr) {
    for (const auto& p : opt_.trusted_proxies)
      if (p == addr) return true;
    return false;
  };
  if (opt_.trusted_proxies.empty() || !trusted(req.remote_addr)) return;
  if (req.Header("x-forwarded-proto") == "https") req.tls = true;
  std::string xff = req.Header("x-forwarded-for");
  // Walk from the nearest hop outwards; the first address no trusted proxy vouches for is the client.
  std::string client;
  while (!xff.empty()) {
    size_t comma = xff.rfind(',');
    std::string hop = xff.substr(comma == std::string::npos ? 0 : comma + 1);
    xff.resize(comma == std::string::npos ? 0 : comma);
    hop.erase(0, hop.find_first_not_of(' '));
    hop.erase(hop.find_last_not_of(' ') + 1);
    if (hop.empty() || hop.size() > 45 || hop.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos)
      break;  // not an address: stop believing the rest of the header
    client = hop;
    if (!trusted(hop)) break;
  }
  if (!client.empty()) req.remote_addr = client;
}

std::string App::NextRequestId() {
  // Unique per process (random prefix) and cheap: no system call per request.
  uint64_t n = request_counter_.fetch_add(1, std::memory_order_relaxed);
  std::string id = request_id_prefix_;
  id += '-';
  id += std::to_string(n);
  return id;
}

App::~App() = default;

Response App::Handle(Request& req) {
  auto start = std::chrono::steady_clock::now();
  if (req.request_id.empty()) req.request_id = NextRequestId();
  ApplyForwardedHeaders(req);
  size_t slot = unmatched_slot_;
  Response res;
  try {
    res = Dispatch(req, slot);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", req.request_id, req.method, req.path, e.what());
    res = ErrorResponse(Internal(e.what()));
  }
  res.headers.emplace_back("X-Request-Id", req.request_id);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_->Record(slot, res.status, secs);
  spdlog::info("{} {} {} {} {} {}B {:.2f}ms", req.request_id, req.remote_addr, req.method, req.path, res.status,
               res.body.size(), secs * 1e3);
  return res;
}

Response App::Dispatch(Request& req, size_t& slot) {
  if (!ParseTarget(req)) return ErrorResponse(Invalid("the request target is not a valid URL"));
  bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/healthz" || req.path == "/metrics";
  if (!api) {
    slot = static_slot_;
    return ServeStatic(req);
  }
  auto m = router_.Find(req.method, req.path);
  if (!m.route) {
    if (m.path_known) {
      Response r = Json(405, {{"error", {{"code", "method_not_allowed"},
                                         {"message", req.method + " is not allowed on " + req.path},
                                         {"details", nlohmann::json::array()}}}});
      return r;
    }
    return ErrorResponse(NotFound("no such endpoint: " + req.method + " " + req.path));
  }
  slot = size_t(m.route - router_.routes().data());  // metrics slots follow the route table
  Call call{req, std::move(m.params), nullptr};
  std::optional<service::Principal> principal;
  if (!m.route->is_public) {
    std::string auth = req.Header("authorization");
    Result<service::Principal> who = Status(Code::kUnauthenticated, "sign in first");
    bool by_cookie = false;
    if (auth.rfind("Bearer ", 0) == 0) {
      who = service::AuthenticateApiKey(ctx_, auth.substr(7));
    } else if (!auth.empty()) {
      who = Status(Code::kUnauthenticated, "the Authorization header must be 'Bearer <API key>'");
    } else if (std::string token = req.Cookie(kSessionCookie); !token.empty()) {
      who = service::AuthenticateSession(ctx_, token);
      by_cookie = true;
    }
    if (!who.ok()) return ErrorResponse(who.status());
    principal = std::move(who).value();
    principal->actor.ip = req.remote_addr;
    principal->actor.request_id = req.request_id;
    if (!core::Contains(m.route->roles, principal->actor.role))
      return ErrorResponse(Status(Code::kPermissionDenied, std::string("the ") + core::RoleName(principal->actor.role) +
                                                               " role may not use " + req.method + " " + m.route->pattern));
    bool safe = req.method == "GET" || req.method == "HEAD";
    if (by_cookie && !safe && !service::SecureEquals(req.Header("x-csrf-token"), principal->csrf_token))
      return ErrorResponse(Status(Code::kPermissionDenied, "missing or wrong X-CSRF-Token header"));
    call.principal = &*principal;
  }
  Response res = m.route->handler(call);
  if (req.method == "HEAD") res.body.clear();
  return res;
}

namespace {

const char* MimeOf(const fs::path& p) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
      {".woff", "font/woff"},                {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},          {".webmanifest", "application/manifest+json"}};
  std::string ext = p.extension().string();
  for (auto [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

bool ReadFile(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

Response App::ServeStatic(const Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return ErrorResponse(NotFound("no such endpoint: " + req.method + " " + req.path));
  if (opt_.static_dir.empty()) return ErrorResponse(NotFound("the web front end is not built (make build)"));
  if (req.path.find("..") != std::string::npos) return ErrorResponse(NotFound("no such file"));
  fs::path root = opt_.static_dir;
  fs::path file = root / req.path.substr(1);
  std::error_code ec;
  bool is_asset = req.path.rfind("/assets/", 0) == 0;
  if (req.path == "/" || !fs::is_regular_file(file, ec)) {
    // SPA fallback: client-side routes get index.html; missing files with an extension are 404.
    if (fs::path(req.path).has_extension() && req.path != "/") return ErrorResponse(NotFound("no such file: " + req.path));
    file = root / "index.html";
    is_asset = false;
  }
  Response res;
  if (!ReadFile(file, res.body)) return ErrorResponse(NotFound("the web front end is not built (make build)"));
  res.content_type = MimeOf(file);
  // Vite puts content hashes in asset names: those never change; index.html must be revalidated.
  res.headers.emplace_back("Cache-Control", is_asset ? "public, max-age=31536000, immutable" : "no-cache");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (req.method == "HEAD") res.body.clear();
  return res;
}

}  // namespace shuyou::http
