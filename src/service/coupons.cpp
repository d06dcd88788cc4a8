// Coupons: definitions, batches, and their uses by sales (see coupons.h).
#include "service/coupons.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxMoney = 100'000'000'00;  // one hundred million yuan in fen
constexpr int64_t kMaxCap = 1'000'000'000;
constexpr size_t kMaxGenres = 50;
// Characters of generated codes: no 0/O, 1/I/L, so a printed voucher cannot be misread.
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr size_t kRandomPart = 8;  // 31^8 ≈ 8.5 × 10^11 codes per prefix

bool MayEdit(const Actor& a) {
  return a.role == core::Role::kOwner || a.role == core::Role::kManager || a.role == core::Role::kMarketer;
}

store::Value OptValue(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }
store::Value OptValue(const std::optional<std::string>& v) { return v ? store::Value(*v) : store::Null(); }
nlohmann::json OrNull(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }
nlohmann::json OrNull(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

std::string Upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return s;
}

std::string NormalizeCode(std::string_view code) { return Upper(Trim(code)); }

// "" when `code` (already upper case) is a valid coupon code, else the reason.
std::string CheckCode(std::string_view code, size_t min, size_t max) {
  if (code.size() < min || code.size() > max)
    return "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters";
  if (code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string_view::npos)
    return "may hold only letters A-Z, digits, '-' and '_'";
  return "";
}

// LIKE pattern matching `text` anywhere, with % and _ taken literally (ESCAPE '!').
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    if (nl > start) out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

constexpr const char* kColumns =
    "id, code, name, kind, percent, amount, threshold, repeats, min_spend, genres, exclusive, valid_from, valid_to, "
    "max_uses, per_member_limit, members_only, member_id, store_id, uses, active, created_at, updated_at";
constexpr size_t kColumnCount = 22;

// valid, scheduled, expired or used_up on `today` (whether the coupon is active is separate).
std::string StatusOn(const Coupon& c, const std::string& today) {
  if (c.valid_to && *c.valid_to < today) return "expired";
  if (c.valid_from && *c.valid_from > today) return "scheduled";
  if (c.max_uses && c.uses >= *c.max_uses) return "used_up";
  return "valid";
}

Coupon FromRow(const store::Row& r, const std::string& today) {
  Coupon c;
  c.id = r.Int(0);
  c.code = r.Text(1);
  c.name = r.Text(2);
  c.kind = r.Text(3);
  c.percent = r.Int(4);
  c.amount = r.Int(5);
  c.threshold = r.Int(6);
  c.repeat = r.Int(7) != 0;
  c.min_spend = r.OptInt(8);
  c.genres = SplitLines(r.Text(9));
  c.exclusive = r.Int(10) != 0;
  c.valid_from = r.OptText(11);
  c.valid_to = r.OptText(12);
  c.max_uses = r.OptInt(13);
  c.per_member_limit = r.OptInt(14);
  c.members_only = r.Int(15) != 0;
  c.member_id = r.OptInt(16);
  c.store_id = r.OptInt(17);
  c.uses = r.Int(18);
  c.active = r.Int(19) != 0;
  c.created_at = r.Int(20);
  c.updated_at = r.Int(21);
  c.status = StatusOn(c, today);
  return c;
}

Result<std::string> TodayText(const Context& ctx) {
  SY_ASSIGN_OR_RETURN(core::Date d, Today(ctx));
  return FormatDay(d);
}

Result<Coupon> LoadCoupon(store::Tx& tx, int64_t id, const std::string& today) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kColumns + " FROM coupons WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no coupon with id " + std::to_string(id));
  return FromRow(rows[0], today);
}

Result<std::optional<Coupon>> FindByCode(store::Tx& tx, const std::string& code, const std::string& today) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kColumns + " FROM coupons WHERE code = ?", {code}));
  if (rows.empty()) return std::optional<Coupon>();
  return std::optional<Coupon>(FromRow(rows[0], today));
}

