// Stored value top-ups, spends, refunds and adjustments (see stored_value.h).
#include "service/stored_value.h"

#include <nlohmann/json.hpp>

#include "core/stored_value.h"
#include "service/loyalty.h"

namespace shuyou::service {
namespace {

constexpr core::RoleSet kTill =
    core::Bit(core::Role::kOwner) | core::Bit(core::Role::kManager) | core::Bit(core::Role::kCashier);

bool IsTill(const Actor& a) { return core::Contains(kTill, a.role); }
bool IsManager(const Actor& a) { return a.role == core::Role::kOwner || a.role == core::Role::kManager; }

store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }

// The current program as stored (the newest version), else the built-in default. Read inside
// the caller's transaction so a top-up and the rules it used are one snapshot.
Result<LoyaltyProgram> CurrentProgram(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT version, program FROM loyalty_programs ORDER BY version DESC LIMIT 1"));
  if (rows.empty()) return DefaultLoyaltyProgram();
  auto p = ProgramFromJson(nlohmann::json::parse(rows[0].Text(1), nullptr, false));
  if (!p.ok())
    return Internal("stored loyalty program version " + rows[0].Text(0) + " is unreadable: " + p.status().message());
  return std::move(p).value();
}

Result<core::Currency> ProgramCurrency(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(LoyaltyProgram p, CurrentProgram(tx));
  return p.earning.base_per.currency();
}

// "" or the reason text's problem; `required` refuses blank text.
std::string CheckReason(const std::string& reason, bool required) {
  if (reason.find_first_not_of(' ') == std::string::npos) return required ? "is required" : "";
  return core::CheckText(reason, 200);
}

Status CheckAmount(int64_t amount, int64_t max) {
  if (amount < 1) return Invalid("the amount must be positive", {{"amount", "must be at least 1 (minor units)"}});
  if (amount > max)
    return Invalid("the amount is too large",
                   {{"amount", "must be at most " + std::to_string(max) + " (minor units)"}});
  return Status::Ok();
}

Result<int64_t> Balance(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT stored_value_balance FROM members WHERE id = ?", {member_id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  return rows[0].Int(0);
}

// Adds `delta` to the balance when the result stays ≥ 0 (one conditional UPDATE: under
// concurrency the database admits only changes that still fit). nullopt when it would not.
Result<std::optional<int64_t>> MoveBalance(store::Tx& tx, const Context& ctx, int64_t member_id, int64_t delta) {
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET stored_value_balance = stored_value_balance + ?, "
                                        "updated_at = ? WHERE id = ? AND stored_value_balance + ? >= 0 "
                                        "RETURNING stored_value_balance",
                                        {delta, ctx.now(), member_id, delta}));
  if (upd.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(upd[0].Int(0));
}

// Conflict naming the balance and the shortfall, in the program's currency.
Status Short(store::Tx& tx, int64_t member_id, int64_t wanted) {
  SY_ASSIGN_OR_RETURN(int64_t balance, Balance(tx, member_id));
  SY_ASSIGN_OR_RETURN(core::Currency cur, ProgramCurrency(tx));
  std::string have = core::FormatMoney(core::Money(balance, cur));
  std::string by = core::FormatMoney(core::Money(wanted - balance, cur));
  return Status(Code::kConflict, "stored value balance is " + have + ", short by " + by,
                {{"amount", "exceeds the stored value balance of " + have}});
}

Result<StoredValueEntry> AppendRow(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                   const char* kind, int64_t amount, int64_t balance_after, const std::string& reason,
                                   std::optional<int64_t> sale_id, std::optional<std::string> payment_method) {
  int64_t now = ctx.now();
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO stored_value_ledger (member_id, at, kind, amount, balance_after, "
                                        "reason, staff_id, sale_id, payment_method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                        "RETURNING id",
                                        {member_id, now, std::string(kind), amount, balance_after, reason,
                                         StaffIdOf(actor), sale_id ? store::Value(*sale_id) : store::Null(),
                                         payment_method ? store::Value(*payment_method) : store::Null()}));
  StoredValueEntry e;
  e.id = ins[0].Int(0);
  e.at = now;
  e.kind = kind;
  e.amount = amount;
  e.balance_after = balance_after;
  e.reason = reason;
  if (actor.kind == "staff") {
    e.staff_id = actor.id;
    e.staff_username = actor.name;
  }
  e.sale_id = sale_id;
  e.payment_method = std::move(payment_method);
  return e;
}

