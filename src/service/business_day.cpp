// Business dates from TZif files (see business_day.h). The parsed zones are cached: the files
// do not change while the server runs.
#include "service/business_day.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

namespace shuyou::service {
namespace {

struct Zone {
  std::vector<int64_t> transitions;  // UTC seconds, ascending
  std::vector<int64_t> offsets;      // offset in force from each transition
  int64_t initial = 0;               // before the first transition
  std::optional<int64_t> tail;       // the footer's fixed offset when it has no daylight saving
};

int64_t BigEndian(const std::string& d, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | uint8_t(d[pos + size_t(i)]);
  if (bytes == 4) return int64_t(int32_t(uint32_t(v)));
  return int64_t(v);
}

// A POSIX TZ footer without daylight saving ("CST-8", "<+0545>-5:45", "UTC0") → seconds east.
std::optional<int64_t> FixedFooterOffset(const std::string& tz) {
  size_t i = 0;
  if (i < tz.size() && tz[i] == '<') {
    i = tz.find('>');
    if (i == std::string::npos) return std::nullopt;
    ++i;
  } else {
    while (i < tz.size() && std::isalpha(static_cast<unsigned char>(tz[i]))) ++i;
  }
  if (i == 0 || i >= tz.size()) return std::nullopt;
  int sign = 1;
  if (tz[i] == '+' || tz[i] == '-') sign = tz[i++] == '-' ? -1 : 1;
  int64_t parts[3] = {0, 0, 0};
  int n = 0;
  while (n < 3 && i < tz.size() && std::isdigit(static_cast<unsigned char>(tz[i]))) {
    int64_t v = 0;
    while (i < tz.size() && std::isdigit(static_cast<unsigned char>(tz[i]))) v = v * 10 + (tz[i++] - '0');
    parts[n++] = v;
    if (i < tz.size() && tz[i] == ':') ++i;
    else break;
  }
  if (n == 0 || i != tz.size()) return std::nullopt;  // a DST part follows
  return -sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);  // POSIX counts west as positive
}

std::optional<Zone> ReadZone(const std::string& name) {
  if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') return std::nullopt;
  std::ifstream f("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!f) return std::nullopt;
  std::string d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto header = [&](size_t at, int64_t (&c)[6]) {
    if (d.size() < at + 44 || d.compare(at, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) c[i] = BigEndian(d, at + 20 + size_t(i) * 4, 4);
    return true;
  };
  int64_t c[6];
  if (!header(0, c)) return std::nullopt;
  char version = d[4];
  int tbytes = 4;
  size_t at = 44;
  auto block_size = [&](int tb) {
    return size_t(c[3] * tb + c[3] + c[4] * 6 + c[5] + c[2] * (tb + 4) + c[1] + c[0]);
  };
  if (version >= '2') {  // skip the 32-bit block, read the 64-bit one
    at += block_size(4);
    if (!header(at, c)) return std::nullopt;
    at += 44;
    tbytes = 8;
  }
  size_t end = at + block_size(tbytes);
  if (d.size() < end || c[4] < 1) return std::nullopt;
  Zone z;
  size_t types_at = at + size_t(c[3]) * size_t(tbytes) + size_t(c[3]);
  auto type_offset = [&](int64_t idx) { return idx < c[4] ? BigEndian(d, types_at + size_t(idx) * 6, 4) : 0; };
  z.initial = type_offset(0);
  for (int64_t i = 0; i < c[3]; ++i) {
    z.transitions.push_back(BigEndian(d, at + size_t(i) * size_t(tbytes), tbytes));
    z.offsets.push_back(type_offset(uint8_t(d[at + size_t(c[3]) * size_t(tbytes) + size_t(i)])));
  }
  if (version >= '2' && end < d.size() && d[end] == '\n') {
    size_t close = d.find('\n', end + 1);
    if (close != std::string::npos) z.tail = FixedFooterOffset(d.substr(end + 1, close - end - 1));
  }
  return z;
}

}  // namespace

int64_t UtcOffsetSeconds(const std::string& timezone, int64_t at_ms) {
  static std::mutex mu;
  static std::map<std::string, std::optional<Zone>> cache;
  std::optional<Zone> zone;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(timezone);
    if (it == cache.end()) it = cache.emplace(timezone, ReadZone(timezone)).first;
    zone = it->second;
  }
  if (!zone) return 0;
  int64_t t = at_ms >= 0 ? at_ms / 1000 : (at_ms - 999) / 1000;
  if (zone->transitions.empty() || t < zone->transitions.front())
    return zone->transitions.empty() && zone->tail ? *zone->tail : zone->initial;
  if (t >= zone->transitions.back() && zone->tail) return *zone->tail;
  size_t i = size_t(std::upper_bound(zone->transitions.begin(), zone->transitions.end(), t) -
                    zone->transitions.begin());
  return zone->offsets[i - 1];
}

core::Date DateAt(const std::string& timezone, int64_t at_ms) {
  using namespace std::chrono;
  int64_t local_ms = at_ms + UtcOffsetSeconds(timezone, at_ms) * 1000;
  return year_month_day{floor<days>(sys_time<milliseconds>(milliseconds(local_ms)))};
}

core::Date BusinessToday(const Context& ctx) { return DateAt(ctx.settings.timezone, ctx.now()); }

std::string FormatIsoDate(core::Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
  return buf;
}

std::optional<core::Date> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k)
    for (size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (s[i] - '0');
    }
  using namespace std::chrono;
  year_month_day d{year{v[0]}, month{unsigned(v[1])}, day{unsigned(v[2])}};
  if (!d.ok()) return std::nullopt;
  return d;
}

}  // namespace shuyou::service
