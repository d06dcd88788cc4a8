// Earning, redemption, reversal, expiry and birthday points over lots (see points.h).
#include "service/points.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/expiry.h"
#include "core/money.h"
#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/report_feed.h"

namespace shuyou::service {
namespace {

using std::chrono::sys_days;

constexpr int64_t kMaxRedemption = 1'000'000'000;
// Stands for "never lapses" when lots are handed to core (which needs an expiry date).
const core::Date kNever{std::chrono::year{9999}, std::chrono::December, std::chrono::day{31}};

store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }
store::Value Opt(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }
store::Value Opt(const std::optional<std::string>& v) { return v ? store::Value(*v) : store::Null(); }

std::string PointsText(int64_t n) { return std::to_string(n) + (n == 1 || n == -1 ? " point" : " points"); }

// Locks the member's row for the rest of the transaction (PostgreSQL row lock; SQLite has one
// writer, which a write transaction already holds, so a read is enough there: a checkout takes
// this three times and the no-op UPDATE rewrote the row each time) and answers the balance.
Result<int64_t> LockMember(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(tx.engine() == store::Engine::kSqlite
                                             ? "SELECT points_balance FROM members WHERE id = ?"
                                             : "UPDATE members SET points_balance = points_balance WHERE id = ? "
                                               "RETURNING points_balance",
                                         {member_id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  return rows[0].Int(0);
}

struct Lot {
  int64_t id = 0;
  core::Date earned;
  std::optional<std::string> expires_text;
  core::Date expires;  // kNever when expires_text is absent
  int64_t remaining = 0;
};

// The member's lots with points left, in id order; `where` narrows them (" AND …" with params
// after the member's id).
Result<std::vector<Lot>> LoadLots(store::Tx& tx, int64_t member_id, const std::string& where = "",
                                  std::vector<store::Value> params = {}, const std::string& order = "id") {
  params.insert(params.begin(), member_id);
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, earned_on, expires_on, remaining FROM points_lots "
                                         "WHERE member_id = ? AND remaining > 0" + where + " ORDER BY " + order,
                                         params));
  std::vector<Lot> out;
  for (const auto& r : rows.rows) {
    Lot l;
    l.id = r.Int(0);
    SY_ASSIGN_OR_RETURN(l.earned, ParseDay(r.Text(1)));
    l.expires_text = r.OptText(2);
    l.expires = kNever;
    if (l.expires_text) {
      SY_ASSIGN_OR_RETURN(l.expires, ParseDay(*l.expires_text));
    }
    l.remaining = r.Int(3);
    out.push_back(std::move(l));
  }
  return out;
}

Result<int64_t> ExpiryMonths(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
  return sp.program.points_expiry_months;
}

Result<std::string> ExpiresOn(core::Date earned, int64_t months) {
  SY_ASSIGN_OR_RETURN(core::Date d, core::AddMonths(earned, int(months)));
  return FormatDay(d);
}

Status OpenLot(store::Tx& tx, int64_t member_id, int64_t ledger_id, std::optional<int64_t> sale_id, core::Date earned,
               const std::optional<std::string>& expires_on, int64_t points) {
  return tx.Exec("INSERT INTO points_lots (member_id, ledger_id, sale_id, earned_on, expires_on, points, remaining) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {member_id, ledger_id, Opt(sale_id), FormatDay(earned), Opt(expires_on), points, points})
      .status();
}

// Takes `points` for debit row `ledger_id` from the lots usable on `day`: first from `preferred`
// lots (in their FIFO order), then soonest expiring first (core::Redeem). Conflict when the
// usable lots hold less.
// Without preferred lots, the draw reads the member's usable lots in core::ReplayLots' order
// (soonest expiry, then earliest earned, then id; lots that never expire last) only as far as it
// needs them: a member with hundreds of lots reads a few. It returns false when these lots do
// not hold `points`, and DrawLots then works on all of them (and says what is usable).
constexpr int64_t kDrawPage = 8;
Status DrawAll(store::Tx& tx, int64_t member_id, core::Date day, int64_t points, const std::vector<int64_t>& preferred,
               std::map<int64_t, int64_t>& take);
Result<bool> DrawInOrder(store::Tx& tx, int64_t member_id, core::Date day, int64_t points,
                         std::map<int64_t, int64_t>& take) {
  const std::string d = FormatDay(day);
  SY_ASSIGN_OR_RETURN(std::vector<Lot> expiring,
                      LoadLots(tx, member_id, " AND earned_on <= ? AND expires_on > ?", {d, d},
                               "expires_on, earned_on, id LIMIT " + std::to_string(kDrawPage)));
  int64_t need = points;
  for (const Lot& l : expiring) {
    int64_t t = std::min(need, l.remaining);
    take[l.id] += t;
    need -= t;
    if (need == 0) return true;
  }
  if (int64_t(expiring.size()) == kDrawPage) return false;
  SY_ASSIGN_OR_RETURN(std::vector<Lot> lasting,
                      LoadLots(tx, member_id, " AND earned_on <= ? AND expires_on IS NULL", {d}, "earned_on, id"));
  for (const Lot& l : lasting) {
    int64_t t = std::min(need, l.remaining);
    take[l.id] += t;
    need -= t;
    if (need == 0) return true;
  }
  return false;
}

Status DrawLots(store::Tx& tx, int64_t member_id, int64_t ledger_id, core::Date day, int64_t points,
                const std::vector<int64_t>& preferred = {}) {
  std::map<int64_t, int64_t> take;  // lot id → points
  bool drawn = false;
  if (preferred.empty()) {
    SY_ASSIGN_OR_RETURN(drawn, DrawInOrder(tx, member_id, day, points, take));
    if (!drawn) take.clear();
  }
  if (!drawn) SY_RETURN_IF_ERROR(DrawAll(tx, member_id, day, points, preferred, take));
  for (const auto& [lot, n] : take) {
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE points_lots SET remaining = remaining - ? WHERE id = ? AND remaining >= ?",
                                          {n, lot, n}));
    if (upd.affected != 1) return Internal("points lot " + std::to_string(lot) + " changed under a member lock");
    SY_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO points_draws (ledger_id, lot_id, points) VALUES (?, ?, ?)", {ledger_id, lot, n}).status());
  }
  return Status::Ok();
}

