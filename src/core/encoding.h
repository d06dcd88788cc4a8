// Text encodings used across layers: base64url (tokens, cursors) and ISO-8601 UTC times.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shuyou::core {

std::string Base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Epoch milliseconds (UTC) ⇄ "2026-11-28T00:30:06.123Z". Parse also takes "…Z" without
// milliseconds and plain "YYYY-MM-DD" (midnight UTC).
std::string FormatIsoUtc(int64_t epoch_ms);
void AppendIsoUtc(std::string& out, int64_t epoch_ms);  // the same, appended (no allocation)
std::optional<int64_t> ParseIsoUtc(std::string_view text);

}  // namespace shuyou::core
