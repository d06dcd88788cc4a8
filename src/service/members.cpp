// Members and their ledgers (see members.h).
#include "service/members.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/card.h"
#include "core/encoding.h"
#include "core/phone.h"
#include "service/business_day.h"
#include "service/paging.h"
#include "service/points.h"
#include "service/report_feed.h"
#include "service/privacy.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxAdjustment = 1'000'000'000;

constexpr const char* kMemberColumns =
    "id, card_number, phone, name, email, birthday, gender, home_store_id, tier, points_balance, "
    "stored_value_balance, consent_email, consent_sms, consent_updated_at, consent_source, notes, "
    "created_at, updated_at, created_by, erased_at";
constexpr size_t kMemberColumnCount = 20;

Member MemberFromRow(const store::Row& r) {
  Member m;
  m.id = r.Int(0);
  m.card_number = r.Text(1);
  m.phone = r.Text(2);
  m.name = r.Text(3);
  m.email = r.OptText(4);
  m.birthday = r.OptText(5);
  m.gender = r.OptText(6);
  m.home_store_id = r.OptInt(7);
  m.tier = r.Text(8);
  m.points_balance = r.Int(9);
  m.stored_value_balance = r.Int(10);
  m.consent_email = r.Int(11) != 0;
  m.consent_sms = r.Int(12) != 0;
  m.consent_updated_at = r.OptInt(13);
  m.consent_source = r.Text(14);
  m.notes = r.Text(15);
  m.created_at = r.Int(16);
  m.updated_at = r.Int(17);
  m.created_by = r.Text(18);
  m.erased_at = r.OptInt(19);
  return m;
}

// A merged member is gone for every use case: NotFound naming the member it was merged into
// (details: merged_into), so that a client can follow it.
Status MergedAway(int64_t id, int64_t into) {
  return Status(Code::kNotFound, "member " + std::to_string(id) + " was merged into member " + std::to_string(into),
                {{"merged_into", std::to_string(into)}});
}

// Who did it, as recorded in created_by and consent_source.
std::string SourceOf(const Actor& a) {
  if (a.kind == "staff") return "staff:" + a.name;
  if (a.kind == "api_key") return "api_key:" + a.name;
  return "system";
}

store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }

store::Value OptValue(const std::optional<std::string>& v) { return v ? store::Value(*v) : store::Null(); }
store::Value OptValue(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }

// Addresses as people type them: local@domain.tld in ASCII, at most 254 characters.
std::string CheckEmail(std::string_view e) {
  if (e.size() > 254) return "must be at most 254 characters";
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos)
    return "must look like name@example.com";
  std::string_view local = e.substr(0, at), domain = e.substr(at + 1);
  if (local.size() > 64) return "the part before @ must be at most 64 characters";
  if (local.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~.-") !=
      std::string_view::npos)
    return "must look like name@example.com (letters, digits and .!#$%&'*+/=?^_`{|}~- before @)";
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos ||
      domain.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") !=
          std::string_view::npos)
    return "must look like name@example.com";
  return "";
}

// A real calendar date YYYY-MM-DD from 1900-01-01 up to today (UTC).
std::string CheckBirthday(std::string_view b, int64_t now_ms) {
  auto parsed = ParseDay(b);
  if (!parsed.ok()) return parsed.status().message();
  using namespace std::chrono;
  const year_month_day ymd = *parsed;
  if (ymd.year() < year{1900}) return "must be in 1900 or later";
  auto today = year_month_day{floor<days>(sys_time<milliseconds>(milliseconds(now_ms)))};
  if (ymd > today) return "must not be in the future";
  return "";
}

std::string CheckGender(std::string_view g) {
  return g == "female" || g == "male" || g == "other" ? "" : "must be one of female, male, other";
}

// Free text that may span lines (notes): CheckText with line breaks allowed.
std::string CheckNotes(std::string_view notes) {
  std::string flat(notes);
  for (auto& c : flat)
    if (c == '\n' || c == '\r') c = ' ';
  return core::CheckText(flat, 2000);
}

Status CheckStoreExists(store::Tx& tx, const std::optional<int64_t>& store_id) {
  if (!store_id) return Status::Ok();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {*store_id}));
  if (rows.empty()) return Invalid("no store with id " + std::to_string(*store_id), {{"home_store_id", "no such store"}});
  return Status::Ok();
}

