// Consent history, member data export and erasure (see privacy.h). The export and the erasure
// are driven by two tables below: a new table that holds rows about members adds its export
// section to kExportSections and, when it stores text a person typed or a copy of the member's
// data, its scrub step to kErasureSteps.
#include "service/privacy.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "service/paging.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr const char* kErased = "[erased]";

std::string SourceOf(const Actor& a) {
  if (a.kind == "staff") return "staff:" + a.name;
  if (a.kind == "api_key") return "api_key:" + a.name;
  return "system";
}

std::string MemberTarget(int64_t id) { return "member:" + std::to_string(id); }

// LIKE pattern matching `text` anywhere, with % and _ taken literally (ESCAPE '!').
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

// ---- export ----

// Columns whose name ends in "_at" hold epoch milliseconds: shown as ISO-8601 UTC.
bool IsTimeColumn(const std::string& name) { return name.size() > 3 && name.ends_with("_at"); }
bool IsFlagColumn(const std::string& name) {
  return name == "consent_email" || name == "consent_sms" || name == "granted";
}

nlohmann::json ColumnJson(const std::string& name, const store::Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return nullptr;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (IsTimeColumn(name)) return core::FormatIsoUtc(*i);
    if (IsFlagColumn(name)) return *i != 0;
    return *i;
  }
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

// Every column of every row, by its column name; `skip` names a column left out.
nlohmann::json RowsJson(const store::Rows& rows, std::string_view skip = "") {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows.rows) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t c = 0; c < rows.columns.size(); ++c)
      if (rows.columns[c] != skip) o[rows.columns[c]] = ColumnJson(rows.columns[c], r.cols[c]);
    out.push_back(std::move(o));
  }
  return out;
}

Result<nlohmann::json> ExportProfile(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT * FROM members WHERE id = ?", {member_id}));
  return RowsJson(rows).at(0);
}

Result<nlohmann::json> ExportConsents(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, channel, granted, at, source, note FROM member_consents "
                                         "WHERE member_id = ? ORDER BY id",
                                         {member_id}));
  return RowsJson(rows);
}

Result<nlohmann::json> ExportPointsLedger(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT * FROM points_ledger WHERE member_id = ? ORDER BY id", {member_id}));
  return RowsJson(rows, "member_id");
}

Result<nlohmann::json> ExportStoredValueLedger(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows,
                      tx.Exec("SELECT * FROM stored_value_ledger WHERE member_id = ? ORDER BY id", {member_id}));
  return RowsJson(rows, "member_id");
}

// Spend per genre (favourite genres), largest first.
Result<nlohmann::json> ExportInterests(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT genre, spend, purchases, last_purchased_on FROM member_genres "
                                         "WHERE member_id = ? ORDER BY spend DESC, genre",
                                         {member_id}));
  return RowsJson(rows);
}

// Audit entries whose target is the member: what was done to their record, when and by whom.
Result<nlohmann::json> ExportAudit(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, at, actor_kind, actor_name, action, details FROM audit_log "
                                         "WHERE target = ? ORDER BY id",
                                         {MemberTarget(member_id)}));
  nlohmann::json out = RowsJson(rows);
  for (auto& e : out) {
    auto details = nlohmann::json::parse(e["details"].get<std::string>(), nullptr, false);
    if (!details.is_discarded()) e["details"] = std::move(details);  // else kept as the stored text
  }
  return out;
}

struct ExportSection {
  const char* name;
  Result<nlohmann::json> (*read)(store::Tx& tx, int64_t member_id);
};

// The export document's sections, in order. Purchases (the cashier issue) go here as
// {"purchases", ExportPurchases}: the member's sales with their lines and payments.
constexpr ExportSection kExportSections[] = {
    {"profile", ExportProfile},
    {"consents", ExportConsents},
    {"points_ledger", ExportPointsLedger},
    {"stored_value_ledger", ExportStoredValueLedger},
    {"interests", ExportInterests},
    {"audit", ExportAudit},
};

// ---- erasure ----

// The member's personal data as it may appear in text elsewhere, longest form first.
struct Identity {
  int64_t member_id = 0;
  std::vector<std::string> terms;     // replaced by "[erased]" wherever found in scrubbed text
  std::vector<std::string> patterns;  // LIKE patterns that find rows mentioning the member anywhere
};

