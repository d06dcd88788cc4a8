// Report tables as downloads: CSV (UTF-8 with a BOM so that Excel opens Chinese text, CRLF,
// RFC 4180 quoting, money in yuan with two decimals, rates as percentages) and XLSX (one sheet
// per table, a bold frozen header row, real numbers with number formats: money "#,##0.00",
// rates "0.00%"). Headers come in zh-CN or en. A text cell that a spreadsheet would take for a
// formula (= + - @ first) is written with a leading apostrophe in CSV and as a string in XLSX.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace shuyou::service {

enum class ColumnKind {
  kText,
  kInt,
  kMoney,    // int64 minor units (fen) → yuan with 2 decimals
  kPercent,  // double ratio (0.25) → 25.00 %
  kDecimal,  // double → 2 decimals
};

struct ReportColumn {
  std::string key;  // stable identifier (the JSON field it comes from)
  std::string zh;   // header in zh-CN
  std::string en;   // header in en
  ColumnKind kind = ColumnKind::kText;
};

// Empty (monostate) = a blank cell (null in JSON). int64 for kInt/kMoney, double for
// kPercent/kDecimal, string for kText (other combinations are written as they are).
using ReportCell = std::variant<std::monostate, int64_t, double, std::string>;

struct ReportTable {
  std::string title_zh;  // sheet name in zh-CN (at most 31 characters, no []:*?/\)
  std::string title_en;  // sheet name in en
  std::vector<ReportColumn> columns;
  std::vector<std::vector<ReportCell>> rows;  // each as long as columns

  ReportTable& Row(std::vector<ReportCell> cells) {
    rows.push_back(std::move(cells));
    return *this;
  }
};

// `lang` is "zh-CN" or "en".
std::string ReportCsv(const ReportTable& table, std::string_view lang);
// Internal when the workbook cannot be written (temporary file).
Result<std::string> ReportXlsx(const std::vector<ReportTable>& tables, std::string_view lang);

// "1234.50", "-0.05": minor units as yuan.
std::string FormatYuan(int64_t minor);

}  // namespace shuyou::service
