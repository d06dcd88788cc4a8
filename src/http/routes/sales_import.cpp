// POST /api/v1/sales/import: a store's past sales (CSV or XLSX) as the request body, checked on a
// dry run or imported (service/sales_import.h); the answer is the import report. ?store_id= is
// the store of rows without a store column, ?map= names columns by hand ("交易号=receipt,金额=…"
// comma-separated), ?earn_points=true lets members earn points. Bodies are limited by
// max_body_bytes, so very large histories go through `shuyou import sales FILE` instead.
#include <nlohmann/json.hpp>
#include <sstream>

#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "http/routes/table_upload.h"
#include "service/sales_import.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

nlohmann::json ReportJson(const service::SalesImportReport& r) {
  return {{"dry_run", r.dry_run},
          {"encoding", r.encoding},
          {"rows", r.rows},
          {"valid", r.valid},
          {"invalid", r.invalid},
          {"receipts", r.receipts},
          {"receipts_skipped", r.receipts_skipped},
          {"rows_skipped", r.rows_skipped},
          {"sales", r.sales},
          {"lines", r.lines},
          {"returns", r.returns},
          {"return_lines", r.return_lines},
          {"net_total", r.net_total},
          {"refund_total", r.refund_total},
          {"members_created", r.members_created},
          {"products_created", r.products_created},
          {"points_earned", r.points_earned},
          {"tier_changes", r.tier_changes},
          {"first_day", r.first_day.empty() ? nlohmann::json() : nlohmann::json(r.first_day)},
          {"last_day", r.last_day.empty() ? nlohmann::json() : nlohmann::json(r.last_day)},
          {"store_id", r.store_id ? nlohmann::json(*r.store_id) : nlohmann::json()},
          {"error_count", r.error_count},
          {"errors", ImportProblemsJson(r.errors)},
          {"columns", r.columns},
          {"ignored_columns", r.ignored_columns}};
}

// "交易号=receipt,金额=unit_price" → pairs; Invalid for an entry without '='.
Result<std::vector<std::pair<std::string, std::string>>> ParseMapping(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t from = 0;
  while (from <= text.size()) {
    size_t comma = text.find(',', from);
    if (comma == std::string::npos) comma = text.size();
    std::string entry = text.substr(from, comma - from);
    from = comma + 1;
    if (entry.empty()) continue;
    auto eq = entry.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
      return Invalid("map takes HEADER=field pairs separated by commas", {{"map", "'" + entry + "' is not HEADER=field"}});
    out.push_back({entry.substr(0, eq), entry.substr(eq + 1)});
  }
  return out;
}

}  // namespace

void AddSalesImportRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kManagers, "POST", "/api/v1/sales/import", [&ctx](Call& c) {
    auto up = ReadTableUpload(c.req);
    if (!up.ok()) return ErrorResponse(up.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    service::SalesImportOptions opt;
    opt.dry_run = up->dry_run;
    opt.file_name = up->file_name;
    opt.store_id = *store;
    if (auto q = c.req.query.find("map"); q != c.req.query.end()) {
      auto m = ParseMapping(q->second);
      if (!m.ok()) return ErrorResponse(m.status());
      opt.mapping = std::move(m).value();
    }
    if (auto q = c.req.query.find("earn_points"); q != c.req.query.end()) {
      if (q->second != "true" && q->second != "false")
        return ErrorResponse(Invalid("earn_points must be true or false", {{"earn_points", "must be true or false"}}));
      opt.earn_points = q->second == "true";
    }
    Result<service::SalesImportReport> rep = Internal("not run");
    if (up->xlsx) {
      rep = service::ImportSalesXlsx(ctx, c.principal->actor, c.req.body, opt);
    } else {
      std::istringstream in(c.req.body);
      rep = service::ImportSalesCsv(ctx, c.principal->actor, in, opt);
    }
    if (!rep.ok()) return ErrorResponse(rep.status());
    return Json(200, ReportJson(*rep));
  });
}

}  // namespace shuyou::http
