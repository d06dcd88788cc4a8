// In-process API client for integration tests: an App over a fresh database of one engine,
// with helpers to sign in (cookie + CSRF, as the browser does) or call with an API key.
// No sockets: requests go straight to App::Handle, exactly as the Beast server hands them over.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "http/app.h"
#include "service/auth.h"
#include "store/db.h"
#include "support/test_db.h"

namespace shuyou::test {

struct Reply {
  int status = 0;
  nlohmann::json json;  // parsed body (null when not JSON)
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return "";
  }
  std::string ErrorCode() const { return json.is_object() && json.contains("error") ? json["error"].value("code", "") : ""; }
  // The message of the detail for `field`, or "" when there is none.
  std::string FieldError(const std::string& field) const;
};

// Who sends a request: nobody, a signed-in browser (cookie + CSRF), or an integration (API key).
struct Caller {
  std::string cookie;
  std::string csrf;
  std::string bearer;
  std::string ip = "203.0.113.7";
  std::string idempotency_key;  // sent as the Idempotency-Key header when not empty
};

class ApiFixture : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Reply Send(const Caller& who, const std::string& method, const std::string& target) {
    return SendRaw(who, method, target, "");
  }
  Reply Send(const Caller& who, const std::string& method, const std::string& target, const nlohmann::json& body) {
    return SendRaw(who, method, target, body.dump());
  }
  Reply SendRaw(const Caller& who, const std::string& method, const std::string& target, const std::string& body,
                const std::string& content_type = "application/json");
  // Signs in through POST /api/v1/auth/login and returns the caller with cookie and CSRF token.
  Caller Login(const std::string& username, const std::string& password, const std::string& ip = "203.0.113.7");
  // Creates an account directly through the service layer (as the CLI does).
  int64_t MakeStaff(const std::string& username, const std::string& role, std::optional<int64_t> store = std::nullopt,
                    const std::string& password = "correct-horse-battery");
  Caller ApiKeyCaller(const std::string& role);
  int64_t CountRows(const std::string& table);

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<http::App> app_;
  int64_t store_id_ = 0;  // the seeded store "MAIN"
  Caller owner_;          // signed in as "owner"
  int64_t clock_offset_ms_ = 0;  // added to the real clock, to travel in time
  http::AppOptions options_;
};

}  // namespace shuyou::test
