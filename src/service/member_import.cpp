// Member import (see member_import.h). Rows are checked as they are read and gathered in
// batches; each batch looks up its phones (and old card numbers) with one IN query and, on a
// real run, goes in as multi-row INSERTs, so a million rows take a few thousand statements.
#include "service/member_import.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/card.h"
#include "core/encoding.h"
#include "core/phone.h"
#include "core/staff_rules.h"
#include "service/business_day.h"
#include "service/members.h"
#include "service/report_feed.h"
#include "service/table_files.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr size_t kChunk = 100;               // rows per IN query and per multi-row INSERT
constexpr size_t kBatch = 10 * kChunk;       // rows gathered before a batch is looked up
constexpr int64_t kMaxPoints = 1'000'000'000;
constexpr int64_t kMaxStoredValue = 100'000'000'000;  // minor units: 1,000,000,000.00
constexpr const char* kOpeningReason = "imported opening balance";

enum Field { kPhone, kName, kEmail, kBirthday, kGender, kCard, kPoints, kStoredValue, kConsentEmail, kConsentSms,
             kNotes, kJoined, kFieldCount };
constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "phone", "name", "email", "birthday", "gender", "card", "points", "stored_value", "consent_email", "consent_sms",
    "notes", "joined"};

// Header names as other systems and people write them, compared after NormalizeHeader.
constexpr HeaderAlias kAliases[] = {
    {"手机", kPhone}, {"手机号", kPhone}, {"手机号码", kPhone}, {"电话", kPhone}, {"电话号码", kPhone},
    {"联系电话", kPhone}, {"移动电话", kPhone}, {"会员手机", kPhone}, {"会员手机号", kPhone}, {"phone", kPhone},
    {"mobile", kPhone}, {"phonenumber", kPhone}, {"mobilephone", kPhone}, {"mobilenumber", kPhone}, {"tel", kPhone},
    {"cellphone", kPhone},
    {"姓名", kName}, {"名字", kName}, {"会员姓名", kName}, {"会员名称", kName}, {"name", kName}, {"fullname", kName},
    {"membername", kName},
    {"邮箱", kEmail}, {"电子邮箱", kEmail}, {"电子邮件", kEmail}, {"邮件", kEmail}, {"email", kEmail}, {"mail", kEmail},
    {"emailaddress", kEmail},
    {"生日", kBirthday}, {"出生日期", kBirthday}, {"birthday", kBirthday}, {"birthdate", kBirthday},
    {"dateofbirth", kBirthday}, {"dob", kBirthday},
    {"性别", kGender}, {"gender", kGender}, {"sex", kGender},
    {"卡号", kCard}, {"会员卡号", kCard}, {"会员卡", kCard}, {"会员号", kCard}, {"card", kCard},
    {"cardnumber", kCard}, {"cardno", kCard}, {"membercard", kCard}, {"memberno", kCard},
    {"积分", kPoints}, {"积分余额", kPoints}, {"当前积分", kPoints}, {"可用积分", kPoints}, {"points", kPoints},
    {"pointsbalance", kPoints},
    {"储值", kStoredValue}, {"余额", kStoredValue}, {"储值余额", kStoredValue}, {"卡内余额", kStoredValue},
    {"账户余额", kStoredValue}, {"storedvalue", kStoredValue}, {"balance", kStoredValue},
    {"storedvaluebalance", kStoredValue},
    {"邮件营销", kConsentEmail}, {"接收邮件", kConsentEmail}, {"同意邮件", kConsentEmail}, {"邮件订阅", kConsentEmail},
    {"consentemail", kConsentEmail}, {"emailconsent", kConsentEmail}, {"emailoptin", kConsentEmail},
    {"短信营销", kConsentSms}, {"接收短信", kConsentSms}, {"同意短信", kConsentSms}, {"短信订阅", kConsentSms},
    {"consentsms", kConsentSms}, {"smsconsent", kConsentSms}, {"smsoptin", kConsentSms},
    {"备注", kNotes}, {"说明", kNotes}, {"notes", kNotes}, {"note", kNotes}, {"remarks", kNotes}, {"comment", kNotes},
    {"注册日期", kJoined}, {"注册时间", kJoined}, {"入会日期", kJoined}, {"入会时间", kJoined}, {"开卡日期", kJoined},
    {"开卡时间", kJoined}, {"joined", kJoined}, {"joindate", kJoined}, {"joinedon", kJoined},
    {"registered", kJoined}, {"registrationdate", kJoined}, {"membersince", kJoined}, {"createdat", kJoined},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string Pad(int v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, v);
  return buf;
}

