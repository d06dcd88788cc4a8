// E-mail messages as bytes: a MIME multipart/alternative message (plain text and HTML, both
// UTF-8 in base64) with RFC 2047 encoded headers, ready for SMTP DATA. Pure: the caller supplies
// the date and the Message-ID.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shuyou::core {

struct MailMessage {
  std::string from;  // "shop@example.com" or "书友书店 <shop@example.com>"
  std::string to;    // one address
  std::string subject;
  std::string text;
  std::string html;  // empty: a text/plain message only
  std::string message_id;  // "<outbox-42@shuyou>"
  int64_t date_ms = 0;     // the Date header (UTC)
};

// The whole message with CRLF line ends; header values never carry CR or LF.
std::string ComposeMimeMessage(const MailMessage& m);
// A header value: ASCII text as is, anything else as RFC 2047 "=?UTF-8?B?…?=" words of at most
// 75 characters, split between characters, never inside one.
std::string EncodeHeaderText(std::string_view utf8);
// "Sat, 28 Nov 2026 05:56:50 +0000".
std::string FormatRfc5322Date(int64_t epoch_ms);
// True for a plausible single mailbox "local@domain.tld" (no spaces, no control characters,
// no angle brackets or commas): what a receipt may be sent to.
bool LooksLikeEmailAddress(std::string_view address);

}  // namespace shuyou::core
