-- Member reports (docs/api.md, "Reports: members, RFM, cohorts, loyalty").
-- Report settings by name, one JSON object each (only "member_definitions" so far: the status
-- thresholds of the member reports); a missing row means the built-in defaults apply.
CREATE TABLE report_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL DEFAULT ''     -- "staff:<username>" or "api_key:<name>"
);

-- RFM quintile cut points are read as "the k-th value in order" (ORDER BY … LIMIT 1 OFFSET k)
-- over the scored members: those who have bought (visits and a last visit) and are neither erased
-- nor merged away. These partial indexes hold exactly them, so each cut point walks one small
-- index instead of sorting a million rows. Queries must repeat the WHERE for the planner to use them.
CREATE INDEX members_rfm_recency ON members(last_visit_at) WHERE visits > 0 AND last_visit_at IS NOT NULL AND merged_into IS NULL AND erased_at IS NULL;
CREATE INDEX members_rfm_frequency ON members(visits) WHERE visits > 0 AND last_visit_at IS NOT NULL AND merged_into IS NULL AND erased_at IS NULL;
CREATE INDEX members_rfm_monetary ON members(total_spend) WHERE visits > 0 AND last_visit_at IS NOT NULL AND merged_into IS NULL AND erased_at IS NULL;

-- Tier movements per month of a range.
CREATE INDEX tier_history_day ON tier_history(day);
