-- Catalog and stock: the category tree, products (books by ISBN-13, other items by EAN), stock
-- levels per store and the append-only stock movements with the receipts and transfers that
-- group them. Invariant: stock_levels.on_hand = SUM(stock_movements.quantity) per (store,
-- product), and on_hand >= 0 unless the store sets allow_negative_stock; every decrement is one
-- conditional UPDATE in the same transaction as its movement row. Money is BIGINT minor units.

CREATE TABLE categories (
  id {{PK}},
  parent_id BIGINT REFERENCES categories(id),
  code TEXT NOT NULL UNIQUE,              -- "fiction", "fiction.scifi"
  name TEXT NOT NULL,                     -- Chinese name
  name_en TEXT NOT NULL DEFAULT '',
  sort_order BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX categories_parent ON categories(parent_id);

CREATE TABLE products (
  id {{PK}},
  kind TEXT NOT NULL CHECK (kind IN ('book', 'item')),
  isbn13 TEXT UNIQUE,                     -- books only; 13 digits
  barcode TEXT NOT NULL UNIQUE,           -- the scan code: the ISBN-13 of a book, the EAN-13/EAN-8 of an item
  title TEXT NOT NULL,
  subtitle TEXT NOT NULL DEFAULT '',
  authors TEXT NOT NULL DEFAULT '',       -- one author per line
  publisher TEXT NOT NULL DEFAULT '',
  pub_year BIGINT,
  category_id BIGINT REFERENCES categories(id),
  list_price BIGINT NOT NULL CHECK (list_price >= 0),   -- tax-inclusive, minor units
  cost BIGINT CHECK (cost >= 0),
  tax_rate_bp BIGINT NOT NULL DEFAULT 0 CHECK (tax_rate_bp >= 0 AND tax_rate_bp <= 10000),
  active INTEGER NOT NULL DEFAULT 1,
  imported INTEGER NOT NULL DEFAULT 0,
  search_text TEXT NOT NULL DEFAULT '',   -- lower-cased title, subtitle, authors and publisher
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX products_category ON products(category_id);
CREATE INDEX products_title ON products(title);

ALTER TABLE stores ADD COLUMN allow_negative_stock INTEGER NOT NULL DEFAULT 0;

CREATE TABLE stock_levels (
  store_id BIGINT NOT NULL REFERENCES stores(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  on_hand BIGINT NOT NULL DEFAULT 0,
  reorder_point BIGINT NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (store_id, product_id)
);
CREATE INDEX stock_levels_product ON stock_levels(product_id);

CREATE TABLE stock_receipts (
  id {{PK}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  supplier_reference TEXT NOT NULL DEFAULT '',   -- the supplier's delivery note or invoice number
  note TEXT NOT NULL DEFAULT '',
  at BIGINT NOT NULL,
  staff_id BIGINT REFERENCES staff(id)
);

CREATE TABLE stock_transfers (
  id {{PK}},
  from_store_id BIGINT NOT NULL REFERENCES stores(id),
  to_store_id BIGINT NOT NULL REFERENCES stores(id),
  note TEXT NOT NULL DEFAULT '',
  at BIGINT NOT NULL,
  staff_id BIGINT REFERENCES staff(id)
);

CREATE TABLE stock_movements (
  id {{PK}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('receive', 'adjust', 'transfer_out', 'transfer_in', 'count', 'sale', 'return')),
  quantity BIGINT NOT NULL,               -- signed change of on_hand
  on_hand_after BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  staff_id BIGINT REFERENCES staff(id),
  sale_id BIGINT,
  transfer_id BIGINT REFERENCES stock_transfers(id),
  receipt_id BIGINT REFERENCES stock_receipts(id)
);
CREATE INDEX stock_movements_store_product ON stock_movements(store_id, product_id, id);
CREATE INDEX stock_movements_product ON stock_movements(product_id, id);
