// Member import through POST /api/v1/members/import on both engines: a dry run that reports
// every kind of bad row and writes nothing, a real run that writes the good rows with their
// opening balances and can be repeated, CSV shapes (BOM, CRLF, quoted commas and line breaks,
// GB18030), XLSX workbooks written with libxlsxwriter, and requests that are refused.
#include <iconv.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/card.h"
#include "service/check.h"
#include "service/member_import.h"
#include "service/table_files.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Every reason a row can be refused, one per line, between good rows; BOM and CRLF line ends.
// Line numbers (the header is line 1; the record on line 3 spans lines 3–4):
const std::string kMixedCsv =
    "\xEF\xBB\xBF" "手机号,姓名,邮箱,生日,性别,卡号,积分,储值,短信营销,备注,注册日期,会员等级\r\n"
    "13800138001,张伟,zhang.wei@example.com,1985-03-12,男,VIP0001,1200,500.50,是,\"老顾客, 喜欢历史\",2019/06/01,金卡\r\n"
    "13800138002,李娜,,1990年5月17日,女,VIP0002,0,0,否,\"多行\r\n备注\",20200115,银卡\r\n"
    "12345,王芳,,,,,,,,,,\r\n"                  // 5: bad phone
    "138-0013-8001,重复,,,,,,,,,,\r\n"          // 6: the phone of line 2 again
    "13900139000,老会员,,,,,,,,,,\r\n"          // 7: already a member
    "18600186003,赵敏,,1990-02-30,,,,,,,,\r\n"  // 8: no such date
    "18600186004,孙丽,not-an-email,,,,,,,,,\r\n"  // 9: bad email
    "18600186005,周杰,,,boy,,,,,,,\r\n"         // 10: unknown gender
    "18600186006,吴刚,,,,,-5,,,,,\r\n"          // 11: negative points
    "18600186007,郑爽,,,,,,-10.00,,,,\r\n"      // 12: negative stored value
    "\r\n"                                      // 13: blank, ignored
    "15000150008,\"Smith, John\",john@example.com,,M,,,,,,,\r\n";  // 14: good

class MemberImport : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  Reply Import(const std::string& body, bool dry_run, const std::string& type = "text/csv",
               const std::string& file = "members.csv", const Caller* who = nullptr) {
    return SendRaw(who ? *who : manager_, "POST",
                   "/api/v1/members/import?dry_run=" + std::string(dry_run ? "true" : "false") + "&file_name=" + file,
                   body, type);
  }

  // The member with `phone` (E.164) found through the search API.
  json FindOne(const std::string& q) {
    Reply r = Send(cashier_, "GET", "/api/v1/members?q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["items"].size(), 1u) << q << " → " << r.body;
    return r.json["items"].empty() ? json() : r.json["items"][0];
  }

  int64_t AuditCount(const std::string& action) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action}));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  Caller manager_, cashier_;
};

// (line, column, message fragment) of each reported problem, in order.
std::vector<std::tuple<int64_t, std::string, std::string>> Problems(const json& report) {
  std::vector<std::tuple<int64_t, std::string, std::string>> out;
  for (const auto& e : report["errors"])
    out.emplace_back(e["line"].get<int64_t>(), e["column"].get<std::string>(), e["message"].get<std::string>());
  return out;
}

void ExpectProblem(const json& report, int64_t line, const std::string& column, const std::string& fragment) {
  for (const auto& [l, c, m] : Problems(report))
    if (l == line && c == column && m.find(fragment) != std::string::npos) return;
  ADD_FAILURE() << "no problem on line " << line << " column " << column << " saying '" << fragment << "' in "
                << report["errors"].dump(1);
}

