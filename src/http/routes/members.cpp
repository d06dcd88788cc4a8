// /api/v1/members: registration and lookup at the till, the member profile, and the points and
// stored-value ledgers with manager adjustments.
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/members.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

void OptStr(JsonObject& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o.Str(key, *v);
  else o.Null(key);
}

}  // namespace

void WriteMember(std::string& out, const service::Member& m) {
  JsonObject o(out);
  o.Int("id", m.id).Str("card_number", m.card_number).Str("phone", m.phone).Str("name", m.name);
  OptStr(o, "email", m.email);
  OptStr(o, "birthday", m.birthday);
  OptStr(o, "gender", m.gender);
  o.OptInt("home_store_id", m.home_store_id)
      .Str("tier", m.tier)
      .Int("points_balance", m.points_balance)
      .Int("stored_value_balance", m.stored_value_balance)
      .Bool("consent_email", m.consent_email)
      .Bool("consent_sms", m.consent_sms)
      .OptTime("consent_updated_at", m.consent_updated_at)
      .Str("consent_source", m.consent_source)
      .Str("notes", m.notes)
      .Time("created_at", m.created_at)
      .Time("updated_at", m.updated_at)
      .Str("created_by", m.created_by)
      .OptTime("erased_at", m.erased_at)
      .Close();
}

namespace {

void WritePointsEntry(std::string& out, const service::PointsEntry& e) {
  JsonObject o(out);
  o.Int("id", e.id)
      .Time("at", e.at)
      .Str("kind", e.kind)
      .Int("points", e.points)
      .Int("balance_after", e.balance_after)
      .Str("reason", e.reason)
      .OptInt("staff_id", e.staff_id)
      .Str("staff_username", e.staff_username)
      .OptInt("sale_id", e.sale_id);
  OptStr(o, "expires_on", e.expires_on);
  o.Close();
}

void WriteStoredValueEntry(std::string& out, const service::StoredValueEntry& e) {
  JsonObject o(out);
  o.Int("id", e.id)
      .Time("at", e.at)
      .Str("kind", e.kind)
      .Int("amount", e.amount)
      .Int("balance_after", e.balance_after)
      .Str("reason", e.reason)
      .OptInt("staff_id", e.staff_id)
      .Str("staff_username", e.staff_username)
      .OptInt("sale_id", e.sale_id);
  OptStr(o, "payment_method", e.payment_method);
  o.Close();
}

void WriteAdjustment(std::string& out, const service::Adjustment& a) {
  JsonObject(out).Raw("entry", ToJson(WritePointsEntry, a.entry)).Int("balance", a.balance).Close();
}

// {"balance": N, "entries": [...], "next_cursor": …}
template <class T>
Response LedgerJson(const Result<service::Ledger<T>>& r, void (*write)(std::string&, const T&)) {
  if (!r.ok()) return ErrorResponse(r.status());
  const auto& l = r.value();
  std::string out = "{\"balance\":" + std::to_string(l.balance) + ",\"entries\":[";
  for (size_t i = 0; i < l.entries.size(); ++i) {
    if (i) out += ',';
    write(out, l.entries[i]);
  }
  out += "],\"next_cursor\":";
  if (l.next_cursor) AppendJsonString(out, *l.next_cursor);
  else out += "null";
  out += '}';
  return JsonText(200, std::move(out));
}

// The member fields a body may carry; registering requires the phone.
std::vector<Field> MemberFields(bool registering) {
  return {{"phone", JType::kString, registering},
          {"name", JType::kString},
          {"email", JType::kNullableString},
          {"birthday", JType::kNullableString},
          {"gender", JType::kNullableString},
          {"home_store_id", JType::kNullableInt},
          {"consent_email", JType::kBool},
          {"consent_sms", JType::kBool},
          {"consent_note", JType::kString},
          {"notes", JType::kString}};
}

}  // namespace

void AddMemberRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kTill, "POST", "/api/v1/members", [&ctx](Call& c) {
    auto body = ReadBody(c.req, MemberFields(true));
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    service::NewMember in;
    in.phone = b["phone"];
    in.name = b.value("name", "");
    in.notes = b.value("notes", "");
    in.email = OptNullableString(b, "email").value_or(std::nullopt);
    in.birthday = OptNullableString(b, "birthday").value_or(std::nullopt);
    in.gender = OptNullableString(b, "gender").value_or(std::nullopt);
    if (b.contains("home_store_id") && !b["home_store_id"].is_null()) in.home_store_id = b["home_store_id"].get<int64_t>();
    in.consent_email = OptBool(b, "consent_email");
    in.consent_sms = OptBool(b, "consent_sms");
    in.consent_note = b.value("consent_note", "");
    return Answer(service::RegisterMember(ctx, c.principal->actor, in), 201, WriteMember);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto it = c.req.query.find("q");
    auto res = service::SearchMembers(ctx, *page, it == c.req.query.end() ? "" : it->second);
    if (!res.ok()) return ErrorResponse(res.status());
    return PageJson(*res, WriteMember);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return Answer(service::GetMember(ctx, *id), 200, WriteMember);
  });

  r.Allow(kTill, "PATCH", "/api/v1/members/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, MemberFields(false));
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    service::MemberChange ch;
    ch.phone = OptString(b, "phone");
    ch.name = OptString(b, "name");
    ch.notes = OptString(b, "notes");
    ch.email = OptNullableString(b, "email");
    ch.birthday = OptNullableString(b, "birthday");
    ch.gender = OptNullableString(b, "gender");
    if (b.contains("home_store_id"))
      ch.home_store_id = b["home_store_id"].is_null() ? std::optional<int64_t>() : b["home_store_id"].get<int64_t>();
    ch.consent_email = OptBool(b, "consent_email");
    ch.consent_sms = OptBool(b, "consent_sms");
    ch.consent_note = b.value("consent_note", "");
    return Answer(service::UpdateMember(ctx, c.principal->actor, *id, ch), 200, WriteMember);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}/points", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    return LedgerJson(service::ListPoints(ctx, *id, *page), WritePointsEntry);
  });

  r.Allow(kManagers, "POST", "/api/v1/members/{id}/points/adjustments", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"points", JType::kInt, true}, {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    return Answer(service::AdjustPoints(ctx, c.principal->actor, *id, b["points"].get<int64_t>(),
                                        b["reason"].get<std::string>()),
                  201, WriteAdjustment);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}/stored-value", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    return LedgerJson(service::ListStoredValue(ctx, *id, *page), WriteStoredValueEntry);
  });
}

}  // namespace shuyou::http
