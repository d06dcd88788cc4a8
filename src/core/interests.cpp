// Favourite genres (see interests.h).
#include "core/interests.h"

#include <algorithm>

namespace shuyou::core {

int64_t ShareTenths(int64_t part, int64_t total) {
  if (total <= 0) return 0;
  part = std::clamp<int64_t>(part, 0, total);
  // In 128 bits: part * 1000 would overflow 64 bits beyond 9.2e15 minor units.
  return int64_t((__int128(part) * 1000 + total / 2) / total);
}

std::string FormatTenths(int64_t tenths) {
  std::string out = std::to_string(tenths / 10);
  out += '.';
  out += char('0' + tenths % 10);
  return out;
}

InterestSummary SummarizeInterests(const std::vector<int64_t>& shares_tenths) {
  InterestSummary s;
  const auto& v = shares_tenths;
  if (v.empty()) return s;
  if (v.size() == 1) {
    s.shape = InterestShape::kOnly;
    s.genres = {0};
  } else if (v[0] >= kMostlyTenths) {
    s.shape = InterestShape::kMostly;
    s.genres = {0};
  } else if (v[0] + v[1] >= kMostlyTenths) {
    s.shape = InterestShape::kTwo;
    s.genres = {0, 1};
  } else {
    s.shape = InterestShape::kVaried;
    for (size_t i = 0; i < std::min<size_t>(3, v.size()); ++i) s.genres.push_back(i);
  }
  return s;
}

std::string InterestLine(InterestShape shape, const std::vector<std::string>& names, const std::string& lang) {
  bool zh = lang != "en";
  auto at = [&](size_t i) { return i < names.size() ? names[i] : std::string(); };
  auto list = [&](const char* sep, const char* last) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) out += i + 1 == names.size() ? last : sep;
      out += names[i];
    }
    return out;
  };
  switch (shape) {
    case InterestShape::kNone: return "";
    case InterestShape::kOnly: return zh ? "只买" + at(0) : "only " + at(0);
    case InterestShape::kMostly: return zh ? "以" + at(0) + "为主" : "mostly " + at(0);
    case InterestShape::kTwo: return zh ? "以" + at(0) + "和" + at(1) + "为主" : "mostly " + at(0) + " and " + at(1);
    case InterestShape::kVaried: return zh ? "兴趣广泛：" + list("、", "、") : "varied: " + list(", ", " and ");
  }
  return "";
}

}  // namespace shuyou::core
