// /api/v1/shifts: open a till with a float, the open shift of a till, the shift report (X while
// open, Z once closed) and closing with the counted cash.
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "http/app.h"
#include "http/json_io.h"
#include "http/routes/routes.h"
#include "service/shifts.h"

namespace shuyou::http {

namespace {

using core::Bit;
using core::Role;
using nlohmann::json;

constexpr core::RoleSet kTill = Bit(Role::kOwner) | Bit(Role::kManager) | Bit(Role::kCashier);

json OptTime(const std::optional<int64_t>& ms) { return ms ? json(core::FormatIsoUtc(*ms)) : json(); }

json ShiftJson(const service::Shift& s, bool report) {
  json out = {{"id", s.id},
              {"store_id", s.store_id},
              {"till", s.till},
              {"staff_id", OrNull(s.staff_id)},
              {"staff_name", s.staff_name},
              {"opened_at", core::FormatIsoUtc(s.opened_at)},
              {"opening_float", s.opening_float},
              {"closed_at", OptTime(s.closed_at)},
              {"closed_by", OrNull(s.closed_by)},
              {"counted_cash", OrNull(s.counted_cash)},
              {"expected_cash", OrNull(s.expected_cash)},
              {"difference", OrNull(s.difference())},
              {"note", s.note},
              {"open", !s.closed_at}};
  if (report) {
    const auto& r = s.report;
    out["report"] = {{"kind", s.closed_at ? "Z" : "X"},
                     {"sales_count", r.sales_count},
                     {"sales_total", r.sales_total},
                     {"discount_total", r.discount_total},
                     {"points_value", r.points_value},
                     {"tax_total", r.tax_total},
                     {"returns_count", r.returns_count},
                     {"refund_total", r.refund_total},
                     {"taken_by_method", r.taken_by_method},
                     {"refunded_by_method", r.refunded_by_method},
                     {"expected_cash", r.expected_cash}};
  }
  return out;
}

Response ShiftAnswer(int status, Result<service::Shift> s) {
  if (!s.ok()) return ErrorResponse(s.status());
  return Json(status, ShiftJson(*s, true));
}

}  // namespace

void AddShiftRoutes(Router& r, App& app) {
  service::Context& ctx = app.context();

  r.Allow(kTill, "POST", "/api/v1/shifts", [&ctx](Call& c) {
    auto body = ReadBody(c.req, {{"store_id", JType::kInt, true}, {"till", JType::kString}, {"opening_float", JType::kInt, true}});
    if (!body.ok()) return ErrorResponse(body.status());
    return ShiftAnswer(201, service::OpenShift(ctx, c.principal->actor, (*body)["store_id"].get<int64_t>(),
                                               body->value("till", "1"), (*body)["opening_float"].get<int64_t>()));
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/shifts", [&ctx](Call& c) {
    auto page = ReadPage(c.req);
    if (!page.ok()) return ErrorResponse(page.status());
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    std::optional<bool> open;
    if (auto it = c.req.query.find("open"); it != c.req.query.end()) {
      if (it->second != "true" && it->second != "false")
        return ErrorResponse(Invalid("open must be true or false", {{"open", "must be true or false"}}));
      open = it->second == "true";
    }
    auto list = service::ListShifts(ctx, *page, *store, open);
    if (!list.ok()) return ErrorResponse(list.status());
    json items = json::array();
    for (const auto& s : list->items) items.push_back(ShiftJson(s, false));
    return Json(200, {{"items", items}, {"next_cursor", OrNull(list->next_cursor)}});
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/shifts/current", [&ctx](Call& c) {
    auto store = QueryId(c.req, "store_id");
    if (!store.ok()) return ErrorResponse(store.status());
    if (!*store) return ErrorResponse(Invalid("store_id is required", {{"store_id", "is required"}}));
    auto it = c.req.query.find("till");
    return ShiftAnswer(200, service::CurrentShift(ctx, **store, it == c.req.query.end() ? "1" : it->second));
  });

  r.Allow(core::kEveryRole, "GET", "/api/v1/shifts/{id}", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    return ShiftAnswer(200, service::GetShift(ctx, *id));
  });

  r.Allow(kTill, "POST", "/api/v1/shifts/{id}/close", [&ctx](Call& c) {
    auto id = PathId(c);
    if (!id.ok()) return ErrorResponse(id.status());
    auto body = ReadBody(c.req, {{"counted_cash", JType::kInt, true}, {"note", JType::kString}});
    if (!body.ok()) return ErrorResponse(body.status());
    return ShiftAnswer(200, service::CloseShift(ctx, c.principal->actor, *id, (*body)["counted_cash"].get<int64_t>(),
                                                body->value("note", "")));
  });
}

}  // namespace shuyou::http
