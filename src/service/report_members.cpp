// The member reports (see report_members.h). SQL runs unchanged on SQLite and PostgreSQL: only
// CASE, SUM, COUNT, substr and CAST, and every value is bound.
#include "service/report_members.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "core/encoding.h"
#include "service/business_day.h"
#include "service/loyalty.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

using json = nlohmann::json;
constexpr int64_t kDayMs = 86'400'000;
constexpr const char* kSettingName = "member_definitions";
// Members counted as current: neither erased nor merged into another member.
constexpr const char* kCurrent = "merged_into IS NULL AND erased_at IS NULL";
// The members RFM scores: exactly the rows of the partial indexes of migration 0019.
constexpr const char* kScored =
    "visits > 0 AND last_visit_at IS NOT NULL AND merged_into IS NULL AND erased_at IS NULL";

std::string SourceOf(const Actor& a) {
  if (a.kind == "staff") return "staff:" + a.name;
  if (a.kind == "api_key") return "api_key:" + a.name;
  return "system";
}

double Share(int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

// "YYYY-MM" ↔ a month number (year × 12 + month − 1).
int MonthIndex(std::string_view ym) {
  return std::stoi(std::string(ym.substr(0, 4))) * 12 + std::stoi(std::string(ym.substr(5, 2))) - 1;
}
std::string MonthName(int idx) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", idx / 12, idx % 12 + 1);
  return buf;
}
std::vector<std::string> MonthsOf(const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  for (int i = MonthIndex(from); i <= MonthIndex(to); ++i) out.push_back(MonthName(i));
  return out;
}

// `day` (YYYY-MM-DD) with the year moved back `years`; 29 February becomes the 28th.
std::string YearsBefore(const std::string& day, int years) {
  int y = std::stoi(day.substr(0, 4)) - years;
  std::string md = day.substr(4);
  if (md == "-02-29") md = "-02-28";
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04d", y);
  return buf + md;
}

Status CheckStore(store::Tx& tx, const std::optional<int64_t>& store_id) {
  if (!store_id) return Status::Ok();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM stores WHERE id = ?", {*store_id}));
  if (rows.empty()) return Invalid("there is no such store", {{"store_id", "no store has this id"}});
  return Status::Ok();
}

// " AND <col> = ?" with its parameter when a store is asked for.
std::string StoreFilter(const std::optional<int64_t>& store_id, const char* col, std::vector<store::Value>& params) {
  if (!store_id) return "";
  params.push_back(*store_id);
  return std::string(" AND ") + col + " = ?";
}

// Members who joined from `from` to `to` (days), by month of joined_on, less those merged away:
// the new members of the members report and the cohort sizes. One COUNT per month over the
// joined_on index (members_joined_on, or members_store_joined with a store): counting a range
// reads the index alone, where grouping a million entries by month costs five times as much. The
// merged members through their partial index (members_merged_into; SQLite is told it, or it
// would read every member of the range).
Result<std::map<std::string, int64_t>> JoinedByMonth(store::Tx& tx, const std::string& from, const std::string& to,
                                                     const std::optional<int64_t>& store_id) {
  std::map<std::string, int64_t> out;
  for (const auto& month : MonthsOf(from.substr(0, 7), to.substr(0, 7))) {
    std::vector<store::Value> p;
    std::string store = StoreFilter(store_id, "home_store_id", p);
    p.push_back(std::max(from, month + "-01"));
    p.push_back(std::min(to, month + "-31"));
    SY_ASSIGN_OR_RETURN(auto n, tx.Exec("SELECT COUNT(*) FROM members WHERE 1 = 1" + store +
                                            " AND joined_on >= ? AND joined_on <= ?",
                                        p));
    if (n[0].Int(0) != 0) out[month] = n[0].Int(0);
  }
  std::vector<store::Value> p;
  std::string store = StoreFilter(store_id, "home_store_id", p);
  p.push_back(from);
  p.push_back(to);
  const char* merged_index = tx.engine() == store::Engine::kSqlite ? " INDEXED BY members_merged_into" : "";
  SY_ASSIGN_OR_RETURN(auto merged, tx.Exec(std::string("SELECT substr(joined_on, 1, 7), COUNT(*) FROM members") +
                                               merged_index + " WHERE merged_into IS NOT NULL" + store +
                                               " AND joined_on >= ? AND joined_on <= ? GROUP BY 1",
                                           p));
  for (const auto& r : merged.rows) out[r.Text(0)] -= r.Int(1);
  return out;
}

json RangeJson(const Context& ctx, const MemberReportQuery& q) {
  return {{"from", q.from}, {"to", q.to}, {"store_id", q.store_id ? json(*q.store_id) : json()},
          {"generated_at", core::FormatIsoUtc(ctx.now())}};
}

Result<StoredMemberDefinitions> LoadDefinitions(store::Tx& tx) {
  StoredMemberDefinitions out;
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT value, updated_at, updated_by FROM report_settings WHERE name = ?",
                                         {std::string(kSettingName)}));
  if (rows.empty()) return out;
  json j = json::parse(rows[0].Text(0), nullptr, false);
  auto defs = DefinitionsFromJson(j);
  if (!defs.ok()) return Internal("stored member definitions are invalid: " + defs.status().message());
  out.defs = *defs;
  out.updated_at = rows[0].Int(1);
  out.updated_by = rows[0].Text(2);
  return out;
}

// ---- RFM ----------------------------------------------------------------------------------

struct SegmentRule {
  const char* name;
  const char* text;
  int r0, r1, f0, f1, m0, m1;  // inclusive score ranges
  bool Holds(int r, int f, int m) const { return r >= r0 && r <= r1 && f >= f0 && f <= f1 && m >= m0 && m <= m1; }
  std::string Sql() const {
    return "(r BETWEEN " + std::to_string(r0) + " AND " + std::to_string(r1) + " AND f BETWEEN " + std::to_string(f0) +
           " AND " + std::to_string(f1) + " AND m BETWEEN " + std::to_string(m0) + " AND " + std::to_string(m1) + ")";
  }
};