// The coupon as it will be after `in` is applied to `cur`, or the field errors. `batch`: the
// code comes from the batch, not from `in`.
Result<Coupon> Merge(const Coupon& cur, const CouponFields& in, bool creating, bool batch) {
  Coupon c = cur;
  std::vector<FieldError> errs;
  const bool used = !creating && cur.uses > 0;
  auto term = [&](const char* field, bool changes) {
    if (changes && used) {
      errs.push_back({field, "cannot change once the coupon has been used (" + std::to_string(cur.uses) +
                                 " uses); create a new coupon instead"});
      return false;
    }
    return true;
  };
  auto money = [&](const char* field, int64_t v, int64_t min) {
    if (v < min || v > kMaxMoney) {
      errs.push_back({field, "must be from " + std::to_string(min) + " to " + std::to_string(kMaxMoney) + " (minor units)"});
      return false;
    }
    return true;
  };

  if (in.code) {
    std::string code = NormalizeCode(*in.code);
    if (auto m = CheckCode(code, 3, 32); !m.empty()) errs.push_back({"code", m});
    else if (term("code", code != cur.code)) c.code = code;
  } else if (creating && !batch) {
    errs.push_back({"code", "is required"});
  }
  if (in.name) {
    if (auto m = core::CheckText(*in.name, 64); !m.empty()) errs.push_back({"name", m});
    else c.name = Trim(*in.name);
  }
  if (in.kind) {
    if (*in.kind != "percent" && *in.kind != "fixed" && *in.kind != "spend_get")
      errs.push_back({"kind", "must be percent, fixed or spend_get"});
    else if (term("kind", *in.kind != cur.kind)) c.kind = *in.kind;
  } else if (creating) {
    errs.push_back({"kind", "is required"});
  }
  if (in.percent && term("percent", *in.percent != cur.percent)) c.percent = *in.percent;
  if (in.amount && term("amount", *in.amount != cur.amount)) c.amount = *in.amount;
  if (in.threshold && term("threshold", *in.threshold != cur.threshold)) c.threshold = *in.threshold;
  if (in.repeat && term("repeat", *in.repeat != cur.repeat)) c.repeat = *in.repeat;
  if (in.exclusive && term("exclusive", *in.exclusive != cur.exclusive)) c.exclusive = *in.exclusive;
  if (in.min_spend) {
    if (*in.min_spend && !money("min_spend", **in.min_spend, 1)) {
    } else if (term("min_spend", *in.min_spend != cur.min_spend)) {
      c.min_spend = *in.min_spend;
    }
  }
  if (in.genres) {
    std::vector<std::string> genres;
    std::set<std::string> seen;
    for (size_t i = 0; i < in.genres->size(); ++i) {
      std::string g = Trim((*in.genres)[i]);
      for (auto& ch : g)
        if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
      if (g.empty()) errs.push_back({"genres[" + std::to_string(i) + "]", "must not be empty"});
      else if (seen.insert(g).second) genres.push_back(g);
    }
    if (genres.size() > kMaxGenres) errs.push_back({"genres", "at most " + std::to_string(kMaxGenres) + " categories"});
    if (term("genres", genres != cur.genres)) c.genres = genres;
  }

  // The amounts that apply to the kind; the others must be left out (or 0) and are cleared.
  if (c.kind == "percent") {
    if (c.percent < 1 || c.percent > 100) errs.push_back({"percent", "must be from 1 to 100 for a percent coupon"});
  } else if (in.percent && *in.percent != 0) {
    errs.push_back({"percent", "applies only to percent coupons"});
  } else {
    c.percent = 0;
  }
  if (c.kind == "fixed" || c.kind == "spend_get") {
    money("amount", c.amount, 1);
  } else if (in.amount && *in.amount != 0) {
    errs.push_back({"amount", "applies only to fixed and spend_get coupons"});
  } else {
    c.amount = 0;
  }
  if (c.kind == "spend_get") {
    if (money("threshold", c.threshold, 1) && c.amount >= c.threshold && c.amount >= 1)
      errs.push_back({"amount", "must be less than the threshold (spend " + std::to_string(c.threshold) + ")"});
  } else {
    if (in.threshold && *in.threshold != 0) errs.push_back({"threshold", "applies only to spend_get coupons"});
    else c.threshold = 0;
    if (in.repeat && *in.repeat) errs.push_back({"repeat", "applies only to spend_get coupons"});
    else c.repeat = false;
  }

  auto day = [&](const std::optional<std::optional<std::string>>& v, std::optional<std::string>& dst, const char* field) {
    if (!v) return;
    if (!*v || Trim(**v).empty()) {
      dst.reset();
      return;
    }
    auto d = ParseDay(Trim(**v));
    if (!d.ok()) errs.push_back({field, "must be a date YYYY-MM-DD"});
    else dst = FormatDay(d.value());
  };
  day(in.valid_from, c.valid_from, "valid_from");
  day(in.valid_to, c.valid_to, "valid_to");
  if (c.valid_from && c.valid_to && *c.valid_from > *c.valid_to)
    errs.push_back({"valid_to", "must be on or after valid_from (" + *c.valid_from + ")"});

  auto cap = [&](const std::optional<std::optional<int64_t>>& v, std::optional<int64_t>& dst, const char* field) {
    if (!v) return;
    if (*v && (**v < 1 || **v > kMaxCap)) errs.push_back({field, "must be from 1 to " + std::to_string(kMaxCap) + ", or null for no limit"});
    else dst = *v;
  };
  cap(in.max_uses, c.max_uses, "max_uses");
  cap(in.per_member_limit, c.per_member_limit, "per_member_limit");
  if (c.max_uses && *c.max_uses < cur.uses)
    errs.push_back({"max_uses", "cannot be below the " + std::to_string(cur.uses) + " uses so far"});
  if (in.members_only) c.members_only = *in.members_only;
  if (in.member_id) c.member_id = *in.member_id;
  if (in.store_id) c.store_id = *in.store_id;
  if (in.active) c.active = *in.active;
  if (!errs.empty()) return Invalid(creating ? "the coupon has invalid fields" : "the change has invalid fields", errs);
  return c;
}

