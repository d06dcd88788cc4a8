// The test SMTP server (see smtp_server.h): blocking POSIX sockets, poll() with a short timeout
// so that the destructor can stop it.
#include "support/smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace shuyou::test {
namespace {

// Reads one CRLF-terminated line into `line` (without CRLF); false on EOF, error or stop.
bool ReadLine(int fd, std::string& buf, std::string& line, const std::atomic<bool>& stop) {
  for (;;) {
    auto eol = buf.find("\r\n");
    if (eol != std::string::npos) {
      line = buf.substr(0, eol);
      buf.erase(0, eol + 2);
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (stop) return false;
    if (r <= 0) continue;
    char tmp[4096];
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf.append(tmp, size_t(n));
  }
}

void Reply(int fd, const std::string& s) {
  std::string out = s + "\r\n";
  (void)send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

std::string Angle(const std::string& arg) {
  auto lt = arg.find('<'), gt = arg.find('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt) return arg;
  return arg.substr(lt + 1, gt - lt - 1);
}

std::string Upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string SmtpMessage::Header(const std::string& name) const {
  std::string lower_name = Upper(name) + ":";
  size_t pos = 0;
  while (pos < data.size()) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string::npos || eol == pos) break;  // end of headers
    std::string line = data.substr(pos, eol - pos);
    if (Upper(line.substr(0, lower_name.size())) == lower_name) {
      std::string value = line.substr(lower_name.size());
      // Folded continuation lines start with a space or a tab.
      size_t next = eol + 2;
      while (next < data.size() && (data[next] == ' ' || data[next] == '\t')) {
        size_t e = data.find("\r\n", next);
        value += data.substr(next, e - next);
        next = e + 2;
      }
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
    pos = eol + 2;
  }
  return "";
}

SmtpServer::SmtpServer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("smtp test server: socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 8) != 0)
    throw std::runtime_error("smtp test server: bind/listen");
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

SmtpServer::~SmtpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
}

std::vector<SmtpMessage> SmtpServer::messages() {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

void SmtpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    Session(fd);
    close(fd);
  }
}

void SmtpServer::Session(int fd) {
  std::string buf, line;
  SmtpMessage cur;
  Reply(fd, "220 test.invalid ESMTP shuyou-test");
  while (ReadLine(fd, buf, line, stop_)) {
    std::string verb = Upper(line.substr(0, line.find(' ')));
    if (verb == "EHLO") {
      Reply(fd, "250-test.invalid");
      Reply(fd, "250-8BITMIME");
      Reply(fd, "250 SIZE 10485760");
    } else if (verb == "HELO") {
      Reply(fd, "250 test.invalid");
    } else if (verb == "MAIL") {
      cur = {};
      cur.mail_from = Angle(line);
      Reply(fd, "250 OK");
    } else if (verb == "RCPT") {
      cur.recipients.push_back(Angle(line));
      Reply(fd, "250 OK");
    } else if (verb == "DATA") {
      Reply(fd, "354 end with <CRLF>.<CRLF>");
      std::string data;
      bool ok = false;
      while (ReadLine(fd, buf, line, stop_)) {
        if (line == ".") {
          ok = true;
          break;
        }
        if (!line.empty() && line[0] == '.') line.erase(0, 1);  // dot-unstuffing
        data += line + "\r\n";
      }
      if (!ok) return;
      cur.data = data;
      {
        std::lock_guard<std::mutex> lock(mu_);
        messages_.push_back(cur);
      }
      Reply(fd, "250 OK queued");
    } else if (verb == "RSET" || verb == "NOOP") {
      Reply(fd, "250 OK");
    } else if (verb == "QUIT") {
      Reply(fd, "221 bye");
      return;
    } else {
      Reply(fd, "502 not implemented");
    }
  }
}

uint16_t ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);  // bound but never listening, then closed: connecting is refused
  return ntohs(a.sin_port);
}

}  // namespace shuyou::test
