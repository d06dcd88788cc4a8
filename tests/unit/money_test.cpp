// Unit tests of core/money: rounding modes, arithmetic that refuses mixed currencies and
// overflow, formatting, parsing, and proportional splits that always sum exactly.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "core/money.h"

using namespace shuyou::core;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(Rounding, EveryModeOnTiesAndNonTies) {
  struct Case { int64_t a, num, den, half_up, half_even, down, up; };
  const Case cases[] = {
      {25, 1, 10, 3, 2, 2, 3},        // 2.5
      {35, 1, 10, 4, 4, 3, 4},        // 3.5
      {-25, 1, 10, -3, -2, -2, -3},   // -2.5
      {-35, 1, 10, -4, -4, -3, -4},   // -3.5
      {26, 1, 10, 3, 3, 2, 3},        // 2.6
      {24, 1, 10, 2, 2, 2, 3},        // 2.4
      {-24, 1, 10, -2, -2, -2, -3},   // -2.4
      {20, 1, 10, 2, 2, 2, 2},        // exact
      {1, 1, 3, 0, 0, 0, 1},          // 0.333…
      {2, 1, 3, 1, 1, 0, 1},          // 0.666…
      {15, 1, 2, 8, 8, 7, 8},         // 7.5
      {13, 1, 2, 7, 6, 6, 7},         // 6.5
      {0, 7, 3, 0, 0, 0, 0},
      {1235, 12, 100, 148, 148, 148, 149},  // 12% of ¥12.35 = 148.2 fen
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.a) + "×" + std::to_string(c.num) + "÷" + std::to_string(c.den));
    EXPECT_EQ(MulDivRound(c.a, c.num, c.den, Rounding::kHalfUp), c.half_up);
    EXPECT_EQ(MulDivRound(c.a, c.num, c.den, Rounding::kHalfEven), c.half_even);
    EXPECT_EQ(MulDivRound(c.a, c.num, c.den, Rounding::kDown), c.down);
    EXPECT_EQ(MulDivRound(c.a, c.num, c.den, Rounding::kUp), c.up);
  }
}

TEST(Rounding, NoIntermediateOverflowButFinalOverflowRefused) {
  EXPECT_EQ(MulDivRound(kMax, 3, 3, Rounding::kDown), kMax);  // kMax × 3 needs 65 bits
  EXPECT_EQ(MulDivRound(kMax, kMax, kMax, Rounding::kDown), kMax);
  EXPECT_EQ(MulDivRound(kMin, 1, 1, Rounding::kDown), kMin);
  EXPECT_EQ(MulDivRound(kMax, 1, 2, Rounding::kHalfEven), 4611686018427387904);  // …903.5 → even …904
  EXPECT_FALSE(MulDivRound(kMax, 2, 1, Rounding::kDown));
  EXPECT_FALSE(MulDivRound(kMin, -1, 1, Rounding::kDown));
  EXPECT_FALSE(MulDivRound(1, 1, 0, Rounding::kDown));
  EXPECT_FALSE(MulDivRound(1, 1, -1, Rounding::kDown));
}

TEST(Rounding, NamesRoundTrip) {
  for (Rounding r : {Rounding::kHalfUp, Rounding::kHalfEven, Rounding::kDown, Rounding::kUp})
    EXPECT_EQ(ParseRounding(RoundingName(r)), r);
  EXPECT_FALSE(ParseRounding("bankers"));
  EXPECT_FALSE(ParseRounding(""));
}

TEST(Currency, KnownCodesOnly) {
  ASSERT_TRUE(FindCurrency("CNY"));
  EXPECT_EQ(FindCurrency("CNY")->exponent, 2);
  EXPECT_EQ(FindCurrency("USD")->exponent, 2);
  EXPECT_EQ(FindCurrency("EUR")->exponent, 2);
  EXPECT_EQ(FindCurrency("JPY")->exponent, 0);
  EXPECT_EQ(FindCurrency("KRW")->exponent, 0);
  EXPECT_FALSE(FindCurrency("cny"));
  EXPECT_FALSE(FindCurrency("XXX"));
  EXPECT_FALSE(FindCurrency(""));
}

TEST(MoneyArithmetic, AddAndSubtract) {
  auto sum = Add(Money(1230, kCNY), Money(70, kCNY));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, Money(1300, kCNY));
  auto diff = Subtract(Money(100, kCNY), Money(250, kCNY));
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(*diff, Money(-150, kCNY));
  EXPECT_FALSE(Money(100, kCNY) == Money(100, kUSD));
}

