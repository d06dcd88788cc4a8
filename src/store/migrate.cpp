// Schema migrations: applies the embedded numbered SQL files in order, each in its own Write
// transaction that also records it in schema_version. On PostgreSQL an advisory lock held for
// each transaction lets several servers start at once: the version is re-read under the lock.
#include <chrono>

#include "store/db.h"

namespace shuyou::store {

namespace {

// Any fixed key works as long as every shuyou binary uses the same one: "shuyou" in ASCII.
constexpr int64_t kMigrationLockKey = 0x736875796f75;

std::string SubstitutePk(std::string sql, Engine engine) {
  const std::string placeholder = "{{PK}}";
  const std::string pk =
      engine == Engine::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  for (size_t at = sql.find(placeholder); at != std::string::npos; at = sql.find(placeholder, at)) {
    sql.replace(at, placeholder.size(), pk);
    at += pk.size();
  }
  return sql;
}

Status LockMigrations(Tx& tx) {
  if (tx.engine() != Engine::kPostgres) return Status::Ok();  // SQLite writes are serialized
  return tx.Exec("SELECT pg_advisory_xact_lock(?)", {kMigrationLockKey}).status();
}

Result<bool> VersionTableExists(Tx& tx) {
  const char* sql =
      tx.engine() == Engine::kSqlite
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
          : "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'schema_version'";
  SY_ASSIGN_OR_RETURN(Rows rows, tx.Exec(sql));
  return rows[0].Int(0) > 0;
}

Result<int> CurrentVersion(Tx& tx) {
  SY_ASSIGN_OR_RETURN(bool exists, VersionTableExists(tx));
  if (!exists) return 0;
  SY_ASSIGN_OR_RETURN(Rows rows, tx.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  return static_cast<int>(rows[0].Int(0));
}

int LatestKnownVersion() {
  const auto& all = AllMigrations();
  return all.empty() ? 0 : all.back().version;
}

Status RefuseNewer(int version) {
  int known = LatestKnownVersion();
  if (version <= known) return Status::Ok();
  return Conflict("database schema version " + std::to_string(version) +
                  " is newer than this shuyou binary (knows up to " + std::to_string(known) +
                  "); upgrade shuyou");
}

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<int> SchemaVersion(Database& db) {
  int version = 0;
  SY_RETURN_IF_ERROR(db.Read([&](Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(version, CurrentVersion(tx));
    return Status::Ok();
  }));
  return version;
}

Result<int> Migrate(Database& db) {
  const auto& all = AllMigrations();
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].version <= all[i - 1].version) {
      return Internal("embedded migrations are not in increasing order at " + all[i].name);
    }
  }

  int version = 0;
  SY_RETURN_IF_ERROR(db.Write([&](Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(LockMigrations(tx));
    SY_RETURN_IF_ERROR(
        tx.Exec("CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            .status());
    SY_ASSIGN_OR_RETURN(version, CurrentVersion(tx));
    return RefuseNewer(version);
  }));

  for (const Migration& m : all) {
    if (m.version <= version) continue;
    SY_RETURN_IF_ERROR(db.Write([&](Tx& tx) -> Status {
      SY_RETURN_IF_ERROR(LockMigrations(tx));
      SY_ASSIGN_OR_RETURN(version, CurrentVersion(tx));  // another server may have moved on
      SY_RETURN_IF_ERROR(RefuseNewer(version));
      if (m.version <= version) return Status::Ok();
      Status st = tx.ExecScript(SubstitutePk(m.sql, tx.engine()));
      if (!st.ok()) return Status(st.code(), "migration " + m.name + " failed: " + st.message());
      SY_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                  {int64_t{m.version}, m.name, NowMillis()})
              .status());
      version = m.version;
      return Status::Ok();
    }));
  }
  return version;
}

}  // namespace shuyou::store
