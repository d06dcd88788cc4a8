// Unit tests of core/card: Luhn check digits on known vectors, member card numbers, and typo
// detection (every single-digit change and most neighbour swaps are caught).
#include <gtest/gtest.h>

#include <limits>

#include "core/card.h"

using namespace shuyou::core;

namespace {

TEST(Card, LuhnKnownVectors) {
  struct Case { const char* payload; char check; };
  const Case cases[] = {
      {"7992739871", '3'},         // the textbook example: 79927398713
      {"411111111111111", '1'},    // 4111 1111 1111 1111, a well-known test card
      {"0", '0'},
      {"1", '8'},                  // 1 doubled = 2; (10 − 2) = 8
      {"5", '9'},                  // 5 doubled = 10 → 1; (10 − 1) = 9
      {"860100001234", '1'},       // by hand below, in MakesCardNumbers
  };
  for (const auto& c : cases) EXPECT_EQ(LuhnCheckDigit(c.payload), c.check) << c.payload;
  EXPECT_FALSE(LuhnCheckDigit(""));
  EXPECT_FALSE(LuhnCheckDigit("12a4"));
  EXPECT_FALSE(LuhnCheckDigit("12 4"));
}

TEST(Card, MakesCardNumbers) {
  // Check digits by hand: from the right of the payload, double every other digit starting with
  // the rightmost (a doubled digit above 9 loses 9), sum, check = (10 − sum % 10) % 10.
  //   8601 00001234: 4→8, 3, 2→4, 1, 0, 0, 0, 0, 1→2, 0, 6→3, 8: sum 29 → 1
  //   8601 00000000: zeros, 1→2, 0, 6→3, 8: sum 13 → 7
  //   8601 99999999: eight 9s (doubled 9→9) = 72, 1→2, 0, 6→3, 8: sum 85 → 5
  //   9 7:           7→14→5, 9: sum 14 → 6
  struct Case { const char* prefix; uint64_t seq; int width; const char* want; };
  const Case cases[] = {
      {"8601", 1234, 8, "8601000012341"},
      {"8601", 0, 8, "8601000000007"},
      {"8601", 99999999, 8, "8601999999995"},
      {"9", 7, 1, "976"},
  };
  for (const auto& c : cases) {
    auto got = MakeCardNumber(c.prefix, c.seq, c.width);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, c.want);
    EXPECT_TRUE(IsValidCardNumber(*got)) << *got;
  }
  EXPECT_EQ(*MakeCardNumber("8601", 1234), "8601000012341");  // width 8 by default
}

TEST(Card, RefusesBadParts) {
  struct Case { const char* prefix; uint64_t seq; int width; const char* message; };
  const Case cases[] = {
      {"", 1, 8, "a card prefix is 1–10 digits"},
      {"86a1", 1, 8, "a card prefix is 1–10 digits"},
      {"12345678901", 1, 8, "a card prefix is 1–10 digits"},
      {"8601", 1, 0, "a card sequence is 1–12 digits wide"},
      {"8601", 1, 13, "a card sequence is 1–12 digits wide"},
      {"8601", 100000000, 8, "sequence 100000000 does not fit in 8 digits"},
      {"8601", std::numeric_limits<uint64_t>::max(), 12, "sequence 18446744073709551615 does not fit in 12 digits"},
  };
  for (const auto& c : cases) {
    auto got = MakeCardNumber(c.prefix, c.seq, c.width);
    ASSERT_FALSE(got.ok()) << c.message;
    EXPECT_EQ(got.status().message(), c.message);
  }
}

TEST(Card, Validates) {
  struct Case { const char* number; bool valid; };
  const Case cases[] = {
      {"79927398713", true},  {"79927398710", false}, {"4111111111111111", true},
      {"8601000012341", true}, {"8601000012342", false}, {"00", true},
      {"", false},            {"0", false},           {"8601-0000-1234-1", false},
      {"86010000１2341", false},
      {"000000000000000000000000000000000", false},  // 33 digits
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidCardNumber(c.number), c.valid) << c.number;
}

TEST(Card, CatchesEverySingleDigitTypo) {
  const std::string good = *MakeCardNumber("8601", 4321987);
  for (size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string typo = good;
      typo[i] = d;
      EXPECT_FALSE(IsValidCardNumber(typo)) << typo;
    }
  }
}

TEST(Card, CatchesNeighbourSwapsExceptZeroNine) {
  const std::string good = "8601000012341";
  for (size_t i = 0; i + 1 < good.size(); ++i) {
    std::string swapped = good;
    std::swap(swapped[i], swapped[i + 1]);
    if (swapped == good) continue;
    EXPECT_FALSE(IsValidCardNumber(swapped)) << swapped;
  }
  // Luhn's known blind spot: "09" ⇄ "90".
  EXPECT_TRUE(IsValidCardNumber("0901"));  // 0 9 0: 0→0, 9, 0→0: sum 9 → check 1
  EXPECT_TRUE(IsValidCardNumber("9001"));  // 9 0 0: 0→0, 0, 9→18→9: sum 9 → check 1
}

TEST(Card, NormalizesTypedNumbers) {
  EXPECT_EQ(NormalizeCardNumber("8601 0000 1234-1"), "8601000012341");
  EXPECT_EQ(NormalizeCardNumber(" 8601000012341 "), "8601000012341");
  EXPECT_FALSE(NormalizeCardNumber("8601 0000 1234 2"));
  EXPECT_FALSE(NormalizeCardNumber("8601.0000.1234.1"));
  EXPECT_FALSE(NormalizeCardNumber("   "));
}

}  // namespace