Status PhoneTaken(const std::string& phone, std::optional<int64_t> member) {
  return Status(Code::kConflict,
                "the phone number " + phone + " is already registered" +
                    (member ? " to member " + std::to_string(*member) : std::string()),
                {{"phone", "is already registered"}});
}

// Conflict when another member has `phone`.
Status CheckPhoneFree(store::Tx& tx, const std::string& phone, int64_t self) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM members WHERE phone = ? AND id <> ?", {phone, self}));
  if (!rows.empty()) return PhoneTaken(phone, rows[0].Int(0));
  return Status::Ok();
}

std::string Last4(const std::string& e164) { return e164.substr(e164.size() - 4); }

// LIKE pattern matching `text` anywhere, with % and _ taken literally (ESCAPE '!').
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

}  // namespace

Result<Member> LoadMember(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kMemberColumns + ", merged_into FROM members WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(id));
  if (auto into = rows[0].OptInt(kMemberColumnCount)) {
    return MergedAway(id, *into);
  }
  return MemberFromRow(rows[0]);
}

Result<Member> RegisterMember(Context& ctx, const Actor& actor, const NewMember& in) {
  int64_t now = ctx.now();
  std::vector<FieldError> errs;
  std::string phone;
  if (in.phone.empty()) {
    errs.push_back({"phone", "is required"});
  } else if (auto p = core::NormalizePhone(in.phone, ctx.settings.phone_region); !p.ok()) {
    errs.push_back({"phone", p.status().message()});
  } else {
    phone = p.value();
  }
  if (auto m = core::CheckText(in.name, 64); !m.empty()) errs.push_back({"name", m});
  if (in.email)
    if (auto m = CheckEmail(*in.email); !m.empty()) errs.push_back({"email", m});
  if (in.birthday)
    if (auto m = CheckBirthday(*in.birthday, now); !m.empty()) errs.push_back({"birthday", m});
  if (in.gender)
    if (auto m = CheckGender(*in.gender); !m.empty()) errs.push_back({"gender", m});
  if (auto m = CheckNotes(in.notes); !m.empty()) errs.push_back({"notes", m});
  if (auto m = CheckConsentNote(in.consent_note); !m.empty()) errs.push_back({"consent_note", m});
  if (!errs.empty()) return Invalid("the member has invalid fields", errs);
  std::optional<int64_t> home = in.home_store_id ? in.home_store_id : actor.home_store_id;
  bool consent_given = in.consent_email.has_value() || in.consent_sms.has_value();

  SY_ASSIGN_OR_RETURN(core::Date today, BusinessDay(ctx, now));
  const std::string joined_on = FormatDay(today);  // the member's cohort (report aggregates)

  Member out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStoreExists(tx, home));
    SY_RETURN_IF_ERROR(CheckPhoneFree(tx, phone, 0));
    // The card number is the configured prefix + the new id in 8 digits + a Luhn check digit,
    // so the row is inserted first with a unique stand-in. Cards issued under an earlier prefix
    // keep their number.
    auto r = tx.Exec(
        "INSERT INTO members (card_number, phone, phone_last4, name, email, birthday, gender, home_store_id, "
        "consent_email, consent_sms, consent_updated_at, consent_source, notes, created_at, updated_at, created_by, "
        "joined_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {"new:" + phone, phone, Last4(phone), in.name, OptValue(in.email), OptValue(in.birthday), OptValue(in.gender),
         OptValue(home), int64_t(in.consent_email.value_or(false)), int64_t(in.consent_sms.value_or(false)),
         consent_given ? store::Value(now) : store::Null(), consent_given ? SourceOf(actor) : std::string(),
         in.notes, now, now, SourceOf(actor), joined_on});
    if (!r.ok() && r.status().code() == Code::kConflict) return PhoneTaken(phone, std::nullopt);
    if (!r.ok()) return r.status();
    int64_t id = r->rows[0].Int(0);
    SY_ASSIGN_OR_RETURN(std::string card, core::MakeCardNumber(ctx.settings.card_prefix, uint64_t(id)));
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET card_number = ? WHERE id = ?", {card, id}).status());
    SY_RETURN_IF_ERROR(AddMemberGroups(tx, {id}));
    if (in.consent_email)
      SY_RETURN_IF_ERROR(RecordConsentChange(tx, id, "email", *in.consent_email, now, SourceOf(actor), in.consent_note));
    if (in.consent_sms)
      SY_RETURN_IF_ERROR(RecordConsentChange(tx, id, "sms", *in.consent_sms, now, SourceOf(actor), in.consent_note));
    SY_RETURN_IF_ERROR(GrantSignUpBonus(tx, ctx, actor, id));
    SY_ASSIGN_OR_RETURN(out, LoadMember(tx, id));
    return RecordAudit(tx, ctx, actor, "member.register", "member:" + std::to_string(id),
                       {{"card_number", card}, {"home_store_id", home ? nlohmann::json(*home) : nlohmann::json()}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Member> GetMember(Context& ctx, int64_t id) {
  Member out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadMember(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Member>> SearchMembers(Context& ctx, const PageQuery& page, const std::string& q) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page,
                                             {{"id", "id", true}, {"name", "name", false}, {"created_at", "created_at", true}},
                                             "name", "id"));
  std::string match;
  std::vector<store::Value> match_params;
  if (!q.empty()) {
    auto add = [&](const char* cond, store::Value v) {
      match += (match.empty() ? "" : " OR ") + std::string(cond);
      match_params.push_back(std::move(v));
    };
    if (auto phone = core::NormalizePhone(q, ctx.settings.phone_region); phone.ok()) add("phone = ?", phone.value());
    if (q.size() == 4 && q.find_first_not_of("0123456789") == std::string::npos) add("phone_last4 = ?", q);
    if (auto card = core::NormalizeCardNumber(q)) {
      add("card_number = ?", *card);
      // The card of a member merged into another still finds the member it was merged into.
      add("id IN (SELECT merged_into FROM members WHERE card_number = ?)", *card);
    }
    // The card a member carried in the store's previous system (kept by the member import).
    if (std::string legacy; q.size() <= 64 && q.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz- ") == std::string::npos) {
      for (char c : q)
        if (c != ' ') legacy += c;
      if (!legacy.empty() && legacy.size() <= 32) add("legacy_card_number = ?", legacy);
    }
    // A query of digits and phone punctuation only is a number, and one word of ASCII letters
    // and digits holding a digit ("VIP0001") is a card: matching names too would turn an
    // indexed lookup into a scan of every member.
    bool number = q.find_first_not_of("0123456789 +-().") == std::string::npos;
    bool card_like = q.find_first_of("0123456789") != std::string::npos &&
                     q.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") == std::string::npos;
    if (!number && !card_like) add("name LIKE ? ESCAPE '!'", ContainsPattern(q));
    // A number that is neither a phone number, its last 4 digits nor a card number (a mistyped
    // card fails its check digit) finds nobody, rather than everybody.
    if (match.empty()) return Page<Member>{};
  }
  Page<Member> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    // Merged members live on in their survivor; erased ones keep their ledgers but are nobody to
    // look up.
    std::string sql = std::string("SELECT ") + kMemberColumns + ", " + ks.column.sql +
                      " FROM members WHERE merged_into IS NULL AND erased_at IS NULL AND " + ks.where;
    auto params = ks.params;
    if (!match.empty()) {
      sql += " AND (" + match + ")";
      params.insert(params.end(), match_params.begin(), match_params.end());
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, kMemberColumnCount, 0);
    for (const auto& r : rows.rows) out.items.push_back(MemberFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Member> UpdateMember(Context& ctx, const Actor& actor, int64_t id, const MemberChange& in) {
  int64_t now = ctx.now();
  std::vector<FieldError> errs;
  std::optional<std::string> phone;
  if (in.phone) {
    if (auto p = core::NormalizePhone(*in.phone, ctx.settings.phone_region); !p.ok()) errs.push_back({"phone", p.status().message()});
    else phone = p.value();
  }
  if (in.name)
    if (auto m = core::CheckText(*in.name, 64); !m.empty()) errs.push_back({"name", m});
  if (in.email && *in.email)
    if (auto m = CheckEmail(**in.email); !m.empty()) errs.push_back({"email", m});
  if (in.birthday && *in.birthday)
    if (auto m = CheckBirthday(**in.birthday, now); !m.empty()) errs.push_back({"birthday", m});
  if (in.gender && *in.gender)
    if (auto m = CheckGender(**in.gender); !m.empty()) errs.push_back({"gender", m});
  if (in.notes)
    if (auto m = CheckNotes(*in.notes); !m.empty()) errs.push_back({"notes", m});
  if (auto m = CheckConsentNote(in.consent_note); !m.empty()) errs.push_back({"consent_note", m});
  if (!errs.empty()) return Invalid("the change has invalid fields", errs);

  Member out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Member cur, LoadMember(tx, id));
    if (cur.erased_at) return MemberErased(id);
    std::string sets = "updated_at = ?";
    std::vector<store::Value> params = {now};
    nlohmann::json changed = nlohmann::json::array();  // field names only: no personal data in the audit log
    auto set = [&](const char* col, store::Value v) {
      sets += std::string(", ") + col + " = ?";
      params.push_back(std::move(v));
      changed.push_back(col);
    };
    if (phone && *phone != cur.phone) {
      SY_RETURN_IF_ERROR(CheckPhoneFree(tx, *phone, id));
      set("phone", *phone);
      set("phone_last4", Last4(*phone));
    }
    if (in.name) set("name", *in.name);
    if (in.email) set("email", OptValue(*in.email));
    if (in.birthday) set("birthday", OptValue(*in.birthday));
    if (in.gender) set("gender", OptValue(*in.gender));
    if (in.notes) set("notes", *in.notes);
    if (in.home_store_id) {
      SY_RETURN_IF_ERROR(CheckStoreExists(tx, *in.home_store_id));
      set("home_store_id", OptValue(*in.home_store_id));
    }
    bool consent_changed = false;
    if (in.consent_email && *in.consent_email != cur.consent_email) {
      set("consent_email", int64_t(*in.consent_email));
      consent_changed = true;
    }
    if (in.consent_sms && *in.consent_sms != cur.consent_sms) {
      set("consent_sms", int64_t(*in.consent_sms));
      consent_changed = true;
    }
    if (consent_changed) {
      set("consent_updated_at", now);
      set("consent_source", SourceOf(actor));
    }
    params.push_back(id);
    SY_RETURN_IF_ERROR(WithdrawMemberGroups(tx, {id}));  // birthday, gender or home store may move it
    auto r = tx.Exec("UPDATE members SET " + sets + " WHERE id = ?", params);
    if (!r.ok() && r.status().code() == Code::kConflict && phone) return PhoneTaken(*phone, std::nullopt);
    if (!r.ok()) return r.status();
    SY_RETURN_IF_ERROR(AddMemberGroups(tx, {id}));
    SY_RETURN_IF_ERROR(FollowHomeStores(tx, {id}));  // the member's months and cohort rows, by home store
    if (in.consent_email && *in.consent_email != cur.consent_email)
      SY_RETURN_IF_ERROR(RecordConsentChange(tx, id, "email", *in.consent_email, now, SourceOf(actor), in.consent_note));
    if (in.consent_sms && *in.consent_sms != cur.consent_sms)
      SY_RETURN_IF_ERROR(RecordConsentChange(tx, id, "sms", *in.consent_sms, now, SourceOf(actor), in.consent_note));
    SY_ASSIGN_OR_RETURN(out, LoadMember(tx, id));
    return RecordAudit(tx, ctx, actor, "member.update", "member:" + std::to_string(id), {{"fields", changed}});
  });
  if (!st.ok()) return st;
  return out;
}

