// Text encodings used across layers: base64url (tokens, cursors), standard base64 (MIME),
// ISO-8601 UTC times, and UTF-8 ⇄ GB18030/GBK (Chinese thermal printers, PDF fonts).
// Pure functions, no I/O (the character set conversions use glibc's iconv tables).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shuyou::core {

std::string Base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);
// RFC 4648 base64 with '+', '/' and '=' padding; Decode skips CR, LF and spaces.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// UTF-8 → GB18030 (every Unicode character has a GB18030 form); nullopt for invalid UTF-8.
std::optional<std::string> Utf8ToGb18030(std::string_view utf8);
// GB18030 → UTF-8; nullopt for bytes that are not GB18030.
std::optional<std::string> Gb18030ToUtf8(std::string_view gb);
// UTF-8 → GBK (the double-byte subset older printers and PDF CJK fonts know); a character
// without a GBK form, and an invalid UTF-8 sequence, become `replacement`.
std::string Utf8ToGbk(std::string_view utf8, char replacement = '?');

// The Unicode code points of `utf8`; an invalid sequence yields U+FFFD for its first byte.
std::u32string DecodeUtf8(std::string_view utf8);
void AppendUtf8(std::string& out, char32_t cp);

// Epoch milliseconds (UTC) ⇄ "2026-11-28T00:30:06.123Z". Parse also takes "…Z" without
// milliseconds and plain "YYYY-MM-DD" (midnight UTC).
std::string FormatIsoUtc(int64_t epoch_ms);
void AppendIsoUtc(std::string& out, int64_t epoch_ms);  // the same, appended (no allocation)
std::optional<int64_t> ParseIsoUtc(std::string_view text);

}  // namespace shuyou::core
