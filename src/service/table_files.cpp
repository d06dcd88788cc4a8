// CSV and XLSX row readers (see table_files.h).
#include "service/table_files.h"

#include <expat.h>
#include <iconv.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "service/business_day.h"

namespace shuyou::service {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

namespace {

// ---- CSV ----

// GB18030 → UTF-8 with one iconv descriptor. GB18030 never uses bytes below 0x30 inside a
// multi-byte character, so converting line by line is exact.
class Gb18030 {
 public:
  Gb18030() : cd_(iconv_open("UTF-8", "GB18030")) {}
  ~Gb18030() {
    if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
  }
  Gb18030(const Gb18030&) = delete;
  Gb18030& operator=(const Gb18030&) = delete;
  bool available() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  // False when `in` is not GB18030.
  bool Convert(const std::string& in, std::string& out) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    out.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    size_t src_left = in.size();
    char* dst = out.data();
    size_t dst_left = out.size();
    if (iconv(cd_, &src, &src_left, &dst, &dst_left) == static_cast<size_t>(-1)) return false;
    if (iconv(cd_, nullptr, nullptr, &dst, &dst_left) == static_cast<size_t>(-1)) return false;
    out.resize(out.size() - dst_left);
    return true;
  }

 private:
  iconv_t cd_;
};

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Splits records out of physical lines. A record continues over line breaks inside quotes.
class CsvRecords {
 public:
  explicit CsvRecords(char sep) : sep_(sep) {}
  // Feeds one physical line (without its line break); true when a record is complete.
  bool Feed(std::string_view line) {
    if (!in_record_) {
      cells_.clear();
      cell_.clear();
      in_record_ = true;
      quoted_ = false;
      at_cell_start_ = true;
    } else {
      cell_ += '\n';  // a line break inside a quoted field
    }
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted_) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell_ += '"';
            ++i;
          } else {
            quoted_ = false;
          }
        } else {
          cell_ += c;
        }
      } else if (c == sep_) {
        cells_.push_back(std::move(cell_));
        cell_.clear();
        at_cell_start_ = true;
        continue;
      } else if (c == '"' && at_cell_start_) {
        quoted_ = true;
      } else {
        cell_ += c;  // also a stray quote in an unquoted field, taken literally
      }
      at_cell_start_ = false;
    }
    if (quoted_) return false;
    cells_.push_back(std::move(cell_));
    cell_.clear();
    in_record_ = false;
    return true;
  }
  bool open() const { return in_record_; }
  std::vector<std::string>& cells() { return cells_; }
  // Ends an unfinished record at the end of the file.
  void Close() {
    cells_.push_back(std::move(cell_));
    cell_.clear();
    in_record_ = false;
  }

 private:
  char sep_;
  bool in_record_ = false, quoted_ = false, at_cell_start_ = true;
  std::string cell_;
  std::vector<std::string> cells_;
};

// The separator of a header line: ',' unless the line has none but has tabs or semicolons.
char GuessSeparator(std::string_view header) {
  if (header.find(',') != std::string_view::npos) return ',';
  if (header.find('\t') != std::string_view::npos) return '\t';
  if (header.find(';') != std::string_view::npos) return ';';
  return ',';
}

// ---- XLSX ----

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ParserFree {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};
using ParserPtr = std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserFree>;

