// POST /api/v1/members/import: a member list (CSV or XLSX) as the request body, checked on a
// dry run or imported; the answer is the import report. Bodies are limited by max_body_bytes,
// so very large lists go through `shuyou import members FILE` instead.
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "http/routes/table_upload.h"
#include "service/member_import.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

nlohmann::json ReportJson(const service::ImportReport& r) {
  nlohmann::json errors = ImportProblemsJson(r.errors);
  return {{"dry_run", r.dry_run},           {"encoding", r.encoding}, {"rows", r.rows},
          {"valid", r.valid},               {"imported", r.imported}, {"skipped", r.skipped},
          {"invalid", r.invalid},           {"error_count", r.error_count}, {"errors", errors},
          {"columns", r.columns},           {"ignored_columns", r.ignored_columns}};
}

}  // namespace

void AddMemberImportRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kManagers, "POST", "/api/v1/members/import", [&ctx](Call& c) {
    auto up = ReadTableUpload(c.req);
    if (!up.ok()) return ErrorResponse(up.status());
    service::ImportOptions opt;
    opt.dry_run = up->dry_run;
    opt.file_name = up->file_name;
    bool xlsx = up->xlsx;
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
