// The outbox: mail waits in the `outbox` table until the sender delivers it, so that a sale or a
// campaign never waits for (or fails because of) a mail server. DeliverPending claims each due
// row with a conditional UPDATE (two senders never send the same row), sends it outside any
// transaction, then records the outcome: sent, or a retry after 1, 5, 30 and 120 minutes, and
// failed with the last error after 5 attempts. SMTP passwords are never logged or stored here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "service/services.h"

namespace shuyou::service {

inline constexpr int kOutboxMaxAttempts = 5;

struct OutboxMessage {
  int64_t id = 0;
  std::string channel;  // email, sms
  std::string recipient;
  std::string subject;
  std::string purpose;  // receipt, campaign, …
  std::string ref;      // "sale:42"
  std::optional<int64_t> member_id;
  int64_t created_at = 0;
  std::string status;  // pending, sent, failed
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  std::optional<int64_t> sent_at;
  std::string last_error;
};

// Sends one composed message. Implementations: SMTP (below) and the tests' fakes.
class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // `envelope_from` and `to` are bare addresses; `message` the whole RFC 5322 message (CRLF).
  virtual Status Send(const std::string& envelope_from, const std::string& to, const std::string& message) = 0;
};

// SMTP through libcurl with settings.smtp_url (smtp:// uses STARTTLS when the server offers it,
// smtps:// is TLS from the start), smtp_user and smtp_password. nullptr when smtp_url is empty.
std::unique_ptr<MailTransport> MakeSmtpTransport(const Settings& settings);

// Queues an e-mail inside the caller's transaction, due now. Invalid for a recipient that is not
// one plausible address or an empty subject.
Result<OutboxMessage> EnqueueEmail(store::Tx& tx, const Context& ctx, std::string_view recipient,
                                   std::string_view subject, std::string_view text, std::string_view html,
                                   std::string_view purpose, std::string_view ref, std::optional<int64_t> member_id);

struct DeliveryReport {
  int sent = 0;
  int retried = 0;  // failed this time, another attempt is scheduled
  int failed = 0;   // failed for good (kOutboxMaxAttempts reached)
};

// Sends up to `limit` pending e-mails whose next_attempt_at has come (oldest due first) from
// settings.mail_from. Invalid when mail_from is empty.
Result<DeliveryReport> DeliverPending(Context& ctx, MailTransport& transport, int limit);

Result<OutboxMessage> GetOutboxMessage(Context& ctx, int64_t id);

}  // namespace shuyou::service
