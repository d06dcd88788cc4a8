// PostgreSQL backend over libpq: a pool of connections opened lazily up to its size, text-format
// parameters and results converted to Value by column type, SQLSTATE mapped to Status codes.
// Reads run in REPEATABLE READ READ ONLY transactions (one snapshot); writes in the server's
// default isolation (READ COMMITTED).
#include <libpq-fe.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "store/backend.h"

namespace shuyou::store {

namespace {

// Type OIDs from pg_type.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

// libpq's last error as one line.
std::string TrimmedError(PGconn* conn) {
  std::string s = PQerrorMessage(conn);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (size_t at = s.find('\n'); at != std::string::npos; at = s.find('\n', at)) {
    s.replace(at, 1, "; ");
  }
  return s;
}

Status PgError(PGconn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = primary ? primary : TrimmedError(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status(Code::kUnavailable, "PostgreSQL connection lost: " + msg);
  }
  std::string_view s = state ? state : "";
  if (s == "23505") return Conflict(msg);
  if (s.starts_with("23")) return Invalid(msg);
  if (s == "40001" || s == "40P01") {
    return Conflict(msg + " (a concurrent transaction interfered; retry)");
  }
  if (s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03") {
    return Status(Code::kUnavailable, msg);
  }
  return Internal(msg);
}

Value NumericValue(const char* text, int len) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text, text + len, n);
  if (ec == std::errc() && end == text + len) return n;  // integral NUMERIC, e.g. SUM(bigint)
  return std::strtod(text, nullptr);
}

Value ColumnValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return std::monostate{};
  const char* text = PQgetvalue(res, row, col);
  int len = PQgetlength(res, row, col);
  switch (PQftype(res, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
    case kFloat4Oid:
    case kFloat8Oid: return std::strtod(text, nullptr);
    case kNumericOid: return NumericValue(text, len);
    case kBoolOid: return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
    default: return std::string(text, len);
  }
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Runs a parameterless command (BEGIN, COMMIT, SET, a migration script).
Status Command(PGconn* conn, const std::string& sql) {
  ResultPtr res(PQexec(conn, sql.c_str()), &PQclear);
  ExecStatusType s = PQresultStatus(res.get());
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) return PgError(conn, res.get());
  return Status::Ok();
}

Result<Rows> ExecParams(PGconn* conn, std::string_view sql, const std::vector<Value>& params) {
  std::string text = NumberPlaceholders(sql);
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  // Integers and reals are typed so `SELECT ?` and `? + 1` keep int8/float8 semantics; text and
  // NULL stay untyped so the server infers the column's type.
  std::vector<Oid> types(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (auto* n = std::get_if<int64_t>(&v)) {
      storage[i] = std::to_string(*n);
      types[i] = kInt8Oid;
    } else if (auto* d = std::get_if<double>(&v)) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);  // shortest exact form
      storage[i].assign(buf, end);
      types[i] = kFloat8Oid;
    } else if (auto* s = std::get_if<std::string>(&v)) {
      storage[i] = *s;
    } else {
      continue;
    }
    values[i] = storage[i].c_str();
  }
  ResultPtr res(PQexecParams(conn, text.c_str(), static_cast<int>(params.size()), types.data(),
                             values.data(), nullptr, nullptr, 0),
                &PQclear);
  ExecStatusType s = PQresultStatus(res.get());
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) return PgError(conn, res.get());

  Rows out;
  int ncols = PQnfields(res.get());
  int nrows = PQntuples(res.get());
  for (int c = 0; c < ncols; ++c) out.columns.emplace_back(PQfname(res.get(), c));
  out.rows.resize(nrows);
  for (int r = 0; r < nrows; ++r) {
    out.rows[r].cols.reserve(ncols);
    for (int c = 0; c < ncols; ++c) out.rows[r].cols.push_back(ColumnValue(res.get(), r, c));
  }
  if (!std::string_view(PQcmdStatus(res.get())).starts_with("SELECT")) {
    out.affected = std::strtoll(PQcmdTuples(res.get()), nullptr, 10);
  }
  return out;
}

// A transaction on one pooled connection. After a failed statement PostgreSQL aborts the
// transaction; we remember the first error so Write reports it instead of a silent ROLLBACK.
class PgTx : public Tx {
 public:
  explicit PgTx(PGconn* conn) : conn_(conn) {}
  Engine engine() const override { return Engine::kPostgres; }

  Result<Rows> Exec(std::string_view sql, const std::vector<Value>& params) override {
    if (!failed_.ok()) return Aborted();
    Result<Rows> r = ExecParams(conn_, sql, params);
    if (!r.ok()) failed_ = r.status();
    return r;
  }

  Status ExecScript(std::string_view sql) override {
    if (!failed_.ok()) return Aborted();
    Status st = Command(conn_, std::string(sql));
    if (!st.ok()) failed_ = st;
    return st;
  }

