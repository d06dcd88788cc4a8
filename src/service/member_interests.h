// A member's favourite genres, read from the spend per genre that RecordPurchase keeps in
// member_genres (service/member_tiers.h): genres by spend (returns net off), each with its share
// of the member's genre spend, the catalog category's names (the raw genre code when no
// category has that code), purchases and the last purchase day, plus a one-line summary for the
// cashier. Genres whose returns cancelled their purchases (spend <= 0) are left out.
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct GenreInterest {
  std::string genre;    // as recorded: a category code such as "fiction.scifi"
  std::string name;     // the category's Chinese name; the code when no category has it
  std::string name_en;  // the category's English name; else its Chinese name; else the code
  bool in_catalog = false;
  int64_t spend = 0;          // minor units, net of returns, > 0
  int64_t share_tenths = 0;   // of total_spend, in tenths of a percent
  int64_t purchases = 0;
  std::optional<std::string> last_purchased_on;  // business day; unknown for older spend
};

struct MemberInterests {
  int64_t member_id = 0;
  std::string currency;
  int64_t total_spend = 0;  // over every genre with positive spend
  int64_t genre_count = 0;  // genres with positive spend
  std::vector<GenreInterest> genres;  // the top `limit`, by spend, then purchases, then code
  int64_t others_count = 0, others_spend = 0, others_share_tenths = 0;  // the rest together
  std::string summary_zh, summary_en;  // "" when nothing was bought
};

inline constexpr int kInterestsDefaultLimit = 5;
inline constexpr int kInterestsMaxLimit = 20;

// NotFound for an unknown member and for a merged one (details: merged_into); an erased
// member answers an empty list (erasure removes the genres). Invalid when limit is not 1..20.
Result<MemberInterests> GetMemberInterests(Context& ctx, int64_t member_id, int limit = kInterestsDefaultLimit);

}  // namespace shuyou::service
