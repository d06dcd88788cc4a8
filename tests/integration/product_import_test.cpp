// Product import through POST /api/v1/products/import on both engines: a dry run that reports
// every kind of bad row and writes nothing, a real run that creates products, categories and
// opening stock (one receipt, 'receive' movements, `shuyou check` clean) and can be repeated
// without changing anything, updates of changed fields only, GB18030 CSV, XLSX written with
// libxlsxwriter, ISBN-10 conversion, and refused requests.
#include <iconv.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/check.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Line numbers: the header is line 1.
const std::string kMixedCsv =
    "\xEF\xBB\xBF" "ISBN,书名,作者,出版社,出版年,分类,定价,进价,税率,库存,补货点,备注\r\n"
    "978-7-5442-4536-4,活着,余华,南海出版公司,2012,文学/小说,¥39.80,24.5,9%,12,3,畅销\r\n"     // 2: good
    "7532744515,挪威的森林,村上春树、林少华,上海译文出版社,2018年5月,文学/小说,36,,9,5,,\r\n"   // 3: good, ISBN-10
    "9787101111119,坏校验位,某人,,,,20,,,,,\r\n"                                              // 4: bad check digit
    "9787222222229,,无书名,,,,20,,,,,\r\n"                                                   // 5: no title
    "9787333333333,价格错,,,,,三十元,,,,,\r\n"                                                // 6: bad price
    "978-7-5327-4451-0,重复,,,,,30,,,,,\r\n"                                                 // 7: line 3's book again
    "9787444444447,税率错,,,,,30,,120%,,,\r\n"                                                // 8: tax above 100%
    "\r\n"                                                                                    // 9: blank
    "6901234567892,书签,,,,文创,¥5,2.00,13%,40,10,\r\n";                                      // 10: good item

