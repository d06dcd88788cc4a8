// /api/v1/reports/members, /rfm, /rfm/members, /cohorts, /loyalty and the member status
// definitions they use. Parameters and downloads as every report (report_common.h); the JSON
// answers are built by service/report_members.h, and the CSV/XLSX tables from that JSON here.
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "http/app.h"
#include "http/json_writer.h"
#include "http/routes/json_views.h"
#include "http/routes/report_common.h"
#include "http/routes/routes.h"
#include "service/business_day.h"
#include "service/report_members.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
using json = nlohmann::json;
using service::ColumnKind;
using service::ReportCell;
using service::ReportColumn;
using service::ReportTable;
constexpr core::RoleSet kReaders = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kMarketer);
constexpr core::RoleSet kEditors = Bit(Role::kOwner) | Bit(Role::kManager);

service::MemberReportQuery ToMemberQuery(const ReportQuery& q) {
  return {service::FormatDay(q.period.from), service::FormatDay(q.period.to), q.period.store_id};
}

// A table whose rows are the objects of a JSON array, one column per key.
ReportTable TableOf(const char* zh, const char* en, std::vector<ReportColumn> columns, const json& rows) {
  ReportTable t{zh, en, std::move(columns), {}};
  for (const auto& row : rows) {
    std::vector<ReportCell> cells;
    for (const auto& c : t.columns) {
      const json& v = row.contains(c.key) ? row.at(c.key) : json();
      if (v.is_null()) cells.emplace_back(std::monostate{});
      else if (c.kind == ColumnKind::kPercent || c.kind == ColumnKind::kDecimal) cells.emplace_back(v.get<double>());
      else if (v.is_number_integer()) cells.emplace_back(v.get<int64_t>());
      else if (v.is_number()) cells.emplace_back(v.get<double>());
      else cells.emplace_back(v.get<std::string>());
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

// "a; b; c": the top genres of a demographic group as one cell.
json WithTopGenres(json rows) {
  for (auto& r : rows) {
    std::string s;
    for (const auto& g : r["top_genres"]) s += (s.empty() ? "" : "; ") + g["genre"].get<std::string>();
    r["top_genres_text"] = s;
  }
  return rows;
}

std::vector<ReportTable> MembersTables(const json& j) {
  std::vector<ReportColumn> demo = {{"members", "会员数", "Members", ColumnKind::kInt},
                                    {"active", "活跃", "Active", ColumnKind::kInt},
                                    {"buyers", "有消费", "Buyers", ColumnKind::kInt},
                                    {"total_spend", "累计消费", "Total spend", ColumnKind::kMoney},
                                    {"top_genres_text", "偏好类别", "Top genres", ColumnKind::kText}};
  auto with_key = [&](ReportColumn key) {
    std::vector<ReportColumn> cols = {std::move(key)};
    cols.insert(cols.end(), demo.begin(), demo.end());
    return cols;
  };
  json status = json::array();
  for (const char* k : {"total", "active", "at_risk", "dormant", "lapsed", "never_bought"})
    status.push_back({{"status", k}, {"members", j["status"][k]}});
  return {
      TableOf("按月", "Months",
              {{"month", "月份", "Month", ColumnKind::kText},
               {"new_members", "新会员", "New members", ColumnKind::kInt},
               {"buyers", "消费会员", "Buyers", ColumnKind::kInt},
               {"first_time_buyers", "首次消费", "First-time buyers", ColumnKind::kInt},
               {"returning_buyers", "回头客", "Returning buyers", ColumnKind::kInt},
               {"visits", "消费次数", "Visits", ColumnKind::kInt},
               {"member_spend", "会员消费", "Member spend", ColumnKind::kMoney},
               {"sales_net", "销售额", "Net sales", ColumnKind::kMoney},
               {"member_sales_net", "会员销售额", "Member sales", ColumnKind::kMoney},
               {"member_share", "会员占比", "Member share", ColumnKind::kPercent}},
              j["months"]),
      TableOf("会员状态", "Status",
              {{"status", "状态", "Status", ColumnKind::kText}, {"members", "会员数", "Members", ColumnKind::kInt}}, status),
      TableOf("年龄段", "Age bands", with_key({"band", "年龄段", "Age band", ColumnKind::kText}), WithTopGenres(j["age_bands"])),
      TableOf("性别", "Genders", with_key({"gender", "性别", "Gender", ColumnKind::kText}), WithTopGenres(j["genders"])),
  };
}

std::vector<ReportTable> RfmTables(const json& j) {
  return {
      TableOf("细分", "Segments",
              {{"segment", "细分", "Segment", ColumnKind::kText},
               {"rule", "规则", "Rule", ColumnKind::kText},
               {"members", "会员数", "Members", ColumnKind::kInt},
               {"share", "会员占比", "Share", ColumnKind::kPercent},
               {"revenue", "累计消费", "Revenue", ColumnKind::kMoney},
               {"revenue_share", "消费占比", "Revenue share", ColumnKind::kPercent},
               {"avg_spend", "人均消费", "Average spend", ColumnKind::kMoney},
               {"avg_visits", "人均次数", "Average visits", ColumnKind::kDecimal},
               {"avg_days_since_last_purchase", "距上次消费天数", "Days since last purchase", ColumnKind::kDecimal}},
              j["segments"]),
      TableOf("R×F", "R x F",
              {{"r", "R", "R", ColumnKind::kInt},
               {"f", "F", "F", ColumnKind::kInt},
               {"members", "会员数", "Members", ColumnKind::kInt},
               {"revenue", "累计消费", "Revenue", ColumnKind::kMoney}},
              j["grid"]),
  };
}

std::vector<ReportTable> CohortTables(const json& j) {
  json rows = json::array();
  for (const auto& c : j["cohorts"])
    for (auto m : c["months"]) {
      m["cohort"] = c["cohort"];
      m["size"] = c["size"];
      rows.push_back(std::move(m));
    }
  return {TableOf("留存", "Cohorts",
                  {{"cohort", "入会月份", "Cohort", ColumnKind::kText},
                   {"size", "人数", "Size", ColumnKind::kInt},
                   {"month", "月份", "Month", ColumnKind::kText},
                   {"offset", "第几月", "Month offset", ColumnKind::kInt},
                   {"active", "活跃", "Active", ColumnKind::kInt},
                   {"rate", "留存率", "Retention", ColumnKind::kPercent},
                   {"first_buyers", "首次消费", "First-time buyers", ColumnKind::kInt},
                   {"visits", "消费次数", "Visits", ColumnKind::kInt},
                   {"spend", "消费", "Spend", ColumnKind::kMoney}},
                  rows)};
}

std::vector<ReportTable> LoyaltyTables(const json& j) {
  json moves = json::array();
  for (const auto& m : j["tier_months"])
    for (auto mv : m["moves"]) {
      mv["month"] = m["month"];
      moves.push_back(std::move(mv));
    }
  return {
      TableOf("积分", "Points",
              {{"month", "月份", "Month", ColumnKind::kText},
               {"earned", "获得", "Earned", ColumnKind::kInt},
               {"redeemed", "抵扣", "Redeemed", ColumnKind::kInt},
               {"expired", "过期", "Expired", ColumnKind::kInt},
               {"adjusted_in", "调增", "Adjusted in", ColumnKind::kInt},
               {"adjusted_out", "调减", "Adjusted out", ColumnKind::kInt},
               {"reversed_in", "退货退回", "Reversed in", ColumnKind::kInt},
               {"reversed_out", "退货扣回", "Reversed out", ColumnKind::kInt},
               {"issued", "发放", "Issued", ColumnKind::kInt},
               {"net", "净变动", "Net", ColumnKind::kInt}},
              j["points_months"]),
      TableOf("等级", "Tiers",
              {{"tier", "等级", "Tier", ColumnKind::kText},
               {"members", "会员数", "Members", ColumnKind::kInt},
               {"share", "占比", "Share", ColumnKind::kPercent}},
              j["tiers"]),
      TableOf("等级变动", "Tier moves",
              {{"month", "月份", "Month", ColumnKind::kText},
               {"from", "原等级", "From", ColumnKind::kText},
               {"to", "新等级", "To", ColumnKind::kText},
               {"count", "人数", "Members", ColumnKind::kInt}},
              moves),
      TableOf("储值", "Stored value",
              {{"month", "月份", "Month", ColumnKind::kText},
               {"topup", "充值", "Top-ups", ColumnKind::kMoney},
               {"bonus", "赠送", "Bonuses", ColumnKind::kMoney},
               {"spend", "消费", "Spent", ColumnKind::kMoney},
               {"refund", "退回", "Refunds", ColumnKind::kMoney},
               {"adjust_in", "调增", "Adjusted in", ColumnKind::kMoney},
               {"adjust_out", "调减", "Adjusted out", ColumnKind::kMoney},
               {"net", "净变动", "Net", ColumnKind::kMoney}},
              j["stored_value"]["months"]),
  };
}

using Build = Result<json> (*)(service::Context&, const service::MemberReportQuery&);
using Tables = std::vector<ReportTable> (*)(const json&);

Response Report(service::Context& ctx, const Request& req, const char* name, Build build, Tables tables) {
  auto q = ReadReportQuery(req, ctx);
  if (!q.ok()) return ErrorResponse(q.status());
  auto rep = build(ctx, ToMemberQuery(*q));
  if (!rep.ok()) return ErrorResponse(rep.status());
  if (q->format == "json") return ReportJson(rep->dump());
  return ReportDownload(*q, name, tables(*rep));
}

json DefinitionsJson(const service::StoredMemberDefinitions& d) {
  json j = service::DefinitionsToJson(d.defs);
  j["updated_at"] = d.updated_at ? json(core::FormatIsoUtc(*d.updated_at)) : json();
  j["updated_by"] = d.updated_by;
  return j;
}

void WriteRfmMember(std::string& out, const service::RfmMember& m) {
  JsonObject o(out);
  o.Int("id", m.id).Str("card_number", m.card_number).Str("name", m.name).Str("phone", m.phone);
  if (m.email) o.Str("email", *m.email);
  else o.Null("email");
  o.OptInt("home_store_id", m.home_store_id)
      .Str("tier", m.tier)
      .Bool("consent_email", m.consent_email)
      .Bool("consent_sms", m.consent_sms)
      .Time("last_purchase_at", m.last_purchase_at)
      .Int("days_since_last_purchase", m.days_since_last_purchase)
      .Int("visits", m.visits)
      .Int("total_spend", m.total_spend)
      .Int("r", m.r)
      .Int("f", m.f)
      .Int("m", m.m)
      .Str("segment", m.segment)
      .Close();
}

}  // namespace

void AddMemberReportRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kReaders, "GET", "/api/v1/reports/members", [&ctx](Call& c) {
    return Report(ctx, c.req, "members", service::MembersReport, MembersTables);
  });
  r.Allow(kReaders, "GET", "/api/v1/reports/rfm", [&ctx](Call& c) {
    return Report(ctx, c.req, "rfm", service::RfmReport, RfmTables);
  });
  r.Allow(kReaders, "GET", "/api/v1/reports/cohorts", [&ctx](Call& c) {
    return Report(ctx, c.req, "cohorts", service::CohortsReport, CohortTables);
  });
  r.Allow(kReaders, "GET", "/api/v1/reports/loyalty", [&ctx](Call& c) {
    return Report(ctx, c.req, "loyalty", service::LoyaltyReport, LoyaltyTables);
  });

  r.Allow(kReaders, "GET", "/api/v1/reports/rfm/members", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    auto it = c.req.query.find("segment");
    if (it == c.req.query.end() || it->second.empty())
      return ErrorResponse(Invalid("the segment is required", {{"segment", "is required"}}));
    auto res = service::ListRfmSegment(ctx, it->second, *store, *page);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteRfmMember);
  });

  r.Allow(kReaders, "GET", "/api/v1/reports/members/definitions", [&ctx](Call&) {
    auto d = service::GetMemberDefinitions(ctx);
    if (!d.ok()) return ErrorResponse(d.status());
    return Json(200, DefinitionsJson(*d));
  });
  r.Allow(kEditors, "PUT", "/api/v1/reports/members/definitions", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"active_days", JType::kInt, true},
                                 {"at_risk_days", JType::kInt, true},
                                 {"lapsed_days", JType::kInt, true},
                                 {"clv_max_years", JType::kInt, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    auto defs = service::DefinitionsFromJson(*body);
    if (!defs.ok()) return ErrorResponse(defs.status());
    auto saved = service::SaveMemberDefinitions(ctx, c.principal->actor, *defs);
    if (!saved.ok()) return ErrorResponse(saved.status());
    return Json(200, DefinitionsJson(*saved));
  });
}

}  // namespace shuyou::http
