// Business days in the configured time zone (see business_day.h).
#include "service/business_day.h"

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "core/timezone.h"

namespace shuyou::service {
namespace {

Result<core::TimeZone> LoadZone(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, core::TimeZone> cache;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  if (name == "UTC" || name == "Etc/UTC") return cache.emplace(name, core::TimeZone::Fixed(0)).first->second;
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos)
    return Invalid("'" + name + "' is not an IANA time zone name");
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!in) return Invalid("time zone '" + name + "' is not in /usr/share/zoneinfo (is tzdata installed?)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto zone = core::TimeZone::FromTzif(bytes.str());
  if (!zone.ok()) return Invalid("time zone '" + name + "': " + zone.status().message());
  return cache.emplace(name, *zone).first->second;
}

}  // namespace

Result<core::Date> BusinessDay(const Context& ctx, int64_t utc_ms) {
  SY_ASSIGN_OR_RETURN(core::TimeZone zone, LoadZone(ctx.settings.timezone));
  return zone.LocalDay(utc_ms);
}

Result<LocalTime> BusinessLocalTime(const Context& ctx, int64_t utc_ms) {
  SY_ASSIGN_OR_RETURN(core::TimeZone zone, LoadZone(ctx.settings.timezone));
  const int64_t day_ms = 86400000;
  int64_t local_ms = utc_ms + zone.OffsetAt(utc_ms) * 1000;
  int64_t days = local_ms >= 0 ? local_ms / day_ms : -((-local_ms + day_ms - 1) / day_ms);
  return LocalTime{core::Date{std::chrono::sys_days(std::chrono::days(days))}, int((local_ms - days * day_ms) / 3600000)};
}

Result<core::Date> Today(const Context& ctx) { return BusinessDay(ctx, ctx.now()); }

std::string FormatDay(core::Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
  return buf;
}

Result<core::Date> ParseDay(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return Invalid("must be a date YYYY-MM-DD");
  int v[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k)
    for (size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
      if (t[i] < '0' || t[i] > '9') return Invalid("must be a date YYYY-MM-DD");
      v[k] = v[k] * 10 + (t[i] - '0');
    }
  core::Date d{std::chrono::year{v[0]}, std::chrono::month{unsigned(v[1])}, std::chrono::day{unsigned(v[2])}};
  if (!d.ok()) return Invalid("is not a real date");
  return d;
}

Result<std::string> FormatLocalMinute(const std::string& zone_name, int64_t utc_ms) {
  SY_ASSIGN_OR_RETURN(core::TimeZone zone, LoadZone(zone_name));
  int64_t local_ms = utc_ms + zone.OffsetAt(utc_ms) * 1000;
  int64_t day_ms = 86400000;
  int64_t days = local_ms >= 0 ? local_ms / day_ms : -((-local_ms + day_ms - 1) / day_ms);
  int64_t in_day = local_ms - days * day_ms;
  core::Date d{std::chrono::sys_days(std::chrono::days(days))};
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", int(in_day / 3600000), int(in_day / 60000 % 60));
  return FormatDay(d) + buf;
}

}  // namespace shuyou::service
