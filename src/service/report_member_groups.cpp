// The member-group aggregates (see report_member_groups.h). One description per table (its key
// and sum expressions over members m, and member_genres g for the genre tables) drives the feed,
// the rebuild and the check, so all three follow one definition. The first key column of each
// table is a member's own value (birthday, birth month or last-visit day), which lets a withdraw
// drop the rows it emptied with a primary-key range instead of a scan.
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr const char* kCurrent = "m.merged_into IS NULL AND m.erased_at IS NULL";
constexpr size_t kChunk = 500;

struct Col {
  const char* name;
  const char* expr;  // over members m (and member_genres g)
  bool text;
};
struct Shape {
  const char* table;
  std::vector<Col> keys;
  std::vector<Col> sums;
  const char* from;   // FROM … WHERE, current members only
};

const std::vector<Shape>& Shapes() {
  static const Col kStore{"store_id", "COALESCE(m.home_store_id, 0)", false};
  static const Col kGender{"gender", "COALESCE(m.gender, '')", true};
  static const Col kBirthday{"birthday", "COALESCE(m.birthday, '')", true};
  static const std::string members = std::string("members m WHERE ") + kCurrent;
  static const std::string genres = std::string("member_genres g JOIN members m ON m.id = g.member_id WHERE ") + kCurrent;
  static const std::string visited = members + " AND m.last_visit_at IS NOT NULL";
  static const std::vector<Shape> shapes = {
      {"report_member_groups",
       {kBirthday, kStore, kGender},
       {{"members", "COUNT(*)", false},
        {"buyers", "SUM(CASE WHEN m.visits > 0 THEN 1 ELSE 0 END)", false},
        {"spend", "SUM(m.total_spend)", false}},
       members.c_str()},
      {"report_member_visit_days",
       {{"visit_day", "m.last_visit_at / 86400000", false}, kStore, kGender, kBirthday},
       {{"members", "COUNT(*)", false}},
       visited.c_str()},
      {"report_member_genres",
       {{"birth_month", "COALESCE(substr(m.birthday, 1, 7), '')", true}, kStore, kGender, {"genre", "g.genre", true}},
       {{"spend", "SUM(g.spend)", false}},
       genres.c_str()},
      {"report_member_genre_days",
       {kBirthday, kStore, kGender, {"genre", "g.genre", true}},
       {{"spend", "SUM(g.spend)", false}},
       genres.c_str()},
  };
  return shapes;
}

std::string Names(const std::vector<Col>& cols, const std::string& prefix = "", const std::string& sep = ", ") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : sep) + prefix + c.name;
  return out;
}

// Adds (sign "") or subtracts (sign "-") the members matching `filter` (" AND …" over m) to `table`.
std::string UpsertSql(const Shape& s, const std::string& table, const char* sign, const std::string& filter) {
  std::string cols = Names(s.keys) + ", " + Names(s.sums), select, group, set;
  for (size_t i = 0; i < s.keys.size(); ++i) {
    select += std::string(s.keys[i].expr) + ", ";
    group += (i ? ", " : "") + std::to_string(i + 1);
  }
  for (size_t i = 0; i < s.sums.size(); ++i) {
    select += std::string(i ? ", " : "") + sign + s.sums[i].expr;
    set += std::string(i ? ", " : "") + s.sums[i].name + " = " + table + "." + s.sums[i].name + " + excluded." +
           s.sums[i].name;
  }
  return "INSERT INTO " + table + " (" + cols + ") SELECT " + select + " FROM " + s.from + filter + " GROUP BY " +
         group + " ON CONFLICT (" + Names(s.keys) + ") DO UPDATE SET " + set;
}

// " AND m.id IN (?, …)" for ids[begin, end).
std::string IdFilter(const std::vector<int64_t>& ids, size_t begin, size_t end, std::vector<store::Value>& params) {
  std::string sql = " AND m.id IN (";
  for (size_t i = begin; i < end; ++i) {
    sql += i == begin ? "?" : ", ?";
    params.push_back(ids[i]);
  }
  return sql + ")";
}

