// Unit tests of core/encoding: base64url and ISO-8601 UTC times.
#include <gtest/gtest.h>

#include "core/encoding.h"

using namespace shuyou::core;

TEST(Base64Url, KnownVectors) {
  // RFC 4648 test vectors, without padding, in the URL-safe alphabet.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripAndRejects) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  for (size_t n = 0; n < all.size(); n += 7) EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all.substr(0, n))), all.substr(0, n));
  EXPECT_FALSE(Base64UrlDecode("Zm9v!"));
  EXPECT_FALSE(Base64UrlDecode("Z"));      // a lone sextet cannot end a string
  EXPECT_FALSE(Base64UrlDecode("Zm9v="));  // padding is not used
}

TEST(IsoTime, FormatsKnownInstants) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc(1795825806123), "2026-11-28T00:30:06.123Z");
  EXPECT_EQ(FormatIsoUtc(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatIsoUtc(-1000), "1969-12-31T23:59:59.000Z");
}

TEST(IsoTime, ParsesAndRejects) {
  EXPECT_EQ(ParseIsoUtc("2026-11-28T00:30:06.123Z"), 1795825806123);
  EXPECT_EQ(ParseIsoUtc("2026-11-28T00:30:06Z"), 1795825806000);
  EXPECT_EQ(ParseIsoUtc("2026-11-28"), 1795824000000);
  EXPECT_FALSE(ParseIsoUtc("2026-02-30"));
  EXPECT_FALSE(ParseIsoUtc("2026-13-01"));
  EXPECT_FALSE(ParseIsoUtc("2026-11-28T24:00:00Z"));
  EXPECT_FALSE(ParseIsoUtc("2026-11-28T00:30:06+08:00"));
  EXPECT_FALSE(ParseIsoUtc("28/11/2026"));
  EXPECT_FALSE(ParseIsoUtc(""));
  for (int64_t ms : {0LL, 1795825806123LL, 4102444799999LL}) EXPECT_EQ(ParseIsoUtc(FormatIsoUtc(ms)), ms);
}
