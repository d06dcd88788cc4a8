// CSV and XLSX downloads of report tables (see the header). XLSX through libxlsxwriter, which
// writes to a file: the workbook goes to a private temporary file that is read back and removed.
#include "service/report_export.h"

#include <xlsxwriter.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace shuyou::service {
namespace {

bool En(std::string_view lang) { return lang == "en"; }

bool LooksLikeFormula(const std::string& s) {
  return !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

void CsvField(std::string& out, const std::string& v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string CellText(const ReportCell& cell, ColumnKind kind) {
  if (std::holds_alternative<std::monostate>(cell)) return "";
  if (const auto* s = std::get_if<std::string>(&cell)) {
    if (kind == ColumnKind::kText && LooksLikeFormula(*s)) return "'" + *s;
    return *s;
  }
  if (const auto* i = std::get_if<int64_t>(&cell)) {
    if (kind == ColumnKind::kMoney) return FormatYuan(*i);
    if (kind == ColumnKind::kPercent) return Fixed2(static_cast<double>(*i) * 100.0) + "%";
    return std::to_string(*i);
  }
  double d = std::get<double>(cell);
  if (kind == ColumnKind::kPercent) return Fixed2(d * 100.0) + "%";
  if (kind == ColumnKind::kMoney) return Fixed2(d / 100.0);
  if (kind == ColumnKind::kInt) return std::to_string(static_cast<int64_t>(std::llround(d)));
  return Fixed2(d);
}

// A valid, unique sheet name: at most 31 characters (UTF-8 code points), none of []:*?/\.
std::string SheetName(const std::string& want, int index, std::vector<std::string>& used) {
  std::string name;
  size_t points = 0;
  for (size_t i = 0; i < want.size() && points < 28;) {
    unsigned char c = static_cast<unsigned char>(want[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    std::string ch = want.substr(i, len);
    if (ch.size() == 1 && std::string_view("[]:*?/\\'").find(ch[0]) != std::string_view::npos) ch = "_";
    name += ch;
    i += len;
    ++points;
  }
  if (name.empty()) name = "Sheet";
  for (const auto& u : used)
    if (u == name) {
      name += " " + std::to_string(index + 1);
      break;
    }
  used.push_back(name);
  return name;
}

}  // namespace

std::string FormatYuan(int64_t minor) {
  bool neg = minor < 0;
  uint64_t m = neg ? static_cast<uint64_t>(-(minor + 1)) + 1 : static_cast<uint64_t>(minor);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", neg ? "-" : "", static_cast<unsigned long long>(m / 100),
                static_cast<unsigned long long>(m % 100));
  return buf;
}

std::string ReportCsv(const ReportTable& table, std::string_view lang) {
  std::string out = "\xEF\xBB\xBF";  // BOM
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (c) out += ',';
    CsvField(out, En(lang) ? table.columns[c].en : table.columns[c].zh);
  }
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c) out += ',';
      if (c < row.size()) CsvField(out, CellText(row[c], table.columns[c].kind));
    }
    out += "\r\n";
  }
  return out;
}

Result<std::string> ReportXlsx(const std::vector<ReportTable>& tables, std::string_view lang) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/shuyou-report-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return Status{Code::kInternal, "cannot create a temporary file for the workbook"};
  close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove_later{path};

  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return Status{Code::kInternal, "cannot start the workbook"};
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_bg_color(head, 0xEEEEEE);
  format_set_border(head, LXW_BORDER_THIN);
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.00%");
  lxw_format* dec = workbook_add_format(wb);
  format_set_num_format(dec, "0.00");
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "0");

  std::vector<std::string> used;
  for (size_t t = 0; t < tables.size(); ++t) {
    const ReportTable& table = tables[t];
    std::string name = SheetName(En(lang) ? table.title_en : table.title_zh, static_cast<int>(t), used);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (!ws) {
      workbook_close(wb);
      return Status{Code::kInternal, "cannot add worksheet " + name};
    }
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const auto& col = table.columns[c];
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), (En(lang) ? col.en : col.zh).c_str(), head);
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           col.kind == ColumnKind::kText ? 24 : 14, nullptr);
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t r = 0; r < table.rows.size(); ++r) {
      auto row = static_cast<lxw_row_t>(r + 1);
      for (size_t c = 0; c < table.columns.size() && c < table.rows[r].size(); ++c) {
        const ReportCell& cell = table.rows[r][c];
        auto col = static_cast<lxw_col_t>(c);
        ColumnKind kind = table.columns[c].kind;
        if (std::holds_alternative<std::monostate>(cell)) continue;
        if (const auto* s = std::get_if<std::string>(&cell)) {
          worksheet_write_string(ws, row, col, s->c_str(), nullptr);
          continue;
        }
        double v = std::holds_alternative<int64_t>(cell) ? static_cast<double>(std::get<int64_t>(cell))
                                                         : std::get<double>(cell);
        switch (kind) {
          case ColumnKind::kMoney: worksheet_write_number(ws, row, col, v / 100.0, money); break;
          case ColumnKind::kPercent: worksheet_write_number(ws, row, col, v, pct); break;
          case ColumnKind::kDecimal: worksheet_write_number(ws, row, col, v, dec); break;
          default: worksheet_write_number(ws, row, col, v, integer); break;
        }
      }
    }
  }
  if (workbook_close(wb) != LXW_NO_ERROR) return Status{Code::kInternal, "cannot write the workbook"};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return Status{Code::kInternal, "cannot read the workbook back"};
  return bytes.str();
}

}  // namespace shuyou::service