// The local name of an element ("x:row" → "row"): some writers use a namespace prefix.
std::string_view Local(const XML_Char* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const char* Attr(const XML_Char** attrs, std::string_view local_name) {
  for (int i = 0; attrs[i]; i += 2)
    if (Local(attrs[i]) == local_name) return attrs[i + 1];
  return nullptr;
}

// Streams zip entry `name` through an expat parser set up by `setup`. NotFound when missing.
Status ParseEntry(zip_t* zip, const std::string& name, const std::function<void(XML_Parser)>& setup,
                  const std::function<Status()>& after_chunk = nullptr) {
  std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen(zip, name.c_str(), 0));
  if (!f) return NotFound("the workbook has no " + name);
  ParserPtr p(XML_ParserCreate("UTF-8"));
  if (!p) return Internal("cannot create an XML parser");
  setup(p.get());
  std::vector<char> buf(1 << 16);
  for (;;) {
    zip_int64_t n = zip_fread(f.get(), buf.data(), buf.size());
    if (n < 0) return Invalid("the workbook is damaged: cannot read " + name);
    bool done = n == 0;
    if (XML_Parse(p.get(), buf.data(), int(n), done) == XML_STATUS_ERROR) {
      if (XML_GetErrorCode(p.get()) == XML_ERROR_ABORTED) break;
      return Invalid("the workbook is damaged: " + name + " line " + std::to_string(XML_GetCurrentLineNumber(p.get())) +
                     ": " + XML_ErrorString(XML_GetErrorCode(p.get())));
    }
    if (after_chunk) SY_RETURN_IF_ERROR(after_chunk());
    if (done) break;
  }
  return Status::Ok();
}

// Built-in number formats that show dates (ECMA-376 18.8.30 plus the CJK ones Excel uses).
bool IsBuiltinDateFormat(int id) {
  return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

// A custom format shows a date when, outside quoted text and [...] sections, it has y or d
// (or m without h or s: "mm" alone is minutes only next to hours or seconds).
bool IsDateFormatCode(std::string_view code) {
  bool y = false, d = false, m = false, hs = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      i = code.find('"', i + 1);
      if (i == std::string_view::npos) break;
    } else if (c == '[') {
      i = code.find(']', i + 1);
      if (i == std::string_view::npos) break;
    } else if (c == '\\') {
      ++i;
    } else if (c == 'y' || c == 'Y') {
      y = true;
    } else if (c == 'd' || c == 'D') {
      d = true;
    } else if (c == 'm' || c == 'M') {
      m = true;
    } else if (c == 'h' || c == 'H' || c == 's' || c == 'S') {
      hs = true;
    }
  }
  return y || d || (m && !hs);
}

// Column index (0-based) of a cell reference such as "AB12"; -1 when malformed.
int ColumnOf(std::string_view ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > 16384) return -1;
  }
  return i == 0 ? -1 : col - 1;
}

// A number cell as people read it: integral values without exponent or decimals.
std::string NumberText(const std::string& v) {
  if (v.find_first_of("eE.") == std::string::npos) return v;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(d)) return v;
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

// " HH:MM:SS" of a date-time serial's fraction (to the nearest second); "" for a whole day.
std::string ExcelTimeOfDay(double serial) {
  auto secs = static_cast<int64_t>(std::llround((serial - std::floor(serial)) * 86400.0));
  if (secs <= 0 || secs >= 86400) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d:%02d", int(secs / 3600), int(secs / 60 % 60), int(secs % 60));
  return buf;
}

}  // namespace

std::string ExcelSerialDate(double serial) {
  if (!(serial >= 1 && serial < 2958466)) return "";
  using namespace std::chrono;
  auto whole = static_cast<int>(std::floor(serial));
  // Serial 60 is the 29 February 1900 that never was (Lotus 1-2-3's bug, kept by Excel).
  if (whole == 60) return "1900-02-29";
  sys_days base = sys_days{1899y / December / 30} + days(whole < 60 ? 1 : 0);
  return FormatDay(year_month_day{base + days(whole)});
}