// The draw over all the member's lots: preferred lots first, then core::Redeem.
Status DrawAll(store::Tx& tx, int64_t member_id, core::Date day, int64_t points, const std::vector<int64_t>& preferred,
               std::map<int64_t, int64_t>& take) {
  SY_ASSIGN_OR_RETURN(std::vector<Lot> lots, LoadLots(tx, member_id));
  auto usable = [&day](const Lot& l) {
    return sys_days(l.earned) <= sys_days(day) && sys_days(day) < sys_days(l.expires);
  };
  int64_t need = points;
  if (!preferred.empty()) {
    std::vector<size_t> order;
    for (size_t i = 0; i < lots.size(); ++i)
      if (std::find(preferred.begin(), preferred.end(), lots[i].id) != preferred.end() && usable(lots[i]))
        order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&lots](size_t a, size_t b) { return sys_days(lots[a].expires) < sys_days(lots[b].expires); });
    for (size_t i : order) {
      int64_t t = std::min(need, lots[i].remaining);
      if (t <= 0) break;
      take[lots[i].id] += t;
      lots[i].remaining -= t;
      need -= t;
    }
  }
  if (need > 0) {
    std::vector<core::EarnLot> core_lots;
    std::vector<int64_t> ids;
    for (const Lot& l : lots) {
      if (l.remaining <= 0) continue;
      core_lots.push_back({l.earned, l.remaining, l.expires});
      ids.push_back(l.id);
    }
    auto draws = core::Redeem(core_lots, {}, day, need);
    if (!draws.ok()) {
      int64_t avail = 0;
      for (const Lot& l : lots)
        if (usable(l)) avail += l.remaining;
      return Status(Code::kConflict, "only " + PointsText(avail) + " are usable on " + FormatDay(day),
                    {{"points", "exceeds the usable balance (" + std::to_string(avail) + ")"}});
    }
    for (const core::Draw& d : *draws) take[ids[d.lot]] += d.points;
  }
  return Status::Ok();
}

struct LedgerRow {
  std::string kind;
  int64_t points = 0;  // signed
  std::string reason;
  std::optional<int64_t> sale_id;
  std::optional<std::string> expires_on;
};