TEST(MoneyArithmetic, RefusesMixedCurrenciesAndOverflow) {
  struct Case { shuyou::Result<Money> got; const char* message; };
  const Case cases[] = {
      {Add(Money(100, kCNY), Money(100, kUSD)), "mixed currencies: CNY and USD"},
      {Subtract(Money(100, kJPY), Money(100, kCNY)), "mixed currencies: JPY and CNY"},
      {Add(Money(kMax, kCNY), Money(1, kCNY)), "amount out of range"},
      {Add(Money(kMin, kCNY), Money(-1, kCNY)), "amount out of range"},
      {Subtract(Money(kMin, kCNY), Money(1, kCNY)), "amount out of range"},
      {Subtract(Money(0, kCNY), Money(kMin, kCNY)), "amount out of range"},
      {Multiply(Money(kMax, kCNY), Percent(101), Rounding::kDown), "amount out of range"},
      {Multiply(Money(100, kCNY), Ratio{1, 0}, Rounding::kDown), "a ratio's denominator must be positive"},
  };
  for (const auto& c : cases) {
    ASSERT_FALSE(c.got.ok()) << c.message;
    EXPECT_EQ(c.got.status().code(), shuyou::Code::kInvalidArgument);
    EXPECT_EQ(c.got.status().message(), c.message);
  }
  auto edge = Add(Money(kMax - 1, kCNY), Money(1, kCNY));
  ASSERT_TRUE(edge.ok());
  EXPECT_EQ(edge->minor(), kMax);
}

TEST(MoneyArithmetic, MultiplyByPercentWithEachMode) {
  struct Case { int64_t minor; Ratio r; Rounding mode; int64_t want; };
  const Case cases[] = {
      {1235, Percent(50), Rounding::kHalfUp, 618},    // 617.5
      {1235, Percent(50), Rounding::kHalfEven, 618},  // 617 is odd
      {1225, Percent(50), Rounding::kHalfEven, 612},  // 612.5, 612 is even
      {1225, Percent(50), Rounding::kHalfUp, 613},
      {1235, Percent(50), Rounding::kDown, 617},
      {1231, Percent(50), Rounding::kUp, 616},        // 615.5
      {8800, Percent(88), Rounding::kHalfUp, 7744},   // 88折 of ¥88.00
      {999, Ratio{1, 3}, Rounding::kDown, 333},
      {-1235, Percent(50), Rounding::kHalfUp, -618},
  };
  for (const auto& c : cases) {
    auto got = Multiply(Money(c.minor, kCNY), c.r, c.mode);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->minor(), c.want) << c.minor << " × " << c.r.num << "/" << c.r.den << " " << RoundingName(c.mode);
  }
}

TEST(MoneyText, Formats) {
  struct Case { Money m; const char* symbol; const char* code; };
  const Case cases[] = {
      {Money(1230, kCNY), "¥12.30", "12.30 CNY"},
      {Money(5, kCNY), "¥0.05", "0.05 CNY"},
      {Money(-5, kCNY), "-¥0.05", "-0.05 CNY"},
      {Money(0, kCNY), "¥0.00", "0.00 CNY"},
      {Money(100, kUSD), "$1.00", "1.00 USD"},
      {Money(1999, kEUR), "€19.99", "19.99 EUR"},
      {Money(1200, kJPY), "JP¥1200", "1200 JPY"},
      {Money(5000, kKRW), "₩5000", "5000 KRW"},
      {Money(kMax, kCNY), "¥92233720368547758.07", "92233720368547758.07 CNY"},
      {Money(kMin, kCNY), "-¥92233720368547758.08", "-92233720368547758.08 CNY"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FormatMoney(c.m), c.symbol);
    EXPECT_EQ(FormatMoneyCode(c.m), c.code);
  }
}

TEST(MoneyText, ParsesIntoMinorUnits) {
  struct Case { const char* text; Currency currency; int64_t minor; };
  const Case cases[] = {
      {"12.30", kCNY, 1230}, {"12.3", kCNY, 1230},  {"12", kCNY, 1200},
      {"0.05", kCNY, 5},     {"-0.05", kCNY, -5},   {"-0", kCNY, 0},
      {"007.50", kCNY, 750}, {"1200", kJPY, 1200},  {"19.99", kUSD, 1999},
      {"92233720368547758.07", kCNY, kMax},         {"-92233720368547758.08", kCNY, kMin},
      {"9223372036854775807", kJPY, kMax},
  };
  for (const auto& c : cases) {
    auto got = ParseMoney(c.text, c.currency);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().message();
    EXPECT_EQ(*got, Money(c.minor, c.currency)) << c.text;
    std::string formatted = FormatMoneyCode(*got);  // "12.30 CNY" parses back without its code
    EXPECT_EQ(ParseMoney(formatted.substr(0, formatted.find(' ')), c.currency)->minor(), c.minor);
  }
}

