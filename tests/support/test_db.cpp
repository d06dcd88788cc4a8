// Creates the per-test databases declared in test_db.h and removes SQLite temp dirs at exit.
#include "support/test_db.h"

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "support/pg_cluster.h"

namespace shuyou::test {

namespace {

// Temp directories made for SQLite databases, deleted when the test process exits.
class TempDirs {
 public:
  std::string Make() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "shuyou-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    std::lock_guard lock(mu_);
    dirs_.push_back(tmpl);
    return tmpl;
  }
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs_) std::filesystem::remove_all(d, ec);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> dirs_;
};

TempDirs& Temp() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

std::string NewTestDatabaseTarget(store::Engine engine) {
  if (engine == store::Engine::kPostgres) return PgCluster::Instance().NewDatabaseUrl();
  return Temp().Make() + "/shuyou.db";
}

std::unique_ptr<store::Database> OpenTestDatabase(const std::string& target,
                                                  const store::Options& opt) {
  auto db = store::Database::Open(target, opt);
  if (!db.ok()) {
    throw std::runtime_error("cannot open test database " + target + ": " + db.status().message());
  }
  return std::move(db).value();
}

std::unique_ptr<store::Database> NewTestDatabase(store::Engine engine, const store::Options& opt) {
  return OpenTestDatabase(NewTestDatabaseTarget(engine), opt);
}

std::unique_ptr<store::Database> NewMigratedTestDatabase(store::Engine engine,
                                                         const store::Options& opt) {
  auto db = NewTestDatabase(engine, opt);
  auto version = store::Migrate(*db);
  if (!version.ok()) {
    throw std::runtime_error("migrating the test database failed: " + version.status().message());
  }
  return db;
}

std::string EngineParamName(const ::testing::TestParamInfo<store::Engine>& info) {
  return info.param == store::Engine::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace shuyou::test
