// The request side shared by the import endpoints: the file is the whole request body (text/csv
// or XLSX), with ?dry_run=true|false (default true) and ?file_name=; and the JSON of the
// problems an import report lists.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/json_io.h"
#include "service/table_files.h"

namespace shuyou::http {

inline constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct TableUpload {
  bool xlsx = false;  // else CSV
  bool dry_run = true;
  std::string file_name;  // "upload.csv" / "upload.xlsx" when not given
};

// Invalid for a dry_run other than true/false, another content type, or an empty body.
Result<TableUpload> ReadTableUpload(const Request& req);

nlohmann::json ImportProblemsJson(const std::vector<service::ImportProblem>& problems);

}  // namespace shuyou::http
