// Retry-safe writes. A client that may send a write twice (a till after a timeout, a phone on a
// bad network) sends an idempotency key with it. The first request's answer is stored under
// (scope, key) in the same transaction as the write; a later request with the same key gets that
// stored answer and writes nothing. A key reused for a different request is refused (Conflict),
// so a till that reuses keys by mistake cannot silently get somebody else's receipt.
// Concurrency: two requests with one key at once never both write. On SQLite writes are serial;
// on PostgreSQL the second insert of the key waits for the first transaction, fails on the
// primary key, rolls back its whole write and is then answered the stored result.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "service/services.h"

namespace shuyou::service {

// Keys are 1–200 printable ASCII characters (a UUID is the usual choice).
Status CheckIdempotencyKey(std::string_view key);

struct IdempotentAnswer {
  std::string body;       // the use case's answer as JSON text, the same bytes on a replay
  bool replayed = false;  // true when the answer is the stored one of an earlier request
};

// Runs `work` in one write transaction and answers the JSON it returns. With a key: when
// (scope, key) is on record with the same `request` fingerprint, answers the stored JSON
// (replayed) without running `work`; with another fingerprint, Conflict. Otherwise `work` runs and
// its answer is stored under the key in the same transaction. Without a key `work` just runs.
// `request` is any text that identifies the request (usually the canonical JSON body plus the
// path's ids); only its SHA-256 is kept. An error from `work` stores nothing, so a retry after
// fixing the cause runs again. With `grouped`, the write goes through Database::WriteGrouped
// (sales from many tills share one durable commit; `work` must then not rely on running alone).
Result<IdempotentAnswer> RunIdempotent(Context& ctx, std::string_view scope,
                                       const std::optional<std::string>& key, std::string_view request,
                                       const std::function<Result<nlohmann::json>(store::Tx&)>& work,
                                       bool grouped = false);
// The same with the answer already written as JSON text (checkout builds it while holding the
// writer, and text is cheaper to write than nlohmann::json's objects).
Result<IdempotentAnswer> RunIdempotentText(Context& ctx, std::string_view scope,
                                           const std::optional<std::string>& key, std::string_view request,
                                           const std::function<Result<std::string>(store::Tx&)>& work,
                                           bool grouped = false);

}  // namespace shuyou::service
