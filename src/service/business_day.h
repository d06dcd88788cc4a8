// The business day: the calendar day in the configured time zone (Settings::timezone) that
// birthdays, points expiry, tier windows and jobs count in. Zones are read once from
// /usr/share/zoneinfo and cached; a zone that cannot be read is an error, never silently UTC.
#pragma once

#include <string>
#include <string_view>

#include "core/points.h"
#include "service/services.h"

namespace shuyou::service {

// The day of `utc_ms` in the business time zone.
Result<core::Date> BusinessDay(const Context& ctx, int64_t utc_ms);
// The business day of ctx.now().
Result<core::Date> Today(const Context& ctx);

std::string FormatDay(core::Date d);                // "2026-11-28"
Result<core::Date> ParseDay(std::string_view text);  // Invalid unless a real YYYY-MM-DD

// The business day and the local hour (0–23) of `utc_ms` in the business time zone.
struct LocalTime {
  core::Date day;
  int hour = 0;
};
Result<LocalTime> BusinessLocalTime(const Context& ctx, int64_t utc_ms);

// "2026-11-28 14:05": the local date and time of `utc_ms` in the IANA zone `zone` (a store's).
Result<std::string> FormatLocalMinute(const std::string& zone, int64_t utc_ms);

}  // namespace shuyou::service
