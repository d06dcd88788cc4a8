// Points redemption at the till (retry-safe with an Idempotency-Key), a member's tier progress,
// and the scheduled jobs' run records.
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "jobs/jobs.h"
#include "service/idempotency.h"
#include "service/member_tiers.h"
#include "service/points.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
using nlohmann::json;
constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);
constexpr core::RoleSet kOwners = Bit(Role::kOwner);

json EntryJson(const service::PointsEntry& e) {
  return {{"id", e.id},
          {"at", core::FormatIsoUtc(e.at)},
          {"kind", e.kind},
          {"points", e.points},
          {"balance_after", e.balance_after},
          {"reason", e.reason},
          {"staff_id", OrNull(e.staff_id)},
          {"staff_username", e.staff_username},
          {"sale_id", OrNull(e.sale_id)},
          {"expires_on", OrNull(e.expires_on)}};
}

void WriteTierChange(std::string& out, const service::TierChangeRecord& h) {
  JsonObject(out)
      .Int("id", h.id)
      .Str("from", h.from_tier)
      .Str("to", h.to_tier)
      .Str("reason", h.reason)
      .Str("day", h.day)
      .Time("at", h.at)
      .Close();
}

void WriteTierProgress(std::string& out, const service::TierProgress& p) {
  JsonObject o(out);
  o.Str("tier", p.tier)
      .Raw("benefits", "{\"discount_percent\":" + std::to_string(p.discount_pct) +
                           ",\"points_percent\":" + std::to_string(p.points_pct) + "}")
      .OptTime("tier_since", p.tier_since);
  if (p.last_qualified_on) o.Str("last_qualified_on", *p.last_qualified_on);
  else o.Null("last_qualified_on");
  std::string window;
  JsonObject(window)
      .Str("from", p.window_from)
      .Str("to", p.window_to)
      .Int("spend", p.spend)
      .Int("visits", p.visits)
      .Str("currency", p.currency)
      .Close();
  o.Raw("rolling_12_months", window).Str("qualifies_for", p.qualifies_for);
  if (p.next) {
    const auto& n = *p.next;
    std::string next;
    JsonObject(next)
        .Str("tier", n.name)
        .OptInt("min_spend", n.min_spend)
        .OptInt("min_visits", n.min_visits)
        .Bool("need_both", n.need_both)
        .Int("missing_spend", n.missing_spend)
        .Int("missing_visits", n.missing_visits)
        .Raw("benefits", "{\"discount_percent\":" + std::to_string(n.discount_pct) +
                             ",\"points_percent\":" + std::to_string(n.points_pct) + "}")
        .Close();
    o.Raw("next", next);
  } else {
    o.Null("next");
  }
  std::string hist = "[";
  for (size_t i = 0; i < p.history.size(); ++i) {
    if (i) hist += ',';
    WriteTierChange(hist, p.history[i]);
  }
  hist += ']';
  o.Raw("history", hist)
      .Int("total_spend", p.total_spend)
      .Int("total_visits", p.total_visits)
      .OptTime("last_visit_at", p.last_visit_at)
      .Close();
}

void WriteJobRun(std::string& out, const jobs::JobRun& r) {
  JsonObject o(out);
  o.Int("id", r.id)
      .Str("job", r.job)
      .Str("day", r.day)
      .Str("status", r.status)
      .Time("started_at", r.started_at)
      .OptTime("finished_at", r.finished_at)
      .Int("members", r.members)
      .Int("points", r.points)
      .Str("error", r.error)
      .Str("trigger", r.trigger)
      .Close();
}

}  // namespace

void AddPointsJobRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kTill, "POST", "/api/v1/members/{id}/points/redemptions", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"points", JType::kInt, true}, {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    int64_t points = (*body)["points"].get<int64_t>();
    std::string reason = (*body)["reason"].get<std::string>();
    const service::Actor& actor = c.principal->actor;
    std::string request = std::to_string(*id) + " " + body->dump();
    auto res = service::RunIdempotent(ctx, "points.redeem:member:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                      request, [&](store::Tx& tx) -> Result<json> {
                                        SY_ASSIGN_OR_RETURN(service::Adjustment a,
                                                            service::RedeemPoints(tx, ctx, actor, *id, points, reason,
                                                                                  std::nullopt));
                                        return json{{"entry", EntryJson(a.entry)}, {"balance", a.balance}};
                                      });
    return IdempotentJson(201, res);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}/tier", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetTierProgress(ctx, *id), 200, WriteTierProgress);
  });

  r.Allow(kOwners, "GET", "/api/v1/jobs/runs", [&ctx](Call& c) {
    int limit = 50;
    if (auto it = c.req.query.find("limit"); it != c.req.query.end()) {
      try {
        size_t used = 0;
        limit = std::stoi(it->second, &used);
        if (used != it->second.size()) limit = 0;
      } catch (const std::exception&) {
        limit = 0;
      }
    }
    std::string job;
    if (auto it = c.req.query.find("job"); it != c.req.query.end()) job = it->second;
    auto runs = jobs::ListJobRuns(ctx, limit, job);
    if (!runs.ok()) return ErrorResponse(runs.status());
    std::string out = "{\"items\":[";
    for (size_t i = 0; i < runs->size(); ++i) {
      if (i) out += ',';
      WriteJobRun(out, (*runs)[i]);
    }
    out += "]}";
    return JsonText(200, std::move(out));
  });
}

}  // namespace shuyou::http