TEST_P(MemberImport, DryRunReportsEveryBadRowWithItsLineAndWritesNothing) {
  Reply reg = Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13900139000"}, {"name", "老会员"}});
  ASSERT_EQ(reg.status, 201) << reg.body;
  int64_t members = CountRows("members"), audits = CountRows("audit_log");

  Reply r = Import(kMixedCsv, true);
  ASSERT_EQ(r.status, 200) << r.body;
  const json& rep = r.json;
  EXPECT_EQ(rep["dry_run"], true);
  EXPECT_EQ(rep["encoding"], "utf-8");
  EXPECT_EQ(rep["rows"], 11);
  EXPECT_EQ(rep["valid"], 3);
  EXPECT_EQ(rep["imported"], 0);
  EXPECT_EQ(rep["skipped"], 1);
  EXPECT_EQ(rep["invalid"], 7);
  EXPECT_EQ(rep["error_count"], 8);
  EXPECT_EQ(rep["ignored_columns"], json::array({"会员等级"}));
  ExpectProblem(rep, 5, "手机号", "");
  ExpectProblem(rep, 6, "手机号", "first on line 2");
  ExpectProblem(rep, 7, "手机号", "already a member");
  ExpectProblem(rep, 8, "生日", "not a real date");
  ExpectProblem(rep, 9, "邮箱", "name@example.com");
  ExpectProblem(rep, 10, "性别", "male/female");
  ExpectProblem(rep, 11, "积分", "must not be negative");
  ExpectProblem(rep, 12, "储值", "must not be negative");
  std::vector<int64_t> lines;
  for (const auto& e : rep["errors"]) lines.push_back(e["line"].get<int64_t>());
  EXPECT_EQ(lines, (std::vector<int64_t>{5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(rep["errors"][0]["value"], "12345");

  EXPECT_EQ(CountRows("members"), members);
  EXPECT_EQ(CountRows("points_ledger"), 0);
  EXPECT_EQ(CountRows("audit_log"), audits);
}

TEST_P(MemberImport, RealRunWritesGoodRowsWithBalancesAndARepeatAddsNothing) {
  ASSERT_EQ(Send(cashier_, "POST", "/api/v1/members", json{{"phone", "13900139000"}}).status, 201);
  Reply r = Import(kMixedCsv, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["dry_run"], false);
  EXPECT_EQ(r.json["imported"], 3);
  EXPECT_EQ(r.json["valid"], 3);
  EXPECT_EQ(r.json["skipped"], 1);
  EXPECT_EQ(r.json["invalid"], 7);
  EXPECT_EQ(CountRows("members"), 4);
  EXPECT_EQ(AuditCount("member.import"), 1);

  json zhang = FindOne("13800138001");
  EXPECT_EQ(zhang["phone"], "+8613800138001");
  EXPECT_EQ(zhang["name"], "张伟");
  EXPECT_EQ(zhang["email"], "zhang.wei@example.com");
  EXPECT_EQ(zhang["birthday"], "1985-03-12");
  EXPECT_EQ(zhang["gender"], "male");
  EXPECT_EQ(zhang["points_balance"], 1200);
  EXPECT_EQ(zhang["stored_value_balance"], 50050);
  EXPECT_EQ(zhang["consent_sms"], true);
  EXPECT_EQ(zhang["consent_email"], false);
  EXPECT_EQ(zhang["consent_source"], "import:members.csv");
  EXPECT_EQ(zhang["notes"], "老顾客, 喜欢历史");
  EXPECT_EQ(zhang["created_at"], "2019-06-01T00:00:00.000Z");
  std::string card = zhang["card_number"];
  EXPECT_TRUE(core::IsValidCardNumber(card)) << card;
  EXPECT_EQ(card.substr(0, 4), "8601");
  // The old card finds the member too.
  EXPECT_EQ(FindOne("VIP0001")["id"], zhang["id"]);
  // Opening balances keep every invariant of `shuyou check` (ledgers, points lots), and the
  // consent history starts with what the file said.
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front().invariant);
  Reply consents = Send(owner_, "GET", "/api/v1/members/" + std::to_string(zhang["id"].get<int64_t>()) + "/consents");
  ASSERT_EQ(consents.status, 200) << consents.body;
  ASSERT_FALSE(consents.json["items"].empty()) << consents.body;
  EXPECT_EQ(consents.json["items"][0]["source"], "import:members.csv");

  std::string id = std::to_string(zhang["id"].get<int64_t>());
  Reply points = Send(cashier_, "GET", "/api/v1/members/" + id + "/points");
  ASSERT_EQ(points.status, 200);
  ASSERT_EQ(points.json["entries"].size(), 1u);
  EXPECT_EQ(points.json["balance"], 1200);
  EXPECT_EQ(points.json["entries"][0]["kind"], "adjust");
  EXPECT_EQ(points.json["entries"][0]["points"], 1200);
  EXPECT_EQ(points.json["entries"][0]["reason"], "imported opening balance");
  EXPECT_EQ(points.json["entries"][0]["staff_username"], "chen.jing");
  Reply sv = Send(cashier_, "GET", "/api/v1/members/" + id + "/stored-value");
  ASSERT_EQ(sv.status, 200);
  ASSERT_EQ(sv.json["entries"].size(), 1u);
  EXPECT_EQ(sv.json["entries"][0]["amount"], 50050);
  EXPECT_EQ(sv.json["balance"], 50050);

  json li = FindOne("13800138002");
  EXPECT_EQ(li["notes"], "多行\n备注");
  EXPECT_EQ(li["birthday"], "1990-05-17");
  EXPECT_EQ(li["gender"], "female");
  EXPECT_EQ(li["created_at"], "2020-01-15T00:00:00.000Z");
  EXPECT_EQ(li["points_balance"], 0);
  Reply li_points = Send(cashier_, "GET", "/api/v1/members/" + std::to_string(li["id"].get<int64_t>()) + "/points");
  EXPECT_EQ(li_points.json["entries"].size(), 0u);  // a zero opening balance writes no ledger row
  json smith = FindOne("15000150008");
  EXPECT_EQ(smith["name"], "Smith, John");
  EXPECT_EQ(smith["consent_source"], "");  // no consent column value: nothing recorded

  // The same file again: every good row is now a member, so nothing is added or changed.
  Reply again = Import(kMixedCsv, false);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["imported"], 0);
  EXPECT_EQ(again.json["valid"], 0);
  EXPECT_EQ(again.json["skipped"], 4);
  EXPECT_EQ(CountRows("members"), 4);
  EXPECT_EQ(CountRows("points_ledger"), 1);
  EXPECT_EQ(FindOne("13800138001")["points_balance"], 1200);
  EXPECT_EQ(AuditCount("member.import"), 1);  // a run that writes nothing records nothing
}

// Enough rows that consents, points, lots and stored value go in as several full chunks of the
// batched INSERTs and a remainder: every member gets exactly the rows the file says, each
// channel's consent row in order (email before sms), one points lot per opening balance.
TEST_P(MemberImport, LargeFilesWriteEveryConsentLedgerRowAndLotAcrossBatches) {
  constexpr int kRows = 1234;
  std::string csv = "手机号,姓名,积分,储值,邮件营销,短信营销\n";
  for (int i = 1; i <= kRows; ++i) {
    char phone[16];
    std::snprintf(phone, sizeof phone, "1390%07d", i);
    csv += std::string(phone) + ",会员" + std::to_string(i) + "," + (i % 3 ? std::to_string(i) : "0") + "," +
           (i % 4 ? "" : "12.34") + "," + (i % 2 ? "是" : "否") + "," + (i % 5 ? "否" : "是") + "\n";
  }
  Reply r = Import(csv, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["imported"], kRows);
  auto one = [&](const std::string& sql) {
    int64_t v = -1;
    EXPECT_TRUE(db_->Read([&](store::Tx& tx) -> Status {
                     SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
                     v = rows[0].Int(0);
                     return Status::Ok();
                   }).ok());
    return v;
  };
  const std::string imported = "member_id IN (SELECT id FROM members WHERE phone LIKE '+861390%')";
  // Two consent rows per member, email first, matching the member's columns.
  EXPECT_EQ(one("SELECT COUNT(*) FROM member_consents WHERE " + imported), 2 * kRows);
  EXPECT_EQ(one("SELECT COUNT(*) FROM member_consents c JOIN members m ON m.id = c.member_id WHERE c." + imported +
                " AND c.granted = CASE c.channel WHEN 'email' THEN m.consent_email ELSE m.consent_sms END "
                "AND c.source = 'import:members.csv' AND c.note = ''"),
            2 * kRows);
  EXPECT_EQ(one("SELECT COUNT(*) FROM member_consents e JOIN member_consents s ON s.member_id = e.member_id "
                "AND s.channel = 'sms' WHERE e.channel = 'email' AND e.id < s.id AND e." + imported),
            kRows);
  EXPECT_EQ(one("SELECT SUM(consent_email) FROM members WHERE phone LIKE '+861390%'"), (kRows + 1) / 2);
  EXPECT_EQ(one("SELECT SUM(consent_sms) FROM members WHERE phone LIKE '+861390%'"), kRows / 5);
  // Points: one ledger row and one lot per non-zero balance, the lot pointing at its row.
  int64_t with_points = kRows - kRows / 3;
  EXPECT_EQ(one("SELECT COUNT(*) FROM points_ledger WHERE " + imported), with_points);
  EXPECT_EQ(one("SELECT COUNT(*) FROM points_lots o JOIN points_ledger l ON l.id = o.ledger_id WHERE o." + imported +
                " AND l.member_id = o.member_id AND l.points = o.points AND o.remaining = o.points"),
            with_points);
  EXPECT_EQ(one("SELECT COUNT(*) FROM members WHERE phone LIKE '+861390%' AND points_balance = "
                "CAST(SUBSTR(phone, 8) AS INTEGER) AND points_balance > 0"),
            with_points);
  EXPECT_EQ(one("SELECT COUNT(*) FROM stored_value_ledger WHERE amount = 1234 AND " + imported), kRows / 4);
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front().invariant);
}

