// The loyalty program configuration and its preview (see loyalty.h). The JSON reader here is
// strict and collects every problem with its field path, so an owner sees all mistakes at once.
#include "service/loyalty.h"

#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/staff_rules.h"
#include "service/business_day.h"

namespace shuyou::service {
namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr int64_t kMaxPct = 1'000'000;
constexpr int64_t kMaxBonus = 1'000'000'000'000;  // 10^12, as core::CheckProgram
constexpr int64_t kMaxAmount = 1'000'000'000'000;  // 10^12 minor units
constexpr size_t kMaxEntries = 100;                // per list in a program
constexpr size_t kMaxLines = 1000;                 // per preview basket
constexpr const char* kWeekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::string Join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string At(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Strict reading of nested JSON objects: every accessor records a FieldError with the full
// path instead of throwing, and answers nullopt when the value is absent or unusable.
class Reader {
 public:
  std::vector<FieldError> errs;

  void Fail(const std::string& field, std::string message) { errs.push_back({field, std::move(message)}); }

  // True when `j` is an object; each key not in `known` is reported.
  bool Object(const json& j, const std::string& path, std::initializer_list<const char*> known) {
    if (!j.is_object()) {
      Fail(path.empty() ? "body" : path, "must be an object");
      return false;
    }
    for (const auto& [key, value] : j.items()) {
      bool ok = false;
      for (const char* k : known) ok = ok || key == k;
      if (!ok) Fail(Join(path, key), "is not a known field");
    }
    return true;
  }

  // The member `key` of the object `j`, or null when absent (reported when required).
  const json* Find(const json& j, const std::string& path, const char* key, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) Fail(Join(path, key), "is required");
      return nullptr;
    }
    return &*it;
  }

  std::optional<int64_t> Int(const json& j, const std::string& path, const char* key, bool required, int64_t lo,
                             int64_t hi) {
    const json* v = Find(j, path, key, required);
    if (!v) return std::nullopt;
    return IntValue(*v, Join(path, key), lo, hi);
  }

