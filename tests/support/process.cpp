// Child processes, temp directories and a plain-socket HTTP/1.1 client (see process.h).
// The child is started with fork/execvpe; everything it needs (argv, envp) is built before the
// fork, so only async-signal-safe calls run in the child between fork and exec.
#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace shuyou::test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void Fail(const std::string& msg) { throw std::runtime_error(msg); }

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

void ClosePair(int p[2]) {
  for (int i = 0; i < 2; ++i)
    if (p[i] >= 0) ::close(p[i]);
}

int MillisLeft(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return int(std::max<int64_t>(0, left.count()));
}

}  // namespace

std::string ShuyouBinary() {
  if (const char* e = std::getenv("SHUYOU_BINARY"); e != nullptr && *e != '\0') return e;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) Fail("cannot find the test executable to locate shuyou beside it; set SHUYOU_BINARY");
  return (self.parent_path() / "shuyou").string();
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "shuyou-proc-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string p = File(name);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << content;
  if (!f) Fail("cannot write " + p);
  return p;
}

std::string ExitStatus::Describe() const {
  return exited ? "exit " + std::to_string(code) : "killed by signal " + std::to_string(signal);
}

std::string RunResult::Describe() const {
  return (timed_out ? "timed out, " : "") + status.Describe() + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& opt) {
  if (argv.empty()) Fail("ChildProcess: empty argv");
  // A child that exits before reading its stdin must not kill the test with SIGPIPE.
  static const bool sigpipe_ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;

  std::vector<std::string> args = argv;
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "SHUYOU_", 7) != 0) envs.emplace_back(*e);
  for (const auto& [k, v] : opt.env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, exec_err[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(exec_err, O_CLOEXEC) != 0) {
    int e = errno;
    ClosePair(in), ClosePair(out), ClosePair(err), ClosePair(exec_err);
    Fail(std::string("pipe2 failed: ") + std::strerror(e));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ClosePair(in), ClosePair(out), ClosePair(err), ClosePair(exec_err);
    Fail(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) {
    // Die with the test (a crashed test must not leave a server holding a port or a database).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) ::_exit(127);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    int e = errno;
    ssize_t ignored = ::write(exec_err[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  pid_ = pid;
  ::close(in[0]), ::close(out[1]), ::close(err[1]), ::close(exec_err[1]);
  int exec_errno = 0;
  ssize_t n;
  while ((n = ::read(exec_err[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  ::close(exec_err[0]);
  if (n == sizeof exec_errno) {
    ::close(in[1]), ::close(out[0]), ::close(err[0]);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    Fail("cannot run " + argv[0] + ": " + std::strerror(exec_errno));
  }
  out_reader_ = std::thread([this, fd = out[0]] { ReadLoop(fd, out_); });
  err_reader_ = std::thread([this, fd = err[0]] { ReadLoop(fd, err_); });
  for (size_t off = 0; off < opt.stdin_data.size();) {
    ssize_t w = ::write(in[1], opt.stdin_data.data() + off, opt.stdin_data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;  // the child closed its stdin
    off += size_t(w);
  }
  ::close(in[1]);
}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void ChildProcess::ReadLoop(int fd, Stream& s) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lk(mu_);
    s.data.append(buf, size_t(n));
    cv_.notify_all();
  }
  ::close(fd);
  std::lock_guard lk(mu_);
  s.closed = true;
  cv_.notify_all();
}

void ChildProcess::Signal(int sig) {
  if (!status_ && pid_ > 0) ::kill(pid_, sig);
}

std::optional<ExitStatus> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      ExitStatus s;
      s.exited = WIFEXITED(status);
      s.code = s.exited ? WEXITSTATUS(status) : -1;
      s.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      status_ = s;
      break;
    }
    if (r < 0 && errno != EINTR) Fail(std::string("waitpid failed: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(2ms);
  }
  // The pipes close with the child: wait for the readers so Stdout()/Stderr() are complete.
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, 2s, [&] { return out_.closed && err_.closed; });
  return status_;
}

std::string ChildProcess::Stdout() const {
  std::lock_guard lk(mu_);
  return out_.data;
}

std::string ChildProcess::Stderr() const {
  std::lock_guard lk(mu_);
  return err_.data;
}

bool ChildProcess::WaitForStdout(std::string_view needle, std::chrono::milliseconds timeout) const {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, timeout, [&] { return out_.data.find(needle) != std::string::npos || out_.closed; }) &&
         out_.data.find(needle) != std::string::npos;
}

RunResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& opt, std::chrono::milliseconds timeout) {
  RunResult r;
  ChildProcess p(argv, opt);
  auto st = p.Wait(timeout);
  if (!st) {
    r.timed_out = true;
    p.Signal(SIGKILL);
    st = p.Wait(10s);
  }
  if (st) r.status = *st;
  r.out = p.Stdout();
  r.err = p.Stderr();
  return r;
}

uint16_t FreeTcpPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) Fail("cannot find a free TCP port");
  return ntohs(addr.sin_port);
}

static int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  int r;
  while ((r = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr)) != 0 && errno == EINTR) {
  }
  if (r != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

bool CanConnect(uint16_t port) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::string HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return "";
}

