// Staff accounts and stores (see staff.h).
#include "service/staff.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "service/auth.h"
#include "service/crypto.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

constexpr const char* kStaffColumns =
    "id, username, display_name, role, home_store_id, active, created_at, updated_at";

Staff StaffFromRow(const store::Row& r) {
  Staff s;
  s.id = r.Int(0);
  s.username = r.Text(1);
  s.display_name = r.Text(2);
  s.role = core::ParseRole(r.Text(3)).value_or(core::Role::kCashier);
  s.home_store_id = r.OptInt(4);
  s.active = r.Int(5) != 0;
  s.created_at = r.Int(6);
  s.updated_at = r.Int(7);
  return s;
}

Result<Staff> LoadStaff(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kStaffColumns + " FROM staff WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no staff account with id " + std::to_string(id));
  return StaffFromRow(rows[0]);
}

Status CheckStoreExists(store::Tx& tx, const std::optional<int64_t>& store_id) {
  if (!store_id) return Status::Ok();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {*store_id}));
  if (rows.empty()) return Invalid("no store with id " + std::to_string(*store_id), {{"home_store_id", "no such store"}});
  return Status::Ok();
}

Result<int64_t> CountActiveOwners(store::Tx& tx) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT COUNT(*) FROM staff WHERE role = 'owner' AND active = 1"));
  return rows[0].Int(0);
}

}  // namespace

Result<Staff> CreateStaff(Context& ctx, const Actor& actor, const NewStaff& in) {
  std::vector<FieldError> errs;
  if (auto m = core::CheckUsername(in.username); !m.empty()) errs.push_back({"username", m});
  if (auto m = core::CheckText(in.display_name, 64); !m.empty()) errs.push_back({"display_name", m});
  auto role = core::ParseRole(in.role);
  if (!role) errs.push_back({"role", "must be one of owner, manager, cashier, marketer"});
  if (auto m = core::CheckPassword(in.password); !m.empty()) errs.push_back({"password", m});
  if (!errs.empty()) return Invalid("the staff account has invalid fields", errs);
  if (!core::CanManageRole(actor.role, *role))
    return Status(Code::kPermissionDenied, std::string("a ") + core::RoleName(actor.role) +
                                               " may not create " + core::RoleName(*role) + " accounts");
  if (actor.role == core::Role::kManager && actor.home_store_id && in.home_store_id != actor.home_store_id)
    return Status(Code::kPermissionDenied, "a manager may only add staff to their own store");

  std::string hash = HashPassword(in.password);  // slow on purpose: outside the transaction
  Staff out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckStoreExists(tx, in.home_store_id));
    int64_t now = ctx.now();
    auto r = tx.Exec(
        "INSERT INTO staff (username, display_name, role, home_store_id, password_hash, active, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        {in.username, in.display_name, std::string(core::RoleName(*role)),
         in.home_store_id ? store::Value(*in.home_store_id) : store::Null(), hash, now, now});
    if (!r.ok() && r.status().code() == Code::kConflict)
      return Conflict("the username '" + in.username + "' is taken");
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadStaff(tx, r->rows[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "staff.create", "staff:" + std::to_string(out.id),
                       {{"username", out.username}, {"role", core::RoleName(out.role)},
                        {"home_store_id", in.home_store_id ? nlohmann::json(*in.home_store_id) : nlohmann::json()}});
  });
  if (!st.ok()) {
    if (st.code() == Code::kConflict) return Status(Code::kConflict, st.message(), {{"username", "is taken"}});
    return st;
  }
  return out;
}