Status ReadCsvRows(std::istream& in, const RowSink& sink, std::string& encoding) {
  enum class Enc { kUndecided, kUtf8, kGb } enc = Enc::kUndecided;
  Gb18030 gb;
  std::string line, converted;
  std::unique_ptr<CsvRecords> records;
  int64_t line_no = 0, record_line = 0;
  std::string record_problem;
  TableRow row;
  encoding = "utf-8";
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      line.erase(0, 3);
      enc = Enc::kUtf8;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view text = line;
    std::string problem;
    if (!IsAscii(line)) {
      if (enc == Enc::kUndecided) {
        if (IsValidUtf8(line)) {
          enc = Enc::kUtf8;
        } else if (gb.available() && gb.Convert(line, converted)) {
          enc = Enc::kGb;
          encoding = "gb18030";
        } else {
          return Invalid("line " + std::to_string(line_no) +
                         " is neither UTF-8 nor GB18030 text: save the file as CSV UTF-8 (or GB18030/GBK) and try again");
        }
      }
      if (enc == Enc::kUtf8) {
        if (!IsValidUtf8(line)) problem = "is not valid UTF-8 text (the file is read as UTF-8)";
      } else if (gb.Convert(line, converted)) {
        text = converted;
      } else {
        problem = "is not valid GB18030 text (the file is read as GB18030/GBK)";
      }
    }
    if (!records) records = std::make_unique<CsvRecords>(GuessSeparator(text));
    if (!records->open()) {
      record_line = line_no;
      record_problem.clear();
    }
    if (!problem.empty() && record_problem.empty()) record_problem = "line " + std::to_string(line_no) + " " + problem;
    if (!records->Feed(text)) continue;
    row.line = record_line;
    row.cells = std::move(records->cells());
    row.problem = record_problem;
    SY_RETURN_IF_ERROR(sink(row));
  }
  if (in.bad()) return Internal("cannot read the file");
  if (records && records->open()) {
    records->Close();
    row.line = record_line;
    row.cells = std::move(records->cells());
    row.problem = "a quoted field opened on this line is never closed";
    SY_RETURN_IF_ERROR(sink(row));
  }
  return Status::Ok();
}

