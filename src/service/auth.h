// Signing in and out, sessions, and API keys: who is calling.
// Sessions and keys are looked up by the SHA-256 digest of their secret; the secret itself is
// never stored. Failed sign-ins are throttled per account and per client address.
#pragma once

#include "service/staff.h"

namespace shuyou::service {

struct LoginResult {
  Staff staff;
  std::string session_token;  // goes into the HttpOnly cookie
  std::string csrf_token;
  int64_t expires_at = 0;
};

// The caller behind a session or an API key.
struct Principal {
  Actor actor;
  std::optional<Staff> staff;  // for sessions
  std::string csrf_token;      // for sessions; empty for API keys
  int64_t expires_at = 0;
  int64_t session_id = 0;
};

Result<LoginResult> Login(Context& ctx, const std::string& username, const std::string& password,
                          const std::string& ip, const std::string& user_agent, const std::string& request_id);
Status Logout(Context& ctx, const Principal& who);
// Answers kUnauthenticated for unknown, expired or revoked sessions and inactive staff.
Result<Principal> AuthenticateSession(Context& ctx, const std::string& token);
Result<Principal> AuthenticateApiKey(Context& ctx, const std::string& key);

struct ApiKey {
  int64_t id = 0;
  std::string name, prefix;
  core::Role role = core::Role::kCashier;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at, revoked_at;
  std::string key;  // the plaintext, only in CreateApiKey's answer
};

// Authentication results are kept for up to 2 seconds per token, so that a burst of requests
// from one till or integration costs one database lookup. Every local change that could end or
// narrow a session or key (sign-out, revocation, password, role or active changes) clears the
// cache at once; other app servers see such a change within those 2 seconds.
void ForgetCachedPrincipals();
// Clears that cache when it goes out of scope: declared before a Write, it runs after the commit,
// so no request can re-cache the old state in between.
struct ForgetPrincipalsOnExit {
  ~ForgetPrincipalsOnExit() { ForgetCachedPrincipals(); }
};

Result<ApiKey> CreateApiKey(Context& ctx, const Actor& actor, const std::string& name, const std::string& role);
Result<Page<ApiKey>> ListApiKeys(Context& ctx, const PageQuery& q);
Status RevokeApiKey(Context& ctx, const Actor& actor, int64_t id);

}  // namespace shuyou::service