Result<Staff> GetStaff(Context& ctx, const Actor& actor, int64_t id) {
  Staff out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadStaff(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Staff>> ListStaff(Context& ctx, const Actor& actor, const PageQuery& q, const StaffFilter& f) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(q,
                                             {{"id", "id", true},
                                              {"username", "username", false},
                                              {"display_name", "display_name", false},
                                              {"role", "role", false},
                                              {"created_at", "created_at", true}},
                                             "username", "id"));
  Page<Staff> page;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kStaffColumns + ", " + ks.column.sql + " FROM staff WHERE " + ks.where;
    auto params = ks.params;
    if (!f.q.empty()) {
      sql += " AND (username LIKE ? OR display_name LIKE ?)";
      std::string like = "%" + f.q + "%";
      params.push_back(like);
      params.push_back(like);
    }
    if (f.store_id) {
      sql += " AND home_store_id = ?";
      params.push_back(*f.store_id);
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    page.next_cursor = TakePage(ks, rows, 8, 0);
    for (const auto& r : rows.rows) page.items.push_back(StaffFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Result<Staff> UpdateStaff(Context& ctx, const Actor& actor, int64_t id, const StaffChange& in) {
  ForgetPrincipalsOnExit forget;  // sessions and keys carry role and state
  std::vector<FieldError> errs;
  if (in.display_name) {
    if (auto m = core::CheckText(*in.display_name, 64); !m.empty()) errs.push_back({"display_name", m});
  }
  std::optional<core::Role> role;
  if (in.role) {
    role = core::ParseRole(*in.role);
    if (!role) errs.push_back({"role", "must be one of owner, manager, cashier, marketer"});
  }
  if (in.password) {
    if (auto m = core::CheckPassword(*in.password); !m.empty()) errs.push_back({"password", m});
  }
  if (!errs.empty()) return Invalid("the change has invalid fields", errs);
  std::string hash = in.password ? HashPassword(*in.password) : "";

  Staff out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Staff cur, LoadStaff(tx, id));
    auto denied = [&](const std::string& why) { return Status(Code::kPermissionDenied, why); };
    if (!core::CanManageRole(actor.role, cur.role))
      return denied(std::string("a ") + core::RoleName(actor.role) + " may not change " + core::RoleName(cur.role) + " accounts");
    if (role && !core::CanManageRole(actor.role, *role))
      return denied(std::string("a ") + core::RoleName(actor.role) + " may not grant the " + core::RoleName(*role) + " role");
    if (actor.role == core::Role::kManager && actor.home_store_id && in.home_store_id &&
        *in.home_store_id != actor.home_store_id)
      return denied("a manager may only assign staff to their own store");
    if (actor.kind == "staff" && actor.id == id && in.active && !*in.active)
      return Invalid("you cannot deactivate your own account", {{"active", "cannot deactivate yourself"}});
    bool loses_owner = cur.role == core::Role::kOwner && cur.active &&
                       ((role && *role != core::Role::kOwner) || (in.active && !*in.active));
    if (loses_owner) {
      SY_ASSIGN_OR_RETURN(int64_t owners, CountActiveOwners(tx));
      if (owners <= 1) return Conflict("the last active owner cannot be demoted or deactivated");
    }
    if (in.home_store_id) SY_RETURN_IF_ERROR(CheckStoreExists(tx, *in.home_store_id));

    nlohmann::json changed = nlohmann::json::object();
    std::string sets = "updated_at = ?";
    std::vector<store::Value> params = {ctx.now()};
    if (in.display_name) { sets += ", display_name = ?"; params.push_back(*in.display_name); changed["display_name"] = *in.display_name; }
    if (role) { sets += ", role = ?"; params.push_back(std::string(core::RoleName(*role))); changed["role"] = core::RoleName(*role); }
    if (in.home_store_id) {
      sets += ", home_store_id = ?";
      params.push_back(*in.home_store_id ? store::Value(**in.home_store_id) : store::Null());
      changed["home_store_id"] = *in.home_store_id ? nlohmann::json(**in.home_store_id) : nlohmann::json();
    }
    if (in.active) { sets += ", active = ?"; params.push_back(int64_t(*in.active)); changed["active"] = *in.active; }
    if (in.password) { sets += ", password_hash = ?"; params.push_back(hash); changed["password"] = "reset"; }
    params.push_back(id);
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE staff SET " + sets + " WHERE id = ?", params).status());
    // A new password or a deactivation ends the account's sessions.
    if (in.password || (in.active && !*in.active))
      SY_RETURN_IF_ERROR(tx.Exec("UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                                 {ctx.now(), id}).status());
    SY_ASSIGN_OR_RETURN(out, LoadStaff(tx, id));
    return RecordAudit(tx, ctx, actor, "staff.update", "staff:" + std::to_string(id), changed);
  });
  if (!st.ok()) return st;
  return out;
}

Status RevokeStaffSessions(Context& ctx, const Actor& actor, int64_t id) {
  ForgetPrincipalsOnExit forget;  // sessions and keys carry role and state
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Staff cur, LoadStaff(tx, id));
    if (!core::CanManageRole(actor.role, cur.role) && !(actor.kind == "staff" && actor.id == id))
      return Status(Code::kPermissionDenied, std::string("a ") + core::RoleName(actor.role) +
                                                 " may not sign out " + core::RoleName(cur.role) + " accounts");
    SY_ASSIGN_OR_RETURN(auto r, tx.Exec("UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                                        {ctx.now(), id}));
    return RecordAudit(tx, ctx, actor, "staff.revoke_sessions", "staff:" + std::to_string(id),
                       {{"sessions", r.affected}});
  });
}

// ---- stores ----

namespace {

constexpr const char* kStoreColumns =
    "id, code, name, address, phone, timezone, currency, active, created_at, updated_at";

Store StoreFromRow(const store::Row& r) {
  return Store{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6),
               r.Int(7) != 0, r.Int(8), r.Int(9)};
}

Result<Store> LoadStore(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kStoreColumns + " FROM stores WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no store with id " + std::to_string(id));
  return StoreFromRow(rows[0]);
}

