-- Sales history import (service/sales_import.h): a store moving to Shuyou brings its past sales.
-- An imported sale keeps the old system's receipt number as "<store code>-I-<number>" in
-- sales.receipt_number (source = 'import'); till numbers are "<store code>-<yyyymmdd>-<id>", whose
-- middle part is always eight digits, so the two never collide. A receipt of the old system that
-- returned goods becomes one or more sale_returns rows (one per earlier sale it returns against)
-- marked with the same "<store code>-I-<number>" in import_ref, so that importing the same file
-- again finds it and skips it. Till returns leave import_ref NULL.
ALTER TABLE sale_returns ADD COLUMN import_ref TEXT;
CREATE INDEX sale_returns_import_ref ON sale_returns(import_ref) WHERE import_ref IS NOT NULL;
