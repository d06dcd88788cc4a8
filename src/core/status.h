// Status and Result: expected failures travel as values, never as exceptions across layers.
// A Status carries a code (mapped to an HTTP status in one place, http/errors.cpp), a message a
// person can read, and optional field-level details for validation failures.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shuyou {

enum class Code {
  kOk,
  kInvalidArgument,   // bad input: 400
  kUnauthenticated,   // no or bad credentials: 401
  kPermissionDenied,  // authenticated but not allowed: 403
  kNotFound,          // 404
  kConflict,          // unique key taken, stale state: 409
  kPayloadTooLarge,   // 413
  kTooManyRequests,   // throttled: 429
  kUnavailable,       // database down, shutting down: 503
  kInternal,          // a bug or an unexpected failure: 500
};

struct FieldError {
  std::string field;
  std::string message;
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::vector<FieldError> details = {})
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& details() const { return details_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldError> details_;
};

inline Status Invalid(std::string msg, std::vector<FieldError> d = {}) {
  return {Code::kInvalidArgument, std::move(msg), std::move(d)};
}
inline Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
inline Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
inline Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

// Result<T>: a value or a non-ok Status.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}                 // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shuyou

// Propagate a non-ok Status from an expression returning Status.
#define SY_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::shuyou::Status _st = (expr);        \
    if (!_st.ok()) return _st;            \
  } while (0)

#define SY_CONCAT_INNER(a, b) a##b
#define SY_CONCAT(a, b) SY_CONCAT_INNER(a, b)
// Assign the value of a Result or propagate its Status: SY_ASSIGN_OR_RETURN(auto x, F());
#define SY_ASSIGN_OR_RETURN(lhs, expr) SY_ASSIGN_OR_RETURN_IMPL(SY_CONCAT(_res_, __LINE__), lhs, expr)
#define SY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
