// A sale's receipt as data, and its renderings: ESC/POS bytes for 58 mm and 80 mm thermal
// printers, a printable HTML page and plain text (the e-mail body). Pure: the caller loads the
// sale (service/sales) and chooses the language; nothing here reads the database or the clock.
// Amounts are minor units of `currency`. Labels come in Chinese ("zh-CN") or English ("en").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuyou::core {

struct ReceiptLine {
  std::string title;
  std::string barcode;
  int64_t quantity = 1;
  int64_t unit_price = 0;
  int64_t gross = 0;     // unit_price × quantity
  int64_t discount = 0;  // member + coupon discount on this line
  int64_t net = 0;       // gross − discount
  int64_t returned_qty = 0;
};

struct ReceiptDiscount {
  std::string rule;    // "tier:gold", "club:书友会", "coupon:SAVE10"
  std::string detail;  // "10% off ¥79.80"
  int64_t amount = 0;
};

struct ReceiptPayment {
  std::string method;  // cash, card, mobile, stored_value
  int64_t amount = 0;  // kept
  int64_t tendered = 0;
};

struct ReceiptReturn {
  int64_t at = 0;
  std::string local_time;  // "2026-11-29 10:12" in the store's time zone
  std::string kind;  // return, void
  int64_t refund_total = 0;
  int64_t points_taken_back = 0;
  int64_t points_given_back = 0;
};

struct ReceiptDoc {
  std::string store_name, store_address, store_phone;
  std::string receipt_number;
  std::string local_time;  // "2026-11-28 14:05" in the store's time zone
  std::string cashier;     // display name or username
  std::string currency = "CNY";
  std::vector<ReceiptLine> lines;
  std::vector<ReceiptDiscount> discounts;  // applied ones only
  int64_t subtotal = 0, discount_total = 0, total = 0;
  int64_t points_redeemed = 0, points_value = 0, due = 0, tax_total = 0;
  std::vector<ReceiptPayment> payments;
  int64_t change_due = 0;
  // The member part; absent for a walk-in sale.
  struct Member {
    std::string name;          // may be empty
    std::string card_number;   // printed masked: all but the last 4 digits as '*'
    std::string tier;
    int64_t points_earned = 0;
    int64_t points_balance = 0;           // after the sale
    std::optional<int64_t> stored_value_balance;  // after the sale, when the card was used
  };
  std::optional<Member> member;
  std::string status;  // completed, partly_returned, returned, voided
  std::vector<ReceiptReturn> returns;
  std::string footer;  // e.g. "谢谢惠顾 · Thank you"
};

// One line of the laid-out receipt, already wrapped and padded to the column count (a `size` 2
// line to half of it: it prints at double width). `qr`: print the receipt number as a QR code
// here (text is then the number).
struct ReceiptPrintLine {
  enum Align { kLeft, kCenter, kRight };
  std::string text;  // UTF-8
  Align align = kLeft;
  bool bold = false;
  int size = 0;  // 0 normal, 1 double height, 2 double width and height
  bool qr = false;
};

// The receipt as monospaced lines of `columns` cells (32 for 58 mm paper, 48 for 80 mm).
// Widths count a character below U+0080 as one cell and any other as two, as a Chinese printer
// in GB18030 mode prints them (and the PDF's SimSun font draws them). Text is cleaned of
// control characters, long titles are wrapped (never inside a character), amounts are
// right-aligned and the card number is masked. `lang` is "zh-CN" or "en" (anything else: zh-CN).
std::vector<ReceiptPrintLine> LayoutReceipt(const ReceiptDoc& doc, int columns, std::string_view lang);

// Columns of one line: 32 for 58 mm paper, 48 for 80 mm; 0 for other widths.
int ReceiptColumns(int width_mm);
// Cells `utf8` takes on the printer (see LayoutReceipt).
int PrintWidth(std::string_view utf8);
// "************1234": all but the last four characters masked.
std::string MaskCardNumber(std::string_view card);

// ESC/POS bytes for a 58 or 80 mm thermal printer (other widths print at 80 mm): ESC @, Chinese
// mode (FS &) with the text in GB18030, ESC a alignment, a bold double-size total (GS !, ESC E),
// the receipt number as a QR code (GS ( k), a feed and a partial cut (GS V 66 0) at the very end.
// A character a GB18030 printer cannot print in two bytes prints as "??" (the same two cells).
std::string RenderEscPos(const ReceiptDoc& doc, int width_mm, std::string_view lang);
// A self-contained printable HTML page (inline CSS, 80 mm wide when printed); every text escaped.
std::string RenderReceiptHtml(const ReceiptDoc& doc, std::string_view lang);
// Plain text (the e-mail body): the 48-column layout.
std::string RenderReceiptText(const ReceiptDoc& doc, std::string_view lang);
// The e-mail subject: "书友书店 购物小票 MAIN-20261128-42" / "Your receipt from … (…)".
std::string ReceiptEmailSubject(const ReceiptDoc& doc, std::string_view lang);

// "¥86.00" in the doc's currency (its code and the amount for a currency Shuyou does not know).
std::string ReceiptMoney(const ReceiptDoc& doc, int64_t minor);

}  // namespace shuyou::core
