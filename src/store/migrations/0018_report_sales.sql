-- Sales reports and the dashboard (docs/api.md, "Reports: sales, books, hours, dashboard").
-- Indexes so that the dashboard's member numbers read a small index range instead of scanning
-- a million members:
--  - live members (neither merged away nor erased) by last visit, overall and per home store:
--    the member count and "active in the last 90 days", with and without a store filter;
--  - members by home store and join day: new members of a store in a period;
--  - members holding stored value: the stored-value liability (most members hold none).
-- Queries must repeat a partial index's WHERE for the planner to use it.
CREATE INDEX members_live_visit ON members(last_visit_at) WHERE merged_into IS NULL AND erased_at IS NULL;
CREATE INDEX members_live_store_visit ON members(home_store_id, last_visit_at) WHERE merged_into IS NULL AND erased_at IS NULL;
CREATE INDEX members_store_joined ON members(home_store_id, joined_on);
CREATE INDEX members_stored_value ON members(stored_value_balance) WHERE stored_value_balance > 0;
