// Cashier shifts: see shifts.h.
#include "service/shifts.h"

#include <nlohmann/json.hpp>

#include "service/paging.h"

namespace shuyou::service {

namespace {

constexpr int64_t kMaxFloat = 100'000'000;

constexpr const char* kShiftColumns =
    "h.id, h.store_id, h.till, h.staff_id, h.closed_by, h.opened_at, h.opening_float, h.closed_at, h.counted_cash, "
    "h.expected_cash, h.note, COALESCE(NULLIF(st.display_name, ''), st.username, '')";
constexpr const char* kShiftFrom = " FROM shifts h LEFT JOIN staff st ON st.id = h.staff_id";

Shift ShiftFromRow(const store::Row& r) {
  Shift s;
  s.id = r.Int(0);
  s.store_id = r.Int(1);
  s.till = r.Text(2);
  s.staff_id = r.OptInt(3);
  s.closed_by = r.OptInt(4);
  s.opened_at = r.Int(5);
  s.opening_float = r.Int(6);
  s.closed_at = r.OptInt(7);
  s.counted_cash = r.OptInt(8);
  s.expected_cash = r.OptInt(9);
  s.note = r.Text(10);
  s.staff_name = r.Text(11);
  return s;
}

Result<ShiftReport> Report(store::Tx& tx, int64_t shift_id, int64_t opening_float) {
  ShiftReport rep;
  SY_ASSIGN_OR_RETURN(auto sales, tx.Exec("SELECT COUNT(*), COALESCE(SUM(net_total), 0), COALESCE(SUM(discount_total), 0), "
                                          "COALESCE(SUM(points_value), 0), COALESCE(SUM(tax_total), 0) FROM sales "
                                          "WHERE shift_id = ?",
                                          {shift_id}));
  rep.sales_count = sales[0].Int(0);
  rep.sales_total = sales[0].Int(1);
  rep.discount_total = sales[0].Int(2);
  rep.points_value = sales[0].Int(3);
  rep.tax_total = sales[0].Int(4);
  SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT p.method, SUM(p.amount) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                                          "WHERE s.shift_id = ? GROUP BY p.method",
                                          {shift_id}));
  for (const auto& r : taken.rows) rep.taken_by_method[r.Text(0)] = r.Int(1);
  SY_ASSIGN_OR_RETURN(auto rets, tx.Exec("SELECT COUNT(*), COALESCE(SUM(refund_total), 0) FROM sale_returns WHERE shift_id = ?",
                                         {shift_id}));
  rep.returns_count = rets[0].Int(0);
  rep.refund_total = rets[0].Int(1);
  SY_ASSIGN_OR_RETURN(auto refunded, tx.Exec("SELECT p.method, SUM(p.amount) FROM return_payments p JOIN sale_returns r "
                                             "ON r.id = p.return_id WHERE r.shift_id = ? GROUP BY p.method",
                                             {shift_id}));
  for (const auto& r : refunded.rows) rep.refunded_by_method[r.Text(0)] = r.Int(1);
  rep.expected_cash = opening_float + rep.taken_by_method["cash"] - rep.refunded_by_method["cash"];
  if (rep.taken_by_method["cash"] == 0) rep.taken_by_method.erase("cash");
  if (rep.refunded_by_method["cash"] == 0) rep.refunded_by_method.erase("cash");
  return rep;
}

Result<Shift> LoadShift(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kShiftColumns + kShiftFrom + " WHERE h.id = ?", {id}));
  if (rows.empty()) return NotFound("no shift with id " + std::to_string(id));
  Shift s = ShiftFromRow(rows[0]);
  SY_ASSIGN_OR_RETURN(s.report, Report(tx, s.id, s.opening_float));
  return s;
}

Status CheckTillStaff(const Actor& actor, int64_t store_id) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager && actor.role != core::Role::kCashier)
    return Status(Code::kPermissionDenied, "only owners, managers and cashiers run shifts");
  if (actor.role != core::Role::kOwner && actor.home_store_id && *actor.home_store_id != store_id)
    return Status(Code::kPermissionDenied, "you may run shifts only in your home store");
  return Status::Ok();
}