std::string FormatRequest(const std::string& method, const std::string& target, const std::vector<std::string>& headers,
                          const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_length = false;
  for (const auto& h : headers) {
    req += h + "\r\n";
    has_length = has_length || Lower(h).rfind("content-length:", 0) == 0;
  }
  if (!has_length && (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH"))
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return req + "\r\n" + body;
}

HttpConnection::HttpConnection(uint16_t port) {
  fd_ = ConnectLoopback(port);
  if (fd_ < 0) Fail("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool HttpConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

int HttpConnection::Fill(std::chrono::steady_clock::time_point deadline) {
  if (eof_) return 0;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, MillisLeft(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return -1;
    char buf[8192];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // orderly close, or reset
      eof_ = true;
      return 0;
    }
    buf_.append(buf, size_t(n));
    return int(n);
  }
}

std::optional<HttpResponse> HttpConnection::Read(std::chrono::milliseconds timeout, bool head) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto need = [&](auto done) -> bool {  // fills until done(); false when the peer closed first
    while (!done()) {
      int r = Fill(deadline);
      if (r < 0)
        Fail("no complete HTTP response within " + std::to_string(timeout.count()) + " ms; received: " + buf_);
      if (r == 0) return done();
    }
    return true;
  };
  size_t header_end = std::string::npos;
  if (!need([&] { return (header_end = buf_.find("\r\n\r\n")) != std::string::npos; })) return std::nullopt;

  HttpResponse res;
  std::string_view block(buf_.data(), header_end);
  size_t eol = block.find("\r\n");
  std::string_view status_line = block.substr(0, eol);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
    Fail("not an HTTP response: " + std::string(status_line));
  res.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  while (eol != std::string_view::npos) {
    size_t start = eol + 2;
    eol = block.find("\r\n", start);
    std::string_view line = block.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    res.headers.emplace_back(Lower(std::string(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  size_t body_start = header_end + 4;
  std::string length = res.Header("content-length");
  if (head || res.status / 100 == 1 || res.status == 204 || res.status == 304) {
    buf_.erase(0, body_start);
  } else if (!length.empty()) {
    size_t n = std::stoul(length);
    if (!need([&] { return buf_.size() >= body_start + n; })) return std::nullopt;
    res.body = buf_.substr(body_start, n);
    buf_.erase(0, body_start + n);
  } else if (Lower(res.Header("transfer-encoding")).find("chunked") != std::string::npos) {
    Fail("chunked responses are not supported by this test client");
  } else {  // the body runs to the end of the connection
    need([] { return false; });
    res.body = buf_.substr(body_start);
    buf_.clear();
  }
  return res;
}

bool HttpConnection::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int r = Fill(deadline);
    if (r == 0) return true;
    if (r < 0) return false;
  }
}

HttpResponse HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const std::vector<std::string>& headers, const std::string& body) {
  HttpConnection c(port);
  std::vector<std::string> h = headers;
  h.emplace_back("Connection: close");
  if (!c.Send(FormatRequest(method, target, h, body)))
    Fail("the server closed the connection before " + method + " " + target + " was sent");
  auto res = c.Read();
  if (!res) Fail("the server closed the connection without answering " + method + " " + target);
  return *res;
}

}  // namespace shuyou::test
