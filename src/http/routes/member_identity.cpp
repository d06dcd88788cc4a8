// /api/v1/members/{id}/card.svg, card.png and /merge: the member card as a QR code the till and
// the member portal scan, and merging a duplicate member into the one who stays.
#include "http/app.h"
#include "http/card_image.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/member_merge.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);
constexpr core::RoleSet kManagers = Bit(Role::kOwner) | Bit(Role::kManager);

// "8601 0000 0012 3": the card number in groups of four, as printed under the code.
std::string Grouped(const std::string& number) {
  std::string out;
  for (size_t i = 0; i < number.size(); ++i) {
    if (i && i % 4 == 0) out += ' ';
    out += number[i];
  }
  return out;
}

Response Image(std::string content_type, std::string body) {
  Response r;
  r.status = 200;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  // A member's card number never changes; a merge makes the old image answer 404 on reload.
  r.headers.emplace_back("Cache-Control", "private, max-age=300");
  return r;
}

// The member's card number as a QR matrix, or the error response (404 for a missing or merged member).
Result<std::pair<QrMatrix, std::string>> CardCode(service::Context& ctx, Call& c) {
  SY_ASSIGN_OR_RETURN(int64_t id, PathId(c));
  SY_ASSIGN_OR_RETURN(service::Member m, service::GetMember(ctx, id));
  SY_ASSIGN_OR_RETURN(QrMatrix qr, EncodeQr(m.card_number));
  return std::pair{std::move(qr), Grouped(m.card_number)};
}

void WriteMergeOutcome(std::string& out, const service::MergeOutcome& m) {
  std::string filled = "[";
  for (size_t i = 0; i < m.fields_filled.size(); ++i) {
    if (i) filled += ',';
    AppendJsonString(filled, m.fields_filled[i]);
  }
  filled += ']';
  JsonObject(out)
      .Raw("member", ToJson(WriteMember, m.survivor))
      .Int("duplicate_id", m.duplicate_id)
      .Int("points_moved", m.points_moved)
      .Int("stored_value_moved", m.stored_value_moved)
      .Int("points_entries_moved", m.points_entries_moved)
      .Int("stored_value_entries_moved", m.stored_value_entries_moved)
      .Raw("fields_filled", filled)
      .Close();
}

}  // namespace

void AddMemberIdentityRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kTill, "GET", "/api/v1/members/{id}/card.svg", [&ctx](Call& c) {
    auto code = CardCode(ctx, c);
    if (!code.ok()) return ErrorResponse(code.status());
    return Image("image/svg+xml", CardSvg(code->first, code->second));
  });

  r.Allow(kTill, "GET", "/api/v1/members/{id}/card.png", [&ctx](Call& c) {
    auto scale = QueryId(c.req, "scale");
    if (!scale.ok()) return ErrorResponse(scale.status());
    auto code = CardCode(ctx, c);
    if (!code.ok()) return ErrorResponse(code.status());
    auto png = CardPng(code->first, code->second, int(scale->value_or(8)));
    if (!png.ok()) {
      if (png.status().code() == Code::kInvalidArgument)
        return ErrorResponse(Invalid(png.status().message(), {{"scale", "must be 1 to 32"}}));
      return ErrorResponse(png.status());
    }
    return Image("image/png", std::move(*png));
  });

  r.Allow(kManagers, "POST", "/api/v1/members/{id}/merge", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"duplicate_id", JType::kInt, true}, {"reason", JType::kString, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    const auto& b = *body;
    return Answer(service::MergeMembers(ctx, c.principal->actor, *id, b["duplicate_id"].get<int64_t>(),
                                        b["reason"].get<std::string>()),
                  200, WriteMergeOutcome);
  });
}

}  // namespace shuyou::http