// ---- ledgers ----

namespace {

constexpr const char* kPointsColumns =
    "l.id, l.at, l.kind, l.points, l.balance_after, l.reason, l.staff_id, s.username, l.sale_id, l.expires_on";

PointsEntry PointsEntryFromRow(const store::Row& r) {
  return PointsEntry{r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Int(4), r.Text(5),
                     r.OptInt(6), r.Text(7), r.OptInt(8), r.OptText(9)};
}

// The member's cached balance (column `balance_col`), or NotFound (also for a merged member).
Result<int64_t> MemberBalance(store::Tx& tx, int64_t member_id, const char* balance_col) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + balance_col + ", merged_into FROM members WHERE id = ?", {member_id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  if (auto into = rows[0].OptInt(1))
    return MergedAway(member_id, *into);
  return rows[0].Int(0);
}

}  // namespace

Result<Adjustment> AdjustPoints(Context& ctx, const Actor& actor, int64_t member_id, int64_t points,
                                const std::string& reason) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may adjust points");
  std::vector<FieldError> errs;
  if (points == 0) errs.push_back({"points", "must not be zero"});
  else if (points > kMaxAdjustment || points < -kMaxAdjustment) errs.push_back({"points", "must be between -1000000000 and 1000000000"});
  if (reason.find_first_not_of(' ') == std::string::npos) errs.push_back({"reason", "is required"});
  else if (auto m = core::CheckText(reason, 200); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the adjustment has invalid fields", errs);

  Adjustment out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(ExpireDueBeforeDebit(tx, ctx, member_id));  // lots: see points.h
    // One conditional UPDATE: of concurrent adjustments that would together go below zero, the
    // database lets only those through that still fit (row lock on PostgreSQL, one writer on SQLite).
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET points_balance = points_balance + ?, updated_at = ? "
                                          "WHERE id = ? AND merged_into IS NULL AND points_balance + ? >= 0 "
                                          "RETURNING points_balance",
                                          {points, now, member_id, points}));
    if (upd.empty()) {
      SY_ASSIGN_OR_RETURN(int64_t balance, MemberBalance(tx, member_id, "points_balance"));
      return Status(Code::kConflict,
                    "cannot take " + std::to_string(-points) + " points: the balance is " + std::to_string(balance),
                    {{"points", "would take the balance below zero (balance " + std::to_string(balance) + ")"}});
    }
    out.balance = upd[0].Int(0);
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason, staff_id) "
                                          "VALUES (?, ?, 'adjust', ?, ?, ?, ?) RETURNING id",
                                          {member_id, now, points, out.balance, reason, StaffIdOf(actor)}));
    SY_RETURN_IF_ERROR(FeedPoints(tx, ctx, now, "adjust", points));
    SY_ASSIGN_OR_RETURN(auto expires_on, ApplyAdjustmentToLots(tx, ctx, member_id, ins[0].Int(0), points, now));
    out.entry = PointsEntry{ins[0].Int(0), now, "adjust", points, out.balance, reason,
                            actor.kind == "staff" ? std::optional<int64_t>(actor.id) : std::nullopt,
                            actor.kind == "staff" ? actor.name : "", std::nullopt, expires_on};
    return RecordAudit(tx, ctx, actor, "member.points.adjust", "member:" + std::to_string(member_id),
                       {{"points", points}, {"balance_after", out.balance}, {"reason", reason},
                        {"ledger_id", out.entry.id}});
  });
  if (!st.ok()) return st;
  return out;
}

