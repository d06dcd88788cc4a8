// Reading tabular files row by row, as spreadsheets and other systems export them:
//  - CSV (RFC 4180: quoted fields with commas, quotes and line breaks; CRLF or LF; a ',' ';' or
//    tab separator guessed from the first line), in UTF-8 (with or without BOM) or GB18030/GBK,
//    converted to UTF-8 line by line with glibc's iconv. Streamed: one record in memory at a time.
//  - XLSX: the first worksheet through libzip and expat, with shared and inline strings, numbers
//    (integral values written without exponent or ".0") and date serial numbers in date-formatted
//    cells written as YYYY-MM-DD. The sheet is parsed as it is decompressed; shared strings are
//    held in memory.
// Rows are handed to a callback with their line (CSV: the physical line the record starts on,
// counting from 1; XLSX: the row number) and cells as UTF-8 text; a row the reader cannot
// decode arrives with `problem` set. A callback error stops reading and is returned.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/status.h"

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

}  // namespace shuyou::service
