// The outbox and its SMTP sender (see outbox.h).
#include "service/outbox.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/mail.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
// The wait after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
constexpr int64_t kRetryDelayMs[] = {1 * kMinuteMs, 5 * kMinuteMs, 30 * kMinuteMs, 120 * kMinuteMs};
// A claimed row is not picked again for this long (a sender that died mid-send is retried then).
constexpr int64_t kClaimLeaseMs = 10 * kMinuteMs;

constexpr const char* kColumns =
    "id, channel, recipient, subject, purpose, ref, member_id, created_at, status, attempts, next_attempt_at, "
    "sent_at, last_error";

OutboxMessage FromRow(const store::Row& r) {
  OutboxMessage m;
  m.id = r.Int(0);
  m.channel = r.Text(1);
  m.recipient = r.Text(2);
  m.subject = r.Text(3);
  m.purpose = r.Text(4);
  m.ref = r.Text(5);
  m.member_id = r.OptInt(6);
  m.created_at = r.Int(7);
  m.status = r.Text(8);
  m.attempts = r.Int(9);
  m.next_attempt_at = r.Int(10);
  m.sent_at = r.OptInt(11);
  m.last_error = r.Text(12);
  return m;
}

// "书友书店 <shop@example.com>" → "shop@example.com".
std::string BareAddress(const std::string& a) {
  auto lt = a.rfind('<'), gt = a.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return a.substr(lt + 1, gt - lt - 1);
  return a;
}

class SmtpTransport : public MailTransport {
 public:
  explicit SmtpTransport(const Settings& s) : url_(s.smtp_url), user_(s.smtp_user), password_(s.smtp_password) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Status Send(const std::string& from, const std::string& to, const std::string& message) override {
    CURL* curl = curl_easy_init();
    if (!curl) return Status(Code::kUnavailable, "cannot start an SMTP client");
    struct Source {
      const std::string* data;
      size_t pos;
    } src{&message, 0};
    auto read = +[](char* buf, size_t size, size_t n, void* user) -> size_t {
      auto* s = static_cast<Source*>(user);
      size_t len = std::min(size * n, s->data->size() - s->pos);
      std::memcpy(buf, s->data->data() + s->pos, len);
      s->pos += len;
      return len;
    };
    std::string mail_from = "<" + from + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    if (!user_.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, user_.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, password_.c_str());
    }
    if (url_.rfind("smtp://", 0) == 0) curl_easy_setopt(curl, CURLOPT_USE_SSL, long(CURLUSESSL_TRY));
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &src);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    CURLcode res = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (res == CURLE_OK) return Status::Ok();
    std::string why = error[0] ? error : curl_easy_strerror(res);
    if (reply) why += " (SMTP " + std::to_string(reply) + ")";
    return Status(Code::kUnavailable, why);
  }

 private:
  std::string url_, user_, password_;
};

}  // namespace

std::unique_ptr<MailTransport> MakeSmtpTransport(const Settings& settings) {
  if (settings.smtp_url.empty()) return nullptr;
  return std::make_unique<SmtpTransport>(settings);
}

Result<OutboxMessage> EnqueueEmail(store::Tx& tx, const Context& ctx, std::string_view recipient,
                                   std::string_view subject, std::string_view text, std::string_view html,
                                   std::string_view purpose, std::string_view ref, std::optional<int64_t> member_id) {
  if (!core::LooksLikeEmailAddress(recipient))
    return Invalid("not an e-mail address", {{"email", "must be one e-mail address such as name@example.com"}});
  if (subject.empty()) return Invalid("an e-mail needs a subject");
  if (purpose.empty()) return Invalid("an outbox message needs a purpose");
  int64_t now = ctx.now();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("INSERT INTO outbox (channel, recipient, subject, body_text, body_html, "
                                                     "purpose, ref, member_id, created_at, status, attempts, next_attempt_at) "
                                                     "VALUES ('email', ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?) RETURNING ") +
                                             kColumns,
                                         {std::string(recipient), std::string(subject), std::string(text), std::string(html),
                                          std::string(purpose), std::string(ref),
                                          member_id ? store::Value(*member_id) : store::Null(), now, now}));
  return FromRow(rows[0]);
}

Result<OutboxMessage> GetOutboxMessage(Context& ctx, int64_t id) {
  OutboxMessage m;
  SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kColumns + " FROM outbox WHERE id = ?", {id}));
    if (rows.empty()) return NotFound("no outbox message " + std::to_string(id));
    m = FromRow(rows[0]);
    return Status::Ok();
  }));
  return m;
}

Result<DeliveryReport> DeliverPending(Context& ctx, MailTransport& transport, int limit) {
  if (ctx.settings.mail_from.empty()) return Invalid("mail_from is not set: the sender address of outgoing mail");
  std::string envelope_from = BareAddress(ctx.settings.mail_from);
  std::string domain = envelope_from.substr(envelope_from.find('@') + 1);
  DeliveryReport report;
  std::vector<int64_t> due;
  int64_t now = ctx.now();
  SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM outbox WHERE status = 'pending' AND channel = 'email' AND "
                                           "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT " +
                                               std::to_string(std::max(1, limit)),
                                           {now}));
    for (const auto& r : rows.rows) due.push_back(r.Int(0));
    return Status::Ok();
  }));
  for (int64_t id : due) {
    // Claim the row: only one sender wins the conditional UPDATE.
    bool claimed = false;
    core::MailMessage mail;
    OutboxMessage row;
    SY_RETURN_IF_ERROR(ctx.db.Write([&](store::Tx& tx) -> Status {
      int64_t at = ctx.now();
      SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending' "
                                            "AND next_attempt_at <= ?",
                                            {at + kClaimLeaseMs, id, at}));
      if (upd.affected == 0) return Status::Ok();
      claimed = true;
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kColumns + ", body_text, body_html FROM outbox WHERE id = ?",
                                             {id}));
      row = FromRow(rows[0]);
      mail.text = rows[0].Text(13);
      mail.html = rows[0].Text(14);
      return Status::Ok();
    }));
    if (!claimed) continue;
    mail.from = ctx.settings.mail_from;
    mail.to = row.recipient;
    mail.subject = row.subject;
    mail.date_ms = ctx.now();
    mail.message_id = "<shuyou-outbox-" + std::to_string(row.id) + "-" + std::to_string(row.created_at) + "@" + domain + ">";
    Status sent = transport.Send(envelope_from, row.recipient, core::ComposeMimeMessage(mail));
    int64_t attempts = row.attempts + 1;
    int64_t at = ctx.now();
    Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
      if (sent.ok())
        return tx.Exec("UPDATE outbox SET status = 'sent', sent_at = ?, attempts = ?, last_error = '' WHERE id = ?",
                       {at, attempts, id})
            .status();
      if (attempts >= kOutboxMaxAttempts)
        return tx.Exec("UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                       {attempts, sent.message(), id})
            .status();
      return tx.Exec("UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                     {attempts, at + kRetryDelayMs[attempts - 1], sent.message(), id})
          .status();
    });
    if (!st.ok()) return st;
    if (sent.ok()) {
      ++report.sent;
    } else if (attempts >= kOutboxMaxAttempts) {
      ++report.failed;
      spdlog::warn("outbox: message {} failed for good after {} attempts: {}", id, attempts,
                   sent.message());
    } else {
      ++report.retried;
      spdlog::info("outbox: message {} attempt {} failed, retrying later: {}", id, attempts, sent.message());
    }
  }
  return report;
}

}  // namespace shuyou::service
