-- Sales at the till: coupons, cashier shifts, sales with their lines, discounts and payments,
-- and returns (a void is a return of everything). Money is BIGINT minor units, times UTC epoch
-- milliseconds, business days 'YYYY-MM-DD' in the business time zone.
-- Invariants (checked by `shuyou check`):
--  - a sale's lines sum to its totals (gross → subtotal, discounts → discount_total, net →
--    net_total, points_share → points_value), its payments sum to due, and its discounts
--    (applied) sum to discount_total;
--  - a line's returned_qty is the sum of its return_lines quantities and never above quantity;
--    a sale's refunded_total is the sum of its returns' refund_total;
--  - a coupon's uses equals its redemptions not given back, and never exceeds max_uses.
-- A sale and everything it touches (stock movements, points and stored-value rows, stamps,
-- member statistics, coupon uses) are written in one transaction.

CREATE TABLE coupons (
  id {{PK}},
  code TEXT NOT NULL UNIQUE,               -- upper case, what the cashier types or scans
  name TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('percent', 'fixed', 'spend_get')),
  percent BIGINT NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
  amount BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),        -- fixed: off; spend_get: Y
  threshold BIGINT NOT NULL DEFAULT 0 CHECK (threshold >= 0),  -- spend_get: X
  repeats INTEGER NOT NULL DEFAULT 0,                          -- spend_get: Y for every full X
  min_spend BIGINT CHECK (min_spend >= 0),
  genres TEXT NOT NULL DEFAULT '',         -- category codes, one per line; '' = every line
  exclusive INTEGER NOT NULL DEFAULT 0,
  valid_from TEXT,                         -- first valid business day, inclusive
  valid_to TEXT,                           -- last valid business day, inclusive
  max_uses BIGINT CHECK (max_uses >= 1),   -- in total; NULL = unlimited
  per_member_limit BIGINT CHECK (per_member_limit >= 1),
  members_only INTEGER NOT NULL DEFAULT 0,
  member_id BIGINT REFERENCES members(id), -- issued to one member (birthday coupon, points swap)
  store_id BIGINT REFERENCES stores(id),   -- NULL = every store
  uses BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0),
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX coupons_member ON coupons(member_id) WHERE member_id IS NOT NULL;

