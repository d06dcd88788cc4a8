// Runs the scheduled jobs inside `shuyou serve`: a thread that wakes every minute, and for every
// job runs each business day from the day after its last finished run (at most 7 days back, so
// a server that was down catches up on birthdays and expiry) up to today in the configured time
// zone. Stop() (or the destructor) ends the thread promptly, between members. Each pass also
// delivers the outbox's due e-mail (RunOutbox) when smtp_url is set.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/services.h"

namespace shuyou::jobs {

class Scheduler {
 public:
  explicit Scheduler(service::Context& ctx);
  ~Scheduler();
  void Start();
  void Stop();
  // One pass over every job (what the thread does each minute); for tests.
  void RunDue();
  void RunOutboxPass();

 private:
  void Loop();
  service::Context& ctx_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
};

}  // namespace shuyou::jobs
