// Unit tests of core/mail: RFC 2047 headers decoded back, the multipart structure, the date.
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "core/mail.h"

using namespace shuyou::core;

namespace {

// Decodes a header made of "=?UTF-8?B?…?=" words (folded with CRLF SP) back to UTF-8.
std::string DecodeWords(const std::string& h) {
  std::string out;
  size_t pos = 0;
  while ((pos = h.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = h.find("?=", pos + 10);
    out += Base64Decode(h.substr(pos + 10, end - pos - 10)).value_or("<bad>");
    pos = end + 2;
  }
  return out;
}

}  // namespace

TEST(MailHeaders, EncodesChineseInShortWordsAndKeepsAscii) {
  EXPECT_EQ(EncodeHeaderText("Your receipt (MAIN-1)"), "Your receipt (MAIN-1)");
  EXPECT_EQ(EncodeHeaderText("a\r\nBcc: x@y.z"), "a  Bcc: x@y.z");  // no header injection
  std::string subject = "书友书店 总店 购物小票 MAIN-20261128-42 · 谢谢惠顾，欢迎再次光临书友书店";
  std::string h = EncodeHeaderText(subject);
  EXPECT_EQ(DecodeWords(h), subject);
  size_t start = 0;
  while (start < h.size()) {
    size_t end = h.find("\r\n", start);
    std::string line = h.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line[0] == ' ') line.erase(0, 1);
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_EQ(line.rfind("=?UTF-8?B?", 0), 0u) << line;
    if (end == std::string::npos) break;
    start = end + 2;
  }
}

TEST(MailMessage, IsMultipartAlternativeWithBothBodies) {
  MailMessage m{"书友书店 <shop@example.com>", "reader@example.org", "您的小票", "合计 ¥86.00\n",
                "<p>合计 ¥86.00</p>", "<outbox-7@shuyou>", 1795825806123};
  std::string msg = ComposeMimeMessage(m);
  EXPECT_NE(msg.find("To: reader@example.org\r\n"), std::string::npos);
  EXPECT_NE(msg.find("From: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(msg.find(" <shop@example.com>\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Date: Sat, 28 Nov 2026 00:30:06 +0000\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Message-ID: <outbox-7@shuyou>\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: multipart/alternative; boundary="), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_NE(msg.find(Base64Encode("合计 ¥86.00\n")), std::string::npos);
  EXPECT_NE(msg.find(Base64Encode("<p>合计 ¥86.00</p>")), std::string::npos);
  auto subj = msg.find("Subject: ");
  EXPECT_EQ(DecodeWords(msg.substr(subj, msg.find("\r\nDate:") - subj)), "您的小票");
  for (size_t i = 0; i < msg.size(); ++i) {
    ASSERT_LT(uint8_t(msg[i]), 0x80) << "8-bit byte at " << i;
    if (msg[i] == '\n') {
      ASSERT_EQ(msg[i - 1], '\r');
    }
  }
}

TEST(MailAddress, AcceptsMailboxesOnly) {
  EXPECT_TRUE(LooksLikeEmailAddress("reader@example.org"));
  EXPECT_TRUE(LooksLikeEmailAddress("wang.xm+receipts@mail.example.cn"));
  for (const char* bad : {"", "reader", "@example.org", "reader@", "reader@example", "a@b@c.d", "a b@c.d",
                          "a@c.d\r\nBcc: x@y.z", "<a@c.d>", "a@c..d", "a,b@c.d"})
    EXPECT_FALSE(LooksLikeEmailAddress(bad)) << bad;
}