// A date as people and spreadsheets write it — 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日,
// 20240305, an Excel serial number (45356), optionally followed by a time — as YYYY-MM-DD.
// "" when it is not one of these shapes; the calendar check is the caller's.
std::string ParseDate(std::string_view s) {
  auto cut = s.find_first_of(" T");
  if (cut != std::string_view::npos) s = s.substr(0, cut);
  bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits && s.size() == 8) return std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" + std::string(s.substr(6, 2));
  if (digits && s.size() <= 6) return ExcelSerialDate(double(std::stoi(std::string(s))));
  int parts[3] = {0, 0, 0};
  int part = 0, len = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    bool end = i == s.size();
    char c = end ? '\0' : s[i];
    if (c >= '0' && c <= '9') {
      if (++len > (part == 0 ? 4 : 2)) return "";
      parts[part] = parts[part] * 10 + (c - '0');
      continue;
    }
    size_t sep_len = 1;
    if (!end && (s.compare(i, 3, "年") == 0 || s.compare(i, 3, "月") == 0 || s.compare(i, 3, "日") == 0)) sep_len = 3;
    else if (!end && c != '-' && c != '/' && c != '.') return "";
    if (len == 0) {
      if (end || (sep_len == 3 && s.compare(i, 3, "日") == 0 && part == 3)) break;
      return "";
    }
    if (part == 0 && len != 4) return "";
    len = 0;
    ++part;
    if (part == 3) {
      if (!end && !(sep_len == 3 && s.compare(i, 3, "日") == 0 && i + 3 == s.size())) return "";
      break;
    }
    if (end) return "";
    i += sep_len - 1;
  }
  if (part != 3) return "";
  return Pad(parts[0], 4) + "-" + Pad(parts[1], 2) + "-" + Pad(parts[2], 2);
}

// A real calendar date no later than today (UTC) and not before 1900; "" when fine.
std::string CheckPastDate(const std::string& ymd_text, int64_t now_ms) {
  using namespace std::chrono;
  int y = std::stoi(ymd_text.substr(0, 4)), m = std::stoi(ymd_text.substr(5, 2)), d = std::stoi(ymd_text.substr(8, 2));
  year_month_day ymd{year{y}, month{unsigned(m)}, day{unsigned(d)}};
  if (!ymd.ok()) return "is not a real date";
  if (ymd.year() < year{1900}) return "must be in 1900 or later";
  if (ymd > year_month_day{floor<days>(sys_time<milliseconds>(milliseconds(now_ms)))}) return "must not be in the future";
  return "";
}

int64_t DateEpochMs(const std::string& ymd_text) {
  using namespace std::chrono;
  year_month_day ymd{year{std::stoi(ymd_text.substr(0, 4))}, month{unsigned(std::stoi(ymd_text.substr(5, 2)))},
                     day{unsigned(std::stoi(ymd_text.substr(8, 2)))}};
  return duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch()).count();
}

// yes / no as people write it; nullopt for anything else (the caller reports it).
std::optional<bool> ParseYesNo(std::string_view s) {
  std::string v = Lower(s);
  for (const char* y : {"是", "y", "yes", "true", "1", "同意", "接收", "订阅", "√", "✓", "on"})
    if (v == y) return true;
  for (const char* n : {"否", "n", "no", "false", "0", "不同意", "不接收", "拒绝", "退订", "×", "off"})
    if (v == n) return false;
  return std::nullopt;
}

