// Unit tests of core/receipt: the ESC/POS bytes are decoded by a small independent reader (the
// commands a printer would execute, the text lines decoded from GB18030) and checked for widths,
// the total, the masked card, the QR code and the final cut; the HTML page and the text body are
// checked for escaping and content.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/encoding.h"
#include "core/receipt.h"

using namespace shuyou::core;

namespace {

ReceiptDoc SampleDoc() {
  ReceiptDoc d;
  d.store_name = "书友书店 总店";
  d.store_address = "上海市徐汇区漕溪北路 595 号 上海书城二楼东侧 201-203 室";
  d.store_phone = "021-6400 0000";
  d.receipt_number = "MAIN-20261128-42";
  d.local_time = "2026-11-28 14:05";
  d.cashier = "李明";
  ReceiptLine a;
  a.title = "百年孤独（典藏版）加西亚·马尔克斯 著 范晔 译 南海出版公司";
  a.barcode = "9787544253994";
  a.quantity = 2;
  a.unit_price = 3980;
  a.gross = 7960;
  a.discount = 796;
  a.net = 7164;
  ReceiptLine b;
  b.title = "The Remains of the Day, a novel by Kazuo Ishiguro (Vintage International)";
  b.barcode = "9780679731726";
  b.unit_price = 1500;
  b.gross = 1500;
  b.discount = 0;
  b.net = 1500;
  b.returned_qty = 1;
  ReceiptLine c;
  c.title = std::string("Bad\x1b@title\x1dV") + "😀";  // control bytes must never reach the printer
  c.barcode = "2000000000015";
  c.unit_price = 240;
  c.gross = 240;
  c.net = 240;
  d.lines = {a, b, c};
  d.discounts = {{"tier:gold", "9折 / 10% off ¥79.60", 796}, {"coupon:SAVE10", "满50减10", 1000}};
  d.subtotal = 9700;
  d.discount_total = 1796;
  d.total = 7904;
  d.points_redeemed = 200;
  d.points_value = 200;
  d.due = 7704;
  d.payments = {{"stored_value", 2000, 2000}, {"cash", 5704, 10000}};
  d.change_due = 4296;
  ReceiptDoc::Member m;
  m.name = "王小明";
  m.card_number = "8601000000123";
  m.tier = "gold";
  m.points_earned = 77;
  m.points_balance = 1234;
  m.stored_value_balance = 3000;
  d.member = m;
  d.status = "partly_returned";
  d.returns = {{0, "2026-11-29 10:12", "return", 1500, 15, 0}};
  d.footer = "谢谢惠顾 · Thank you";
  return d;
}

// What a printer does with the bytes: the text lines it prints and the commands around them.
struct Printed {
  struct Line {
    std::string gb;  // the bytes printed
    int mag = 1;     // horizontal magnification from GS !
    bool bold = false;
    int align = 0;
  };
  std::vector<Line> lines;
  std::vector<std::string> qr;  // data stored with GS ( k fn 80
  bool init_first = false, chinese = false, cut_last = false;
  std::string error;
};

Printed Decode(const std::string& b) {
  Printed p;
  Printed::Line cur;
  int mag = 1, align = 0;
  bool bold = false, chinese = false;
  size_t i = 0;
  auto fail = [&](std::string why) {
    p.error = why + " at byte " + std::to_string(i);
    return p;
  };
  p.init_first = b.rfind("\x1b@", 0) == 0;
  while (i < b.size()) {
    uint8_t c = uint8_t(b[i]);
    if (c == 0x1B) {
      if (i + 1 >= b.size()) return fail("truncated ESC");
      char k = b[i + 1];
      if (k == '@') { mag = 1; bold = false; align = 0; i += 2; continue; }
      if (i + 2 >= b.size()) return fail("truncated ESC");
      uint8_t n = uint8_t(b[i + 2]);
      if (k == 'a') align = n;
      else if (k == 'E') bold = n & 1;
      else if (k == 'd') {}
      else return fail("unknown ESC command");
      i += 3;
    } else if (c == 0x1C) {
      if (i + 1 >= b.size()) return fail("truncated FS");
      char k = b[i + 1];
      if (k == '&') { chinese = true; p.chinese = true; i += 2; }
      else if (k == '.') { chinese = false; i += 2; }
      else if (k == '!') i += 3;
      else return fail("unknown FS command");
    } else if (c == 0x1D) {
      if (i + 2 >= b.size()) return fail("truncated GS");
      char k = b[i + 1];
      if (k == '!') {
        mag = (uint8_t(b[i + 2]) >> 4) + 1;
        i += 3;
      } else if (k == '(' && b[i + 2] == 'k') {
        size_t len = uint8_t(b[i + 3]) | (uint8_t(b[i + 4]) << 8);
        if (i + 5 + len > b.size() || len < 2) return fail("truncated GS ( k");
        if (b[i + 5] != 0x31) return fail("not a QR function");
        if (b[i + 6] == 0x50) p.qr.push_back(b.substr(i + 8, len - 3));
        i += 5 + len;
      } else if (k == 'V') {
        if (uint8_t(b[i + 2]) != 66 || i + 3 >= b.size()) return fail("not a GS V 66 cut");
        i += 4;
        p.cut_last = i == b.size();
      } else {
        return fail("unknown GS command");
      }
    } else if (c == '\n') {
      if (!cur.gb.empty()) p.lines.push_back(cur);
      cur = {};
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      return fail("control byte in text");
    } else {
      if (cur.gb.empty()) {
        cur.mag = mag;
        cur.bold = bold;
        cur.align = align;
      }
      if (c >= 0x81) {
        if (!chinese) return fail("double-byte text outside Chinese mode");
        if (i + 1 >= b.size()) return fail("half a character");
        uint8_t c2 = uint8_t(b[i + 1]);
        if (c2 < 0x40 || c2 == 0x7F || c2 == 0xFF) return fail("not a two-byte GB18030 character");
        cur.gb += b.substr(i, 2);
        i += 2;
      } else {
        cur.gb += char(c);
        ++i;
      }
    }
  }
  if (!cur.gb.empty()) p.lines.push_back(cur);
  return p;
}

std::string Utf8Of(const Printed::Line& l) { return Gb18030ToUtf8(l.gb).value_or("<not GB18030>"); }

std::string AllText(const Printed& p) {
  std::string out;
  for (const auto& l : p.lines) out += Utf8Of(l) + "\n";
  return out;
}

// Joins the printed lines without line breaks or spaces, to find wrapped text.
std::string Joined(const Printed& p) {
  std::string out;
  for (const auto& l : p.lines)
    for (char ch : Utf8Of(l))
      if (ch != ' ') out += ch;
  return out;
}

std::string NoSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

}  // namespace

