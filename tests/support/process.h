// Black-box helpers for tests that run real programs: a child process with piped stdin, stdout
// and stderr (killed and reaped by its destructor, so a failing test leaves nothing running), a
// one-shot RunProcess() with a timeout, temp directories, a free TCP port and a small HTTP/1.1 client
// over plain sockets. Setup failures (cannot fork, cannot exec, cannot connect) throw
// std::runtime_error, which GoogleTest reports as a test failure with the reason.
// Not thread-safe per object; create and drive a ChildProcess from one thread (the main test thread:
// the child is also killed if the thread that started it dies).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace shuyou::test {

using namespace std::chrono_literals;

// The `shuyou` binary under test: $SHUYOU_BINARY, else "shuyou" beside this test executable.
std::string ShuyouBinary();

// A new empty directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name and returns that path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

struct ProcessOptions {
  // The child sees the parent's environment minus every SHUYOU_* variable (so neither the
  // developer's settings nor the test runner's leak in), plus these.
  std::vector<std::pair<std::string, std::string>> env;
  std::string stdin_data;  // written to the child's stdin, which is then closed
};

struct ExitStatus {
  bool exited = false;  // ended by exit(); otherwise killed by `signal`
  int code = -1;
  int signal = 0;
  bool ok() const { return exited && code == 0; }
  std::string Describe() const;  // "exit 0", "killed by signal 9"
};

class ChildProcess {
 public:
  // Starts argv[0] (looked up in PATH when it has no '/'). Throws when it cannot be executed.
  explicit ChildProcess(const std::vector<std::string>& argv, const ProcessOptions& opt = {});
  // Sends SIGKILL when the child still runs, reaps it and joins the output readers.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for the child to end; nullopt when it still runs after `timeout`.
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout);

  // Everything the child has written so far.
  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until stdout contains `needle`; false on timeout or when stdout is closed without it.
  bool WaitForStdout(std::string_view needle, std::chrono::milliseconds timeout) const;

 private:
  struct Stream {
    std::string data;
    bool closed = false;
  };
  void ReadLoop(int fd, Stream& s);

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Stream out_, err_;
  std::thread out_reader_, err_reader_;
};

struct RunResult {
  ExitStatus status;
  bool timed_out = false;  // killed after the timeout
  std::string out, err;
  // For assertion messages: status, stdout and stderr.
  std::string Describe() const;
};

// Runs a program to completion (killing it after `timeout`) and collects its output.
RunResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& opt = {},
              std::chrono::milliseconds timeout = 30s);

// A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it).
uint16_t FreeTcpPort();
// Whether a TCP connection to 127.0.0.1:port is accepted right now.
bool CanConnect(uint16_t port);

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;
  // The first header named `lower_name`, or "" when absent.
  std::string Header(std::string_view lower_name) const;
};

// A request in HTTP/1.1 wire form. Adds Host and, when there is a body, Content-Length;
// `headers` are "Name: value" lines without CRLF.
std::string FormatRequest(const std::string& method, const std::string& target,
                          const std::vector<std::string>& headers = {}, const std::string& body = "");

// One client TCP connection to 127.0.0.1:port speaking HTTP/1.1 (Content-Length bodies only,
// which is all the shuyou server sends). Throws when the connection is refused.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends raw bytes; false when the peer has closed or reset the connection.
  bool Send(std::string_view bytes);
  // Reads one response. nullopt when the server closed or reset the connection before a whole
  // response arrived; throws on timeout.
  std::optional<HttpResponse> Read(std::chrono::milliseconds timeout = 10s, bool head = false);
  // Waits until the server closes the connection (true) or `timeout` passes (false). Bytes
  // received meanwhile are kept for Read().
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  // Receives more bytes into buf_; 0 on orderly close or reset, -1 on timeout.
  int Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

// Connects, sends one request with "Connection: close" and reads the response (throws when there
// is none).
HttpResponse HttpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const std::vector<std::string>& headers = {}, const std::string& body = "");

}  // namespace shuyou::test