  std::optional<int64_t> IntValue(const json& v, const std::string& field, int64_t lo, int64_t hi) {
    if (!v.is_number_integer()) {
      Fail(field, "must be an integer");
      return std::nullopt;
    }
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) {
      Fail(field, "must be " + std::to_string(lo) + "–" + std::to_string(hi));
      return std::nullopt;
    }
    int64_t n = v.get<int64_t>();
    if (n < lo || n > hi) {
      Fail(field, "must be " + std::to_string(lo) + "–" + std::to_string(hi));
      return std::nullopt;
    }
    return n;
  }

  // An optional integer that may also be null: nullopt for absent or null.
  std::optional<int64_t> NullableInt(const json& j, const std::string& path, const char* key, int64_t lo, int64_t hi,
                                     bool& bad) {
    const json* v = Find(j, path, key, false);
    if (!v || v->is_null()) return std::nullopt;
    size_t before = errs.size();
    auto n = IntValue(*v, Join(path, key), lo, hi);
    bad = bad || errs.size() != before;
    return n;
  }

  std::optional<std::string> Str(const json& j, const std::string& path, const char* key, bool required) {
    const json* v = Find(j, path, key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      Fail(Join(path, key), "must be a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<bool> Bool(const json& j, const std::string& path, const char* key, bool required) {
    const json* v = Find(j, path, key, required);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      Fail(Join(path, key), "must be true or false");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // The array `key` (each element is then read by the caller), or null.
  const json* Array(const json& j, const std::string& path, const char* key, bool required, size_t max) {
    const json* v = Find(j, path, key, required);
    if (!v) return nullptr;
    if (!v->is_array()) {
      Fail(Join(path, key), "must be an array");
      return nullptr;
    }
    if (v->size() > max) {
      Fail(Join(path, key), "must have at most " + std::to_string(max) + " entries");
      return nullptr;
    }
    return v;
  }

  // A name: 1–max characters of text.
  std::optional<std::string> Name(const json& j, const std::string& path, const char* key, size_t max) {
    auto s = Str(j, path, key, true);
    if (!s) return std::nullopt;
    if (s->empty()) {
      Fail(Join(path, key), "must not be empty");
      return std::nullopt;
    }
    if (auto m = core::CheckText(*s, max); !m.empty()) {
      Fail(Join(path, key), m);
      return std::nullopt;
    }
    return s;
  }

  // A real calendar date "YYYY-MM-DD".
  std::optional<core::Date> DateValue(const std::string& text, const std::string& field) {
    auto parsed = ParseDay(text);
    if (!parsed.ok()) {
      Fail(field, parsed.status().message());
      return std::nullopt;
    }
    core::Date date = *parsed;
    if (date.year() < year{1900}) {
      Fail(field, "must be in 1900 or later");
      return std::nullopt;
    }
    return date;
  }

  std::optional<core::Date> Date(const json& j, const std::string& path, const char* key, bool required) {
    auto s = Str(j, path, key, required);
    if (!s) return std::nullopt;
    return DateValue(*s, Join(path, key));
  }
};

std::string SourceOf(const Actor& a) {
  if (a.kind == "staff") return "staff:" + a.name;
  if (a.kind == "api_key") return "api_key:" + a.name;
  return "system";
}

// The tiers: names unique, the first without thresholds, each later one with at least one, and
// each threshold above the same threshold of every tier before it.
void ReadTiers(Reader& r, const json& arr, const std::string& path, const core::Currency& cur,
               std::vector<core::Tier>& out) {
  if (arr.empty()) r.Fail(path, "must have at least one tier (the entry tier)");
  std::optional<int64_t> last_spend, last_visits;
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string p = At(path, i);
    const json& t = arr[i];
    if (!r.Object(t, p, {"name", "min_spend", "min_visits", "need_both", "discount_percent", "points_percent"}))
      continue;
    core::Tier tier;
    bool bad = false;
    if (auto n = r.Name(t, p, "name", 32)) {
      for (const auto& earlier : out)
        if (earlier.name == *n) r.Fail(Join(p, "name"), "is used by an earlier tier");
      tier.name = *n;
    }
    auto spend = r.NullableInt(t, p, "min_spend", 0, kMaxAmount, bad);
    auto visits = r.NullableInt(t, p, "min_visits", 0, 1'000'000'000, bad);
    tier.need_both = r.Bool(t, p, "need_both", false).value_or(false);
    tier.discount_pct = r.Int(t, p, "discount_percent", true, 0, 100).value_or(0);
    tier.points_pct = r.Int(t, p, "points_percent", true, 100, kMaxPct).value_or(100);
    if (spend) tier.min_spend = core::Money(*spend, cur);
    tier.min_visits = visits;
    if (!bad) {
      if (i == 0 && (spend || visits))
        r.Fail(Join(p, spend ? "min_spend" : "min_visits"), "must be null: the first tier is the entry tier");
      if (i > 0 && !spend && !visits) r.Fail(Join(p, "min_spend"), "a tier after the first needs min_spend or min_visits");
      if (spend && last_spend && *spend <= *last_spend)
        r.Fail(Join(p, "min_spend"), "must be more than an earlier tier's (" + std::to_string(*last_spend) + ")");
      if (visits && last_visits && *visits <= *last_visits)
        r.Fail(Join(p, "min_visits"), "must be more than an earlier tier's (" + std::to_string(*last_visits) + ")");
      if (spend) last_spend = spend;
      if (visits) last_visits = visits;
    }
    out.push_back(std::move(tier));
  }
}

void ReadEvents(Reader& r, const json& arr, const std::string& path, std::vector<core::BonusEvent>& out) {
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string p = At(path, i);
    const json& e = arr[i];
    if (!r.Object(e, p, {"name", "first", "last", "weekday", "percent"})) continue;
    core::BonusEvent ev;
    if (auto n = r.Name(e, p, "name", 64)) {
      for (const auto& earlier : out)
        if (earlier.name == *n) r.Fail(Join(p, "name"), "is used by an earlier event");
      ev.name = *n;
    }
    auto first = r.Date(e, p, "first", true);
    auto last = r.Date(e, p, "last", true);
    if (first) ev.first = *first;
    if (last) ev.last = *last;
    if (first && last && *last < *first) r.Fail(Join(p, "last"), "must not be before first");
    if (const json* w = r.Find(e, p, "weekday", false); w && !w->is_null()) {
      bool found = false;
      for (unsigned d = 0; d < 7 && w->is_string(); ++d)
        if (w->get<std::string>() == kWeekdays[d]) {
          ev.weekday = weekday{d};
          found = true;
        }
      if (!found) r.Fail(Join(p, "weekday"), "must be null or one of mon, tue, wed, thu, fri, sat, sun");
    }
    ev.pct = r.Int(e, p, "percent", true, 100, kMaxPct).value_or(200);
    out.push_back(std::move(ev));
  }
}

// Reads a whole program into `out`; problems go to `r`.
void ReadProgram(Reader& r, const json& j, const std::string& path, bool allow_meta, LoyaltyProgram& out) {
  if (!r.Object(j, path,
                {"base_rate", "rounding", "genres", "tiers", "events", "birthday_month_percent", "sign_up_bonus",
                 "first_purchase_bonus", "points_expiry_months", "tier_downgrade_grace_days", "top_up_bonuses",
                 "birthday_bonus_points", "points_payment", "version", "updated_at", "updated_by"}))
    return;
  if (!allow_meta)
    for (const char* meta : {"version", "updated_at", "updated_by"})
      if (j.contains(meta)) r.Fail(Join(path, meta), "is not a known field");
  core::Program& e = out.earning;
  core::Currency cur = core::kCNY;
  if (const json* br = r.Find(j, path, "base_rate", true)) {
    std::string p = Join(path, "base_rate");
    if (r.Object(*br, p, {"points", "per_amount", "currency"})) {
      e.base_points = r.Int(*br, p, "points", true, 0, kMaxPct).value_or(0);
      int64_t per = r.Int(*br, p, "per_amount", true, 1, kMaxAmount).value_or(100);
      if (auto code = r.Str(*br, p, "currency", true)) {
        if (auto c = core::FindCurrency(*code)) cur = *c;
        else r.Fail(Join(p, "currency"), "must be one of CNY, HKD, TWD, USD, EUR, GBP, JPY, KRW");
      }
      e.base_per = core::Money(per, cur);
    }
  }
  if (auto s = r.Str(j, path, "rounding", true)) {
    if (auto m = core::ParseRounding(*s)) e.rounding = *m;
    else r.Fail(Join(path, "rounding"), "must be one of down, half_up, half_even, up");
  }
  if (const json* arr = r.Array(j, path, "genres", true, kMaxEntries)) {
    for (size_t i = 0; i < arr->size(); ++i) {
      std::string p = At(Join(path, "genres"), i);
      if (!r.Object((*arr)[i], p, {"genre", "percent"})) continue;
      core::GenreMultiplier g;
      if (auto n = r.Name((*arr)[i], p, "genre", 64)) {
        for (const auto& earlier : e.genres)
          if (earlier.genre == *n) r.Fail(Join(p, "genre"), "is listed twice");
        g.genre = *n;
      }
      g.pct = r.Int((*arr)[i], p, "percent", true, 0, kMaxPct).value_or(100);
      e.genres.push_back(std::move(g));
    }
  }
  if (const json* arr = r.Array(j, path, "tiers", true, kMaxEntries)) ReadTiers(r, *arr, Join(path, "tiers"), cur, e.tiers);
  if (const json* arr = r.Array(j, path, "events", true, kMaxEntries)) ReadEvents(r, *arr, Join(path, "events"), e.events);
  e.birthday_month_pct = r.Int(j, path, "birthday_month_percent", true, 100, kMaxPct).value_or(100);
  e.sign_up_bonus = r.Int(j, path, "sign_up_bonus", true, 0, kMaxBonus).value_or(0);
  e.first_purchase_bonus = r.Int(j, path, "first_purchase_bonus", true, 0, kMaxBonus).value_or(0);
  out.points_expiry_months = r.Int(j, path, "points_expiry_months", true, 1, 1200).value_or(12);
  out.tier_downgrade_grace_days = r.Int(j, path, "tier_downgrade_grace_days", true, 0, 36600).value_or(30);
  out.birthday_bonus_points = r.Int(j, path, "birthday_bonus_points", false, 0, kMaxBonus).value_or(0);
  if (const json* pp = r.Find(j, path, "points_payment", false)) {
    std::string p = Join(path, "points_payment");
    if (r.Object(*pp, p, {"points", "worth", "max_percent"})) {
      out.points_payment.points = r.Int(*pp, p, "points", true, 1, 1000000).value_or(100);
      out.points_payment.worth = core::Money(r.Int(*pp, p, "worth", true, 1, 1000000).value_or(100), cur);
      out.points_payment.max_pct = r.Int(*pp, p, "max_percent", true, 0, 100).value_or(50);
    }
  } else {
    out.points_payment.worth = core::Money(out.points_payment.worth.minor(), cur);
  }
  if (const json* arr = r.Array(j, path, "top_up_bonuses", true, kMaxEntries)) {
    for (size_t i = 0; i < arr->size(); ++i) {
      std::string p = At(Join(path, "top_up_bonuses"), i);
      if (!r.Object((*arr)[i], p, {"min_top_up", "bonus"})) continue;
      int64_t min = r.Int((*arr)[i], p, "min_top_up", true, 1, kMaxAmount).value_or(1);
      int64_t bonus = r.Int((*arr)[i], p, "bonus", true, 0, kMaxAmount).value_or(0);
      out.top_up_bonuses.push_back({core::Money(min, cur), core::Money(bonus, cur)});
    }
  }
  if (allow_meta)
    if (const json* v = r.Find(j, path, "version", false); v && !v->is_number_integer())
      r.Fail(Join(path, "version"), "must be an integer");
}

Result<StoredProgram> LoadCurrent(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT version, program, updated_at, updated_by FROM loyalty_programs "
                                         "ORDER BY version DESC LIMIT 1"));
  StoredProgram out;
  if (rows.empty()) {
    out.program = DefaultLoyaltyProgram();
    return out;
  }
  out.version = rows[0].Int(0);
  out.updated_at = rows[0].Int(2);
  out.updated_by = rows[0].Text(3);
  std::string text = rows[0].Text(1);
  // A checkout reads the program four or five times (pricing, coupons, earning, the tier
  // check): the last text read is kept parsed. Keyed by the stored text itself, so another
  // database or a new version is never answered from the cache.
  static std::mutex mu;
  static std::string cached_text;
  static LoyaltyProgram cached;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!cached_text.empty() && cached_text == text) {
      out.program = cached;
      return out;
    }
  }
  json j = json::parse(text, nullptr, false);
  auto p = ProgramFromJson(j);
  if (!p.ok())
    return Internal("stored loyalty program version " + std::to_string(out.version) + " is unreadable: " +
                    p.status().message());
  out.program = std::move(p).value();
  std::lock_guard<std::mutex> lock(mu);
  cached_text = std::move(text);
  cached = out.program;
  return out;
}

}  // namespace