// First rule that holds wins; together they cover all 125 score triples.
constexpr std::array<SegmentRule, 11> kSegments = {{
    {"champions", "R≥4, F≥4, M≥4", 4, 5, 4, 5, 4, 5},
    {"loyal", "R≥3, F≥4", 3, 5, 4, 5, 1, 5},
    {"potential_loyalists", "R≥4, F 2–3", 4, 5, 2, 3, 1, 5},
    {"new_customers", "R=5, F=1", 5, 5, 1, 1, 1, 5},
    {"promising", "R=4, F=1", 4, 4, 1, 1, 1, 5},
    {"need_attention", "R=3, F 2–3", 3, 3, 2, 3, 1, 5},
    {"about_to_sleep", "R=3, F=1", 3, 3, 1, 1, 1, 5},
    {"cant_lose_them", "R≤2, F≥4, M≥4", 1, 2, 4, 5, 4, 5},
    {"at_risk", "R≤2, F≥3 (not can't lose them)", 1, 2, 3, 5, 1, 5},
    {"hibernating", "R=2, F≤2", 2, 2, 1, 2, 1, 5},
    {"lost", "R=1, F≤2", 1, 1, 1, 2, 1, 5},
}};
// The report lists segments in this order (best to worst, as marketers read them).
const std::vector<std::string> kSegmentOrder = {"champions",      "loyal",    "potential_loyalists", "new_customers",
                                                "promising",      "need_attention", "about_to_sleep", "at_risk",
                                                "cant_lose_them", "hibernating",    "lost"};

const SegmentRule* FindSegment(std::string_view name) {
  for (const auto& s : kSegments)
    if (name == s.name) return &s;
  return nullptr;
}

std::string SegmentSql(const SegmentRule& want) {
  std::string sql = want.Sql();
  for (const auto& s : kSegments) {
    if (&s == &want) break;
    sql += " AND NOT " + s.Sql();
  }
  return sql;
}

struct Cuts {
  int64_t scored = 0;                  // chain-wide scored members
  std::array<int64_t, 4> r{}, f{}, m{};  // ascending cut points (recency: last_visit_at)
};

// The ⌈i·N/5⌉-th smallest value (i = 1..4) of each measure, read off the partial indexes.
Result<Cuts> ReadCuts(store::Tx& tx) {
  Cuts c;
  SY_ASSIGN_OR_RETURN(auto n, tx.Exec(std::string("SELECT COUNT(*) FROM members WHERE ") + kScored));
  c.scored = n[0].Int(0);
  if (c.scored == 0) return c;
  // SQLite would otherwise take `visits > 0` to the frequency index and sort; the one dialect
  // difference of these reports: SQLite is told the index, PostgreSQL picks it for ORDER BY … LIMIT.
  const bool sqlite = tx.engine() == store::Engine::kSqlite;
  auto read = [&](const char* col, const char* index, std::array<int64_t, 4>& out) -> Status {
    for (int i = 1; i <= 4; ++i) {
      int64_t pos = (i * c.scored + 4) / 5 - 1;  // ⌈iN/5⌉ − 1, 0-based
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + col + " FROM members" +
                                                 (sqlite ? std::string(" INDEXED BY ") + index : "") + " WHERE " +
                                                 kScored + " ORDER BY " + col + " LIMIT 1 OFFSET ?",
                                             {pos}));
      out[i - 1] = rows.empty() ? 0 : rows[0].Int(0);
    }
    return Status::Ok();
  };
  SY_RETURN_IF_ERROR(read("last_visit_at", "members_rfm_recency", c.r));
  SY_RETURN_IF_ERROR(read("visits", "members_rfm_frequency", c.f));
  SY_RETURN_IF_ERROR(read("total_spend", "members_rfm_monetary", c.m));
  return c;
}

// Where the RFM report reads the scored members from (" FROM members" + this). On SQLite: the
// members table in one pass when the scored members are a tenth of its rows or more (reading
// them through an index costs a random page read per member, several times a row of a scan),
// else the partial index members_rfm_frequency, which holds only them. Either way never the
// home-store index SQLite would pick for a store filter: it holds every member of the store and
// reads each row at random. PostgreSQL's planner chooses for itself.
Result<std::string> ScoredMembersSource(store::Tx& tx, const Cuts& c) {
  if (tx.engine() != store::Engine::kSqlite) return std::string();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT MAX(id) FROM members"));
  const int64_t last_id = rows[0].IsNull(0) ? 0 : rows[0].Int(0);
  return std::string(c.scored * 10 >= last_id ? " NOT INDEXED" : " INDEXED BY members_rfm_frequency");
}

// "1 + (col > c1) + … + (col > c4)" with its four parameters.
std::string ScoreSql(const char* col, const std::array<int64_t, 4>& cuts, std::vector<store::Value>& params) {
  std::string sql = "(1";
  for (int64_t c : cuts) {
    sql += std::string(" + CASE WHEN ") + col + " > ? THEN 1 ELSE 0 END";
    params.push_back(c);
  }
  return sql + ")";
}

// ---- loyalty helpers ------------------------------------------------------------------------

struct PointsFlow {
  int64_t earned = 0, redeemed = 0, expired = 0, adjusted_in = 0, adjusted_out = 0, reversed_in = 0, reversed_out = 0;
  void Add(const std::string& kind, int64_t in, int64_t out) {
    if (kind == "earn") earned += in - out;
    else if (kind == "redeem") redeemed += out - in;
    else if (kind == "expire") expired += out - in;
    else if (kind == "adjust") adjusted_in += in, adjusted_out += out;
    else if (kind == "reverse") reversed_in += in, reversed_out += out;
  }
  int64_t Issued() const { return earned + adjusted_in + reversed_in; }
  void Into(json& j) const {
    j["earned"] = earned;
    j["redeemed"] = redeemed;
    j["expired"] = expired;
    j["adjusted_in"] = adjusted_in;
    j["adjusted_out"] = adjusted_out;
    j["reversed_in"] = reversed_in;
    j["reversed_out"] = reversed_out;
    j["issued"] = Issued();
    j["net"] = Issued() - redeemed - expired - adjusted_out - reversed_out;
  }
};

