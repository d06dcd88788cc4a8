// Sales history import: a store moving to Shuyou brings its past sales from a CSV (UTF-8 or
// GB18030) or XLSX file, one row per receipt line, whose columns are found by their header names
// in Chinese or English (or mapped by hand). Guarantees:
//  - A receipt (rows with the same receipt number in the same store) becomes one sale with
//    source 'import' and receipt_number "<store code>-I-<number>" (till receipts are
//    "<store code>-<yyyymmdd>-<id>", never with "I" in the middle, so the two cannot collide).
//    A receipt is imported whole or not at all: one bad row keeps all its rows out (each is
//    reported). Its rows must agree on the date-time and the customer.
//  - Negative quantities are returns. They are given back against the latest earlier imported
//    sale (this file or an earlier import) of that product to the same customer (without a
//    customer: to nobody, in the same store) that still has enough units not yet returned, then
//    the next older one, as the till's returns do: refund = the sold line's price for the
//    units, cumulatively exact. A return with nothing to return against is reported and not
//    imported (there is no sale to refer to; a history does not invent one). A receipt with both
//    signs is a sale of its positive rows and, at the same moment, a return of its negative ones.
//  - Customers are found by phone (any form, E.164 through core::NormalizePhone) or by card
//    number (Shuyou's or the previous system's, members.legacy_card_number); an unknown phone
//    becomes a member (created_by "sales_import:<file>", home store and joined_on = the store
//    and day of their first sale in the file). Products are found by ISBN (ISBN-10 converted)
//    or barcode; an unknown one is created, marked imported, with the row's description and
//    price (the first row that names it).
//  - Stock is not changed: the history happened before today's stock count.
//  - Member statistics (total spend, visits, last visit, member_daily, member_genres) are
//    recorded as the till's RecordPurchase does, in bulk; afterwards each member is checked
//    once for a tier upgrade on today's rolling window. Points are earned (EarnForPurchase, per
//    sale, on the sale's day, and taken back on returns by ReversePoints) only with
//    earn_points.
//  - The report aggregates are fed for every sale and return (service/report_feed.h).
//  - A dry run checks everything (also which receipts, customers and products exist, and
//    which returns find their sale) and writes nothing. A real run writes every good receipt in
//    ONE transaction with one audit row ("sale.import"); receipts already imported are skipped
//    and counted, so the same file again changes nothing.
//  - The whole file is held in memory in compact form (a row is ≈ 60 bytes plus its share of the
//    distinct receipt numbers, phones and codes); 500,000 rows peak at about 520 MB with SQLite's
//    import page cache (bench/sales_import/run.sh).
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/services.h"
#include "service/table_files.h"

namespace shuyou::service {

struct SalesImportOptions {
  bool dry_run = true;
  std::string file_name;            // in created_by of new members and the audit row
  std::optional<int64_t> store_id;  // the store of rows without a store column
  std::string store_code;           // or that store by its code (the CLI's --store)
  // Columns named by hand: header as written in the file → field (receipt, date, time, phone,
  // customer, isbn, barcode, description, quantity, unit_price, store). They win over the
  // built-in header names.
  std::vector<std::pair<std::string, std::string>> mapping;
  bool earn_points = false;
  size_t max_errors = 1000;  // problems listed in the report; all are counted
};

struct SalesImportReport {
  bool dry_run = true;
  std::string encoding;        // "utf-8", "gb18030" or "xlsx"
  int64_t rows = 0;            // data rows read (blank rows ignored)
  int64_t valid = 0;           // rows imported (dry run: that would be)
  int64_t invalid = 0;         // rows not imported because of a problem (theirs or their receipt's)
  int64_t receipts = 0;        // receipts imported (sales and return receipts)
  int64_t receipts_skipped = 0;  // receipts already imported earlier: left alone
  int64_t rows_skipped = 0;      // their rows
  int64_t sales = 0, lines = 0;  // sales and sale lines written
  int64_t returns = 0, return_lines = 0;  // sale_returns rows (one per sale returned against) and lines
  int64_t net_total = 0;       // Σ net of the sales, minor units
  int64_t refund_total = 0;    // Σ refunds of the returns
  int64_t members_created = 0, products_created = 0;
  int64_t points_earned = 0;   // with earn_points, net of points taken back by returns
  int64_t tier_changes = 0;
  std::string first_day, last_day;  // business days of the earliest and latest receipt imported
  std::optional<int64_t> store_id;  // the default store
  int64_t error_count = 0;
  std::vector<ImportProblem> errors;  // the first max_errors problems, by line
  std::vector<std::string> columns;
  std::vector<std::string> ignored_columns;
};

// Owners and managers (a manager only into their home store). Invalid when the header has no
// receipt, date, code or quantity column, a mapping names an unknown field, the store given does
// not exist, or the file cannot be read.
Result<SalesImportReport> ImportSalesCsv(Context& ctx, const Actor& actor, std::istream& in,
                                         const SalesImportOptions& opt);
Result<SalesImportReport> ImportSalesXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                          const SalesImportOptions& opt);

}  // namespace shuyou::service
