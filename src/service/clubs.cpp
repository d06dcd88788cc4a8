// Paid membership clubs (see clubs.h).
#include "service/clubs.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/expiry.h"
#include "service/business_day.h"
#include "service/stored_value.h"

namespace shuyou::service {
namespace {

constexpr const char* kClubColumns =
    "c.id, c.name, c.annual_fee, c.duration_months, c.discount_percent, c.points_percent, c.active, c.created_at, "
    "c.updated_at";
constexpr int64_t kMaxFee = 100'000'000;

Club ClubFromRow(const store::Row& r, size_t o = 0) {
  Club c;
  c.id = r.Int(o + 0);
  c.name = r.Text(o + 1);
  c.annual_fee = r.Int(o + 2);
  c.duration_months = r.Int(o + 3);
  c.discount_percent = r.Int(o + 4);
  c.points_percent = r.Int(o + 5);
  c.active = r.Int(o + 6) != 0;
  c.created_at = r.Int(o + 7);
  c.updated_at = r.Int(o + 8);
  return c;
}

bool IsOwner(const Actor& a) { return a.role == core::Role::kOwner; }
bool IsTill(const Actor& a) {
  return a.role == core::Role::kOwner || a.role == core::Role::kManager || a.role == core::Role::kCashier;
}
store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }

Result<Club> LoadClub(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kClubColumns + " FROM clubs c WHERE c.id = ?", {id}));
  if (rows.empty()) return NotFound("no club with id " + std::to_string(id));
  return ClubFromRow(rows[0]);
}

void CheckRange(std::vector<FieldError>& errs, const char* field, const std::optional<int64_t>& v, int64_t lo,
                int64_t hi) {
  if (v && (*v < lo || *v > hi))
    errs.push_back({field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi)});
}

Status CheckClubInput(const ClubInput& in, bool creating) {
  std::vector<FieldError> errs;
  if (creating && !in.name) errs.push_back({"name", "is required"});
  if (in.name) {
    if (in.name->find_first_not_of(' ') == std::string::npos) errs.push_back({"name", "must not be blank"});
    else if (auto m = core::CheckText(*in.name, 64); !m.empty()) errs.push_back({"name", m});
  }
  if (creating && !in.annual_fee) errs.push_back({"annual_fee", "is required"});
  CheckRange(errs, "annual_fee", in.annual_fee, 0, kMaxFee);
  CheckRange(errs, "duration_months", in.duration_months, 1, 120);
  CheckRange(errs, "discount_percent", in.discount_percent, 0, 90);
  CheckRange(errs, "points_percent", in.points_percent, 100, 1000);
  if (!errs.empty()) return Invalid("the club has invalid fields", errs);
  return Status::Ok();
}

Status NameTaken(const std::string& name) {
  return Status(Code::kConflict, "a club named " + name + " already exists", {{"name", "is already taken"}});
}

nlohmann::json ClubAudit(const Club& c) {
  return {{"name", c.name},
          {"annual_fee", c.annual_fee},
          {"duration_months", c.duration_months},
          {"discount_percent", c.discount_percent},
          {"points_percent", c.points_percent},
          {"active", c.active}};
}

core::Date PlusDays(core::Date d, int n) {
  return core::Date{std::chrono::sys_days(d) + std::chrono::days(n)};
}

int64_t DaysBetween(core::Date from, core::Date to) {
  return (std::chrono::sys_days(to) - std::chrono::sys_days(from)).count();
}

constexpr const char* kMembershipSelect =
    "SELECT m.id, m.member_id, m.started_on, m.ends_on, c.id, c.name, c.annual_fee, c.duration_months, "
    "c.discount_percent, c.points_percent, c.active, c.created_at, c.updated_at "
    "FROM club_memberships m JOIN clubs c ON c.id = m.club_id ";

ClubMembership MembershipFromRow(const store::Row& r, core::Date today) {
  ClubMembership m;
  m.id = r.Int(0);
  m.member_id = r.Int(1);
  m.started_on = r.Text(2);
  m.ends_on = r.Text(3);
  m.club = ClubFromRow(r, 4);
  auto start = ParseDay(m.started_on), end = ParseDay(m.ends_on);
  bool active = start.ok() && end.ok() && *start <= today && today <= *end;
  m.status = active ? "active" : "expired";
  m.days_left = active ? DaysBetween(today, *end) + 1 : 0;
  return m;
}

constexpr const char* kPaymentSelect =
    "SELECT p.id, p.kind, p.at, p.amount, p.payment_method, p.period_start, p.period_end, p.stored_value_ledger_id, "
    "s.username FROM club_payments p LEFT JOIN staff s ON s.id = p.staff_id ";

ClubPayment PaymentFromRow(const store::Row& r) {
  return ClubPayment{r.Int(0), r.Text(1), r.Int(2), r.Int(3), r.Text(4),
                     r.Text(5), r.Text(6), r.OptInt(7), r.Text(8)};
}

}  // namespace

