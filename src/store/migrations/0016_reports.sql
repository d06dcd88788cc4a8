-- Report aggregates (docs/api.md, "Reports"): sums that checkout, returns, voids and the sales
-- import keep current in the same transaction as the sale or return they come from, so that
-- reports read thousands of rows instead of millions. `shuyou reports rebuild` recomputes every
-- one of them from the raw sales, and `shuyou check` verifies they agree.
-- Days and hours are in the business time zone (Settings::timezone).
-- Sales count on the business day and local hour they were made; returns and voids on the day and
-- hour of the return (a void is a return of everything). Money is BIGINT minor units; "net" is
-- the receipt value of lines after discounts (including the part paid with points).

-- The business day a member joined (registration, import, or the day given by the old system);
-- cohorts are by its month. NULL in older rows until a rebuild derives it from created_at.
ALTER TABLE members ADD COLUMN joined_on TEXT;
CREATE INDEX members_joined_on ON members(joined_on);
CREATE INDEX members_last_visit ON members(last_visit_at) WHERE last_visit_at IS NOT NULL;

-- Per business day, store, local hour and cashier.
CREATE TABLE report_sales_hourly (
  business_day TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  hour INTEGER NOT NULL,
  staff_id BIGINT NOT NULL DEFAULT 0,          -- 0: no cashier recorded (imported history)
  sales BIGINT NOT NULL DEFAULT 0,             -- sales made (voided ones included, see returns)
  member_sales BIGINT NOT NULL DEFAULT 0,      -- of them, with a member
  items BIGINT NOT NULL DEFAULT 0,             -- Σ quantity
  gross BIGINT NOT NULL DEFAULT 0,             -- Σ sales.subtotal
  discounts BIGINT NOT NULL DEFAULT 0,         -- Σ sales.discount_total
  net BIGINT NOT NULL DEFAULT 0,               -- Σ sales.net_total
  member_net BIGINT NOT NULL DEFAULT 0,        -- Σ net_total of sales with a member
  cost BIGINT NOT NULL DEFAULT 0,              -- Σ unit_cost × quantity over lines with a cost
  costed_net BIGINT NOT NULL DEFAULT 0,        -- Σ net over those same lines
  returns BIGINT NOT NULL DEFAULT 0,           -- returns and voids made
  returned_items BIGINT NOT NULL DEFAULT 0,
  returned_net BIGINT NOT NULL DEFAULT 0,      -- Σ (refund + points_share) of return lines
  returned_cost BIGINT NOT NULL DEFAULT 0,     -- Σ unit_cost × quantity returned, lines with a cost
  returned_costed_net BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (business_day, store_id, hour, staff_id)
);

-- Per business day, store and product, under the genre the line was sold in.
CREATE TABLE report_items_daily (
  business_day TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  genre TEXT NOT NULL DEFAULT '',
  lines BIGINT NOT NULL DEFAULT 0,             -- sale lines (≈ sales) with this product
  quantity BIGINT NOT NULL DEFAULT 0,
  net BIGINT NOT NULL DEFAULT 0,
  cost BIGINT NOT NULL DEFAULT 0,
  costed_net BIGINT NOT NULL DEFAULT 0,
  returned_qty BIGINT NOT NULL DEFAULT 0,
  returned_net BIGINT NOT NULL DEFAULT 0,
  returned_cost BIGINT NOT NULL DEFAULT 0,
  returned_costed_net BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (business_day, store_id, product_id, genre)
);
CREATE INDEX report_items_daily_product ON report_items_daily(product_id, business_day);

-- The same per calendar month ('YYYY-MM'): a long range reads whole months here and only its
-- partial months from report_items_daily.
CREATE TABLE report_items_monthly (
  month TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  genre TEXT NOT NULL DEFAULT '',
  lines BIGINT NOT NULL DEFAULT 0,
  quantity BIGINT NOT NULL DEFAULT 0,
  net BIGINT NOT NULL DEFAULT 0,
  cost BIGINT NOT NULL DEFAULT 0,
  costed_net BIGINT NOT NULL DEFAULT 0,
  returned_qty BIGINT NOT NULL DEFAULT 0,
  returned_net BIGINT NOT NULL DEFAULT 0,
  returned_cost BIGINT NOT NULL DEFAULT 0,
  returned_costed_net BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (month, store_id, product_id, genre)
);

-- Per member and month: spend net of returns (returns count in the month they are made) and
-- visits (sales). A row made only by a return has visits = 0 and does not count as active.
CREATE TABLE report_member_months (
  member_id BIGINT NOT NULL,
  month TEXT NOT NULL,
  visits BIGINT NOT NULL DEFAULT 0,
  spend BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, month)
);
CREATE INDEX report_member_months_month ON report_member_months(month);

-- Per join month (cohort, from members.joined_on) and month: members with at least one visit
-- in the month, of them those whose first visit ever it is, visits and spend.
CREATE TABLE report_cohorts (
  cohort TEXT NOT NULL,
  month TEXT NOT NULL,
  members BIGINT NOT NULL DEFAULT 0,
  first_buyers BIGINT NOT NULL DEFAULT 0,
  visits BIGINT NOT NULL DEFAULT 0,
  spend BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (cohort, month)
);

-- Points ledger rows per business day and kind ('earn', 'redeem', 'adjust', 'expire',
-- 'reverse'): points added (> 0 rows) and taken (< 0 rows, as a positive number).
CREATE TABLE report_points_daily (
  business_day TEXT NOT NULL,
  kind TEXT NOT NULL,
  points_in BIGINT NOT NULL DEFAULT 0,
  points_out BIGINT NOT NULL DEFAULT 0,
  entries BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (business_day, kind)
);
