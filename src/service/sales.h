// Sales at the till: checkout, reading sales back, returns and voids.
//
// Checkout prices the basket (core::PriceBasket: the member's tier or club discount, coupons, a
// points payment), settles the payments (core::SettlePayments: change from cash only) and then,
// in the caller's one transaction, writes the sale with its lines, discounts and payments, takes
// the stock, records the coupon uses, spends stored value, redeems and earns points, records the
// member's purchase statistics (tier progress, favourite genres) and adds stamps. Any refusal
// (unknown code, short stock, short balance, a coupon used up meanwhile) fails the whole sale and
// nothing of it is written. Run it through RunIdempotent with grouped=true (the HTTP route does),
// so that sales from many tills share durable commits and a retried request never sells twice.
//
// A return gives back part or all of a sale: the money part of each returned line's net (the
// points part is given back as points), cumulatively so that partial returns never drift and the
// last one returns exactly what is left; the refund goes back to the sale's payments in the order
// stored value, card, mobile, cash, each up to what it paid; stock comes back; earned points are
// taken back and redeemed points given back in proportion (service::ReversePoints); the member's
// spend is reduced; a sale returned in full gives its coupon uses back. A void is a manager's
// return of a whole sale that has had no return yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/points.h"
#include "core/status.h"
#include "service/member_tiers.h"
#include "service/services.h"
#include "service/stamps.h"

namespace shuyou::service {

struct SaleLineRequest {
  std::optional<int64_t> product_id;
  std::string barcode;  // or a scanned code: EAN/UPC/ISBN in any form
  int64_t quantity = 0;
};

struct PaymentRequest {
  std::string method;  // cash, card, mobile, stored_value
  int64_t amount = 0;  // minor units handed over (cash may exceed what is due: change)
  std::string reference;
};

struct SaleRequest {
  int64_t store_id = 0;
  std::optional<int64_t> member_id;
  std::optional<int64_t> shift_id;  // an open shift of the store
  std::vector<SaleLineRequest> lines;
  std::vector<std::string> coupon_codes;
  int64_t points_to_redeem = 0;
  std::vector<PaymentRequest> payments;
  std::string note;
};

struct SaleLine {
  int64_t id = 0, line_no = 0, product_id = 0;
  std::string barcode, title, genre;
  int64_t quantity = 0, unit_price = 0, tax_rate_bp = 0;
  std::optional<int64_t> unit_cost;
  int64_t gross = 0, member_discount = 0, coupon_discount = 0, net = 0, points_share = 0, paid = 0, tax = 0;
  int64_t returned_qty = 0;
};

struct SaleDiscount {
  std::string rule, detail;
  int64_t amount = 0;
  bool applied = true;
  std::optional<int64_t> coupon_id;
};

struct SalePayment {
  int64_t id = 0;
  std::string method;
  int64_t amount = 0, tendered = 0;
  std::string reference;
  int64_t refunded = 0;
};

struct ReturnLine {
  int64_t sale_line_id = 0, quantity = 0, refund = 0, points_share = 0;
};

struct ReturnPayment {
  int64_t sale_payment_id = 0;
  std::string method;
  int64_t amount = 0;
};

struct SaleReturn {
  int64_t id = 0, sale_id = 0, store_id = 0;
  std::optional<int64_t> shift_id, staff_id;
  int64_t at = 0;
  std::string business_day, kind, reason;
  int64_t refund_total = 0, points_taken_back = 0, points_given_back = 0;
  std::vector<ReturnLine> lines;
  std::vector<ReturnPayment> payments;
  std::vector<StampTakeBack> stamps;  // stamps the returned lines had earned, taken back per card
};

struct Sale {
  int64_t id = 0;
  std::string receipt_number;
  int64_t store_id = 0;
  std::optional<int64_t> shift_id, staff_id, member_id;
  std::string staff_name;  // display name, else username
  int64_t at = 0;
  std::string business_day, source, currency, status, note;
  int64_t subtotal = 0, discount_total = 0, net_total = 0, points_redeemed = 0, points_value = 0, due = 0;
  int64_t tax_total = 0, tendered = 0, change_due = 0, points_earned = 0, refunded_total = 0;
  std::vector<SaleLine> lines;
  std::vector<SaleDiscount> discounts;
  std::vector<SalePayment> payments;
  std::vector<SaleReturn> returns;
};

struct CheckoutResult {
  Sale sale;
  core::EarnResult points_explained;                // the rules that gave the points earned
  std::optional<int64_t> points_balance;            // the member's balance after the sale
  std::optional<int64_t> stored_value_balance;      // after the sale, when a member is attached
  std::vector<StampAward> stamps;
  std::optional<TierChangeRecord> tier_change;
};

// Owners, managers and cashiers (a manager or cashier only in their home store, when they have
// one). Invalid (with the field) for bad input: no lines or more than 200, a quantity outside
// 1–9999, an unknown or inactive product, an unknown store or member, a shift that is not open
// in the store, a coupon that cannot be used, points without a member or above the balance or
// the program's limit, stored value without a member, payments that do not pay what is due.
// Conflict when stock, points or stored value are short, or a coupon was used up meanwhile.
Result<CheckoutResult> Checkout(store::Tx& tx, const Context& ctx, const Actor& actor, const SaleRequest& in);

// What the basket would cost now, without writing anything: the POS shows it while scanning.
// Payments are not required (when given they are settled, for the change).
struct Quote {
  Sale sale;                        // id 0; lines, discounts and totals as checkout would write them
  int64_t points_to_earn = 0;       // if paid as quoted
  core::EarnResult points_explained;
  std::optional<int64_t> points_balance, stored_value_balance;
  int64_t max_points_to_redeem = 0;  // what the program's limit and the balance allow on this basket
};
Result<Quote> QuoteSale(Context& ctx, const Actor& actor, const SaleRequest& in);

// NotFound for an unknown sale. Every role may read.
Result<Sale> LoadSale(store::Tx& tx, int64_t id);
Result<Sale> GetSale(Context& ctx, int64_t id);
// By receipt number (as printed).
Result<Sale> FindSaleByReceipt(Context& ctx, const std::string& receipt_number);

struct SaleFilter {
  std::optional<int64_t> store_id, member_id, shift_id;
  // Sales with a line of this product not yet all returned: a return without the receipt finds
  // the member's purchase of the book on the counter with member_id + product_id.
  std::optional<int64_t> returnable_product_id;
  std::string from, to;  // business days, inclusive; "" = open
};
// Newest first. Lines, discounts, payments and returns are left empty in the list.
Result<Page<Sale>> ListSales(Context& ctx, const PageQuery& page, const SaleFilter& f);

struct ReturnLineRequest {
  int64_t sale_line_id = 0;
  int64_t quantity = 0;
};

struct ReturnRequest {
  std::vector<ReturnLineRequest> lines;  // empty: everything not yet returned
  std::string reason;
  std::optional<int64_t> shift_id;       // the shift that pays the refund out
};

// Owners, managers and cashiers. Invalid when a line is not the sale's, a quantity is not
// positive or more than is left to return, or the sale is voided or already fully returned.
Result<SaleReturn> ReturnSale(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                              const ReturnRequest& in);
// Owners and managers; a reason is required. Conflict when the sale has had a return already.
Result<SaleReturn> VoidSale(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t sale_id,
                            const std::string& reason, std::optional<int64_t> shift_id);

}  // namespace shuyou::service
