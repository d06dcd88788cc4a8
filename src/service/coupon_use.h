// Coupons at checkout: the codes a cashier entered, checked and turned into pricing rules, and
// their uses recorded (and given back on a full return). The coupon definitions themselves are
// managed in service/coupons.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/pricing.h"
#include "core/status.h"
#include "store/db.h"

namespace shuyou::service {

struct SaleCoupon {
  int64_t id = 0;
  core::Coupon rule;
};

// The coupons a cashier entered, in the order given (codes trimmed, any case). Invalid with a
// message naming the code when: unknown, inactive, not yet valid or expired on `day`
// (YYYY-MM-DD), for another store, members_only or issued to a member and the sale has no/another
// member, used up (uses >= max_uses), the member's per_member_limit reached, or the same code twice.
Result<std::vector<SaleCoupon>> CouponsForSale(store::Tx& tx, const std::vector<std::string>& codes, int64_t store_id,
                                               std::optional<int64_t> member_id, const std::string& day);
// One use of each coupon that gave a discount (coupon id, amount): a coupon_redemptions row and a
// conditional UPDATE of coupons.uses; Conflict ("coupon X has been used up") when the cap was
// reached meanwhile, so two tills using the last use at once never both succeed.
Status RecordCouponUses(store::Tx& tx, int64_t sale_id, std::optional<int64_t> member_id, int64_t at,
                        const std::vector<std::pair<int64_t, int64_t>>& coupon_amounts);
// Gives back the uses of a sale returned in full or voided (given_back_at set once; uses − 1).
Status GiveBackCoupons(store::Tx& tx, int64_t sale_id, int64_t at);

}  // namespace shuyou::service