TEST_P(MemberImport, OldCardNumbersMustBeUniqueInTheFileAndTheDatabase) {
  std::string first = "phone,name,card\n13800138001,A,OLD-1\n";
  ASSERT_EQ(Import(first, false).json["imported"], 1);
  std::string second = "phone,name,card\n13800138002,B,OLD-1\n13800138003,C,OLD-2\n13800138004,D,OLD -2\n";
  Reply r = Import(second, false);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["imported"], 1);
  ExpectProblem(r.json, 2, "card", "already belongs to member");
  ExpectProblem(r.json, 4, "card", "first on line 3");
}

TEST_P(MemberImport, Gb18030FilesAreConvertedAndBadBytesAreReported) {
  std::string utf8 = "手机号,姓名\n13800138001,张伟\n";
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

  Reply r = Import(gb, false, "text/csv", "gbk.csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["encoding"], "gb18030");
  EXPECT_EQ(r.json["imported"], 1);
  EXPECT_EQ(FindOne("13800138001")["name"], "张伟");

  // Neither UTF-8 nor GB18030: refused as a whole, nothing written.
  Reply bad = Import("phone,name\n13800138009,\xFF\xFE\xFD\n", false);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.json["error"]["message"].get<std::string>().find("neither UTF-8 nor GB18030"), std::string::npos);
  // A UTF-8 file with one broken line: that line is reported, the rest imported.
  Reply mixed = Import("手机号,姓名\n13800138002,李娜\n13800138003,\xE5\xBC\n", false);
  ASSERT_EQ(mixed.status, 200) << mixed.body;
  EXPECT_EQ(mixed.json["imported"], 1);
  ExpectProblem(mixed.json, 3, "", "not valid UTF-8");
  EXPECT_EQ(CountRows("members"), 2);
}

