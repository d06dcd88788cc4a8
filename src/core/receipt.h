// A sale's receipt as data, and its renderings: ESC/POS bytes for 58 mm and 80 mm thermal
// printers, a printable HTML page and plain text (the e-mail body). Pure: the caller loads the
// sale (service/sales) and chooses the language; nothing here reads the database or the clock.
// Amounts are minor units of `currency`. Labels come in Chinese ("zh-CN") or English ("en").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

}  // namespace shuyou::core
