// Phone normalization to E.164 through libphonenumber: every accepted form of +86 and +1
// numbers, the default region's effect on numbers typed without "+", and refusals. Expected
// E.164 values are written by hand from the national numbering plans.
#include <gtest/gtest.h>

#include "core/phone.h"

namespace shuyou::core {
namespace {

struct Accepted {
  const char* region;
  const char* typed;
  const char* e164;
};

TEST(Phone, AcceptedFormsNormalizeToE164) {
  const Accepted cases[] = {
      // +86 mobiles, with and without the country code, with punctuation, 0086 prefix
      {"CN", "13800138000", "+8613800138000"},
      {"CN", "138-0013-8000", "+8613800138000"},
      {"CN", "138 0013 8000", "+8613800138000"},
      {"CN", "  13800138000  ", "+8613800138000"},
      {"CN", "+86 138 0013 8000", "+8613800138000"},
      {"CN", "+8613800138000", "+8613800138000"},
      {"CN", "+86-199-1234-5678", "+8619912345678"},
      {"CN", "0086 138 0013 8000", "+8613800138000"},
      {"CN", "008613800138000", "+8613800138000"},
      {"CN", "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98 0013 8000", "+8613800138000"},  // full-width １３８
      {"CN", "\xEF\xBC\x8B" "86 138 0013 8000", "+8613800138000"},                  // full-width ＋
      // +86 landlines: the trunk prefix 0 is dropped
      {"CN", "010 6552 9988", "+861065529988"},        // Beijing
      {"CN", "(010) 6552-9988", "+861065529988"},
      {"CN", "+86 10 6552 9988", "+861065529988"},
      {"CN", "021-6212 3456", "+862162123456"},        // Shanghai
      {"CN", "0755 8888 6666", "+8675588886666"},      // Shenzhen
      {"CN", "0086 21 6212 3456", "+862162123456"},
      // +1 (US and Canada) with the country code, whatever the default region
      {"CN", "+1 (415) 555-0100", "+14155550100"},
      {"CN", "+14155550100", "+14155550100"},
      {"CN", "+1 604 555 0199", "+16045550199"},       // Vancouver
      {"CN", "001 604 555 0199", "+16045550199"},
      {"CN", "+1.212.555.0123", "+12125550123"},
      // default region US: ten digits are a US/Canadian number, 011 is the US exit code
      {"US", "4155550100", "+14155550100"},
      {"US", "(415) 555-0100", "+14155550100"},
      {"US", "415.555.0100", "+14155550100"},
      {"US", "1 415 555 0100", "+14155550100"},
      {"US", "604-555-0199", "+16045550199"},
      {"US", "+86 138 0013 8000", "+8613800138000"},
      {"US", "0086 138 0013 8000", "+8613800138000"},
      {"US", "011 86 138 0013 8000", "+8613800138000"},
      {"CA", "604 555 0199", "+16045550199"},
      // other regions
      {"CN", "+44 20 7946 0958", "+442079460958"},     // London
      {"GB", "020 7946 0958", "+442079460958"},
      {"CN", "+852 5123 4567", "+85251234567"},        // Hong Kong mobile
  };
  for (const auto& c : cases) {
    auto r = NormalizePhone(c.typed, c.region);
    ASSERT_TRUE(r.ok()) << c.region << " " << c.typed << ": " << r.status().message();
    EXPECT_EQ(r.value(), c.e164) << c.region << " " << c.typed;
  }
}

TEST(Phone, DefaultRegionIsChina) {
  auto r = NormalizePhone("13800138000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "+8613800138000");
}

TEST(Phone, TheDefaultRegionDecidesHowANationalNumberIsRead) {
  // The same ten digits are a Dandong landline in China and a San Francisco number in the US.
  EXPECT_EQ(NormalizePhone("4155550100", "CN").value(), "+864155550100");
  EXPECT_EQ(NormalizePhone("4155550100", "US").value(), "+14155550100");
  // A Chinese mobile typed without +86 is not a US number.
  EXPECT_FALSE(NormalizePhone("13800138000", "US").ok());
}

struct Refused {
  const char* region;
  const char* typed;
  const char* message_part;  // what the cashier reads must say this
};

TEST(Phone, OtherInputIsRefusedWithAReason) {
  const Refused cases[] = {
      {"CN", "", "empty"},
      {"CN", "   ", "empty"},
      {"CN", "+", "empty"},
      {"CN", "-() ", "empty"},
      {"CN", "138-0013-800a", "only digits"},          // a letter
      {"CN", "1-800-FLOWERS", "only digits"},          // vanity letters
      {"CN", "138 0013 8000 ext 12", "only digits"},   // extensions
      {"CN", "13800+138000", "only digits"},           // '+' in the middle
      {"CN", "'; DROP TABLE members; --", "only digits"},
      {"CN", "\xE4\xB8\x80\xE4\xBA\x8C\xE4\xB8\x89", "only digits"},  // 一二三
      {"CN", "1234", "too short for CN"},              // only the last 4 digits
      {"CN", "12", "too short"},
      {"CN", "12800138000", "not a valid phone number for CN"},  // 128 is no mobile prefix
      {"CN", "138001380001", "not a valid phone number for CN"},
      {"CN", "+86 138 0013 800", "not a valid phone number for CN"},
      {"CN", "+1 (015) 555-0100", "not a valid phone number for US"},  // area code 0xx
      {"US", "415 155 0100", "not a valid phone number for US"},       // exchange 1xx
      {"US", "13800138000", "for US"},
      {"CN", "+999 1234567", "unknown country code"},
      {"CN", "+8613800138000000000", "too long"},
      {"XX", "13800138000", "unknown phone region 'XX'"},
      {"", "13800138000", "unknown phone region"},
  };
  for (const auto& c : cases) {
    auto r = NormalizePhone(c.typed, c.region);
    EXPECT_FALSE(r.ok()) << c.region << " " << c.typed << " → " << (r.ok() ? r.value() : "");
    if (r.ok()) continue;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.typed;
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.typed << ": " << r.status().message();
  }
}

TEST(Phone, AnInvalidNumberMessageShowsWhatANumberThereLooksLike) {
  auto r = NormalizePhone("12800138000", "CN");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(e.g. 1"), std::string::npos) << r.status().message();
}

TEST(Phone, ARegionWithAnInternationalNumberIsNotNeeded) {
  EXPECT_EQ(NormalizePhone("+8613800138000", "XX").value(), "+8613800138000");
}

TEST(Phone, SupportedRegions) {
  for (const char* r : {"CN", "US", "CA", "GB", "HK", "TW", "SG", "JP", "DE"}) EXPECT_TRUE(IsSupportedRegion(r)) << r;
  for (const char* r : {"", "C", "cn", "Cn", "XX", "ZZ", "001", "CHN", "USA", "C N"})
    EXPECT_FALSE(IsSupportedRegion(r)) << r;
}


// The prefix cache's premise (phone.cpp): libphonenumber's verdict on an 11-digit "1[3-9]…"
// number depends only on its first five digits. Checked for every such prefix with suffixes
// that differ in every digit position; a newer metadata with longer ranges fails here.
TEST(PhoneFastPath, TheVerdictOnAMainlandMobileDependsOnlyOnItsFirstFiveDigits) {
  const char* suffixes[] = {"000000", "999999", "123456"};
  int valid_prefixes = 0;
  for (int prefix = 13000; prefix <= 19999; ++prefix) {
    std::string head = std::to_string(prefix);
    bool first = NormalizePhoneUncached(head + suffixes[0]).ok();
    valid_prefixes += first;
    for (const char* s : suffixes)
      ASSERT_EQ(NormalizePhoneUncached(head + s).ok(), first) << head + s;
  }
  // The mobile ranges are most of 13x–19x (not all: 140x, 1740x… are not mobiles).
  EXPECT_GT(valid_prefixes, 4000);
  EXPECT_LT(valid_prefixes, 7000);
}

// The cached answers equal libphonenumber's, valid or not, in any order of arrival.
TEST(PhoneFastPath, CachedAnswersEqualTheMetadatasAnswers) {
  for (int round = 0; round < 2; ++round) {  // the second round answers from the cache
    for (int prefix = 13000; prefix <= 19999; prefix += 37) {
      std::string number = std::to_string(prefix) + "135791";
      auto cached = NormalizePhone(number), direct = NormalizePhoneUncached(number);
      ASSERT_EQ(cached.ok(), direct.ok()) << number;
      if (direct.ok()) EXPECT_EQ(*cached, *direct) << number;
      else EXPECT_EQ(cached.status().message(), direct.status().message()) << number;
    }
  }
  // Other shapes and regions never take the cached path.
  EXPECT_EQ(*NormalizePhone("13800138000"), "+8613800138000");
  EXPECT_EQ(*NormalizePhone("+86 138 0013 8000"), "+8613800138000");
  EXPECT_FALSE(NormalizePhone("13800138000", "US").ok());
  EXPECT_FALSE(NormalizePhone("1380013800").ok());
}

}  // namespace
}  // namespace shuyou::core
