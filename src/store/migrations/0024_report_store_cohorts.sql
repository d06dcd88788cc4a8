-- Members and cohorts reports of one store, and distinct/repeat buyers over a range, without
-- reading every member month (docs/benchmarks.md, "Reports (issue 5)"; docs/architecture.md,
-- "Reports"). Kept by the report feed (service/report_feed.cpp); `shuyou reports rebuild`
-- recomputes, `shuyou check` compares.

-- Each member month carries the member's home store (0 = none; the rows move when it changes)
-- and, for a month with visits, the member's visit months around it:
--  - prev_visit_month: the latest earlier month with a visit, '' when this is the first;
--  - next_visit_month: the month of the member's next visit after the first one of this month:
--    this month when it has two visits or more, else the next month with a visit, '' when none.
-- Both are NULL for a month without visits (a return only). Over the months A..B the distinct
-- buyers are the rows with a visit in A..B and prev_visit_month < A (each member once, in their
-- first month of the range), and the repeat buyers those of them with A <= next_visit_month <= B:
-- range counts over the index below.
ALTER TABLE report_member_months ADD COLUMN store_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_member_months ADD COLUMN prev_visit_month TEXT;
ALTER TABLE report_member_months ADD COLUMN next_visit_month TEXT;
UPDATE report_member_months SET store_id = w.store_id, prev_visit_month = w.prev_month, next_visit_month = w.next_month
FROM (
  SELECT r.member_id, r.month, COALESCE(m.home_store_id, 0) AS store_id,
    CASE WHEN r.visits > 0 THEN COALESCE(MAX(CASE WHEN r.visits > 0 THEN r.month END) OVER (
      PARTITION BY r.member_id ORDER BY r.month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), '') END AS prev_month,
    CASE WHEN r.visits >= 2 THEN r.month WHEN r.visits > 0 THEN COALESCE(MIN(CASE WHEN r.visits > 0 THEN r.month END) OVER (
      PARTITION BY r.member_id ORDER BY r.month ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), '') END AS next_month
  FROM report_member_months r JOIN members m ON m.id = r.member_id) w
WHERE report_member_months.member_id = w.member_id AND report_member_months.month = w.month;
CREATE INDEX report_member_months_buyers
  ON report_member_months(store_id, month, prev_visit_month, next_visit_month);
-- No report reads the member months by month alone any more: the new index takes the old one's
-- place, so a member's new month still writes two index entries (the key and this one).
DROP INDEX report_member_months_month;

-- The cohort aggregate keyed by the members' home store as well (0 = none), so that one store's
-- cohorts and months are sums like the chain's. Recomputed from the member months above.
CREATE TABLE report_store_cohorts (
  store_id BIGINT NOT NULL,
  cohort TEXT NOT NULL,
  month TEXT NOT NULL,
  members BIGINT NOT NULL DEFAULT 0,
  first_buyers BIGINT NOT NULL DEFAULT 0,
  visits BIGINT NOT NULL DEFAULT 0,
  spend BIGINT NOT NULL DEFAULT 0,
  buyers BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, cohort, month)
);
INSERT INTO report_store_cohorts (store_id, cohort, month, members, first_buyers, visits, spend, buyers)
SELECT r.store_id, COALESCE(substr(m.joined_on, 1, 7), ''), r.month, SUM(CASE WHEN r.visits > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.prev_visit_month = '' THEN 1 ELSE 0 END), SUM(r.visits), SUM(r.spend),
  SUM(CASE WHEN r.month >= COALESCE(substr(m.joined_on, 1, 7), '') AND (r.prev_visit_month = ''
      OR r.prev_visit_month < COALESCE(substr(m.joined_on, 1, 7), '')) THEN 1 ELSE 0 END)
FROM report_member_months r JOIN members m ON m.id = r.member_id
GROUP BY 1, 2, 3;
DROP TABLE report_cohorts;
ALTER TABLE report_store_cohorts RENAME TO report_cohorts;
