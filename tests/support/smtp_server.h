// A tiny SMTP server for tests: listens on 127.0.0.1 (an ephemeral port), speaks just enough
// SMTP for libcurl (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), one connection at a
// time on its own thread, and records every message it accepts.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shuyou::test {

struct SmtpMessage {
  std::string mail_from;                // the address inside MAIL FROM:<…>
  std::vector<std::string> recipients;  // the addresses of RCPT TO:<…>
  std::string data;                     // the message, dot-unstuffed, without the final "."
  std::string Header(const std::string& name) const;  // the first header of that name (unfolded)
};

class SmtpServer {
 public:
  SmtpServer();  // throws std::runtime_error when it cannot listen
  ~SmtpServer();
  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<SmtpMessage> messages();

 private:
  void Serve();
  void Session(int fd);
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<SmtpMessage> messages_;
};

// A port on 127.0.0.1 where nothing listens (connections are refused).
uint16_t ClosedPort();

}  // namespace shuyou::test
