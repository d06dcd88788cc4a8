// /api/v1/members/{id}/interests: the member's favourite genres by spend, with shares, the
// category names in both languages and a one-line summary for the till.
#include <algorithm>

#include "core/interests.h"
#include "http/app.h"
#include "http/routes/json_views.h"
#include "http/routes/routes.h"
#include "service/member_interests.h"

namespace shuyou::http {
namespace {

using core::Bit;
using core::Role;
constexpr core::RoleSet kReaders = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier) | Bit(Role::kMarketer);

void WriteGenre(std::string& out, const service::GenreInterest& g) {
  JsonObject o(out);
  o.Str("genre", g.genre)
      .Str("name", g.name)
      .Str("name_en", g.name_en)
      .Bool("in_catalog", g.in_catalog)
      .Int("spend", g.spend)
      .Raw("share_percent", core::FormatTenths(g.share_tenths))
      .Int("purchases", g.purchases);
  if (g.last_purchased_on) o.Str("last_purchased_on", *g.last_purchased_on);
  else o.Null("last_purchased_on");
  o.Close();
}

void WriteInterests(std::string& out, const service::MemberInterests& m) {
  std::string genres = "[";
  for (size_t i = 0; i < m.genres.size(); ++i) {
    if (i) genres += ',';
    WriteGenre(genres, m.genres[i]);
  }
  genres += ']';
  std::string summary;
  JsonObject(summary).Str("zh-CN", m.summary_zh).Str("en", m.summary_en).Close();
  JsonObject o(out);
  o.Int("member_id", m.member_id)
      .Str("currency", m.currency)
      .Int("total_spend", m.total_spend)
      .Int("genre_count", m.genre_count)
      .Raw("genres", genres);
  if (m.others_count > 0) {
    std::string others;
    JsonObject(others)
        .Int("genre_count", m.others_count)
        .Int("spend", m.others_spend)
        .Raw("share_percent", core::FormatTenths(m.others_share_tenths))
        .Close();
    o.Raw("others", others);
  } else {
    o.Null("others");
  }
  o.Raw("summary", summary).Close();
}

}  // namespace

void AddMemberInterestRoutes(Router& r, App& app) {
  auto& ctx = app.context();

  r.Allow(kReaders, "GET", "/api/v1/members/{id}/interests", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto limit = QueryId(c.req, "limit");
    if (!limit.ok()) return ErrorResponse(limit.status());
    // The service refuses anything outside 1..20 (a huge number stays huge when narrowed).
    int n = int(std::min<int64_t>(limit->value_or(service::kInterestsDefaultLimit), 1'000'000));
    return Answer(service::GetMemberInterests(ctx, *id, n), 200, WriteInterests);
  });
}

}  // namespace shuyou::http
