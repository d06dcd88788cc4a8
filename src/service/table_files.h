// Reading tabular files row by row, as spreadsheets and other systems export them:
//  - CSV (RFC 4180: quoted fields with commas, quotes and line breaks; CRLF or LF; a ',' ';' or
//    tab separator guessed from the first line), in UTF-8 (with or without BOM) or GB18030/GBK,
//    converted to UTF-8 line by line with glibc's iconv. Streamed: one record in memory at a time.
//  - XLSX: the first worksheet through libzip and expat, with shared and inline strings, numbers
//    (integral values written without exponent or ".0") and date serial numbers in date-formatted
//    cells written as YYYY-MM-DD (followed by " HH:MM:SS" when the cell also holds a time of day). The sheet is parsed as it is decompressed; shared strings are
//    held in memory.
// Rows are handed to a callback with their line (CSV: the physical line the record starts on,
// counting from 1; XLSX: the row number) and cells as UTF-8 text; a row the reader cannot
// decode arrives with `problem` set. A callback error stops reading and is returned.
// Also the pieces every importer shares: header matching by alias, cell trimming, amounts as
// people type them, the problem list of a report, and the transaction an import runs in.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "service/services.h"

namespace shuyou::service {

struct TableRow {
  int64_t line = 0;
  std::vector<std::string> cells;
  std::string problem;  // "" when the row was read cleanly
};

using RowSink = std::function<Status(const TableRow&)>;

// `encoding` is set to "utf-8" or "gb18030" (the first non-ASCII line decides; all-ASCII files
// are "utf-8"). Invalid when the first non-ASCII line is neither UTF-8 nor GB18030.
Status ReadCsvRows(std::istream& in, const RowSink& sink, std::string& encoding);
// Invalid when `bytes` is not an XLSX workbook (or has no worksheet).
Status ReadXlsxRows(const std::string& bytes, const RowSink& sink);

// An Excel date serial number (1900 date system, fraction = time of day) as YYYY-MM-DD;
// "" when out of range (before 1900-01-01 or after 9999-12-31).
std::string ExcelSerialDate(double serial);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// ---- shared by the importers ----

// One problem with one row of an imported file.
struct ImportProblem {
  int64_t line = 0;    // CSV: the line the record starts on (header = 1); XLSX: the row number
  std::string column;  // the header as written in the file ("" for the whole row)
  std::string value;
  std::string message;
};

// A header name as a file may write it, and the importer's field number it stands for.
struct HeaderAlias {
  const char* header;  // as NormalizeHeader leaves it
  int field;
};

// Where each field's column is, found from a header row.
struct HeaderMatch {
  std::vector<int> column_of;               // per field: the 0-based column, -1 when absent
  std::vector<std::string> headers;         // per column: the header as written ("" if unused)
  std::vector<std::string> columns;         // "手机号 → phone", for the report
  std::vector<std::string> ignored;         // headers that name no field
  std::vector<FieldError> errors;           // two columns for one field
};

// Spaces (also U+3000), '_', '-', '*', '.', ':' and ASCII case do not matter in a header.
std::string NormalizeHeader(std::string_view h);
// Matches each cell of a header row against `aliases` (after NormalizeHeader; a note in
// brackets such as "手机号(必填)" is left out). `field_names[f]` names field f in messages.
HeaderMatch MatchHeader(const std::vector<std::string>& cells, std::span<const HeaderAlias> aliases,
                        std::span<const char* const> field_names);

// Leading and trailing ASCII white space and U+3000 removed.
std::string_view Trim(std::string_view s);
// True when every cell is empty after Trim (and the row was read cleanly).
bool IsBlankRow(const TableRow& row);

// A non-negative amount with at most `decimals` decimals, as minor units (×10^decimals).
// "¥", "￥", thousands separators and spaces are ignored; extra trailing zeros are harmless.
// nullopt with `why` set otherwise ("must not be negative", "is too large", …).
std::optional<int64_t> ParseAmount(std::string_view s, int decimals, int64_t max, std::string& why);

// "?, ?, ?" with n placeholders.
std::string Placeholders(size_t n);

// Runs `body` as one import: in a read-only transaction for a dry run, else in one write
// transaction (on SQLite with a larger page cache for its duration, restored afterwards).
Status RunImportTransaction(Context& ctx, bool dry_run, const std::function<Status(store::Tx&)>& body);

}  // namespace shuyou::service