namespace {

// One page of a member's ledger, newest first, with the member's cached balance, read in one
// snapshot. `select_from` selects the entry columns (id first) from ledger `l` joined to staff `s`.
template <class Entry, class FromRow>
Result<Ledger<Entry>> ReadLedger(Context& ctx, int64_t member_id, const PageQuery& page, const char* balance_column,
                                 const std::string& select_from, FromRow from_row) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "l.id", true}}, "-id", "l.id"));
  Ledger<Entry> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out.balance, MemberBalance(tx, member_id, balance_column));
    std::vector<store::Value> params = {member_id};
    params.insert(params.end(), ks.params.begin(), ks.params.end());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(select_from + " WHERE l.member_id = ? AND " + ks.where + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, 0, 0);
    for (const auto& r : rows.rows) out.entries.push_back(from_row(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

Result<Ledger<PointsEntry>> ListPoints(Context& ctx, int64_t member_id, const PageQuery& page) {
  return ReadLedger<PointsEntry>(ctx, member_id, page, "points_balance",
                                 std::string("SELECT ") + kPointsColumns +
                                     " FROM points_ledger l LEFT JOIN staff s ON s.id = l.staff_id",
                                 PointsEntryFromRow);
}

Result<Ledger<StoredValueEntry>> ListStoredValue(Context& ctx, int64_t member_id, const PageQuery& page) {
  return ReadLedger<StoredValueEntry>(
      ctx, member_id, page, "stored_value_balance",
      "SELECT l.id, l.at, l.kind, l.amount, l.balance_after, l.reason, l.staff_id, s.username, l.sale_id, "
      "l.payment_method FROM stored_value_ledger l LEFT JOIN staff s ON s.id = l.staff_id",
      [](const store::Row& r) {
        return StoredValueEntry{r.Int(0), r.Int(1), r.Text(2),   r.Int(3),   r.Int(4),
                                r.Text(5), r.OptInt(6), r.Text(7), r.OptInt(8), r.OptText(9)};
      });
}

std::string CheckMemberEmail(std::string_view email) { return CheckEmail(email); }
std::string CheckMemberBirthday(std::string_view date, int64_t now_ms) { return CheckBirthday(date, now_ms); }
std::string CheckMemberNotes(std::string_view notes) { return CheckNotes(notes); }
std::string ActorSource(const Actor& actor) { return SourceOf(actor); }

}  // namespace shuyou::service