// "female", "male", "other"; "" for not given (未知, 保密, unknown); nullopt when unrecognized.
std::optional<std::string> ParseGender(std::string_view s) {
  std::string v = Lower(s);
  for (const char* f : {"女", "female", "f", "w", "woman", "女士", "女性"})
    if (v == f) return std::string("female");
  for (const char* m : {"男", "male", "m", "man", "先生", "男性"})
    if (v == m) return std::string("male");
  for (const char* o : {"其他", "其它", "other", "o", "x", "non-binary", "nonbinary"})
    if (v == o) return std::string("other");
  for (const char* u : {"未知", "保密", "unknown", "u", "-"})
    if (v == u) return std::string();
  return std::nullopt;
}

// An old card number as printed: letters, digits and '-', spaces removed, 1–32 characters.
std::optional<std::string> NormalizeLegacyCard(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') continue;
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
    if (!ok) return std::nullopt;
    out += c;
  }
  if (out.empty() || out.size() > 32) return std::nullopt;
  return out;
}

// E.164 digits as a number: "+8613800138000" → 8613800138000 (at most 15 digits, so it fits).
uint64_t PhoneKey(const std::string& e164) {
  uint64_t k = 0;
  for (char c : e164)
    if (c >= '0' && c <= '9') k = k * 10 + uint64_t(c - '0');
  return k;
}

std::string Placeholders(size_t n) {
  std::string s = "?";
  for (size_t i = 1; i < n; ++i) s += ", ?";
  return s;
}

// One multi-row INSERT fed a row at a time: every full chunk of kChunk rows goes in with the
// same statement text (so it is prepared once per connection and then taken from the
// statement cache), the rest at Flush. `on_rows` receives the RETURNING rows of each statement.
class RowWriter {
 public:
  // head: "INSERT INTO t (a, b) VALUES ", row: "(?, ?)", tail: "" or " RETURNING …".
  RowWriter(std::string head, std::string row, size_t width, std::string tail = "")
      : head_(std::move(head)), row_(std::move(row)), tail_(std::move(tail)), width_(width) {
    params_.reserve(kChunk * width_);
  }

  std::function<Status(store::Tx&, const store::Rows&)> on_rows;

  Status Add(store::Tx& tx, std::initializer_list<store::Value> values) {
    if (values.size() != width_) return Internal("a row of " + std::to_string(values.size()) + " values for " + head_);
    params_.insert(params_.end(), values);
    if (params_.size() >= kChunk * width_) return Flush(tx);
    return Status::Ok();
  }

  Status Flush(store::Tx& tx) {
    size_t rows = params_.size() / width_;
    if (rows == 0) return Status::Ok();
    if (rows == kChunk && full_sql_.empty()) full_sql_ = Sql(kChunk);
    SY_ASSIGN_OR_RETURN(auto out, tx.Exec(rows == kChunk ? full_sql_ : Sql(rows), params_));
    params_.clear();
    written_ += int64_t(rows);
    return on_rows ? on_rows(tx, out) : Status::Ok();
  }

  int64_t written() const { return written_; }

 private:
  std::string Sql(size_t rows) const {
    std::string sql = head_;
    sql.reserve(head_.size() + rows * (row_.size() + 2) + tail_.size());
    for (size_t i = 0; i < rows; ++i) {
      if (i) sql += ", ";
      sql += row_;
    }
    return sql + tail_;
  }

  std::string head_, row_, tail_, full_sql_;
  size_t width_;
  std::vector<store::Value> params_;
  int64_t written_ = 0;
};

struct Candidate {
  int64_t line = 0;
  bool ok = true;        // no problems so far
  bool skipped = false;  // the phone is already a member
  std::vector<ImportProblem> problems;
  std::string phone, name, notes;
  std::optional<std::string> email, birthday, gender, card;
  std::optional<bool> consent_email, consent_sms;
  int64_t points = 0, stored_value = 0;
  std::optional<int64_t> joined_at;
  std::optional<std::string> joined_on;  // the file's join date, YYYY-MM-DD
};