class ProductImport : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  Reply Import(const std::string& body, bool dry_run, const std::string& extra = "", const std::string& type = "text/csv",
               const Caller* who = nullptr) {
    return SendRaw(who ? *who : manager_, "POST",
                   "/api/v1/products/import?dry_run=" + std::string(dry_run ? "true" : "false") +
                       "&file_name=catalog.csv" + extra,
                   body, type);
  }

  // The product a code names, with on_hand in the manager's store.
  json Lookup(const std::string& code) {
    Reply r = Send(cashier_, "GET", "/api/v1/products/lookup?code=" + code + "&store_id=" + std::to_string(store_id_));
    EXPECT_EQ(r.status, 200) << code << " → " << r.body;
    return r.json;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  void ExpectClean() {
    auto problems = service::CheckInvariants(app_->context());
    ASSERT_TRUE(problems.ok()) << problems.status().message();
    EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front().invariant + " " + problems->front().subject);
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

TEST_P(ProductImport, DryRunReportsEveryBadRowWithItsLineAndWritesNothing) {
  int64_t categories = CountRows("categories"), audits = CountRows("audit_log");
  Reply r = Import(kMixedCsv, true);
  ASSERT_EQ(r.status, 200) << r.body;
  const json& rep = r.json;
  EXPECT_EQ(rep["dry_run"], true);
  EXPECT_EQ(rep["rows"], 8);
  EXPECT_EQ(rep["valid"], 3);
  EXPECT_EQ(rep["created"], 3);
  EXPECT_EQ(rep["invalid"], 5);
  EXPECT_EQ(rep["error_count"], 5);
  EXPECT_EQ(rep["stock_rows"], 3);
  EXPECT_EQ(rep["stock_units"], 57);
  EXPECT_EQ(rep["store_id"], store_id_);  // the manager's home store by default
  EXPECT_EQ(rep["new_categories"], json::array({"文学", "文学/小说", "文创"}));
  EXPECT_EQ(rep["ignored_columns"], json::array({"备注"}));
  ExpectProblem(rep, 4, "ISBN", "wrong check digit (expected 8)");
  ExpectProblem(rep, 5, "书名", "is required");
  ExpectProblem(rep, 6, "定价", "amount such as");
  ExpectProblem(rep, 7, "ISBN", "first on line 3");
  ExpectProblem(rep, 8, "税率", "at most 100%");
  std::vector<int64_t> lines;
  for (const auto& e : rep["errors"]) lines.push_back(e["line"].get<int64_t>());
  EXPECT_EQ(lines, (std::vector<int64_t>{4, 5, 6, 7, 8}));

  EXPECT_EQ(CountRows("products"), 0);
  EXPECT_EQ(CountRows("categories"), categories);
  EXPECT_EQ(CountRows("stock_movements"), 0);
  EXPECT_EQ(CountRows("stock_receipts"), 0);
  EXPECT_EQ(CountRows("audit_log"), audits);
}

TEST_P(ProductImport, RealRunCreatesProductsCategoriesAndStockAndARepeatChangesNothing) {
  Reply r = Import(kMixedCsv, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["created"], 3);
  EXPECT_EQ(r.json["invalid"], 5);
  ASSERT_EQ(r.json["receipt_ids"].size(), 1u);
  EXPECT_EQ(CountRows("products"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'product.import'"), 1);

  json alive = Lookup("9787544245364");
  EXPECT_EQ(alive["kind"], "book");
  EXPECT_EQ(alive["isbn13"], "9787544245364");
  EXPECT_EQ(alive["title"], "活着");
  EXPECT_EQ(alive["authors"], json::array({"余华"}));
  EXPECT_EQ(alive["publisher"], "南海出版公司");
  EXPECT_EQ(alive["pub_year"], 2012);
  EXPECT_EQ(alive["list_price"], 3980);
  EXPECT_EQ(alive["cost"], 2450);
  EXPECT_EQ(alive["tax_rate_bp"], 900);
  EXPECT_EQ(alive["imported"], true);
  EXPECT_EQ(alive["on_hand"], 12);
  // The ISBN-10 row is stored as ISBN-13 and found by either form.
  json norway = Lookup("7-5327-4451-5");
  EXPECT_EQ(norway["barcode"], "9787532744510");
  EXPECT_EQ(norway["authors"], json::array({"村上春树", "林少华"}));
  EXPECT_EQ(norway["pub_year"], 2018);
  EXPECT_EQ(norway["list_price"], 3600);
  EXPECT_EQ(norway["tax_rate_bp"], 900);
  EXPECT_EQ(norway["on_hand"], 5);
  json bookmark = Lookup("6901234567892");
  EXPECT_EQ(bookmark["kind"], "item");
  EXPECT_TRUE(bookmark["isbn13"].is_null());
  EXPECT_EQ(bookmark["tax_rate_bp"], 1300);
  EXPECT_EQ(bookmark["cost"], 200);
  EXPECT_EQ(bookmark["on_hand"], 40);

  // The category path was created as a tree, and both books are in its leaf.
  Reply cats = Send(cashier_, "GET", "/api/v1/categories");
  ASSERT_EQ(cats.status, 200) << cats.body;
  int64_t literature = 0, novels = 0;
  for (const auto& c : cats.json["items"]) {
    if (c["name"] == "文学") {
      literature = c["id"];
      EXPECT_EQ(c["code"], "c1");  // numbered codes for Chinese names
    }
    if (c["name"] == "小说") {
      novels = c["id"];
      EXPECT_EQ(c["code"], "c1.c1");
    }
    if (c["name"] == "文创") {
      EXPECT_EQ(c["code"], "c2");
    }
  }
  ASSERT_GT(novels, 0) << cats.body;
  for (const auto& c : cats.json["items"]) {
    if (c["id"] == novels) {
      EXPECT_EQ(c["parent_id"], literature);
    }
  }
  EXPECT_EQ(alive["category_id"], novels);
  EXPECT_EQ(norway["category_id"], novels);

  // Opening stock: one receipt, one 'receive' movement per row, levels and reorder points.
  EXPECT_EQ(CountRows("stock_receipts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM stock_movements WHERE kind = 'receive' AND receipt_id IS NOT NULL"), 3);
  EXPECT_EQ(Count("SELECT SUM(quantity) FROM stock_movements"), 57);
  EXPECT_EQ(Count("SELECT reorder_point FROM stock_levels l JOIN products p ON p.id = l.product_id "
                  "WHERE p.barcode = '6901234567892'"), 10);
  Reply moves = Send(manager_, "GET", "/api/v1/stock/movements?product_id=" + std::to_string(alive["id"].get<int64_t>()));
  ASSERT_EQ(moves.status, 200) << moves.body;
  ASSERT_EQ(moves.json["items"].size(), 1u);
  EXPECT_EQ(moves.json["items"][0]["kind"], "receive");
  EXPECT_EQ(moves.json["items"][0]["quantity"], 12);
  EXPECT_EQ(moves.json["items"][0]["on_hand_after"], 12);
  ExpectClean();

  // The same file again changes nothing: no product, category, movement or audit row.
  int64_t categories = CountRows("categories");
  Reply again = Import(kMixedCsv, false);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["created"], 0);
  EXPECT_EQ(again.json["updated"], 0);
  EXPECT_EQ(again.json["unchanged"], 3);
  EXPECT_EQ(again.json["stock_rows"], 0);
  EXPECT_EQ(again.json["stock_kept"], 3);
  EXPECT_EQ(again.json["reorder_points"], 0);
  EXPECT_EQ(again.json["new_categories"], json::array());
  EXPECT_EQ(CountRows("products"), 3);
  EXPECT_EQ(CountRows("categories"), categories);
  EXPECT_EQ(CountRows("stock_movements"), 3);
  EXPECT_EQ(Lookup("9787544245364")["updated_at"], alive["updated_at"]);
  EXPECT_EQ(Lookup("9787544245364")["on_hand"], 12);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'product.import'"), 1);
  ExpectClean();
}

TEST_P(ProductImport, AChangedPriceUpdatesOnlyThatFieldAndEmptyCellsKeepValues) {
  ASSERT_EQ(Import(kMixedCsv, false).status, 200);
  json before = Lookup("9787544245364");
  // A price list: code and price only; the title cell left empty keeps the title.
  Reply r = Import("条码,书名,售价\n9787544245364,,42.00\n9787532744510,,36\n6901234567892,书签(新),5\n", false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["updated"], 2);
  EXPECT_EQ(r.json["unchanged"], 1);
  EXPECT_EQ(r.json["created"], 0);
  json after = Lookup("9787544245364");
  EXPECT_EQ(after["list_price"], 4200);
  EXPECT_EQ(after["title"], "活着");
  EXPECT_EQ(after["cost"], 2450);
  EXPECT_EQ(after["category_id"], before["category_id"]);
  EXPECT_EQ(Lookup("6901234567892")["title"], "书签(新)");
  // The catalog search finds the new title (search text follows the change).
  Reply found = Send(cashier_, "GET", "/api/v1/products?q=%E4%B9%A6%E7%AD%BE(%E6%96%B0)");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json["items"].size(), 1u) << found.body;
  // A kind the file names must not change a product's kind.
  Reply kind = Import("ISBN,类型\n9787544245364,商品\n", true);
  ASSERT_EQ(kind.status, 200) << kind.body;
  ExpectProblem(kind.json, 2, "类型", "cannot change");
}

TEST_P(ProductImport, CategoriesByCodeNameAndPathAndAmbiguousNames) {
  auto cat = [&](const std::string& code, const std::string& name, std::optional<int64_t> parent) {
    json body = {{"code", code}, {"name", name}};
    if (parent) body["parent_id"] = *parent;
    Reply r = Send(owner_, "POST", "/api/v1/categories", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["id"].get<int64_t>();
  };
  int64_t fiction = cat("fiction", "小说", std::nullopt);
  int64_t scifi = cat("fiction.scifi", "科幻", fiction);
  int64_t kids = cat("kids", "少儿", std::nullopt);
  int64_t kids_scifi = cat("kids.scifi", "科幻", kids);
  (void)kids_scifi;
  std::string csv =
      "ISBN,书名,定价,分类\n"
      "9787544245364,A,10,fiction.scifi\n"     // 2: by code
      "9787532744510,B,10,小说/科幻\n"          // 3: by path of names
      "9787222222229,C,10,科幻\n"               // 4: two categories are named 科幻
      "9787333333333,D,10,fiction.space\n"     // 5: a new code under fiction
      "9787444444447,E,10,Kids\n";             // 6: a name, any case (here: the code)
  Reply r = Import(csv, false, "", "text/csv", &owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["created"], 4);
  ExpectProblem(r.json, 4, "分类", "2 categories are named '科幻'");
  EXPECT_EQ(r.json["new_categories"], json::array({"小说/space"}));
  EXPECT_EQ(Lookup("9787544245364")["category_id"], scifi);
  EXPECT_EQ(Lookup("9787532744510")["category_id"], scifi);
  EXPECT_EQ(Lookup("9787444444447")["category_id"], kids);
  json space = Lookup("9787333333333");
  Reply cats = Send(cashier_, "GET", "/api/v1/categories");
  bool found = false;
  for (const auto& c : cats.json["items"])
    if (c["code"] == "fiction.space") {
      found = true;
      EXPECT_EQ(c["parent_id"], fiction);
      EXPECT_EQ(space["category_id"], c["id"]);
    }
  EXPECT_TRUE(found) << cats.body;
}

TEST_P(ProductImport, StoresFromAColumnOrTheParameterAndUnknownStores) {
  Reply store = Send(owner_, "POST", "/api/v1/stores", json{{"code", "EAST"}, {"name", "东店"}});
  ASSERT_EQ(store.status, 201) << store.body;
  int64_t east = store.json["id"];
  std::string csv =
      "ISBN,书名,定价,库存,门店\n"
      "9787544245364,A,10,4,EAST\n"
      "9787532744510,B,10,2,\n"
      "9787222222229,C,10,1,NOWHERE\n";
  // The parameter names the default store.
  Reply r = Import(csv, false, "&store_id=" + std::to_string(store_id_), "text/csv", &owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["created"], 2);
  ExpectProblem(r.json, 4, "门店", "no store");
  EXPECT_EQ(r.json["receipt_ids"].size(), 2u);
  EXPECT_EQ(Count("SELECT on_hand FROM stock_levels WHERE store_id = " + std::to_string(east)), 4);
  EXPECT_EQ(Lookup("9787532744510")["on_hand"], 2);
  ExpectClean();

  // Unknown default store: the whole request is refused.
  Reply bad = Import(csv, true, "&store_id=999999", "text/csv", &owner_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  // A manager stocks only their own store.
  Reply other = Import(csv, true, "&store_id=" + std::to_string(east));
  EXPECT_EQ(other.status, 403) << other.body;
  Reply column = Import("ISBN,书名,定价,库存,门店\n9787444444447,E,10,1,EAST\n", true);
  ASSERT_EQ(column.status, 200) << column.body;
  ExpectProblem(column.json, 2, "门店", "only their own store");
  // Stock without any store (an owner without a home store, no parameter, no column).
  MakeStaff("boss", "owner");
  Caller boss = Login("boss", "correct-horse-battery");
  Reply none = Import("ISBN,书名,定价,库存\n9787444444447,E,10,1\n", true, "", "text/csv", &boss);
  ASSERT_EQ(none.status, 200) << none.body;
  ExpectProblem(none.json, 2, "库存", "needs a store");
}

TEST_P(ProductImport, Gb18030Files) {
  std::string utf8 = "书号,书名,作者,定价\n9787544245364,活着,余华,39.8\n";
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string gb(utf8.size() * 2, '\0');
  char* in = utf8.data();
  size_t in_left = utf8.size();
  char* out = gb.data();
  size_t out_left = gb.size();
  ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  gb.resize(gb.size() - out_left);
  ASSERT_NE(gb, utf8);
  Reply r = Import(gb, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["encoding"], "gb18030");
  EXPECT_EQ(r.json["created"], 1);
  json p = Lookup("9787544245364");
  EXPECT_EQ(p["title"], "活着");
  EXPECT_EQ(p["authors"], json::array({"余华"}));
  EXPECT_EQ(p["list_price"], 3980);
}

// A workbook as spreadsheets hold a catalog: codes and prices as numbers, a percent cell.
std::string MakeWorkbook() {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("shuyou-product-import-" + std::to_string(::getpid()) + ".xlsx")).string();
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "商品");
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0%");
  const char* headers[] = {"ISBN", "Title", "Authors", "Year", "List price", "Tax rate", "Stock"};
  for (int c = 0; c < 7; ++c) worksheet_write_string(ws, 0, lxw_col_t(c), headers[c], nullptr);
  worksheet_write_number(ws, 1, 0, 9787544245364.0, nullptr);
  worksheet_write_string(ws, 1, 1, "To Live", nullptr);
  worksheet_write_string(ws, 1, 2, "Yu Hua", nullptr);
  worksheet_write_number(ws, 1, 3, 2012, nullptr);
  worksheet_write_number(ws, 1, 4, 39.8, nullptr);
  worksheet_write_number(ws, 1, 5, 0.09, percent);
  worksheet_write_number(ws, 1, 6, 3, nullptr);
  worksheet_write_string(ws, 2, 0, "7-5327-4451-5", nullptr);  // ISBN-10 as text
  worksheet_write_string(ws, 2, 1, "Norwegian Wood", nullptr);
  worksheet_write_number(ws, 2, 4, 36, nullptr);
  worksheet_write_string(ws, 3, 0, "9787532744511", nullptr);  // bad check digit
  worksheet_write_string(ws, 3, 1, "Broken", nullptr);
  worksheet_write_number(ws, 3, 4, 1, nullptr);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream f(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << f.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

TEST_P(ProductImport, XlsxWorkbooks) {
  std::string book = MakeWorkbook();
  Reply r = Import(book, false, "", kXlsx);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["encoding"], "xlsx");
  EXPECT_EQ(r.json["rows"], 3);
  EXPECT_EQ(r.json["created"], 2);
  ExpectProblem(r.json, 4, "ISBN", "wrong check digit");
  json live = Lookup("9787544245364");
  EXPECT_EQ(live["title"], "To Live");
  EXPECT_EQ(live["pub_year"], 2012);
  EXPECT_EQ(live["list_price"], 3980);
  EXPECT_EQ(live["tax_rate_bp"], 900);
  EXPECT_EQ(live["on_hand"], 3);
  EXPECT_EQ(Lookup("9787532744510")["title"], "Norwegian Wood");
  ExpectClean();
}

TEST_P(ProductImport, RefusedRequestsWriteNothing) {
  Reply r = Import("书名,定价\nA,10\n", false);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(r.FieldError("isbn").empty()) << r.body;
  r = Import("ISBN,书号\n9787544245364,9787544245364\n", false);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("ISBN,书名,定价\n9787544245364,A,10\n", false, "", "text/csv", &cashier_);
  EXPECT_EQ(r.status, 403) << r.body;
  r = Import("ISBN,书名,定价\n9787544245364,A,10\n", false, "", "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("", false);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("not a zip", false, "", kXlsx);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("ISBN,书名,定价\n9787544245364,A,10\n", false, "&store_id=abc");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(CountRows("products"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'product.import'"), 0);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(ProductImport);

}  // namespace
}  // namespace shuyou::test
