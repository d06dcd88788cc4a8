// Keyset pagination shared by list use cases: a page is `ORDER BY sort, id LIMIT n+1`, and the
// cursor holds the last row's (sort value, id), so pages stay stable while rows are added.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "service/services.h"

namespace shuyou::service {

struct SortColumn {
  std::string name;  // as the API calls it
  std::string sql;   // column expression
  bool numeric;
};

struct Keyset {
  std::string where;  // "(…)" to AND into the query; "1=1" on the first page
  std::vector<store::Value> params;
  std::string order;  // "ORDER BY … LIMIT n+1"
  int limit = 50;
  SortColumn column;
  bool desc = false;
};

// Validates limit, sort and cursor; `id_sql` is the unique tie-breaker column.
Result<Keyset> BuildKeyset(const PageQuery& q, const std::vector<SortColumn>& allowed,
                           std::string_view default_sort, std::string_view id_sql);

// Trims the extra row fetched beyond the limit and answers the cursor for the next page.
// `sort_idx` and `id_idx` are the positions of the sort column and the id in each row.
std::optional<std::string> TakePage(const Keyset& ks, store::Rows& rows, size_t sort_idx, size_t id_idx);

}  // namespace shuyou::service