// The references a coupon makes: its genres are category codes, its member and store exist.
Status CheckReferences(store::Tx& tx, const Coupon& c) {
  std::vector<FieldError> errs;
  if (!c.genres.empty()) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT code FROM categories"));
    std::set<std::string> codes;
    for (const auto& r : rows.rows) codes.insert(r.Text(0));
    for (size_t i = 0; i < c.genres.size(); ++i)
      if (!codes.count(c.genres[i]))
        errs.push_back({"genres[" + std::to_string(i) + "]", "no category has the code '" + c.genres[i] + "'"});
  }
  if (c.member_id) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT merged_into FROM members WHERE id = ?", {*c.member_id}));
    if (rows.empty()) errs.push_back({"member_id", "no such member"});
    else if (!rows[0].IsNull(0)) errs.push_back({"member_id", "was merged into member " + rows[0].Text(0) + "; issue it to that member"});
  }
  if (c.store_id) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {*c.store_id}));
    if (rows.empty()) errs.push_back({"store_id", "no such store"});
  }
  if (!errs.empty()) return Invalid("the coupon has invalid fields", errs);
  return Status::Ok();
}

Status CodeTaken(const std::string& code) {
  return Status(Code::kConflict, "the coupon code " + code + " is already used", {{"code", "is already used"}});
}

// The values of every column but id and uses, in kInsertColumns order.
constexpr const char* kInsertColumns =
    "code, name, kind, percent, amount, threshold, repeats, min_spend, genres, exclusive, valid_from, valid_to, "
    "max_uses, per_member_limit, members_only, member_id, store_id, active, created_at, updated_at";
constexpr size_t kInsertColumnCount = 20;

std::vector<store::Value> InsertValues(const Coupon& c) {
  return {c.code, c.name, c.kind, c.percent, c.amount, c.threshold, int64_t(c.repeat), OptValue(c.min_spend),
          JoinLines(c.genres), int64_t(c.exclusive), OptValue(c.valid_from), OptValue(c.valid_to),
          OptValue(c.max_uses), OptValue(c.per_member_limit), int64_t(c.members_only), OptValue(c.member_id),
          OptValue(c.store_id), int64_t(c.active), c.created_at, c.updated_at};
}

