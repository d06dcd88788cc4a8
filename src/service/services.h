// The service layer's shared pieces: who is acting (Actor), the context every use case gets
// (database, clock, settings), and the audit trail. Each use case is one function that runs
// one transaction (Database::Write/Read) and answers a Result.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/staff_rules.h"
#include "store/db.h"

namespace shuyou::service {

struct Actor {
  std::string kind = "system";  // "staff", "api_key" or "system" (CLI, jobs)
  int64_t id = 0;               // staff id or API key id
  std::string name;             // username or key name
  core::Role role = core::Role::kOwner;
  std::optional<int64_t> home_store_id;
  std::string ip;
  std::string request_id;
};

struct Settings {
  int64_t session_ttl_ms = 12LL * 3600 * 1000;
  int max_failures_per_account = 5;   // failed sign-ins per account within the window
  int max_failures_per_address = 20;  // failed sign-ins per client address within the window
  int64_t failure_window_ms = 15LL * 60 * 1000;
  std::string phone_region = "CN";        // where a number typed without "+" is read
  std::string card_prefix = "8601";       // new member card numbers start with these digits
  std::string timezone = "Asia/Shanghai"; // the business day: birthdays, expiry dates, jobs
  bool run_jobs = true;                   // `shuyou serve` runs the scheduled jobs
  // Outgoing mail (receipts, campaigns) through the outbox; smtp_url empty: delivery is off and
  // messages wait in the outbox. smtp://host:25 (STARTTLS when offered) or smtps://host:465.
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_password;  // never logged or printed
  std::string mail_from;      // "书友书店 <receipts@example.com>"
};

struct Context {
  store::Database& db;
  Settings settings;
  std::function<int64_t()> now;  // epoch milliseconds; tests may replace it
};

int64_t SystemNowMs();

// Appends one audit row inside the caller's transaction.
Status RecordAudit(store::Tx& tx, const Context& ctx, const Actor& actor, std::string_view action,
                   std::string_view target, const nlohmann::json& details);

// Paging for list use cases: keyset pagination on (sort column, id).
struct PageQuery {
  int limit = 50;       // 1..200
  std::string cursor;   // opaque, from a previous page's next_cursor
  std::string sort;     // "column" or "-column"; "" means the list's default
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

}  // namespace shuyou::service