struct ValueFlow {
  int64_t topup = 0, bonus = 0, spend = 0, refund = 0, adjust_in = 0, adjust_out = 0;
  void Add(const std::string& kind, int64_t amount) {
    if (kind == "topup") topup += amount;
    else if (kind == "bonus") bonus += amount;
    else if (kind == "spend") spend -= amount;
    else if (kind == "refund") refund += amount;
    else if (kind == "adjust") (amount >= 0 ? adjust_in : adjust_out) += amount >= 0 ? amount : -amount;
  }
  void Into(json& j) const {
    j["topup"] = topup;
    j["bonus"] = bonus;
    j["spend"] = spend;
    j["refund"] = refund;
    j["adjust_in"] = adjust_in;
    j["adjust_out"] = adjust_out;
    j["net"] = topup + bonus + refund + adjust_in - spend - adjust_out;
  }
};

}  // namespace

// ---- definitions ----------------------------------------------------------------------------

json DefinitionsToJson(const MemberDefinitions& d) {
  return {{"active_days", d.active_days}, {"at_risk_days", d.at_risk_days}, {"lapsed_days", d.lapsed_days},
          {"clv_max_years", d.clv_max_years}};
}

Result<MemberDefinitions> DefinitionsFromJson(const json& j) {
  if (!j.is_object()) return Invalid("the member definitions must be a JSON object");
  std::vector<FieldError> errs;
  static const std::set<std::string> kKnown = {"active_days", "at_risk_days", "lapsed_days", "clv_max_years"};
  for (const auto& [k, v] : j.items())
    if (!kKnown.count(k)) errs.push_back({k, "is not a known field"});
  MemberDefinitions d;
  auto read = [&](const char* key, int64_t lo, int64_t hi, int64_t& out) {
    if (!j.contains(key)) return errs.push_back({key, "is required"});
    const auto& v = j[key];
    if (!v.is_number_integer()) return errs.push_back({key, "must be an integer"});
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) return errs.push_back({key, "must be " + std::to_string(lo) + " to " + std::to_string(hi)});
    out = x;
  };
  read("active_days", 1, 3650, d.active_days);
  read("at_risk_days", 1, 3650, d.at_risk_days);
  read("lapsed_days", 1, 3650, d.lapsed_days);
  read("clv_max_years", 1, 50, d.clv_max_years);
  if (errs.empty()) {
    if (d.at_risk_days <= d.active_days) errs.push_back({"at_risk_days", "must be more than active_days"});
    if (d.lapsed_days <= d.at_risk_days) errs.push_back({"lapsed_days", "must be more than at_risk_days"});
  }
  if (!errs.empty()) return Invalid("the member definitions have invalid fields", errs);
  return d;
}

Result<StoredMemberDefinitions> GetMemberDefinitions(Context& ctx) {
  StoredMemberDefinitions out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadDefinitions(tx));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StoredMemberDefinitions> SaveMemberDefinitions(Context& ctx, const Actor& actor, const MemberDefinitions& d) {
  StoredMemberDefinitions out{d, ctx.now(), SourceOf(actor)};
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto before, LoadDefinitions(tx));
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO report_settings (name, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                               "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                               {std::string(kSettingName), DefinitionsToJson(d).dump(), *out.updated_at, out.updated_by})
                           .status());
    return RecordAudit(tx, ctx, actor, "report.member_definitions.update", "report_settings:member_definitions",
                       {{"before", DefinitionsToJson(before.defs)}, {"after", DefinitionsToJson(d)}});
  });
  if (!st.ok()) return st;
  return out;
}

// ---- members --------------------------------------------------------------------------------