TEST(ReceiptEscPos, WidthsNeverExceedTheColumns) {
  for (int mm : {58, 80}) {
    for (const char* lang : {"zh-CN", "en"}) {
      Printed p = Decode(RenderEscPos(SampleDoc(), mm, lang));
      ASSERT_EQ(p.error, "") << mm << " " << lang;
      size_t cols = mm == 58 ? 32 : 48;
      ASSERT_GT(p.lines.size(), 20u);
      for (const auto& l : p.lines) {
        // In Chinese mode a two-byte character is two cells, an ASCII byte one: bytes = cells.
        EXPECT_LE(l.gb.size() * size_t(l.mag), cols) << mm << " mm " << lang << ": " << Utf8Of(l);
      }
    }
  }
}

TEST(ReceiptEscPos, FramesTheReceiptWithInitChineseModeAndCut) {
  std::string bytes = RenderEscPos(SampleDoc(), 58, "zh-CN");
  Printed p = Decode(bytes);
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.init_first);
  EXPECT_TRUE(p.chinese);
  EXPECT_TRUE(p.cut_last);
  EXPECT_EQ(bytes.substr(bytes.size() - 4), std::string("\x1dV\x42\x00", 4));
  ASSERT_EQ(p.qr.size(), 1u);
  EXPECT_EQ(p.qr[0], "MAIN-20261128-42");
}

