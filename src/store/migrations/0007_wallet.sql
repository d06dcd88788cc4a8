-- Stored value details, paid membership clubs and stamp cards. Money is BIGINT minor units,
-- dates 'YYYY-MM-DD' TEXT in the business time zone, times UTC epoch milliseconds.
-- Invariants: a club membership's ends_on is the last day it is valid (inclusive) and only moves
-- forward; every club payment row says which period it bought. A member's stamps on a card are
-- fewer than the card needs once a stamping transaction ends (full cards became rewards), and a
-- reward is redeemed at most once (redeemed_at set once, by a conditional UPDATE).

ALTER TABLE stored_value_ledger ADD COLUMN sale_id BIGINT;
ALTER TABLE stored_value_ledger ADD COLUMN payment_method TEXT
  CHECK (payment_method IN ('cash', 'card', 'mobile'));  -- how a top-up was paid

CREATE TABLE clubs (
  id {{PK}},
  name TEXT NOT NULL UNIQUE,
  annual_fee BIGINT NOT NULL CHECK (annual_fee >= 0),        -- the fee per period, minor units
  duration_months BIGINT NOT NULL CHECK (duration_months BETWEEN 1 AND 120),
  discount_percent BIGINT NOT NULL CHECK (discount_percent BETWEEN 0 AND 90),
  points_percent BIGINT NOT NULL DEFAULT 100 CHECK (points_percent BETWEEN 100 AND 1000),
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE club_memberships (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  club_id BIGINT NOT NULL REFERENCES clubs(id),
  started_on TEXT NOT NULL,                -- first day of the current unbroken run
  ends_on TEXT NOT NULL,                   -- last day valid
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (member_id, club_id)
);

CREATE TABLE club_payments (
  id {{PK}},
  membership_id BIGINT NOT NULL REFERENCES club_memberships(id),
  kind TEXT NOT NULL CHECK (kind IN ('join', 'renew')),
  at BIGINT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount >= 0),
  payment_method TEXT NOT NULL CHECK (payment_method IN ('cash', 'card', 'mobile', 'stored_value')),
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  stored_value_ledger_id BIGINT REFERENCES stored_value_ledger(id),
  staff_id BIGINT REFERENCES staff(id)
);
CREATE INDEX club_payments_membership ON club_payments(membership_id, id);

CREATE TABLE stamp_cards (
  id {{PK}},
  name TEXT NOT NULL UNIQUE,
  stamps_needed BIGINT NOT NULL CHECK (stamps_needed BETWEEN 1 AND 1000),
  reward TEXT NOT NULL,                    -- "one book up to ¥50 free"
  genre TEXT,                              -- only lines of this genre earn stamps; NULL: every line
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE stamp_progress (
  member_id BIGINT NOT NULL REFERENCES members(id),
  card_id BIGINT NOT NULL REFERENCES stamp_cards(id),
  stamps BIGINT NOT NULL DEFAULT 0 CHECK (stamps >= 0),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (member_id, card_id)
);

CREATE TABLE stamp_events (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  card_id BIGINT NOT NULL REFERENCES stamp_cards(id),
  at BIGINT NOT NULL,
  stamps BIGINT NOT NULL CHECK (stamps > 0),
  rewards BIGINT NOT NULL DEFAULT 0,       -- full cards this event completed
  sale_id BIGINT,
  reason TEXT NOT NULL DEFAULT '',
  staff_id BIGINT REFERENCES staff(id)
);
CREATE INDEX stamp_events_member ON stamp_events(member_id, id);

CREATE TABLE stamp_rewards (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  card_id BIGINT NOT NULL REFERENCES stamp_cards(id),
  event_id BIGINT NOT NULL REFERENCES stamp_events(id),
  earned_at BIGINT NOT NULL,
  redeemed_at BIGINT,
  redeemed_by BIGINT REFERENCES staff(id),
  redeemed_sale_id BIGINT
);
CREATE INDEX stamp_rewards_member ON stamp_rewards(member_id, id);
