// Unit tests of core/interests: shares rounded half up, the summary's shape at and around the
// 60 % line, and the line a cashier reads in both languages.
#include <gtest/gtest.h>

#include "core/interests.h"

using namespace shuyou::core;

namespace {

TEST(Interests, ShareTenthsTable) {
  struct Case { int64_t part, total, want; };
  const Case cases[] = {
      {1234, 5000, 247},   // 24.68 % → 24.7
      {1, 3, 333},         // 33.33 %
      {2, 3, 667},         // 66.67 % rounds up
      {1, 2000, 1},        // 0.05 % rounds half up to 0.1
      {1, 2001, 0},        // 0.0499… % rounds down
      {5000, 5000, 1000},
      {0, 5000, 0},
      {-10, 5000, 0},      // a genre whose returns exceed its purchases counts nothing
      {7000, 5000, 1000},  // clamped
      {10, 0, 0},          // nothing bought: no share
      {4'000'000'000'000'000'000, 8'000'000'000'000'000'000, 500},  // no overflow
  };
  for (const auto& c : cases) EXPECT_EQ(ShareTenths(c.part, c.total), c.want) << c.part << " of " << c.total;
}

TEST(Interests, FormatTenths) {
  EXPECT_EQ(FormatTenths(0), "0.0");
  EXPECT_EQ(FormatTenths(7), "0.7");
  EXPECT_EQ(FormatTenths(247), "24.7");
  EXPECT_EQ(FormatTenths(1000), "100.0");
}

TEST(Interests, SummaryShapeTable) {
  struct Case { std::vector<int64_t> shares; InterestShape want; std::vector<size_t> genres; };
  const Case cases[] = {
      {{}, InterestShape::kNone, {}},
      {{1000}, InterestShape::kOnly, {0}},
      {{600, 400}, InterestShape::kMostly, {0}},        // exactly 60 %
      {{599, 401}, InterestShape::kTwo, {0, 1}},        // just under: the top two
      {{400, 200, 200, 200}, InterestShape::kTwo, {0, 1}},
      {{300, 299, 200, 201}, InterestShape::kVaried, {0, 1, 2}},  // top two 59.9 %
      {{350, 240, 230, 180}, InterestShape::kVaried, {0, 1, 2}},
      {{500, 500}, InterestShape::kTwo, {0, 1}},
  };
  for (const auto& c : cases) {
    InterestSummary s = SummarizeInterests(c.shares);
    EXPECT_EQ(s.shape, c.want) << ::testing::PrintToString(c.shares);
    EXPECT_EQ(s.genres, c.genres) << ::testing::PrintToString(c.shares);
  }
}

TEST(Interests, LineInBothLanguages) {
  EXPECT_EQ(InterestLine(InterestShape::kNone, {}, "en"), "");
  EXPECT_EQ(InterestLine(InterestShape::kNone, {}, "zh-CN"), "");
  EXPECT_EQ(InterestLine(InterestShape::kOnly, {"科幻"}, "zh-CN"), "只买科幻");
  EXPECT_EQ(InterestLine(InterestShape::kOnly, {"Science fiction"}, "en"), "only Science fiction");
  EXPECT_EQ(InterestLine(InterestShape::kMostly, {"历史"}, "zh-CN"), "以历史为主");
  EXPECT_EQ(InterestLine(InterestShape::kMostly, {"History"}, "en"), "mostly History");
  EXPECT_EQ(InterestLine(InterestShape::kTwo, {"科幻", "历史"}, "zh-CN"), "以科幻和历史为主");
  EXPECT_EQ(InterestLine(InterestShape::kTwo, {"科幻", "历史"}, "en"), "mostly 科幻 and 历史");
  EXPECT_EQ(InterestLine(InterestShape::kVaried, {"科幻", "历史", "艺术"}, "zh-CN"), "兴趣广泛：科幻、历史、艺术");
  EXPECT_EQ(InterestLine(InterestShape::kVaried, {"Sci-fi", "History", "Art"}, "en"),
            "varied: Sci-fi, History and Art");
  EXPECT_EQ(InterestLine(InterestShape::kVaried, {"Sci-fi", "History"}, "en"), "varied: Sci-fi and History");
}

}  // namespace
