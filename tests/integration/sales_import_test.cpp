// Sales history import on both engines: through POST /api/v1/sales/import a dry run that reports
// every kind of bad row with its line and writes nothing; a real run that writes sales, lines,
// payments and returns (matched to the earlier sale), creates members and products marked
// imported, leaves stock alone, records member statistics like the till, earns no points, feeds
// the report aggregates and passes `shuyou check`; a repeat that changes nothing; points only
// with earn_points; XLSX with English headers, a date-time cell and a mapped column; refused
// requests. Then `shuyou import sales` from the command line, with --dry-run, --store and --map.
// Expected numbers are worked out by hand from the file, never read back from the importer.
#include <unistd.h>
#include <xlsxwriter.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/check.h"
#include "service/report_feed.h"
#include "service/services.h"
#include "service/staff.h"
#include "support/api_client.h"
#include "support/process.h"
#include "support/test_db.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Line numbers: the header is line 1. Times are Asia/Shanghai (UTC+8).
const std::string kHistoryCsv =
    "\xEF\xBB\xBF" "小票号,销售时间,手机号,ISBN,书名,数量,单价,门店,收银员\r\n"
    "A1,2024-03-05 14:30,13800138000,978-7-5442-4536-4,活着,2,¥39.80,MAIN,王\r\n"   // 2: new member, new book
    "A1,2024-03-05 14:30,13800138000,7532744515,挪威的森林,1,36,MAIN,王\r\n"        // 3: ISBN-10 → 9787532744510
    "A2,2024/3/6 10:00,,6901234567892,书签,3,5,MAIN,李\r\n"                          // 4: anonymous, an item
    "A3,2024年3月9日 11:00,138 0013 8000,9787544245364,活着,-1,39.80,MAIN,王\r\n"    // 5: return against A1
    "B1,2024-02-30 10:00,13900139000,9787544245364,活着,1,39.80,MAIN,\r\n"          // 6: not a real date
    "B2,2024-03-10 10:00,12345,9787544245364,活着,1,39.80,MAIN,\r\n"                // 7: not a phone
    "B3,2024-03-10 10:00,,9787544245364,活着,0,39.80,MAIN,\r\n"                     // 8: quantity 0
    "B4,2024-03-10 10:00,,9787544245364,活着,1,三十,MAIN,\r\n"                      // 9: bad price
    ",2024-03-10 10:00,,9787544245364,活着,1,39.80,MAIN,\r\n"                       // 10: no receipt number
    "B6,2024-03-10 10:00,,9787544245364,活着,1,39.80,NOPE,\r\n"                     // 11: unknown store
    "B7,2024-03-11 10:00,13700137000,9787544245364,活着,-1,39.80,MAIN,\r\n"         // 12: nothing to return
    "B8,2024-03-12 10:00,,9787544245364,活着,1,39.80,MAIN,\r\n"                     // 13: good, but …
    "B8,2024-03-12 10:00,,9787101111119,坏书,1,20,MAIN,\r\n"                        // 14: … bad check digit
    "\r\n"                                                                           // 15: blank
    "B9,2099-01-01 10:00,,9787544245364,活着,1,39.80,MAIN,\r\n"                     // 16: in the future
    "C1,2024-03-13 09:00,,9787544245364,活着,1,-39.80,MAIN,\r\n";                   // 17: negative price

// 2024-03-05 14:30 in Shanghai, as UTC epoch ms.
constexpr int64_t kA1At = 1709620200000;

