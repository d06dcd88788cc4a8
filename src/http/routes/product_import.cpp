// POST /api/v1/products/import: a catalog list (CSV or XLSX) as the request body, checked on a
// dry run or imported, with opening stock going to ?store_id= (default: the caller's home
// store); the answer is the import report. Bodies are limited by max_body_bytes, so very large
// lists go through `shuyou import products FILE` instead.
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "http/routes/table_upload.h"
#include "service/product_import.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

nlohmann::json ReportJson(const service::ProductImportReport& r) {
  return {{"dry_run", r.dry_run},
          {"encoding", r.encoding},
          {"rows", r.rows},
          {"valid", r.valid},
          {"created", r.created},
          {"updated", r.updated},
          {"unchanged", r.unchanged},
          {"invalid", r.invalid},
          {"stock_rows", r.stock_rows},
          {"stock_units", r.stock_units},
          {"stock_kept", r.stock_kept},
          {"reorder_points", r.reorder_points},
          {"store_id", r.store_id ? nlohmann::json(*r.store_id) : nlohmann::json()},
          {"receipt_ids", r.receipt_ids},
          {"new_categories", r.new_categories},
          {"error_count", r.error_count},
          {"errors", ImportProblemsJson(r.errors)},
          {"columns", r.columns},
          {"ignored_columns", r.ignored_columns}};
}

}  // namespace

void AddProductImportRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kManagers, "POST", "/api/v1/products/import", [&ctx](Call& c) {
    auto up = ReadTableUpload(c.req);
    if (!up.ok()) return ErrorResponse(up.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    service::ProductImportOptions opt;
    opt.dry_run = up->dry_run;
    opt.file_name = up->file_name;
    opt.store_id = *store;
    Result<service::ProductImportReport> rep = Internal("not run");
    if (up->xlsx) {
      rep = service::ImportProductsXlsx(ctx, c.principal->actor, c.req.body, opt);
    } else {
      std::istringstream in(c.req.body);
      rep = service::ImportProductsCsv(ctx, c.principal->actor, in, opt);
    }
    if (!rep.ok()) return ErrorResponse(rep.status());
    return Json(200, ReportJson(*rep));
  });
}

}  // namespace shuyou::http
