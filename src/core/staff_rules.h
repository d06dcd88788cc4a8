// Staff roles and the rules for account fields: pure functions, no I/O.
// Roles are ordered by reach only where a rule says so (CanManageRole); otherwise each route
// names the roles it admits.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace shuyou::core {

enum class Role { kOwner, kManager, kCashier, kMarketer };
inline constexpr Role kAllRoles[] = {Role::kOwner, Role::kManager, Role::kCashier, Role::kMarketer};

std::optional<Role> ParseRole(std::string_view s);
const char* RoleName(Role r);

// A bitmask of roles, used by routes to say who may call them.
using RoleSet = unsigned;
constexpr RoleSet Bit(Role r) { return 1u << static_cast<unsigned>(r); }
constexpr RoleSet kEveryRole = 0xFu;
constexpr bool Contains(RoleSet set, Role r) { return (set & Bit(r)) != 0; }

// Whether `actor` may create or change an account that has (or will have) role `target`.
// Owners manage everyone; managers manage cashiers and marketers; others manage nobody.
bool CanManageRole(Role actor, Role target);

// Usernames: 3–32 characters of a–z, 0–9, '.', '_', '-', starting with a letter or digit.
// Answers an empty string when valid, otherwise the reason.
std::string CheckUsername(std::string_view username);
// Passwords: 10–256 bytes, not all one character. Answers "" when acceptable.
std::string CheckPassword(std::string_view password);
// Display names and other free text: valid UTF-8, no control characters, at most `max_chars`
// code points. Answers "" when valid.
std::string CheckText(std::string_view text, size_t max_chars);

}  // namespace shuyou::core
