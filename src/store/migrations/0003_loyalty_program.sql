-- The loyalty program configuration: one row per saved version, never updated or deleted, so
-- every earlier configuration stays on record. The current program is the row with the highest
-- version; with no rows the built-in default applies (service/loyalty.h). `program` is the JSON
-- text of the whole configuration as the API shows it. Times are UTC epoch milliseconds.

CREATE TABLE loyalty_programs (
  id {{PK}},
  version BIGINT NOT NULL UNIQUE CHECK (version > 0),
  program TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL DEFAULT ''     -- "staff:<username>", "api_key:<name>" or "system"
);