TEST_P(MemberImport, RefusedRequestsWriteNothing) {
  // No phone column: the whole file is refused.
  Reply r = Import("name,email\nA,a@example.com\n", false);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(r.FieldError("phone").empty()) << r.body;
  // Two columns for one field.
  r = Import("手机,phone\n13800138001,13800138002\n", false);
  EXPECT_EQ(r.status, 400) << r.body;
  // Only managers and owners import.
  r = Import("phone\n13800138001\n", false, "text/csv", "members.csv", &cashier_);
  EXPECT_EQ(r.status, 403) << r.body;
  r = Import("phone\n13800138001\n", false, "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  r = SendRaw(manager_, "POST", "/api/v1/members/import?dry_run=maybe", "phone\n13800138001\n", "text/csv");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("", false);
  EXPECT_EQ(r.status, 400) << r.body;
  r = Import("not a zip at all", false, kXlsx, "x.xlsx");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(CountRows("members"), 0);
  EXPECT_EQ(AuditCount("member.import"), 0);
}

// Writes a small workbook with libxlsxwriter (shared strings, or inline strings in
// constant-memory mode) and answers its bytes.
std::string MakeWorkbook(bool constant_memory) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("shuyou-import-" + std::to_string(::getpid()) + (constant_memory ? "-cm" : "") + ".xlsx"))
                         .string();
  lxw_workbook_options options = {};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "会员");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* chinese_date = workbook_add_format(wb);
  format_set_num_format(chinese_date, "yyyy\"年\"m\"月\"d\"日\"");
  const char* headers[] = {"手机号", "姓名", "生日", "积分", "储值", "注册日期", "性别"};
  for (int c = 0; c < 7; ++c) worksheet_write_string(ws, 0, lxw_col_t(c), headers[c], nullptr);
  // Row 2: phone as a number, dates as date-formatted serial numbers.
  worksheet_write_number(ws, 1, 0, 13800138011.0, nullptr);
  worksheet_write_string(ws, 1, 1, "王芳", nullptr);
  lxw_datetime birthday = {1990, 1, 1, 0, 0, 0};
  worksheet_write_datetime(ws, 1, 2, &birthday, date);
  worksheet_write_number(ws, 1, 3, 300, nullptr);
  worksheet_write_number(ws, 1, 4, 88.8, nullptr);
  lxw_datetime joined = {2021, 9, 1, 14, 30, 0};
  worksheet_write_datetime(ws, 1, 5, &joined, chinese_date);
  worksheet_write_string(ws, 1, 6, "女", nullptr);
  // Row 3: phone as text with spaces, birthday as text.
  worksheet_write_string(ws, 2, 0, "139 0013 9012", nullptr);
  worksheet_write_string(ws, 2, 1, "Oliver Wang", nullptr);
  worksheet_write_string(ws, 2, 2, "1988/12/31", nullptr);
  // Row 5 (row 4 left empty): a bad date.
  worksheet_write_string(ws, 4, 0, "18600186013", nullptr);
  worksheet_write_string(ws, 4, 2, "1990-13-01", nullptr);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream f(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << f.rdbuf();
  std::filesystem::remove(path);
  return bytes.str();
}

