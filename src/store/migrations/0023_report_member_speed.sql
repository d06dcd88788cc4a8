-- Speed of the member reports on a million members (docs/benchmarks.md, "Reports (issue 5)").

-- Loyalty report: tier counts, points outstanding and holders, stored-value liability and
-- holders of the current members, read from this index alone (no member rows), by home store.
-- Cost: one more index entry to change when a checkout changes a balance or tier (~30 MB on
-- 1M members).
CREATE INDEX members_live_balances ON members(home_store_id, tier, points_balance, stored_value_balance)
  WHERE merged_into IS NULL AND erased_at IS NULL;

-- Cohorts report: buyers counts each member once, in the first month with a visit on or after
-- the month they joined (their cohort), so "buyers of a cohort in the months shown" is a sum.
-- Kept by the report feed with the other columns; filled here from the member months so that
-- the answer is right before the next `shuyou reports rebuild`.
ALTER TABLE report_cohorts ADD COLUMN buyers BIGINT NOT NULL DEFAULT 0;
UPDATE report_cohorts SET buyers = f.n FROM (
  SELECT b.cohort, b.first_month, COUNT(*) AS n FROM (
    SELECT COALESCE(substr(m.joined_on, 1, 7), '') AS cohort, MIN(mm.month) AS first_month
    FROM report_member_months mm JOIN members m ON m.id = mm.member_id
    WHERE mm.visits > 0 AND mm.month >= COALESCE(substr(m.joined_on, 1, 7), '')
    GROUP BY mm.member_id, COALESCE(substr(m.joined_on, 1, 7), '')) b
  GROUP BY b.cohort, b.first_month) f
WHERE report_cohorts.cohort = f.cohort AND report_cohorts.month = f.first_month;
