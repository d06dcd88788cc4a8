// Stamp card arithmetic (see stamps.h).
#include "core/stamps.h"

#include <limits>

namespace shuyou::core {

Result<StampOutcome> AddStampsToCard(int64_t current, int64_t added, int64_t needed) {
  if (needed < 1 || needed > 1000) return Invalid("a stamp card needs 1 to 1000 stamps");
  if (current < 0) return Invalid("a card cannot hold a negative number of stamps");
  if (added < 1) return Invalid("at least one stamp must be added");
  if (added > std::numeric_limits<int64_t>::max() - current) return Invalid("too many stamps");
  int64_t total = current + added;
  return StampOutcome{total / needed, total % needed};
}

int64_t StampsEarned(const std::optional<std::string>& genre, const std::vector<StampLine>& lines) {
  int64_t n = 0;
  for (const auto& l : lines) {
    if (l.quantity <= 0) continue;
    if (genre && l.genre != *genre) continue;
    n += l.quantity;
  }
  return n;
}

}  // namespace shuyou::core