nlohmann::json AuditOf(const Coupon& c) {
  return {{"code", c.code},          {"kind", c.kind},         {"percent", c.percent},
          {"amount", c.amount},      {"threshold", c.threshold}, {"repeat", c.repeat},
          {"min_spend", OrNull(c.min_spend)}, {"valid_from", OrNull(c.valid_from)}, {"valid_to", OrNull(c.valid_to)},
          {"max_uses", OrNull(c.max_uses)}, {"active", c.active}};
}

std::string RandomPart() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  std::string out;
  for (size_t i = 0; i < kRandomPart; ++i) out += kCodeAlphabet[randombytes_uniform(uint32_t(kCodeAlphabet.size()))];
  return out;
}

Result<core::Currency> ProgramCurrency(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(StoredProgram p, GetLoyaltyProgram(tx));
  return p.program.earning.base_per.currency();
}

core::Coupon RuleOf(const Coupon& c, const core::Currency& cur) {
  core::Coupon r;
  r.code = c.code;
  r.kind = c.kind == "percent" ? core::CouponKind::kPercent
           : c.kind == "fixed" ? core::CouponKind::kFixed
                               : core::CouponKind::kSpendGet;
  r.percent = c.percent;
  r.amount = core::Money(c.amount, cur);
  r.threshold = core::Money(c.threshold, cur);
  r.repeat = c.repeat;
  if (c.min_spend) r.min_spend = core::Money(*c.min_spend, cur);
  r.genres = c.genres;
  r.exclusive = c.exclusive;
  return r;
}

// Every category code with the codes of its whole subtree (itself first): a coupon for
// "fiction" covers the lines of "fiction.scifi" too.
Result<std::map<std::string, std::vector<std::string>>> CategorySubtrees(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, parent_id, code FROM categories"));
  std::map<int64_t, std::string> code_of;
  std::map<int64_t, std::optional<int64_t>> parent_of;
  for (const auto& r : rows.rows) {
    code_of[r.Int(0)] = r.Text(2);
    parent_of[r.Int(0)] = r.OptInt(1);
  }
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [id, code] : code_of) {
    // Add `code` to itself and each ancestor (bounded by the table size, in case of a cycle).
    std::optional<int64_t> at = id;
    for (size_t steps = 0; at && steps <= code_of.size(); ++steps) {
      out[code_of[*at]].push_back(code);
      at = parent_of[*at];
    }
  }
  return out;
}

}  // namespace

Result<Coupon> CreateCoupon(Context& ctx, const Actor& actor, const CouponFields& in) {
  if (!MayEdit(actor)) return Status(Code::kPermissionDenied, "only owners, managers and marketers may create coupons");
  SY_ASSIGN_OR_RETURN(Coupon c, Merge(Coupon{}, in, true, false));
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  Coupon out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckReferences(tx, c));
    SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT 1 FROM coupons WHERE code = ?", {c.code}));
    if (!taken.empty()) return CodeTaken(c.code);
    c.created_at = c.updated_at = ctx.now();
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec(std::string("INSERT INTO coupons (") + kInsertColumns +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                          InsertValues(c)));
    SY_ASSIGN_OR_RETURN(out, LoadCoupon(tx, ins[0].Int(0), today));
    return RecordAudit(tx, ctx, actor, "coupon.create", "coupon:" + std::to_string(out.id), AuditOf(out));
  });
  if (!st.ok()) return st;
  return out;
}

