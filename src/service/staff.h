// Staff accounts and stores: the use cases behind /api/v1/staff and /api/v1/stores and the
// `shuyou admin create-user` command. Every change is audited in the same transaction.
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct Staff {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  core::Role role = core::Role::kCashier;
  std::optional<int64_t> home_store_id;
  bool active = true;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct NewStaff {
  std::string username;
  std::string display_name;
  std::string role;
  std::optional<int64_t> home_store_id;
  std::string password;
};

struct StaffChange {
  std::optional<std::string> display_name;
  std::optional<std::string> role;
  std::optional<std::optional<int64_t>> home_store_id;  // set to null with an engaged nullopt
  std::optional<bool> active;
  std::optional<std::string> password;
};

struct StaffFilter {
  std::string q;  // matches username or display name
  std::optional<int64_t> store_id;
};

Result<Staff> CreateStaff(Context& ctx, const Actor& actor, const NewStaff& in);
Result<Staff> GetStaff(Context& ctx, const Actor& actor, int64_t id);
Result<Page<Staff>> ListStaff(Context& ctx, const Actor& actor, const PageQuery& q, const StaffFilter& f);
Result<Staff> UpdateStaff(Context& ctx, const Actor& actor, int64_t id, const StaffChange& in);
// Ends every session of the account at once (e.g. a lost device).
Status RevokeStaffSessions(Context& ctx, const Actor& actor, int64_t id);

struct Store {
  int64_t id = 0;
  std::string code, name, address, phone, timezone, currency;
  bool active = true;
  int64_t created_at = 0, updated_at = 0;
};

struct StoreFields {
  std::optional<std::string> code, name, address, phone, timezone, currency;
  std::optional<bool> active;
};

Result<Store> CreateStore(Context& ctx, const Actor& actor, const StoreFields& in);
Result<Store> GetStore(Context& ctx, int64_t id);
Result<Page<Store>> ListStores(Context& ctx, const PageQuery& q, const std::string& search);
Result<Store> UpdateStore(Context& ctx, const Actor& actor, int64_t id, const StoreFields& in);

}  // namespace shuyou::service