class Importer {
 public:
  Importer(Context& ctx, const Actor& actor, const ImportOptions& opt) : ctx_(ctx), actor_(actor), opt_(opt) {
    rep_.dry_run = opt.dry_run;
    now_ = ctx.now();
    source_ = "import:" + opt.file_name;
    auto today = Today(ctx);  // an unreadable time zone was refused at start; UTC otherwise
    today_ = today.ok() ? FormatDay(*today) : core::FormatIsoUtc(now_).substr(0, 10);
    created_by_ = ActorSource(actor);
    batch_.reserve(kBatch);
    // Each opening balance is also one points lot (service/points.h). The previous system's
    // expiry dates are unknown, so, like balances carried over by migration 0006, it does
    // not lapse by itself; the owner can adjust it.
    points_.on_rows = [this](store::Tx& tx, const store::Rows& rows) -> Status {
      for (const auto& r : rows.rows)
        SY_RETURN_IF_ERROR(lots_.Add(tx, {r.Int(1), r.Int(0), today_, r.Int(2), r.Int(2)}));
      return Status::Ok();
    };
  }

  Status Row(store::Tx& tx, const TableRow& row) {
    if (!header_done_) return Header(row);
    if (IsBlankRow(row)) return Status::Ok();
    ++rep_.rows;
    batch_.push_back(Parse(row));
    if (batch_.size() >= kBatch) return Flush(tx);
    return Status::Ok();
  }

  Status Finish(store::Tx& tx) {
    if (!header_done_) return Invalid("the file is empty: it needs a header row naming the columns (手机号/phone, 姓名/name, …)");
    SY_RETURN_IF_ERROR(Flush(tx));
    rep_.valid = valid_;
    phones_ = {};  // the file is read: the duplicate checks' memory goes back before the index builds
    cards_ = {};
    if (!opt_.dry_run) {
      // What the writers still hold; the points rows before the lots they open.
      for (RowWriter* w : {&consents_, &points_, &lots_, &stored_}) SY_RETURN_IF_ERROR(w->Flush(tx));
      SY_RETURN_IF_ERROR(points_report_.Flush(tx));
      SY_RETURN_IF_ERROR(RebuildIndexes(tx));
      points_rows_ = points_.written();
      stored_rows_ = stored_.written();
      rep_.imported = valid_;
      if (rep_.imported > 0)
        return RecordAudit(tx, ctx_, actor_, "member.import", "members",
                           {{"file", opt_.file_name}, {"rows", rep_.rows}, {"imported", rep_.imported},
                            {"skipped", rep_.skipped}, {"invalid", rep_.invalid}, {"encoding", rep_.encoding},
                            {"points_opening_rows", points_rows_}, {"stored_value_opening_rows", stored_rows_}});
    }
    return Status::Ok();
  }

  ImportReport& report() { return rep_; }

 private:
  Status Header(const TableRow& row) {
    if (IsBlankRow(row)) return Status::Ok();
    if (!row.problem.empty()) return Invalid("the header row cannot be read: " + row.problem);
    HeaderMatch m = MatchHeader(row.cells, kAliases, kFieldNames);
    for (size_t f = 0; f < kFieldCount; ++f) col_[f] = m.column_of[f];
    headers_ = std::move(m.headers);
    rep_.columns = std::move(m.columns);
    rep_.ignored_columns = std::move(m.ignored);
    if (col_[kPhone] < 0)
      m.errors.push_back({"phone", "no phone column: the header row needs one named 手机号, 手机, phone or mobile"});
    if (!m.errors.empty()) return Invalid("the header row (line " + std::to_string(row.line) + ") cannot be used", m.errors);
    header_done_ = true;
    return Status::Ok();
  }

  void Problem(Candidate& c, Field f, std::string_view value, std::string message) {
    c.ok = false;
    c.problems.push_back({c.line, f == kFieldCount ? "" : headers_[size_t(col_[f])], std::string(value), std::move(message)});
  }

