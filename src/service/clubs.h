// Paid membership clubs ("书友会 annual club": ¥199 a year, 8% off, ×1.5 points). The owner
// defines clubs; a member joins by paying the fee (cash, card, mobile, or from stored value in
// the same transaction) and renews the same way. A membership is valid from started_on through
// ends_on (inclusive, dates in the business time zone); it expires simply by that date passing.
// A renewal before expiry extends from the current end date, after expiry it starts today.
// Every join and renewal writes a club_payments row naming the period it bought, and is audited.
#pragma once

#include "service/members.h"
#include "service/services.h"

namespace shuyou::service {

struct Club {
  int64_t id = 0;
  std::string name;
  int64_t annual_fee = 0;        // minor units, per period of duration_months
  int64_t duration_months = 12;  // 1–120
  int64_t discount_percent = 0;  // 0–90, off the member's purchases while valid
  int64_t points_percent = 100;  // 100–1000: 150 earns ×1.5 points
  bool active = true;            // inactive clubs take no new joins or renewals
  int64_t created_at = 0, updated_at = 0;
};

// For a create every field but name and annual_fee has a default; for an update only engaged
// fields change.
struct ClubInput {
  std::optional<std::string> name;
  std::optional<int64_t> annual_fee, duration_months, discount_percent, points_percent;
  std::optional<bool> active;
};

Result<std::vector<Club>> ListClubs(Context& ctx);
Result<Club> GetClub(Context& ctx, int64_t id);
Result<Club> CreateClub(Context& ctx, const Actor& actor, const ClubInput& in);  // owners
Result<Club> UpdateClub(Context& ctx, const Actor& actor, int64_t id, const ClubInput& in);  // owners
// Owners. Conflict once anyone has joined (deactivate it instead: the records stay).
Status DeleteClub(Context& ctx, const Actor& actor, int64_t id);

struct ClubPayment {
  int64_t id = 0;
  std::string kind;  // join, renew
  int64_t at = 0;
  int64_t amount = 0;
  std::string payment_method;  // cash, card, mobile, stored_value
  std::string period_start, period_end;
  std::optional<int64_t> stored_value_ledger_id;
  std::string staff_username;
};

struct ClubMembership {
  int64_t id = 0;
  int64_t member_id = 0;
  Club club;
  std::string started_on, ends_on;  // YYYY-MM-DD, ends_on inclusive
  std::string status;               // active, expired (against today in the business time zone)
  int64_t days_left = 0;            // including today; 0 once expired
};

struct ClubJoin {
  ClubMembership membership;
  ClubPayment payment;
  std::optional<StoredValueEntry> stored_value;  // the spend when paid from stored value
};

// Joins `club_id` or, when the member has been in it before, renews. Owners, managers, cashiers.
// payment_method: cash, card, mobile or stored_value (Conflict when the balance is short).
Result<ClubJoin> JoinClubIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                            int64_t club_id, const std::string& payment_method);
Result<ClubJoin> JoinClub(Context& ctx, const Actor& actor, int64_t member_id, int64_t club_id,
                          const std::string& payment_method);

// The member's clubs, active first then by end date, each with its payments newest first.
struct MemberClubs {
  std::vector<ClubMembership> memberships;
  std::vector<ClubPayment> payments;  // every club's, newest first
};
Result<MemberClubs> ListMemberClubs(Context& ctx, int64_t member_id);

// The best benefits of the member's memberships valid on `date` (YYYY-MM-DD): the largest
// discount and the largest points multiplier, each with the club that gives it; 0% and 100%
// when none. For pricing at checkout, inside the checkout's transaction.
struct ClubBenefits {
  int64_t discount_percent = 0;
  std::optional<int64_t> discount_club_id;
  std::string discount_club;
  int64_t points_percent = 100;
  std::optional<int64_t> points_club_id;
  std::string points_club;
};
Result<ClubBenefits> ActiveClubBenefits(store::Tx& tx, int64_t member_id, const std::string& date);

}  // namespace shuyou::service
