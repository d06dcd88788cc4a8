// base64url and ISO-8601 UTC times (see encoding.h).
#include "core/encoding.h"

#include <chrono>

namespace shuyou::core {

static constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string FormatIsoUtc(int64_t ms) {
  std::string out;
  AppendIsoUtc(out, ms);
  return out;
}

void AppendIsoUtc(std::string& out, int64_t ms) {
  using namespace std::chrono;
  int64_t day_ms = 86400000;
  int64_t days_since = ms >= 0 ? ms / day_ms : -((-ms + day_ms - 1) / day_ms);
  int64_t in_day = ms - days_since * day_ms;
  year_month_day ymd{sys_days(days(days_since))};
  char buf[24] = "0000-00-00T00:00:00.000";
  auto put = [&buf](int pos, int width, int64_t v) {
    for (int i = pos + width - 1; i >= pos; --i, v /= 10) buf[i] = char('0' + v % 10);
  };
  put(0, 4, int(ymd.year()));
  put(5, 2, unsigned(ymd.month()));
  put(8, 2, unsigned(ymd.day()));
  put(11, 2, in_day / 3600000);
  put(14, 2, in_day / 60000 % 60);
  put(17, 2, in_day / 1000 % 60);
  put(20, 3, in_day % 1000);
  out.append(buf, 23);
  out += 'Z';
}

std::optional<int64_t> ParseIsoUtc(std::string_view s) {
  using namespace std::chrono;
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0, milli = 0;
  if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d))
    return std::nullopt;
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  if (s.size() > 10) {
    if (s[10] != 'T' || !num(11, 2, h) || s.size() < 20 || s[13] != ':' || !num(14, 2, mi) ||
        s[16] != ':' || !num(17, 2, sec))
      return std::nullopt;
    size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      if (!num(pos + 1, 3, milli)) return std::nullopt;
      pos += 4;
    }
    if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  int64_t days_ms = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
  return days_ms + ((int64_t(h) * 60 + mi) * 60 + sec) * 1000 + milli;
}

}  // namespace shuyou::core