Result<Coupon> UpdateCoupon(Context& ctx, const Actor& actor, int64_t id, const CouponFields& in) {
  if (!MayEdit(actor)) return Status(Code::kPermissionDenied, "only owners, managers and marketers may change coupons");
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  Coupon out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Coupon cur, LoadCoupon(tx, id, today));
    SY_ASSIGN_OR_RETURN(Coupon c, Merge(cur, in, false, false));
    SY_RETURN_IF_ERROR(CheckReferences(tx, c));
    if (c.code != cur.code) {
      SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT 1 FROM coupons WHERE code = ? AND id <> ?", {c.code, id}));
      if (!taken.empty()) return CodeTaken(c.code);
    }
    c.updated_at = ctx.now();
    auto values = InsertValues(c);
    values.push_back(id);
    values.push_back(cur.uses);
    // The terms were checked against `cur`; the uses must still be what they were then (a sale
    // may have used the coupon since; then the caller tries again and sees the lock).
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE coupons SET code = ?, name = ?, kind = ?, percent = ?, amount = ?, threshold = ?, "
                                          "repeats = ?, min_spend = ?, genres = ?, exclusive = ?, valid_from = ?, valid_to = ?, "
                                          "max_uses = ?, per_member_limit = ?, members_only = ?, member_id = ?, store_id = ?, "
                                          "active = ?, created_at = ?, updated_at = ? WHERE id = ? AND uses = ?",
                                          values));
    if (upd.affected == 0) return Conflict("coupon " + cur.code + " was used while it was being changed; try again");
    SY_ASSIGN_OR_RETURN(out, LoadCoupon(tx, id, today));
    nlohmann::json details = AuditOf(out);
    nlohmann::json before = AuditOf(cur);
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [k, v] : details.items())
      if (before[k] != v) changed[k] = {{"from", before[k]}, {"to", v}};
    return RecordAudit(tx, ctx, actor, "coupon.update", "coupon:" + std::to_string(id),
                       {{"code", out.code}, {"changed", changed}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<CouponDetail> GetCoupon(Context& ctx, int64_t id) {
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  CouponDetail out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out.coupon, LoadCoupon(tx, id, today));
    SY_ASSIGN_OR_RETURN(auto days, tx.Exec(
        "SELECT s.business_day, COUNT(*), COALESCE(SUM(r.amount), 0) FROM coupon_redemptions r "
        "JOIN sales s ON s.id = r.sale_id WHERE r.coupon_id = ? AND r.given_back_at IS NULL "
        "GROUP BY s.business_day ORDER BY s.business_day",
        {id}));
    for (const auto& r : days.rows) {
      out.usage.days.push_back({r.Text(0), r.Int(1), r.Int(2)});
      out.usage.uses += r.Int(1);
      out.usage.discount += r.Int(2);
    }
    SY_ASSIGN_OR_RETURN(auto back, tx.Exec(
        "SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ? AND given_back_at IS NOT NULL", {id}));
    out.usage.given_back = back[0].Int(0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Coupon>> ListCoupons(Context& ctx, const PageQuery& page, const CouponFilter& f) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "id", true}, {"code", "code", false}, {"created_at", "created_at", true}},
                                             "-id", "id"));
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  std::string where;
  std::vector<store::Value> params;
  std::string q = Trim(f.q);
  if (!q.empty()) {
    where += " AND (code LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!')";
    params.push_back(ContainsPattern(Upper(q)));
    std::string lower = q;
    for (auto& ch : lower)
      if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    params.push_back(ContainsPattern(lower));
  }
  if (f.active) {
    where += " AND active = ?";
    params.push_back(int64_t(*f.active));
  }
  if (f.status) {
    // The same order as StatusOn: expired, then scheduled, then used up, else valid.
    const std::string not_expired = "(valid_to IS NULL OR valid_to >= ?)";
    const std::string started = "(valid_from IS NULL OR valid_from <= ?)";
    if (*f.status == "expired") {
      where += " AND valid_to IS NOT NULL AND valid_to < ?";
      params.push_back(today);
    } else if (*f.status == "scheduled") {
      where += " AND " + not_expired + " AND valid_from IS NOT NULL AND valid_from > ?";
      params.insert(params.end(), {today, today});
    } else if (*f.status == "used_up") {
      where += " AND " + not_expired + " AND " + started + " AND max_uses IS NOT NULL AND uses >= max_uses";
      params.insert(params.end(), {today, today});
    } else if (*f.status == "valid") {
      where += " AND " + not_expired + " AND " + started + " AND (max_uses IS NULL OR uses < max_uses)";
      params.insert(params.end(), {today, today});
    } else {
      return Invalid("status must be valid, scheduled, expired or used_up", {{"status", "must be valid, scheduled, expired or used_up"}});
    }
  }
  Page<Coupon> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    auto all = ks.params;
    all.insert(all.end(), params.begin(), params.end());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kColumns + ", " + ks.column.sql + " FROM coupons WHERE " +
                                               ks.where + where + " " + ks.order,
                                           all));
    out.next_cursor = TakePage(ks, rows, kColumnCount, 0);
    for (const auto& r : rows.rows) out.items.push_back(FromRow(r, today));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<CouponBatch> IssueCouponBatch(Context& ctx, const Actor& actor, const std::string& prefix, int64_t count,
                                     const CouponFields& in, const std::function<std::string()>& random_part) {
  if (!MayEdit(actor)) return Status(Code::kPermissionDenied, "only owners, managers and marketers may issue coupons");
  std::vector<FieldError> errs;
  std::string pre = NormalizeCode(prefix);
  if (!pre.empty())
    if (auto m = CheckCode(pre, 0, 12); !m.empty()) errs.push_back({"prefix", m});
  if (count < 1 || count > kMaxBatch) errs.push_back({"count", "must be from 1 to " + std::to_string(kMaxBatch)});
  if (in.code) errs.push_back({"code", "a batch's codes are made from its prefix"});
  if (in.max_uses) errs.push_back({"max_uses", "a batch's codes are single-use"});
  if (in.per_member_limit) errs.push_back({"per_member_limit", "a batch's codes are single-use"});
  auto merged = Merge(Coupon{}, in, true, true);
  if (!merged.ok()) {
    for (const auto& e : merged.status().details()) errs.push_back(e);
    if (merged.status().details().empty()) return merged.status();
  }
  if (!errs.empty()) return Invalid("the batch has invalid fields", errs);
  Coupon tmpl = merged.value();
  tmpl.max_uses = 1;
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  tmpl.status = StatusOn(tmpl, today);
  CouponBatch out;
  out.prefix = pre;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    out.coupons.clear();
    SY_RETURN_IF_ERROR(CheckReferences(tx, tmpl));
    tmpl.created_at = tmpl.updated_at = ctx.now();
    std::set<std::string> made;
    // Rows per INSERT: stays below SQLite's 999 bound parameters.
    constexpr size_t kChunk = 40;
    for (int attempt = 0; int64_t(out.coupons.size()) < count; ++attempt) {
      if (attempt > 20) return Internal("could not find free codes for prefix " + pre);
      size_t want = std::min<size_t>(kChunk, size_t(count) - out.coupons.size());
      std::vector<std::string> codes;
      while (codes.size() < want) {
        std::string code = pre + (random_part ? random_part() : RandomPart());
        if (made.insert(code).second) codes.push_back(code);
      }
      std::string sql = std::string("INSERT INTO coupons (") + kInsertColumns + ") VALUES ";
      std::vector<store::Value> values;
      values.reserve(codes.size() * kInsertColumnCount);
      for (size_t i = 0; i < codes.size(); ++i) {
        sql += i ? ", (" : "(";
        for (size_t k = 0; k < kInsertColumnCount; ++k) sql += k ? ", ?" : "?";
        sql += ")";
        Coupon c = tmpl;
        c.code = codes[i];
        auto v = InsertValues(c);
        values.insert(values.end(), v.begin(), v.end());
      }
      // A code some other coupon already has is skipped (no error, which would abort the
      // transaction) and replaced by a fresh one on the next round.
      SY_ASSIGN_OR_RETURN(auto ins, tx.Exec(sql + " ON CONFLICT (code) DO NOTHING RETURNING id, code", values));
      if (ins.size() == codes.size()) attempt = -1;
      for (const auto& r : ins.rows) {
        Coupon c = tmpl;
        c.id = r.Int(0);
        c.code = r.Text(1);
        out.coupons.push_back(std::move(c));
      }
    }
    std::sort(out.coupons.begin(), out.coupons.end(), [](const Coupon& a, const Coupon& b) { return a.id < b.id; });
    nlohmann::json details = AuditOf(tmpl);
    details.erase("code");
    details["prefix"] = pre;
    details["count"] = count;
    details["first_id"] = out.coupons.front().id;
    details["last_id"] = out.coupons.back().id;
    return RecordAudit(tx, ctx, actor, "coupon.batch", "coupon:" + std::to_string(out.coupons.front().id), details);
  });
  if (!st.ok()) return st;
  return out;
}