  Candidate Parse(const TableRow& row) {
    Candidate c;
    c.line = row.line;
    if (!row.problem.empty()) {
      Problem(c, kFieldCount, "", row.problem);
      return c;
    }
    auto cell = [&](Field f) -> std::string_view {
      int i = col_[f];
      return i >= 0 && size_t(i) < row.cells.size() ? Trim(row.cells[size_t(i)]) : std::string_view();
    };
    if (auto v = cell(kPhone); v.empty()) {
      Problem(c, kPhone, v, "is required");
    } else if (auto p = core::NormalizePhone(v, ctx_.settings.phone_region); !p.ok()) {
      Problem(c, kPhone, v, p.status().message());
    } else {
      c.phone = p.value();
      uint64_t key = PhoneKey(c.phone);
      auto [it, fresh] = phones_.emplace(key, c.line);
      if (!fresh) Problem(c, kPhone, v, "appears again in this file (first on line " + std::to_string(it->second) + ")");
    }
    if (auto v = cell(kName); !v.empty()) {
      if (auto m = core::CheckText(v, 64); !m.empty()) Problem(c, kName, v, m);
      else c.name = v;
    }
    if (auto v = cell(kEmail); !v.empty()) {
      if (auto m = CheckMemberEmail(v); !m.empty()) Problem(c, kEmail, v, m);
      else c.email = std::string(v);
    }
    if (auto v = cell(kBirthday); !v.empty()) {
      std::string d = ParseDate(v);
      std::string m = d.empty() ? "must be a date such as 1990-05-17" : CheckMemberBirthday(d, now_);
      if (!m.empty()) Problem(c, kBirthday, v, m);
      else c.birthday = d;
    }
    if (auto v = cell(kGender); !v.empty()) {
      auto g = ParseGender(v);
      if (!g) Problem(c, kGender, v, "must be 男/女/其他 or male/female/other (M/F)");
      else if (!g->empty()) c.gender = *g;
    }
    if (auto v = cell(kCard); !v.empty()) {
      auto card = NormalizeLegacyCard(v);
      if (!card) {
        Problem(c, kCard, v, "must be 1–32 letters, digits or '-'");
      } else {
        auto [it, fresh] = cards_.emplace(*card, c.line);
        if (!fresh) Problem(c, kCard, v, "appears again in this file (first on line " + std::to_string(it->second) + ")");
        else c.card = *card;
      }
    }
    std::string why;
    if (auto v = cell(kPoints); !v.empty()) {
      if (auto n = ParseAmount(v, 0, kMaxPoints, why)) c.points = *n;
      else Problem(c, kPoints, v, why);
    }
    if (auto v = cell(kStoredValue); !v.empty()) {
      if (auto n = ParseAmount(v, 2, kMaxStoredValue, why)) c.stored_value = *n;
      else Problem(c, kStoredValue, v, why);
    }
    for (Field f : {kConsentEmail, kConsentSms}) {
      auto v = cell(f);
      if (v.empty()) continue;
      auto yes = ParseYesNo(v);
      if (!yes) Problem(c, f, v, "must be yes or no (是/否, Y/N, 1/0)");
      else (f == kConsentEmail ? c.consent_email : c.consent_sms) = *yes;
    }
    if (auto v = cell(kNotes); !v.empty()) {
      if (auto m = CheckMemberNotes(v); !m.empty()) Problem(c, kNotes, v, m);
      else c.notes = v;
    }
    if (auto v = cell(kJoined); !v.empty()) {
      std::string d = ParseDate(v);
      std::string m = d.empty() ? "must be a date such as 2021-09-01" : CheckPastDate(d, now_);
      if (!m.empty()) Problem(c, kJoined, v, m);
      else c.joined_at = DateEpochMs(d), c.joined_on = d;
    }
    return c;
  }

