// Unit tests of core/points beyond the case files (earning_cases_test.cpp): program
// validation, the empty program, the sign-up bonus, overflow near INT64_MAX, bad dates, and
// the invariants (lines sum to the total, never negative) over many generated baskets.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>

#include "core/points.h"

using namespace shuyou::core;
using std::chrono::year;
using std::chrono::month;
using std::chrono::day;

namespace {

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }
Money Yuan(int64_t fen) { return Money(fen, kCNY); }
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Program OnePerYuan() {
  Program p;
  p.base_points = 1;
  return p;
}

TEST(Points, CheckProgramRefusesEachBadSetting) {
  struct Case { const char* message; void (*change)(Program&); };
  const Case cases[] = {
      {"base points must be 0–1000000", [](Program& p) { p.base_points = -1; }},
      {"base points must be 0–1000000", [](Program& p) { p.base_points = 1000001; }},
      {"the base rate's amount must be positive and at most 10^12 minor units", [](Program& p) { p.base_per = Yuan(0); }},
      {"the base rate's amount must be positive and at most 10^12 minor units",
       [](Program& p) { p.base_per = Yuan(1000000000001); }},
      {"genre multiplier 1 needs a genre", [](Program& p) { p.genres = {{"", 200}}; }},
      {"genre \"comics\" has two multipliers", [](Program& p) { p.genres = {{"comics", 200}, {"comics", 0}}; }},
      {"genre \"comics\": multiplier must be 0–1000000%", [](Program& p) { p.genres = {{"comics", -1}}; }},
      {"genre \"comics\": multiplier must be 0–1000000%", [](Program& p) { p.genres = {{"comics", 1000001}}; }},
      {"tier 2 (gold): needs a spend or visits threshold", [](Program& p) { p.tiers = {Tier{"regular"}, Tier{"gold"}}; }},
      {"tier gold: minimum spend is not in the program's currency",
       [](Program& p) { p.tiers = {Tier{"regular"}, Tier{"gold", Money(100, kUSD)}}; }},
      {"bonus event 1 needs a name", [](Program& p) { p.events = {{"", D(2026, 1, 1), D(2026, 1, 2)}}; }},
      {"bonus event \"sale\" is defined twice",
       [](Program& p) { p.events = {{"sale", D(2026, 1, 1), D(2026, 1, 2)}, {"sale", D(2026, 2, 1), D(2026, 2, 2)}}; }},
      {"bonus event \"sale\": not a real date", [](Program& p) { p.events = {{"sale", D(2026, 2, 29), D(2026, 3, 2)}}; }},
      {"bonus event \"sale\": ends before it starts", [](Program& p) { p.events = {{"sale", D(2026, 3, 2), D(2026, 3, 1)}}; }},
      {"bonus event \"sale\": not a weekday",
       [](Program& p) { p.events = {{"sale", D(2026, 3, 1), D(2026, 3, 2), std::chrono::weekday(9)}}; }},
      {"bonus event \"sale\": multiplier must be 100–1000000%",
       [](Program& p) { p.events = {{"sale", D(2026, 3, 1), D(2026, 3, 2), std::nullopt, 99}}; }},
      {"birthday multiplier must be 100–1000000%", [](Program& p) { p.birthday_month_pct = 50; }},
      {"sign-up bonus must be 0–10^12 points", [](Program& p) { p.sign_up_bonus = -1; }},
      {"first-purchase bonus must be 0–10^12 points", [](Program& p) { p.first_purchase_bonus = 1000000000001; }},
  };
  for (const auto& c : cases) {
    Program p = OnePerYuan();
    c.change(p);
    shuyou::Status st = CheckProgram(p);
    EXPECT_EQ(st.code(), shuyou::Code::kInvalidArgument) << c.message;
    EXPECT_EQ(st.message(), c.message);
    auto earned = EarnPoints(p, {{"fiction", Yuan(100)}}, {}, D(2026, 3, 5));
    ASSERT_FALSE(earned.ok());
    EXPECT_EQ(earned.status().message(), c.message);
  }
  EXPECT_TRUE(CheckProgram(Program{}).ok());
  EXPECT_TRUE(CheckProgram(OnePerYuan()).ok());
}

TEST(Points, EmptyProgramEarnsNothingAndSaysWhy) {
  auto got = EarnPoints(Program{}, {{"fiction", Yuan(5000)}}, {}, D(2026, 3, 5));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->points, 0);
  EXPECT_EQ(got->lines, (std::vector<Explanation>{{"base", "0 points per ¥1.00 on ¥50.00", 0}}));
  auto empty = EarnPoints(Program{}, {}, {}, D(2026, 3, 5));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->points, 0);
  EXPECT_TRUE(empty->lines.empty());
}

TEST(Points, SignUpBonus) {
  auto none = SignUpPoints(Program{});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->points, 0);
  EXPECT_TRUE(none->lines.empty());
  Program p = OnePerYuan();
  p.sign_up_bonus = 50;
  auto got = SignUpPoints(p);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->points, 50);
  EXPECT_EQ(got->lines, (std::vector<Explanation>{{"sign_up", "sign-up bonus", 50}}));
  p.sign_up_bonus = -5;
  EXPECT_FALSE(SignUpPoints(p).ok());
  // The sign-up bonus is never part of a purchase.
  p.sign_up_bonus = 50;
  EXPECT_EQ(EarnPoints(p, {{"fiction", Yuan(1000)}}, {"", std::nullopt, true}, D(2026, 3, 5))->points, 10);
}