TEST_P(MemberImport, XlsxWorkbooksWithSharedAndInlineStrings) {
  for (bool constant_memory : {false, true}) {
    SCOPED_TRACE(constant_memory ? "inline strings" : "shared strings");
    std::string book = MakeWorkbook(constant_memory);
    ASSERT_GT(book.size(), 100u);
    Reply dry = Import(book, true, kXlsx, "members.xlsx");
    ASSERT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(dry.json["encoding"], "xlsx");
    EXPECT_EQ(dry.json["rows"], 3);
    EXPECT_EQ(dry.json["valid"], constant_memory ? 0 : 2);
    EXPECT_EQ(dry.json["skipped"], constant_memory ? 2 : 0);
    EXPECT_EQ(dry.json["invalid"], 1);
    ExpectProblem(dry.json, 5, "生日", "not a real date");
    if (constant_memory) continue;  // the second workbook holds the same members: all skipped

    Reply r = Import(book, false, kXlsx, "members.xlsx");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["imported"], 2);
    json wang = FindOne("13800138011");
    EXPECT_EQ(wang["name"], "王芳");
    EXPECT_EQ(wang["birthday"], "1990-01-01");
    EXPECT_EQ(wang["gender"], "female");
    EXPECT_EQ(wang["points_balance"], 300);
    EXPECT_EQ(wang["stored_value_balance"], 8880);
    EXPECT_EQ(wang["created_at"], "2021-09-01T00:00:00.000Z");
    json oliver = FindOne("13900139012");
    EXPECT_EQ(oliver["name"], "Oliver Wang");
    EXPECT_EQ(oliver["birthday"], "1988-12-31");
  }
}

// A list of `rows` members 1390<7 digits> starting at `first`, each with a join date, points on
// two in three, stored value on one in four and an old card number.
std::string NumberedCsv(int first, int rows) {
  std::string csv = "手机号,姓名,注册日期,积分,储值,会员卡号\n";
  for (int i = first; i < first + rows; ++i) {
    char line[128];
    std::snprintf(line, sizeof line, "1390%07d,会员%d,20%02d-%02d-%02d,%d,%s,OLD-%d\n", i, i, 15 + i % 10, 1 + i % 12,
                  1 + i % 28, i % 3 ? i : 0, i % 4 ? "" : "12.34", i);
    csv += line;
  }
  return csv;
}

// SQLite: the members' non-unique indexes as (name, CREATE statement), by name.
std::vector<std::pair<std::string, std::string>> MemberIndexes(store::Database& db) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_TRUE(db.Read([&](store::Tx& tx) -> Status {
                  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT m.name, m.sql FROM sqlite_master m JOIN "
                                                         "pragma_index_list('members') i ON i.name = m.name "
                                                         "WHERE m.type = 'index' AND i.\"unique\" = 0 ORDER BY m.name"));
                  for (const auto& r : rows.rows) out.emplace_back(r.Text(0), r.Text(1));
                  return Status::Ok();
                }).ok());
  return out;
}

