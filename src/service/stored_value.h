// Stored value ("储值"): top-ups paid at the till (with the program's top-up bonus as its own
// ledger row), spends at checkout, refunds to the card for returns and manager adjustments.
// Invariant: a member's stored_value_balance equals the sum of their stored_value_ledger rows,
// the newest row's balance_after is that balance, and the balance is never below zero. Every
// change is one conditional UPDATE of the balance plus its ledger rows in the same transaction,
// so two tills spending the same balance at once can never both succeed.
// Amounts are minor units of the loyalty program's currency.
#pragma once

#include "service/members.h"
#include "service/services.h"

namespace shuyou::service {

inline constexpr int64_t kMaxTopUp = 5'000'000;             // ¥50,000.00 per top-up
inline constexpr int64_t kMaxStoredValueChange = 100'000'000;  // ¥1,000,000.00 per spend/refund/adjustment

struct StoredValueChange {
  std::vector<StoredValueEntry> entries;  // in the order written (a top-up, then its bonus)
  int64_t balance = 0;                    // after the change
};

// "cash", "card", "mobile"; "" when valid, else the reason.
std::string CheckTopUpPaymentMethod(std::string_view method);

// Owners, managers and cashiers. A 'topup' row of `amount` (1 … kMaxTopUp) and, when the current
// program's top-up bonus rules give one, a 'bonus' row whose reason names the rule ("top up ≥
// ¥500.00 get ¥50.00"). `reason` is optional free text (≤ 200 characters). Audited.
Result<StoredValueChange> TopUpIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                  int64_t amount, const std::string& payment_method, const std::string& reason);
Result<StoredValueChange> TopUp(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                const std::string& payment_method, const std::string& reason);

// Takes `amount` (≥ 1) from the balance inside the caller's transaction (checkout calls it in its
// own), as a 'spend' row with the sale when given. Conflict ("stored value balance is ¥30.00,
// short by ¥50.00") when the balance is short; nothing is written then, but the caller's
// transaction stays usable. Owners, managers and cashiers. Audited.
Result<StoredValueEntry> SpendStoredValue(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                          int64_t amount, std::optional<int64_t> sale_id, const std::string& reason);
// SpendStoredValue in its own transaction.
Result<StoredValueChange> Spend(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                std::optional<int64_t> sale_id, const std::string& reason);

// Puts `amount` (≥ 1) back on the card (a return paid with stored value) as a 'refund' row.
// Owners, managers and cashiers. Audited.
Result<StoredValueEntry> RefundStoredValue(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                           int64_t amount, std::optional<int64_t> sale_id, const std::string& reason);

// A manager's correction, positive or negative, with a required reason; Conflict when it would
// take the balance below zero. Owners and managers. Audited.
Result<StoredValueChange> AdjustStoredValue(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                            const std::string& reason);

}  // namespace shuyou::service
