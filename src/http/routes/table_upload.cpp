// Import uploads (see table_upload.h).
#include "http/routes/table_upload.h"

namespace shuyou::http {

Result<TableUpload> ReadTableUpload(const Request& req) {
  TableUpload up;
  auto q = req.query.find("dry_run");
  std::string dry = q == req.query.end() ? "true" : q->second;
  if (dry != "true" && dry != "false")
    return Invalid("dry_run must be true or false", {{"dry_run", "must be true or false"}});
  up.dry_run = dry == "true";
  std::string ct = req.Header("content-type");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  up.xlsx = ct == kXlsxType;
  if (!up.xlsx && ct != "text/csv" && ct != "application/csv")
    return Invalid("send the file as text/csv or " + std::string(kXlsxType) + ", not '" + ct + "'",
                   {{"content_type", "must be text/csv or the XLSX type"}});
  auto name = req.query.find("file_name");
  up.file_name = name != req.query.end() ? name->second : up.xlsx ? "upload.xlsx" : "upload.csv";
  if (req.body.empty()) return Invalid("the body is empty: send the file as the request body");
  return up;
}

nlohmann::json ImportProblemsJson(const std::vector<service::ImportProblem>& problems) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : problems)
    out.push_back({{"line", e.line}, {"column", e.column}, {"value", e.value}, {"message", e.message}});
  return out;
}

}  // namespace shuyou::http
