// Receipt PDFs (libharu) without a database: both languages render, pages are 80 mm wide, a
// long receipt continues on further pages, the receipt number is in the page text.
#include <gtest/gtest.h>

#include <regex>

#include "service/receipt_pdf.h"

namespace shuyou::test {
namespace {

core::ReceiptDoc Doc(int lines) {
  core::ReceiptDoc d;
  d.store_name = "书友书店 总店";
  d.receipt_number = "MAIN-20261128-42";
  d.local_time = "2026-11-28 14:05";
  for (int i = 0; i < lines; ++i) {
    core::ReceiptLine l;
    l.title = "活着（" + std::to_string(i + 1) + "）余华 著 😀";
    l.unit_price = l.gross = l.net = 3500;
    d.lines.push_back(l);
    d.subtotal += 3500;
  }
  d.total = d.due = d.subtotal;
  d.payments = {{"cash", d.total, d.total}};
  d.footer = "谢谢惠顾";
  return d;
}

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

int Pages(const std::string& pdf) {
  std::regex page("/Type /Page[^s]");
  return int(std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), page), std::sregex_iterator()));
}

TEST(ReceiptPdfPure, RendersBothLanguagesOnOnePage) {
  for (const char* lang : {"zh-CN", "en"}) {
    auto pdf = service::RenderReceiptPdf(Doc(3), lang);
    ASSERT_TRUE(pdf.ok()) << pdf.status().message();
    EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
    EXPECT_NE(pdf->find("%%EOF"), std::string::npos);
    EXPECT_EQ(Pages(*pdf), 1) << lang;
    // The page text (uncompressed, GBK in hex strings) holds the receipt number.
    EXPECT_NE(pdf->find(Hex("MAIN-20261128-42")), std::string::npos);
    EXPECT_NE(pdf->find("/SimSun"), std::string::npos);
    EXPECT_NE(pdf->find("/MediaBox [ 0 0 226.77"), std::string::npos);
    EXPECT_GT(pdf->size(), 1000u);
    EXPECT_LT(pdf->size(), 200000u);
  }
}

TEST(ReceiptPdfPure, ALongReceiptContinuesOnMorePages) {
  auto pdf = service::RenderReceiptPdf(Doc(150), "zh-CN");  // about 320 lines
  ASSERT_TRUE(pdf.ok()) << pdf.status().message();
  int pages = Pages(*pdf);
  EXPECT_GE(pages, 4);
  EXPECT_LE(pages, 5);
}

}  // namespace
}  // namespace shuyou::test
