// MIME message composition (see mail.h).
#include "core/mail.h"

#include <chrono>

#include "core/encoding.h"

namespace shuyou::core {
namespace {

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (uint8_t(c) >= 0x80) return false;
  return true;
}

std::string NoLineBreaks(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  return out;
}

// Base64 in lines of 76 characters, CRLF-terminated.
std::string Base64Body(std::string_view bytes) {
  std::string b = Base64Encode(bytes), out;
  for (size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

// "书友书店 <shop@example.com>": the display name encoded, the address as is.
std::string EncodeAddress(std::string_view a) {
  auto lt = a.rfind('<');
  if (lt == std::string_view::npos || lt == 0) return NoLineBreaks(a);
  std::string_view name = a.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string n = NoLineBreaks(name);
  if (IsAscii(n)) n = "\"" + n + "\"";
  else n = EncodeHeaderText(n);
  return n + " " + NoLineBreaks(a.substr(lt));
}

}  // namespace

std::string EncodeHeaderText(std::string_view utf8) {
  std::string clean = NoLineBreaks(utf8);
  if (IsAscii(clean)) return clean;
  // Each word carries at most 45 bytes of text (60 base64 characters + 12 of "=?UTF-8?B?…?=").
  std::string out, chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(chunk) + "?=";
    chunk.clear();
  };
  for (char32_t cp : DecodeUtf8(clean)) {
    std::string one;
    AppendUtf8(one, cp);
    if (chunk.size() + one.size() > 45) flush();
    chunk += one;
  }
  flush();
  return out;
}

std::string FormatRfc5322Date(int64_t ms) {
  using namespace std::chrono;
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  sys_seconds t{seconds(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  weekday wd{day};
  auto in_day = t - day;
  int64_t s = in_day.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02lld:%02lld:%02lld +0000", kDays[wd.c_encoding()],
                unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), (long long)(s / 3600),
                (long long)(s / 60 % 60), (long long)(s % 60));
  return buf;
}

bool LooksLikeEmailAddress(std::string_view a) {
  if (a.size() < 3 || a.size() > 254) return false;
  auto at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at != a.rfind('@') || at + 1 >= a.size()) return false;
  for (char c : a)
    if (uint8_t(c) <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' ||
        c == ')' || c == '\\')
      return false;
  std::string_view domain = a.substr(at + 1);
  auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

std::string ComposeMimeMessage(const MailMessage& m) {
  std::string boundary = "=_shuyou_" + Base64UrlEncode(m.message_id).substr(0, 24) + "_alt";
  std::string out;
  out += "From: " + EncodeAddress(m.from) + "\r\n";
  out += "To: " + EncodeAddress(m.to) + "\r\n";
  out += "Subject: " + EncodeHeaderText(m.subject) + "\r\n";
  out += "Date: " + FormatRfc5322Date(m.date_ms) + "\r\n";
  if (!m.message_id.empty()) out += "Message-ID: " + NoLineBreaks(m.message_id) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.html.empty()) {
    out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    out += Base64Body(m.text);
    return out;
  }
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Body(m.text);
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Body(m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace shuyou::core
