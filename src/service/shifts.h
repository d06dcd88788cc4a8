// Cashier shifts: a till is opened with a cash float, sales and returns name the shift, and the
// shift is closed with a count of the cash drawer. The shift report (an X-report while open, the
// Z-report once closed) sums what the shift took and paid out: sales, discounts, refunds,
// payments by method, and the cash the drawer should hold against what was counted.
// Invariant: at most one open shift per (store, till) (a partial unique index).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/services.h"

namespace shuyou::service {

struct ShiftReport {
  int64_t sales_count = 0;
  int64_t sales_total = 0;      // Σ receipt totals (after discounts)
  int64_t discount_total = 0;
  int64_t points_value = 0;     // paid with points
  int64_t tax_total = 0;
  int64_t returns_count = 0;    // returns and voids paid out in this shift
  int64_t refund_total = 0;
  std::map<std::string, int64_t> taken_by_method;     // cash, card, mobile, stored_value
  std::map<std::string, int64_t> refunded_by_method;
  int64_t expected_cash = 0;    // opening float + cash taken − cash refunded
};

struct Shift {
  int64_t id = 0;
  int64_t store_id = 0;
  std::string till;
  std::optional<int64_t> staff_id, closed_by;
  std::string staff_name;
  int64_t opened_at = 0;
  int64_t opening_float = 0;
  std::optional<int64_t> closed_at, counted_cash, expected_cash;
  std::string note;
  ShiftReport report;  // filled by GetShift, OpenShift, CloseShift and CurrentShift
  std::optional<int64_t> difference() const {
    if (!counted_cash || !expected_cash) return std::nullopt;
    return *counted_cash - *expected_cash;
  }
};

// Owners, managers and cashiers (staff with a home store: there only). `till` is 1–20 letters,
// digits, '-' or '_' (default "1"); the float 0 … ¥1,000,000.00. Conflict when the till already
// has an open shift. Audited.
Result<Shift> OpenShift(Context& ctx, const Actor& actor, int64_t store_id, const std::string& till,
                        int64_t opening_float);
// Closes with the counted cash (≥ 0); the expected cash and the difference are kept. Conflict
// when already closed. Audited with the difference.
Result<Shift> CloseShift(Context& ctx, const Actor& actor, int64_t shift_id, int64_t counted_cash,
                         const std::string& note);
Result<Shift> GetShift(Context& ctx, int64_t shift_id);
// The open shift of a till, NotFound when there is none.
Result<Shift> CurrentShift(Context& ctx, int64_t store_id, const std::string& till);
// Newest first; reports are left empty in the list.
Result<Page<Shift>> ListShifts(Context& ctx, const PageQuery& page, std::optional<int64_t> store_id, std::optional<bool> open);

}  // namespace shuyou::service