Status Apply(store::Tx& tx, const std::vector<int64_t>& ids, bool withdraw) {
  for (size_t begin = 0; begin < ids.size(); begin += kChunk) {
    size_t end = std::min(ids.size(), begin + kChunk);
    std::vector<store::Value> params;
    std::string filter = IdFilter(ids, begin, end, params);
    for (const auto& s : Shapes()) {
      SY_RETURN_IF_ERROR(tx.Exec(UpsertSql(s, s.table, withdraw ? "-" : "", filter), params).status());
      if (!withdraw) continue;
      // Rows this withdraw emptied: all their sums are 0, and their first key is one of the members'.
      std::string empty = Names(s.sums, "", " = 0 AND ") + " = 0";
      SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM " + std::string(s.table) + " WHERE " + empty + " AND " + s.keys[0].name +
                                     " IN (SELECT " + s.keys[0].expr + " FROM members m WHERE 1 = 1" + filter + ")",
                                 params)
                             .status());
    }
  }
  return Status::Ok();
}

}  // namespace

Status WithdrawMemberGroups(store::Tx& tx, const std::vector<int64_t>& member_ids) {
  return Apply(tx, member_ids, true);
}

Status AddMemberGroups(store::Tx& tx, const std::vector<int64_t>& member_ids) { return Apply(tx, member_ids, false); }

Status AddPurchaseToMemberGroups(store::Tx& tx, const MemberGroupKey& k, const PurchaseDelta& d) {
  int64_t new_buyer = d.visits_before == 0 && d.visit > 0 ? 1 : 0;
  if (d.spend != 0 || new_buyer != 0)
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO report_member_groups (birthday, store_id, gender, members, buyers, spend) "
                               "VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (birthday, store_id, gender) DO UPDATE SET "
                               "buyers = report_member_groups.buyers + excluded.buyers, "
                               "spend = report_member_groups.spend + excluded.spend",
                               {k.birthday, k.store_id, k.gender, new_buyer, d.spend})
                           .status());
  constexpr int64_t kDayMs = 86400000;
  auto day = [&](const std::optional<int64_t>& at) { return at ? std::optional<int64_t>(*at / kDayMs) : std::nullopt; };
  std::optional<int64_t> from = day(d.last_visit_before), to = day(d.last_visit_after);
  if (from != to) {
    if (from) {
      SY_RETURN_IF_ERROR(tx.Exec("UPDATE report_member_visit_days SET members = members - 1 WHERE visit_day = ? AND "
                                 "store_id = ? AND gender = ? AND birthday = ?",
                                 {*from, k.store_id, k.gender, k.birthday})
                             .status());
      SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM report_member_visit_days WHERE visit_day = ? AND store_id = ? AND "
                                 "gender = ? AND birthday = ? AND members = 0",
                                 {*from, k.store_id, k.gender, k.birthday})
                             .status());
    }
    if (to)
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO report_member_visit_days (visit_day, store_id, gender, birthday, members) "
                                 "VALUES (?, ?, ?, ?, 1) ON CONFLICT (visit_day, store_id, gender, birthday) DO UPDATE "
                                 "SET members = report_member_visit_days.members + 1",
                                 {*to, k.store_id, k.gender, k.birthday})
                             .status());
  }
  // A genre row stays when a return brings it to 0, as the add after a withdraw would leave it
  // (the member still has the member_genres row); only the members and visit-day rows go.
  if (d.genres.empty()) return Status::Ok();
  const std::string birth_month = k.birthday.substr(0, 7);
  std::string values;
  std::vector<store::Value> by_month, by_day;
  for (const auto& [genre, spend] : d.genres) {
    values += values.empty() ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
    for (store::Value v : {store::Value(birth_month), store::Value(k.store_id), store::Value(k.gender), store::Value(genre),
                           store::Value(spend)})
      by_month.push_back(std::move(v));
    for (store::Value v : {store::Value(k.birthday), store::Value(k.store_id), store::Value(k.gender), store::Value(genre),
                           store::Value(spend)})
      by_day.push_back(std::move(v));
  }
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO report_member_genres (birth_month, store_id, gender, genre, spend) VALUES " +
                                 values + " ON CONFLICT (birth_month, store_id, gender, genre) DO UPDATE "
                                          "SET spend = report_member_genres.spend + excluded.spend",
                             by_month)
                         .status());
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO report_member_genre_days (birthday, store_id, gender, genre, spend) VALUES " +
                                 values + " ON CONFLICT (birthday, store_id, gender, genre) DO UPDATE "
                                          "SET spend = report_member_genre_days.spend + excluded.spend",
                             by_day)
                         .status());
  return Status::Ok();
}

