// The scheduled jobs: points expiry, tier evaluation and birthday bonuses, each run once per
// business day and recorded in job_runs (unique per job and day). A day already done is not run
// again; a day left running or failed (a crash, an error) is resumed: each member's work is its
// own small transaction that is itself idempotent (expiry lapses only what lots still hold,
// tier evaluation changes nothing when nothing changed, birthday bonuses are keyed by member
// and year), so a resumed or repeated run never applies anything twice.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "core/points.h"
#include "service/outbox.h"
#include "service/services.h"

namespace shuyou::jobs {

struct JobRun {
  int64_t id = 0;
  std::string job;
  std::string day;
  std::string status;  // running, done, failed
  int64_t started_at = 0;
  std::optional<int64_t> finished_at;
  int64_t members = 0;  // members changed
  int64_t points = 0;   // points expired or granted
  std::string error;
  std::string trigger;  // scheduler, cli
  bool skipped = false;  // already done for that day: nothing ran (not stored)
};

// "points-expiry", "tier-evaluation", "birthday-bonus", in the order the scheduler runs them.
const std::vector<std::string>& JobNames();

// Runs `job` for business day `day` unless that day is already done. `stop`, when set, ends the
// run between members (the run stays "running" and resumes next time). Invalid for an unknown job.
Result<JobRun> RunJob(service::Context& ctx, const std::string& job, core::Date day, const std::string& trigger,
                      const std::atomic<bool>* stop = nullptr);

// The most recent runs, newest first (by start), at most `limit` (1–200), optionally one job's.
Result<std::vector<JobRun>> ListJobRuns(service::Context& ctx, int limit, const std::string& job = "");

// "outbox": sends the e-mail that is due (service/outbox.h). Not a daily job and not recorded in
// job_runs: the scheduler runs it on every pass (each minute) and `shuyou jobs run outbox` by
// hand. With smtp_url empty delivery is off: `enabled` is false and the mail stays pending.
inline constexpr const char* kOutboxJob = "outbox";
struct OutboxRun {
  bool enabled = false;
  service::DeliveryReport report;
};
Result<OutboxRun> RunOutbox(service::Context& ctx, int limit = 200);

}  // namespace shuyou::jobs
