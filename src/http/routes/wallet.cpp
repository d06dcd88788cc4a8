// Stored value top-ups, spends and adjustments; paid membership clubs (definitions and member
// memberships); stamp cards (definitions, member progress, manual stamps, reward redemption).
// Top-ups, spends and club payments take an optional Idempotency-Key: a till that retries after
// a timeout gets the first answer and nothing is written twice.
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/clubs.h"
#include "service/stamps.h"
#include "service/stored_value.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
using nlohmann::json;
constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);
constexpr core::RoleSet kOwner = Bit(Role::kOwner);

json Time(int64_t ms) { return core::FormatIsoUtc(ms); }
json OptTime(const std::optional<int64_t>& ms) { return ms ? Time(*ms) : json(); }

json EntryJson(const service::StoredValueEntry& e) {
  return {{"id", e.id},
          {"at", Time(e.at)},
          {"kind", e.kind},
          {"amount", e.amount},
          {"balance_after", e.balance_after},
          {"reason", e.reason},
          {"staff_id", OrNull(e.staff_id)},
          {"staff_username", e.staff_username},
          {"sale_id", OrNull(e.sale_id)},
          {"payment_method", OrNull(e.payment_method)}};
}

json ChangeJson(const service::StoredValueChange& c) {
  json entries = json::array();
  for (const auto& e : c.entries) entries.push_back(EntryJson(e));
  return {{"entries", entries}, {"balance", c.balance}};
}

json ClubJson(const service::Club& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"annual_fee", c.annual_fee},
          {"duration_months", c.duration_months},
          {"discount_percent", c.discount_percent},
          {"points_percent", c.points_percent},
          {"active", c.active},
          {"created_at", Time(c.created_at)},
          {"updated_at", Time(c.updated_at)}};
}

json MembershipJson(const service::ClubMembership& m) {
  return {{"id", m.id},
          {"member_id", m.member_id},
          {"club", ClubJson(m.club)},
          {"started_on", m.started_on},
          {"ends_on", m.ends_on},
          {"status", m.status},
          {"days_left", m.days_left}};
}

json PaymentJson(const service::ClubPayment& p) {
  return {{"id", p.id},
          {"kind", p.kind},
          {"at", Time(p.at)},
          {"amount", p.amount},
          {"payment_method", p.payment_method},
          {"period_start", p.period_start},
          {"period_end", p.period_end},
          {"stored_value_ledger_id", OrNull(p.stored_value_ledger_id)},
          {"staff_username", p.staff_username}};
}

json JoinJson(const service::ClubJoin& j) {
  return {{"membership", MembershipJson(j.membership)},
          {"payment", PaymentJson(j.payment)},
          {"stored_value", j.stored_value ? EntryJson(*j.stored_value) : json()}};
}

json CardJson(const service::StampCard& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"stamps_needed", c.stamps_needed},
          {"reward", c.reward},
          {"genre", OrNull(c.genre)},
          {"active", c.active},
          {"created_at", Time(c.created_at)},
          {"updated_at", Time(c.updated_at)}};
}

json RewardJson(const service::StampReward& w) {
  return {{"id", w.id},
          {"card_id", w.card_id},
          {"card_name", w.card_name},
          {"reward", w.reward},
          {"earned_at", Time(w.earned_at)},
          {"sale_id", OrNull(w.sale_id)},
          {"redeemed_at", OptTime(w.redeemed_at)},
          {"redeemed_by", w.redeemed_by},
          {"redeemed_sale_id", OrNull(w.redeemed_sale_id)}};
}

json AwardJson(const service::StampAward& a) {
  json rewards = json::array();
  for (const auto& w : a.rewards) rewards.push_back(RewardJson(w));
  return {{"card_id", a.card_id},
          {"card_name", a.card_name},
          {"stamps_added", a.stamps_added},
          {"stamps", a.stamps},
          {"stamps_needed", a.stamps_needed},
          {"rewards", rewards}};
}

template <class T, class F>
Response JsonAnswer(const Result<T>& r, int status, F&& to_json) {
  if (!r.ok()) return ErrorResponse(r.status());
  return Json(status, to_json(r.value()));
}

template <class T, class F>
Response ItemsAnswer(const Result<std::vector<T>>& r, F&& to_json) {
  if (!r.ok()) return ErrorResponse(r.status());
  json items = json::array();
  for (const auto& v : r.value()) items.push_back(to_json(v));
  return Json(200, {{"items", items}});
}