LoyaltyProgram DefaultLoyaltyProgram() {
  LoyaltyProgram p;
  core::Program& e = p.earning;
  e.base_points = 1;
  e.base_per = core::Money(100, core::kCNY);
  e.rounding = core::Rounding::kDown;
  e.tiers = {core::Tier{"regular", std::nullopt, std::nullopt, false, 0, 100},
             core::Tier{"silver", core::Money(200'000, core::kCNY), 10, false, 5, 120},
             core::Tier{"gold", core::Money(500'000, core::kCNY), 25, false, 10, 150}};
  e.birthday_month_pct = 100;
  p.points_expiry_months = 12;
  p.tier_downgrade_grace_days = 30;
  return p;
}

json ProgramToJson(const LoyaltyProgram& p) {
  const core::Program& e = p.earning;
  json genres = json::array(), tiers = json::array(), events = json::array(), top_ups = json::array();
  for (const auto& g : e.genres) genres.push_back({{"genre", g.genre}, {"percent", g.pct}});
  for (const auto& t : e.tiers)
    tiers.push_back({{"name", t.name},
                     {"min_spend", t.min_spend ? json(t.min_spend->minor()) : json()},
                     {"min_visits", t.min_visits ? json(*t.min_visits) : json()},
                     {"need_both", t.need_both},
                     {"discount_percent", t.discount_pct},
                     {"points_percent", t.points_pct}});
  for (const auto& ev : e.events)
    events.push_back({{"name", ev.name},
                      {"first", FormatDay(ev.first)},
                      {"last", FormatDay(ev.last)},
                      {"weekday", ev.weekday ? json(kWeekdays[ev.weekday->c_encoding()]) : json()},
                      {"percent", ev.pct}});
  for (const auto& t : p.top_up_bonuses) top_ups.push_back({{"min_top_up", t.min_top_up.minor()}, {"bonus", t.bonus.minor()}});
  json out = {{"base_rate",
           {{"points", e.base_points}, {"per_amount", e.base_per.minor()}, {"currency", e.base_per.currency().code}}},
          {"rounding", core::RoundingName(e.rounding)},
          {"genres", genres},
          {"tiers", tiers},
          {"events", events},
          {"birthday_month_percent", e.birthday_month_pct},
          {"sign_up_bonus", e.sign_up_bonus},
          {"first_purchase_bonus", e.first_purchase_bonus},
          {"points_expiry_months", p.points_expiry_months},
          {"tier_downgrade_grace_days", p.tier_downgrade_grace_days},
          {"top_up_bonuses", top_ups}};
  // Optional fields appear only when set, so that programs saved without them read back the same.
  if (p.birthday_bonus_points > 0) out["birthday_bonus_points"] = p.birthday_bonus_points;
  const core::PointsRate& pay = p.points_payment;
  if (pay.points != 100 || pay.worth.minor() != 100 || pay.max_pct != 50)
    out["points_payment"] = {{"points", pay.points}, {"worth", pay.worth.minor()}, {"max_percent", pay.max_pct}};
  return out;
}

Result<LoyaltyProgram> ProgramFromJson(const json& j, const std::string& path, bool allow_meta) {
  Reader r;
  LoyaltyProgram out;
  ReadProgram(r, j, path, allow_meta, out);
  if (!r.errs.empty()) return Invalid("the loyalty program has invalid fields", r.errs);
  // The core rules are the authority; the checks above are meant to cover them with paths.
  if (Status st = core::CheckProgram(out.earning); !st.ok())
    return Invalid("the loyalty program is invalid: " + st.message(), {{path.empty() ? "program" : path, st.message()}});
  return out;
}

Result<StoredProgram> GetLoyaltyProgram(Context& ctx) {
  StoredProgram out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadCurrent(tx));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StoredProgram> GetLoyaltyProgram(store::Tx& tx) { return LoadCurrent(tx); }

Result<StoredProgram> SaveLoyaltyProgram(Context& ctx, const Actor& actor, const LoyaltyProgram& p,
                                         std::optional<int64_t> expected_version) {
  if (actor.role != core::Role::kOwner) return Status(Code::kPermissionDenied, "only owners may change the loyalty program");
  // Written as it will be read back: the stored text passes the same strict reader.
  json text = ProgramToJson(p);
  SY_ASSIGN_OR_RETURN(LoyaltyProgram checked, ProgramFromJson(text));
  StoredProgram out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COALESCE(MAX(version), 0) FROM loyalty_programs"));
    int64_t current = rows[0].Int(0);
    if (expected_version && *expected_version != current)
      return Status(Code::kConflict,
                    "the loyalty program was changed meanwhile (now version " + std::to_string(current) +
                        "); reload it and make your change again",
                    {{"version", "is " + std::to_string(current) + " now"}});
    int64_t now = ctx.now();
    out.version = current + 1;
    out.updated_at = now;
    out.updated_by = SourceOf(actor);
    out.program = checked;
    auto ins = tx.Exec("INSERT INTO loyalty_programs (version, program, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                       {out.version, text.dump(), now, out.updated_by});
    if (!ins.ok() && ins.status().code() == Code::kConflict)
      return Status(Code::kConflict, "another change to the loyalty program was saved at the same time; reload it and try again");
    if (!ins.ok()) return ins.status();
    return RecordAudit(tx, ctx, actor, "loyalty.program.update", "loyalty_program:" + std::to_string(out.version),
                       {{"version", out.version}, {"previous_version", current}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<PreviewResult> PreviewPoints(Context& ctx, const json& body) {
  Reader r;
  if (!r.Object(body, "", {"lines", "member", "date", "program"})) return Invalid("the preview has invalid fields", r.errs);
  PreviewResult out;
  LoyaltyProgram program;
  bool program_ok = true;
  if (const json* draft = r.Find(body, "", "program", false)) {
    auto p = ProgramFromJson(*draft, "program");
    if (p.ok()) {
      program = std::move(p).value();
    } else {
      program_ok = false;
      for (const auto& d : p.status().details()) r.errs.push_back(d);
    }
  } else {
    SY_ASSIGN_OR_RETURN(StoredProgram current, GetLoyaltyProgram(ctx));
    program = std::move(current.program);
    out.program_version = current.version;
  }
  const core::Currency cur = program.earning.base_per.currency();

  core::Basket basket;
  if (const json* lines = r.Array(body, "", "lines", true, kMaxLines)) {
    for (size_t i = 0; i < lines->size(); ++i) {
      std::string p = At("lines", i);
      if (!r.Object((*lines)[i], p, {"genre", "amount"})) continue;
      auto genre = r.Str((*lines)[i], p, "genre", true);
      auto amount = r.Int((*lines)[i], p, "amount", true, 0, kMaxAmount);
      if (genre && amount) basket.push_back({*genre, core::Money(*amount, cur)});
    }
  }
  core::MemberFacts member;
  if (const json* m = r.Find(body, "", "member", false)) {
    if (r.Object(*m, "member", {"tier", "birthday", "first_purchase"})) {
      if (auto tier = r.Str(*m, "member", "tier", false)) {
        bool known = tier->empty();
        std::string names;
        for (const auto& t : program.earning.tiers) {
          known = known || t.name == *tier;
          names += (names.empty() ? "" : ", ") + t.name;
        }
        if (!known && program_ok) r.Fail("member.tier", "must be a tier of the program: " + names);
        member.tier = *tier;
      }
      if (const json* b = r.Find(*m, "member", "birthday", false); b && !b->is_null()) {
        if (!b->is_string()) r.Fail("member.birthday", "must be a string or null");
        else if (auto d = r.DateValue(b->get<std::string>(), "member.birthday")) member.birth_month = d->month();
      }
      member.first_purchase = r.Bool(*m, "member", "first_purchase", false).value_or(false);
    }
  }
  auto date = r.Date(body, "", "date", true);
  if (!r.errs.empty()) return Invalid("the preview has invalid fields", r.errs);
  SY_ASSIGN_OR_RETURN(out.earned, core::EarnPoints(program.earning, basket, member, *date));
  return out;
}

}  // namespace shuyou::service
