-- Members and their ledgers: the member profile with cached balances, the append-only points
-- ledger and the stored-value ledger. Invariant: a member's points_balance equals the sum of
-- their points_ledger rows, and stored_value_balance the sum of their stored_value_ledger rows
-- (both updated in the same transaction as the row). Times are UTC epoch milliseconds.

CREATE TABLE members (
  id {{PK}},
  card_number TEXT NOT NULL UNIQUE,
  phone TEXT NOT NULL UNIQUE,              -- E.164, "+8613800138000"
  phone_last4 TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  email TEXT,
  birthday TEXT,                           -- YYYY-MM-DD
  gender TEXT CHECK (gender IN ('female', 'male', 'other')),
  home_store_id BIGINT REFERENCES stores(id),
  tier TEXT NOT NULL DEFAULT 'regular',
  points_balance BIGINT NOT NULL DEFAULT 0 CHECK (points_balance >= 0),
  stored_value_balance BIGINT NOT NULL DEFAULT 0 CHECK (stored_value_balance >= 0),  -- minor units
  consent_email INTEGER NOT NULL DEFAULT 0,
  consent_sms INTEGER NOT NULL DEFAULT 0,
  consent_updated_at BIGINT,
  consent_source TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT NOT NULL DEFAULT ''     -- "staff:<username>", "api_key:<name>" or "system"
);
CREATE INDEX members_phone_last4 ON members(phone_last4);
CREATE INDEX members_name ON members(name);

CREATE TABLE points_ledger (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust', 'expire', 'reverse')),
  points BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  staff_id BIGINT REFERENCES staff(id),
  sale_id BIGINT,
  expires_on TEXT
);
CREATE INDEX points_ledger_member ON points_ledger(member_id, id);

CREATE TABLE stored_value_ledger (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('topup', 'bonus', 'spend', 'refund', 'adjust')),
  amount BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  staff_id BIGINT REFERENCES staff(id)
);
CREATE INDEX stored_value_ledger_member ON stored_value_ledger(member_id, id);