std::optional<int64_t> OptInt(const json& b, const char* key) {
  if (!b.contains(key) || b[key].is_null()) return std::nullopt;
  return b[key].get<int64_t>();
}

// What identifies a request for its Idempotency-Key: the path and the canonical body.
std::string Fingerprint(const Call& c, const json& body) { return c.req.target + "\n" + body.dump(); }

std::vector<Field> ClubFields(bool creating) {
  return {{"name", JType::kString, creating},
          {"annual_fee", JType::kInt, creating},
          {"duration_months", JType::kInt},
          {"discount_percent", JType::kInt},
          {"points_percent", JType::kInt},
          {"active", JType::kBool}};
}

service::ClubInput ClubInputOf(const json& b) {
  service::ClubInput in;
  in.name = OptString(b, "name");
  in.annual_fee = OptInt(b, "annual_fee");
  in.duration_months = OptInt(b, "duration_months");
  in.discount_percent = OptInt(b, "discount_percent");
  in.points_percent = OptInt(b, "points_percent");
  in.active = OptBool(b, "active");
  return in;
}

std::vector<Field> StampCardFields(bool creating) {
  return {{"name", JType::kString, creating},
          {"stamps_needed", JType::kInt, creating},
          {"reward", JType::kString, creating},
          {"genre", JType::kNullableString},
          {"active", JType::kBool}};
}

service::StampCardInput StampCardInputOf(const json& b) {
  service::StampCardInput in;
  in.name = OptString(b, "name");
  in.reward = OptString(b, "reward");
  in.stamps_needed = OptInt(b, "stamps_needed");
  in.genre = OptNullableString(b, "genre");
  in.active = OptBool(b, "active");
  return in;
}

}  // namespace

void AddWalletRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  // ---- stored value ----

  r.Allow(kTill, "POST", "/api/v1/members/{id}/stored-value/top-ups", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"amount", JType::kInt, true}, {"payment_method", JType::kString, true},
                                 {"reason", JType::kString}});
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    const auto& actor = c.principal->actor;
    return IdempotentJson(
        201, service::RunIdempotent(ctx, "stored_value.top_up:member:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                    Fingerprint(c, b), [&](store::Tx& tx) -> Result<json> {
                                      SY_ASSIGN_OR_RETURN(auto ch, service::TopUpIn(tx, ctx, actor, *id, b["amount"].get<int64_t>(),
                                                                                    b["payment_method"].get<std::string>(),
                                                                                    b.value("reason", "")));
                                      return ChangeJson(ch);
                                    }));
  });

  r.Allow(kTill, "POST", "/api/v1/members/{id}/stored-value/spends", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"amount", JType::kInt, true}, {"sale_id", JType::kNullableInt},
                                 {"reason", JType::kString}});
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    const auto& actor = c.principal->actor;
    return IdempotentJson(
        201, service::RunIdempotent(ctx, "stored_value.spend:member:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                    Fingerprint(c, b), [&](store::Tx& tx) -> Result<json> {
                                      SY_ASSIGN_OR_RETURN(auto e, service::SpendStoredValue(tx, ctx, actor, *id,
                                                                                            b["amount"].get<int64_t>(),
                                                                                            OptInt(b, "sale_id"),
                                                                                            b.value("reason", "")));
                                      int64_t balance = e.balance_after;
                                      return ChangeJson(service::StoredValueChange{{std::move(e)}, balance});
                                    }));
  });

  r.Allow(kManagers, "POST", "/api/v1/members/{id}/stored-value/adjustments", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"amount", JType::kInt, true}, {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    return JsonAnswer(service::AdjustStoredValue(ctx, c.principal->actor, *id, b["amount"].get<int64_t>(),
                                                 b["reason"].get<std::string>()),
                      201, ChangeJson);
  });

  // ---- clubs ----

  r.Allow(core::kEveryRole, "GET", "/api/v1/clubs", [&ctx](Call&) { return ItemsAnswer(service::ListClubs(ctx), ClubJson); });

  r.Allow(kOwner, "POST", "/api/v1/clubs", [&ctx](Call& c) {
    auto body = ReadBody(c.req, ClubFields(true));
    if (!body.ok()) return ErrorResponse(body.status());
    return JsonAnswer(service::CreateClub(ctx, c.principal->actor, ClubInputOf(*body)), 201, ClubJson);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/clubs/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return JsonAnswer(service::GetClub(ctx, *id), 200, ClubJson);
  });

  r.Allow(kOwner, "PATCH", "/api/v1/clubs/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, ClubFields(false));
    if (!body.ok()) return ErrorResponse(body.status());
    return JsonAnswer(service::UpdateClub(ctx, c.principal->actor, *id, ClubInputOf(*body)), 200, ClubJson);
  });

  r.Allow(kOwner, "DELETE", "/api/v1/clubs/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    Status st = service::DeleteClub(ctx, c.principal->actor, *id);
    return st.ok() ? NoContent() : ErrorResponse(st);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}/clubs", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return JsonAnswer(service::ListMemberClubs(ctx, *id), 200, [](const service::MemberClubs& m) {
      json items = json::array(), payments = json::array();
      for (const auto& x : m.memberships) items.push_back(MembershipJson(x));
      for (const auto& p : m.payments) payments.push_back(PaymentJson(p));
      return json{{"items", items}, {"payments", payments}};
    });
  });

  r.Allow(kTill, "POST", "/api/v1/members/{id}/clubs", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"club_id", JType::kInt, true}, {"payment_method", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    const auto& actor = c.principal->actor;
    return IdempotentJson(
        201, service::RunIdempotent(ctx, "club.join:member:" + std::to_string(*id), IdempotencyKeyOf(c.req),
                                    Fingerprint(c, b), [&](store::Tx& tx) -> Result<json> {
                                      SY_ASSIGN_OR_RETURN(auto j, service::JoinClubIn(tx, ctx, actor, *id,
                                                                                      b["club_id"].get<int64_t>(),
                                                                                      b["payment_method"].get<std::string>()));
                                      return JoinJson(j);
                                    }));
  });

  // ---- stamp cards ----

  r.Allow(core::kEveryRole, "GET", "/api/v1/stamp-cards",
          [&ctx](Call&) { return ItemsAnswer(service::ListStampCards(ctx), CardJson); });

  r.Allow(kOwner, "POST", "/api/v1/stamp-cards", [&ctx](Call& c) {
    auto body = ReadBody(c.req, StampCardFields(true));
    if (!body.ok()) return ErrorResponse(body.status());
    return JsonAnswer(service::CreateStampCard(ctx, c.principal->actor, StampCardInputOf(*body)), 201, CardJson);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/stamp-cards/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return JsonAnswer(service::GetStampCard(ctx, *id), 200, CardJson);
  });

  r.Allow(kOwner, "PATCH", "/api/v1/stamp-cards/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, StampCardFields(false));
    if (!body.ok()) return ErrorResponse(body.status());
    return JsonAnswer(service::UpdateStampCard(ctx, c.principal->actor, *id, StampCardInputOf(*body)), 200, CardJson);
  });

  r.Allow(kOwner, "DELETE", "/api/v1/stamp-cards/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    Status st = service::DeleteStampCard(ctx, c.principal->actor, *id);
    return st.ok() ? NoContent() : ErrorResponse(st);
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/members/{id}/stamps", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return JsonAnswer(service::GetMemberStamps(ctx, *id), 200, [](const service::MemberStamps& s) {
      json cards = json::array(), rewards = json::array(), redeemed = json::array();
      for (const auto& p : s.cards) cards.push_back({{"card", CardJson(p.card)}, {"stamps", p.stamps}});
      for (const auto& w : s.rewards) rewards.push_back(RewardJson(w));
      for (const auto& w : s.redeemed) redeemed.push_back(RewardJson(w));
      return json{{"cards", cards}, {"rewards", rewards}, {"redeemed", redeemed}};
    });
  });

  r.Allow(kTill, "POST", "/api/v1/members/{id}/stamps", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"card_id", JType::kInt, true}, {"count", JType::kInt}, {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    return JsonAnswer(service::AddManualStamps(ctx, c.principal->actor, *id, b["card_id"].get<int64_t>(),
                                               OptInt(b, "count").value_or(1), b["reason"].get<std::string>()),
                      201, AwardJson);
  });

  r.Allow(kTill, "POST", "/api/v1/members/{id}/stamp-rewards/{reward_id}/redeem", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto reward = PathId(c, "reward_id");
    if (!reward.ok()) return ErrorResponse(reward.status());
    auto body = ReadBody(c.req, {{"sale_id", JType::kNullableInt}});
    if (!body.ok()) return ErrorResponse(body.status());
    return JsonAnswer(service::RedeemStampReward(ctx, c.principal->actor, *id, *reward, OptInt(*body, "sale_id")), 200,
                      RewardJson);
  });
}

}  // namespace shuyou::http