Result<json> MembersReport(Context& ctx, const MemberReportQuery& q) {
  json out = RangeJson(ctx, q);
  int64_t now = ctx.now();
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStore(tx, q.store_id));
    SY_ASSIGN_OR_RETURN(auto stored, LoadDefinitions(tx));
    const MemberDefinitions& d = stored.defs;
    out["definitions"] = DefinitionsToJson(d);
    const std::vector<std::string> months = MonthsOf(q.from, q.to);
    const std::string first_month = months.front(), last_month = months.back();

    // Age band on the `to` day from the birthday: the cut for "at least A years old" is the day
    // A years before `to`.
    static const std::array<std::pair<const char*, int>, 6> kBands = {
        {{"under_18", 18}, {"18_24", 25}, {"25_34", 35}, {"35_44", 45}, {"45_54", 55}, {"55_64", 65}}};
    static const std::vector<std::string> kBandOrder = {"under_18", "18_24", "25_34", "35_44",
                                                        "45_54",    "55_64", "65_plus", "unknown"};
    static const std::vector<std::string> kGenderOrder = {"female", "male", "other", "unknown"};
    auto band_sql = [&](const char* col, std::vector<store::Value>& params) {
      std::string sql = std::string("CASE WHEN ") + col + " IS NULL OR " + col + " = '' THEN 'unknown'";
      for (const auto& [name, age] : kBands) {
        sql += std::string(" WHEN ") + col + " > ? THEN '" + name + "'";
        params.push_back(YearsBefore(q.to, age));
      }
      return sql + " ELSE '65_plus' END";
    };

    // The age × gender groups from the member-group aggregates (report_member_groups.h):
    // members, buyers and spend by birthday; the active ones by the day of their last visit,
    // where only the day the threshold falls in is read from members (members_live_visit).
    const int64_t active_from = now - d.active_days * kDayMs, risk_from = now - d.at_risk_days * kDayMs,
                  lapsed_before = now - d.lapsed_days * kDayMs;
    const char* kGender = "CASE WHEN gender IS NULL OR gender = '' THEN 'unknown' ELSE gender END";
    struct Demo {
      int64_t members = 0, active = 0, buyers = 0, spend = 0;
      std::map<std::string, int64_t> genres;
    };
    std::map<std::string, Demo> by_band, by_gender;
    auto add = [&](const std::string& band, const std::string& gender, auto fn) {
      fn(by_band[band]);
      fn(by_gender[gender]);
    };
    std::vector<store::Value> p;
    std::string band = band_sql("birthday", p);
    SY_ASSIGN_OR_RETURN(auto groups, tx.Exec("SELECT " + band + ", " + kGender + ", SUM(members), SUM(buyers), SUM(spend) "
                                             "FROM report_member_groups WHERE 1 = 1" +
                                                 StoreFilter(q.store_id, "store_id", p) + " GROUP BY 1, 2",
                                             p));
    int64_t current = 0;
    for (const auto& r : groups.rows) {
      current += r.Int(2);
      add(r.Text(0), r.Text(1), [&](Demo& g) { g.members += r.Int(2), g.buyers += r.Int(3), g.spend += r.Int(4); });
    }
    const int64_t active_day = active_from / kDayMs;
    p.clear();
    band = band_sql("birthday", p);
    p.push_back(active_day);
    SY_ASSIGN_OR_RETURN(auto active_days, tx.Exec("SELECT " + band + ", " + kGender + ", SUM(members) "
                                                  "FROM report_member_visit_days WHERE visit_day > ?" +
                                                      StoreFilter(q.store_id, "store_id", p) + " GROUP BY 1, 2",
                                                  p));
    p.clear();
    band = band_sql("birthday", p);
    p.push_back(active_from);
    p.push_back((active_day + 1) * kDayMs);
    SY_ASSIGN_OR_RETURN(auto active_edge,
                        tx.Exec("SELECT " + band + ", " + kGender + ", COUNT(*) FROM members "
                                "WHERE last_visit_at >= ? AND last_visit_at < ? AND " + std::string(kCurrent) +
                                    StoreFilter(q.store_id, "home_store_id", p) + " GROUP BY 1, 2",
                                p));
    for (const auto* rows : {&active_days, &active_edge})
      for (const auto& r : rows->rows) add(r.Text(0), r.Text(1), [&](Demo& g) { g.active += r.Int(2); });

    // Status now: counts of ranges of last_visit_at, each one index range (members_live_visit,
    // or members_live_store_visit with a store).
    std::vector<int64_t> counts;
    for (std::optional<int64_t> from : {std::optional<int64_t>(active_from), std::optional<int64_t>(risk_from),
                                        std::optional<int64_t>(lapsed_before), std::optional<int64_t>()}) {
      p.clear();
      std::string where = StoreFilter(q.store_id, "home_store_id", p);
      if (from) p.push_back(*from);
      SY_ASSIGN_OR_RETURN(auto c, tx.Exec("SELECT COUNT(*) FROM members WHERE " + std::string(kCurrent) + where +
                                              (from ? " AND last_visit_at >= ?" : " AND last_visit_at IS NOT NULL"),
                                          p));
      counts.push_back(c[0].Int(0));
    }
    out["status"] = {{"total", current},
                     {"active", counts[0]},
                     {"at_risk", counts[1] - counts[0]},
                     {"dormant", counts[2] - counts[1]},
                     {"lapsed", counts[3] - counts[2]},
                     {"never_bought", current - counts[3]}};

    // Genre preferences of each group: all-time spend per genre (member_genres), by birth month
    // except the months an age-band cut falls in, which are read by birthday.
    std::vector<std::string> cut_months;
    for (const auto& [name, age] : kBands) cut_months.push_back(YearsBefore(q.to, age).substr(0, 7));
    std::vector<store::Value> gp;
    std::string month_band = band_sql("birth_month", gp), not_cut;
    for (const auto& m : cut_months) {
      not_cut += not_cut.empty() ? "?" : ", ?";
      gp.push_back(m);
    }
    SY_ASSIGN_OR_RETURN(auto genre_rows, tx.Exec("SELECT " + month_band + ", " + kGender + ", genre, SUM(spend) "
                                                 "FROM report_member_genres WHERE birth_month NOT IN (" + not_cut + ")" +
                                                     StoreFilter(q.store_id, "store_id", gp) + " GROUP BY 1, 2, 3",
                                                 gp));
    gp.clear();
    std::string day_band = band_sql("birthday", gp), in_cut;
    for (const auto& m : cut_months) {
      in_cut += std::string(in_cut.empty() ? "" : " OR ") + "(birthday >= ? AND birthday <= ?)";
      gp.push_back(m + "-01");
      gp.push_back(m + "-31");
    }
    SY_ASSIGN_OR_RETURN(auto genre_days, tx.Exec("SELECT " + day_band + ", " + kGender + ", genre, SUM(spend) "
                                                 "FROM report_member_genre_days WHERE (" + in_cut + ")" +
                                                     StoreFilter(q.store_id, "store_id", gp) + " GROUP BY 1, 2, 3",
                                                 gp));
    for (const auto* rows : {&genre_rows, &genre_days})
      for (const auto& r : rows->rows)
        add(r.Text(0), r.Text(1), [&](Demo& g) { g.genres[r.Text(2)] += r.Int(3); });
    auto demo_json = [](const char* key, const std::string& name, const Demo& g) {
      std::vector<std::pair<std::string, int64_t>> genres(g.genres.begin(), g.genres.end());
      int64_t total = 0;
      for (const auto& [_, s] : genres) total += s;
      std::stable_sort(genres.begin(), genres.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      json top = json::array();
      for (size_t i = 0; i < genres.size() && i < 3; ++i)
        if (genres[i].second > 0)
          top.push_back({{"genre", genres[i].first}, {"spend", genres[i].second}, {"share", Share(genres[i].second, total)}});
      return json{{key, name},          {"members", g.members},     {"active", g.active},
                  {"buyers", g.buyers}, {"total_spend", g.spend}, {"top_genres", top}};
    };
    out["age_bands"] = json::array();
    for (const auto& b : kBandOrder) out["age_bands"].push_back(demo_json("band", b, by_band[b]));
    out["genders"] = json::array();
    for (const auto& g : kGenderOrder) out["genders"].push_back(demo_json("gender", g, by_gender[g]));

    // By month.
    struct Month {
      int64_t new_members = 0, buyers = 0, first = 0, visits = 0, spend = 0, net = 0, member_net = 0;
    };
    std::map<std::string, Month> by_month;
    // New members: all who joined in the range, less the few merged away.
    SY_ASSIGN_OR_RETURN(auto joined, JoinedByMonth(tx, q.from, q.to, q.store_id));
    for (const auto& [month, n] : joined) by_month[month].new_members = n;
    // Buyers, first-time buyers, visits and spend by month: the cohort rows summed over cohorts
    // (report_cohorts is keyed by the members' home store too, migration 0024).
    p = {first_month, last_month};
    SY_ASSIGN_OR_RETURN(auto cohort_months,
                        tx.Exec("SELECT month, SUM(members), SUM(first_buyers), SUM(visits), SUM(spend) "
                                "FROM report_cohorts WHERE month >= ? AND month <= ?" +
                                    StoreFilter(q.store_id, "store_id", p) + " GROUP BY month",
                                p));
    for (const auto& r : cohort_months.rows) {
      auto& m = by_month[r.Text(0)];
      m.buyers = r.Int(1), m.first = r.Int(2), m.visits = r.Int(3), m.spend = r.Int(4);
    }
    p = {q.from, q.to};
    SY_ASSIGN_OR_RETURN(auto sales, tx.Exec("SELECT substr(business_day, 1, 7), SUM(net), SUM(member_net) "
                                            "FROM report_sales_hourly WHERE business_day >= ? AND business_day <= ?" +
                                                StoreFilter(q.store_id, "store_id", p) + " GROUP BY 1",
                                            p));
    for (const auto& r : sales.rows) {
      auto& m = by_month[r.Text(0)];
      m.net = r.Int(1), m.member_net = r.Int(2);
    }
    Month total;
    out["months"] = json::array();
    for (const auto& name : months) {
      const Month& m = by_month[name];
      out["months"].push_back({{"month", name},
                               {"new_members", m.new_members},
                               {"buyers", m.buyers},
                               {"first_time_buyers", m.first},
                               {"returning_buyers", m.buyers - m.first},
                               {"visits", m.visits},
                               {"member_spend", m.spend},
                               {"sales_net", m.net},
                               {"member_sales_net", m.member_net},
                               {"member_share", Share(m.member_net, m.net)}});
      total.new_members += m.new_members, total.visits += m.visits, total.spend += m.spend;
      total.net += m.net, total.member_net += m.member_net;
    }

    // Distinct buyers over the months of the range, and those with two purchases or more: each
    // buyer's first month with a visit in the range is the one whose previous visit month is
    // before the range, and they bought again in the range when the next visit after that
    // month's first one is in it (migration 0024). One range of the index
    // report_member_months_buyers per store and month; the chain is every store and 0 (none).
    p = {first_month, last_month};  // the repeat buyers' next visit
    std::string stores = "?";
    if (q.store_id) {
      p.push_back(*q.store_id);
    } else {
      p.push_back(int64_t(0));
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec("SELECT id FROM stores"));
      for (const auto& r : ids.rows) {
        stores += ", ?";
        p.push_back(r.Int(0));
      }
    }
    std::string in_months;
    for (const auto& m : months) {
      in_months += in_months.empty() ? "?" : ", ?";
      p.push_back(m);
    }
    p.push_back(first_month);
    SY_ASSIGN_OR_RETURN(auto rep, tx.Exec("SELECT COUNT(*), SUM(CASE WHEN next_visit_month >= ? AND next_visit_month <= ? "
                                          "THEN 1 ELSE 0 END) FROM report_member_months WHERE store_id IN (" + stores +
                                              ") AND month IN (" + in_months + ") AND prev_visit_month < ?",
                                          p));
    int64_t buyers = rep[0].Int(0), repeat = rep[0].Int(1);
    out["totals"] = {{"new_members", total.new_members},
                     {"buyers", buyers},
                     {"repeat_buyers", repeat},
                     {"repeat_purchase_rate", Share(repeat, buyers)},
                     {"visits", total.visits},
                     {"member_spend", total.spend},
                     {"sales_net", total.net},
                     {"member_sales_net", total.member_net},
                     {"member_share", Share(total.member_net, total.net)}};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---- RFM ------------------------------------------------------------------------------------

