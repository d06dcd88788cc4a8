// Unit tests of core/expiry: expiry dates, first-expiring-first redemption, what lapses on a
// day, and the invariant that no lot or balance goes negative (hostile histories are refused).
#include <gtest/gtest.h>

#include <chrono>
#include <limits>

#include "core/expiry.h"

using namespace shuyou::core;
using std::chrono::year;
using std::chrono::month;
using std::chrono::day;

namespace {

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

TEST(Expiry, AddMonthsClampsToMonthEnd) {
  struct Case { Date from; int months; Date want; };
  const Case cases[] = {
      {D(2026, 3, 15), 12, D(2027, 3, 15)},
      {D(2026, 1, 31), 1, D(2026, 2, 28)},
      {D(2024, 1, 31), 1, D(2024, 2, 29)},   // leap year
      {D(2024, 2, 29), 12, D(2025, 2, 28)},
      {D(2026, 12, 31), 2, D(2027, 2, 28)},
      {D(2026, 8, 31), 1, D(2026, 9, 30)},
      {D(2026, 11, 30), 3, D(2027, 2, 28)},
  };
  for (const auto& c : cases) {
    auto got = AddMonths(c.from, c.months);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, c.want);
  }
  EXPECT_FALSE(AddMonths(D(2026, 2, 30), 12).ok());
  EXPECT_FALSE(AddMonths(D(2026, 1, 1), 0).ok());
  EXPECT_FALSE(AddMonths(D(2026, 1, 1), -12).ok());
  EXPECT_FALSE(AddMonths(D(2026, 1, 1), 1201).ok());
}

// Three purchases a year apart from their expiry, and two redemptions. By hand:
//   R0 2025-04-01, 120: L0 100 (all), L1 20 → L1 has 30 left.
//   R1 2025-12-01, 40:  L1 30 (all), L2 10 → L2 has 70 left.
const std::vector<EarnLot> kLots = {
    {D(2025, 1, 10), 100, D(2026, 1, 10)},
    {D(2025, 3, 5), 50, D(2026, 3, 5)},
    {D(2025, 6, 1), 80, D(2026, 6, 1)},
};
const std::vector<Redemption> kRedeemed = {{D(2025, 4, 1), 120}, {D(2025, 12, 1), 40}};

TEST(Expiry, ReplayDrawsFirstExpiringFirst) {
  auto state = ReplayLots(kLots, kRedeemed, D(2026, 1, 1));
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(state->draws[0], (std::vector<Draw>{{0, 100}, {1, 20}}));
  EXPECT_EQ(state->draws[1], (std::vector<Draw>{{1, 30}, {2, 10}}));
  EXPECT_EQ(state->remaining, (std::vector<int64_t>{0, 0, 70}));
  EXPECT_EQ(state->lapsed, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(state->balance, 70);
}

TEST(Expiry, WhatLapsesOnADay) {
  struct Case { Date day; int64_t lapsing; };
  const Case cases[] = {
      {D(2026, 1, 10), 0},   // L0 was used up by R0
      {D(2026, 3, 5), 0},    // L1 was used up by R0 and R1
      {D(2026, 6, 1), 70},   // what is left of L2
      {D(2026, 5, 31), 0},   // nothing expires that day
  };
  for (const auto& c : cases) {
    auto got = ExpiringOn(kLots, kRedeemed, c.day);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, c.lapsing);
  }
  auto after = ReplayLots(kLots, kRedeemed, D(2026, 6, 1));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->balance, 0);
  EXPECT_EQ(after->lapsed, (std::vector<int64_t>{0, 0, 70}));
}

// L0 100 (2025-01-10 → 2026-01-10), L1 50 (2025-03-05 → 2026-03-05); 30 redeemed on 2025-02-01
// from L0, which keeps 70.
const std::vector<EarnLot> kTwo = {{D(2025, 1, 10), 100, D(2026, 1, 10)}, {D(2025, 3, 5), 50, D(2026, 3, 5)}};
const std::vector<Redemption> kOne = {{D(2025, 2, 1), 30}};