Status ReadXlsxRows(const std::string& bytes, const RowSink& sink) {
  const char* not_xlsx = "the file is not an XLSX workbook (save it from Excel or WPS as .xlsx, or as CSV)";
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  if (!src) return Internal("cannot read the workbook");
  std::unique_ptr<zip_t, ZipCloser> zip(zip_open_from_source(src, ZIP_RDONLY, &zerr));
  if (!zip) {
    zip_source_free(src);
    return Invalid(not_xlsx);
  }

  // The first sheet: workbook.xml names it, its relationship gives the part.
  std::string first_rid, sheet_part;
  Status st = ParseEntry(zip.get(), "xl/workbook.xml", [&](XML_Parser p) {
    XML_SetUserData(p, &first_rid);
    XML_SetStartElementHandler(p, [](void* ud, const XML_Char* name, const XML_Char** attrs) {
      auto& rid = *static_cast<std::string*>(ud);
      if (rid.empty() && Local(name) == "sheet")
        if (const char* v = Attr(attrs, "id")) rid = v;
    });
  });
  if (st.code() == Code::kNotFound) return Invalid(not_xlsx);
  SY_RETURN_IF_ERROR(st);
  if (!first_rid.empty()) {
    std::pair<std::string, std::string> ctx{first_rid, ""};
    st = ParseEntry(zip.get(), "xl/_rels/workbook.xml.rels", [&](XML_Parser p) {
      XML_SetUserData(p, &ctx);
      XML_SetStartElementHandler(p, [](void* ud, const XML_Char* name, const XML_Char** attrs) {
        auto& c = *static_cast<std::pair<std::string, std::string>*>(ud);
        const char* id = Attr(attrs, "Id");
        const char* target = Attr(attrs, "Target");
        if (Local(name) == "Relationship" && id && target && c.first == id) c.second = target;
      });
    });
    if (!st.ok() && st.code() != Code::kNotFound) return st;
    if (!ctx.second.empty()) {
      sheet_part = ctx.second;
      if (sheet_part.front() == '/') sheet_part.erase(0, 1);
      else sheet_part = "xl/" + sheet_part;
    }
  }
  if (sheet_part.empty()) sheet_part = "xl/worksheets/sheet1.xml";

  // Shared strings: the text of each <si>, rich-text runs joined, phonetic guides left out.
  struct Shared {
    std::vector<std::string> strings;
    std::string text;
    bool in_t = false;
    int in_rph = 0;
  } shared;
  st = ParseEntry(zip.get(), "xl/sharedStrings.xml", [&](XML_Parser p) {
    XML_SetUserData(p, &shared);
    XML_SetElementHandler(
        p,
        [](void* ud, const XML_Char* name, const XML_Char**) {
          auto& s = *static_cast<Shared*>(ud);
          auto n = Local(name);
          if (n == "si") s.text.clear();
          else if (n == "rPh") ++s.in_rph;
          else if (n == "t") s.in_t = s.in_rph == 0;
        },
        [](void* ud, const XML_Char* name) {
          auto& s = *static_cast<Shared*>(ud);
          auto n = Local(name);
          if (n == "si") s.strings.push_back(std::move(s.text));
          else if (n == "rPh") --s.in_rph;
          else if (n == "t") s.in_t = false;
        });
    XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* text, int len) {
      auto& s = *static_cast<Shared*>(ud);
      if (s.in_t) s.text.append(text, size_t(len));
    });
  });
  if (!st.ok() && st.code() != Code::kNotFound) return st;

  // Styles: which cell formats (the s attribute) show dates.
  struct Styles {
    std::set<int> date_formats;  // custom numFmtIds that are dates
    std::vector<bool> xf_is_date;
    int in_cell_xfs = 0;
  } styles;
  st = ParseEntry(zip.get(), "xl/styles.xml", [&](XML_Parser p) {
    XML_SetUserData(p, &styles);
    XML_SetElementHandler(
        p,
        [](void* ud, const XML_Char* name, const XML_Char** attrs) {
          auto& s = *static_cast<Styles*>(ud);
          auto n = Local(name);
          if (n == "numFmt") {
            const char* id = Attr(attrs, "numFmtId");
            const char* code = Attr(attrs, "formatCode");
            if (id && code && IsDateFormatCode(code)) s.date_formats.insert(std::atoi(id));
          } else if (n == "cellXfs") {
            ++s.in_cell_xfs;
          } else if (n == "xf" && s.in_cell_xfs) {
            const char* id = Attr(attrs, "numFmtId");
            int fmt = id ? std::atoi(id) : 0;
            s.xf_is_date.push_back(IsBuiltinDateFormat(fmt) || s.date_formats.count(fmt) > 0);
          }
        },
        [](void* ud, const XML_Char* name) {
          auto& s = *static_cast<Styles*>(ud);
          if (Local(name) == "cellXfs") --s.in_cell_xfs;
        });
  });
  if (!st.ok() && st.code() != Code::kNotFound) return st;

  // The sheet, row by row; each finished row goes to the sink between chunks of XML.
  struct Sheet {
    const Shared* shared;
    const Styles* styles;
    std::vector<TableRow> ready;
    TableRow row;
    int64_t next_row = 1;
    int col = -1, next_col = 0;
    std::string type, value;
    bool is_date = false, in_v = false, in_is_t = false;
    int in_is = 0, in_rph = 0;
  } sheet{&shared, &styles, {}, {}, 1, -1, 0, "", "", false, false, false, 0, 0};
  st = ParseEntry(
      zip.get(), sheet_part,
      [&](XML_Parser p) {
        XML_SetUserData(p, &sheet);
        XML_SetElementHandler(
            p,
            [](void* ud, const XML_Char* name, const XML_Char** attrs) {
              auto& s = *static_cast<Sheet*>(ud);
              auto n = Local(name);
              if (n == "row") {
                const char* r = Attr(attrs, "r");
                s.row = TableRow{};
                s.row.line = r ? std::atoll(r) : s.next_row;
                s.next_row = s.row.line + 1;
                s.next_col = 0;
              } else if (n == "c") {
                const char* r = Attr(attrs, "r");
                s.col = r ? ColumnOf(r) : s.next_col;
                const char* t = Attr(attrs, "t");
                s.type = t ? t : "n";
                const char* style = Attr(attrs, "s");
                size_t xf = style ? size_t(std::atoi(style)) : 0;
                s.is_date = xf < s.styles->xf_is_date.size() && s.styles->xf_is_date[xf];
                s.value.clear();
              } else if (n == "v") {
                s.in_v = true;
              } else if (n == "is") {
                ++s.in_is;
              } else if (n == "rPh") {
                ++s.in_rph;
              } else if (n == "t" && s.in_is) {
                s.in_is_t = s.in_rph == 0;
              }
            },
            [](void* ud, const XML_Char* name) {
              auto& s = *static_cast<Sheet*>(ud);
              auto n = Local(name);
              if (n == "v") {
                s.in_v = false;
              } else if (n == "is") {
                --s.in_is;
              } else if (n == "rPh") {
                --s.in_rph;
              } else if (n == "t") {
                s.in_is_t = false;
              } else if (n == "c") {
                if (s.col < 0) return;
                std::string text;
                if (s.type == "s") {
                  size_t i = size_t(std::atoll(s.value.c_str()));
                  if (i < s.shared->strings.size()) text = s.shared->strings[i];
                } else if (s.type == "inlineStr" || s.type == "str") {
                  text = s.value;
                } else if (s.type == "b") {
                  text = s.value == "1" ? "TRUE" : "FALSE";
                } else if (s.type == "e") {
                  text = "";  // #N/A and friends: no value
                } else if (s.type == "d") {
                  text = s.value.substr(0, 10);  // ISO 8601 date cell
                } else if (s.is_date && !s.value.empty()) {
                  double serial = std::strtod(s.value.c_str(), nullptr);
                  text = ExcelSerialDate(serial);
                  if (text.empty()) text = s.value;
                  else text += ExcelTimeOfDay(serial);
                } else {
                  text = NumberText(s.value);
                }
                if (size_t(s.col) >= s.row.cells.size()) s.row.cells.resize(size_t(s.col) + 1);
                s.row.cells[size_t(s.col)] = std::move(text);
                s.next_col = s.col + 1;
                s.col = -1;
              } else if (n == "row") {
                s.ready.push_back(std::move(s.row));
              }
            });
        XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* text, int len) {
          auto& s = *static_cast<Sheet*>(ud);
          if (s.in_v || s.in_is_t) s.value.append(text, size_t(len));
        });
      },
      [&]() -> Status {
        for (const auto& r : sheet.ready) SY_RETURN_IF_ERROR(sink(r));
        sheet.ready.clear();
        return Status::Ok();
      });
  if (st.code() == Code::kNotFound) return Invalid("the workbook has no worksheet");
  return st;
}

