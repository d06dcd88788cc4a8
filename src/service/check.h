// `shuyou check`: verifies the invariants that cached values must keep with the rows they
// summarize: every member's points balance equals the sum of their points ledger and the last
// row's balance_after, and the sum of what its points lots still hold; the same for stored
// value; every member's stamp rewards match the rewards their stamping events completed; a
// merged member has no ledger rows and points at a member that is not merged; every stock level
// equals the sum of its stock movements and the last movement's on_hand_after; every coupon's
// uses equals its redemptions not given back and is never above its max_uses; every report
// aggregate equals a rebuild from the raw sales, returns and points (CheckReports, which
// recomputes into temporary tables). Changes nothing; answers the mismatches found.
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct Mismatch {
  std::string invariant;  // e.g. "points_balance = SUM(points_ledger.points)"
  int64_t member_id = 0;
  int64_t cached = 0;
  int64_t computed = 0;
  std::string subject;  // when not a member: e.g. "stock store 1 product 7"
};

Result<std::vector<Mismatch>> CheckInvariants(Context& ctx);

}  // namespace shuyou::service
