// TZif reading (see timezone.h).
#include "core/timezone.h"

#include <algorithm>

namespace shuyou::core {
namespace {

struct Header {
  int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

int64_t Be(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | uint8_t(b[at + i]);
  if (n == 4) return int32_t(uint32_t(v));
  return int64_t(v);
}

bool ReadHeader(std::string_view b, size_t at, Header& h) {
  if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return false;
  h = {Be(b, at + 20, 4), Be(b, at + 24, 4), Be(b, at + 28, 4), Be(b, at + 32, 4), Be(b, at + 36, 4), Be(b, at + 40, 4)};
  return h.isutcnt >= 0 && h.isstdcnt >= 0 && h.leapcnt >= 0 && h.timecnt >= 0 && h.typecnt > 0 && h.charcnt >= 0;
}

// The size of a data block with `time_size`-byte times.
int64_t BlockSize(const Header& h, int time_size) {
  return h.timecnt * time_size + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (time_size + 4) + h.isstdcnt +
         h.isutcnt;
}

}  // namespace

TimeZone TimeZone::Fixed(int64_t offset_s) {
  TimeZone z;
  z.initial_offset_ = offset_s;
  return z;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view b) {
  Header h{};
  if (!ReadHeader(b, 0, h)) return Invalid("not TZif time zone data");
  int time_size = 4;
  size_t at = 44;
  if (b[4] >= '2') {  // skip the 32-bit block to the 64-bit one
    size_t second = 44 + size_t(BlockSize(h, 4));
    if (!ReadHeader(b, second, h)) return Invalid("truncated TZif time zone data");
    at = second + 44;
    time_size = 8;
  }
  if (int64_t(b.size()) < int64_t(at) + BlockSize(h, time_size)) return Invalid("truncated TZif time zone data");
  TimeZone z;
  size_t idx_at = at + size_t(h.timecnt) * time_size;
  size_t types_at = idx_at + size_t(h.timecnt);
  auto type_offset = [&](int64_t t) { return Be(b, types_at + size_t(t) * 6, 4); };
  for (int64_t i = 0; i < h.timecnt; ++i) {
    int64_t type = uint8_t(b[idx_at + i]);
    if (type >= h.typecnt) return Invalid("bad TZif transition type");
    z.transitions_.push_back(Be(b, at + size_t(i) * time_size, time_size));
    z.offsets_.push_back(type_offset(type));
  }
  // RFC 8536: local time before the first transition uses type 0.
  z.initial_offset_ = type_offset(0);
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end())) return Invalid("TZif transitions out of order");
  return z;
}

int64_t TimeZone::OffsetAt(int64_t utc_ms) const {
  int64_t s = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[size_t(it - transitions_.begin()) - 1];
}

std::chrono::year_month_day TimeZone::LocalDay(int64_t utc_ms) const {
  using namespace std::chrono;
  sys_time<milliseconds> local{milliseconds(utc_ms + OffsetAt(utc_ms) * 1000)};
  return year_month_day{floor<days>(local)};
}

}  // namespace shuyou::core