// Adds a credit: balance, ledger row, lot. The member must be locked.
Result<PointsEntry> WriteCredit(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                const LedgerRow& row, core::Date day) {
  int64_t now = ctx.now();
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET points_balance = points_balance + ?, updated_at = ? "
                                        "WHERE id = ? RETURNING points_balance",
                                        {row.points, now, member_id}));
  if (upd.empty()) return NotFound("no member with id " + std::to_string(member_id));
  int64_t balance = upd[0].Int(0);
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason, "
                                        "staff_id, sale_id, expires_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                        {member_id, now, row.kind, row.points, balance, row.reason, StaffIdOf(actor),
                                         Opt(row.sale_id), Opt(row.expires_on)}));
  int64_t id = ins[0].Int(0);
  SY_RETURN_IF_ERROR(FeedLedgerAtCommit(tx, ctx, id));
  SY_RETURN_IF_ERROR(OpenLot(tx, member_id, id, row.sale_id, day, row.expires_on, row.points));
  return PointsEntry{id, now, row.kind, row.points, balance, row.reason,
                     actor.kind == "staff" ? std::optional<int64_t>(actor.id) : std::nullopt,
                     actor.kind == "staff" ? actor.name : "", row.sale_id, row.expires_on};
}

// Takes a debit of -row.points (> 0): conditional balance update, ledger row, draws. Conflict
// when the balance is short. The member must be locked and due lots lapsed.
Result<PointsEntry> WriteDebit(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id, const LedgerRow& row,
                               core::Date day, const std::vector<int64_t>& preferred = {}) {
  int64_t now = ctx.now();
  int64_t take = -row.points;
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET points_balance = points_balance - ?, updated_at = ? "
                                        "WHERE id = ? AND points_balance >= ? RETURNING points_balance",
                                        {take, now, member_id, take}));
  if (upd.empty()) {
    SY_ASSIGN_OR_RETURN(int64_t balance, LockMember(tx, member_id));
    return Status(Code::kConflict,
                  "cannot take " + PointsText(take) + ": the balance is " + std::to_string(balance),
                  {{"points", "exceeds the balance (" + std::to_string(balance) + ")"}});
  }
  int64_t balance = upd[0].Int(0);
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason, "
                                        "staff_id, sale_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                        {member_id, now, row.kind, row.points, balance, row.reason, StaffIdOf(actor),
                                         Opt(row.sale_id)}));
  int64_t id = ins[0].Int(0);
  SY_RETURN_IF_ERROR(FeedLedgerAtCommit(tx, ctx, id));
  SY_RETURN_IF_ERROR(DrawLots(tx, member_id, id, day, take, preferred));
  return PointsEntry{id, now, row.kind, row.points, balance, row.reason,
                     actor.kind == "staff" ? std::optional<int64_t>(actor.id) : std::nullopt,
                     actor.kind == "staff" ? actor.name : "", row.sale_id, std::nullopt};
}

Actor SystemActor() {
  Actor a;
  a.kind = "system";
  a.name = "jobs";
  return a;
}

// One line per rule that gave points: "base +86 (1 point per ¥1.00 on ¥86.00)".
std::string ExplainEarning(const core::EarnResult& r) {
  std::string out = "purchase:";
  bool first = true;
  for (const auto& l : r.lines) {
    if (l.points == 0) continue;
    out += first ? " " : "; ";
    first = false;
    out += l.rule + " " + (l.points > 0 ? "+" : "") + std::to_string(l.points) + " (" + l.detail + ")";
  }
  return out;
}

template <class T, class Fn>
Result<T> InWrite(Context& ctx, Fn fn) {
  T out{};
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, fn(tx));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