TEST(ReceiptEscPos, TheTotalIsBigBoldAndRightAligned) {
  for (int mm : {58, 80}) {
    Printed p = Decode(RenderEscPos(SampleDoc(), mm, "zh-CN"));
    ASSERT_EQ(p.error, "");
    int found = 0;
    for (const auto& l : p.lines) {
      std::string t = Utf8Of(l);
      if (t.rfind("合计", 0) != 0) continue;
      ++found;
      EXPECT_EQ(l.mag, 2);
      EXPECT_TRUE(l.bold);
      // The amount ends the line and the line fills the (halved) width exactly.
      EXPECT_EQ(t.substr(t.size() - std::string("￥79.04").size()), "￥79.04");
      EXPECT_EQ(l.gb.size() * 2, size_t(mm == 58 ? 32 : 48)) << t;
    }
    EXPECT_EQ(found, 1);
    // Ordinary amounts end their line at the right edge too.
    bool change = false;
    for (const auto& l : p.lines) {
      std::string t = Utf8Of(l);
      if (t.rfind("找零", 0) == 0) {
        change = true;
        EXPECT_EQ(t.substr(t.size() - std::string("￥42.96").size()), "￥42.96");
        EXPECT_EQ(l.gb.size(), size_t(mm == 58 ? 32 : 48));
      }
    }
    EXPECT_TRUE(change);
  }
}

