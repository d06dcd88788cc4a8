// The audit trail and the clock (see services.h), and the owner's audit log listing.
#include "service/audit.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "service/paging.h"

namespace shuyou::service {

int64_t SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status RecordAudit(store::Tx& tx, const Context& ctx, const Actor& actor, std::string_view action,
                   std::string_view target, const nlohmann::json& details) {
  auto r = tx.Exec(
      "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, details, ip, request_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {ctx.now(), actor.kind, actor.id ? store::Value(actor.id) : store::Null(), actor.name,
       std::string(action), std::string(target), details.dump(), actor.ip, actor.request_id});
  return r.status();
}

Result<Page<AuditEntry>> ListAudit(Context& ctx, const PageQuery& q, const AuditFilter& f) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(q, {{"at", "at", true}, {"id", "id", true}}, "-at", "id"));
  Page<AuditEntry> page;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql =
        "SELECT id, at, actor_kind, actor_id, actor_name, action, target, details, ip, request_id"
        ", " + ks.column.sql + " FROM audit_log WHERE " + ks.where;
    auto params = ks.params;
    if (!f.action_prefix.empty()) {
      sql += " AND action LIKE ?";
      params.push_back(f.action_prefix + "%");
    }
    if (f.actor_id) {
      sql += " AND actor_id = ?";
      params.push_back(*f.actor_id);
    }
    SY_ASSIGN_OR_RETURN(store::Rows rows, tx.Exec(sql + " " + ks.order, params));
    page.next_cursor = TakePage(ks, rows, 10, 0);
    for (const auto& r : rows.rows) {
      page.items.push_back({r.Int(0), r.Int(1), r.Text(2), r.OptInt(3), r.Text(4), r.Text(5), r.Text(6),
                            r.Text(7), r.Text(8), r.Text(9)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

}  // namespace shuyou::service
