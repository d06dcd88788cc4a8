// Sign-in, sessions, throttling and API keys (see auth.h).
#include "service/auth.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "service/crypto.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

const Status kBadCredentials(Code::kUnauthenticated, "invalid username or password");

// An argon2id hash of a random password, verified against when the username is unknown so
// that a wrong username and a wrong password take the same time.
const std::string& DummyHash() {
  static const std::string h = HashPassword(RandomToken(16));
  return h;
}

Status RecordFailure(Context& ctx, const std::string& username, const Actor& from, const std::string& why) {
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO auth_failures (username, ip, at) VALUES (?, ?, ?)",
                               {username, from.ip, ctx.now()}).status());
    // Old failures no longer count; keep the table small.
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM auth_failures WHERE at < ?",
                               {ctx.now() - 2 * ctx.settings.failure_window_ms}).status());
    Actor anon = from;
    anon.kind = "anonymous";
    anon.name = username;
    return RecordAudit(tx, ctx, anon, "auth.login_failed", "staff:" + username, {{"reason", why}});
  });
}

constexpr int64_t kCacheMs = 2000;

// Principals by (database, "s:" or "k:" + token digest), with the time they were looked up.
struct PrincipalCache {
  std::mutex mu;
  std::unordered_map<std::string, std::pair<Principal, int64_t>> entries;
};
PrincipalCache& Cache() {
  static PrincipalCache c;
  return c;
}

std::string CacheKey(const Context& ctx, char kind, const std::string& digest) {
  return std::to_string(reinterpret_cast<uintptr_t>(&ctx.db)) + ':' + kind + ':' + digest;
}

std::optional<Principal> Cached(const std::string& key, int64_t now) {
  auto& c = Cache();
  std::lock_guard lk(c.mu);
  auto it = c.entries.find(key);
  if (it == c.entries.end()) return std::nullopt;
  if (now - it->second.second > kCacheMs || now < it->second.second) {
    c.entries.erase(it);
    return std::nullopt;
  }
  return it->second.first;
}

void Remember(const std::string& key, const Principal& p, int64_t now) {
  auto& c = Cache();
  std::lock_guard lk(c.mu);
  if (c.entries.size() > 100000) c.entries.clear();  // bounded: a flood of tokens cannot grow it
  c.entries[key] = {p, now};
}

}  // namespace

void ForgetCachedPrincipals() {
  auto& c = Cache();
  std::lock_guard lk(c.mu);
  c.entries.clear();
}