Result<CouponCheck> CheckCoupon(Context& ctx, const std::string& code, int64_t store_id, std::optional<int64_t> member_id) {
  SY_ASSIGN_OR_RETURN(std::string today, TodayText(ctx));
  CouponCheck out;
  out.code = NormalizeCode(code);
  if (out.code.empty()) return Invalid("code is required", {{"code", "is required"}});
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto store, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {store_id}));
    if (store.empty()) return NotFound("no store with id " + std::to_string(store_id));
    if (member_id) {
      SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT 1 FROM members WHERE id = ?", {*member_id}));
      if (m.empty()) return NotFound("no member with id " + std::to_string(*member_id));
    }
    SY_ASSIGN_OR_RETURN(out.coupon, FindByCode(tx, out.code, today));
    auto r = CouponsForSale(tx, {out.code}, store_id, member_id, today);
    if (r.ok()) {
      out.valid = true;
    } else if (r.status().code() == Code::kInvalidArgument) {
      out.reason = r.status().message();
    } else {
      return r.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<SaleCoupon>> CouponsForSale(store::Tx& tx, const std::vector<std::string>& codes, int64_t store_id,
                                               std::optional<int64_t> member_id, const std::string& day) {
  std::vector<SaleCoupon> out;
  if (codes.empty()) return out;
  SY_ASSIGN_OR_RETURN(core::Currency cur, ProgramCurrency(tx));
  std::optional<std::map<std::string, std::vector<std::string>>> subtrees;  // read once, when needed
  std::set<std::string> seen;
  for (size_t i = 0; i < codes.size(); ++i) {
    const std::string field = "coupons[" + std::to_string(i) + "]";
    std::string code = NormalizeCode(codes[i]);
    auto refuse = [&](const std::string& why) { return Invalid(why, {{field, why}}); };
    if (code.empty()) return refuse("a coupon code is empty");
    if (!seen.insert(code).second) return refuse("coupon " + code + " was entered twice");
    SY_ASSIGN_OR_RETURN(std::optional<Coupon> found, FindByCode(tx, code, day));
    if (!found) return refuse("coupon " + code + " is not known");
    const Coupon& c = *found;
    if (!c.active) return refuse("coupon " + code + " is not active");
    if (c.valid_from && day < *c.valid_from) return refuse("coupon " + code + " is valid from " + *c.valid_from);
    if (c.valid_to && day > *c.valid_to) return refuse("coupon " + code + " expired on " + *c.valid_to);
    if (c.store_id && *c.store_id != store_id) {
      SY_ASSIGN_OR_RETURN(auto s, tx.Exec("SELECT code FROM stores WHERE id = ?", {*c.store_id}));
      return refuse("coupon " + code + " is for another store" + (s.empty() ? "" : " (" + s[0].Text(0) + ")"));
    }
    if (c.member_id) {
      if (!member_id) return refuse("coupon " + code + " was issued to a member: scan the member's card");
      if (*c.member_id != *member_id) {
        // A member merged into the sale's member keeps their coupons.
        SY_ASSIGN_OR_RETURN(auto m, tx.Exec("SELECT merged_into FROM members WHERE id = ?", {*c.member_id}));
        if (m.empty() || m[0].OptInt(0) != member_id) return refuse("coupon " + code + " was issued to another member");
      }
    }
    if (c.members_only && !member_id) return refuse("coupon " + code + " is for members only: scan the member's card");
    if (c.max_uses && c.uses >= *c.max_uses) return refuse("coupon " + code + " has been used up");
    if (c.per_member_limit) {
      if (!member_id)
        return refuse("coupon " + code + " may be used " + std::to_string(*c.per_member_limit) +
                      " time(s) per member: scan the member's card");
      SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ? AND member_id = ? "
                                          "AND given_back_at IS NULL",
                                          {c.id, *member_id}));
      if (n[0].Int(0) >= *c.per_member_limit)
        return refuse("coupon " + code + " may be used " + std::to_string(*c.per_member_limit) +
                      " time(s) per member, and this member has used it " + n[0].Text(0));
    }
    core::Coupon rule = RuleOf(c, cur);
    if (!rule.genres.empty()) {
      if (!subtrees) {
        SY_ASSIGN_OR_RETURN(subtrees, CategorySubtrees(tx));
      }
      std::vector<std::string> genres;
      for (const auto& g : rule.genres) {
        auto it = subtrees->find(g);
        if (it == subtrees->end()) genres.push_back(g);
        else genres.insert(genres.end(), it->second.begin(), it->second.end());
      }
      std::sort(genres.begin(), genres.end());
      genres.erase(std::unique(genres.begin(), genres.end()), genres.end());
      rule.genres = std::move(genres);
    }
    out.push_back({c.id, std::move(rule)});
  }
  return out;
}

