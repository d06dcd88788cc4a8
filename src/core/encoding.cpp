// base64, ISO-8601 UTC times and Chinese character sets (see encoding.h).
#include "core/encoding.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
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

std::string Base64Encode(std::string_view in) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t v = uint8_t(in[i]) << 16;
    if (n > 1) v |= uint8_t(in[i + 1]) << 8;
    if (n > 2) v |= uint8_t(in[i + 2]);
    out += kStd[(v >> 18) & 63];
    out += kStd[(v >> 12) & 63];
    out += n > 1 ? kStd[(v >> 6) & 63] : '=';
    out += n > 2 ? kStd[v & 63] : '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string compact;
  for (char c : in) {
    if (c == '\r' || c == '\n' || c == ' ') continue;
    compact += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!compact.empty() && compact.back() == '=') compact.pop_back();
  return Base64UrlDecode(compact);
}

namespace {

// Converts `in` between character sets with iconv. `replacement`: what an unconvertible or
// invalid character becomes (its bytes are skipped one code point at a time); without one, the
// conversion fails.
std::optional<std::string> Convert(const char* to, const char* from, std::string_view in,
                                   std::optional<char> replacement) {
  iconv_t cd = iconv_open(to, from);
  if (cd == iconv_t(-1)) return std::nullopt;
  std::string out;
  out.resize(in.size() * 2 + 16);
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  size_t done = 0;
  bool ok = true;
  while (src_left > 0) {
    char* dst = out.data() + done;
    size_t dst_left = out.size() - done;
    size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    done = out.size() - dst_left;
    if (r != size_t(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (!replacement) {
      ok = false;
      break;
    }
    // EILSEQ / EINVAL: skip one source character (a whole UTF-8 sequence when the source is UTF-8).
    size_t skip = 1;
    if (std::string_view(from) == "UTF-8") {
      uint8_t b = uint8_t(*src);
      size_t want = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      skip = 1;
      while (skip < want && skip < src_left && (uint8_t(src[skip]) & 0xC0) == 0x80) ++skip;
    }
    skip = std::min(skip, src_left);
    src += skip;
    src_left -= skip;
    if (done == out.size()) out.resize(out.size() * 2);
    out[done++] = *replacement;
  }
  if (ok) {  // flush any shift state
    char* dst = out.data() + done;
    size_t dst_left = out.size() - done;
    iconv(cd, nullptr, nullptr, &dst, &dst_left);
    done = out.size() - dst_left;
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
}

}  // namespace

std::optional<std::string> Utf8ToGb18030(std::string_view utf8) {
  return Convert("GB18030", "UTF-8", utf8, std::nullopt);
}

std::optional<std::string> Gb18030ToUtf8(std::string_view gb) {
  return Convert("UTF-8", "GB18030", gb, std::nullopt);
}

std::string Utf8ToGbk(std::string_view utf8, char replacement) {
  return Convert("GBK", "UTF-8", utf8, replacement).value_or(std::string());
}

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint8_t b = uint8_t(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      uint8_t c = uint8_t(s[i + k]);
      if ((c & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      ok = false;
    if (!ok) {
      out += char32_t(0xFFFD);
      ++i;
      continue;
    }
    out += cp;
    i += len;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
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