Result<LoginResult> Login(Context& ctx, const std::string& username, const std::string& password,
                          const std::string& ip, const std::string& user_agent, const std::string& request_id) {
  if (username.empty() || password.empty())
    return Invalid("username and password are required",
                   {{username.empty() ? "username" : "password", "is required"}});
  Actor from;
  from.ip = ip;
  from.request_id = request_id;

  // Throttle before spending time on the password.
  std::optional<Staff> staff;
  std::string hash;
  int64_t since = ctx.now() - ctx.settings.failure_window_ms;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto by_user, tx.Exec("SELECT COUNT(*) FROM auth_failures WHERE username = ? AND at >= ?",
                                              {username, since}));
    SY_ASSIGN_OR_RETURN(auto by_ip, tx.Exec("SELECT COUNT(*) FROM auth_failures WHERE ip = ? AND at >= ?", {ip, since}));
    if (by_user[0].Int(0) >= ctx.settings.max_failures_per_account ||
        by_ip[0].Int(0) >= ctx.settings.max_failures_per_address)
      return Status(Code::kTooManyRequests, "too many failed sign-ins; try again in " +
                                                std::to_string(ctx.settings.failure_window_ms / 60000) + " minutes");
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, username, display_name, role, home_store_id, active, "
                                           "created_at, updated_at, password_hash FROM staff WHERE username = ?",
                                           {username}));
    if (!rows.empty()) {
      const auto& r = rows[0];
      staff = Staff{r.Int(0), r.Text(1), r.Text(2), core::ParseRole(r.Text(3)).value_or(core::Role::kCashier),
                    r.OptInt(4), r.Int(5) != 0, r.Int(6), r.Int(7)};
      hash = r.Text(8);
    }
    return Status::Ok();
  });
  if (!st.ok()) {
    if (st.code() == Code::kTooManyRequests) {
      Actor anon = from;
      anon.kind = "anonymous";
      anon.name = username;
      ctx.db.Write([&](store::Tx& tx) {
        return RecordAudit(tx, ctx, anon, "auth.login_throttled", "staff:" + username, nlohmann::json::object());
      });
    }
    return st;
  }
  bool good = VerifyPassword(staff ? hash : DummyHash(), password);
  if (!staff || !good || !staff->active) {
    SY_RETURN_IF_ERROR(RecordFailure(ctx, username, from, !staff ? "unknown username" : !good ? "wrong password" : "inactive account"));
    return kBadCredentials;
  }

  LoginResult out;
  out.staff = *staff;
  out.session_token = RandomToken(32);
  out.csrf_token = RandomToken(24);
  out.expires_at = ctx.now() + ctx.settings.session_ttl_ms;
  from.kind = "staff";
  from.id = staff->id;
  from.name = staff->username;
  from.role = staff->role;
  st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at, ip, user_agent) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               {TokenDigest(out.session_token), staff->id, out.csrf_token, ctx.now(), out.expires_at,
                                ip, user_agent.substr(0, 256)}).status());
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM auth_failures WHERE username = ?", {username}).status());
    return RecordAudit(tx, ctx, from, "auth.login", "staff:" + std::to_string(staff->id), nlohmann::json::object());
  });
  if (!st.ok()) return st;
  return out;
}

Status Logout(Context& ctx, const Principal& who) {
  if (!who.session_id) return Invalid("only a session can sign out; API keys are revoked instead");
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                               {ctx.now(), who.session_id}).status());
    return RecordAudit(tx, ctx, who.actor, "auth.logout", "staff:" + std::to_string(who.actor.id), nlohmann::json::object());
  });
  ForgetCachedPrincipals();
  return st;
}

Result<Principal> AuthenticateSession(Context& ctx, const std::string& token) {
  const Status expired(Code::kUnauthenticated, "your session has expired or was ended; sign in again");
  if (token.empty() || token.size() > 128) return expired;
  int64_t now = ctx.now();
  std::string digest = TokenDigest(token);
  std::string key = CacheKey(ctx, 's', digest);
  if (auto hit = Cached(key, now)) {
    if (hit->expires_at <= now) return expired;
    return *hit;
  }
  Principal p;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(
        "SELECT s.id, s.csrf_token, s.expires_at, s.revoked_at, st.id, st.username, st.display_name, st.role, "
        "st.home_store_id, st.active, st.created_at, st.updated_at "
        "FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?",
        {digest}));
    if (rows.empty()) return expired;
    const auto& r = rows[0];
    if (!r.IsNull(3) || r.Int(2) <= now || r.Int(9) == 0) return expired;
    p.session_id = r.Int(0);
    p.csrf_token = r.Text(1);
    p.expires_at = r.Int(2);
    p.staff = Staff{r.Int(4), r.Text(5), r.Text(6), core::ParseRole(r.Text(7)).value_or(core::Role::kCashier),
                    r.OptInt(8), true, r.Int(10), r.Int(11)};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  p.actor.kind = "staff";
  p.actor.id = p.staff->id;
  p.actor.name = p.staff->username;
  p.actor.role = p.staff->role;
  p.actor.home_store_id = p.staff->home_store_id;
  Remember(key, p, now);
  return p;
}

