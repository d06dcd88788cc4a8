// JSON writer (see json_writer.h).
#include "http/json_writer.h"

#include "core/encoding.h"

namespace shuyou::http {

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

JsonObject& JsonObject::Time(std::string_view key, int64_t epoch_ms) {
  Key(key);
  out_ += '"';
  core::AppendIsoUtc(out_, epoch_ms);
  out_ += '"';
  return *this;
}

}  // namespace shuyou::http