CREATE TABLE shifts (
  id {{PK}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  till TEXT NOT NULL DEFAULT '1',          -- the register's name within the store
  staff_id BIGINT REFERENCES staff(id),    -- who opened it
  opened_at BIGINT NOT NULL,
  opening_float BIGINT NOT NULL CHECK (opening_float >= 0),
  closed_at BIGINT,
  closed_by BIGINT REFERENCES staff(id),
  counted_cash BIGINT,
  expected_cash BIGINT,
  note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX shifts_open_till ON shifts(store_id, till) WHERE closed_at IS NULL;
CREATE INDEX shifts_store ON shifts(store_id, id);

CREATE TABLE sales (
  id {{PK}},
  receipt_number TEXT NOT NULL UNIQUE,     -- "<store code>-<yyyymmdd>-<id>"
  store_id BIGINT NOT NULL REFERENCES stores(id),
  shift_id BIGINT REFERENCES shifts(id),
  staff_id BIGINT REFERENCES staff(id),
  member_id BIGINT REFERENCES members(id),
  at BIGINT NOT NULL,
  business_day TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'till' CHECK (source IN ('till', 'import')),
  currency TEXT NOT NULL DEFAULT 'CNY',
  subtotal BIGINT NOT NULL,                -- Σ gross
  discount_total BIGINT NOT NULL,
  net_total BIGINT NOT NULL,               -- the receipt total: subtotal − discounts
  points_redeemed BIGINT NOT NULL DEFAULT 0,
  points_value BIGINT NOT NULL DEFAULT 0,  -- paid with points
  due BIGINT NOT NULL,                     -- net_total − points_value: paid with money
  tax_total BIGINT NOT NULL DEFAULT 0,
  tendered BIGINT NOT NULL DEFAULT 0,      -- Σ payments as handed over
  change_due BIGINT NOT NULL DEFAULT 0,
  points_earned BIGINT NOT NULL DEFAULT 0,
  refunded_total BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'completed' CHECK (status IN ('completed', 'partly_returned', 'returned', 'voided')),
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sales_store_day ON sales(store_id, business_day);
CREATE INDEX sales_member ON sales(member_id, id) WHERE member_id IS NOT NULL;
CREATE INDEX sales_shift ON sales(shift_id) WHERE shift_id IS NOT NULL;
CREATE INDEX sales_at ON sales(at);

CREATE TABLE sale_lines (
  id {{PK}},
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  line_no BIGINT NOT NULL,                 -- 1, 2, … in the order scanned
  product_id BIGINT NOT NULL REFERENCES products(id),
  barcode TEXT NOT NULL,
  title TEXT NOT NULL,
  genre TEXT NOT NULL DEFAULT '',          -- the category code at the time of sale
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  unit_price BIGINT NOT NULL,
  unit_cost BIGINT,                        -- for margin, when known
  tax_rate_bp BIGINT NOT NULL DEFAULT 0,
  gross BIGINT NOT NULL,
  member_discount BIGINT NOT NULL DEFAULT 0,
  coupon_discount BIGINT NOT NULL DEFAULT 0,
  net BIGINT NOT NULL,
  points_share BIGINT NOT NULL DEFAULT 0,
  paid BIGINT NOT NULL,                    -- net − points_share
  tax BIGINT NOT NULL DEFAULT 0,
  returned_qty BIGINT NOT NULL DEFAULT 0 CHECK (returned_qty >= 0),
  UNIQUE (sale_id, line_no)
);
CREATE INDEX sale_lines_product ON sale_lines(product_id);

CREATE TABLE sale_discounts (
  id {{PK}},
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  rule TEXT NOT NULL,                      -- "tier:gold", "club:书友会", "coupon:SAVE10"
  detail TEXT NOT NULL DEFAULT '',
  amount BIGINT NOT NULL,
  applied INTEGER NOT NULL DEFAULT 1,      -- 0: listed on the receipt but not given
  coupon_id BIGINT REFERENCES coupons(id)
);
CREATE INDEX sale_discounts_sale ON sale_discounts(sale_id);

CREATE TABLE sale_payments (
  id {{PK}},
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile', 'stored_value')),
  amount BIGINT NOT NULL CHECK (amount > 0),   -- kept (cash: tendered − change)
  tendered BIGINT NOT NULL,
  reference TEXT NOT NULL DEFAULT '',          -- card slip or mobile transaction number
  stored_value_ledger_id BIGINT REFERENCES stored_value_ledger(id),
  refunded BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0)
);
CREATE INDEX sale_payments_sale ON sale_payments(sale_id);

CREATE TABLE coupon_redemptions (
  id {{PK}},
  coupon_id BIGINT NOT NULL REFERENCES coupons(id),
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  member_id BIGINT REFERENCES members(id),
  at BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  given_back_at BIGINT                     -- the sale was returned in full or voided
);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions(coupon_id, member_id);
CREATE INDEX coupon_redemptions_sale ON coupon_redemptions(sale_id);

CREATE TABLE sale_returns (
  id {{PK}},
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  store_id BIGINT NOT NULL REFERENCES stores(id),
  shift_id BIGINT REFERENCES shifts(id),
  staff_id BIGINT REFERENCES staff(id),
  at BIGINT NOT NULL,
  business_day TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('return', 'void')),
  reason TEXT NOT NULL DEFAULT '',
  refund_total BIGINT NOT NULL,            -- money given back (the points part is points_given_back)
  points_taken_back BIGINT NOT NULL DEFAULT 0,
  points_given_back BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sale_returns_sale ON sale_returns(sale_id);
CREATE INDEX sale_returns_shift ON sale_returns(shift_id) WHERE shift_id IS NOT NULL;
CREATE INDEX sale_returns_store_day ON sale_returns(store_id, business_day);

CREATE TABLE return_lines (
  id {{PK}},
  return_id BIGINT NOT NULL REFERENCES sale_returns(id),
  sale_line_id BIGINT NOT NULL REFERENCES sale_lines(id),
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  refund BIGINT NOT NULL,                  -- the money part of the line's net for this quantity
  points_share BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX return_lines_return ON return_lines(return_id);

CREATE TABLE return_payments (
  id {{PK}},
  return_id BIGINT NOT NULL REFERENCES sale_returns(id),
  sale_payment_id BIGINT NOT NULL REFERENCES sale_payments(id),
  method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile', 'stored_value')),
  amount BIGINT NOT NULL CHECK (amount > 0),
  stored_value_ledger_id BIGINT REFERENCES stored_value_ledger(id)
);
CREATE INDEX return_payments_return ON return_payments(return_id);

-- Receipts and other mail wait here until the sender delivers them (jobs); the marketing
-- outbox uses the same table.
CREATE TABLE outbox (
  id {{PK}},
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  body_text TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL,                   -- "receipt", "campaign", …
  ref TEXT NOT NULL DEFAULT '',            -- "sale:42"
  member_id BIGINT REFERENCES members(id),
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  sent_at BIGINT,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE status = 'pending';