  bool failed() const { return !failed_.ok(); }
  Status Aborted() const {
    return Internal("transaction aborted by an earlier failed statement: " + failed_.message());
  }

 private:
  PGconn* conn_;
  Status failed_;
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string url, const Options& opt)
      : url_(std::move(url)), size_(std::max(2, opt.readers)), wait_ms_(opt.busy_timeout_ms) {}

  ~PostgresDatabase() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  // Opens one connection now so a wrong URL or a stopped server shows at startup.
  Status Init() {
    SY_ASSIGN_OR_RETURN(PGconn * conn, Acquire());
    Release(conn);
    return Status::Ok();
  }

  Engine engine() const override { return Engine::kPostgres; }

  Status Write(const std::function<Status(Tx&)>& fn) override { return Run("BEGIN", fn, true); }

  Status Read(const std::function<Status(Tx&)>& fn) override {
    return Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn, false);
  }

  Status Backup(const std::string&) override {
    return Invalid("use pg_dump for PostgreSQL; see docs/operations.md");
  }

 private:
  Result<PGconn*> Connect() {
    // Keywords are applied in order: the URL may override connect_timeout, not client_encoding.
    const char* keys[] = {"connect_timeout", "dbname", "client_encoding", nullptr};
    const char* vals[] = {"10", url_.c_str(), "UTF8", nullptr};
    PGconn* conn = PQconnectdbParams(keys, vals, 1);
    if (conn == nullptr) {
      return Status(Code::kUnavailable, "cannot allocate a PostgreSQL connection");
    }
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string msg = "cannot connect to PostgreSQL: " + TrimmedError(conn);
      PQfinish(conn);
      return Status(Code::kUnavailable, msg);
    }
    // Drop server notices such as "relation already exists, skipping" instead of printing them.
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    Status st = Command(conn, "SET TimeZone TO 'UTC'");
    if (!st.ok()) {
      PQfinish(conn);
      return st;
    }
    return conn;
  }

  // Takes an idle connection, or opens one while the pool is below its size, or waits.
  Result<PGconn*> Acquire() {
    std::unique_lock lock(mu_);
    bool ready = cv_.wait_for(lock, std::chrono::milliseconds(wait_ms_),
                              [&] { return !idle_.empty() || open_ < size_; });
    if (!ready) {
      return Status(Code::kUnavailable,
                    "all " + std::to_string(size_) + " PostgreSQL connections are busy");
    }
    if (!idle_.empty()) {
      PGconn* conn = idle_.back();
      idle_.pop_back();
      if (PQstatus(conn) == CONNECTION_OK) return conn;
      PQfinish(conn);  // replace a broken one, keeping its slot
    } else {
      ++open_;
    }
    lock.unlock();
    Result<PGconn*> conn = Connect();
    if (!conn.ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return conn;
  }

  // Returns a connection to the pool; one that is broken or still inside a transaction is closed.
  void Release(PGconn* conn) {
    bool reusable = PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
    {
      std::lock_guard lock(mu_);
      if (reusable) {
        idle_.push_back(conn);
      } else {
        --open_;
      }
    }
    if (!reusable) PQfinish(conn);
    cv_.notify_one();
  }

  // Acquires a connection and starts a transaction. Pooled connections may have died while idle
  // (server restart, idle timeout): each dead one is dropped and the next tried, then a new one.
  Result<PGconn*> Begin(const char* begin) {
    for (int attempt = 0;; ++attempt) {
      SY_ASSIGN_OR_RETURN(PGconn * conn, Acquire());
      Status st = Command(conn, begin);
      if (st.ok()) return conn;
      bool broken = PQstatus(conn) != CONNECTION_OK;
      Release(conn);
      if (!broken || attempt >= size_) return st;
    }
  }

  // BEGIN, fn (and, for a write, the work it left with AtCommit), COMMIT or ROLLBACK.
  Status Run(const char* begin, const std::function<Status(Tx&)>& fn, bool write) {
    SY_ASSIGN_OR_RETURN(PGconn * conn, Begin(begin));
    struct GiveBack {
      PostgresDatabase* db;
      PGconn* conn;
      ~GiveBack() { db->Release(conn); }
    } give_back{this, conn};
    auto rollback = [&] {
      if (PQtransactionStatus(conn) != PQTRANS_IDLE) Command(conn, "ROLLBACK");
    };

    PgTx tx(conn);
    CommitWork work;
    if (write) tx.set_commit_work(&work);
    Status st;
    try {
      st = fn(tx);
      if (st.ok() && !tx.failed()) st = work.Run(tx);
    } catch (...) {
      rollback();
      throw;
    }
    if (st.ok() && tx.failed()) st = tx.Aborted();
    if (st.ok()) st = Command(conn, "COMMIT");
    if (!st.ok()) rollback();
    return st;
  }

  const std::string url_;
  const int size_;
  const int wait_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;  // connections handed out or idle
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& opt) {
  auto db = std::make_unique<PostgresDatabase>(url, opt);
  SY_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace shuyou::store
