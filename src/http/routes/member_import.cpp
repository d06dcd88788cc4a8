// POST /api/v1/members/import: a member list (CSV or XLSX) as the request body, checked on a
// dry run or imported; the answer is the import report. Bodies are limited by max_body_bytes,
// so very large lists go through `shuyou import members FILE` instead.
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "service/member_import.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

nlohmann::json ReportJson(const service::ImportReport& r) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : r.errors)
    errors.push_back({{"line", e.line}, {"column", e.column}, {"value", e.value}, {"message", e.message}});
  return {{"dry_run", r.dry_run},           {"encoding", r.encoding}, {"rows", r.rows},
          {"valid", r.valid},               {"imported", r.imported}, {"skipped", r.skipped},
          {"invalid", r.invalid},           {"error_count", r.error_count}, {"errors", errors},
          {"columns", r.columns},           {"ignored_columns", r.ignored_columns}};
}

}  // namespace

void AddMemberImportRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kManagers, "POST", "/api/v1/members/import", [&ctx](Call& c) {
    service::ImportOptions opt;
    auto q = c.req.query.find("dry_run");
    std::string dry = q == c.req.query.end() ? "true" : q->second;
    if (dry != "true" && dry != "false")
      return ErrorResponse(Invalid("dry_run must be true or false", {{"dry_run", "must be true or false"}}));
    opt.dry_run = dry == "true";
    std::string ct = c.req.Header("content-type");
    ct = ct.substr(0, ct.find(';'));
    while (!ct.empty() && ct.back() == ' ') ct.pop_back();
    bool xlsx = ct == kXlsxType;
    if (!xlsx && ct != "text/csv" && ct != "application/csv")
      return ErrorResponse(Invalid("send the file as text/csv or " + std::string(kXlsxType) + ", not '" + ct + "'",
                                   {{"content_type", "must be text/csv or the XLSX type"}}));
    auto name = c.req.query.find("file_name");
    opt.file_name = name != c.req.query.end() ? name->second : xlsx ? "upload.xlsx" : "upload.csv";
    if (c.req.body.empty()) return ErrorResponse(Invalid("the body is empty: send the file as the request body"));
    Result<service::ImportReport> rep = Internal("not run");
    if (xlsx) {
      rep = service::ImportMembersXlsx(ctx, c.principal->actor, c.req.body, opt);
    } else {
      std::istringstream in(c.req.body);
      rep = service::ImportMembersCsv(ctx, c.principal->actor, in, opt);
    }
    if (!rep.ok()) return ErrorResponse(rep.status());
    return Json(200, ReportJson(*rep));
  });
}

}  // namespace shuyou::http
