// Common report parameters and the JSON/CSV/XLSX answer (see the header).
#include "http/routes/report_common.h"

#include "service/business_day.h"

namespace shuyou::http {
namespace {

const std::string* Param(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? nullptr : &it->second;
}

}  // namespace

std::string QueryChoice(const Request& req, const std::string& name, std::initializer_list<const char*> allowed,
                        const char* fallback, std::vector<FieldError>& bad) {
  const std::string* v = Param(req, name);
  if (!v) return fallback;
  std::string list;
  for (const char* a : allowed) {
    if (*v == a) return *v;
    list += list.empty() ? a : std::string(", ") + a;
  }
  bad.push_back({name, "must be one of " + list});
  return fallback;
}

int64_t QueryInt(const Request& req, const std::string& name, int64_t min, int64_t max, int64_t fallback,
                 std::vector<FieldError>& bad) {
  const std::string* v = Param(req, name);
  if (!v) return fallback;
  int64_t n = 0;
  bool ok = !v->empty() && v->size() <= 12;
  for (size_t i = 0; ok && i < v->size(); ++i) {
    if ((*v)[i] < '0' || (*v)[i] > '9') ok = false;
    else n = n * 10 + ((*v)[i] - '0');
  }
  if (!ok || n < min || n > max) {
    bad.push_back({name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)});
    return fallback;
  }
  return n;
}

Result<ReportQuery> ReadReportQuery(const Request& req, service::Context& ctx, std::vector<FieldError> bad) {
  ReportQuery q;
  q.format = QueryChoice(req, "format", {"json", "csv", "xlsx"}, "json", bad);
  q.lang = QueryChoice(req, "lang", {"zh-CN", "en"}, "zh-CN", bad);

  SY_ASSIGN_OR_RETURN(core::Date today, service::Today(ctx));
  core::Date to = today;
  bool dates_ok = true;
  if (const std::string* v = Param(req, "to")) {
    auto d = service::ParseDay(*v);
    if (d.ok()) to = *d;
    else bad.push_back({"to", d.status().message()}), dates_ok = false;
  }
  core::Date from = service::AddDays(to, -29);
  if (const std::string* v = Param(req, "from")) {
    auto d = service::ParseDay(*v);
    if (d.ok()) from = *d;
    else bad.push_back({"from", d.status().message()}), dates_ok = false;
  }
  if (dates_ok) {
    int64_t days = service::DaysBetween(from, to) + 1;
    if (days < 1) bad.push_back({"from", "must not be after to (" + service::FormatDay(to) + ")"});
    else if (days > service::kMaxReportDays)
      bad.push_back({"from", "the period may be at most " + std::to_string(service::kMaxReportDays) +
                                 " days (3 years); it has " + std::to_string(days)});
  }

  std::optional<int64_t> store_id;
  if (const std::string* v = Param(req, "store_id"); v && !v->empty()) {  // store_id= : all stores
    auto id = QueryId(req, "store_id");
    if (!id.ok() || !id->has_value()) {
      bad.push_back({"store_id", "must be a positive integer"});
    } else {
      bool exists = false;
      SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
        SY_ASSIGN_OR_RETURN(exists, service::StoreExists(tx, **id));
        return Status::Ok();
      }));
      if (!exists) bad.push_back({"store_id", "no store " + *v});
      else store_id = **id;
    }
  }
  if (!bad.empty()) return Invalid("bad report parameters", std::move(bad));
  q.period = service::MakeReportPeriod(from, to, store_id);
  return q;
}

Response ReportJson(const std::string& json) {
  Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = json;
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response ReportDownload(const ReportQuery& q, const std::string& report, const std::vector<service::ReportTable>& tables,
                        size_t csv_index) {
  std::string base = report + "-" + service::FormatDay(q.period.from) + "-" + service::FormatDay(q.period.to);
  Response r;
  r.status = 200;
  r.headers.emplace_back("Cache-Control", "no-store");
  if (q.format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = tables.empty() ? std::string("\xEF\xBB\xBF") : service::ReportCsv(tables.at(csv_index), q.lang);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base + ".csv\"");
    return r;
  }
  auto bytes = service::ReportXlsx(tables, q.lang);
  if (!bytes.ok()) return ErrorResponse(bytes.status());
  r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  r.body = std::move(*bytes);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base + ".xlsx\"");
  return r;
}

}  // namespace shuyou::http
