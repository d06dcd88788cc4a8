-- Idempotency keys: the first answer to a write that a client may retry (top-up, redemption,
-- checkout), stored with the key in the same transaction as the write, so that a retry with the
-- same key gets that answer and writes nothing again. `scope` names the use case (and, where the
-- key space is per member or per till, its subject); `fingerprint` is the SHA-256 of the request
-- so that a key reused for a different request is refused. Times are UTC epoch milliseconds.

CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response TEXT NOT NULL,                  -- JSON
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
