// ISBN and barcode normalization: see isbn.h.
#include "core/isbn.h"

namespace shuyou::core {
namespace {

std::string Strip(std::string_view typed) {
  std::string out;
  for (char c : typed)
    if (c != ' ' && c != '-') out += c;
  return out;
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// The GS1 mod-10 check digit of `body` (the digits before the check digit).
char Gs1Check(std::string_view body) {
  int sum = 0;
  // Weights 3,1,3,… counted from the digit next to the check digit.
  for (size_t i = 0; i < body.size(); ++i) {
    int d = body[body.size() - 1 - i] - '0';
    sum += (i % 2 == 0) ? 3 * d : d;
  }
  return char('0' + (10 - sum % 10) % 10);
}

char Isbn10Check(std::string_view nine) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += int(10 - i) * (nine[i] - '0');
  int c = (11 - sum % 11) % 11;
  return c == 10 ? 'X' : char('0' + c);
}

}  // namespace

bool ValidGs1(std::string_view digits) {
  if (!AllDigits(digits) || (digits.size() != 8 && digits.size() != 12 && digits.size() != 13)) return false;
  return Gs1Check(digits.substr(0, digits.size() - 1)) == digits.back();
}

Result<std::string> NormalizeIsbn(std::string_view typed) {
  std::string s = Strip(typed);
  if (s.empty()) return Invalid("the ISBN is empty");
  if (s.size() == 10) {
    if (s[9] == 'x') s[9] = 'X';
    if (!AllDigits(s.substr(0, 9)) || !(AllDigits(s.substr(9)) || s[9] == 'X'))
      return Invalid("an ISBN-10 is 9 digits and a check digit (0–9 or X)");
    char want = Isbn10Check(s);
    if (s[9] != want)
      return Invalid("ISBN-10 " + s + " has a wrong check digit (expected " + std::string(1, want) + ")");
    std::string body = "978" + s.substr(0, 9);
    return body + Gs1Check(body);
  }
  if (s.size() == 13) {
    if (!AllDigits(s)) return Invalid("an ISBN-13 is 13 digits");
    if (s.rfind("978", 0) != 0 && s.rfind("979", 0) != 0) return Invalid("an ISBN-13 starts with 978 or 979");
    char want = Gs1Check(s.substr(0, 12));
    if (s[12] != want)
      return Invalid("ISBN-13 " + s + " has a wrong check digit (expected " + std::string(1, want) + ")");
    return s;
  }
  return Invalid("an ISBN has 10 or 13 digits, not " + std::to_string(s.size()));
}

std::optional<std::string> Isbn13To10(std::string_view isbn13) {
  auto n = NormalizeIsbn(isbn13);
  if (!n.ok() || n->size() != 13 || n->rfind("978", 0) != 0) return std::nullopt;
  std::string nine = n->substr(3, 9);
  return nine + Isbn10Check(nine);
}

std::string FormatIsbn13(std::string_view isbn13) {
  if (isbn13.size() != 13) return std::string(isbn13);
  return std::string(isbn13.substr(0, 3)) + "-" + std::string(isbn13.substr(3));
}

Result<std::string> NormalizeBarcode(std::string_view typed) {
  std::string s = Strip(typed);
  if (s.empty()) return Invalid("the barcode is empty");
  if (s.size() == 10 || (s.size() == 13 && (s.rfind("978", 0) == 0 || s.rfind("979", 0) == 0)))
    return NormalizeIsbn(s);
  if (!AllDigits(s)) return Invalid("a barcode is digits only");
  if (s.size() != 8 && s.size() != 12 && s.size() != 13)
    return Invalid("a barcode has 8, 12 or 13 digits, not " + std::to_string(s.size()));
  if (!ValidGs1(s)) return Invalid("barcode " + s + " has a wrong check digit");
  return s.size() == 12 ? "0" + s : s;
}

}  // namespace shuyou::core
