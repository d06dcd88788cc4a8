// Unit tests of core/tiers: qualification by rolling spend and/or visits, upgrades at once,
// downgrades only at the periodic evaluation after the grace period, and refused input.
#include <gtest/gtest.h>

#include <chrono>

#include "core/tiers.h"

using namespace shuyou::core;
using std::chrono::year;
using std::chrono::month;
using std::chrono::day;

namespace {

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// regular; silver: ¥1000.00 or 10 visits; gold: ¥5000.00 and 24 visits.
std::vector<Tier> Tiers() {
  Tier regular{"regular"};
  Tier silver{"silver", Money(100000, kCNY), 10, false, 5, 120};
  Tier gold{"gold", Money(500000, kCNY), 24, true, 10, 150};
  return {regular, silver, gold};
}

TEST(Tiers, QualifyingTierTable) {
  struct Case { int64_t spend_fen; int64_t visits; size_t want; };
  const Case cases[] = {
      {0, 0, 0},
      {99999, 9, 0},          // just below both silver thresholds
      {100000, 0, 1},         // silver by spend alone
      {0, 10, 1},             // silver by visits alone
      {500000, 23, 1},        // gold needs both: one visit short
      {499999, 100, 1},       // gold needs both: one fen short
      {500000, 24, 2},        // gold
      {10000000, 0, 1},       // lots of spend, no visits recorded: still silver by spend
  };
  for (const auto& c : cases) {
    auto got = QualifyingTier(Tiers(), Money(c.spend_fen, kCNY), c.visits);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, c.want) << c.spend_fen << " fen, " << c.visits << " visits";
  }
}

TEST(Tiers, SingleThresholdAndEitherOrBoth) {
  std::vector<Tier> by_visits = {Tier{"regular"}, Tier{"friend", std::nullopt, 3}};
  EXPECT_EQ(*QualifyingTier(by_visits, Money(0, kCNY), 3), 1u);
  EXPECT_EQ(*QualifyingTier(by_visits, Money(99999999, kCNY), 2), 0u);
  std::vector<Tier> only_entry = {Tier{"regular"}};
  EXPECT_EQ(*QualifyingTier(only_entry, Money(99999999, kCNY), 999), 0u);
}

TEST(Tiers, RefusesBadInput) {
  auto message = [](const std::vector<Tier>& tiers, Money spend, int64_t visits) {
    auto got = QualifyingTier(tiers, spend, visits);
    return got.ok() ? std::string("ok") : got.status().message();
  };
  const Money zero(0, kCNY);
  EXPECT_EQ(message({}, zero, 0), "at least one tier is needed");
  EXPECT_EQ(message(Tiers(), Money(-1, kCNY), 0), "spend must not be negative");
  EXPECT_EQ(message(Tiers(), zero, -1), "visits must not be negative");
  EXPECT_EQ(message(Tiers(), Money(100000, kUSD), 0), "spend is in USD but tiers are in CNY");

  struct Case { std::vector<Tier> tiers; const char* message; };
  const Case cases[] = {
      {{Tier{""}}, "tier 1 needs a name"},
      {{Tier{"regular", Money(1, kCNY)}}, "tier 1 (regular): the entry tier cannot have thresholds"},
      {{Tier{"regular"}, Tier{"silver"}}, "tier 2 (silver): needs a spend or visits threshold"},
      {{Tier{"regular"}, Tier{"regular", std::nullopt, 1}}, "tier name \"regular\" is used twice"},
      {{Tier{"regular"}, Tier{"silver", Money(-1, kCNY)}}, "tier 2 (silver): minimum spend must not be negative"},
      {{Tier{"regular"}, Tier{"silver", std::nullopt, -1}}, "tier 2 (silver): minimum visits must not be negative"},
      {{Tier{"regular"}, Tier{"silver", Money(1, kCNY)}, Tier{"gold", Money(2, kUSD)}},
       "tier 3 (gold): minimum spends are in different currencies"},
      {{Tier{"regular", std::nullopt, std::nullopt, false, 101}}, "tier 1 (regular): discount must be 0–100%"},
      {{Tier{"regular", std::nullopt, std::nullopt, false, -1}}, "tier 1 (regular): discount must be 0–100%"},
      {{Tier{"regular", std::nullopt, std::nullopt, false, 0, 99}},
       "tier 1 (regular): points multiplier must be 100–1000000%"},
  };
  for (const auto& c : cases) {
    shuyou::Status st = CheckTiers(c.tiers);
    EXPECT_EQ(st.code(), shuyou::Code::kInvalidArgument) << c.message;
    EXPECT_EQ(st.message(), c.message);
  }
  EXPECT_TRUE(CheckTiers(Tiers()).ok());
}