std::string Target(int64_t member_id) { return "member:" + std::to_string(member_id); }

nlohmann::json OrNull(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

template <class F>
Result<StoredValueChange> InOwnTransaction(Context& ctx, F&& f) {
  StoredValueChange out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, f(tx));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

std::string CheckTopUpPaymentMethod(std::string_view method) {
  return method == "cash" || method == "card" || method == "mobile" ? "" : "must be one of cash, card, mobile";
}

Result<StoredValueChange> TopUpIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                  int64_t amount, const std::string& payment_method, const std::string& reason) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may take top-ups");
  std::vector<FieldError> errs;
  if (amount < 1) errs.push_back({"amount", "must be at least 1 (minor units)"});
  else if (amount > kMaxTopUp) errs.push_back({"amount", "must be at most " + std::to_string(kMaxTopUp) + " (minor units) per top-up"});
  if (auto m = CheckTopUpPaymentMethod(payment_method); !m.empty()) errs.push_back({"payment_method", m});
  if (auto m = CheckReason(reason, false); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the top-up has invalid fields", errs);

  SY_ASSIGN_OR_RETURN(LoyaltyProgram program, CurrentProgram(tx));
  const core::Currency cur = program.earning.base_per.currency();
  SY_ASSIGN_OR_RETURN(core::TopUpBonus bonus, core::TopUpBonusFor(program.top_up_bonuses, core::Money(amount, cur)));
  const int64_t total = amount + bonus.bonus.minor();
  SY_ASSIGN_OR_RETURN(std::optional<int64_t> after, MoveBalance(tx, ctx, member_id, total));
  if (!after) return NotFound("no member with id " + std::to_string(member_id));
  StoredValueChange out;
  out.balance = *after;
  std::string topup_reason = reason.find_first_not_of(' ') == std::string::npos ? "top-up (" + payment_method + ")" : reason;
  SY_ASSIGN_OR_RETURN(auto topup, AppendRow(tx, ctx, actor, member_id, "topup", amount, *after - bonus.bonus.minor(),
                                            topup_reason, std::nullopt, payment_method));
  out.entries.push_back(std::move(topup));
  if (bonus.bonus.minor() > 0) {
    SY_ASSIGN_OR_RETURN(auto b, AppendRow(tx, ctx, actor, member_id, "bonus", bonus.bonus.minor(), *after,
                                          bonus.explanation, std::nullopt, std::nullopt));
    out.entries.push_back(std::move(b));
  }
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stored_value.topup", Target(member_id),
                                 {{"amount", amount},
                                  {"bonus", bonus.bonus.minor()},
                                  {"bonus_rule", bonus.explanation},
                                  {"payment_method", payment_method},
                                  {"balance_after", *after},
                                  {"ledger_id", out.entries.front().id}}));
  return out;
}

Result<StoredValueChange> TopUp(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                const std::string& payment_method, const std::string& reason) {
  return InOwnTransaction(ctx, [&](store::Tx& tx) { return TopUpIn(tx, ctx, actor, member_id, amount, payment_method, reason); });
}