  // SQLite (ImportOptions::index_rebuild_rows): once the file has brought enough rows, and at
  // least as many as the table held, the members' non-unique indexes are dropped for the rest
  // of the transaction; RebuildIndexes creates them again from their own CREATE statements.
  // The unique ones stay: the import's own lookups (phone, card numbers) and ON CONFLICT use them.
  // `inserted`: the rows this import has written so far; valid_ counts the batch about to go in too.
  Status MaybeDropIndexes(store::Tx& tx, int64_t inserted) {
    if (opt_.dry_run || indexes_dropped_ || opt_.index_rebuild_rows <= 0 || tx.engine() != store::Engine::kSqlite ||
        valid_ < opt_.index_rebuild_rows)
      return Status::Ok();
    if (members_before_ < 0) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM members"));
      members_before_ = rows[0].Int(0) - inserted;
    }
    if (valid_ < members_before_) return Status::Ok();
    indexes_dropped_ = true;
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list('members') i "
                                           "ON i.name = m.name WHERE m.type = 'index' AND m.tbl_name = 'members' "
                                           "AND m.sql IS NOT NULL AND i.\"unique\" = 0 ORDER BY m.rootpage"));
    for (const auto& r : rows.rows) {
      SY_RETURN_IF_ERROR(tx.Exec("DROP INDEX \"" + r.Text(0) + "\"").status());
      dropped_.push_back(r.Text(1));
    }
    return Status::Ok();
  }

  Status RebuildIndexes(store::Tx& tx) {
    for (const auto& sql : dropped_) SY_RETURN_IF_ERROR(tx.Exec(sql).status());
    rep_.indexes_rebuilt = int64_t(dropped_.size());
    dropped_.clear();
    return Status::Ok();
  }

  void Emit(const ImportProblem& p) {
    ++rep_.error_count;
    if (rep_.errors.size() < opt_.max_errors) rep_.errors.push_back(p);
  }

  // Looks up the batch's phones and cards, writes the good rows (real run) and reports the rest
  // in line order.
  Status Flush(store::Tx& tx) {
    if (batch_.empty()) return Status::Ok();
    std::vector<Candidate*> good;
    for (auto& c : batch_)
      if (c.ok) good.push_back(&c);
    // Phones already registered, and old card numbers already taken (as an old card or a card).
    std::unordered_map<std::string, int64_t> members_by_phone, members_by_card;
    for (size_t start = 0; start < good.size(); start += kChunk) {
      size_t end = std::min(good.size(), start + kChunk);
      std::vector<store::Value> phones;
      phones.reserve(kChunk);
      for (size_t i = start; i < end; ++i) phones.emplace_back(good[i]->phone);
      while (phones.size() < kChunk) phones.emplace_back(std::string());  // one statement text for every chunk
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT phone, id FROM members WHERE phone IN (" + Placeholders(kChunk) + ")", phones));
      for (const auto& r : rows.rows) members_by_phone.emplace(r.Text(0), r.Int(1));
      if (col_[kCard] < 0) continue;
      std::vector<store::Value> cards;
      for (size_t i = start; i < end; ++i)
        if (good[i]->card) cards.emplace_back(*good[i]->card);
      if (cards.empty()) continue;
      while (cards.size() < kChunk) cards.emplace_back(std::string());
      std::vector<store::Value> twice = cards;
      twice.insert(twice.end(), cards.begin(), cards.end());
      SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT legacy_card_number, id FROM members WHERE legacy_card_number IN (" +
                                                  Placeholders(kChunk) + ") UNION ALL SELECT card_number, id FROM members "
                                                  "WHERE card_number IN (" + Placeholders(kChunk) + ")",
                                              twice));
      for (const auto& r : taken.rows) members_by_card.emplace(r.Text(0), r.Int(1));
    }
    std::vector<Candidate*> fresh;
    for (Candidate* c : good) {
      if (auto it = members_by_phone.find(c->phone); it != members_by_phone.end()) {
        c->ok = false;
        c->skipped = true;
        ++rep_.skipped;
        c->problems.push_back({c->line, headers_[size_t(col_[kPhone])], c->phone,
                               "is already a member (id " + std::to_string(it->second) + "); the row is skipped"});
        continue;
      }
      if (c->card)
        if (auto it = members_by_card.find(*c->card); it != members_by_card.end()) {
          Problem(*c, kCard, *c->card, "already belongs to member " + std::to_string(it->second));
          continue;
        }
      fresh.push_back(c);
    }
    for (const auto& c : batch_) {
      if (!c.ok && !c.skipped) ++rep_.invalid;
      for (const auto& p : c.problems) Emit(p);
    }
    int64_t inserted = valid_;
    valid_ += int64_t(fresh.size());
    Status st = MaybeDropIndexes(tx, inserted);
    if (st.ok() && !opt_.dry_run) st = Insert(tx, fresh);
    batch_.clear();
    return st;
  }

  Status Insert(store::Tx& tx, const std::vector<Candidate*>& rows) {
    constexpr const char* kRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    std::optional<int64_t> home = actor_.home_store_id;
    store::Value staff = actor_.kind == "staff" ? store::Value(actor_.id) : store::Null();
    for (size_t start = 0; start < rows.size(); start += kChunk) {
      size_t end = std::min(rows.size(), start + kChunk);
      std::string sql =
          "INSERT INTO members (card_number, phone, phone_last4, name, email, birthday, gender, home_store_id, "
          "consent_email, consent_sms, consent_updated_at, consent_source, notes, created_at, updated_at, created_by, "
          "legacy_card_number, points_balance, stored_value_balance, joined_on) VALUES ";
      std::vector<store::Value> p;
      p.reserve((end - start) * 20);
      std::unordered_map<std::string, const Candidate*> by_phone;
      for (size_t i = start; i < end; ++i) {
        const Candidate& c = *rows[i];
        by_phone.emplace(c.phone, &c);
        sql += i == start ? kRow : std::string(", ") + kRow;
        bool consent = c.consent_email.has_value() || c.consent_sms.has_value();
        auto opt = [](const std::optional<std::string>& v) { return v ? store::Value(*v) : store::Null(); };
        p.emplace_back("new:" + c.phone);  // a unique stand-in until the id is known
        p.emplace_back(c.phone);
        p.emplace_back(c.phone.substr(c.phone.size() - 4));
        p.emplace_back(c.name);
        p.push_back(opt(c.email));
        p.push_back(opt(c.birthday));
        p.push_back(opt(c.gender));
        p.push_back(home ? store::Value(*home) : store::Null());
        p.emplace_back(int64_t(c.consent_email.value_or(false)));
        p.emplace_back(int64_t(c.consent_sms.value_or(false)));
        p.push_back(consent ? store::Value(now_) : store::Null());
        p.emplace_back(consent ? source_ : std::string());
        p.emplace_back(c.notes);
        p.emplace_back(c.joined_at.value_or(now_));
        p.emplace_back(now_);
        p.emplace_back(created_by_);
        p.push_back(opt(c.card));
        p.emplace_back(c.points);
        p.emplace_back(c.stored_value);
        p.emplace_back(c.joined_on.value_or(today_));  // the report cohorts' join day
      }
      // ON CONFLICT: a phone registered since the lookup (PostgreSQL, another connection) is
      // skipped like the ones found before.
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " ON CONFLICT (phone) DO NOTHING RETURNING id, phone", p));
      int64_t lost = int64_t(end - start) - int64_t(ids.size());
      valid_ -= lost;
      rep_.skipped += lost;
      if (ids.empty()) continue;
      std::vector<int64_t> new_ids;
      for (const auto& row : ids.rows) new_ids.push_back(row.Int(0));
      SY_RETURN_IF_ERROR(AddMemberGroups(tx, new_ids));

      std::string cards = "UPDATE members SET card_number = v.column2 FROM (VALUES ";
      std::vector<store::Value> card_params;
      card_params.reserve(ids.size() * 2);
      for (size_t r = 0; r < ids.size(); ++r) {
        int64_t id = ids[r].Int(0);
        const Candidate& c = *by_phone.at(ids[r].Text(1));
        SY_ASSIGN_OR_RETURN(std::string card, core::MakeCardNumber(ctx_.settings.card_prefix, uint64_t(id)));
        cards += r == 0 ? "(CAST(? AS BIGINT), ?)" : ", (CAST(? AS BIGINT), ?)";
        card_params.emplace_back(id);
        card_params.emplace_back(std::move(card));
        // The consent history starts with what the file says: the rows RecordConsentChange
        // (service/privacy.h) would write, email before sms.
        if (c.consent_email) SY_RETURN_IF_ERROR(consents_.Add(tx, {id, "email", int64_t(*c.consent_email), now_, source_, ""}));
        if (c.consent_sms) SY_RETURN_IF_ERROR(consents_.Add(tx, {id, "sms", int64_t(*c.consent_sms), now_, source_, ""}));
        if (c.points > 0) {
          SY_RETURN_IF_ERROR(points_.Add(tx, {id, now_, c.points, c.points, std::string(kOpeningReason), staff}));
          SY_RETURN_IF_ERROR(points_report_.Add(ctx_, now_, "adjust", c.points));
        }
        if (c.stored_value > 0)
          SY_RETURN_IF_ERROR(
              stored_.Add(tx, {id, now_, c.stored_value, c.stored_value, std::string(kOpeningReason), staff}));
      }
      cards += ") AS v WHERE members.id = v.column1";
      SY_RETURN_IF_ERROR(tx.Exec(cards, card_params).status());
    }
    return Status::Ok();
  }

  Context& ctx_;
  const Actor& actor_;
  ImportOptions opt_;
  ImportReport rep_;
  int64_t now_ = 0, valid_ = 0, points_rows_ = 0, stored_rows_ = 0;
  std::string source_, created_by_, today_;
  bool header_done_ = false, indexes_dropped_ = false;
  int64_t members_before_ = -1;       // members when the import began (counted when first needed)
  std::vector<std::string> dropped_;  // CREATE INDEX statements of the indexes dropped
  std::array<int, kFieldCount> col_{};
  std::vector<std::string> headers_;
  std::unordered_map<uint64_t, int64_t> phones_;      // phone key → first line
  std::unordered_map<std::string, int64_t> cards_;    // old card → first line
  std::vector<Candidate> batch_;
  // Rows that follow the members in, a chunk at a time across batches (flushed by Finish).
  RowWriter consents_{"INSERT INTO member_consents (member_id, channel, granted, at, source, note) VALUES ",
                      "(?, ?, ?, ?, ?, ?)", 6};
  RowWriter points_{"INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason, staff_id) VALUES ",
                    "(?, ?, 'adjust', ?, ?, ?, ?)", 6, " RETURNING id, member_id, points"};
  PointsFeed points_report_;  // the opening balances in report_points_daily
  RowWriter lots_{"INSERT INTO points_lots (member_id, ledger_id, sale_id, earned_on, expires_on, points, remaining) VALUES ",
                  "(?, ?, NULL, ?, NULL, ?, ?)", 5};
  RowWriter stored_{"INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after, reason, staff_id) VALUES ",
                    "(?, ?, 'adjust', ?, ?, ?, ?)", 6};
};

