-- Points lots, purchase statistics, tier history and job runs (docs/api.md, "Points, tiers and
-- jobs"). Invariants: a member's points_balance equals the sum of their lots' `remaining`
-- (every credit opens a lot, every debit draws from lots, recorded in points_draws); a lot's
-- remaining is never negative; one job run per (job, business day). Times are UTC epoch ms,
-- days 'YYYY-MM-DD' in the business time zone.

-- A credit's points, usable from earned_on until the day before expires_on (NULL: never
-- lapses). `remaining` is what debits have not yet taken.
CREATE TABLE points_lots (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  ledger_id BIGINT REFERENCES points_ledger(id),  -- the credit row; NULL for the carried-over lot below
  sale_id BIGINT,
  earned_on TEXT NOT NULL,
  expires_on TEXT,
  points BIGINT NOT NULL CHECK (points > 0),
  remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= points)
);
CREATE INDEX points_lots_member ON points_lots(member_id, expires_on, id);
CREATE INDEX points_lots_due ON points_lots(expires_on, member_id) ;

-- Which lots each debit row (redeem, negative adjust, expire, reverse) took its points from.
CREATE TABLE points_draws (
  ledger_id BIGINT NOT NULL REFERENCES points_ledger(id),
  lot_id BIGINT NOT NULL REFERENCES points_lots(id),
  points BIGINT NOT NULL CHECK (points > 0),
  PRIMARY KEY (ledger_id, lot_id)
);
CREATE INDEX points_draws_lot ON points_draws(lot_id);

-- Balances that existed before lots did (manual adjustments) become one lot that never lapses.
INSERT INTO points_lots (member_id, ledger_id, sale_id, earned_on, expires_on, points, remaining)
SELECT id, NULL, NULL, '1970-01-01', NULL, points_balance, points_balance FROM members WHERE points_balance > 0;

-- What returns have reversed so far per sale or per ledger entry ("sale:12", "entry:34"):
-- earned points due back (by the proportion), taken back (at most the balance), redeemed points
-- given back. Later partial returns compute their share from these cumulative figures.
CREATE TABLE points_reversals (
  id {{PK}},
  target TEXT NOT NULL,
  member_id BIGINT NOT NULL REFERENCES members(id),
  at BIGINT NOT NULL,
  returned BIGINT NOT NULL,      -- cumulative proportion after this reversal: returned / of
  of_total BIGINT NOT NULL,
  earned_due BIGINT NOT NULL,
  earned_taken BIGINT NOT NULL,
  redeemed_given BIGINT NOT NULL
);
CREATE INDEX points_reversals_target ON points_reversals(target, id);

-- Purchase statistics for tiers: per member and business day, plus running totals.
CREATE TABLE member_daily (
  member_id BIGINT NOT NULL REFERENCES members(id),
  day TEXT NOT NULL,
  spend BIGINT NOT NULL DEFAULT 0,  -- minor units, net of returns
  visits BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, day)
);

CREATE TABLE member_genres (
  member_id BIGINT NOT NULL REFERENCES members(id),
  genre TEXT NOT NULL,
  spend BIGINT NOT NULL DEFAULT 0,
  purchases BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, genre)
);

ALTER TABLE members ADD COLUMN total_spend BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN visits BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN last_visit_at BIGINT;
ALTER TABLE members ADD COLUMN tier_since BIGINT;
ALTER TABLE members ADD COLUMN tier_last_qualified_on TEXT;

CREATE TABLE tier_history (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  from_tier TEXT NOT NULL,
  to_tier TEXT NOT NULL,
  reason TEXT NOT NULL,
  day TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX tier_history_member ON tier_history(member_id, id);

-- One birthday bonus per member per year (the primary key is what makes it once).
CREATE TABLE birthday_bonuses (
  member_id BIGINT NOT NULL REFERENCES members(id),
  year INTEGER NOT NULL,
  ledger_id BIGINT NOT NULL REFERENCES points_ledger(id),
  PRIMARY KEY (member_id, year)
);

-- Scheduled job runs: one row per job and business day; status running, done or failed.
-- A rerun of a day that is not done resumes it (each member's work is itself idempotent).
CREATE TABLE job_runs (
  id {{PK}},
  job TEXT NOT NULL,
  day TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  members BIGINT NOT NULL DEFAULT 0,  -- members changed
  points BIGINT NOT NULL DEFAULT 0,   -- points expired or granted
  error TEXT NOT NULL DEFAULT '',
  trigger_source TEXT NOT NULL DEFAULT 'scheduler',  -- scheduler, cli
  UNIQUE (job, day)
);
CREATE INDEX job_runs_started ON job_runs(started_at, id);
