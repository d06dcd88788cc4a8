// JSON in and out for handlers: strict body parsing (unknown fields and wrong types are
// rejected with field-level details), the one error shape, and common parameters.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "http/router.h"
#include "service/idempotency.h"
#include "service/services.h"

namespace shuyou::http {

enum class JType { kString, kInt, kBool, kNullableInt, kNullableString, kArray };

struct Field {
  std::string name;
  JType type;
  bool required = false;
};

// Parses the body as one JSON object holding only `fields`, each of its declared type.
Result<nlohmann::json> ReadBody(const Request& req, const std::vector<Field>& fields);
// limit, cursor and sort from the query string.
Result<service::PageQuery> ReadPage(const Request& req);
// A positive integer path parameter.
Result<int64_t> PathId(const Call& call, const std::string& name = "id");
// An optional positive integer query parameter.
Result<std::optional<int64_t>> QueryId(const Request& req, const std::string& name);

// Fields of a body already checked by ReadBody: absent → nullopt.
std::optional<std::string> OptString(const nlohmann::json& body, const char* key);
std::optional<bool> OptBool(const nlohmann::json& body, const char* key);
// A nullable text field: absent → nullopt; null or "" → engaged nullopt (clear); else the text.
std::optional<std::optional<std::string>> OptNullableString(const nlohmann::json& body, const char* key);

Response Json(int status, const nlohmann::json& body);
Response NoContent();
// The request's Idempotency-Key header; nullopt when absent (its form is checked by the service).
std::optional<std::string> IdempotencyKeyOf(const Request& req);
// The answer of a service::RunIdempotent use case: `status` with the stored JSON text, and the
// header "Idempotent-Replayed: true" when it is the stored answer of an earlier request.
Response IdempotentJson(int status, const Result<service::IdempotentAnswer>& r);
// {"error":{"code","message","details"}} with the status code that fits the Status.
Response ErrorResponse(const Status& st);
int HttpStatusOf(Code code);
const char* ErrorCodeName(Code code);

// Optional<T> → JSON value or null.
template <class T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace shuyou::http
