// Unit tests of core/stored_value: the best single top-up bonus rule, never stacked or repeated,
// and refused input.
#include <gtest/gtest.h>

#include <limits>

#include "core/stored_value.h"

using namespace shuyou::core;

namespace {

Money Yuan(int64_t fen) { return Money(fen, kCNY); }

// Top up ≥ ¥200 get ¥10; ≥ ¥500 get ¥50; ≥ ¥1000 get ¥120.
const std::vector<TopUpRule> kRules = {
    {Yuan(20000), Yuan(1000)}, {Yuan(50000), Yuan(5000)}, {Yuan(100000), Yuan(12000)}};

TEST(TopUp, BestSingleRuleTable) {
  struct Case { int64_t top_up; int64_t bonus; std::optional<size_t> rule; const char* explanation; };
  const Case cases[] = {
      {10000, 0, std::nullopt, "no top-up bonus below ¥200.00"},
      {19999, 0, std::nullopt, "no top-up bonus below ¥200.00"},
      {20000, 1000, 0, "top up ≥ ¥200.00 get ¥10.00"},
      {49999, 1000, 0, "top up ≥ ¥200.00 get ¥10.00"},
      {50000, 5000, 1, "top up ≥ ¥500.00 get ¥50.00"},
      {99900, 5000, 1, "top up ≥ ¥500.00 get ¥50.00"},
      {100000, 12000, 2, "top up ≥ ¥1000.00 get ¥120.00"},
      {500000, 12000, 2, "top up ≥ ¥1000.00 get ¥120.00"},  // once, not five times
  };
  for (const auto& c : cases) {
    auto got = TopUpBonusFor(kRules, Yuan(c.top_up));
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->bonus, Yuan(c.bonus)) << c.top_up;
    EXPECT_EQ(got->rule, c.rule) << c.top_up;
    EXPECT_EQ(got->explanation, c.explanation);
  }
}

TEST(TopUp, LargestBonusWinsEvenFromALowerThresholdAndTiesGoFirst) {
  // A misordered configuration: the lower threshold pays more, so it is the best rule.
  auto best = TopUpBonusFor({{Yuan(10000), Yuan(3000)}, {Yuan(50000), Yuan(2000)}}, Yuan(60000));
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->bonus, Yuan(3000));
  EXPECT_EQ(best->rule, 0u);
  auto tie = TopUpBonusFor({{Yuan(10000), Yuan(1000)}, {Yuan(20000), Yuan(1000)}}, Yuan(30000));
  ASSERT_TRUE(tie.ok());
  EXPECT_EQ(tie->rule, 0u);
  auto none = TopUpBonusFor({}, Yuan(30000));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->bonus, Yuan(0));
  EXPECT_EQ(none->explanation, "no top-up bonus rules");
  auto huge = TopUpBonusFor(kRules, Yuan(std::numeric_limits<int64_t>::max()));
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->bonus, Yuan(12000));
}

TEST(TopUp, RefusesBadInput) {
  struct Case { std::vector<TopUpRule> rules; Money top_up; const char* message; };
  const Case cases[] = {
      {kRules, Yuan(0), "a top-up must be positive"},
      {kRules, Yuan(-50000), "a top-up must be positive"},
      {kRules, Money(50000, kUSD), "top-up rule 1 is not in USD"},
      {{{Yuan(20000), Money(1000, kUSD)}}, Yuan(50000), "top-up rule 1 is not in CNY"},
      {{{Yuan(0), Yuan(1000)}}, Yuan(50000), "top-up rule 1: the minimum top-up must be positive"},
      {{{Yuan(20000), Yuan(1000)}, {Yuan(50000), Yuan(-1)}}, Yuan(50000), "top-up rule 2: the bonus must not be negative"},
  };
  for (const auto& c : cases) {
    auto got = TopUpBonusFor(c.rules, c.top_up);
    ASSERT_FALSE(got.ok()) << c.message;
    EXPECT_EQ(got.status().message(), c.message);
  }
}

}  // namespace