bool ValidTill(const std::string& till) {
  if (till.empty() || till.size() > 20) return false;
  for (char c : till)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

Result<Shift> OpenShift(Context& ctx, const Actor& actor, int64_t store_id, const std::string& till, int64_t opening_float) {
  SY_RETURN_IF_ERROR(CheckTillStaff(actor, store_id));
  std::vector<FieldError> errs;
  if (!ValidTill(till)) errs.push_back({"till", "must be 1–20 letters, digits, '-' or '_'"});
  if (opening_float < 0 || opening_float > kMaxFloat) errs.push_back({"opening_float", "must be 0 to 100000000 (minor units)"});
  if (!errs.empty()) return Invalid("the shift has invalid fields", errs);
  Shift out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto store, tx.Exec("SELECT active FROM stores WHERE id = ?", {store_id}));
    if (store.empty()) return Invalid("no store with id " + std::to_string(store_id), {{"store_id", "no such store"}});
    SY_ASSIGN_OR_RETURN(auto open, tx.Exec("SELECT id FROM shifts WHERE store_id = ? AND till = ? AND closed_at IS NULL",
                                           {store_id, till}));
    if (!open.empty())
      return Status(Code::kConflict, "till " + till + " already has an open shift (" + open[0].Text(0) + "); close it first",
                    {{"till", "has an open shift"}});
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO shifts (store_id, till, staff_id, opened_at, opening_float) "
                                          "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                          {store_id, till, actor.kind == "staff" ? store::Value(actor.id) : store::Null(),
                                           ctx.now(), opening_float}));
    SY_ASSIGN_OR_RETURN(out, LoadShift(tx, ins[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "shift.open", "shift:" + std::to_string(out.id),
                       {{"store_id", store_id}, {"till", till}, {"opening_float", opening_float}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Shift> CloseShift(Context& ctx, const Actor& actor, int64_t shift_id, int64_t counted_cash, const std::string& note) {
  std::vector<FieldError> errs;
  if (counted_cash < 0 || counted_cash > 10 * kMaxFloat) errs.push_back({"counted_cash", "must be 0 or more (minor units)"});
  if (note.size() > 500) errs.push_back({"note", "must be at most 500 characters"});
  if (!errs.empty()) return Invalid("the count has invalid fields", errs);
  Shift out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadShift(tx, shift_id));
    SY_RETURN_IF_ERROR(CheckTillStaff(actor, out.store_id));
    if (out.closed_at) return Status(Code::kConflict, "shift " + std::to_string(shift_id) + " is already closed");
    const int64_t now = ctx.now();
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE shifts SET closed_at = ?, closed_by = ?, counted_cash = ?, expected_cash = ?, "
                                          "note = ? WHERE id = ? AND closed_at IS NULL",
                                          {now, actor.kind == "staff" ? store::Value(actor.id) : store::Null(), counted_cash,
                                           out.report.expected_cash, note, shift_id}));
    if (upd.affected == 0) return Status(Code::kConflict, "shift " + std::to_string(shift_id) + " is already closed");
    SY_ASSIGN_OR_RETURN(out, LoadShift(tx, shift_id));
    return RecordAudit(tx, ctx, actor, "shift.close", "shift:" + std::to_string(shift_id),
                       {{"counted_cash", counted_cash},
                        {"expected_cash", out.report.expected_cash},
                        {"difference", counted_cash - out.report.expected_cash}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Shift> GetShift(Context& ctx, int64_t shift_id) {
  Shift out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadShift(tx, shift_id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Shift> CurrentShift(Context& ctx, int64_t store_id, const std::string& till) {
  Shift out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM shifts WHERE store_id = ? AND till = ? AND closed_at IS NULL",
                                           {store_id, till}));
    if (rows.empty()) return NotFound("till " + till + " has no open shift");
    SY_ASSIGN_OR_RETURN(out, LoadShift(tx, rows[0].Int(0)));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Shift>> ListShifts(Context& ctx, const PageQuery& page, std::optional<int64_t> store_id, std::optional<bool> open) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "h.id", true}}, "-id", "h.id"));
  Page<Shift> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kShiftColumns + kShiftFrom + " WHERE " + ks.where;
    auto params = ks.params;
    if (store_id) {
      sql += " AND h.store_id = ?";
      params.push_back(*store_id);
    }
    if (open) sql += *open ? " AND h.closed_at IS NULL" : " AND h.closed_at IS NOT NULL";
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, 0, 0);
    for (const auto& r : rows.rows) out.items.push_back(ShiftFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
