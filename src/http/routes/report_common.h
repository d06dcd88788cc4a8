// What every /api/v1/reports/* handler shares: reading and validating the common parameters
// (from, to, store_id, format, lang) and the report's own (an enum, a bounded integer) into one
// list of field errors, and answering JSON or a CSV/XLSX download with a Content-Disposition
// filename "<report>-<from>-<to>.<ext>". Periods, calendar and SQL dialect helpers are in
// service/report_common.h (the service layer needs them too).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "http/json_io.h"
#include "service/report_common.h"
#include "service/report_export.h"

namespace shuyou::http {

struct ReportQuery {
  service::ReportPeriod period;
  std::string format = "json";  // json, csv, xlsx
  std::string lang = "zh-CN";   // zh-CN, en
};

// from (default: 29 days before `to`), to (default: today in the business time zone), store_id
// (must exist), format, lang. Errors found here are added to `bad` (which may already hold the
// report's own) and all of them answered at once: Invalid("bad report parameters", details).
// from > to, a date that is not a real YYYY-MM-DD and a period over kMaxReportDays are errors of
// field `from` (or `to`).
Result<ReportQuery> ReadReportQuery(const Request& req, service::Context& ctx, std::vector<FieldError> bad = {});

// An optional query parameter that must be one of `allowed`; `fallback` when absent.
std::string QueryChoice(const Request& req, const std::string& name, std::initializer_list<const char*> allowed,
                        const char* fallback, std::vector<FieldError>& bad);
// An optional integer query parameter in [min, max]; `fallback` when absent.
int64_t QueryInt(const Request& req, const std::string& name, int64_t min, int64_t max, int64_t fallback,
                 std::vector<FieldError>& bad);

// The report as JSON (200, Cache-Control: no-store).
Response ReportJson(const std::string& json);
// The tables as a download: csv → tables[csv_index]; xlsx → every table, one sheet each.
Response ReportDownload(const ReportQuery& q, const std::string& report, const std::vector<service::ReportTable>& tables,
                        size_t csv_index = 0);

}  // namespace shuyou::http