const std::vector<std::string>& RfmSegmentNames() { return kSegmentOrder; }

std::string RfmSegmentOf(int r, int f, int m) {
  for (const auto& s : kSegments)
    if (s.Holds(r, f, m)) return s.name;
  return "lost";  // unreachable: the rules cover every triple
}

Result<json> RfmReport(Context& ctx, const MemberReportQuery& q) {
  json out = RangeJson(ctx, q);
  const int64_t now = ctx.now();
  SY_ASSIGN_OR_RETURN(core::Date today, Today(ctx));
  const int now_month = static_cast<int>(today.year()) * 12 + static_cast<int>(static_cast<unsigned>(today.month())) - 1;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStore(tx, q.store_id));
    SY_ASSIGN_OR_RETURN(auto stored, LoadDefinitions(tx));
    const MemberDefinitions& d = stored.defs;
    out["definitions"] = DefinitionsToJson(d);
    out["scope"] = "all_time";
    SY_ASSIGN_OR_RETURN(Cuts cuts, ReadCuts(tx));
    SY_ASSIGN_OR_RETURN(std::string source, ScoredMembersSource(tx, cuts));
    json recency_days = json::array();
    for (int64_t c : cuts.r) recency_days.push_back(cuts.scored ? (now - c) / kDayMs : 0);
    out["cut_points"] = {{"recency_days", recency_days}, {"frequency", cuts.f}, {"monetary", cuts.m}};

    std::vector<store::Value> p;
    std::string r = ScoreSql("last_visit_at", cuts.r, p);
    std::string f = ScoreSql("visits", cuts.f, p);
    std::string m = ScoreSql("total_spend", cuts.m, p);
    p.push_back(now);
    p.push_back(now - d.lapsed_days * kDayMs);
    p.push_back(static_cast<int64_t>(now_month));
    std::string sql =
        "SELECT r, f, m, COUNT(*), SUM(total_spend), SUM(visits), SUM(days), SUM(lapsed), SUM(tenure) FROM "
        "(SELECT " + r + " AS r, " + f + " AS f, " + m + " AS m, total_spend, visits, "
        "(CAST(? AS BIGINT) - last_visit_at) / 86400000 AS days, "
        "CASE WHEN last_visit_at < ? THEN 1 ELSE 0 END AS lapsed, "
        "CASE WHEN joined_on IS NULL THEN 1 ELSE CAST(? AS BIGINT) - (CAST(substr(joined_on, 1, 4) AS INTEGER) * 12 + "
        "CAST(substr(joined_on, 6, 2) AS INTEGER) - 1) + 1 END AS tenure "
        "FROM members" + source + " WHERE " + std::string(kScored) + StoreFilter(q.store_id, "home_store_id", p) +
        ") t GROUP BY r, f, m";
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, p));
    struct Agg {
      int64_t members = 0, revenue = 0, visits = 0, days = 0;
    };
    std::map<std::string, Agg> seg;
    std::map<std::pair<int, int>, Agg> grid;
    int64_t scored = 0, revenue = 0, visits = 0, lapsed = 0, tenure_months = 0;
    for (const auto& row : rows.rows) {
      int rs = static_cast<int>(row.Int(0)), fs = static_cast<int>(row.Int(1)), ms = static_cast<int>(row.Int(2));
      Agg a{row.Int(3), row.Int(4), row.Int(5), row.Int(6)};
      for (Agg* into : {&seg[RfmSegmentOf(rs, fs, ms)], &grid[{rs, fs}]}) {
        into->members += a.members, into->revenue += a.revenue, into->visits += a.visits, into->days += a.days;
      }
      scored += a.members, revenue += a.revenue, visits += a.visits, lapsed += row.Int(7);
      // A member who joined in a later month than now (clock skew) still counts one month.
      tenure_months += std::max<int64_t>(row.Int(8), a.members);
    }
    out["scored_members"] = scored;
    out["revenue"] = revenue;
    out["segments"] = json::array();
    for (const auto& name : kSegmentOrder) {
      const Agg& a = seg[name];
      out["segments"].push_back({{"segment", name},
                                 {"rule", FindSegment(name)->text},
                                 {"members", a.members},
                                 {"share", Share(a.members, scored)},
                                 {"revenue", a.revenue},
                                 {"revenue_share", Share(a.revenue, revenue)},
                                 {"avg_spend", a.members ? a.revenue / a.members : 0},
                                 {"avg_visits", Share(a.visits, a.members)},
                                 {"avg_days_since_last_purchase", Share(a.days, a.members)}});
    }
    out["grid"] = json::array();
    for (int rs = 1; rs <= 5; ++rs)
      for (int fs = 1; fs <= 5; ++fs) {
        const Agg& a = grid[{rs, fs}];
        out["grid"].push_back({{"r", rs}, {"f", fs}, {"members", a.members}, {"revenue", a.revenue}});
      }
    double aov = Share(revenue, visits);
    double per_year = tenure_months ? static_cast<double>(visits) / (static_cast<double>(tenure_months) / 12.0) : 0.0;
    double churn = Share(lapsed, scored);
    double life = churn > 0 ? std::min(static_cast<double>(d.clv_max_years), 1.0 / churn) : static_cast<double>(d.clv_max_years);
    out["clv"] = {{"average_order_value", static_cast<int64_t>(aov)},
                  {"purchases_per_year", per_year},
                  {"churn_rate", churn},
                  {"expected_lifetime_years", life},
                  {"clv", static_cast<int64_t>(aov * per_year * life)},
                  {"annual_value", static_cast<int64_t>(aov * per_year)}};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<RfmMember>> ListRfmSegment(Context& ctx, const std::string& segment, std::optional<int64_t> store_id,
                                       const PageQuery& page) {
  const SegmentRule* rule = FindSegment(segment);
  if (!rule) {
    std::string names;
    for (const auto& n : kSegmentOrder) names += (names.empty() ? "" : ", ") + n;
    return Invalid("unknown RFM segment", {{"segment", "must be one of " + names}});
  }
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page,
                                             {{"id", "id", true},
                                              {"total_spend", "total_spend", true},
                                              {"visits", "visits", true},
                                              {"last_purchase_at", "last_visit_at", true}},
                                             "id", "id"));
  const int64_t now = ctx.now();
  Page<RfmMember> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStore(tx, store_id));
    SY_ASSIGN_OR_RETURN(Cuts cuts, ReadCuts(tx));
    std::vector<store::Value> p;
    std::string r = ScoreSql("last_visit_at", cuts.r, p);
    std::string f = ScoreSql("visits", cuts.f, p);
    std::string m = ScoreSql("total_spend", cuts.m, p);
    std::string sql = "SELECT id, card_number, name, phone, email, home_store_id, tier, consent_email, consent_sms, "
                      "last_visit_at, visits, total_spend, r, f, m FROM (SELECT id, card_number, name, phone, email, "
                      "home_store_id, tier, consent_email, consent_sms, last_visit_at, visits, total_spend, " +
                      r + " AS r, " + f + " AS f, " + m + " AS m FROM members WHERE " + kScored +
                      StoreFilter(store_id, "home_store_id", p) + ") t WHERE " + SegmentSql(*rule) + " AND " + ks.where +
                      " " + ks.order;
    p.insert(p.end(), ks.params.begin(), ks.params.end());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, p));
    size_t sort_idx = ks.column.name == "total_spend" ? 11 : ks.column.name == "visits" ? 10
                      : ks.column.name == "last_purchase_at"                            ? 9
                                                                                        : 0;
    out.next_cursor = TakePage(ks, rows, sort_idx, 0);
    for (const auto& row : rows.rows) {
      RfmMember x;
      x.id = row.Int(0);
      x.card_number = row.Text(1);
      x.name = row.Text(2);
      x.phone = row.Text(3);
      x.email = row.OptText(4);
      x.home_store_id = row.OptInt(5);
      x.tier = row.Text(6);
      x.consent_email = row.Int(7) != 0;
      x.consent_sms = row.Int(8) != 0;
      x.last_purchase_at = row.Int(9);
      x.days_since_last_purchase = (now - x.last_purchase_at) / kDayMs;
      x.visits = row.Int(10);
      x.total_spend = row.Int(11);
      x.r = static_cast<int>(row.Int(12));
      x.f = static_cast<int>(row.Int(13));
      x.m = static_cast<int>(row.Int(14));
      x.segment = segment;
      out.items.push_back(std::move(x));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---- cohorts --------------------------------------------------------------------------------

Result<json> CohortsReport(Context& ctx, const MemberReportQuery& q) {
  json out = RangeJson(ctx, q);
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStore(tx, q.store_id));
    const std::vector<std::string> cohorts = MonthsOf(q.from, q.to);
    const std::string first = cohorts.front(), last = cohorts.back();
    struct Cell {
      int64_t active = 0, first = 0, visits = 0, spend = 0;
    };
    std::map<std::string, int64_t> size;
    std::map<std::pair<std::string, std::string>, Cell> cells;  // (cohort, month)
    std::map<std::string, int64_t> cohort_buyers;
    // Cohort sizes: the members who joined in the months, less the few merged away.
    SY_ASSIGN_OR_RETURN(size, JoinedByMonth(tx, first + "-01", last + "-31", q.store_id));
    std::vector<store::Value> p;
    // Buyers of a cohort in any month shown: report_cohorts.buyers counts a member once, in
    // their first month with a visit on or after joining, so the months shown add up. The rows
    // are keyed by the members' home store too (migration 0024): the chain sums the stores.
    p = {first, last, last};
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT cohort, month, SUM(members), SUM(first_buyers), SUM(visits), "
                                           "SUM(spend), SUM(buyers) FROM report_cohorts "
                                           "WHERE cohort >= ? AND cohort <= ? AND month >= cohort AND month <= ?" +
                                               StoreFilter(q.store_id, "store_id", p) + " GROUP BY cohort, month",
                                           p));
    for (const auto& r : rows.rows) {
      cells[{r.Text(0), r.Text(1)}] = {r.Int(2), r.Int(3), r.Int(4), r.Int(5)};
      cohort_buyers[r.Text(0)] += r.Int(6);
    }
    std::map<int, std::pair<int64_t, int64_t>> by_offset;  // offset → (Σ active, Σ size)
    std::map<int, int64_t> reach;
    out["cohorts"] = json::array();
    for (const auto& cohort : cohorts) {
      int64_t n = size[cohort];
      json months = json::array();
      int64_t spend = 0;
      for (int i = MonthIndex(cohort); i <= MonthIndex(last); ++i) {
        std::string month = MonthName(i);
        const Cell& c = cells[{cohort, month}];
        int offset = i - MonthIndex(cohort);
        months.push_back({{"month", month}, {"offset", offset}, {"active", c.active}, {"rate", Share(c.active, n)},
                          {"first_buyers", c.first}, {"visits", c.visits}, {"spend", c.spend}});
        spend += c.spend;
        by_offset[offset].first += c.active;
        by_offset[offset].second += n;
        reach[offset] += 1;
      }
      out["cohorts"].push_back(
          {{"cohort", cohort}, {"size", n}, {"buyers", cohort_buyers[cohort]}, {"spend", spend}, {"months", months}});
    }
    out["average_rates"] = json::array();
    for (const auto& [offset, sums] : by_offset)
      out["average_rates"].push_back({{"offset", offset}, {"rate", Share(sums.first, sums.second)}, {"cohorts", reach[offset]}});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// ---- loyalty --------------------------------------------------------------------------------

