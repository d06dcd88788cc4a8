// Starts and stops the test PostgreSQL cluster described in pg_cluster.h with plain fork/exec of
// initdb, pg_ctl and createdb (no shell, no libpq: the test binary needs no PostgreSQL headers).
#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace shuyou::test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void Fail(const std::string& msg) { throw std::runtime_error("PgCluster: " + msg); }

// SHUYOU_PG_BINDIR, or the bin/ of the highest PostgreSQL version under /usr/lib/postgresql.
std::string FindBinDir() {
  if (const char* env = std::getenv("SHUYOU_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (!fs::exists(fs::path(env) / "initdb")) {
      Fail(std::string("no initdb in SHUYOU_PG_BINDIR=") + env);
    }
    return env;
  }
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    char* end = nullptr;
    long version = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || !fs::exists(entry.path() / "bin" / "initdb")) continue;
    if (version > best_version) {
      best_version = static_cast<int>(version);
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    Fail(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the "
        "postgresql package (scripts/install-deps.sh) or set SHUYOU_PG_BINDIR");
  }
  return best;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Fail("cannot find a free TCP port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

PgCluster& PgCluster::Instance() {
  // A failed start is remembered so later tests fail fast with the same message.
  static std::mutex mu;
  static std::string failure;
  std::lock_guard lock(mu);
  if (!failure.empty()) throw std::runtime_error(failure);
  try {
    static PgCluster cluster;
    return cluster;
  } catch (const std::exception& e) {
    failure = e.what();
    throw;
  }
}

PgCluster::PgCluster() {
  try {
    Start();
  } catch (...) {
    Stop();
    throw;
  }
}

PgCluster::~PgCluster() { Stop(); }

int PgCluster::Run(const std::vector<std::string>& args, const std::string& log_file) const {
  std::vector<std::string> argv;
  if (::geteuid() == 0) argv = {"runuser", "-u", "postgres", "--"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) Fail("fork failed");
  if (pid == 0) {
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    if (::chdir("/") != 0) ::_exit(126);  // the postgres user must be able to read its cwd
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A test process that crashed left its cluster running: stop and delete clusters whose owner
// process (recorded in owner.pid) is gone.
void PgCluster::ReapAbandoned() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("shuyou-pg-")) continue;
    pid_t owner = static_cast<pid_t>(std::atol(ReadFile(entry.path() / "owner.pid").c_str()));
    if (owner <= 0 || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::string dir = entry.path().string();
    Run({bindir_ + "/pg_ctl", "-w", "-D", dir + "/data", "-m", "immediate", "stop"}, "/dev/null");
    fs::remove_all(dir, ec);
  }
}

void PgCluster::Start() {
  bindir_ = FindBinDir();
  ReapAbandoned();
  std::string tmpl = (fs::temp_directory_path() / "shuyou-pg-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed for " + tmpl);
  dir_ = tmpl;
  std::ofstream(dir_ + "/owner.pid") << ::getpid() << "\n";
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) Fail("running as root but there is no `postgres` user to run the server as");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      Fail("cannot chown " + dir_ + " to postgres");
    }
  }

  const std::string data = dir_ + "/data";
  const std::string setup_log = dir_ + "/setup.log";
  if (Run({bindir_ + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--encoding=UTF8",
           "--no-locale", "--no-sync"},
          setup_log) != 0) {
    Fail("initdb failed:\n" + ReadFile(setup_log));
  }

  // The free port may be taken between probing and binding: try a few.
  for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
    port_ = FreePort();
    std::string server_opts = "-p " + std::to_string(port_) + " -k " + dir_ +
                              " -c listen_addresses=127.0.0.1 -c max_connections=200"
                              " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    running_ = Run({bindir_ + "/pg_ctl", "-w", "-D", data, "-l", dir_ + "/server.log", "-o",
                    server_opts, "start"},
                   setup_log) == 0;
  }
  if (!running_) {
    Fail("pg_ctl start failed:\n" + ReadFile(setup_log) + ReadFile(dir_ + "/server.log"));
  }
  url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

void PgCluster::Stop() {
  if (running_) {
    Run({bindir_ + "/pg_ctl", "-w", "-D", dir_ + "/data", "-m", "immediate", "stop"},
        dir_ + "/setup.log");
    running_ = false;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string PgCluster::NewDatabaseUrl() {
  static std::atomic<int> counter{0};
  std::string name = "shuyou_test_" + std::to_string(++counter);
  std::string log = dir_ + "/createdb-" + name + ".log";
  if (Run({bindir_ + "/createdb", "-h", dir_, "-p", std::to_string(port_), "-U", "postgres", name},
          log) != 0) {
    Fail("createdb " + name + " failed:\n" + ReadFile(log));
  }
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace shuyou::test