// Spaces (also U+3000), '_', '-', '*', '.', ':' and ASCII case do not matter in a header.
std::string NormalizeHeader(std::string_view h) {
  std::string out;
  for (size_t i = 0; i < h.size(); ++i) {
    char c = h[i];
    if (h.compare(i, 3, "\xE3\x80\x80") == 0 || h.compare(i, 3, "\xEF\xBC\x9A") == 0) {  // 全角空格, ：
      i += 2;
      continue;
    }
    if (c == ' ' || c == '_' || c == '-' || c == '*' || c == '.' || c == ':' || c == '\t') continue;
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  return out;
}

// Leading and trailing ASCII white space and U+3000 removed.
std::string_view Trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    else if (s.size() >= 3 && s.compare(0, 3, "\xE3\x80\x80") == 0) s.remove_prefix(3);
    else break;
  }
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    else if (s.size() >= 3 && s.compare(s.size() - 3, 3, "\xE3\x80\x80") == 0) s.remove_suffix(3);
    else break;
  }
  return s;
}

// A non-negative amount with at most `decimals` decimals, as minor units (×10^decimals).
// "¥", "￥", thousands separators and spaces are ignored. nullopt with `why` set otherwise.
std::optional<int64_t> ParseAmount(std::string_view s, int decimals, int64_t max, std::string& why) {
  std::string t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\xC2\xA5") == 0) {  // ¥
      i += 1;
      continue;
    }
    if (s.compare(i, 3, "\xEF\xBF\xA5") == 0) {  // ￥
      i += 2;
      continue;
    }
    if (s[i] == ',' || s[i] == ' ') continue;
    t += s[i];
  }
  bool negative = !t.empty() && t[0] == '-';
  if (negative || (!t.empty() && t[0] == '+')) t.erase(0, 1);
  auto dot = t.find('.');
  std::string whole = t.substr(0, dot), frac = dot == std::string::npos ? "" : t.substr(dot + 1);
  // Trailing zeros past the allowed decimals ("100.000", "12.0") are harmless.
  while (frac.size() > size_t(decimals) && frac.back() == '0') frac.pop_back();
  auto all_digits = [](const std::string& x) { return x.find_first_not_of("0123456789") == std::string::npos; };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) || whole.size() > 15) {
    why = decimals == 0 ? "must be a whole number" : "must be an amount such as 120.50";
    return std::nullopt;
  }
  if (frac.size() > size_t(decimals)) {
    why = decimals == 0 ? "must be a whole number" : "must have at most " + std::to_string(decimals) + " decimals";
    return std::nullopt;
  }
  int64_t v = std::stoll(whole);
  for (int i = 0; i < decimals; ++i) v = v * 10 + (size_t(i) < frac.size() ? frac[size_t(i)] - '0' : 0);
  if (negative && v != 0) {
    why = "must not be negative";
    return std::nullopt;
  }
  if (v > max) {
    why = "is too large";
    return std::nullopt;
  }
  return v;
}

