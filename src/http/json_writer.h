// A small JSON writer for responses on hot paths (lists): appends straight into one string,
// with no intermediate objects. Strings are escaped per RFC 8259; they are expected to be valid
// UTF-8 already (input text is validated when it is stored).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shuyou::http {

void AppendJsonString(std::string& out, std::string_view s);

// Writes one object: JsonObject(out).Str("a", x).Int("b", 1).Close();
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  JsonObject& Str(std::string_view key, std::string_view v) {
    Key(key);
    AppendJsonString(out_, v);
    return *this;
  }
  JsonObject& Int(std::string_view key, int64_t v) {
    Key(key);
    out_ += std::to_string(v);
    return *this;
  }
  JsonObject& OptInt(std::string_view key, const std::optional<int64_t>& v) {
    return v ? Int(key, *v) : Null(key);
  }
  JsonObject& Bool(std::string_view key, bool v) {
    Key(key);
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonObject& Null(std::string_view key) {
    Key(key);
    out_ += "null";
    return *this;
  }
  JsonObject& Time(std::string_view key, int64_t epoch_ms);  // ISO-8601 UTC string
  JsonObject& OptTime(std::string_view key, const std::optional<int64_t>& v) {
    return v ? Time(key, *v) : Null(key);
  }
  // `json` must already be valid JSON text.
  JsonObject& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  void Close() { out_ += '}'; }

 private:
  void Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendJsonString(out_, key);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace shuyou::http
