// Member card numbers: a store prefix, a zero-padded sequence number and a Luhn check digit
// ("8601" + "00001234" + check). The check digit catches every single-digit typo and most
// swaps of neighbouring digits at the till; it is not a secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace shuyou::core {

// The Luhn check digit for `digits` (all '0'–'9', non-empty); nullopt otherwise.
std::optional<char> LuhnCheckDigit(std::string_view digits);

// prefix (1–10 digits) + seq padded with zeros to `width` digits (1–12) + check digit.
// Invalid when the prefix is not digits or seq does not fit in `width` digits.
Result<std::string> MakeCardNumber(std::string_view prefix, uint64_t seq, int width = 8);

// 2–32 digits whose last digit is the Luhn check digit of the rest.
bool IsValidCardNumber(std::string_view number);

// A number as typed or scanned ("8601 0000 1234-5"): spaces and '-' removed, then validated.
std::optional<std::string> NormalizeCardNumber(std::string_view typed);

}  // namespace shuyou::core