Result<StoredValueEntry> SpendStoredValue(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                          int64_t amount, std::optional<int64_t> sale_id, const std::string& reason) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may spend stored value");
  SY_RETURN_IF_ERROR(CheckAmount(amount, kMaxStoredValueChange));
  if (auto m = CheckReason(reason, false); !m.empty()) return Invalid("the spend has invalid fields", {{"reason", m}});
  SY_ASSIGN_OR_RETURN(std::optional<int64_t> after, MoveBalance(tx, ctx, member_id, -amount));
  if (!after) return Short(tx, member_id, amount);
  std::string why = reason.find_first_not_of(' ') == std::string::npos
                        ? (sale_id ? "sale " + std::to_string(*sale_id) : std::string("spend"))
                        : reason;
  SY_ASSIGN_OR_RETURN(auto e, AppendRow(tx, ctx, actor, member_id, "spend", -amount, *after, why, sale_id, std::nullopt));
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stored_value.spend", Target(member_id),
                                 {{"amount", amount}, {"sale_id", OrNull(sale_id)}, {"balance_after", *after}, {"ledger_id", e.id}}));
  return e;
}

Result<StoredValueChange> Spend(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                std::optional<int64_t> sale_id, const std::string& reason) {
  return InOwnTransaction(ctx, [&](store::Tx& tx) -> Result<StoredValueChange> {
    SY_ASSIGN_OR_RETURN(auto e, SpendStoredValue(tx, ctx, actor, member_id, amount, sale_id, reason));
    int64_t balance = e.balance_after;
    return StoredValueChange{{std::move(e)}, balance};
  });
}

Result<StoredValueEntry> RefundStoredValue(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                           int64_t amount, std::optional<int64_t> sale_id, const std::string& reason) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may refund stored value");
  SY_RETURN_IF_ERROR(CheckAmount(amount, kMaxStoredValueChange));
  if (auto m = CheckReason(reason, false); !m.empty()) return Invalid("the refund has invalid fields", {{"reason", m}});
  SY_ASSIGN_OR_RETURN(std::optional<int64_t> after, MoveBalance(tx, ctx, member_id, amount));
  if (!after) return NotFound("no member with id " + std::to_string(member_id));
  std::string why = reason.find_first_not_of(' ') == std::string::npos
                        ? (sale_id ? "return of sale " + std::to_string(*sale_id) : std::string("refund"))
                        : reason;
  SY_ASSIGN_OR_RETURN(auto e, AppendRow(tx, ctx, actor, member_id, "refund", amount, *after, why, sale_id, std::nullopt));
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stored_value.refund", Target(member_id),
                                 {{"amount", amount}, {"sale_id", OrNull(sale_id)}, {"balance_after", *after}, {"ledger_id", e.id}}));
  return e;
}

Result<StoredValueChange> AdjustStoredValue(Context& ctx, const Actor& actor, int64_t member_id, int64_t amount,
                                            const std::string& reason) {
  if (!IsManager(actor)) return Status(Code::kPermissionDenied, "only owners and managers may adjust stored value");
  std::vector<FieldError> errs;
  if (amount == 0) errs.push_back({"amount", "must not be zero"});
  else if (amount > kMaxStoredValueChange || amount < -kMaxStoredValueChange)
    errs.push_back({"amount", "must be between -" + std::to_string(kMaxStoredValueChange) + " and " +
                                  std::to_string(kMaxStoredValueChange) + " (minor units)"});
  if (auto m = CheckReason(reason, true); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the adjustment has invalid fields", errs);
  return InOwnTransaction(ctx, [&](store::Tx& tx) -> Result<StoredValueChange> {
    SY_ASSIGN_OR_RETURN(std::optional<int64_t> after, MoveBalance(tx, ctx, member_id, amount));
    if (!after) return Short(tx, member_id, -amount);
    SY_ASSIGN_OR_RETURN(auto e, AppendRow(tx, ctx, actor, member_id, "adjust", amount, *after, reason, std::nullopt, std::nullopt));
    SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stored_value.adjust", Target(member_id),
                                   {{"amount", amount}, {"reason", reason}, {"balance_after", *after}, {"ledger_id", e.id}}));
    int64_t balance = e.balance_after;
    return StoredValueChange{{std::move(e)}, balance};
  });
}

}  // namespace shuyou::service
