// The three daily jobs and their run records (see jobs.h).
#include "jobs/jobs.h"

#include <functional>

#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/member_tiers.h"
#include "service/points.h"

namespace shuyou::jobs {
namespace {

using namespace std::chrono;
constexpr int kBatch = 500;

// One member's work for the day: answers (changed?, points).
using MemberWork = std::function<Result<std::pair<bool, int64_t>>(store::Tx&, int64_t member_id)>;

struct Job {
  std::string name;
  // The next batch of member ids after `after` that may need work on `day`.
  std::function<Result<std::vector<int64_t>>(store::Tx&, core::Date day, int64_t after)> candidates;
  std::function<MemberWork(service::Context&, core::Date day)> work;
};

Result<std::vector<int64_t>> Ids(store::Tx& tx, const std::string& sql, const std::vector<store::Value>& params) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
  std::vector<int64_t> out;
  for (const auto& r : rows.rows) out.push_back(r.Int(0));
  return out;
}

const std::vector<Job>& Jobs() {
  static const std::vector<Job> jobs = {
      {"points-expiry",
       [](store::Tx& tx, core::Date day, int64_t after) {
         return Ids(tx,
                    "SELECT DISTINCT member_id FROM points_lots WHERE remaining > 0 AND expires_on <= ? AND member_id > ? "
                    "ORDER BY member_id LIMIT " + std::to_string(kBatch),
                    {service::FormatDay(day), after});
       },
       [](service::Context& ctx, core::Date day) -> MemberWork {
         return [&ctx, day](store::Tx& tx, int64_t id) -> Result<std::pair<bool, int64_t>> {
           SY_ASSIGN_OR_RETURN(int64_t n, service::ExpireDuePoints(tx, ctx, id, day));
           return std::pair<bool, int64_t>{n > 0, n};
         };
       }},
      {"tier-evaluation",
       [](store::Tx& tx, core::Date day, int64_t after) -> Result<std::vector<int64_t>> {
         // Members at the entry tier with no purchase in the window cannot change tier (unless a
         // higher tier has a zero threshold), so only the others are visited: the nightly work
         // follows the active and upper-tier members, not the whole list.
         SY_ASSIGN_OR_RETURN(service::StoredProgram sp, service::GetLoyaltyProgram(tx));
         const auto& tiers = sp.program.earning.tiers;
         bool zero_threshold = false;
         for (size_t i = 1; i < tiers.size(); ++i)
           zero_threshold = zero_threshold || (tiers[i].min_spend && tiers[i].min_spend->minor() == 0) ||
                            (tiers[i].min_visits && *tiers[i].min_visits == 0);
         std::string limit = " ORDER BY id LIMIT " + std::to_string(kBatch);
         if (tiers.empty() || zero_threshold)
           return Ids(tx, "SELECT id FROM members WHERE id > ?" + limit, {after});
         core::Date back{day.year() - years{1}, day.month(), day.day()};
         if (!back.ok()) back = year_month_day_last(back.year(), month_day_last(back.month()));
         return Ids(tx,
                    "SELECT id FROM members m WHERE id > ? AND (tier <> ? OR EXISTS (SELECT 1 FROM member_daily d "
                    "WHERE d.member_id = m.id AND d.day > ?))" + limit,
                    {after, tiers[0].name, service::FormatDay(back)});
       },
       [](service::Context& ctx, core::Date day) -> MemberWork {
         return [&ctx, day](store::Tx& tx, int64_t id) -> Result<std::pair<bool, int64_t>> {
           SY_ASSIGN_OR_RETURN(auto change, service::EvaluateMemberTier(tx, ctx, id, day));
           return std::pair<bool, int64_t>{change.has_value(), 0};
         };
       }},
      {"birthday-bonus",
       [](store::Tx& tx, core::Date day, int64_t after) {
         // 29 February birthdays are celebrated on 28 February in other years.
         char md[16];
         std::snprintf(md, sizeof md, "%02u-%02u", unsigned(day.month()), unsigned(day.day()));
         bool feb28 = day.month() == February && day.day() == std::chrono::day{28} && !day.year().is_leap();
         return Ids(tx,
                    "SELECT id FROM members WHERE birthday IS NOT NULL AND SUBSTR(birthday, 6, 5) IN (?, ?) AND id > ? "
                    "ORDER BY id LIMIT " + std::to_string(kBatch),
                    {std::string(md), std::string(feb28 ? "02-29" : md), after});
       },
       [](service::Context& ctx, core::Date day) -> MemberWork {
         return [&ctx, day](store::Tx& tx, int64_t id) -> Result<std::pair<bool, int64_t>> {
           SY_ASSIGN_OR_RETURN(int64_t n, service::GrantBirthdayBonus(tx, ctx, id, day));
           return std::pair<bool, int64_t>{n > 0, n};
         };
       }},
  };
  return jobs;
}

constexpr const char* kRunColumns =
    "id, job, day, status, started_at, finished_at, members, points, error, trigger_source";

JobRun RunFromRow(const store::Row& r) {
  JobRun j;
  j.id = r.Int(0);
  j.job = r.Text(1);
  j.day = r.Text(2);
  j.status = r.Text(3);
  j.started_at = r.Int(4);
  j.finished_at = r.OptInt(5);
  j.members = r.Int(6);
  j.points = r.Int(7);
  j.error = r.Text(8);
  j.trigger = r.Text(9);
  return j;
}

}  // namespace