Result<json> LoyaltyReport(Context& ctx, const MemberReportQuery& q) {
  json out = RangeJson(ctx, q);
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStore(tx, q.store_id));
    SY_ASSIGN_OR_RETURN(StoredProgram program, GetLoyaltyProgram(tx));
    const std::vector<std::string> months = MonthsOf(q.from, q.to);
    out["points_scope"] = "chain";

    std::map<std::string, PointsFlow> points;
    PointsFlow points_total;
    SY_ASSIGN_OR_RETURN(auto prow, tx.Exec("SELECT substr(business_day, 1, 7), kind, SUM(points_in), SUM(points_out) "
                                           "FROM report_points_daily WHERE business_day >= ? AND business_day <= ? "
                                           "GROUP BY 1, 2",
                                           {q.from, q.to}));
    for (const auto& r : prow.rows) {
      points[r.Text(0)].Add(r.Text(1), r.Int(2), r.Int(3));
      points_total.Add(r.Text(1), r.Int(2), r.Int(3));
    }
    out["points_months"] = json::array();
    for (const auto& m : months) {
      json j = {{"month", m}};
      points[m].Into(j);
      out["points_months"].push_back(j);
    }
    json totals = json::object();
    points_total.Into(totals);
    out["points_totals"] = totals;

    // Balances and tiers now, in one pass over the index members_live_balances (migration 0023),
    // which holds every column read here for the current members, in (home store, tier) order:
    // no member row is read and no sort is needed. SQLite is told the index (it would otherwise
    // walk another index of members and read every member row).
    std::vector<store::Value> p;
    const char* balances_index = tx.engine() == store::Engine::kSqlite ? " INDEXED BY members_live_balances" : "";
    SY_ASSIGN_OR_RETURN(auto trows, tx.Exec("SELECT tier, COUNT(*), SUM(points_balance), "
                                            "SUM(CASE WHEN points_balance > 0 THEN 1 ELSE 0 END), SUM(stored_value_balance), "
                                            "SUM(CASE WHEN stored_value_balance > 0 THEN 1 ELSE 0 END) FROM members" +
                                                std::string(balances_index) + " WHERE " + std::string(kCurrent) +
                                                StoreFilter(q.store_id, "home_store_id", p) +
                                                " GROUP BY home_store_id, tier",
                                            p));
    std::map<std::string, int64_t> tier_members;
    int64_t members = 0, outstanding = 0, holders = 0, sv = 0, sv_holders = 0;
    for (const auto& r : trows.rows) {
      tier_members[r.Text(0)] += r.Int(1);
      members += r.Int(1), outstanding += r.Int(2), holders += r.Int(3), sv += r.Int(4), sv_holders += r.Int(5);
    }
    const auto& rate = program.program.points_payment;
    out["outstanding"] = {{"points", outstanding},
                          {"members", holders},
                          {"liability", rate.points > 0 ? outstanding * rate.worth.minor() / rate.points : 0},
                          {"per_points", rate.points},
                          {"worth", rate.worth.minor()},
                          {"currency", std::string(rate.worth.currency().code)}};
    std::map<std::string, int> rank;
    std::vector<std::string> tier_order;
    for (const auto& t : program.program.earning.tiers) {
      rank[t.name] = static_cast<int>(tier_order.size());
      tier_order.push_back(t.name);
    }
    for (const auto& [name, _] : tier_members)
      if (!rank.count(name)) tier_order.push_back(name);  // a tier no longer in the program
    out["tiers"] = json::array();
    for (const auto& t : tier_order)
      out["tiers"].push_back({{"tier", t}, {"members", tier_members[t]}, {"share", Share(tier_members[t], members)}});

    // Tier movements by month. Tiers not in the program rank below every tier in it.
    p = {q.from, q.to};
    std::string join = q.store_id ? " JOIN members m ON m.id = h.member_id" : "";
    SY_ASSIGN_OR_RETURN(auto hrows, tx.Exec("SELECT substr(h.day, 1, 7), h.from_tier, h.to_tier, COUNT(*) FROM tier_history h" +
                                                join + " WHERE h.day >= ? AND h.day <= ?" +
                                                StoreFilter(q.store_id, "m.home_store_id", p) + " GROUP BY 1, 2, 3",
                                            p));
    struct Moves {
      int64_t up = 0, down = 0;
      std::vector<std::tuple<std::string, std::string, int64_t>> pairs;
    };
    std::map<std::string, Moves> moves;
    int64_t ups = 0, downs = 0;
    auto rank_of = [&](const std::string& t) { return rank.count(t) ? rank[t] : -1; };
    for (const auto& r : hrows.rows) {
      Moves& m = moves[r.Text(0)];
      int from = rank_of(r.Text(1)), to = rank_of(r.Text(2));
      int64_t n = r.Int(3);
      if (to > from) m.up += n, ups += n;
      if (to < from) m.down += n, downs += n;
      m.pairs.emplace_back(r.Text(1), r.Text(2), n);
    }
    out["tier_months"] = json::array();
    for (const auto& month : months) {
      Moves& m = moves[month];
      std::stable_sort(m.pairs.begin(), m.pairs.end(),
                       [](const auto& a, const auto& b) { return std::get<2>(a) > std::get<2>(b); });
      json pairs = json::array();
      for (const auto& [from, to, n] : m.pairs) pairs.push_back({{"from", from}, {"to", to}, {"count", n}});
      out["tier_months"].push_back({{"month", month}, {"upgrades", m.up}, {"downgrades", m.down}, {"moves", pairs}});
    }
    out["tier_totals"] = {{"upgrades", ups}, {"downgrades", downs}};

    // Stored-value flows: the ledger is small, and its rows carry only a UTC time, so the rows
    // of a slightly wider UTC window are read and kept when their business day is in the range.
    SY_ASSIGN_OR_RETURN(core::Date from_day, ParseDay(q.from));
    SY_ASSIGN_OR_RETURN(core::Date to_day, ParseDay(q.to));
    int64_t lo = std::chrono::sys_days(from_day).time_since_epoch().count() * kDayMs - 2 * kDayMs;
    int64_t hi = (std::chrono::sys_days(to_day).time_since_epoch().count() + 3) * kDayMs;
    p = {lo, hi};
    join = q.store_id ? " JOIN members m ON m.id = l.member_id" : "";
    SY_ASSIGN_OR_RETURN(auto vrows, tx.Exec("SELECT l.at, l.kind, l.amount FROM stored_value_ledger l" + join +
                                                " WHERE l.at >= ? AND l.at < ?" +
                                                StoreFilter(q.store_id, "m.home_store_id", p),
                                            p));
    std::map<std::string, ValueFlow> vmonths;
    ValueFlow vtotal;
    for (const auto& r : vrows.rows) {
      SY_ASSIGN_OR_RETURN(core::Date day, BusinessDay(ctx, r.Int(0)));
      std::string d = FormatDay(day);
      if (d < q.from || d > q.to) continue;
      vmonths[d.substr(0, 7)].Add(r.Text(1), r.Int(2));
      vtotal.Add(r.Text(1), r.Int(2));
    }
    json flows = json::object();
    vtotal.Into(flows);
    json vm = json::array();
    for (const auto& month : months) {
      json j = {{"month", month}};
      vmonths[month].Into(j);
      vm.push_back(j);
    }
    out["stored_value"] = {{"liability", sv}, {"members", sv_holders}, {"flows", flows}, {"months", vm}};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
