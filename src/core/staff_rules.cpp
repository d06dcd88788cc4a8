// Staff roles and field rules (see staff_rules.h).
#include "core/staff_rules.h"

namespace shuyou::core {

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "owner") return Role::kOwner;
  if (s == "manager") return Role::kManager;
  if (s == "cashier") return Role::kCashier;
  if (s == "marketer") return Role::kMarketer;
  return std::nullopt;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kOwner: return "owner";
    case Role::kManager: return "manager";
    case Role::kCashier: return "cashier";
    case Role::kMarketer: return "marketer";
  }
  return "unknown";
}

bool CanManageRole(Role actor, Role target) {
  if (actor == Role::kOwner) return true;
  if (actor == Role::kManager) return target == Role::kCashier || target == Role::kMarketer;
  return false;
}

std::string CheckUsername(std::string_view u) {
  if (u.size() < 3 || u.size() > 32) return "must be 3 to 32 characters long";
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(u.front())) return "must start with a lowercase letter or a digit";
  for (char c : u) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-')
      return "may contain only lowercase letters, digits, '.', '_' and '-'";
  }
  return "";
}

std::string CheckPassword(std::string_view p) {
  if (p.size() < 10) return "must be at least 10 characters long";
  if (p.size() > 256) return "must be at most 256 characters long";
  if (p.find_first_not_of(p.front()) == std::string_view::npos) return "must not repeat one character";
  return "";
}

// Decodes one UTF-8 code point at s[i]; answers its length, or 0 when the bytes are invalid.
static size_t Utf8Len(std::string_view s, size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string CheckText(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t n = Utf8Len(text, i, cp);
    if (n == 0) return "is not valid UTF-8";
    if (cp < 0x20 || cp == 0x7F) return "must not contain control characters";
    i += n;
    if (++chars > max_chars) return "must be at most " + std::to_string(max_chars) + " characters long";
  }
  return "";
}

}  // namespace shuyou::core