TEST(Points, RefusesBadFacts) {
  Program p = OnePerYuan();
  const Basket basket = {{"fiction", Yuan(1000)}};
  EXPECT_EQ(EarnPoints(p, basket, {}, D(2026, 2, 29)).status().message(), "not a real date");
  EXPECT_EQ(EarnPoints(p, basket, {}, D(2026, 13, 1)).status().message(), "not a real date");
  EXPECT_EQ(EarnPoints(p, basket, {"", month(13)}, D(2026, 3, 5)).status().message(), "birth month must be 1–12");
  EXPECT_EQ(EarnPoints(p, basket, {"gold"}, D(2026, 3, 5)).status().message(), "unknown tier \"gold\"");
  EXPECT_EQ(EarnPoints(p, {{"fiction", Money(1000, kJPY)}}, {}, D(2026, 3, 5)).status().message(),
            "line 1 is in JPY but the program is in CNY");
  EXPECT_EQ(EarnPoints(p, {{"fiction", Yuan(-1)}}, {}, D(2026, 3, 5)).status().message(),
            "line 1: the paid amount must not be negative");
}

TEST(Points, OverflowNearInt64MaxIsRefusedNotWrapped) {
  const char* kOverflow = "the points do not fit: the basket or the program is out of range";
  Program p = OnePerYuan();
  // Two lines whose sum does not fit.
  EXPECT_EQ(EarnPoints(p, {{"a", Yuan(kMax)}, {"b", Yuan(1)}}, {}, D(2026, 3, 5)).status().message(),
            "amount out of range");
  // The largest amount at 1 point per ¥1.00 fits: kMax ÷ 100, rounded down.
  EXPECT_EQ(EarnPoints(p, {{"a", Yuan(kMax)}}, {}, D(2026, 3, 5))->points, kMax / 100);

  // 1000000 points per fen on 9223372036854 fen = 9223372036854000000 points: fits, just.
  Program rich = OnePerYuan();
  rich.base_points = 1000000;
  rich.base_per = Yuan(1);
  const Basket near = {{"a", Yuan(9223372036854)}};
  EXPECT_EQ(EarnPoints(rich, near, {}, D(2026, 3, 5))->points, 9223372036854000000);
  // A ×2 tier doubles it past INT64_MAX.
  rich.tiers = {Tier{"regular"}, Tier{"gold", std::nullopt, 1, false, 0, 200}};
  EXPECT_EQ(EarnPoints(rich, near, {"gold"}, D(2026, 3, 5)).status().message(), kOverflow);
  // So does a ×2 genre.
  rich.genres = {{"a", 200}};
  EXPECT_EQ(EarnPoints(rich, near, {}, D(2026, 3, 5)).status().message(), kOverflow);
  // And the first-purchase bonus on top of it.
  rich.genres.clear();
  rich.first_purchase_bonus = 1000000000000;
  EXPECT_EQ(EarnPoints(rich, near, {"", std::nullopt, true}, D(2026, 3, 5)).status().message(), kOverflow);
}

TEST(Points, BonusEventBoundariesAreInclusive) {
  Program p = OnePerYuan();
  p.events = {{"national-day", D(2026, 10, 1), D(2026, 10, 7), std::nullopt, 300}};
  const Basket basket = {{"fiction", Yuan(1000)}};  // 10 base points; ×3 gives 30
  struct Case { Date date; int64_t points; };
  const Case cases[] = {{D(2026, 9, 30), 10}, {D(2026, 10, 1), 30}, {D(2026, 10, 7), 30}, {D(2026, 10, 8), 10}};
  for (const auto& c : cases) EXPECT_EQ(EarnPoints(p, basket, {}, c.date)->points, c.points);
}

TEST(Points, GeneratedBasketsSumExactlyAndNeverGoNegative) {
  uint64_t seed = 4321;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  const char* genres[] = {"fiction", "comics", "textbook", "gift-card", "poetry"};
  const int64_t pcts[] = {0, 1, 33, 50, 99, 100, 150, 200, 250};
  const Rounding modes[] = {Rounding::kHalfUp, Rounding::kHalfEven, Rounding::kDown, Rounding::kUp};
  for (int round = 0; round < 400; ++round) {
    Program p;
    p.base_points = int64_t(next(5));
    p.base_per = Yuan(int64_t(1 + next(1000)));
    p.rounding = modes[next(4)];
    for (int g = 0; g < 4; ++g)
      if (next(2)) p.genres.push_back({genres[g], pcts[next(9)]});
    p.tiers = {Tier{"regular"}, Tier{"gold", std::nullopt, 5, false, 0, 100 + int64_t(next(150))}};
    p.events = {{"member-day", D(2026, 1, 1), D(2026, 12, 31), std::chrono::Wednesday, 100 + int64_t(next(200))}};
    p.birthday_month_pct = 100 + int64_t(next(200));
    p.first_purchase_bonus = int64_t(next(3)) * 50;
    Basket basket;
    for (uint64_t n = next(6); n > 0; --n) basket.push_back({genres[next(5)], Yuan(int64_t(next(20000)))});
    MemberFacts member{next(2) ? "gold" : "", month(unsigned(1 + next(12))), next(2) == 1};
    Date date{std::chrono::sys_days(D(2026, 1, 1)) + std::chrono::days(next(365))};
    auto got = EarnPoints(p, basket, member, date);
    ASSERT_TRUE(got.ok()) << got.status().message();
    int64_t sum = 0, applied_member_multipliers = 0;
    for (const auto& l : got->lines) {
      sum += l.points;
      bool member_rule = l.rule.rfind("tier:", 0) == 0 || l.rule.rfind("event:", 0) == 0 || l.rule == "birthday";
      if (member_rule && l.detail.find("not applied") == std::string::npos) ++applied_member_multipliers;
    }
    EXPECT_EQ(sum, got->points);
    EXPECT_GE(got->points, 0);
    EXPECT_LE(applied_member_multipliers, 1);
  }
}

}  // namespace