TEST(ReceiptEscPos, TextRoundTripsThroughGb18030AndWrapsWithoutLoss) {
  ReceiptDoc d = SampleDoc();
  Printed p = Decode(RenderEscPos(d, 58, "zh-CN"));
  ASSERT_EQ(p.error, "");
  std::string joined = Joined(p);
  // The long titles wrap over several lines and lose nothing.
  EXPECT_NE(joined.find(NoSpaces(d.lines[0].title)), std::string::npos) << AllText(p);
  EXPECT_NE(joined.find(NoSpaces(d.lines[1].title)), std::string::npos) << AllText(p);
  EXPECT_NE(joined.find(NoSpaces(d.store_address)), std::string::npos);
  std::string all = AllText(p);
  for (const char* want : {"单号: MAIN-20261128-42", "时间: 2026-11-28 14:05", "收银员: 李明", "会员等级 gold",
                           "9折 / 10% off ￥79.60", "优惠券 SAVE10", "满50减10", "积分抵扣 (200 积分)", "储值卡",
                           "现金", "*** 部分退货 ***", "已退 1", "退货 2026-11-29 10:12", "扣回积分", "-15",
                           "谢谢惠顾 · Thank you", "积分余额", "1234", "+77"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
  // Control bytes in a title print as spaces; a character with no two-byte form as "??".
  EXPECT_NE(all.find("Bad @title V??"), std::string::npos) << all;
}

TEST(ReceiptEscPos, PrintsTheCardNumberMaskedOnly) {
  std::string bytes = RenderEscPos(SampleDoc(), 80, "en");
  Printed p = Decode(bytes);
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(bytes.find("8601000000123"), std::string::npos);
  std::string all = AllText(p);
  EXPECT_NE(all.find("*********0123"), std::string::npos) << all;
  for (const char* want : {"Receipt: MAIN-20261128-42", "TOTAL", "Member tier gold", "Coupon SAVE10", "Points balance",
                           "Change", "PARTLY RETURNED", "Cash", "Tendered"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
  // 80 mm lines carry the barcode beside the quantity.
  EXPECT_NE(all.find("9787544253994  2 x ￥39.80"), std::string::npos) << all;
}

TEST(ReceiptEscPos, AWalkInSaleHasNoMemberBlock) {
  ReceiptDoc d = SampleDoc();
  d.member.reset();
  d.returns.clear();
  d.status = "completed";
  std::string all = AllText(Decode(RenderEscPos(d, 58, "zh-CN")));
  EXPECT_EQ(all.find("卡号"), std::string::npos);
  EXPECT_EQ(all.find("积分余额"), std::string::npos);
  EXPECT_EQ(all.find("***"), std::string::npos);
}

TEST(ReceiptLayout, WrapsAWordlessLineBetweenCharactersAndKeepsWideCharactersWhole) {
  ReceiptDoc d;
  d.receipt_number = "X-1";
  ReceiptLine l;
  l.title = std::string(40, 'A') + "书" + std::string(30, 'B');
  l.gross = l.net = l.unit_price = 100;
  d.lines = {l};
  for (int cols : {32, 48}) {
    std::string joined;
    for (const auto& pl : LayoutReceipt(d, cols, "zh-CN")) {
      EXPECT_LE(PrintWidth(pl.text) * (pl.size == 2 ? 2 : 1), cols) << pl.text;
      EXPECT_TRUE(Utf8ToGb18030(pl.text).has_value()) << pl.text;  // valid UTF-8: no cut character
      joined += pl.text;
    }
    EXPECT_NE(joined.find(l.title), std::string::npos);
  }
}

TEST(ReceiptLayout, MasksAllButTheLastFourDigits) {
  EXPECT_EQ(MaskCardNumber("8601000000123"), "*********0123");
  EXPECT_EQ(MaskCardNumber("1234"), "1234");
  EXPECT_EQ(MaskCardNumber(""), "");
  EXPECT_EQ(ReceiptColumns(58), 32);
  EXPECT_EQ(ReceiptColumns(80), 48);
  EXPECT_EQ(ReceiptColumns(76), 0);
  EXPECT_EQ(PrintWidth("ab书¥"), 6);
}

TEST(ReceiptHtml, EscapesEveryTextAndPrintsAt80mm) {
  ReceiptDoc d = SampleDoc();
  d.lines[1].title = "<script>alert('x')</script> & \"quotes\"";
  d.store_name = "<b>Shop</b>";
  d.discounts[0].detail = "<img src=x onerror=alert(1)>";
  std::string h = RenderReceiptHtml(d, "zh-CN");
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_EQ(h.find("<b>"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(h.find("@media print"), std::string::npos);
  EXPECT_NE(h.find("size:80mm"), std::string::npos);
  EXPECT_NE(h.find("<html lang=\"zh-CN\">"), std::string::npos);
  for (const char* want : {"¥79.04", "-¥7.96", "会员等级 gold", "优惠券 SAVE10", "*********0123", "1234", "+77",
                           "MAIN-20261128-42", "2026-11-28 14:05", "部分退货"})
    EXPECT_NE(h.find(want), std::string::npos) << want;
  EXPECT_EQ(h.find("8601000000123"), std::string::npos);
  EXPECT_NE(RenderReceiptHtml(d, "en").find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(RenderReceiptHtml(d, "en").find("TOTAL"), std::string::npos);
}

TEST(ReceiptText, Uses48ColumnsWithTheTotalAndTheRules) {
  std::string t = RenderReceiptText(SampleDoc(), "zh-CN");
  size_t start = 0;
  int lines = 0;
  bool total = false;
  while (start < t.size()) {
    size_t end = t.find('\n', start);
    std::string line = t.substr(start, end - start);
    EXPECT_LE(PrintWidth(line), 48) << line;
    if (line.rfind("合计", 0) == 0) {
      total = true;
      EXPECT_EQ(line.substr(line.size() - 7), "¥79.04");
    }
    ++lines;
    start = end + 1;
  }
  EXPECT_TRUE(total) << t;
  EXPECT_GT(lines, 20);
  EXPECT_NE(t.find("优惠券 SAVE10"), std::string::npos);
  EXPECT_EQ(t.find('\x1b'), std::string::npos);
  EXPECT_EQ(ReceiptEmailSubject(SampleDoc(), "zh-CN"), "书友书店 总店 购物小票 MAIN-20261128-42");
  EXPECT_EQ(ReceiptEmailSubject(SampleDoc(), "en"), "Your receipt from 书友书店 总店 (MAIN-20261128-42)");
}

TEST(Gb18030, RoundTripsAndRejects) {
  std::string s = "书友 ¥86.00 😀 abc";
  auto gb = Utf8ToGb18030(s);
  ASSERT_TRUE(gb);
  EXPECT_EQ(gb->substr(0, 4), "\xca\xe9\xd3\xd1");  // 书友 in GB2312
  EXPECT_EQ(Gb18030ToUtf8(*gb), s);
  EXPECT_FALSE(Utf8ToGb18030("\xff\xfe"));
  EXPECT_EQ(Utf8ToGbk("书😀a"), "\xca\xe9?a");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm9v\r\nYg=="), "foob");
}