Result<int64_t> ExpireDuePoints(store::Tx& tx, const Context& ctx, int64_t member_id, core::Date day) {
  auto locked = LockMember(tx, member_id);
  if (!locked.ok()) return locked.status().code() == Code::kNotFound ? Result<int64_t>(int64_t(0)) : locked.status();
  // Only the lots that have lapsed by the end of `day` (expires_on ≤ day) change.
  SY_ASSIGN_OR_RETURN(std::vector<Lot> lots, LoadLots(tx, member_id, " AND expires_on <= ?", {FormatDay(day)}));
  std::vector<core::EarnLot> core_lots;
  for (const Lot& l : lots) core_lots.push_back({l.earned, l.remaining, l.expires});
  // What is left of each lot at the end of `day`: lots with expires_on ≤ day have lapsed.
  SY_ASSIGN_OR_RETURN(core::LotState state, core::ReplayLots(core_lots, {}, day));
  int64_t lapsed = 0;
  std::string first, last;
  for (size_t i = 0; i < lots.size(); ++i) {
    if (state.lapsed[i] == 0) continue;
    lapsed += state.lapsed[i];
    std::string e = FormatDay(lots[i].earned);
    if (first.empty() || e < first) first = e;
    if (last.empty() || e > last) last = e;
  }
  if (lapsed == 0) return int64_t(0);
  std::string earned = first == last ? "earned " + first : "earned " + first + " to " + last;
  std::string reason = PointsText(lapsed) + " " + earned + " expired (as of " + FormatDay(day) + ")";
  // The expire row draws exactly the lapsed remainders (not FIFO: lapsed lots are no longer usable).
  int64_t now = ctx.now();
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE members SET points_balance = points_balance - ?, updated_at = ? "
                                        "WHERE id = ? AND points_balance >= ? RETURNING points_balance",
                                        {lapsed, now, member_id, lapsed}));
  if (upd.empty()) return Internal("member " + std::to_string(member_id) + ": lots hold more than the balance");
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO points_ledger (member_id, at, kind, points, balance_after, reason) "
                                        "VALUES (?, ?, 'expire', ?, ?, ?) RETURNING id",
                                        {member_id, now, -lapsed, upd[0].Int(0), reason}));
  int64_t ledger_id = ins[0].Int(0);
  SY_RETURN_IF_ERROR(FeedPoints(tx, ctx, now, "expire", -lapsed));
  for (size_t i = 0; i < lots.size(); ++i) {
    if (state.lapsed[i] == 0) continue;
    SY_ASSIGN_OR_RETURN(auto u, tx.Exec("UPDATE points_lots SET remaining = remaining - ? WHERE id = ? AND remaining >= ?",
                                        {state.lapsed[i], lots[i].id, state.lapsed[i]}));
    if (u.affected != 1) return Internal("points lot " + std::to_string(lots[i].id) + " changed under a member lock");
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO points_draws (ledger_id, lot_id, points) VALUES (?, ?, ?)",
                               {ledger_id, lots[i].id, state.lapsed[i]})
                           .status());
  }
  return lapsed;
}

Status ExpireDueBeforeDebit(store::Tx& tx, const Context& ctx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(core::Date today, Today(ctx));
  return ExpireDuePoints(tx, ctx, member_id, today).status();
}

void ApplyClubMultiplier(core::EarnResult& earned, int64_t pct, const std::string& club) {
  if (pct <= 100 || earned.points <= 0) return;
  int64_t extra = earned.points * (pct - 100) / 100;
  std::string times = std::to_string(pct / 100);
  if (pct % 100 != 0) {
    std::string frac = std::to_string(100 + pct % 100).substr(1);
    if (frac.back() == '0') frac.pop_back();
    times += "." + frac;
  }
  earned.lines.push_back({"club:" + club, "×" + times + " on " + std::to_string(earned.points) + " points", extra});
  earned.points += extra;
}

Result<Earning> EarnForPurchase(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                const Purchase& p) {
  SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
  const LoyaltyProgram& prog = sp.program;
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, p.at));
  SY_ASSIGN_OR_RETURN(int64_t balance, LockMember(tx, member_id));
  SY_ASSIGN_OR_RETURN(auto mrows, tx.Exec("SELECT tier, birthday, visits FROM members WHERE id = ?", {member_id}));
  core::MemberFacts facts;
  facts.tier = mrows[0].Text(0);
  bool known_tier = false;
  for (const auto& t : prog.earning.tiers) known_tier = known_tier || t.name == facts.tier;
  if (!known_tier) facts.tier = "";  // a tier the program no longer has earns no tier multiplier
  if (auto b = mrows[0].OptText(1)) {
    if (auto d = ParseDay(*b); d.ok()) facts.birth_month = d->month();
  }
  facts.first_purchase = p.first_purchase.value_or(mrows[0].Int(2) == 0);
  core::Basket basket;
  for (const auto& l : p.lines) basket.push_back({l.genre, core::Money(l.amount, prog.earning.base_per.currency())});
  SY_ASSIGN_OR_RETURN(core::EarnResult earned, core::EarnPoints(prog.earning, basket, facts, day));
  ApplyClubMultiplier(earned, p.club_points_pct, p.club);
  Earning out;
  out.explained = earned;
  out.balance = balance;
  if (earned.points == 0) return out;
  SY_ASSIGN_OR_RETURN(std::string expires, ExpiresOn(day, prog.points_expiry_months));
  SY_ASSIGN_OR_RETURN(PointsEntry e, WriteCredit(tx, ctx, actor, member_id,
                                                 {"earn", earned.points, ExplainEarning(earned), p.sale_id, expires}, day));
  out.balance = e.balance_after;
  out.entry = std::move(e);
  return out;
}