Result<std::vector<Club>> ListClubs(Context& ctx) {
  std::vector<Club> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kClubColumns + " FROM clubs c ORDER BY c.active DESC, c.name, c.id"));
    for (const auto& r : rows.rows) out.push_back(ClubFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Club> GetClub(Context& ctx, int64_t id) {
  Club out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadClub(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Club> CreateClub(Context& ctx, const Actor& actor, const ClubInput& in) {
  if (!IsOwner(actor)) return Status(Code::kPermissionDenied, "only owners may define clubs");
  SY_RETURN_IF_ERROR(CheckClubInput(in, true));
  Club out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    auto r = tx.Exec("INSERT INTO clubs (name, annual_fee, duration_months, discount_percent, points_percent, active, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     {*in.name, *in.annual_fee, in.duration_months.value_or(12), in.discount_percent.value_or(0),
                      in.points_percent.value_or(100), int64_t(in.active.value_or(true)), now, now});
    if (!r.ok() && r.status().code() == Code::kConflict) return NameTaken(*in.name);
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadClub(tx, r->rows[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "club.create", "club:" + std::to_string(out.id), ClubAudit(out));
  });
  if (!st.ok()) return st;
  return out;
}

Result<Club> UpdateClub(Context& ctx, const Actor& actor, int64_t id, const ClubInput& in) {
  if (!IsOwner(actor)) return Status(Code::kPermissionDenied, "only owners may change clubs");
  SY_RETURN_IF_ERROR(CheckClubInput(in, false));
  Club out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Club cur, LoadClub(tx, id));
    Club next = cur;
    if (in.name) next.name = *in.name;
    if (in.annual_fee) next.annual_fee = *in.annual_fee;
    if (in.duration_months) next.duration_months = *in.duration_months;
    if (in.discount_percent) next.discount_percent = *in.discount_percent;
    if (in.points_percent) next.points_percent = *in.points_percent;
    if (in.active) next.active = *in.active;
    auto r = tx.Exec("UPDATE clubs SET name = ?, annual_fee = ?, duration_months = ?, discount_percent = ?, "
                     "points_percent = ?, active = ?, updated_at = ? WHERE id = ?",
                     {next.name, next.annual_fee, next.duration_months, next.discount_percent, next.points_percent,
                      int64_t(next.active), ctx.now(), id});
    if (!r.ok() && r.status().code() == Code::kConflict) return NameTaken(next.name);
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadClub(tx, id));
    return RecordAudit(tx, ctx, actor, "club.update", "club:" + std::to_string(id),
                       {{"before", ClubAudit(cur)}, {"after", ClubAudit(out)}});
  });
  if (!st.ok()) return st;
  return out;
}

Status DeleteClub(Context& ctx, const Actor& actor, int64_t id) {
  if (!IsOwner(actor)) return Status(Code::kPermissionDenied, "only owners may delete clubs");
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Club cur, LoadClub(tx, id));
    SY_ASSIGN_OR_RETURN(auto used, tx.Exec("SELECT COUNT(*) FROM club_memberships WHERE club_id = ?", {id}));
    if (used[0].Int(0) > 0)
      return Conflict("club " + cur.name + " has " + used[0].Text(0) +
                      " membership(s) on record; deactivate it instead of deleting it");
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM clubs WHERE id = ?", {id}).status());
    return RecordAudit(tx, ctx, actor, "club.delete", "club:" + std::to_string(id), ClubAudit(cur));
  });
}