class SalesImport : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  Reply Import(const std::string& body, bool dry_run, const std::string& extra = "",
               const std::string& type = "text/csv", const Caller* who = nullptr) {
    return SendRaw(who ? *who : manager_, "POST",
                   "/api/v1/sales/import?dry_run=" + std::string(dry_run ? "true" : "false") +
                       "&file_name=history.csv" + extra,
                   body, type);
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
      n = rows.empty() || rows[0].IsNull(0) ? 0 : rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  std::string Text(const std::string& sql) {
    std::string s;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
      s = rows.empty() || rows[0].IsNull(0) ? "<none>" : rows[0].Text(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return s;
  }

  // `shuyou check`'s invariants, and the report aggregates equal to a rebuild from the raw rows.
  void ExpectClean() {
    auto problems = service::CheckInvariants(app_->context());
    ASSERT_TRUE(problems.ok()) << problems.status().message();
    EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front().invariant + " " + problems->front().subject);
    auto reports = service::CheckReports(app_->context());
    ASSERT_TRUE(reports.ok()) << reports.status().message();
    EXPECT_TRUE(reports->empty()) << (reports->empty() ? "" : reports->front().invariant + " " + reports->front().subject);
  }

  Caller manager_, cashier_;
};

void ExpectProblem(const json& report, int64_t line, const std::string& column, const std::string& fragment) {
  for (const auto& e : report["errors"])
    if (e["line"] == line && e["column"] == column && e["message"].get<std::string>().find(fragment) != std::string::npos)
      return;
  ADD_FAILURE() << "no problem on line " << line << " column '" << column << "' saying '" << fragment << "' in "
                << report["errors"].dump(1);
}

TEST_P(SalesImport, DryRunReportsEveryBadRowWithItsLineAndWritesNothing) {
  int64_t audits = CountRows("audit_log");
  Reply r = Import(kHistoryCsv, true);
  ASSERT_EQ(r.status, 200) << r.body;
  const json& rep = r.json;
  EXPECT_EQ(rep["dry_run"], true);
  EXPECT_EQ(rep["encoding"], "utf-8");
  EXPECT_EQ(rep["rows"], 15);
  EXPECT_EQ(rep["valid"], 4);       // A1 ×2, A2, A3
  EXPECT_EQ(rep["invalid"], 11);
  EXPECT_EQ(rep["receipts"], 3);
  EXPECT_EQ(rep["sales"], 2);
  EXPECT_EQ(rep["lines"], 3);
  EXPECT_EQ(rep["returns"], 1);
  EXPECT_EQ(rep["return_lines"], 1);
  EXPECT_EQ(rep["net_total"], 2 * 3980 + 3600 + 3 * 500);
  EXPECT_EQ(rep["refund_total"], 3980);
  EXPECT_EQ(rep["members_created"], 1);
  EXPECT_EQ(rep["products_created"], 3);
  EXPECT_EQ(rep["first_day"], "2024-03-05");
  EXPECT_EQ(rep["last_day"], "2024-03-09");
  EXPECT_EQ(rep["store_id"], store_id_);
  EXPECT_EQ(rep["ignored_columns"], json::array({"收银员"}));
  ExpectProblem(rep, 6, "销售时间", "is not a real date");
  ExpectProblem(rep, 7, "手机号", "");
  ExpectProblem(rep, 8, "数量", "must not be 0");
  ExpectProblem(rep, 9, "单价", "amount such as");
  ExpectProblem(rep, 10, "小票号", "is required");
  ExpectProblem(rep, 11, "门店", "no store has this code");
  ExpectProblem(rep, 12, "数量", "no earlier imported sale");
  ExpectProblem(rep, 13, "", "receipt B8 has a problem on line 14");
  ExpectProblem(rep, 14, "ISBN", "check digit");
  ExpectProblem(rep, 16, "销售时间", "is in the future");
  ExpectProblem(rep, 17, "单价", "must not be negative");
  EXPECT_EQ(rep["error_count"], 11);
  std::vector<int64_t> lines;
  for (const auto& e : rep["errors"]) lines.push_back(e["line"].get<int64_t>());
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));

  for (const char* table : {"sales", "sale_lines", "sale_returns", "sale_payments", "products", "member_daily"})
    EXPECT_EQ(CountRows(table), 0) << table;
  EXPECT_EQ(CountRows("members"), 0);
  EXPECT_EQ(CountRows("audit_log"), audits);
}