Result<Earning> EarnForPurchase(Context& ctx, const Actor& actor, int64_t member_id, const Purchase& p) {
  return InWrite<Earning>(ctx, [&](store::Tx& tx) -> Result<Earning> {
    SY_ASSIGN_OR_RETURN(Earning e, EarnForPurchase(tx, ctx, actor, member_id, p));
    if (e.entry) {
      SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.points.earn", "member:" + std::to_string(member_id),
                                     {{"points", e.entry->points}, {"ledger_id", e.entry->id},
                                      {"sale_id", p.sale_id ? nlohmann::json(*p.sale_id) : nlohmann::json()}}));
    }
    return e;
  });
}

Status GrantSignUpBonus(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
  SY_ASSIGN_OR_RETURN(core::EarnResult bonus, core::SignUpPoints(sp.program.earning));
  if (bonus.points <= 0) return Status::Ok();
  SY_ASSIGN_OR_RETURN(core::Date day, Today(ctx));
  SY_RETURN_IF_ERROR(LockMember(tx, member_id).status());
  SY_ASSIGN_OR_RETURN(std::string expires, ExpiresOn(day, sp.program.points_expiry_months));
  std::string reason = "sign_up +" + std::to_string(bonus.points) + " (sign-up bonus)";
  return WriteCredit(tx, ctx, actor, member_id, {"earn", bonus.points, reason, std::nullopt, expires}, day).status();
}

Result<Adjustment> RedeemPoints(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                                int64_t points, const std::string& reason, std::optional<int64_t> sale_id) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager && actor.role != core::Role::kCashier)
    return Status(Code::kPermissionDenied, "only owners, managers and cashiers may redeem points");
  std::vector<FieldError> errs;
  if (points <= 0) errs.push_back({"points", "must be positive"});
  else if (points > kMaxRedemption) errs.push_back({"points", "must be at most 1000000000"});
  if (reason.find_first_not_of(' ') == std::string::npos) errs.push_back({"reason", "is required"});
  else if (auto m = core::CheckText(reason, 200); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the redemption has invalid fields", errs);
  SY_ASSIGN_OR_RETURN(core::Date day, Today(ctx));
  SY_RETURN_IF_ERROR(LockMember(tx, member_id).status());
  SY_RETURN_IF_ERROR(ExpireDuePoints(tx, ctx, member_id, day).status());
  auto e = WriteDebit(tx, ctx, actor, member_id, {"redeem", -points, reason, sale_id, std::nullopt}, day);
  if (!e.ok()) {
    if (e.status().code() != Code::kConflict) return e.status();
    SY_ASSIGN_OR_RETURN(int64_t balance, LockMember(tx, member_id));
    return Status(Code::kConflict,
                  "cannot redeem " + PointsText(points) + ": the member has only " + PointsText(balance),
                  {{"points", "exceeds the balance (" + std::to_string(balance) + ")"}});
  }
  Adjustment out{*e, e->balance_after};
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.points.redeem", "member:" + std::to_string(member_id),
                                 {{"points", points}, {"balance_after", out.balance}, {"reason", reason},
                                  {"ledger_id", out.entry.id},
                                  {"sale_id", sale_id ? nlohmann::json(*sale_id) : nlohmann::json()}}));
  return out;
}

Result<Adjustment> RedeemPoints(Context& ctx, const Actor& actor, int64_t member_id, int64_t points,
                                const std::string& reason, std::optional<int64_t> sale_id) {
  return InWrite<Adjustment>(
      ctx, [&](store::Tx& tx) { return RedeemPoints(tx, ctx, actor, member_id, points, reason, sale_id); });
}

