// Retry-safe writes: see idempotency.h.
#include "service/idempotency.h"

#include <nlohmann/json.hpp>

#include "service/crypto.h"

namespace shuyou::service {
namespace {

struct Stored {
  std::string fingerprint, response;
};

Result<std::optional<Stored>> Lookup(store::Tx& tx, std::string_view scope, const std::string& key) {
  SY_ASSIGN_OR_RETURN(store::Rows rows,
                      tx.Exec("SELECT fingerprint, response FROM idempotency_keys WHERE scope = ? AND key = ?",
                              {std::string(scope), key}));
  if (rows.empty()) return std::optional<Stored>();
  return std::optional<Stored>(Stored{rows[0].Text(0), rows[0].Text(1)});
}

Result<IdempotentAnswer> Replay(const Stored& s, const std::string& fingerprint) {
  if (s.fingerprint != fingerprint)
    return Status(Code::kConflict,
                  "this Idempotency-Key was already used for a different request; send a new key");
  return IdempotentAnswer{s.response, true};
}

}  // namespace

Status CheckIdempotencyKey(std::string_view key) {
  auto bad = [](const char* why) {
    return Invalid(std::string("the Idempotency-Key ") + why, {{"Idempotency-Key", why}});
  };
  if (key.empty() || key.size() > 200) return bad("must be 1 to 200 characters");
  for (char c : key)
    if (c < 0x21 || c > 0x7e) return bad("must be printable ASCII without spaces");
  return Status::Ok();
}

Result<IdempotentAnswer> RunIdempotent(Context& ctx, std::string_view scope,
                                       const std::optional<std::string>& key, std::string_view request,
                                       const std::function<Result<nlohmann::json>(store::Tx&)>& work,
                                       bool grouped) {
  return RunIdempotentText(
      ctx, scope, key, request,
      [&](store::Tx& tx) -> Result<std::string> {
        SY_ASSIGN_OR_RETURN(nlohmann::json body, work(tx));
        return body.dump();
      },
      grouped);
}

Result<IdempotentAnswer> RunIdempotentText(Context& ctx, std::string_view scope,
                                           const std::optional<std::string>& key, std::string_view request,
                                           const std::function<Result<std::string>(store::Tx&)>& work,
                                           bool grouped) {
  if (key) SY_RETURN_IF_ERROR(CheckIdempotencyKey(*key));
  const std::string fingerprint = TokenDigest(request);
  IdempotentAnswer answer;
  auto write = [&](store::Tx& tx) -> Status {
    if (key) {
      SY_ASSIGN_OR_RETURN(std::optional<Stored> seen, Lookup(tx, scope, *key));
      if (seen) {
        SY_ASSIGN_OR_RETURN(answer, Replay(*seen, fingerprint));
        return Status::Ok();
      }
    }
    SY_ASSIGN_OR_RETURN(answer.body, work(tx));
    if (!key) return Status::Ok();
    return tx
        .Exec("INSERT INTO idempotency_keys (scope, key, fingerprint, response, created_at) "
              "VALUES (?, ?, ?, ?, ?)",
              {std::string(scope), *key, fingerprint, answer.body, ctx.now()})
        .status();
  };
  Status st = grouped ? ctx.db.WriteGrouped(write) : ctx.db.Write(write);
  if (st.ok()) return answer;
  // Another transaction stored the key after our lookup (PostgreSQL): ours rolled back whole;
  // answer what the other one stored.
  if (st.code() != Code::kConflict || !key) return st;
  std::optional<Stored> seen;
  SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(seen, Lookup(tx, scope, *key));
    return Status::Ok();
  }));
  if (!seen) return st;  // the conflict was the use case's own (e.g. a phone already taken)
  return Replay(*seen, fingerprint);
}

}  // namespace shuyou::service
