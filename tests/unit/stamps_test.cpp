// Unit tests of core/stamps: rewards from a filling card with carry-over, refused input, and
// which purchase lines earn stamps.
#include <gtest/gtest.h>

#include <limits>

#include "core/stamps.h"

using namespace shuyou::core;

namespace {

TEST(Stamps, RewardsAndCarryOverTable) {
  struct Case { int64_t current, added, needed, rewards, after; };
  const Case cases[] = {
      {0, 1, 10, 0, 1},     // the first stamp
      {8, 1, 10, 0, 9},     // one short
      {9, 1, 10, 1, 0},     // exactly full: one reward, a fresh card
      {9, 3, 10, 1, 2},     // two stamps carry over
      {0, 10, 10, 1, 0},
      {0, 25, 10, 2, 5},    // one purchase fills two cards
      {7, 23, 10, 3, 0},
      {0, 1, 1, 1, 0},      // every stamp is a reward
      {0, 5, 1, 5, 0},
      {12, 1, 10, 1, 3},    // the card was made smaller: stamps already held count
      {0, 999, 1000, 0, 999},
  };
  for (const auto& c : cases) {
    auto got = AddStampsToCard(c.current, c.added, c.needed);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, (StampOutcome{c.rewards, c.after})) << c.current << " + " << c.added << " of " << c.needed;
  }
}

TEST(Stamps, RefusesImpossibleInput) {
  struct Case { int64_t current, added, needed; };
  const Case cases[] = {{0, 1, 0}, {0, 1, -3}, {0, 1, 1001}, {-1, 1, 10}, {0, 0, 10}, {0, -2, 10},
                        {std::numeric_limits<int64_t>::max(), 1, 10}};
  for (const auto& c : cases) {
    auto got = AddStampsToCard(c.current, c.added, c.needed);
    EXPECT_FALSE(got.ok()) << c.current << " + " << c.added << " of " << c.needed;
    if (!got.ok()) EXPECT_EQ(got.status().code(), shuyou::Code::kInvalidArgument);
  }
}

TEST(Stamps, EarnedByQuantityOrOnlyByGenre) {
  const std::vector<StampLine> basket = {{"novel", 2}, {"children", 1}, {"", 3}, {"novel", -1}, {"novel", 0}};
  EXPECT_EQ(StampsEarned(std::nullopt, basket), 6);
  EXPECT_EQ(StampsEarned(std::string("novel"), basket), 2);
  EXPECT_EQ(StampsEarned(std::string("children"), basket), 1);
  EXPECT_EQ(StampsEarned(std::string("poetry"), basket), 0);
  EXPECT_EQ(StampsEarned(std::string("Novel"), basket), 0);  // exact match
  EXPECT_EQ(StampsEarned(std::nullopt, {}), 0);
}

}  // namespace