Result<Reversal> ReversePoints(store::Tx& tx, const Context& ctx, const Actor& actor, const ReverseTarget& target,
                               Proportion prop) {
  if (target.sale_id.has_value() == target.entry_id.has_value())
    return Invalid("name either a sale or a ledger entry to reverse");
  if (prop.of <= 0 || prop.returned < 0 || prop.returned > prop.of)
    return Invalid("the returned proportion must be 0 ≤ returned ≤ of, of > 0",
                   {{"proportion", "must be 0 ≤ returned ≤ of with of > 0"}});
  std::string key = target.sale_id ? "sale:" + std::to_string(*target.sale_id) : "entry:" + std::to_string(*target.entry_id);
  SY_ASSIGN_OR_RETURN(auto rows,
                      tx.Exec(target.sale_id ? "SELECT id, member_id, kind, points FROM points_ledger WHERE sale_id = ? "
                                               "AND kind IN ('earn', 'redeem') ORDER BY id"
                                             : "SELECT id, member_id, kind, points FROM points_ledger WHERE id = ? "
                                               "AND kind IN ('earn', 'redeem')",
                              {target.sale_id ? *target.sale_id : *target.entry_id}));
  if (rows.empty()) return NotFound("no earned or redeemed points for " + key);
  int64_t member_id = rows[0].Int(1);
  int64_t earned = 0, redeemed = 0;
  std::vector<int64_t> earn_rows, redeem_rows;
  for (const auto& r : rows.rows) {
    if (r.Int(1) != member_id) return Internal(key + " has points rows of several members");
    if (r.Text(2) == "earn") {
      earned += r.Int(3);
      earn_rows.push_back(r.Int(0));
    } else {
      redeemed += -r.Int(3);
      redeem_rows.push_back(r.Int(0));
    }
  }
  SY_ASSIGN_OR_RETURN(core::Date day, Today(ctx));
  SY_RETURN_IF_ERROR(LockMember(tx, member_id).status());
  SY_ASSIGN_OR_RETURN(auto before, tx.Exec("SELECT COALESCE(SUM(earned_due), 0), COALESCE(SUM(redeemed_given), 0) FROM points_reversals WHERE target = ?",
                                           {key}));
  int64_t due_before = before[0].Int(0), given_before = before[0].Int(1);
  // 128-bit products: points up to 10^12 times amounts up to 10^12.
  auto floor_share = [&](int64_t total) { return int64_t((__int128(total) * prop.returned) / prop.of); };
  auto ceil_share = [&](int64_t total) { return int64_t((__int128(total) * prop.returned + prop.of - 1) / prop.of); };
  int64_t due_now = std::max<int64_t>(0, floor_share(earned) - due_before);
  int64_t give_now = std::max<int64_t>(0, ceil_share(redeemed) - given_before);

  Reversal out;
  SY_RETURN_IF_ERROR(ExpireDuePoints(tx, ctx, member_id, day).status());
  SY_ASSIGN_OR_RETURN(int64_t balance, LockMember(tx, member_id));
  out.balance = balance;
  std::string proportion = std::to_string(prop.returned) + "/" + std::to_string(prop.of);
  if (due_now > 0) {
    out.taken_back = std::min(due_now, balance);
    out.shortfall = due_now - out.taken_back;
    if (out.taken_back > 0) {
      std::string reason = "return of " + key + " (" + proportion + " returned): earned points taken back";
      if (out.shortfall > 0)
        reason += "; " + PointsText(out.shortfall) + " already spent could not be taken back";
      std::vector<int64_t> own_lots;
      for (int64_t ledger : earn_rows) {
        SY_ASSIGN_OR_RETURN(auto l, tx.Exec("SELECT id FROM points_lots WHERE ledger_id = ?", {ledger}));
        for (const auto& r : l.rows) own_lots.push_back(r.Int(0));
      }
      SY_ASSIGN_OR_RETURN(PointsEntry e, WriteDebit(tx, ctx, actor, member_id,
                                                    {"reverse", -out.taken_back, reason, target.sale_id, std::nullopt},
                                                    day, own_lots));
      out.balance = e.balance_after;
      out.entries.push_back(std::move(e));
    }
  }
  if (give_now > 0) {
    // Expire as the latest lot the redemption drew from, unless that day has passed.
    std::optional<std::string> expires;
    bool never = false;
    for (int64_t ledger : redeem_rows) {
      SY_ASSIGN_OR_RETURN(auto l, tx.Exec("SELECT l.expires_on FROM points_draws d JOIN points_lots l ON l.id = d.lot_id "
                                          "WHERE d.ledger_id = ?",
                                          {ledger}));
      for (const auto& r : l.rows) {
        auto e = r.OptText(0);
        if (!e) never = true;
        else if (!expires || *e > *expires) expires = e;
      }
    }
    if (never) expires.reset();
    else if (!expires || *expires <= FormatDay(day)) {
      SY_ASSIGN_OR_RETURN(int64_t months, ExpiryMonths(tx));
      SY_ASSIGN_OR_RETURN(std::string e, ExpiresOn(day, months));
      expires = e;
    }
    std::string reason = "return of " + key + " (" + proportion + " returned): redeemed points given back";
    SY_ASSIGN_OR_RETURN(PointsEntry e,
                        WriteCredit(tx, ctx, actor, member_id, {"reverse", give_now, reason, target.sale_id, expires}, day));
    out.given_back = give_now;
    out.balance = e.balance_after;
    out.entries.push_back(std::move(e));
  }
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO points_reversals (target, member_id, at, returned, of_total, earned_due, "
                             "earned_taken, redeemed_given) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             {key, member_id, ctx.now(), prop.returned, prop.of, due_now, out.taken_back, give_now})
                         .status());
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.points.reverse", "member:" + std::to_string(member_id),
                                 {{"target", key}, {"returned", prop.returned}, {"of", prop.of},
                                  {"taken_back", out.taken_back}, {"shortfall", out.shortfall},
                                  {"given_back", out.given_back}}));
  return out;
}

