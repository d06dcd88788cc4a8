// Member card numbers with a Luhn check digit (see card.h).
#include "core/card.h"

namespace shuyou::core {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<char> LuhnCheckDigit(std::string_view digits) {
  if (!AllDigits(digits)) return std::nullopt;
  // Walking left from the digit next to the check digit, every other digit is doubled
  // (a doubled digit above 9 counts as the sum of its digits, i.e. minus 9).
  int sum = 0;
  bool twice = true;
  for (size_t i = digits.size(); i-- > 0; twice = !twice) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return char('0' + (10 - sum % 10) % 10);
}

Result<std::string> MakeCardNumber(std::string_view prefix, uint64_t seq, int width) {
  if (!AllDigits(prefix) || prefix.size() > 10) return Invalid("a card prefix is 1–10 digits");
  if (width < 1 || width > 12) return Invalid("a card sequence is 1–12 digits wide");
  std::string digits = std::to_string(seq);
  if (digits.size() > size_t(width)) {
    return Invalid("sequence " + digits + " does not fit in " + std::to_string(width) + " digits");
  }
  std::string number(prefix);
  number.append(size_t(width) - digits.size(), '0');
  number += digits;
  number += *LuhnCheckDigit(number);
  return number;
}

bool IsValidCardNumber(std::string_view number) {
  if (number.size() < 2 || number.size() > 32 || !AllDigits(number)) return false;
  return LuhnCheckDigit(number.substr(0, number.size() - 1)) == number.back();
}

std::optional<std::string> NormalizeCardNumber(std::string_view typed) {
  std::string out;
  for (char c : typed)
    if (c != ' ' && c != '-') out += c;
  if (!IsValidCardNumber(out)) return std::nullopt;
  return out;
}

}  // namespace shuyou::core