std::string Placeholders(size_t n) {
  std::string s = "?";
  for (size_t i = 1; i < n; ++i) s += ", ?";
  return s;
}

HeaderMatch MatchHeader(const std::vector<std::string>& cells, std::span<const HeaderAlias> aliases,
                        std::span<const char* const> field_names) {
  HeaderMatch m;
  m.column_of.assign(field_names.size(), -1);
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string h(Trim(cells[i]));
    if (h.empty()) continue;
    std::string key = NormalizeHeader(h);
    // "手机号(必填)" and "Phone (required)": a note in brackets does not matter.
    for (const char* open : {"(", "（", "["}) {
      auto p = key.find(open);
      if (p != std::string::npos && p > 0) key.erase(p);
    }
    const HeaderAlias* hit = nullptr;
    for (const auto& a : aliases)
      if (key == a.header) hit = &a;
    if (!hit) {
      m.ignored.push_back(h);
      continue;
    }
    const char* name = field_names[size_t(hit->field)];
    int& col = m.column_of[size_t(hit->field)];
    if (col >= 0) {
      m.errors.push_back({name, "columns '" + m.headers[size_t(col)] + "' and '" + h + "' are both " + name});
      continue;
    }
    col = int(i);
    m.columns.push_back(h + " → " + name);
    m.headers.resize(std::max(m.headers.size(), i + 1));
    m.headers[i] = h;
  }
  return m;
}

bool IsBlankRow(const TableRow& row) {
  if (!row.problem.empty()) return false;
  for (const auto& c : row.cells)
    if (!Trim(c).empty()) return false;
  return true;
}

Status RunImportTransaction(Context& ctx, bool dry_run, const std::function<Status(store::Tx&)>& body) {
  constexpr int64_t kImportCacheKiB = 192 * 1024;
  auto run = [&](store::Tx& tx) -> Status {
    // SQLite: a large import inserts into several indexes at random places; with the default
    // 2 MB page cache most of that time goes to spilling and re-reading pages. A bigger cache on
    // the writer connection for this transaction, then back to what it was.
    std::optional<int64_t> cache_before;
    if (tx.engine() == store::Engine::kSqlite && !dry_run) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("PRAGMA cache_size"));
      if (!rows.empty()) cache_before = rows[0].Int(0);
      SY_RETURN_IF_ERROR(tx.Exec("PRAGMA cache_size = " + std::to_string(-kImportCacheKiB)).status());
    }
    Status st = body(tx);
    if (cache_before) {
      Status restored = tx.Exec("PRAGMA cache_size = " + std::to_string(*cache_before)).status();
      if (st.ok()) st = restored;
    }
    return st;
  };
  return dry_run ? ctx.db.Read(run) : ctx.db.Write(run);
}

}  // namespace shuyou::service
