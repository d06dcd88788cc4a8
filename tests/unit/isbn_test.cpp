// ISBN-10/13 and barcode normalization, table-driven. Check digits worked out by hand:
// 978702000220?: 9·1+7·3+8·1+7·3+0·1+2·3+0·1+0·3+0·1+2·3+2·1+0·3 = 73 → (10 − 3) = 7.
// 702000220?: 10·7+9·0+8·2+7·0+6·0+5·0+4·2+3·2+2·0 = 100 → (11 − 100 mod 11) mod 11 = 10 → X.
#include <gtest/gtest.h>

#include "core/isbn.h"

using namespace shuyou::core;

namespace {

struct Good {
  const char* typed;
  const char* want;
};

TEST(IsbnPure, NormalizesBothFormsToIsbn13) {
  const Good cases[] = {
      {"9787020002207", "9787020002207"},
      {"978-7-02-000220-7", "9787020002207"},
      {" 978 7020 0022 07 ", "9787020002207"},
      {"702000220X", "9787020002207"},
      {"7-02-000220-x", "9787020002207"},
      {"0-306-40615-2", "9780306406157"},
      {"9790000000001", "9790000000001"},
  };
  for (const auto& c : cases) {
    auto got = NormalizeIsbn(c.typed);
    ASSERT_TRUE(got.ok()) << c.typed << ": " << got.status().message();
    EXPECT_EQ(*got, c.want) << c.typed;
  }
}

TEST(IsbnPure, RefusesWithReadableReasons) {
  const Good cases[] = {
      {"", "the ISBN is empty"},
      {"9787020002208", "ISBN-13 9787020002208 has a wrong check digit (expected 7)"},
      {"7020002201", "ISBN-10 7020002201 has a wrong check digit (expected X)"},
      {"97870200022", "an ISBN has 10 or 13 digits, not 11"},
      {"12345678901X3", "an ISBN-13 is 13 digits"},
      {"1234567890128", "an ISBN-13 starts with 978 or 979"},
      {"70200022XX", "an ISBN-10 is 9 digits and a check digit (0–9 or X)"},
  };
  for (const auto& c : cases) {
    auto got = NormalizeIsbn(c.typed);
    ASSERT_FALSE(got.ok()) << c.typed;
    EXPECT_EQ(got.status().code(), shuyou::Code::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.want) << c.typed;
  }
}

TEST(IsbnPure, ConvertsBackToIsbn10) {
  EXPECT_EQ(Isbn13To10("9787020002207").value_or(""), "702000220X");
  EXPECT_EQ(Isbn13To10("978-0-306-40615-7").value_or(""), "0306406152");
  EXPECT_FALSE(Isbn13To10("9790000000001"));  // 979 numbers have no ISBN-10
  EXPECT_FALSE(Isbn13To10("9787020002208"));
  EXPECT_EQ(FormatIsbn13("9787020002207"), "978-7020002207");
}

TEST(BarcodePure, AcceptsEanUpcAndIsbn) {
  const Good cases[] = {
      {"4006381333931", "4006381333931"},  // EAN-13
      {"96385074", "96385074"},            // EAN-8
      {"036000291452", "0036000291452"},   // UPC-A → EAN-13
      {"702000220X", "9787020002207"},     // an ISBN-10 scanned from an old book
      {"978-7-02-000220-7", "9787020002207"},
  };
  for (const auto& c : cases) {
    auto got = NormalizeBarcode(c.typed);
    ASSERT_TRUE(got.ok()) << c.typed << ": " << got.status().message();
    EXPECT_EQ(*got, c.want) << c.typed;
  }
  EXPECT_EQ(NormalizeBarcode("4006381333932").status().message(), "barcode 4006381333932 has a wrong check digit");
  EXPECT_EQ(NormalizeBarcode("12345").status().message(), "a barcode has 8, 12 or 13 digits, not 5");
  EXPECT_EQ(NormalizeBarcode("40063813339A1").status().message(), "a barcode is digits only");
  EXPECT_EQ(NormalizeBarcode("").status().message(), "the barcode is empty");
  EXPECT_EQ(NormalizeBarcode("9787020002208").status().message(),
            "ISBN-13 9787020002208 has a wrong check digit (expected 7)");
}

}  // namespace