Result<ClubJoin> JoinClubIn(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                            int64_t club_id, const std::string& payment_method) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may sell club memberships");
  if (payment_method != "stored_value")
    if (auto m = CheckTopUpPaymentMethod(payment_method); !m.empty())
      return Invalid("the payment method is invalid", {{"payment_method", "must be one of cash, card, mobile, stored_value"}});
  SY_ASSIGN_OR_RETURN(auto member, tx.Exec("SELECT id FROM members WHERE id = ?", {member_id}));
  if (member.empty()) return NotFound("no member with id " + std::to_string(member_id));
  SY_ASSIGN_OR_RETURN(Club club, LoadClub(tx, club_id));
  if (!club.active)
    return Status(Code::kConflict, "the club " + club.name + " is not active: it takes no new members or renewals",
                  {{"club_id", "is not active"}});

  SY_ASSIGN_OR_RETURN(const core::Date today, Today(ctx));
  const int64_t now = ctx.now();
  // Locks the membership row (PostgreSQL) before reading its end date, so two renewals at once
  // extend one after the other instead of both from the same date.
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE club_memberships SET updated_at = ? WHERE member_id = ? AND club_id = ?",
                             {now, member_id, club_id})
                         .status());
  SY_ASSIGN_OR_RETURN(auto existing, tx.Exec("SELECT id, started_on, ends_on FROM club_memberships "
                                             "WHERE member_id = ? AND club_id = ?",
                                             {member_id, club_id}));
  core::Date start = today, run_start = today;
  std::string kind = "join";
  std::optional<int64_t> membership_id;
  if (!existing.empty()) {
    kind = "renew";
    membership_id = existing[0].Int(0);
    auto old_end = ParseDay(existing[0].Text(2));
    auto old_start = ParseDay(existing[0].Text(1));
    if (old_end.ok() && *old_end >= today) {  // not yet expired: the new period follows on
      start = PlusDays(*old_end, 1);
      if (old_start.ok()) run_start = *old_start;
    }
  }
  SY_ASSIGN_OR_RETURN(core::Date next, core::AddMonths(start, int(club.duration_months)));
  const core::Date end = PlusDays(next, -1);

  ClubJoin out;
  if (payment_method == "stored_value" && club.annual_fee > 0) {
    SY_ASSIGN_OR_RETURN(StoredValueEntry spent,
                        SpendStoredValue(tx, ctx, actor, member_id, club.annual_fee, std::nullopt,
                                         "club fee: " + club.name + " (" + FormatDay(start) + " – " + FormatDay(end) + ")"));
    out.stored_value = std::move(spent);
  }
  if (membership_id) {
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE club_memberships SET started_on = ?, ends_on = ?, updated_at = ? WHERE id = ?",
                               {FormatDay(run_start), FormatDay(end), now, *membership_id})
                           .status());
  } else {
    auto ins = tx.Exec("INSERT INTO club_memberships (member_id, club_id, started_on, ends_on, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                       {member_id, club_id, FormatDay(run_start), FormatDay(end), now, now});
    if (!ins.ok() && ins.status().code() == Code::kConflict)  // another till joined them at this moment
      return Conflict("the member joined " + club.name + " from another till just now; reload and renew if wanted");
    if (!ins.ok()) return ins.status();
    membership_id = ins->rows[0].Int(0);
  }
  SY_ASSIGN_OR_RETURN(auto pay, tx.Exec("INSERT INTO club_payments (membership_id, kind, at, amount, payment_method, "
                                        "period_start, period_end, stored_value_ledger_id, staff_id) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                        {*membership_id, kind, now, club.annual_fee, payment_method, FormatDay(start), FormatDay(end),
                                         out.stored_value ? store::Value(out.stored_value->id) : store::Null(),
                                         StaffIdOf(actor)}));
  out.payment = ClubPayment{pay[0].Int(0), kind, now, club.annual_fee, payment_method, FormatDay(start), FormatDay(end),
                            out.stored_value ? std::optional<int64_t>(out.stored_value->id) : std::nullopt,
                            actor.kind == "staff" ? actor.name : ""};
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string(kMembershipSelect) + "WHERE m.id = ?", {*membership_id}));
  out.membership = MembershipFromRow(rows[0], today);
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.club." + kind, "member:" + std::to_string(member_id),
                                 {{"club_id", club_id},
                                  {"club", club.name},
                                  {"amount", club.annual_fee},
                                  {"payment_method", payment_method},
                                  {"period_start", FormatDay(start)},
                                  {"period_end", FormatDay(end)}}));
  return out;
}

Result<ClubJoin> JoinClub(Context& ctx, const Actor& actor, int64_t member_id, int64_t club_id,
                          const std::string& payment_method) {
  ClubJoin out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, JoinClubIn(tx, ctx, actor, member_id, club_id, payment_method));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<MemberClubs> ListMemberClubs(Context& ctx, int64_t member_id) {
  MemberClubs out;
  SY_ASSIGN_OR_RETURN(const core::Date today, Today(ctx));
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto member, tx.Exec("SELECT id FROM members WHERE id = ?", {member_id}));
    if (member.empty()) return NotFound("no member with id " + std::to_string(member_id));
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string(kMembershipSelect) + "WHERE m.member_id = ? ORDER BY m.ends_on DESC, m.id",
                                           {member_id}));
    for (const auto& r : rows.rows) out.memberships.push_back(MembershipFromRow(r, today));
    std::stable_sort(out.memberships.begin(), out.memberships.end(),
                     [](const ClubMembership& a, const ClubMembership& b) { return a.status < b.status; });
    SY_ASSIGN_OR_RETURN(auto pays, tx.Exec(std::string(kPaymentSelect) +
                                               "JOIN club_memberships m ON m.id = p.membership_id "
                                               "WHERE m.member_id = ? ORDER BY p.id DESC",
                                           {member_id}));
    for (const auto& r : pays.rows) out.payments.push_back(PaymentFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<ClubBenefits> ActiveClubBenefits(store::Tx& tx, int64_t member_id, const std::string& date) {
  if (!ParseDay(date).ok()) return Invalid("the date must be YYYY-MM-DD", {{"date", "must be a date YYYY-MM-DD"}});
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT c.id, c.name, c.discount_percent, c.points_percent "
                                         "FROM club_memberships m JOIN clubs c ON c.id = m.club_id "
                                         "WHERE m.member_id = ? AND m.started_on <= ? AND m.ends_on >= ? ORDER BY c.id",
                                         {member_id, date, date}));
  ClubBenefits out;
  for (const auto& r : rows.rows) {
    if (r.Int(2) > out.discount_percent) {
      out.discount_percent = r.Int(2);
      out.discount_club_id = r.Int(0);
      out.discount_club = r.Text(1);
    }
    if (r.Int(3) > out.points_percent) {
      out.points_percent = r.Int(3);
      out.points_club_id = r.Int(0);
      out.points_club = r.Text(1);
    }
  }
  return out;
}

}  // namespace shuyou::service
