// Keyset pagination (see paging.h).
#include "service/paging.h"

#include <charconv>

#include "core/encoding.h"

namespace shuyou::service {

Result<Keyset> BuildKeyset(const PageQuery& q, const std::vector<SortColumn>& allowed,
                           std::string_view default_sort, std::string_view id_sql) {
  Keyset ks;
  if (q.limit < 1 || q.limit > 200)
    return Invalid("limit must be between 1 and 200", {{"limit", "must be between 1 and 200"}});
  ks.limit = q.limit;
  std::string_view sort = q.sort.empty() ? default_sort : std::string_view(q.sort);
  ks.desc = !sort.empty() && sort.front() == '-';
  if (ks.desc) sort.remove_prefix(1);
  const SortColumn* col = nullptr;
  std::string names;
  for (const auto& c : allowed) {
    if (c.name == sort) col = &c;
    names += (names.empty() ? "" : ", ") + c.name;
  }
  if (!col) return Invalid("cannot sort by '" + std::string(sort) + "'", {{"sort", "one of: " + names + " (prefix - for descending)"}});
  ks.column = *col;
  const char* cmp = ks.desc ? "<" : ">";
  const char* dir = ks.desc ? " DESC" : " ASC";
  ks.order = "ORDER BY " + col->sql + dir + ", " + std::string(id_sql) + dir + " LIMIT " +
             std::to_string(ks.limit + 1);
  ks.where = "1=1";
  if (q.cursor.empty()) return ks;

  auto bad = Invalid("the cursor is not valid for this list", {{"cursor", "not from this list and sort"}});
  auto raw = core::Base64UrlDecode(q.cursor);
  if (!raw) return bad;
  auto p1 = raw->find('\n');
  auto p2 = raw->rfind('\n');
  if (p1 == std::string::npos || p1 == p2) return bad;
  std::string key = raw->substr(0, p1), value = raw->substr(p1 + 1, p2 - p1 - 1), id_text = raw->substr(p2 + 1);
  if (key != (ks.desc ? "-" : "") + col->name) return bad;
  int64_t id = 0;
  if (std::from_chars(id_text.data(), id_text.data() + id_text.size(), id).ec != std::errc{}) return bad;
  store::Value v = value;
  if (col->numeric) {
    int64_t n = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc{}) return bad;
    v = n;
  }
  ks.where = "(" + col->sql + " " + cmp + " ? OR (" + col->sql + " = ? AND " + std::string(id_sql) + " " + cmp + " ?))";
  ks.params = {v, v, id};
  return ks;
}

std::optional<std::string> TakePage(const Keyset& ks, store::Rows& rows, size_t sort_idx, size_t id_idx) {
  if (rows.rows.size() <= size_t(ks.limit)) return std::nullopt;
  rows.rows.resize(ks.limit);
  const auto& last = rows.rows.back();
  std::string raw = (ks.desc ? "-" : "") + ks.column.name + "\n" + last.Text(sort_idx) + "\n" + last.Text(id_idx);
  return core::Base64UrlEncode(raw);
}

}  // namespace shuyou::service