const std::vector<std::string>& JobNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& j : Jobs()) n.push_back(j.name);
    return n;
  }();
  return names;
}

Result<JobRun> RunJob(service::Context& ctx, const std::string& name, core::Date day, const std::string& trigger,
                      const std::atomic<bool>* stop) {
  const Job* job = nullptr;
  for (const auto& j : Jobs())
    if (j.name == name) job = &j;
  if (!job) return Invalid("no job named '" + name + "' (known: points-expiry, tier-evaluation, birthday-bonus, outbox)");
  if (!day.ok()) return Invalid("not a real date");
  std::string day_text = service::FormatDay(day);

  // Claim the day: a new row, or the unfinished row of an earlier attempt.
  JobRun run;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kRunColumns + " FROM job_runs WHERE job = ? AND day = ?",
                                           {name, day_text}));
    if (!rows.empty()) {
      run = RunFromRow(rows[0]);
      if (run.status == "done") {
        run.skipped = true;
        return Status::Ok();
      }
      SY_RETURN_IF_ERROR(tx.Exec("UPDATE job_runs SET status = 'running', started_at = ?, finished_at = NULL, "
                                 "error = '', trigger_source = ? WHERE id = ?",
                                 {now, trigger, run.id})
                             .status());
    } else {
      SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO job_runs (job, day, status, started_at, trigger_source) "
                                            "VALUES (?, ?, 'running', ?, ?) RETURNING id",
                                            {name, day_text, now, trigger}));
      run.id = ins[0].Int(0);
      run.job = name;
      run.day = day_text;
    }
    run.status = "running";
    run.started_at = now;
    run.finished_at.reset();
    run.error.clear();
    run.trigger = trigger;
    return Status::Ok();
  });
  if (!st.ok()) {
    if (st.code() == Code::kConflict) return Status(Code::kConflict, name + " for " + day_text + " is already running");
    return st;
  }
  if (run.skipped) return run;

  MemberWork work = job->work(ctx, day);
  std::string first_error;
  int64_t failures = 0;
  int64_t after = 0;
  bool stopped = false;
  for (;;) {
    std::vector<int64_t> ids;
    Status read = ctx.db.Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(ids, job->candidates(tx, day, after));
      return Status::Ok();
    });
    if (!read.ok()) {
      first_error = read.message();
      ++failures;
      break;
    }
    if (ids.empty()) break;
    int64_t batch_members = 0, batch_points = 0;
    for (int64_t id : ids) {
      after = id;
      if (stop && stop->load()) {
        stopped = true;
        break;
      }
      std::pair<bool, int64_t> did{false, 0};
      Status one = ctx.db.Write([&](store::Tx& tx) -> Status {
        SY_ASSIGN_OR_RETURN(did, work(tx, id));
        return Status::Ok();
      });
      if (!one.ok()) {
        if (first_error.empty()) first_error = "member " + std::to_string(id) + ": " + one.message();
        ++failures;
        continue;
      }
      batch_members += did.first ? 1 : 0;
      batch_points += did.second;
    }
    run.members += batch_members;
    run.points += batch_points;
    // Progress, so that `jobs list` shows how far a long run has got.
    SY_RETURN_IF_ERROR(ctx.db.Write([&](store::Tx& tx) {
      return tx.Exec("UPDATE job_runs SET members = members + ?, points = points + ? WHERE id = ?",
                     {batch_members, batch_points, run.id})
          .status();
    }));
    if (stopped) break;
  }
  if (stopped) return run;  // left "running": the next pass resumes it
  run.status = failures ? "failed" : "done";
  if (failures) run.error = std::to_string(failures) + " member(s) failed; first: " + first_error;
  run.finished_at = ctx.now();
  SY_RETURN_IF_ERROR(ctx.db.Write([&](store::Tx& tx) {
    return tx.Exec("UPDATE job_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                   {run.status, *run.finished_at, run.error, run.id})
        .status();
  }));
  SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kRunColumns + " FROM job_runs WHERE id = ?", {run.id}));
    run = RunFromRow(rows[0]);
    return Status::Ok();
  }));
  return run;
}

Result<OutboxRun> RunOutbox(service::Context& ctx, int limit) {
  OutboxRun run;
  auto transport = service::MakeSmtpTransport(ctx.settings);
  if (!transport) return run;
  run.enabled = true;
  SY_ASSIGN_OR_RETURN(run.report, service::DeliverPending(ctx, *transport, limit));
  return run;
}

Result<std::vector<JobRun>> ListJobRuns(service::Context& ctx, int limit, const std::string& job) {
  if (limit < 1 || limit > 200) return Invalid("limit must be 1–200", {{"limit", "must be 1–200"}});
  std::vector<JobRun> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kRunColumns + " FROM job_runs";
    std::vector<store::Value> params;
    if (!job.empty()) {
      sql += " WHERE job = ?";
      params.push_back(job);
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " ORDER BY started_at DESC, id DESC LIMIT " + std::to_string(limit), params));
    for (const auto& r : rows.rows) out.push_back(RunFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::jobs