Result<Reversal> ReversePoints(Context& ctx, const Actor& actor, const ReverseTarget& target, Proportion proportion) {
  return InWrite<Reversal>(ctx, [&](store::Tx& tx) { return ReversePoints(tx, ctx, actor, target, proportion); });
}

Result<int64_t> GrantBirthdayBonus(store::Tx& tx, const Context& ctx, int64_t member_id, core::Date day) {
  SY_ASSIGN_OR_RETURN(StoredProgram sp, GetLoyaltyProgram(tx));
  int64_t bonus = sp.program.birthday_bonus_points;
  if (bonus <= 0) return int64_t(0);
  SY_RETURN_IF_ERROR(LockMember(tx, member_id).status());
  int64_t year = int(day.year());
  SY_ASSIGN_OR_RETURN(auto done, tx.Exec("SELECT 1 FROM birthday_bonuses WHERE member_id = ? AND year = ?",
                                         {member_id, year}));
  if (!done.empty()) return int64_t(0);
  SY_ASSIGN_OR_RETURN(std::string expires, ExpiresOn(day, sp.program.points_expiry_months));
  std::string reason = "birthday +" + std::to_string(bonus) + " (birthday bonus " + std::to_string(year) + ")";
  SY_ASSIGN_OR_RETURN(PointsEntry e,
                      WriteCredit(tx, ctx, SystemActor(), member_id, {"earn", bonus, reason, std::nullopt, expires}, day));
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO birthday_bonuses (member_id, year, ledger_id) VALUES (?, ?, ?)",
                             {member_id, year, e.id})
                         .status());
  return bonus;
}

Result<std::optional<std::string>> ApplyAdjustmentToLots(store::Tx& tx, const Context& ctx, int64_t member_id,
                                                         int64_t ledger_id, int64_t points, int64_t at) {
  SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, at));
  if (points < 0) {
    SY_RETURN_IF_ERROR(DrawLots(tx, member_id, ledger_id, day, -points));
    return std::optional<std::string>();
  }
  SY_ASSIGN_OR_RETURN(int64_t months, ExpiryMonths(tx));
  SY_ASSIGN_OR_RETURN(std::string expires, ExpiresOn(day, months));
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE points_ledger SET expires_on = ? WHERE id = ?", {expires, ledger_id}).status());
  SY_RETURN_IF_ERROR(OpenLot(tx, member_id, ledger_id, std::nullopt, day, expires, points));
  return std::optional<std::string>(expires);
}

}  // namespace shuyou::service