TEST(Expiry, ExpiryDayIsTheFirstUnusableDay) {
  EXPECT_EQ(*ExpiringOn(kTwo, kOne, D(2026, 1, 10)), 70);
  EXPECT_EQ(ReplayLots(kTwo, kOne, D(2026, 1, 9))->balance, 120);
  EXPECT_EQ(ReplayLots(kTwo, kOne, D(2026, 1, 10))->balance, 50);
  auto on_expiry = Redeem(kTwo, kOne, D(2026, 1, 10), 60);
  ASSERT_FALSE(on_expiry.ok());
  EXPECT_EQ(on_expiry.status().message(), "redeeming 60 points on 2026-01-10 exceeds the 50 points usable that day");
  EXPECT_EQ(*Redeem(kTwo, kOne, D(2026, 1, 9), 60), (std::vector<Draw>{{0, 60}}));
  EXPECT_EQ(*Redeem(kTwo, kOne, D(2026, 1, 9), 100), (std::vector<Draw>{{0, 70}, {1, 30}}));
  EXPECT_EQ(*Redeem(kTwo, kOne, D(2026, 1, 9), 120), (std::vector<Draw>{{0, 70}, {1, 50}}));
  EXPECT_FALSE(Redeem(kTwo, kOne, D(2026, 1, 9), 121).ok());
}

TEST(Expiry, RedeemOrderTable) {
  struct Case { const char* name; std::vector<EarnLot> lots; Date on; int64_t points; std::vector<Draw> want; };
  const Case cases[] = {
      // Bonus points that expire sooner are used before older purchase points.
      {"soonest expiry first",
       {{D(2025, 1, 1), 100, D(2026, 1, 1)}, {D(2025, 2, 1), 20, D(2025, 5, 1)}}, D(2025, 3, 1), 30,
       {{1, 20}, {0, 10}}},
      {"same expiry: earlier earned first",
       {{D(2025, 2, 1), 10, D(2026, 1, 1)}, {D(2025, 1, 1), 10, D(2026, 1, 1)}}, D(2025, 3, 1), 15,
       {{1, 10}, {0, 5}}},
      {"same expiry and earned: given order",
       {{D(2025, 1, 1), 10, D(2026, 1, 1)}, {D(2025, 1, 1), 10, D(2026, 1, 1)}}, D(2025, 3, 1), 15,
       {{0, 10}, {1, 5}}},
      {"a lot earned later is not usable yet",
       {{D(2025, 1, 1), 10, D(2026, 1, 1)}, {D(2025, 4, 1), 50, D(2025, 12, 1)}}, D(2025, 3, 1), 10,
       {{0, 10}}},
      {"usable on the day it is earned",
       {{D(2025, 3, 1), 10, D(2026, 3, 1)}}, D(2025, 3, 1), 10, {{0, 10}}},
  };
  for (const auto& c : cases) {
    auto got = Redeem(c.lots, {}, c.on, c.points);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().message();
    EXPECT_EQ(*got, c.want) << c.name;
  }
}

TEST(Expiry, RefusesHistoriesThatWouldGoNegative) {
  const std::vector<EarnLot> lots = {{D(2025, 1, 1), 100, D(2026, 1, 1)}};
  // Before the lot is earned there is nothing to redeem.
  EXPECT_EQ(Redeem(lots, {}, D(2024, 12, 31), 1).status().message(),
            "redeeming 1 point on 2024-12-31 exceeds the 0 points usable that day");
  // Redeeming 30 in May would leave June's recorded 80 short (100 − 30 = 70).
  EXPECT_EQ(Redeem(lots, {{D(2025, 6, 1), 80}}, D(2025, 5, 1), 30).status().message(),
            "redeeming 80 points on 2025-06-01 exceeds the 70 points usable that day");
  // Recorded redemptions that overdraw are refused, in date order whatever the given order.
  EXPECT_EQ(ReplayLots(lots, {{D(2025, 9, 1), 50}, {D(2025, 8, 1), 60}}, D(2025, 12, 1)).status().message(),
            "redeeming 50 points on 2025-09-01 exceeds the 40 points usable that day");
  // A redemption after as_of is not replayed.
  auto before = ReplayLots(lots, {{D(2025, 9, 1), 500}}, D(2025, 8, 31));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->balance, 100);
  EXPECT_TRUE(before->draws[0].empty());
}