Result<Principal> AuthenticateApiKey(Context& ctx, const std::string& key) {
  const Status bad(Code::kUnauthenticated, "the API key is not valid or was revoked");
  if (key.size() < 8 || key.size() > 128) return bad;
  int64_t now = ctx.now();
  std::string digest = TokenDigest(key);
  std::string cache_key = CacheKey(ctx, 'k', digest);
  if (auto hit = Cached(cache_key, now)) return *hit;
  Principal p;
  std::optional<int64_t> last_used;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, name, role, revoked_at, last_used_at FROM api_keys WHERE key_hash = ?",
                                           {digest}));
    if (rows.empty() || !rows[0].IsNull(3)) return bad;
    p.actor.kind = "api_key";
    p.actor.id = rows[0].Int(0);
    p.actor.name = rows[0].Text(1);
    p.actor.role = core::ParseRole(rows[0].Text(2)).value_or(core::Role::kCashier);
    last_used = rows[0].OptInt(4);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Record use at most once a minute, so that reads stay reads.
  if (!last_used || now - *last_used > 60000) {
    ctx.db.Write([&](store::Tx& tx) {
      return tx.Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", {now, p.actor.id}).status();
    });
  }
  Remember(cache_key, p, now);
  return p;
}

Result<ApiKey> CreateApiKey(Context& ctx, const Actor& actor, const std::string& name, const std::string& role_text) {
  std::vector<FieldError> errs;
  if (name.empty()) errs.push_back({"name", "is required"});
  else if (auto m = core::CheckText(name, 64); !m.empty()) errs.push_back({"name", m});
  auto role = core::ParseRole(role_text);
  if (!role) errs.push_back({"role", "must be one of owner, manager, cashier, marketer"});
  if (!errs.empty()) return Invalid("the API key has invalid fields", errs);
  ApiKey out;
  out.key = "sy_" + RandomToken(24);
  out.prefix = out.key.substr(0, 10);
  out.name = name;
  out.role = *role;
  out.created_at = ctx.now();
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto r, tx.Exec(
        "INSERT INTO api_keys (name, prefix, key_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        {name, out.prefix, TokenDigest(out.key), std::string(core::RoleName(*role)),
         actor.kind == "staff" ? store::Value(actor.id) : store::Null(), out.created_at}));
    out.id = r[0].Int(0);
    return RecordAudit(tx, ctx, actor, "api_key.create", "api_key:" + std::to_string(out.id),
                       {{"name", name}, {"role", core::RoleName(*role)}, {"prefix", out.prefix}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<ApiKey>> ListApiKeys(Context& ctx, const PageQuery& q) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(q, {{"id", "id", true}, {"name", "name", false}}, "-id", "id"));
  Page<ApiKey> page;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, name, prefix, role, created_at, last_used_at, revoked_at, " +
                                           ks.column.sql + " FROM api_keys WHERE " + ks.where + " " + ks.order,
                                           ks.params));
    page.next_cursor = TakePage(ks, rows, 7, 0);
    for (const auto& r : rows.rows) {
      ApiKey k;
      k.id = r.Int(0);
      k.name = r.Text(1);
      k.prefix = r.Text(2);
      k.role = core::ParseRole(r.Text(3)).value_or(core::Role::kCashier);
      k.created_at = r.Int(4);
      k.last_used_at = r.OptInt(5);
      k.revoked_at = r.OptInt(6);
      page.items.push_back(std::move(k));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Status RevokeApiKey(Context& ctx, const Actor& actor, int64_t id) {
  ForgetPrincipalsOnExit forget;  // sessions and keys carry role and state
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT revoked_at FROM api_keys WHERE id = ?", {id}));
    if (rows.empty()) return NotFound("no API key with id " + std::to_string(id));
    if (!rows[0].IsNull(0)) return Status::Ok();
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE api_keys SET revoked_at = ? WHERE id = ?", {ctx.now(), id}).status());
    return RecordAudit(tx, ctx, actor, "api_key.revoke", "api_key:" + std::to_string(id), nlohmann::json::object());
  });
}

}  // namespace shuyou::service
