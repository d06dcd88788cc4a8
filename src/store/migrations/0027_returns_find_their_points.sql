-- A return takes back what its sale earned and gives back what it redeemed: it finds the
-- sale's points rows (service/points.cpp ReversePoints: points_ledger WHERE sale_id = ?) and
-- the lots its earn rows opened (points_lots WHERE ledger_id = ?). Without these indexes both
-- reads scanned their whole table while the return held the writer: at a million members with
-- two years of sales, every till waited for them. Sale and ledger ids only grow, so each
-- checkout's new entries go to the indexes' last pages.
CREATE INDEX points_ledger_sale ON points_ledger(sale_id) WHERE sale_id IS NOT NULL;
CREATE INDEX points_lots_ledger ON points_lots(ledger_id);