TEST_P(SalesImport, RealRunWritesSalesReturnsMembersAndProductsAndARepeatChangesNothing) {
  Reply r = Import(kHistoryCsv, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["dry_run"], false);
  EXPECT_EQ(r.json["sales"], 2);
  EXPECT_EQ(r.json["returns"], 1);

  // Sales with the old receipt numbers, source 'import', no cashier, one cash payment each.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales WHERE source = 'import'"), 2);
  EXPECT_EQ(Count("SELECT at FROM sales WHERE receipt_number = 'MAIN-I-A1'"), kA1At);
  EXPECT_EQ(Text("SELECT business_day FROM sales WHERE receipt_number = 'MAIN-I-A1'"), "2024-03-05");
  EXPECT_EQ(Count("SELECT net_total FROM sales WHERE receipt_number = 'MAIN-I-A1'"), 2 * 3980 + 3600);
  EXPECT_EQ(Count("SELECT refunded_total FROM sales WHERE receipt_number = 'MAIN-I-A1'"), 3980);
  EXPECT_EQ(Text("SELECT status FROM sales WHERE receipt_number = 'MAIN-I-A1'"), "partly_returned");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales WHERE staff_id IS NOT NULL OR shift_id IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT net_total FROM sales WHERE receipt_number = 'MAIN-I-A2' AND member_id IS NULL"), 1500);
  EXPECT_EQ(Text("SELECT business_day FROM sales WHERE receipt_number = 'MAIN-I-A2'"), "2024-03-06");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sale_lines"), 3);
  EXPECT_EQ(Count("SELECT quantity FROM sale_lines WHERE barcode = '9787544245364'"), 2);
  EXPECT_EQ(Count("SELECT returned_qty FROM sale_lines WHERE barcode = '9787544245364'"), 1);
  EXPECT_EQ(Count("SELECT SUM(amount) FROM sale_payments WHERE method = 'cash'"), 2 * 3980 + 3600 + 1500);

  // The return: against A1's line, at A3's time, marked with A3's number.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sale_returns WHERE import_ref = 'MAIN-I-A3' AND business_day = '2024-03-09' "
                  "AND sale_id = (SELECT id FROM sales WHERE receipt_number = 'MAIN-I-A1')"),
            1);
  EXPECT_EQ(Count("SELECT refund FROM return_lines"), 3980);
  EXPECT_EQ(Count("SELECT amount FROM return_payments"), 3980);

  // The member: created by the import, joined the day of the first sale, statistics as the till.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM members"), 1);
  EXPECT_EQ(Text("SELECT phone FROM members"), "+8613800138000");
  EXPECT_EQ(Text("SELECT created_by FROM members"), "sales_import:history.csv");
  EXPECT_EQ(Text("SELECT joined_on FROM members"), "2024-03-05");
  EXPECT_EQ(Count("SELECT home_store_id FROM members"), store_id_);
  EXPECT_EQ(Count("SELECT total_spend FROM members"), 2 * 3980 + 3600 - 3980);
  EXPECT_EQ(Count("SELECT visits FROM members"), 1);
  EXPECT_EQ(Count("SELECT last_visit_at FROM members"), kA1At);
  EXPECT_EQ(Count("SELECT spend FROM member_daily WHERE day = '2024-03-05'"), 2 * 3980 + 3600);
  EXPECT_EQ(Count("SELECT visits FROM member_daily WHERE day = '2024-03-05'"), 1);
  EXPECT_EQ(Count("SELECT spend FROM member_daily WHERE day = '2024-03-09'"), -3980);

  // Products: created, marked imported, named and priced by the file; stock untouched.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM products WHERE imported = 1"), 3);
  EXPECT_EQ(Text("SELECT title FROM products WHERE barcode = '9787532744510'"), "挪威的森林");
  EXPECT_EQ(Text("SELECT kind FROM products WHERE barcode = '6901234567892'"), "item");
  EXPECT_EQ(Count("SELECT list_price FROM products WHERE barcode = '9787544245364'"), 3980);
  EXPECT_EQ(CountRows("stock_movements"), 0);
  EXPECT_EQ(CountRows("stock_levels"), 0);

  // No points without earn_points.
  EXPECT_EQ(CountRows("points_ledger"), 0);
  EXPECT_EQ(Count("SELECT points_balance FROM members"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.import'"), 1);

  // The report aggregates, as for till sales: sales on their own day and local hour, the return
  // on its own; no cashier (staff 0); the member's month and cohort (joined 2024-03).
  EXPECT_EQ(Count("SELECT SUM(net) FROM report_sales_hourly"), 2 * 3980 + 3600 + 1500);
  EXPECT_EQ(Count("SELECT SUM(sales) FROM report_sales_hourly"), 2);
  EXPECT_EQ(Count("SELECT SUM(items) FROM report_sales_hourly"), 2 + 1 + 3);
  EXPECT_EQ(Count("SELECT SUM(member_net) FROM report_sales_hourly"), 2 * 3980 + 3600);
  EXPECT_EQ(Count("SELECT net FROM report_sales_hourly WHERE business_day = '2024-03-05' AND hour = 14 AND staff_id = 0"),
            2 * 3980 + 3600);
  EXPECT_EQ(Count("SELECT returned_net FROM report_sales_hourly WHERE business_day = '2024-03-09' AND hour = 11"), 3980);
  EXPECT_EQ(Count("SELECT SUM(returned_qty) FROM report_items_daily WHERE business_day = '2024-03-09'"), 1);
  EXPECT_EQ(Count("SELECT quantity FROM report_items_monthly WHERE month = '2024-03' AND product_id = "
                  "(SELECT id FROM products WHERE barcode = '9787544245364')"),
            2);
  EXPECT_EQ(Count("SELECT spend FROM report_member_months WHERE month = '2024-03'"), 2 * 3980 + 3600 - 3980);
  EXPECT_EQ(Count("SELECT visits FROM report_member_months WHERE month = '2024-03'"), 1);
  EXPECT_EQ(Count("SELECT first_buyers FROM report_cohorts WHERE cohort = '2024-03' AND month = '2024-03'"), 1);
  ExpectClean();

  // The same file again: every receipt skipped, nothing written.
  Reply again = Import(kHistoryCsv, false);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["receipts_skipped"], 3);
  EXPECT_EQ(again.json["rows_skipped"], 4);
  EXPECT_EQ(again.json["sales"], 0);
  EXPECT_EQ(again.json["returns"], 0);
  EXPECT_EQ(again.json["members_created"], 0);
  EXPECT_EQ(again.json["products_created"], 0);
  EXPECT_EQ(CountRows("sales"), 2);
  EXPECT_EQ(CountRows("sale_returns"), 1);
  EXPECT_EQ(Count("SELECT total_spend FROM members"), 2 * 3980 + 3600 - 3980);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.import'"), 1);

  // A later file may return against the first one's sales (by the same customer).
  Reply later = Import("小票号,日期,手机号,ISBN,数量,单价\nD1,2024-04-01 12:00,13800138000,9787544245364,-1,39.80\n"
                       "D2,2024-04-01 12:05,13800138000,9787544245364,-1,39.80\n",
                       false);
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(later.json["returns"], 1);
  ExpectProblem(later.json, 3, "数量", "is left to return");
  EXPECT_EQ(Text("SELECT status FROM sales WHERE receipt_number = 'MAIN-I-A1'"), "partly_returned");
  EXPECT_EQ(Count("SELECT returned_qty FROM sale_lines WHERE barcode = '9787544245364'"), 2);
  EXPECT_EQ(Count("SELECT refunded_total FROM sales WHERE receipt_number = 'MAIN-I-A1'"), 2 * 3980);
  EXPECT_EQ(Count("SELECT total_spend FROM members"), 3600);
  ExpectClean();
}

