// Catalog import from a supplier's or another system's list: books and other items in a CSV
// (UTF-8 or GB18030) or XLSX file whose columns are found by their header names in Chinese or
// English (service/table_files.h reads the file).
// Guarantees:
//  - A dry run reads and checks every row against the catalog and writes nothing. A real run
//    makes the same checks and writes every good row in ONE transaction with one audit row; on
//    any database failure nothing is written.
//  - A product is found by its code (ISBN in either form, stored as ISBN-13; or EAN/UPC). A new
//    code creates a product marked imported; a known one is updated only in the fields the file
//    gives (non-empty cells) that differ, so the same file imported twice changes nothing the
//    second time. Rows with the same code twice in a file: the first counts, the later ones are
//    reported. Every row is checked by the same rules as the catalog form (ApplyProductFields).
//  - Categories are named by code ("fiction.scifi"), name ("科幻") or path ("文学/科幻"); parts of
//    a path that do not exist yet are created under their parent (listed in the report, so a
//    dry run shows them first). A name that several categories share is reported, not guessed.
//  - Opening stock arrives as one stock receipt per store ('receive' movements, the level
//    raised in the same statement batch), only for products that have no stock movements in
//    that store yet: stock already counted or sold there is never overwritten by a file.
//    stock_levels.on_hand stays the sum of its movements.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "service/services.h"
#include "service/table_files.h"

namespace shuyou::service {

struct ProductImportOptions {
  bool dry_run = true;
  std::string file_name;                // recorded in the receipt's reference and the audit row
  std::optional<int64_t> store_id;      // where opening stock goes for rows without a store column;
  std::string store_code;               // or the same store by its code (the CLI's --store)
  size_t max_errors = 1000;             // problems listed in the report; all are counted
};

struct ProductImportReport {
  bool dry_run = true;
  std::string encoding;    // "utf-8", "gb18030" or "xlsx"
  int64_t rows = 0;        // data rows read (blank rows ignored)
  int64_t valid = 0;       // rows without problems: created + updated + unchanged
  int64_t created = 0;     // new products (dry run: that would be created)
  int64_t updated = 0;     // known products with at least one field changed
  int64_t unchanged = 0;   // known products the file agrees with
  int64_t invalid = 0;     // rows with at least one problem (not imported)
  int64_t stock_rows = 0;  // rows whose opening stock is received
  int64_t stock_units = 0;
  int64_t stock_kept = 0;  // rows with stock for a product already stocked in that store (not applied)
  int64_t reorder_points = 0;                 // reorder points set or changed
  std::optional<int64_t> store_id;            // the default store for opening stock
  std::vector<int64_t> receipt_ids;           // stock receipts written (real run)
  std::vector<std::string> new_categories;    // paths of categories created ("文学/科幻")
  int64_t error_count = 0;
  std::vector<ImportProblem> errors;          // the first max_errors problems, by line
  std::vector<std::string> columns;           // "定价 → list_price"
  std::vector<std::string> ignored_columns;
};

// Owners and managers (a manager's opening stock goes only to their home store, which is also
// the default store when none is given). Invalid when the header row has no code column (ISBN
// or barcode), names one field twice, when the file is neither UTF-8 nor GB18030, or when the
// store given does not exist.
Result<ProductImportReport> ImportProductsCsv(Context& ctx, const Actor& actor, std::istream& in,
                                              const ProductImportOptions& opt);
Result<ProductImportReport> ImportProductsXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                               const ProductImportOptions& opt);

}  // namespace shuyou::service
