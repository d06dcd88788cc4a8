// A member's favourite genres: how a list of spend per genre becomes shares and the one-line
// summary a cashier reads at the till ("mostly 科幻 and 历史"). Pure: the service reads the
// spend from member_genres and the names from the catalog's categories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shuyou::core {

// `part` of `total` in tenths of a percent, rounded half up: 1234 of 5000 → 247 (24.7 %).
// 0 when total is not positive; part is clamped to 0..total.
int64_t ShareTenths(int64_t part, int64_t total);

// "24.7": tenths of a percent as a decimal number text.
std::string FormatTenths(int64_t tenths);

// The shape of a member's interests, from shares sorted from the largest down:
//  kNone   no genre with positive spend;
//  kOnly   one genre has all of it;
//  kMostly the top genre has at least 60 % (one name);
//  kTwo    the top two together have at least 60 % (two names);
//  kVaried spread wider (the top three names, or fewer when there are fewer).
enum class InterestShape { kNone, kOnly, kMostly, kTwo, kVaried };
inline constexpr int64_t kMostlyTenths = 600;

struct InterestSummary {
  InterestShape shape = InterestShape::kNone;
  std::vector<size_t> genres;  // indexes into the shares given, in order
};

// `shares_tenths`: each genre's share (ShareTenths), largest first.
InterestSummary SummarizeInterests(const std::vector<int64_t>& shares_tenths);

// The summary as one line: lang "en" ("mostly Science fiction and History") or "zh-CN"
// ("以科幻和历史为主"); `names` are the names of the summary's genres in that language.
// "" for kNone.
std::string InterestLine(InterestShape shape, const std::vector<std::string>& names, const std::string& lang);

}  // namespace shuyou::core
