// Coupons as data: codes a cashier types or scans that take money off a sale (percent off, a fixed
// amount off, or spend X get Y off, 满减), with their validity days, caps and who may use them;
// batches of single-use codes for printed vouchers; and the three calls the checkout makes.
// Guarantees: codes are 3–32 characters of A–Z 0–9 '-' '_', stored upper case and unique; a
// coupon's terms (kind and amounts) never change once it has been used; `uses` is the number of
// its redemptions not given back and never exceeds max_uses, even with tills racing for the last
// use (a conditional UPDATE decides). Every change is audited in its transaction.
#pragma once

#include <functional>
#include <utility>

#include "core/pricing.h"
#include "service/services.h"

namespace shuyou::service {

struct Coupon {
  int64_t id = 0;
  std::string code;  // upper case
  std::string name;
  std::string kind;  // percent, fixed, spend_get
  int64_t percent = 0;    // percent: 1–100
  int64_t amount = 0;     // fixed: the amount off; spend_get: Y (minor units)
  int64_t threshold = 0;  // spend_get: X
  bool repeat = false;    // spend_get: Y for every full X
  std::optional<int64_t> min_spend;
  std::vector<std::string> genres;  // category codes; empty: every discountable line
  bool exclusive = false;
  std::optional<std::string> valid_from, valid_to;  // YYYY-MM-DD, inclusive
  std::optional<int64_t> max_uses, per_member_limit;
  bool members_only = false;
  std::optional<int64_t> member_id, store_id;
  int64_t uses = 0;
  bool active = true;
  int64_t created_at = 0, updated_at = 0;
  std::string status;  // on the business day asked about: valid, inactive, scheduled, expired, used_up
};

// Create: code (or a batch's prefix), kind and the kind's amounts are required; the rest has
// defaults. Update: only engaged fields change; an engaged nullopt clears a nullable field.
// The terms (code, kind, percent, amount, threshold, repeat, min_spend, genres, exclusive) are
// refused once the coupon has uses; name, validity, caps, audience and active may always change.
struct CouponFields {
  std::optional<std::string> code, name, kind;
  std::optional<int64_t> percent, amount, threshold;
  std::optional<bool> repeat, exclusive, members_only, active;
  std::optional<std::optional<int64_t>> min_spend, max_uses, per_member_limit, member_id, store_id;
  std::optional<std::vector<std::string>> genres;
  std::optional<std::optional<std::string>> valid_from, valid_to;
};

struct CouponDay {
  std::string day;  // the sale's business day
  int64_t uses = 0;
  int64_t discount = 0;
};

struct CouponUsage {
  int64_t uses = 0;          // redemptions not given back
  int64_t discount = 0;      // their total amount
  int64_t given_back = 0;    // redemptions given back by returns and voids
  std::vector<CouponDay> days;  // oldest first
};

struct CouponDetail {
  Coupon coupon;
  CouponUsage usage;
};

// Owners, managers and marketers create and change coupons; everyone signed in may read them.
Result<Coupon> CreateCoupon(Context& ctx, const Actor& actor, const CouponFields& in);
Result<Coupon> UpdateCoupon(Context& ctx, const Actor& actor, int64_t id, const CouponFields& in);
Result<CouponDetail> GetCoupon(Context& ctx, int64_t id);

struct CouponFilter {
  std::string q;                      // part of the code or name
  std::optional<bool> active;
  std::optional<std::string> status;  // valid, scheduled, expired, used_up (on today's business day)
};
// Sorts: -id (default), id, code, created_at, valid_to.
Result<Page<Coupon>> ListCoupons(Context& ctx, const PageQuery& page, const CouponFilter& f);

// A batch of single-use codes from one template (`in` without code, max_uses or
// per_member_limit): `prefix` (0–12 characters of A–Z 0–9 '-' '_') followed by random characters
// that cannot be misread (no 0/O, 1/I/L), all unique, written in one transaction.
struct CouponBatch {
  std::string prefix;
  std::vector<Coupon> coupons;  // in the order made
};
inline constexpr int64_t kMaxBatch = 10000;
// `random_part` replaces the random characters (tests use it to force codes already taken, which
// are skipped and replaced by fresh ones).
Result<CouponBatch> IssueCouponBatch(Context& ctx, const Actor& actor, const std::string& prefix, int64_t count,
                                     const CouponFields& in, const std::function<std::string()>& random_part = {});

// What a till shows before pricing: whether the code could be used now at `store_id` for
// `member_id`, and if not, why (CouponsForSale's message). `coupon` is filled in when the code exists.
struct CouponCheck {
  std::string code;
  bool valid = false;
  std::string reason;
  std::optional<Coupon> coupon;
};
Result<CouponCheck> CheckCoupon(Context& ctx, const std::string& code, int64_t store_id,
                                std::optional<int64_t> member_id);

// ---- for the checkout (service/sales), inside its transaction ----

struct SaleCoupon { int64_t id = 0; core::Coupon rule; };
// The coupons a cashier entered, in the order given (codes trimmed, any case). Invalid with a
// message naming the code when: unknown, inactive, not yet valid or expired on `day` (YYYY-MM-DD),
// for another store, members_only or issued to a member and the sale has no/another member, used
// up (uses >= max_uses), the member's per_member_limit reached, or the same code twice.
// Also Invalid when a coupon has a per_member_limit and the sale has no member (the limit could
// not be kept). The details name the entry as "coupons[i]". Money is in the loyalty program's
// currency (CNY by default). A coupon's genres are given with their whole category subtrees
// (a coupon for "fiction" covers lines of "fiction.scifi"), as PriceBasket matches exactly.
Result<std::vector<SaleCoupon>> CouponsForSale(store::Tx& tx, const std::vector<std::string>& codes,
    int64_t store_id, std::optional<int64_t> member_id, const std::string& day);
// One use of each coupon that gave a discount (coupon id, amount): a coupon_redemptions row and a
// conditional `UPDATE coupons SET uses = uses + 1 WHERE id = ? AND (max_uses IS NULL OR uses < max_uses)`;
// Conflict ("coupon X has been used up") when it affected no row, so two tills using the last use at
// once never both succeed. Conflict too when the member's per_member_limit would be passed (checked
// after that UPDATE has locked the coupon row, so racing tills cannot both pass it either).
Status RecordCouponUses(store::Tx& tx, int64_t sale_id, std::optional<int64_t> member_id, int64_t at,
                        const std::vector<std::pair<int64_t, int64_t>>& coupon_amounts);
// Gives back the uses of a sale returned in full or voided (given_back_at set once; uses − 1).
Status GiveBackCoupons(store::Tx& tx, int64_t sale_id, int64_t at);

}  // namespace shuyou::service