TEST(Tiers, EvaluationTable) {
  // Grace 90 days from 2026-01-01: Jan 31 + Feb 28 + Mar 31 = 90, so it ends on 2026-04-01.
  struct Case {
    size_t current, qualifying;
    Date last_qualified, today;
    int64_t grace;
    bool periodic;
    size_t want_tier;
    TierChange want_change;
    const char* reason;
  };
  const Case cases[] = {
      {1, 2, D(2026, 3, 1), D(2026, 3, 5), 90, false, 2, TierChange::kUpgrade, "qualifies for gold: upgraded at once"},
      {0, 2, D(2026, 3, 5), D(2026, 3, 5), 90, true, 2, TierChange::kUpgrade, "qualifies for gold: upgraded at once"},
      {1, 1, D(2026, 3, 5), D(2026, 3, 5), 90, true, 1, TierChange::kKeep, "still qualifies for silver"},
      {2, 1, D(2020, 1, 1), D(2026, 3, 5), 90, false, 2, TierChange::kKeep,
       "qualifies only for silver: gold is kept until the periodic evaluation"},
      {2, 0, D(2026, 1, 1), D(2026, 4, 1), 90, true, 2, TierChange::kKeep,
       "qualifies only for regular: gold is kept through 2026-04-01 (grace period)"},
      {2, 0, D(2026, 1, 1), D(2026, 4, 2), 90, true, 0, TierChange::kDowngrade,
       "qualifies only for regular: the grace period ended on 2026-04-01, downgraded from gold"},
      {2, 1, D(2026, 1, 1), D(2026, 4, 2), 90, true, 1, TierChange::kDowngrade,
       "qualifies only for silver: the grace period ended on 2026-04-01, downgraded from gold"},
      {1, 0, D(2026, 3, 5), D(2026, 3, 5), 0, true, 1, TierChange::kKeep,
       "qualifies only for regular: silver is kept through 2026-03-05 (grace period)"},
      {1, 0, D(2026, 3, 5), D(2026, 3, 6), 0, true, 0, TierChange::kDowngrade,
       "qualifies only for regular: the grace period ended on 2026-03-05, downgraded from silver"},
      {1, 0, D(2024, 2, 29), D(2024, 3, 1), 1, true, 1, TierChange::kKeep,  // leap day + 1 = Mar 1
       "qualifies only for regular: silver is kept through 2024-03-01 (grace period)"},
  };
  for (const auto& c : cases) {
    auto got = EvaluateTier(Tiers(), {c.current, c.qualifying, c.last_qualified, c.today, c.grace, c.periodic});
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->tier, c.want_tier) << c.reason;
    EXPECT_EQ(got->change, c.want_change) << c.reason;
    EXPECT_EQ(got->reason, c.reason);
  }
}

TEST(Tiers, EvaluationRefusesBadInput) {
  struct Case { TierReview review; const char* message; };
  const Case cases[] = {
      {{3, 0, D(2026, 1, 1), D(2026, 1, 2), 90, true}, "no such tier"},
      {{0, 3, D(2026, 1, 1), D(2026, 1, 2), 90, true}, "no such tier"},
      {{1, 0, D(2026, 2, 30), D(2026, 3, 2), 90, true}, "not a real date"},
      {{1, 0, D(2026, 1, 1), D(2026, 13, 1), 90, true}, "not a real date"},
      {{1, 0, D(2026, 1, 1), D(2026, 1, 2), -1, true}, "grace period must not be negative"},
      {{1, 0, D(2026, 1, 1), D(2026, 1, 2), 36601, true}, "grace period must be at most 36600 days"},
      {{1, 0, D(2026, 1, 3), D(2026, 1, 2), 90, true}, "last qualified date is after today"},
  };
  for (const auto& c : cases) {
    auto got = EvaluateTier(Tiers(), c.review);
    ASSERT_FALSE(got.ok()) << c.message;
    EXPECT_EQ(got.status().message(), c.message);
  }
  EXPECT_FALSE(EvaluateTier({}, TierReview{}).ok());
}

}  // namespace
