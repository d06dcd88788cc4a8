// UTC offsets of an IANA time zone, read from its compiled TZif data (RFC 8536), so that "today"
// is the business's calendar day. GCC 12's libstdc++ has no std::chrono::locate_zone, hence
// this small reader. Pure: the caller supplies the file's bytes.
// Limits: the 64-bit (version 2+) transition table is used; instants after the last listed
// transition use its offset (Debian's "fat" files list transitions through 2037).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shuyou::core {

class TimeZone {
 public:
  // A zone with a fixed offset (UTC when 0).
  static TimeZone Fixed(int64_t offset_s);
  // Invalid when the bytes are not TZif data.
  static Result<TimeZone> FromTzif(std::string_view bytes);

  // Seconds east of UTC in effect at `utc_ms` (epoch milliseconds).
  int64_t OffsetAt(int64_t utc_ms) const;
  // The local calendar day of `utc_ms`.
  std::chrono::year_month_day LocalDay(int64_t utc_ms) const;

 private:
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int64_t> offsets_;      // offset from transitions_[i] on
  int64_t initial_offset_ = 0;        // before the first transition
};

}  // namespace shuyou::core
