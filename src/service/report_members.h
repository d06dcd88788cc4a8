// The member reports (docs/api.md, "Reports: members, RFM, cohorts, loyalty"): member activity,
// RFM scoring and segments with their member lists, cohort retention, and loyalty (points, tiers,
// stored value). Each report is one read transaction over the report aggregates (migration 0016)
// and the members table, answered as the JSON document described in
// src/http/openapi/71_reports_members.json; the status thresholds are stored settings
// (report_settings, migration 0019) with defaults.
// "Current members" (status, demographics, RFM, balances) leave out erased and merged-away
// members; flows (new members, buyers, cohorts) leave out only merged-away ones, whose history
// the aggregates already count for the member they were merged into.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/services.h"

namespace shuyou::service {

struct MemberDefinitions {
  int64_t active_days = 90;
  int64_t at_risk_days = 180;
  int64_t lapsed_days = 365;
  int64_t clv_max_years = 5;
};

struct StoredMemberDefinitions {
  MemberDefinitions defs;
  std::optional<int64_t> updated_at;  // nullopt: the defaults, never saved
  std::string updated_by;
};

nlohmann::json DefinitionsToJson(const MemberDefinitions& d);
// Strict: the four fields, integers, 1 ≤ active_days < at_risk_days < lapsed_days ≤ 3650 and
// clv_max_years 1–50; every problem listed with its field.
Result<MemberDefinitions> DefinitionsFromJson(const nlohmann::json& j);
Result<StoredMemberDefinitions> GetMemberDefinitions(Context& ctx);
// Owners and managers (the route checks); audited as "report.member_definitions.update".
Result<StoredMemberDefinitions> SaveMemberDefinitions(Context& ctx, const Actor& actor, const MemberDefinitions& d);

// The range and store of a report, already checked by the caller: from ≤ to, real days.
struct MemberReportQuery {
  std::string from;  // YYYY-MM-DD, inclusive business days
  std::string to;
  std::optional<int64_t> store_id;  // members whose home store it is (checked to exist here)
};

// Each answers the JSON document of its OpenAPI schema (MembersReport, RfmReport, CohortsReport,
// LoyaltyReport). An unknown store_id is Invalid with a details entry for "store_id".
Result<nlohmann::json> MembersReport(Context& ctx, const MemberReportQuery& q);
Result<nlohmann::json> RfmReport(Context& ctx, const MemberReportQuery& q);
Result<nlohmann::json> CohortsReport(Context& ctx, const MemberReportQuery& q);
Result<nlohmann::json> LoyaltyReport(Context& ctx, const MemberReportQuery& q);

// The RFM segments, in report order, and the one a score triple falls in (first rule that holds).
const std::vector<std::string>& RfmSegmentNames();
std::string RfmSegmentOf(int r, int f, int m);

// One page of the members of `segment` (Invalid for an unknown one), scores as in RfmReport.
// Sorts: id (default), total_spend, visits, last_purchase_at, "-" for descending.
struct RfmMember {
  int64_t id = 0;
  std::string card_number, name, phone;
  std::optional<std::string> email;
  std::optional<int64_t> home_store_id;
  std::string tier;
  bool consent_email = false, consent_sms = false;
  int64_t last_purchase_at = 0;
  int64_t days_since_last_purchase = 0;
  int64_t visits = 0, total_spend = 0;
  int r = 0, f = 0, m = 0;
  std::string segment;
};
Result<Page<RfmMember>> ListRfmSegment(Context& ctx, const std::string& segment, std::optional<int64_t> store_id,
                                       const PageQuery& page);

}  // namespace shuyou::service
