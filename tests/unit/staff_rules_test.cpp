// Unit tests of core/staff_rules: roles, who manages whom, and field rules.
#include <gtest/gtest.h>

#include "core/staff_rules.h"

using namespace shuyou::core;

TEST(Roles, ParseAndNameRoundTrip) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("Owner"));
  EXPECT_FALSE(ParseRole(""));
  EXPECT_FALSE(ParseRole("admin"));
}

TEST(Roles, RoleSetContains) {
  RoleSet s = Bit(Role::kOwner) | Bit(Role::kCashier);
  EXPECT_TRUE(Contains(s, Role::kOwner));
  EXPECT_TRUE(Contains(s, Role::kCashier));
  EXPECT_FALSE(Contains(s, Role::kManager));
  for (Role r : kAllRoles) EXPECT_TRUE(Contains(kEveryRole, r));
}

TEST(Roles, WhoManagesWhom) {
  struct Case { Role actor, target; bool allowed; };
  const Case cases[] = {
      {Role::kOwner, Role::kOwner, true},      {Role::kOwner, Role::kManager, true},
      {Role::kOwner, Role::kCashier, true},    {Role::kOwner, Role::kMarketer, true},
      {Role::kManager, Role::kOwner, false},   {Role::kManager, Role::kManager, false},
      {Role::kManager, Role::kCashier, true},  {Role::kManager, Role::kMarketer, true},
      {Role::kCashier, Role::kCashier, false}, {Role::kMarketer, Role::kCashier, false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(CanManageRole(c.actor, c.target), c.allowed) << RoleName(c.actor) << " → " << RoleName(c.target);
}

TEST(Fields, Usernames) {
  struct Case { const char* name; bool ok; };
  const Case cases[] = {
      {"owner", true},  {"li.wei_2", true}, {"a-b", true},      {"9lives", true},
      {"ab", false},    {"", false},        {"Owner", false},   {"_lead", false},
      {"li wei", false}, {"李伟", false},    {"x'; DROP TABLE staff;--", false},
      {"abcdefghijklmnopqrstuvwxyz0123456", false},  // 33 characters
  };
  for (const auto& c : cases) EXPECT_EQ(CheckUsername(c.name).empty(), c.ok) << c.name;
}

TEST(Fields, Passwords) {
  EXPECT_TRUE(CheckPassword("shuyou-demo").empty());
  EXPECT_TRUE(CheckPassword("密码密码密码1").empty());  // 19 bytes
  EXPECT_EQ(CheckPassword("short"), "must be at least 10 characters long");
  EXPECT_EQ(CheckPassword("aaaaaaaaaaaa"), "must not repeat one character");
  EXPECT_EQ(CheckPassword(std::string(257, 'x') + "y"), "must be at most 256 characters long");
}

TEST(Fields, Text) {
  EXPECT_TRUE(CheckText("书友书店 · 示范店", 10).empty());  // 9 code points
  EXPECT_EQ(CheckText("书友书店 · 示范店!!", 10), "must be at most 10 characters long");
  EXPECT_EQ(CheckText("tab\there", 64), "must not contain control characters");
  EXPECT_EQ(CheckText("\xff\xfe", 64), "is not valid UTF-8");
  EXPECT_EQ(CheckText("\xe4\xb9", 64), "is not valid UTF-8");          // truncated
  EXPECT_EQ(CheckText("\xc0\xaf", 64), "is not valid UTF-8");          // overlong '/'
  EXPECT_EQ(CheckText("\xed\xa0\x80", 64), "is not valid UTF-8");      // surrogate
  EXPECT_TRUE(CheckText("O'Brien; --", 64).empty());
  EXPECT_TRUE(CheckText("", 64).empty());
}
