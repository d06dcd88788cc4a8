// Stamp cards ("buy 10 books, get one free"): a card fills up with stamps; every `needed`
// stamps make one reward and the stamps beyond a full card carry over to the next card, so no
// stamp is ever lost or counted twice. Which purchase lines earn stamps is the card's filter:
// every line by quantity, or only the lines of one genre.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace shuyou::core {

struct StampOutcome {
  int64_t rewards = 0;       // full cards completed by this addition
  int64_t stamps_after = 0;  // on the card now being filled, 0 ≤ stamps_after < needed
  friend bool operator==(const StampOutcome&, const StampOutcome&) = default;
};

// `current` stamps on the card (≥ 0; may be ≥ needed when the card's size was lowered since,
// those stamps count too) plus `added` (≥ 1) toward cards of `needed` (1–1000) stamps.
// Invalid for values outside those ranges or a total that overflows.
Result<StampOutcome> AddStampsToCard(int64_t current, int64_t added, int64_t needed);

struct StampLine {
  std::string genre;      // "" when the item has none
  int64_t quantity = 0;   // negative lines (returns) earn nothing here
};

// The stamps a purchase earns on a card: the quantity of every line, or with `genre` only of
// the lines of that genre (compared exactly). Lines with quantity ≤ 0 earn nothing.
int64_t StampsEarned(const std::optional<std::string>& genre, const std::vector<StampLine>& lines);

}  // namespace shuyou::core
