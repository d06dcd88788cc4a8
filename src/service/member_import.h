// Member import from another system's list: a CSV (UTF-8 with or without BOM, or GB18030/GBK)
// or XLSX file whose columns are found by their header names in Chinese or English.
// Guarantees:
//  - A dry run reads and checks every row (and looks up which phones are already members) and
//    writes nothing. A real run makes the same checks and writes every good row in ONE
//    transaction with one audit row; on any database failure nothing is written.
//  - Rows whose phone is already a member are skipped (never duplicated, never overwritten), so
//    importing the same file twice adds nothing the second time. Of several rows with the same
//    phone in one file the first is imported and the later ones are reported.
//  - CSV is streamed: memory grows with the number of distinct phones (8 bytes each plus hash
//    overhead), not with the file. XLSX is read whole (libzip + expat); big lists should be CSV.
//  - Opening balances (points, stored value) become one 'adjust' ledger row each, reason
//    "imported opening balance", so the cached balances equal their ledgers.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "service/services.h"
#include "service/table_files.h"  // ImportProblem

namespace shuyou::service {

enum class ImportFormat { kCsv, kXlsx };

struct ImportOptions {
  bool dry_run = true;
  std::string file_name;     // recorded as consent source "import:<file_name>" and in the audit row
  size_t max_errors = 1000;  // errors listed in the report; all are counted
  // SQLite, real run: once this many rows have gone in, and at least as many as the members
  // table held before, the members' non-unique indexes are dropped inside the import's
  // transaction and built again (sorted, from the table) before it commits — much cheaper than
  // a million random inserts into each. Readers keep their snapshot, which has the indexes; a
  // failure rolls the drop back with everything else. 0: never. PostgreSQL keeps its indexes
  // (DROP INDEX would lock readers out of the table until the commit).
  int64_t index_rebuild_rows = 100'000;
};

struct ImportReport {
  bool dry_run = true;
  std::string encoding;  // "utf-8", "gb18030" or "xlsx"
  int64_t rows = 0;      // data rows read (blank rows ignored)
  int64_t valid = 0;     // rows that are (dry run: would be) imported
  int64_t imported = 0;  // rows written (0 on a dry run)
  int64_t skipped = 0;   // rows whose phone is already a member
  int64_t invalid = 0;   // rows with at least one problem
  int64_t error_count = 0;              // every problem found, listed or not
  int64_t indexes_rebuilt = 0;          // SQLite: members' indexes dropped and built again (see above)
  std::vector<ImportProblem> errors;    // the first max_errors problems, by line
  std::vector<std::string> columns;     // recognized headers → field ("手机号 → phone")
  std::vector<std::string> ignored_columns;  // headers that were not recognized
};

// Imports members from a CSV stream. Invalid (nothing read further) when the header row has no
// phone column, names one field twice, or the file is neither UTF-8 nor GB18030.
Result<ImportReport> ImportMembersCsv(Context& ctx, const Actor& actor, std::istream& in, const ImportOptions& opt);
// Imports members from an XLSX file's first worksheet, given as the file's bytes.
Result<ImportReport> ImportMembersXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                       const ImportOptions& opt);

}  // namespace shuyou::service