Status RebuildMemberGroups(store::Tx& tx, std::vector<std::pair<std::string, int64_t>>* rows) {
  for (const auto& s : Shapes()) {
    SY_RETURN_IF_ERROR(tx.Exec(std::string("DELETE FROM ") + s.table).status());
    SY_ASSIGN_OR_RETURN(auto done, tx.Exec(UpsertSql(s, s.table, "", "")));
    if (rows) rows->push_back({s.table, done.affected});
  }
  return Status::Ok();
}

Status CheckMemberGroups(store::Tx& tx, int examples, std::vector<Mismatch>& found) {
  for (const auto& s : Shapes()) {
    const std::string stored = s.table, rebuilt = "chk_" + stored;
    std::string ddl = "CREATE TEMP TABLE " + rebuilt + " (";
    for (const auto& k : s.keys) ddl += std::string(k.name) + (k.text ? " TEXT NOT NULL, " : " BIGINT NOT NULL, ");
    for (const auto& v : s.sums) ddl += std::string(v.name) + " BIGINT NOT NULL DEFAULT 0, ";
    SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE IF EXISTS " + rebuilt).status());
    SY_RETURN_IF_ERROR(tx.Exec(ddl + "PRIMARY KEY (" + Names(s.keys) + "))").status());
    SY_RETURN_IF_ERROR(tx.Exec(UpsertSql(s, rebuilt, "", "")).status());
    // Rows that differ: stored rows against their rebuilt twin (absent = all zero), then rebuilt
    // rows with no stored twin.
    std::string on, nonzero_s, nonzero_c, differ;
    for (const auto& k : s.keys) on += std::string(on.empty() ? "" : " AND ") + "s." + k.name + " = c." + k.name;
    for (const auto& v : s.sums) {
      std::string n = v.name;
      nonzero_s += (nonzero_s.empty() ? "" : " OR ") + ("s." + n + " <> 0");
      nonzero_c += (nonzero_c.empty() ? "" : " OR ") + ("c." + n + " <> 0");
      differ += (differ.empty() ? "" : " OR ") + ("s." + n + " <> c." + n);
    }
    const std::string first = s.keys[0].name;
    std::string zeros;
    for (size_t i = 0; i < s.sums.size(); ++i) zeros += ", 0";
    SY_ASSIGN_OR_RETURN(
        auto rows,
        tx.Exec("SELECT " + Names(s.keys, "s.") + ", " + Names(s.sums, "s.") + ", " + Names(s.sums, "c.") + " FROM " +
                    stored + " s LEFT JOIN " + rebuilt + " c ON " + on + " WHERE (c." + first + " IS NULL AND (" +
                    nonzero_s + ")) OR (c." + first + " IS NOT NULL AND (" + differ + ")) UNION ALL SELECT " +
                    Names(s.keys, "c.") + zeros + ", " + Names(s.sums, "c.") + " FROM " + rebuilt + " c LEFT JOIN " +
                    stored + " s ON " + on + " WHERE s." + first + " IS NULL AND (" + nonzero_c + ")"));
    const size_t nk = s.keys.size(), nv = s.sums.size();
    for (size_t r = 0; r < rows.rows.size() && r < size_t(examples); ++r) {
      const auto& row = rows.rows[r];
      std::string subject = stored;
      for (size_t i = 0; i < nk; ++i) subject += std::string(" ") + s.keys[i].name + "=" + row.Text(i);
      for (size_t i = 0; i < nv; ++i) {
        int64_t a = row.Int(nk + i), b = row.Int(nk + nv + i);
        if (a != b)
          found.push_back({stored + "." + s.sums[i].name + " = rebuilt from members", 0, a, b, subject});
      }
    }
    if (rows.rows.size() > size_t(examples)) {
      auto count = [&](const std::string& t) -> int64_t {
        auto c = tx.Exec("SELECT COUNT(*) FROM " + t);
        return c.ok() ? c->rows[0].Int(0) : 0;
      };
      found.push_back({stored + " rows = rebuilt from members (rows that differ: " + std::to_string(rows.rows.size()) +
                           ")",
                       0, count(stored), count(rebuilt),
                       stored + ": " + std::to_string(rows.rows.size()) + " rows differ, the first " +
                           std::to_string(examples) + " shown above"});
    }
    SY_RETURN_IF_ERROR(tx.Exec("DROP TABLE " + rebuilt).status());
  }
  return Status::Ok();
}

}  // namespace shuyou::service
