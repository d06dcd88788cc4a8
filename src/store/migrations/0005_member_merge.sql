-- Member merging: a duplicate member merged into a survivor keeps its row (and its card number,
-- so that scanning the old card finds the survivor through merged_into) but is hidden from
-- lookups. Its ledger rows move to the survivor; merged_from records the member a moved row was
-- first written for, so each member's original history stays readable. A merged member's
-- merged_into always names a member that is not merged itself (merging re-points the chain).

ALTER TABLE members ADD COLUMN merged_into BIGINT REFERENCES members(id);
ALTER TABLE members ADD COLUMN merged_at BIGINT;
-- Partial: only merged members are in it. A full index would hold a NULL for every member, cost
-- every insert, and tempt SQLite's planner to read it for "merged_into IS NULL" (all members)
-- instead of the phone or card index.
CREATE INDEX members_merged_into ON members(merged_into) WHERE merged_into IS NOT NULL;

ALTER TABLE points_ledger ADD COLUMN merged_from BIGINT REFERENCES members(id);
ALTER TABLE stored_value_ledger ADD COLUMN merged_from BIGINT REFERENCES members(id);