Status CheckAccess(const Actor& actor, const ImportOptions& opt) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may import members");
  if (auto m = core::CheckText(opt.file_name, 200); !m.empty()) return Invalid("the file name " + m, {{"file_name", m}});
  return Status::Ok();
}

// Runs `read` (which feeds rows to the importer) in one transaction: a read-only one for a
// dry run, a write for a real run.
Result<ImportReport> Run(Context& ctx, const Actor& actor, const ImportOptions& opt,
                         const std::function<Status(Importer&, store::Tx&)>& read) {
  SY_RETURN_IF_ERROR(CheckAccess(actor, opt));
  std::optional<Importer> imp;
  Status st = RunImportTransaction(ctx, opt.dry_run, [&](store::Tx& tx) -> Status {
    imp.emplace(ctx, actor, opt);  // afresh if the database retries the transaction
    SY_RETURN_IF_ERROR(read(*imp, tx));
    return imp->Finish(tx);
  });
  if (!st.ok()) return st;
  auto& rep = imp->report();
  std::stable_sort(rep.errors.begin(), rep.errors.end(),
                   [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return std::move(rep);
}

}  // namespace

Result<ImportReport> ImportMembersCsv(Context& ctx, const Actor& actor, std::istream& in, const ImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp, store::Tx& tx) -> Status {
    std::string encoding;
    Status st = ReadCsvRows(in, [&](const TableRow& row) { return imp.Row(tx, row); }, encoding);
    imp.report().encoding = encoding;
    return st;
  });
}

Result<ImportReport> ImportMembersXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                       const ImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp, store::Tx& tx) -> Status {
    imp.report().encoding = "xlsx";
    return ReadXlsxRows(bytes, [&](const TableRow& row) { return imp.Row(tx, row); });
  });
}

}  // namespace shuyou::service