// A time zone name is accepted when the system's zone database knows it (tzdata).
bool KnownTimeZone(const std::string& tz) {
  if (tz.empty() || tz.size() > 64 || tz.front() == '/' || tz.find("..") != std::string::npos ||
      tz.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != std::string::npos)
    return false;
  std::error_code ec;
  if (!std::filesystem::is_directory("/usr/share/zoneinfo", ec)) return true;  // no tzdata: trust the form
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + tz, ec);
}

// One message per field: the first rule a value breaks.
std::vector<FieldError> CheckStoreFields(const StoreFields& in, bool creating) {
  std::vector<FieldError> errs;
  auto fail = [&](const char* field, std::string msg) { errs.push_back({field, std::move(msg)}); };
  if (!in.code) {
    if (creating) fail("code", "is required");
  } else if (in.code->empty() || in.code->size() > 16) {
    fail("code", "must be 1 to 16 characters long");
  } else if (in.code->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
             std::string::npos) {
    fail("code", "may contain only letters, digits, '-' and '_'");
  }
  if (!in.name) {
    if (creating) fail("name", "is required");
  } else if (in.name->empty()) {
    fail("name", "must not be empty");
  } else if (auto m = core::CheckText(*in.name, 80); !m.empty()) {
    fail("name", m);
  }
  auto text = [&](const std::optional<std::string>& v, const char* name, size_t max) {
    if (!v) return;
    if (auto m = core::CheckText(*v, max); !m.empty()) fail(name, m);
  };
  text(in.address, "address", 200);
  text(in.phone, "phone", 32);
  if (in.timezone && !KnownTimeZone(*in.timezone))
    fail("timezone", "must be an IANA time zone name such as Asia/Shanghai");
  if (in.currency && (in.currency->size() != 3 ||
                      in.currency->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos))
    fail("currency", "must be a three-letter ISO 4217 code such as CNY");
  return errs;
}

}  // namespace

Result<Store> CreateStore(Context& ctx, const Actor& actor, const StoreFields& in) {
  if (auto errs = CheckStoreFields(in, true); !errs.empty()) return Invalid("the store has invalid fields", errs);
  Store out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    auto r = tx.Exec(
        "INSERT INTO stores (code, name, address, phone, timezone, currency, active, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {*in.code, *in.name, in.address.value_or(""), in.phone.value_or(""), in.timezone.value_or("Asia/Shanghai"),
         in.currency.value_or("CNY"), int64_t(in.active.value_or(true)), now, now});
    if (!r.ok() && r.status().code() == Code::kConflict)
      return Status(Code::kConflict, "the store code '" + *in.code + "' is taken", {{"code", "is taken"}});
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadStore(tx, r->rows[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "store.create", "store:" + std::to_string(out.id),
                       {{"code", out.code}, {"name", out.name}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Store> GetStore(Context& ctx, int64_t id) {
  Store out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadStore(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Store>> ListStores(Context& ctx, const PageQuery& q, const std::string& search) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(q, {{"id", "id", true}, {"code", "code", false}, {"name", "name", false}},
                                             "code", "id"));
  Page<Store> page;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kStoreColumns + ", " + ks.column.sql + " FROM stores WHERE " + ks.where;
    auto params = ks.params;
    if (!search.empty()) {
      sql += " AND (code LIKE ? OR name LIKE ?)";
      params.push_back("%" + search + "%");
      params.push_back("%" + search + "%");
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    page.next_cursor = TakePage(ks, rows, 10, 0);
    for (const auto& r : rows.rows) page.items.push_back(StoreFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Result<Store> UpdateStore(Context& ctx, const Actor& actor, int64_t id, const StoreFields& in) {
  if (auto errs = CheckStoreFields(in, false); !errs.empty()) return Invalid("the change has invalid fields", errs);
  Store out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(LoadStore(tx, id).status());
    std::string sets = "updated_at = ?";
    std::vector<store::Value> params = {ctx.now()};
    nlohmann::json changed = nlohmann::json::object();
    auto set = [&](const char* col, const std::optional<std::string>& v) {
      if (!v) return;
      sets += std::string(", ") + col + " = ?";
      params.push_back(*v);
      changed[col] = *v;
    };
    set("code", in.code);
    set("name", in.name);
    set("address", in.address);
    set("phone", in.phone);
    set("timezone", in.timezone);
    set("currency", in.currency);
    if (in.active) { sets += ", active = ?"; params.push_back(int64_t(*in.active)); changed["active"] = *in.active; }
    params.push_back(id);
    auto r = tx.Exec("UPDATE stores SET " + sets + " WHERE id = ?", params);
    if (!r.ok() && r.status().code() == Code::kConflict)
      return Status(Code::kConflict, "the store code '" + in.code.value_or("") + "' is taken", {{"code", "is taken"}});
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadStore(tx, id));
    return RecordAudit(tx, ctx, actor, "store.update", "store:" + std::to_string(id), changed);
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
