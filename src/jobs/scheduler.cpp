// The in-server job thread (see scheduler.h).
#include "jobs/scheduler.h"

#include <spdlog/spdlog.h>

#include "jobs/jobs.h"
#include "service/business_day.h"

namespace shuyou::jobs {
namespace {
constexpr int kCatchUpDays = 7;
}

Scheduler::Scheduler(service::Context& ctx) : ctx_(ctx) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::RunDue() {
  auto today = service::Today(ctx_);
  if (!today.ok()) {
    spdlog::error("jobs: {}", today.status().message());
    return;
  }
  using namespace std::chrono;
  for (const std::string& job : JobNames()) {
    sys_days first = sys_days(*today) - days(kCatchUpDays - 1);
    Status st = ctx_.db.Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT MAX(day) FROM job_runs WHERE job = ? AND status = 'done'", {job}));
      if (rows.empty() || rows[0].IsNull(0)) {
        first = sys_days(*today);  // never ran: start today, not a week back
      } else if (auto last = service::ParseDay(rows[0].Text(0)); last.ok() && sys_days(*last) + days(1) > first) {
        first = sys_days(*last) + days(1);
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      spdlog::error("jobs: {}: {}", job, st.message());
      continue;
    }
    for (sys_days d = first; d <= sys_days(*today); d += days(1)) {
      if (stop_) return;
      auto run = RunJob(ctx_, job, core::Date(d), "scheduler", &stop_);
      if (!run.ok()) {
        spdlog::error("jobs: {} {}: {}", job, service::FormatDay(core::Date(d)), run.status().message());
      } else if (!run->skipped) {
        spdlog::info("jobs: {} {}: {} ({} members, {} points){}", job, run->day, run->status, run->members, run->points,
                     run->error.empty() ? "" : ": " + run->error);
      }
    }
  }
}

void Scheduler::RunOutboxPass() {
  auto out = RunOutbox(ctx_);
  if (!out.ok()) {
    spdlog::error("jobs: outbox: {}", out.status().message());
  } else if (out->report.sent || out->report.retried || out->report.failed) {
    spdlog::info("jobs: outbox: {} sent, {} to retry, {} failed", out->report.sent, out->report.retried,
                 out->report.failed);
  }
}

void Scheduler::Loop() {
  while (!stop_) {
    RunDue();
    if (!stop_) RunOutboxPass();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::minutes(1), [this] { return stop_.load(); });
  }
}

}  // namespace shuyou::jobs
