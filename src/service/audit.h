// The owner's view of the audit log: who did what, when, from where.
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct AuditEntry {
  int64_t id;
  int64_t at;
  std::string actor_kind;
  std::optional<int64_t> actor_id;
  std::string actor_name;
  std::string action;
  std::string target;
  std::string details_json;
  std::string ip;
  std::string request_id;
};

struct AuditFilter {
  std::string action_prefix;  // e.g. "auth." or "staff."
  std::optional<int64_t> actor_id;
};

Result<Page<AuditEntry>> ListAudit(Context& ctx, const PageQuery& q, const AuditFilter& f);

}  // namespace shuyou::service
