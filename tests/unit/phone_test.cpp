// Phone normalization to E.164: every accepted form of a +86 and a +1 number, and refusals.
#include <gtest/gtest.h>

#include "core/phone.h"

namespace shuyou::core {
namespace {

TEST(Phone, AcceptedFormsNormalizeToE164) {
  struct Case { const char* typed; const char* e164; };
  const Case cases[] = {
      {"+86 138 0013 8000", "+8613800138000"},
      {"13800138000", "+8613800138000"},
      {"138-0013-8000", "+8613800138000"},
      {"138 0013 8000", "+8613800138000"},
      {"+8613800138000", "+8613800138000"},
      {"+86-199-1234-5678", "+8619912345678"},
      {"+1 (415) 555-0100", "+14155550100"},
      {"4155550100", "+14155550100"},
      {"(415) 555-0100", "+14155550100"},
      {"415.555.0100", "+14155550100"},
      {"+14155550100", "+14155550100"},
      {"+1 604 555 0199", "+16045550199"},  // Vancouver
      {"  13800138000  ", "+8613800138000"},
  };
  for (const auto& c : cases) {
    auto r = NormalizePhone(c.typed);
    ASSERT_TRUE(r.ok()) << c.typed << ": " << r.status().message();
    EXPECT_EQ(r.value(), c.e164) << c.typed;
  }
}

TEST(Phone, OtherNumbersAreRefusedWithAReason) {
  const char* cases[] = {
      "",                    // empty
      "   ",                 // nothing but spaces
      "12800138000",         // 11 digits but 12x is not a mobile prefix
      "1380013800",          // 10 digits starting with 1: neither CN nor NANP
      "138001380001",        // 12 digits
      "+86 010 1234 5678",   // a landline
      "+86 138 0013 800",    // too short
      "+1 (015) 555-0100",   // area code starts with 0
      "+1 (415) 155-0100",   // exchange starts with 1
      "0155550100",          // area code starts with 0
      "+44 20 7946 0958",    // another country
      "138-0013-800a",       // a letter
      "13800+138000",        // '+' in the middle
      "'; DROP TABLE members; --",
      "1234",                // last 4 only
      "+8613800138000000000",  // too long
  };
  for (const char* typed : cases) {
    auto r = NormalizePhone(typed);
    EXPECT_FALSE(r.ok()) << typed << " → " << (r.ok() ? r.value() : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_FALSE(r.status().message().empty());
    }
  }
}

}  // namespace
}  // namespace shuyou::core