TEST(Expiry, RefusesBadLotsAndRedemptions) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Case { std::vector<EarnLot> lots; std::vector<Redemption> redemptions; Date as_of; const char* message; };
  const Case cases[] = {
      {{{D(2025, 1, 1), 0, D(2026, 1, 1)}}, {}, D(2025, 6, 1), "lot 1: points must be positive"},
      {{{D(2025, 1, 1), -5, D(2026, 1, 1)}}, {}, D(2025, 6, 1), "lot 1: points must be positive"},
      {{{D(2025, 1, 1), 5, D(2025, 1, 1)}}, {}, D(2025, 6, 1), "lot 1: expires before it is earned"},
      {{{D(2025, 2, 29), 5, D(2026, 1, 1)}}, {}, D(2025, 6, 1), "lot 1: not a real date"},
      {{{D(2025, 1, 1), 5, D(2026, 1, 1)}}, {{D(2025, 3, 1), 0}}, D(2025, 6, 1), "redemption 1: points must be positive"},
      {{{D(2025, 1, 1), 5, D(2026, 1, 1)}}, {{D(2025, 4, 31), 1}}, D(2025, 6, 1), "redemption 1: not a real date"},
      {{{D(2025, 1, 1), 5, D(2026, 1, 1)}}, {}, D(2025, 0, 1), "not a real date"},
      {{{D(2025, 1, 1), kMax, D(2026, 1, 1)}, {D(2025, 1, 1), 1, D(2026, 1, 1)}}, {}, D(2025, 6, 1),
       "the points do not fit"},
  };
  for (const auto& c : cases) {
    auto got = ReplayLots(c.lots, c.redemptions, c.as_of);
    ASSERT_FALSE(got.ok()) << c.message;
    EXPECT_EQ(got.status().message(), c.message);
  }
  EXPECT_FALSE(Redeem({}, {}, D(2025, 2, 30), 1).ok());
  EXPECT_EQ(Redeem({{D(2025, 1, 1), 5, D(2026, 1, 1)}}, {}, D(2025, 3, 1), 0).status().message(),
            "points to redeem must be positive");
}

TEST(Expiry, RandomHistoriesConservePointsAndNeverGoNegative) {
  uint64_t seed = 88;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  const auto start = std::chrono::sys_days(D(2024, 1, 1));
  int accepted = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<EarnLot> lots(1 + next(8));
    for (auto& l : lots) {
      auto earned = start + std::chrono::days(next(700));
      l = {Date{earned}, int64_t(1 + next(200)), Date{earned + std::chrono::days(1 + next(400))}};
    }
    std::vector<Redemption> redemptions(next(6));
    for (auto& r : redemptions) r = {Date{start + std::chrono::days(next(900))}, int64_t(1 + next(150))};
    Date as_of{start + std::chrono::days(next(1000))};
    auto state = ReplayLots(lots, redemptions, as_of);
    if (!state.ok()) continue;  // an overdrawing history is refused; the invariant is about the rest
    ++accepted;
    int64_t earned = 0, kept = 0, lapsed = 0, drawn = 0;
    for (size_t i = 0; i < lots.size(); ++i) {
      EXPECT_GE(state->remaining[i], 0);
      EXPECT_GE(state->lapsed[i], 0);
      if (std::chrono::sys_days(lots[i].earned) <= std::chrono::sys_days(as_of)) earned += lots[i].points;
      kept += state->remaining[i];
      lapsed += state->lapsed[i];
    }
    for (const auto& draws : state->draws)
      for (const Draw& d : draws) drawn += d.points;
    EXPECT_EQ(state->balance, kept);
    EXPECT_EQ(earned, kept + lapsed + drawn);
  }
  EXPECT_GT(accepted, 50);
}

}  // namespace
