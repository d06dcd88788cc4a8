// JSON helpers for handlers (see json_io.h).
#include "http/json_io.h"

#include <charconv>

namespace shuyou::http {

int HttpStatusOf(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kConflict: return 409;
    case Code::kPayloadTooLarge: return 413;
    case Code::kTooManyRequests: return 429;
    case Code::kUnavailable: return 503;
    case Code::kInternal: return 500;
  }
  return 500;
}

const char* ErrorCodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kPayloadTooLarge: return "payload_too_large";
    case Code::kTooManyRequests: return "too_many_requests";
    case Code::kUnavailable: return "unavailable";
    case Code::kInternal: return "internal";
  }
  return "internal";
}

Response Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response ErrorResponse(const Status& st) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : st.details()) details.push_back({{"field", d.field}, {"message", d.message}});
  // Internal errors keep their database text out of the answer; the log has it.
  std::string message = st.code() == Code::kInternal ? "an internal error occurred; the server log has details"
                                                     : st.message();
  return Json(HttpStatusOf(st.code()),
              {{"error", {{"code", ErrorCodeName(st.code())}, {"message", message}, {"details", details}}}});
}

Result<nlohmann::json> ReadBody(const Request& req, const std::vector<Field>& fields) {
  std::string ct = req.Header("content-type");
  if (!ct.empty() && ct.rfind("application/json", 0) != 0)
    return Invalid("the body must be JSON (Content-Type: application/json)");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body.empty() ? std::string("{}") : req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return Invalid("the body is not valid JSON: error at byte " + std::to_string(e.byte));
  }
  if (!body.is_object()) return Invalid("the body must be a JSON object");
  std::vector<FieldError> errs;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto& f : fields) known = known || f.name == key;
    if (!known) errs.push_back({key, "is not a known field"});
  }
  for (const auto& f : fields) {
    auto it = body.find(f.name);
    if (it == body.end()) {
      if (f.required) errs.push_back({f.name, "is required"});
      continue;
    }
    bool ok = false;
    const char* want = "";
    switch (f.type) {
      case JType::kString: ok = it->is_string(); want = "a string"; break;
      case JType::kNullableString: ok = it->is_string() || it->is_null(); want = "a string or null"; break;
      case JType::kInt: ok = it->is_number_integer(); want = "an integer"; break;
      case JType::kNullableInt: ok = it->is_number_integer() || it->is_null(); want = "an integer or null"; break;
      case JType::kBool: ok = it->is_boolean(); want = "true or false"; break;
      case JType::kArray: ok = it->is_array(); want = "an array"; break;
    }
    if (!ok) errs.push_back({f.name, std::string("must be ") + want});
    else if (f.required && it->is_null()) errs.push_back({f.name, "is required"});
  }
  if (!errs.empty()) return Invalid("the request body has invalid fields", errs);
  return body;
}

std::optional<std::string> OptString(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<bool> OptBool(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  return it->get<bool>();
}

std::optional<std::optional<std::string>> OptNullableString(const nlohmann::json& b, const char* key) {
  auto it = b.find(key);
  if (it == b.end()) return std::nullopt;
  if (it->is_null() || it->get<std::string>().empty()) return std::optional<std::string>();
  return std::optional<std::string>(it->get<std::string>());
}

static bool ParseInt(const std::string& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

Result<service::PageQuery> ReadPage(const Request& req) {
  service::PageQuery q;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    int64_t n = 0;
    if (!ParseInt(it->second, n) || n < 1 || n > 200)
      return Invalid("limit must be an integer from 1 to 200", {{"limit", "must be an integer from 1 to 200"}});
    q.limit = int(n);
  }
  if (auto it = req.query.find("cursor"); it != req.query.end()) q.cursor = it->second;
  if (auto it = req.query.find("sort"); it != req.query.end()) q.sort = it->second;
  return q;
}

Result<int64_t> PathId(const Call& call, const std::string& name) {
  int64_t id = 0;
  auto it = call.params.find(name);
  if (it == call.params.end() || !ParseInt(it->second, id) || id <= 0)
    return Status(Code::kNotFound, "'" + (it == call.params.end() ? std::string() : it->second) + "' is not a valid id");
  return id;
}

Result<std::optional<int64_t>> QueryId(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return std::optional<int64_t>();
  int64_t id = 0;
  if (!ParseInt(it->second, id) || id <= 0) return Invalid(name + " must be a positive integer", {{name, "must be a positive integer"}});
  return std::optional<int64_t>(id);
}


std::optional<std::string> IdempotencyKeyOf(const Request& req) {
  auto it = req.headers.find("idempotency-key");
  if (it == req.headers.end()) return std::nullopt;
  return it->second;
}

Response IdempotentJson(int status, const Result<service::IdempotentAnswer>& r) {
  if (!r.ok()) return ErrorResponse(r.status());
  Response res;
  res.status = status;
  res.body = r->body;
  if (r->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

}  // namespace shuyou::http