// SQLite: the indexes are there, used by the planner and agree with the table.
void ExpectMemberIndexesWork(store::Database& db, const std::vector<std::pair<std::string, std::string>>& expected) {
  EXPECT_EQ(MemberIndexes(db), expected);
  EXPECT_TRUE(db.Read([&](store::Tx& tx) -> Status {
                  SY_ASSIGN_OR_RETURN(auto plan, tx.Exec("EXPLAIN QUERY PLAN SELECT id FROM members WHERE joined_on = ?",
                                                         {std::string("2020-05-05")}));
                  std::string details;
                  for (const auto& r : plan.rows) details += r.Text(3) + "; ";
                  EXPECT_NE(details.find("members_joined_on"), std::string::npos) << details;
                  SY_ASSIGN_OR_RETURN(auto by_index, tx.Exec("SELECT COUNT(*), SUM(id) FROM members INDEXED BY "
                                                             "members_store_joined WHERE home_store_id IS NULL "
                                                             "AND joined_on >= '2018-01-01'"));
                  SY_ASSIGN_OR_RETURN(auto by_scan, tx.Exec("SELECT COUNT(*), SUM(id) FROM members NOT INDEXED "
                                                            "WHERE home_store_id IS NULL AND joined_on >= '2018-01-01'"));
                  EXPECT_EQ(by_index[0].Int(0), by_scan[0].Int(0));
                  EXPECT_EQ(by_index[0].Int(1), by_scan[0].Int(1));
                  SY_ASSIGN_OR_RETURN(auto check, tx.Exec("PRAGMA integrity_check"));
                  EXPECT_EQ(check[0].Text(0), "ok");
                  return Status::Ok();
                }).ok());
}

// ImportOptions::index_rebuild_rows, both sides of the threshold: a small file, or one smaller
// than the table, keeps the indexes; a file with at least that many rows and as many as the
// table drops the non-unique member indexes on SQLite (from the batch that crosses the line,
// in the middle of the file) and builds them again before the commit. PostgreSQL never does.
// Either way every row is written alike and the invariants hold.
TEST_P(MemberImport, LargeImportsRebuildTheMemberIndexesOnSqliteAlone) {
  bool sqlite = GetParam() == store::Engine::kSqlite;
  auto indexes = sqlite ? MemberIndexes(*db_) : std::vector<std::pair<std::string, std::string>>{};
  if (sqlite) {
    ASSERT_GE(indexes.size(), 5u);
  }
  auto import = [&](int first, int rows, int64_t threshold) {
    service::ImportOptions opt;
    opt.dry_run = false;
    opt.file_name = "members-" + std::to_string(first) + ".csv";
    opt.index_rebuild_rows = threshold;
    std::istringstream in(NumberedCsv(first, rows));
    auto rep = service::ImportMembersCsv(app_->context(), service::Actor{}, in, opt);
    EXPECT_TRUE(rep.ok()) << rep.status().message();
    if (!rep.ok()) return int64_t(-1);
    EXPECT_EQ(rep->imported, rows);
    return rep->indexes_rebuilt;
  };
  EXPECT_EQ(import(1, 1500, 5000), 0);  // below the threshold
  EXPECT_EQ(import(1501, 1000, 500), 0);  // enough rows, but fewer than the 1,500 members
  if (sqlite) ExpectMemberIndexesWork(*db_, indexes);
  // 3,000 rows over 2,500 members: the third batch of 1,000 crosses the line.
  EXPECT_EQ(import(2501, 3000, 500), int64_t(indexes.size()));
  EXPECT_EQ(CountRows("members"), 5500);
  if (sqlite) ExpectMemberIndexesWork(*db_, indexes);
  // Each member as the file says, whichever way it went in.
  for (int i : {1, 1777, 2501, 3333, 5499, 5500}) {
    char phone[16];
    std::snprintf(phone, sizeof phone, "1390%07d", i);
    json m = FindOne(phone);
    EXPECT_EQ(m["points_balance"], i % 3 ? i : 0) << i;
    EXPECT_EQ(m["stored_value_balance"], i % 4 ? 0 : 1234) << i;
    EXPECT_EQ(FindOne("OLD-" + std::to_string(i))["id"], m["id"]) << i;
    EXPECT_EQ(FindOne(m["card_number"].get<std::string>())["id"], m["id"]) << i;
  }
  EXPECT_EQ(CountRows("points_lots"), 5500 - 5500 / 3);
  EXPECT_EQ(AuditCount("member.import"), 3);
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  EXPECT_TRUE(problems->empty()) << (problems->empty() ? "" : problems->front().invariant);
}

