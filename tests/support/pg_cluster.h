// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, started on a free local port
// on first use and stopped and deleted when the process exits. When running as root the server
// runs as the `postgres` system user (PostgreSQL refuses root). Missing binaries abort loudly.
#pragma once

#include <string>
#include <vector>

namespace shuyou::test {

class PgCluster {
 public:
  // The process-wide cluster, started on the first call (thread-safe).
  static PgCluster& Instance();

  // postgresql://postgres@127.0.0.1:PORT/postgres
  const std::string& Url() const { return url_; }
  // Creates an empty database with a unique name and returns its URL.
  std::string NewDatabaseUrl();

  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

 private:
  PgCluster();
  void Start();
  void Stop();
  void ReapAbandoned() const;
  // Runs a PostgreSQL program (as `postgres` when we are root); output goes to log_file.
  int Run(const std::vector<std::string>& args, const std::string& log_file) const;

  std::string bindir_;
  std::string dir_;  // temp root: data/ inside, sockets and logs beside it
  int port_ = 0;
  std::string url_;
  bool running_ = false;
};

}  // namespace shuyou::test