TEST(MoneyText, RefusesWhatIsNotAnAmount) {
  struct Case { const char* text; Currency currency; const char* message; };
  const Case cases[] = {
      {"12.345", kCNY, "\"12.345\" has more than 2 decimal places for CNY"},
      {"1200.5", kJPY, "\"1200.5\" has more than 0 decimal places for JPY"},
      {"", kCNY, "\"\" is not an amount in CNY"},
      {"-", kCNY, "\"-\" is not an amount in CNY"},
      {".5", kCNY, "\".5\" is not an amount in CNY"},
      {"5.", kCNY, "\"5.\" is not an amount in CNY"},
      {"1,000.00", kCNY, "\"1,000.00\" is not an amount in CNY"},
      {" 12", kCNY, "\" 12\" is not an amount in CNY"},
      {"12 ", kCNY, "\"12 \" is not an amount in CNY"},
      {"+12", kCNY, "\"+12\" is not an amount in CNY"},
      {"--12", kCNY, "\"--12\" is not an amount in CNY"},
      {"1e3", kCNY, "\"1e3\" is not an amount in CNY"},
      {"12.3.4", kCNY, "\"12.3.4\" is not an amount in CNY"},
      {"１２", kCNY, "\"１２\" is not an amount in CNY"},  // full-width digits
      {"92233720368547758.08", kCNY, "amount out of range"},
      {"-92233720368547758.09", kCNY, "amount out of range"},
      {"99999999999999999999999999999", kCNY, "amount out of range"},
  };
  for (const auto& c : cases) {
    auto got = ParseMoney(c.text, c.currency);
    ASSERT_FALSE(got.ok()) << c.text;
    EXPECT_EQ(got.status().message(), c.message);
  }
}

TEST(MoneySplit, LargestRemainderTable) {
  struct Case { int64_t total; std::vector<int64_t> weights; std::vector<int64_t> want; };
  const Case cases[] = {
      {10000, {1, 1, 1}, {3334, 3333, 3333}},      // 3333.33 each; the first gets the spare fen
      {10, {1, 1, 1}, {4, 3, 3}},
      {100, {3000, 2000, 5000}, {30, 20, 50}},     // exact
      {1000, {2990, 2990, 2990}, {334, 333, 333}}, // ¥10 off three books at ¥29.90
      {10, {1, 2}, {3, 7}},                        // 3.33, 6.67: the larger remainder wins
      {7, {0, 1, 1}, {0, 4, 3}},                   // a zero weight gets nothing
      {-10, {1, 1, 1}, {-4, -3, -3}},              // a negative total is split as its magnitude
      {0, {1, 2}, {0, 0}},
      {5, {7}, {5}},
      {3, {kMax, kMax}, {2, 1}},
      {kMax, {1, 1}, {4611686018427387904, 4611686018427387903}},
      {kMin, {1, 1}, {-4611686018427387904, -4611686018427387904}},
  };
  for (const auto& c : cases) {
    auto got = SplitByWeights(Money(c.total, kCNY), c.weights);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<int64_t> minors;
    for (const Money& m : *got) {
      EXPECT_EQ(m.currency(), kCNY);
      minors.push_back(m.minor());
    }
    EXPECT_EQ(minors, c.want) << "total " << c.total;
  }
}

TEST(MoneySplit, PartsAlwaysSumAndStayWithinOneUnitOfTheirShare) {
  uint64_t seed = 20261128;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed >> 33;
  };
  for (int round = 0; round < 500; ++round) {
    int64_t total = int64_t(next() % 2000001) - 1000000;
    std::vector<int64_t> weights(1 + next() % 12);
    int64_t sum = 0;
    for (auto& w : weights) sum += (w = int64_t(next() % 5000));
    if (sum == 0) weights[0] = sum = 1;
    auto got = SplitByWeights(Money(total, kCNY), weights);
    ASSERT_TRUE(got.ok());
    int64_t parts = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      int64_t p = (*got)[i].minor();
      parts += p;
      // |p × sum − total × w| < sum: within one unit of the exact share (no overflow at these sizes).
      int64_t gap = p * sum - total * weights[i];
      EXPECT_LT(gap < 0 ? -gap : gap, sum);
      if (weights[i] == 0) {
        EXPECT_EQ(p, 0);
      }
    }
    EXPECT_EQ(parts, total);
  }
}

TEST(MoneySplit, RefusesBadWeights) {
  EXPECT_EQ(SplitByWeights(Money(100, kCNY), {}).status().message(), "nothing to split among");
  EXPECT_EQ(SplitByWeights(Money(100, kCNY), {1, -1}).status().message(), "weights must not be negative");
  EXPECT_EQ(SplitByWeights(Money(100, kCNY), {0, 0}).status().message(), "weights must not all be zero");
}

}  // namespace