// A database failure after the indexes were dropped (row 1,500 of 2,000, in the second batch,
// the first having crossed the threshold) rolls everything back: no member, no ledger row, no
// audit, and every index back, used and consistent. Then the same file goes in.
TEST_P(MemberImport, AFailureAfterTheIndexesWereDroppedWritesNothingAndKeepsThemSqlite) {
  if (GetParam() != store::Engine::kSqlite) GTEST_SKIP() << "SQLite alone drops and rebuilds indexes";
  auto indexes = MemberIndexes(*db_);
  auto exec = [&](const std::string& sql) {
    Status st = db_->Write([&](store::Tx& tx) { return tx.Exec(sql).status(); });
    ASSERT_TRUE(st.ok()) << st.message();
  };
  exec("CREATE TRIGGER refuse_one BEFORE INSERT ON members WHEN NEW.phone = '+8613900001500' "
       "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  service::ImportOptions opt;
  opt.dry_run = false;
  opt.file_name = "members.csv";
  opt.index_rebuild_rows = 500;
  std::istringstream in(NumberedCsv(1, 2000));
  auto rep = service::ImportMembersCsv(app_->context(), service::Actor{}, in, opt);
  ASSERT_FALSE(rep.ok());
  EXPECT_NE(rep.status().message().find("refused by the test"), std::string::npos) << rep.status().message();
  for (const char* table : {"members", "points_ledger", "points_lots", "stored_value_ledger", "member_consents"})
    EXPECT_EQ(CountRows(table), 0) << table;
  EXPECT_EQ(AuditCount("member.import"), 0);
  ExpectMemberIndexesWork(*db_, indexes);
  exec("DROP TRIGGER refuse_one");
  std::istringstream again(NumberedCsv(1, 2000));
  rep = service::ImportMembersCsv(app_->context(), service::Actor{}, again, opt);
  ASSERT_TRUE(rep.ok()) << rep.status().message();
  EXPECT_EQ(rep->imported, 2000);
  EXPECT_EQ(rep->indexes_rebuilt, int64_t(indexes.size()));
  ExpectMemberIndexesWork(*db_, indexes);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(MemberImport);

// The CSV reader on its own: records, their first lines, quotes, separators, broken files.
TEST(MemberImportPure, CsvRecordsKeepTheirLinesQuotesAndLineBreaks) {
  std::istringstream in("a;b;c\r\n1;\"x;y\";\"say \"\"hi\"\"\"\r\n2;\"two\nlines\";z\n\n3;\"never closed\n");
  std::vector<service::TableRow> rows;
  std::string encoding;
  Status st = service::ReadCsvRows(in, [&](const service::TableRow& r) { rows.push_back(r); return Status::Ok(); }, encoding);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(encoding, "utf-8");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].cells, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].cells, (std::vector<std::string>{"1", "x;y", "say \"hi\""}));
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"2", "two\nlines", "z"}));
  EXPECT_EQ(rows[3].line, 5);  // the blank line: one empty cell, skipped by the importer
  EXPECT_EQ(rows[4].line, 6);
  EXPECT_FALSE(rows[4].problem.empty());
}

TEST(MemberImportPure, ExcelSerialDatesIncludingTheLotusLeapDay) {
  EXPECT_EQ(service::ExcelSerialDate(1), "1900-01-01");
  EXPECT_EQ(service::ExcelSerialDate(59), "1900-02-28");
  EXPECT_EQ(service::ExcelSerialDate(60), "1900-02-29");  // Excel's, not the calendar's
  EXPECT_EQ(service::ExcelSerialDate(61), "1900-03-01");
  EXPECT_EQ(service::ExcelSerialDate(32874), "1990-01-01");
  EXPECT_EQ(service::ExcelSerialDate(45292.75), "2024-01-01");
  EXPECT_EQ(service::ExcelSerialDate(0), "");
  EXPECT_EQ(service::ExcelSerialDate(3e6), "");
}

}  // namespace
}  // namespace shuyou::test