// "YYYY-MM-DD" `days` days before today (UTC), for sales recent enough that their points are alive.
std::string DaysAgo(int days) {
  using namespace std::chrono;
  auto d = year_month_day{floor<std::chrono::days>(system_clock::now()) - std::chrono::days(days)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
  return buf;
}

TEST_P(SalesImport, PointsOnlyWhenAsked) {
  const std::string csv = "receipt,date,phone,barcode,description,quantity,unit price\n"
                          "P1," + DaysAgo(5) + " 10:00,13600136000,9787544245364,To Live,1,100\n"
                          "P2," + DaysAgo(4) + " 10:00,13600136000,9787544245364,To Live,1,50\n";
  Reply r = Import(csv, false, "&earn_points=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["sales"], 2);
  int64_t earned = r.json["points_earned"];
  EXPECT_GT(earned, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_ledger WHERE kind = 'earn'"), 2);
  EXPECT_EQ(Count("SELECT SUM(points) FROM points_ledger"), earned);
  EXPECT_EQ(Count("SELECT points_balance FROM members"), earned);
  EXPECT_EQ(Count("SELECT SUM(points_earned) FROM sales"), earned);
  // A return takes them back in proportion, as at the till.
  Reply ret = Import("receipt,date,phone,barcode,quantity,unit price\nP3," + DaysAgo(3) +
                         " 10:00,13600136000,9787544245364,-1,50\n",
                     false, "&earn_points=true");
  ASSERT_EQ(ret.status, 200) << ret.body;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM points_ledger WHERE kind = 'reverse'"), 1);
  EXPECT_EQ(Count("SELECT points_balance FROM members"), Count("SELECT SUM(points) FROM points_ledger"));
  EXPECT_LT(Count("SELECT points_balance FROM members"), earned);
  ExpectClean();
}

// A workbook as another system exports it: English headers, a date-time cell, codes as numbers,
// and a column the importer does not know ("Txn"), mapped by hand.
std::string MakeWorkbook() {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("shuyou-sales-import-" + std::to_string(::getpid()) + ".xlsx")).string();
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Sales");
  lxw_format* when = workbook_add_format(wb);
  format_set_num_format(when, "yyyy-mm-dd hh:mm");
  const char* headers[] = {"Txn", "Date", "Mobile", "ISBN", "Title", "Qty", "Price"};
  for (int c = 0; c < 7; ++c) worksheet_write_string(ws, 0, lxw_col_t(c), headers[c], nullptr);
  // 2024-03-05 14:30 = serial 45356 + 14.5/24.
  worksheet_write_number(ws, 1, 0, 5001, nullptr);
  worksheet_write_number(ws, 1, 1, 45356.0 + 14.5 / 24.0, when);
  worksheet_write_string(ws, 1, 2, "+86 138 0013 8000", nullptr);
  worksheet_write_number(ws, 1, 3, 9787544245364.0, nullptr);
  worksheet_write_string(ws, 1, 4, "To Live", nullptr);
  worksheet_write_number(ws, 1, 5, 2, nullptr);
  worksheet_write_number(ws, 1, 6, 39.8, nullptr);
  worksheet_write_number(ws, 2, 0, 5002, nullptr);
  worksheet_write_string(ws, 2, 1, "yesterday", nullptr);  // not a date
  worksheet_write_number(ws, 2, 3, 9787544245364.0, nullptr);
  worksheet_write_number(ws, 2, 5, 1, nullptr);
  worksheet_write_number(ws, 2, 6, 39.8, nullptr);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream f(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << f.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

TEST_P(SalesImport, XlsxWithEnglishHeadersAndAMappedColumn) {
  std::string book = MakeWorkbook();
  // Without the mapping there is no receipt column.
  Reply no_map = Import(book, true, "", kXlsx);
  EXPECT_EQ(no_map.status, 400) << no_map.body;
  EXPECT_FALSE(no_map.FieldError("receipt").empty()) << no_map.body;
  Reply r = Import(book, false, "&map=Txn%3Dreceipt", kXlsx);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["encoding"], "xlsx");
  EXPECT_EQ(r.json["rows"], 2);
  EXPECT_EQ(r.json["sales"], 1);
  ExpectProblem(r.json, 3, "Date", "must be a date and time");
  EXPECT_EQ(Count("SELECT at FROM sales WHERE receipt_number = 'MAIN-I-5001'"), kA1At);
  EXPECT_EQ(Text("SELECT title FROM products"), "To Live");
  EXPECT_EQ(Text("SELECT phone FROM members"), "+8613800138000");
  Reply bad_map = Import(book, true, "&map=Txn%3Dticket", kXlsx);
  EXPECT_EQ(bad_map.status, 400) << bad_map.body;
  ExpectClean();
}

TEST_P(SalesImport, KnownCustomersByPhoneOrCardAndKnownProductsAreUsed) {
  Reply m = Send(owner_, "POST", "/api/v1/members", json{{"phone", "13800138000"}, {"name", "王芳"}});
  ASSERT_EQ(m.status, 201) << m.body;
  std::string card = m.json["card_number"];
  Reply p = Send(owner_, "POST", "/api/v1/products",
                 json{{"isbn", "9787544245364"}, {"title", "活着（精装）"}, {"list_price", 4500}});
  ASSERT_EQ(p.status, 201) << p.body;
  std::string csv = "单号,日期,时间,会员卡号,条码,品名,数量,单价\n"
                    "K1,2024-06-01,15:45,"
                    + card + ",9787544245364,活着,1,39.80\n"
                    "K2,2024-06-02,,13800138000,9787544245364,活着,1,39.80\n"
                    "K3,2024-06-03,,NOSUCHCARD,9787544245364,活着,1,39.80\n";
  Reply r = Import(csv, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["sales"], 2);
  EXPECT_EQ(r.json["members_created"], 0);
  EXPECT_EQ(r.json["products_created"], 0);
  ExpectProblem(r.json, 4, "会员卡号", "no member has this card number");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales WHERE member_id = " + std::to_string(int64_t(m.json["id"]))), 2);
  // 15:45 in Shanghai; a date alone counts at noon.
  EXPECT_EQ(Text("SELECT business_day FROM sales WHERE receipt_number = 'MAIN-I-K1'"), "2024-06-01");
  EXPECT_EQ(Count("SELECT at FROM sales WHERE receipt_number = 'MAIN-I-K1'"), 1717227900000);
  EXPECT_EQ(Count("SELECT at FROM sales WHERE receipt_number = 'MAIN-I-K2'"), 1717300800000);
  // The line is sold at the file's price under the catalog's title; the product is unchanged.
  EXPECT_EQ(Count("SELECT SUM(unit_price) FROM sale_lines"), 2 * 3980);
  EXPECT_EQ(Count("SELECT list_price FROM products"), 4500);
  EXPECT_EQ(Count("SELECT imported FROM products"), 0);
  EXPECT_EQ(Count("SELECT visits FROM members"), 2);
  ExpectClean();
}

// A history of `receipts` receipts from `first_day` on (10 a day, 10:00–10:09), receipt numbers
// prefix + i. 40 customers' phones (every third receipt anonymous), two books, one or two units;
// every fourth receipt has a second line (a bookmark). Every 100th receipt (i % 100 == 50) is
// the return of one unit of the book a customer bought the day before: `returns` counts them.
std::string BatchHistory(const std::string& prefix, std::chrono::sys_days first_day, int receipts, int& returns) {
  const char* books[] = {"9787544245364", "9787532744510"};
  auto phone = [](int i) { return "138001380" + std::string(i % 40 < 10 ? "0" : "") + std::to_string(i % 40); };
  auto day = [&](int i) {
    std::chrono::year_month_day d{first_day + std::chrono::days(i / 10)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u 10:%02d", int(d.year()), unsigned(d.month()), unsigned(d.day()), i % 10);
    return std::string(buf);
  };
  std::string csv = "小票号,销售时间,手机号,ISBN,数量,单价\n";
  returns = 0;
  for (int i = 0; i < receipts; ++i) {
    const std::string no = prefix + std::to_string(i);
    if (i % 100 == 50) {
      int k = i - 10;
      if (k % 3 == 0) --k;  // a customer's receipt
      csv += no + "," + day(i) + "," + phone(k) + "," + books[k % 2] + ",-1,20\n";
      ++returns;
      continue;
    }
    const std::string who = i % 3 == 0 ? "" : phone(i);
    csv += no + "," + day(i) + "," + who + "," + books[i % 2] + "," + std::to_string(1 + i % 2) + ",20\n";
    if (i % 4 == 0) csv += no + "," + day(i) + "," + who + ",6901234567892,1,5\n";
  }
  return csv;
}

// More sales than one batch of the report feed (500): the aggregates equal a rebuild after the
// import, after an earlier history arrives later (members' first months move back), and after a
// repeat that adds nothing.
TEST_P(SalesImport, ImportsLargerThanOneFeedBatchKeepTheAggregatesEqualToARebuild) {
  using namespace std::chrono;
  Reply m = Send(owner_, "POST", "/api/v1/members", json{{"phone", "13800138001"}, {"name", "王芳"}});
  ASSERT_EQ(m.status, 201) << m.body;
  int returns = 0;
  const std::string history = BatchHistory("H", sys_days{2024y / January / 1}, 1300, returns);
  Reply r = Import(history, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(returns, 13);
  EXPECT_EQ(r.json["sales"], 1300 - 13);
  EXPECT_EQ(r.json["returns"], 13);
  EXPECT_EQ(r.json["members_created"], 39);
  // Receipts with a customer: i % 3 != 0 of the 1,287 sales.
  int64_t member_sales = 0;
  for (int i = 0; i < 1300; ++i) member_sales += i % 100 != 50 && i % 3 != 0;
  EXPECT_EQ(Count("SELECT SUM(visits) FROM report_member_months"), member_sales);
  EXPECT_EQ(Count("SELECT SUM(sales) FROM report_sales_hourly"), 1300 - 13);
  EXPECT_EQ(Count("SELECT SUM(returns) FROM report_sales_hourly"), 13);
  EXPECT_EQ(Count("SELECT SUM(first_buyers) FROM report_cohorts"), 40);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM report_cohorts WHERE first_buyers <> 0 AND month <> '2024-01'"), 0);
  ExpectClean();

  // Earlier months arrive afterwards: every customer's first month becomes 2023-12.
  int earlier_returns = 0;
  Reply e = Import(BatchHistory("E", sys_days{2023y / December / 1}, 700, earlier_returns), false);
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json["sales"], 700 - earlier_returns);
  EXPECT_EQ(e.json["members_created"], 0);
  EXPECT_EQ(Count("SELECT SUM(first_buyers) FROM report_cohorts"), 40);
  EXPECT_EQ(Count("SELECT SUM(first_buyers) FROM report_cohorts WHERE month = '2023-12'"), 40);
  ExpectClean();

  // The earlier history runs into February 2024: the visits of both files.
  const int64_t visits = Count("SELECT SUM(visits) FROM report_member_months");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales WHERE member_id IS NOT NULL"), visits);
  const int64_t spend = Count("SELECT SUM(spend) FROM report_member_months");
  Reply again = Import(history, false);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["sales"], 0);
  EXPECT_EQ(again.json["receipts_skipped"], 1300);
  EXPECT_EQ(Count("SELECT SUM(visits) FROM report_member_months"), visits);
  EXPECT_EQ(Count("SELECT SUM(spend) FROM report_member_months"), spend);
  ExpectClean();
}

TEST_P(SalesImport, RefusedRequestsWriteNothing) {
  const std::string ok = "小票号,日期,条码,数量,单价\nZ1,2024-01-01 10:00,9787544245364,1,10\n";
  Reply r = Import("小票号,日期,数量,单价\nZ1,2024-01-01,1,10\n", false);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(r.FieldError("barcode").empty()) << r.body;
  r = Import(ok, false, "", "text/csv", &cashier_);
  EXPECT_EQ(r.status, 403) << r.body;
  r = Import(ok, false, "", "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("", false);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("not a zip", false, "", kXlsx);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import(ok, false, "&store_id=999");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import(ok, false, "&earn_points=maybe");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import(ok, false, "&map=novalue");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(CountRows("sales"), 0);
  EXPECT_EQ(CountRows("products"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.import'"), 0);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(SalesImport);

// `shuyou import sales` from the command line.
class SalesImportCli : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    db_ = NewTestDatabaseTarget(GetParam());
    auto r = Shuyou({"migrate"});
    ASSERT_TRUE(r.status.ok()) << r.Describe();
    store::Options o;
    o.readers = 1;
    auto db = OpenTestDatabase(db_, o);
    service::Context ctx{*db, {}, service::SystemNowMs};
    service::StoreFields f;
    f.code = "SH01";
    f.name = "上海店";
    auto s = service::CreateStore(ctx, service::Actor{}, f);
    ASSERT_TRUE(s.ok()) << s.status().message();
    f.code = "BJ01";
    f.name = "北京店";
    ASSERT_TRUE(service::CreateStore(ctx, service::Actor{}, f).ok());
  }

  RunResult Shuyou(const std::vector<std::string>& args) {
    std::vector<std::string> argv{ShuyouBinary(), "--db", db_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, {{{"SHUYOU_TIMEZONE", "Asia/Shanghai"}}, ""}, 60s);
  }

  int64_t Count(const std::string& sql) {
    auto db = OpenTestDatabase(db_);
    int64_t n = -1;
    Status st = db->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
      n = rows[0].IsNull(0) ? 0 : rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  std::string db_;
  TempDir dir_;
};

TEST_P(SalesImportCli, DryRunThenImportWithStoreAndMap) {
  std::string file = dir_.File("old-pos.csv");
  {
    std::ofstream f(file, std::ios::binary);
    f << "交易号,日期,手机号,条码,品名,数量,单价\n"
         "T1,2024-03-05 14:30,13800138000,9787544245364,活着,2,39.80\n"
         "T2,2024-03-06 09:15,,9787544245364,活着,abc,39.80\n";
  }
  auto dry = Shuyou({"import", "sales", file, "--dry-run", "--store", "BJ01", "--map", "交易号=receipt"});
  ASSERT_TRUE(dry.status.ok()) << dry.Describe();
  EXPECT_NE(dry.out.find("dry run (nothing written): 2 rows"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("line 3, 数量 'abc'"), std::string::npos) << dry.out;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 0);

  auto bad = Shuyou({"import", "sales", file, "--store", "BJ01"});
  EXPECT_FALSE(bad.status.ok()) << bad.Describe();
  EXPECT_NE(bad.err.find("receipt"), std::string::npos) << bad.Describe();

  auto real = Shuyou({"import", "sales", file, "--store", "BJ01", "--map", "交易号=receipt"});
  ASSERT_TRUE(real.status.ok()) << real.Describe();
  EXPECT_NE(real.out.find("1 sales with 1 lines"), std::string::npos) << real.out;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales WHERE receipt_number = 'BJ01-I-T1' AND net_total = 7960 AND "
                  "store_id = (SELECT id FROM stores WHERE code = 'BJ01')"),
            1);
  auto again = Shuyou({"import", "sales", file, "--store", "BJ01", "--map", "交易号=receipt"});
  ASSERT_TRUE(again.status.ok()) << again.Describe();
  EXPECT_NE(again.out.find("1 receipts (1 rows) already imported"), std::string::npos) << again.out;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sales"), 1);
  auto check = Shuyou({"check"});
  EXPECT_TRUE(check.status.ok()) << check.Describe();
}

SHUYOU_INSTANTIATE_FOR_ENGINES(SalesImportCli);

}  // namespace
}  // namespace shuyou::test
