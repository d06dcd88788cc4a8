// The business day: the calendar date at a moment in the business's time zone
// (Settings::timezone, an IANA name read from /usr/share/zoneinfo). Dates such as a club
// membership's end are compared with it, so a membership ending "2027-11-27" is valid until
// midnight in the shop, not in UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/expiry.h"
#include "service/services.h"

namespace shuyou::service {

// The UTC offset in seconds of `timezone` at `at_ms`. Zones whose rules after the last listed
// transition have daylight saving use that transition's offset (within an hour at worst);
// an unreadable zone counts as UTC.
int64_t UtcOffsetSeconds(const std::string& timezone, int64_t at_ms);

// The date at `at_ms` in `timezone`.
core::Date DateAt(const std::string& timezone, int64_t at_ms);
// Today in the business time zone of `ctx`.
core::Date BusinessToday(const Context& ctx);

std::string FormatIsoDate(core::Date d);  // "2026-11-28"
// A real date "YYYY-MM-DD"; nullopt otherwise.
std::optional<core::Date> ParseIsoDate(std::string_view s);

}  // namespace shuyou::service