Identity IdentityOf(int64_t id, const std::string& phone, const std::string& name, const std::optional<std::string>& email,
                    const std::string& card) {
  Identity out;
  out.member_id = id;
  // The phone as stored (+8613800138000), without "+", and the national number as typed at a till.
  out.terms.push_back(phone);
  if (phone.size() > 1 && phone[0] == '+') out.terms.push_back(phone.substr(1));
  std::string national;
  if (phone.starts_with("+86")) national = phone.substr(3);
  else if (phone.starts_with("+1")) national = phone.substr(2);
  if (national.size() >= 7) out.terms.push_back(national);
  // … and as people write it down: "139 1234 5678", "139-1234-5678", "(415) 555-0100", "415-555-0100".
  if (phone.starts_with("+86") && national.size() == 11) {
    for (const char* sep : {" ", "-"})
      out.terms.push_back(national.substr(0, 3) + sep + national.substr(3, 4) + sep + national.substr(7));
  } else if (phone.starts_with("+1") && national.size() == 10) {
    out.terms.push_back("(" + national.substr(0, 3) + ") " + national.substr(3, 3) + "-" + national.substr(6));
    out.terms.push_back(national.substr(0, 3) + "-" + national.substr(3, 3) + "-" + national.substr(6));
  }
  out.patterns.push_back(ContainsPattern(national.size() >= 7 ? national : phone));
  if (email && !email->empty()) {
    out.terms.push_back(*email);
    out.patterns.push_back(ContainsPattern(*email));
  }
  if (!card.empty()) {
    out.terms.push_back(card);
    out.patterns.push_back(ContainsPattern(card));
  }
  // A name may be shared with other people: it is scrubbed only from rows that belong to or
  // otherwise mention this member, never searched for across the database.
  if (!name.empty()) out.terms.push_back(name);
  return out;
}

std::string ScrubText(std::string text, const Identity& who) {
  for (const auto& term : who.terms) {
    for (size_t at = text.find(term); at != std::string::npos; at = text.find(term, at + std::strlen(kErased)))
      text.replace(at, term.size(), kErased);
  }
  return text;
}

// Scrubs the string values of a JSON document (keys and structure stay, so it still parses).
void ScrubJson(nlohmann::json& j, const Identity& who) {
  if (j.is_string()) {
    j = ScrubText(j.get<std::string>(), who);
  } else if (j.is_structured()) {
    for (auto& v : j) ScrubJson(v, who);
  }
}

// Rewrites `column` of the rows of `table` selected by `where` (with `params`) whose text
// mentions the member; `keys` are the columns that identify a row (the WHERE of the UPDATE).
// A JSON column has only its string values scrubbed. Answers the number of rows changed.
Result<int64_t> ScrubColumn(store::Tx& tx, const Identity& who, const std::string& table,
                            const std::vector<std::string>& keys, const std::string& column, bool json,
                            const std::string& where, const std::vector<store::Value>& params) {
  std::string select = "SELECT ", update_where;
  for (const auto& k : keys) {
    select += k + ", ";
    update_where += (update_where.empty() ? "" : " AND ") + k + " = ?";
  }
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(select + column + " FROM " + table + " WHERE " + where, params));
  int64_t changed = 0;
  for (const auto& r : rows.rows) {
    std::string before = r.Text(keys.size()), after;
    if (json) {
      nlohmann::json doc = nlohmann::json::parse(before, nullptr, false);
      if (doc.is_discarded()) {
        after = ScrubText(before, who);
      } else {
        ScrubJson(doc, who);
        after = doc.dump();
      }
    } else {
      after = ScrubText(before, who);
    }
    if (after == before) continue;
    std::vector<store::Value> up = {after};
    for (size_t k = 0; k < keys.size(); ++k) up.push_back(r.cols[k]);
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE " + table + " SET " + column + " = ? WHERE " + update_where, up).status());
    ++changed;
  }
  return changed;
}

// "(col LIKE ? ESCAPE '!' OR …)" over the member's patterns, with their parameters appended.
std::string MentionsMember(const std::string& column, const Identity& who, std::vector<store::Value>& params) {
  std::string out;
  for (const auto& p : who.patterns) {
    out += (out.empty() ? "(" : " OR ") + column + " LIKE ? ESCAPE '!'";
    params.push_back(p);
  }
  return out.empty() ? "1 = 0" : out + ")";
}

