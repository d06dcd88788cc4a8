// The data-access layer: one interface over SQLite and PostgreSQL.
// SQL is written once with `?` placeholders (the PostgreSQL backend rewrites them to $1, $2, …
// outside string literals) and values are always bound, never spliced into SQL text.
// Guarantees:
//  - Write() runs its function inside one transaction: committed when it returns ok, rolled
//    back when it returns an error or throws. On SQLite every Write goes through the single
//    writer connection (serialized by the Database), so writes never see SQLITE_BUSY.
//  - Read() runs on a reader connection (SQLite: a pool of read-only connections; PostgreSQL:
//    the shared pool) inside a transaction, so it sees one consistent snapshot.
//  - Database is thread-safe; a Tx is used only by the thread that got it and only inside the
//    callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace shuyou::store {

enum class Engine { kSqlite, kPostgres };

// A bound parameter or a column value. Booleans are stored as integers 0/1.
using Value = std::variant<std::monostate, int64_t, double, std::string>;
inline Value Null() { return std::monostate{}; }

struct Row {
  std::vector<Value> cols;
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cols.at(i)); }
  // Int() converts a text column holding digits (PostgreSQL NUMERIC etc.) too; null → 0.
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  // Text() of an integer column gives its decimal form; null → "".
  std::string Text(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
};

struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
  const Row& operator[](size_t i) const { return rows.at(i); }
};

class CommitWork;

class Tx {
 public:
  virtual ~Tx() = default;
  virtual Engine engine() const = 0;
  // Runs one statement with bound parameters. A unique or primary-key violation answers
  // Code::kConflict; a foreign-key or check violation Code::kInvalidArgument; anything else
  // Code::kInternal (or kUnavailable when the connection is gone), each with the database's text.
  // After a failed statement the transaction is aborted on both engines (PostgreSQL's rule):
  // later Exec calls fail and Write rolls back even if fn returns ok; use INSERT … ON CONFLICT
  // instead of catching a conflict and carrying on. A `?` whose type nothing else decides
  // (`? IS NULL`) needs CAST(? AS BIGINT/TEXT) for PostgreSQL.
  virtual Result<Rows> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Work a write leaves for the end of its transaction, done once for all the writes that share
  // it: just before COMMIT, `batch` runs once per `key` with the ids that every write of the
  // transaction gave under that key, in order (the first write's `batch` is the one that runs,
  // so it must not refer to one write's own state). A write that fails gives nothing. When a
  // batch fails, the whole transaction rolls back and each of its writes gets the error. On
  // SQLite a group commit's writes share one transaction, so aggregates that every sale feeds
  // are written once per group; elsewhere each Write runs its own batches. Internal error
  // outside a write.
  using Batch = std::function<Status(Tx&, const std::vector<int64_t>& ids)>;
  Status AtCommit(const std::string& key, int64_t id, const Batch& batch);
  // For the backends: where AtCommit collects (null in reads).
  void set_commit_work(CommitWork* work) { commit_work_ = work; }

 private:
  CommitWork* commit_work_ = nullptr;
};

// The work of Tx::AtCommit, collected per key.
class CommitWork {
 public:
  void Add(const std::string& key, int64_t id, const Tx::Batch& batch);
  // Moves another write's work in after that write succeeded.
  void Append(CommitWork&& other);
  // Runs every batch (and any they add) on `tx`, then forgets them.
  Status Run(Tx& tx);

 private:
  struct Item {
    std::string key;
    Tx::Batch batch;
    std::vector<int64_t> ids;
  };
  std::vector<Item> items_;
};

struct Options {
  int readers = 4;           // SQLite reader connections / PostgreSQL pool size
  int busy_timeout_ms = 5000;
  // SQLite: the WAL starts over once it holds this many pages (4 KiB each) and all of them are
  // in the database file; checkpoints copy them on a thread of their own long before. Starting
  // over holds writes off for one short pass (4–13 ms on the benchmark VM), so the WAL is long
  // (256 MiB): at half of checkout's maximum rate that pass comes every 2–3 s, not 1–2 times a
  // second.
  int wal_restart_pages = 64000;
};

class Database {
 public:
  virtual ~Database() = default;
  // `target` is a file path (SQLite; created when missing) or a postgresql:// / postgres:// URL.
  static Result<std::unique_ptr<Database>> Open(const std::string& target, const Options& opt = {});

  virtual Engine engine() const = 0;
  virtual Status Write(const std::function<Status(Tx&)>& fn) = 0;
  // As Write, for many small independent writes arriving at once (sales from many tills): on
  // SQLite, the writes queued while a commit is in progress run together in one transaction, each
  // inside its own SAVEPOINT, and share one durable COMMIT ("group commit"). A write whose fn
  // fails (or throws, or has a failed statement) is rolled back to its savepoint alone; the others
  // still commit. Each call returns only after the COMMIT that holds its work is durable, or with
  // the error that lost it. fn must not depend on running first or alone in its transaction.
  // PostgreSQL: the same as Write (the server groups concurrent commits itself).
  virtual Status WriteGrouped(const std::function<Status(Tx&)>& fn) { return Write(fn); }
  virtual Status Read(const std::function<Status(Tx&)>& fn) = 0;
  // A consistent copy of a live SQLite database (online backup API) written to `path`.
  // PostgreSQL answers kInvalidArgument pointing to pg_dump (docs/operations.md).
  virtual Status Backup(const std::string& path) = 0;
};

const char* EngineName(Engine e);

// Migrations (store/migrate.cpp): numbered files in store/migrations/, embedded in the binary.
// In the SQL, {{PK}} becomes the engine's auto-increment primary key column type.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};
const std::vector<Migration>& AllMigrations();
// The version recorded in schema_version, 0 for an empty database.
Result<int> SchemaVersion(Database& db);
// Applies every migration newer than the database's version, each in its own transaction.
// Refuses (kConflict) when the database is newer than this binary knows.
Result<int> Migrate(Database& db);

}  // namespace shuyou::store
