// A member's favourite genres (see member_interests.h): one read of member_genres joined to the
// catalog's categories; shares and the summary from core/interests.
#include "service/member_interests.h"

#include "core/interests.h"
#include "service/loyalty.h"
#include "service/members.h"

namespace shuyou::service {

Result<MemberInterests> GetMemberInterests(Context& ctx, int64_t member_id, int limit) {
  if (limit < 1 || limit > kInterestsMaxLimit)
    return Invalid("limit must be 1 to " + std::to_string(kInterestsMaxLimit),
                   {{"limit", "must be 1 to " + std::to_string(kInterestsMaxLimit)}});
  MemberInterests out;
  out.member_id = member_id;
  std::vector<GenreInterest> all;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(LoadMember(tx, member_id).status());  // NotFound, or merged away
    SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
    out.currency = sp.program.earning.base_per.currency().code;
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT g.genre, c.name, c.name_en, g.spend, g.purchases, g.last_purchased_on "
                                           "FROM member_genres g LEFT JOIN categories c ON c.code = g.genre "
                                           "WHERE g.member_id = ? AND g.spend > 0 "
                                           "ORDER BY g.spend DESC, g.purchases DESC, g.genre",
                                           {member_id}));
    all.clear();
    for (const auto& r : rows.rows) {
      GenreInterest g;
      g.genre = r.Text(0);
      g.in_catalog = !r.IsNull(1);
      g.name = g.in_catalog ? r.Text(1) : g.genre;
      std::string en = g.in_catalog ? r.Text(2) : std::string();
      g.name_en = en.empty() ? g.name : en;
      g.spend = r.Int(3);
      g.purchases = r.Int(4);
      g.last_purchased_on = r.OptText(5);
      all.push_back(std::move(g));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;

  for (const auto& g : all) out.total_spend += g.spend;
  out.genre_count = int64_t(all.size());
  std::vector<int64_t> shares;
  for (auto& g : all) {
    g.share_tenths = core::ShareTenths(g.spend, out.total_spend);
    shares.push_back(g.share_tenths);
  }
  core::InterestSummary sum = core::SummarizeInterests(shares);
  std::vector<std::string> zh, en;
  for (size_t i : sum.genres) {
    zh.push_back(all[i].name);
    en.push_back(all[i].name_en);
  }
  out.summary_zh = core::InterestLine(sum.shape, zh, "zh-CN");
  out.summary_en = core::InterestLine(sum.shape, en, "en");

  size_t top = std::min(all.size(), size_t(limit));
  for (size_t i = top; i < all.size(); ++i) {
    ++out.others_count;
    out.others_spend += all[i].spend;
  }
  out.others_share_tenths = core::ShareTenths(out.others_spend, out.total_spend);
  all.resize(top);
  out.genres = std::move(all);
  return out;
}

}  // namespace shuyou::service