Result<int64_t> ScrubPointsReasons(store::Tx& tx, const Identity& who) {
  return ScrubColumn(tx, who, "points_ledger", {"id"}, "reason", false, "member_id = ? AND reason <> ''",
                     {who.member_id});
}

Result<int64_t> ScrubStoredValueReasons(store::Tx& tx, const Identity& who) {
  return ScrubColumn(tx, who, "stored_value_ledger", {"id"}, "reason", false, "member_id = ? AND reason <> ''",
                     {who.member_id});
}

Result<int64_t> ScrubConsentNotes(store::Tx& tx, const Identity& who) {
  return ScrubColumn(tx, who, "member_consents", {"id"}, "note", false, "member_id = ? AND note <> ''",
                     {who.member_id});
}

// Audit entries about the member, and any other entry whose details mention their phone, email
// or card number (e.g. a merge recorded under the surviving member).
Result<int64_t> ScrubAuditDetails(store::Tx& tx, const Identity& who) {
  std::vector<store::Value> params = {MemberTarget(who.member_id)};
  std::string where = "target = ? OR " + MentionsMember("details", who, params);
  return ScrubColumn(tx, who, "audit_log", {"id"}, "details", true, where, params);
}

// Stored answers of retry-safe writes (service/idempotency.h) that hold the member's data.
Result<int64_t> ScrubIdempotentAnswers(store::Tx& tx, const Identity& who) {
  std::vector<store::Value> params;
  std::string where = MentionsMember("response", who, params);
  return ScrubColumn(tx, who, "idempotency_keys", {"scope", "key"}, "response", true, where, params);
}

// The member's favourite genres (member_genres, service/member_interests.h) are a reading
// profile, not a financial record: the sales that made them stay, the profile goes.
Result<int64_t> DropGenreInterests(store::Tx& tx, const Identity& who) {
  SY_ASSIGN_OR_RETURN(auto del, tx.Exec("DELETE FROM member_genres WHERE member_id = ?", {who.member_id}));
  return del.affected;
}

// Every place outside the members row where the member's personal data may have been copied.
// The cashier issue adds its own (e.g. a receipt e-mail address kept on a sale).
constexpr Result<int64_t> (*kErasureSteps[])(store::Tx&, const Identity&) = {
    ScrubPointsReasons, ScrubStoredValueReasons, ScrubConsentNotes, ScrubAuditDetails, ScrubIdempotentAnswers,
    DropGenreInterests,
};

bool IsOwner(const Actor& a) { return a.role == core::Role::kOwner; }
bool IsManagerOrOwner(const Actor& a) { return a.role == core::Role::kOwner || a.role == core::Role::kManager; }

}  // namespace

Status RecordConsentChange(store::Tx& tx, int64_t member_id, std::string_view channel, bool granted, int64_t at,
                           const std::string& source, const std::string& note) {
  if (channel != "email" && channel != "sms") return Internal("unknown consent channel " + std::string(channel));
  return tx.Exec("INSERT INTO member_consents (member_id, channel, granted, at, source, note) VALUES (?, ?, ?, ?, ?, ?)",
                 {member_id, std::string(channel), int64_t(granted), at, source, note})
      .status();
}

std::string CheckConsentNote(std::string_view note) { return core::CheckText(note, 200); }

Status MemberErased(int64_t member_id) {
  return Status(Code::kConflict,
                "member " + std::to_string(member_id) + " was erased: their personal data is gone and cannot change",
                {{"member", "erased"}});
}

