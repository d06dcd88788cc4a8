// JSON views of service values, shared by the route files.
#pragma once

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "http/json_io.h"
#include "service/auth.h"

namespace shuyou::http {

inline nlohmann::json TimeOrNull(const std::optional<int64_t>& ms) {
  return ms ? nlohmann::json(core::FormatIsoUtc(*ms)) : nlohmann::json();
}

inline nlohmann::json StaffJson(const service::Staff& s) {
  return {{"id", s.id},
          {"username", s.username},
          {"display_name", s.display_name},
          {"role", core::RoleName(s.role)},
          {"home_store_id", OrNull(s.home_store_id)},
          {"active", s.active},
          {"created_at", core::FormatIsoUtc(s.created_at)},
          {"updated_at", core::FormatIsoUtc(s.updated_at)}};
}

inline nlohmann::json StoreJson(const service::Store& s) {
  return {{"id", s.id},           {"code", s.code},         {"name", s.name},
          {"address", s.address}, {"phone", s.phone},       {"timezone", s.timezone},
          {"currency", s.currency}, {"active", s.active},
          {"created_at", core::FormatIsoUtc(s.created_at)}, {"updated_at", core::FormatIsoUtc(s.updated_at)}};
}

}  // namespace shuyou::http