Status RecordCouponUses(store::Tx& tx, int64_t sale_id, std::optional<int64_t> member_id, int64_t at,
                        const std::vector<std::pair<int64_t, int64_t>>& coupon_amounts) {
  std::set<int64_t> seen;
  for (const auto& [coupon_id, amount] : coupon_amounts) {
    if (amount < 0) return Invalid("a coupon's discount cannot be negative");
    if (!seen.insert(coupon_id).second) return Invalid("coupon " + std::to_string(coupon_id) + " is used twice in one sale");
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE coupons SET uses = uses + 1 WHERE id = ? AND (max_uses IS NULL OR uses < max_uses) "
                                          "RETURNING code, per_member_limit",
                                          {coupon_id}));
    if (upd.empty()) {
      SY_ASSIGN_OR_RETURN(auto c, tx.Exec("SELECT code FROM coupons WHERE id = ?", {coupon_id}));
      if (c.empty()) return NotFound("no coupon with id " + std::to_string(coupon_id));
      return Conflict("coupon " + c[0].Text(0) + " has been used up");
    }
    // The UPDATE holds the coupon's row lock until commit, so this count sees every other
    // committed use by the member (PostgreSQL: each statement reads the newest committed rows).
    if (auto limit = upd[0].OptInt(1); limit && member_id) {
      SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ? AND member_id = ? "
                                          "AND given_back_at IS NULL",
                                          {coupon_id, *member_id}));
      if (n[0].Int(0) >= *limit)
        return Conflict("coupon " + upd[0].Text(0) + " may be used " + std::to_string(*limit) +
                        " time(s) per member, and this member has used it " + n[0].Text(0));
    }
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO coupon_redemptions (coupon_id, sale_id, member_id, at, amount) VALUES (?, ?, ?, ?, ?)",
                               {coupon_id, sale_id, OptValue(member_id), at, amount})
                           .status());
  }
  return Status::Ok();
}

Status GiveBackCoupons(store::Tx& tx, int64_t sale_id, int64_t at) {
  SY_ASSIGN_OR_RETURN(auto back, tx.Exec("UPDATE coupon_redemptions SET given_back_at = ? WHERE sale_id = ? AND given_back_at IS NULL "
                                         "RETURNING coupon_id",
                                         {at, sale_id}));
  for (const auto& r : back.rows) {
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE coupons SET uses = uses - 1 WHERE id = ? AND uses > 0", {r.Int(0)}));
    if (upd.affected == 0) return Internal("coupon " + r.Text(0) + " has no use to give back");
  }
  return Status::Ok();
}

}  // namespace shuyou::service