Result<Page<ConsentChange>> ListConsents(Context& ctx, int64_t member_id, const PageQuery& page) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "id", true}}, "-id", "id"));
  Page<ConsentChange> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT 1 FROM members WHERE id = ?", {member_id}));
    if (m.empty()) return NotFound("no member with id " + std::to_string(member_id));
    std::vector<store::Value> params = {member_id};
    params.insert(params.end(), ks.params.begin(), ks.params.end());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, member_id, channel, granted, at, source, note FROM member_consents "
                                           "WHERE member_id = ? AND " + ks.where + " " + ks.order,
                                           params));
    out.next_cursor = TakePage(ks, rows, 0, 0);
    for (const auto& r : rows.rows)
      out.items.push_back({r.Int(0), r.Int(1), r.Text(2), r.Int(3) != 0, r.Int(4), r.Text(5), r.Text(6)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<nlohmann::json> ExportMember(Context& ctx, const Actor& actor, int64_t member_id) {
  if (!IsManagerOrOwner(actor)) return Status(Code::kPermissionDenied, "only owners and managers may export a member's data");
  nlohmann::json doc;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT erased_at FROM members WHERE id = ?", {member_id}));
    if (m.empty()) return NotFound("no member with id " + std::to_string(member_id));
    if (!m[0].IsNull(0)) return MemberErased(member_id);
    int64_t now = ctx.now();
    doc = {{"format", "shuyou.member-export"},
           {"format_version", 1},
           {"member_id", member_id},
           {"exported_at", core::FormatIsoUtc(now)},
           {"exported_by", SourceOf(actor)}};
    nlohmann::json names = nlohmann::json::array();
    for (const auto& s : kExportSections) {
      SY_ASSIGN_OR_RETURN(doc[s.name], s.read(tx, member_id));
      names.push_back(s.name);
    }
    return RecordAudit(tx, ctx, actor, "member.export", MemberTarget(member_id), {{"sections", names}});
  });
  if (!st.ok()) return st;
  return doc;
}

Result<Erasure> EraseMember(Context& ctx, const Actor& actor, int64_t member_id, const std::string& reason) {
  if (!IsOwner(actor)) return Status(Code::kPermissionDenied, "only owners may erase a member's personal data");
  if (reason.find_first_not_of(' ') == std::string::npos)
    return Invalid("a reason is required", {{"reason", "is required"}});
  if (auto m = core::CheckText(reason, 500); !m.empty()) return Invalid("the reason is not acceptable", {{"reason", m}});

  Erasure out;
  out.member_id = member_id;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT phone, name, email, card_number, consent_email, consent_sms, erased_at "
                                           "FROM members WHERE id = ?",
                                           {member_id}));
    if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
    const auto& m = rows[0];
    if (!m.IsNull(6)) return MemberErased(member_id);
    Identity who = IdentityOf(member_id, m.Text(0), m.Text(1), m.OptText(2), m.Text(3));
    std::vector<std::string> withdrawn;
    if (m.Int(4) != 0) withdrawn.push_back("email");
    if (m.Int(5) != 0) withdrawn.push_back("sms");

    int64_t now = ctx.now();
    std::string source = SourceOf(actor), placeholder = "erased:" + std::to_string(member_id);
    // The phone and card number columns are unique and required: a placeholder that no number
    // typed at a till can normalize to takes their place; phone_last4 "" matches no 4 digits.
    // Conditional on erased_at, so of two concurrent erasures only one gets through.
    std::string consent_sets = withdrawn.empty() ? "" : ", consent_updated_at = ?, consent_source = ?";
    std::vector<store::Value> params = {placeholder, placeholder, now, now};
    if (!withdrawn.empty()) {
      params.push_back(now);
      params.push_back(source);
    }
    params.push_back(member_id);
    SY_RETURN_IF_ERROR(WithdrawMemberGroups(tx, {member_id}));  // an erased member is in no group
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET name = '', phone = ?, phone_last4 = '', card_number = ?, "
                                          "email = NULL, birthday = NULL, gender = NULL, notes = '', consent_email = 0, "
                                          "consent_sms = 0, erased_at = ?, updated_at = ?" + consent_sets +
                                              " WHERE id = ? AND erased_at IS NULL RETURNING id",
                                          params));
    if (upd.empty()) return MemberErased(member_id);

    for (auto step : kErasureSteps) {
      SY_ASSIGN_OR_RETURN(int64_t n, step(tx, who));
      out.rows_scrubbed += n;
    }
    for (const auto& channel : withdrawn)
      SY_RETURN_IF_ERROR(RecordConsentChange(tx, member_id, channel, false, now, source, "withdrawn at erasure"));
    out.consents_withdrawn = int64_t(withdrawn.size());
    out.erased_at = now;
    // Who and why, without the erased data (a reason that names the member is scrubbed as well).
    return RecordAudit(tx, ctx, actor, "member.erase", MemberTarget(member_id),
                       {{"reason", ScrubText(reason, who)},
                        {"consents_withdrawn", out.consents_withdrawn},
                        {"rows_scrubbed", out.rows_scrubbed}});
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
