// SQLite backend: one writer connection behind a mutex (so writers queue here instead of failing
// with SQLITE_BUSY) and a pool of read-only connections that read WAL snapshots concurrently.
// WriteGrouped batches the writes that queue up during a commit into one transaction (one
// savepoint each, one fsync for all): a leader thread runs the batch, the others wait for it.
// Checkpoints (copying the WAL into the database file) run on a thread and connection of their
// own, so that a commit never waits for one.
// Each connection caches its prepared statements by SQL text and is used by one thread at a time.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/backend.h"
#include "store/sqlite_wal_vfs.h"

namespace shuyou::store {

namespace {

constexpr size_t kMaxCachedStatements = 512;

Code MapSqliteCode(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID: return Code::kConflict;
    default: break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Code::kInvalidArgument;  // FOREIGNKEY, CHECK, NOTNULL, …
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Code::kUnavailable;  // still locked after busy_timeout
    default: return Code::kInternal;
  }
}

Status SqliteError(sqlite3* db, int rc) { return Status(MapSqliteCode(rc), sqlite3_errmsg(db)); }

// One sqlite3 handle and its statement cache. Not thread-safe: the owner lends it to one
// thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags, int busy_ms,
                                                  const char* vfs = nullptr) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, vfs);
    if (rc != SQLITE_OK) {
      std::string msg = "cannot open SQLite database " + path + ": " +
                        (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      sqlite3_close_v2(db);
      return Status(Code::kUnavailable, msg);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_ms);
    return std::unique_ptr<Connection>(new Connection(db));
  }

  ~Connection() {
    ClearCache();
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }

  Result<Rows> Exec(std::string_view sql, const std::vector<Value>& params) {
    SY_ASSIGN_OR_RETURN(sqlite3_stmt * st, Prepare(sql));
    // Leave the cached statement reset and unbound whatever happens below.
    struct Reset {
      sqlite3_stmt* st;
      ~Reset() {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
      }
    } reset{st};

    int expected = sqlite3_bind_parameter_count(st);
    if (expected != static_cast<int>(params.size())) {
      return Internal("statement takes " + std::to_string(expected) + " parameters but " +
                      std::to_string(params.size()) + " were given: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int rc = Bind(st, static_cast<int>(i) + 1, params[i]);
      if (rc != SQLITE_OK) return SqliteError(db_, rc);
    }

    Rows out;
    int ncols = sqlite3_column_count(st);
    for (int c = 0; c < ncols; ++c) out.columns.emplace_back(sqlite3_column_name(st, c));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Row& row = out.rows.emplace_back();
      row.cols.reserve(ncols);
      for (int c = 0; c < ncols; ++c) row.cols.push_back(Column(st, c));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc);
    if (!sqlite3_stmt_readonly(st)) out.affected = sqlite3_changes64(db_);
    return out;
  }

  Status ExecScript(std::string_view sql) {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc);
  }

  // Ends the open transaction, if any (a failed COMMIT or an I/O error may already have).
  void Rollback() {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &st, &tail);
    if (rc != SQLITE_OK) return SqliteError(db_, rc);
    if (st == nullptr) return Internal("empty SQL statement");
    // Exec runs exactly one statement; anything but comments after it is a mistake.
    sqlite3_stmt* extra = nullptr;
    sqlite3_prepare_v2(db_, tail, -1, &extra, nullptr);
    if (extra != nullptr) {
      sqlite3_finalize(extra);
      sqlite3_finalize(st);
      return Internal("Exec runs one statement; use ExecScript for several: " + key);
    }
    if (cache_.size() >= kMaxCachedStatements) ClearCache();
    cache_.emplace(std::move(key), st);
    return st;
  }

  void ClearCache() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    cache_.clear();
  }

  static int Bind(sqlite3_stmt* st, int i, const Value& v) {
    if (auto* n = std::get_if<int64_t>(&v)) return sqlite3_bind_int64(st, i, *n);
    if (auto* d = std::get_if<double>(&v)) return sqlite3_bind_double(st, i, *d);
    if (auto* s = std::get_if<std::string>(&v)) {
      return sqlite3_bind_text64(st, i, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    return sqlite3_bind_null(st, i);
  }

  static Value Column(sqlite3_stmt* st, int c) {
    switch (sqlite3_column_type(st, c)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(st, c));
      case SQLITE_FLOAT: return sqlite3_column_double(st, c);
      case SQLITE_TEXT: {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        return std::string(p, sqlite3_column_bytes(st, c));
      }
      case SQLITE_BLOB: {
        auto* p = static_cast<const char*>(sqlite3_column_blob(st, c));
        int n = sqlite3_column_bytes(st, c);
        return n > 0 ? std::string(p, n) : std::string();
      }
      default: return std::monostate{};
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// A transaction on one connection. After a statement fails the transaction counts as aborted
// (as PostgreSQL does), so code that ignores an error cannot commit half of its work.
class SqliteTx : public Tx {
 public:
  explicit SqliteTx(Connection& conn) : conn_(conn) {}
  Engine engine() const override { return Engine::kSqlite; }

  Result<Rows> Exec(std::string_view sql, const std::vector<Value>& params) override {
    if (!failed_.ok()) return Aborted();
    Result<Rows> r = conn_.Exec(sql, params);
    if (!r.ok()) failed_ = r.status();
    return r;
  }

  Status ExecScript(std::string_view sql) override {
    if (!failed_.ok()) return Aborted();
    Status st = conn_.ExecScript(sql);
    if (!st.ok()) failed_ = st;
    return st;
  }

  bool failed() const { return !failed_.ok(); }
  Status Aborted() const {
    return Internal("transaction aborted by an earlier failed statement: " + failed_.message());
  }

 private:
  Connection& conn_;
  Status failed_;
};

// BEGIN, fn (and, for a write, the work it left with AtCommit), then COMMIT when all of it and
// every statement succeeded, ROLLBACK otherwise.
Status RunTransaction(Connection& conn, const char* begin, const std::function<Status(Tx&)>& fn, bool write) {
  // BEGIN and COMMIT go through the statement cache: parsing them costs more than running them.
  SY_RETURN_IF_ERROR(conn.Exec(begin, {}).status());
  SqliteTx tx(conn);
  CommitWork work;
  if (write) tx.set_commit_work(&work);
  Status st;
  try {
    st = fn(tx);
    if (st.ok() && !tx.failed()) st = work.Run(tx);
  } catch (...) {
    conn.Rollback();
    throw;
  }
  if (st.ok() && tx.failed()) st = tx.Aborted();
  if (st.ok()) st = conn.Exec("COMMIT", {}).status();
  if (!st.ok()) conn.Rollback();
  return st;
}

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(std::string path, const Options& opt) : path_(std::move(path)), opt_(opt) {}
  ~SqliteDatabase() override {
    if (checkpointer_.joinable()) {
      {
        std::lock_guard lock(ckpt_mu_);
        ckpt_stop_ = true;
      }
      ckpt_cv_.notify_all();
      checkpointer_.join();
    }
    if (writer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    ckpt_conn_.reset();
    if (wal_fd_ >= 0) ::close(wal_fd_);
  }

  Status Init() {
    // The writer's WAL frames are written in few large writes (sqlite_wal_vfs.h).
    SY_ASSIGN_OR_RETURN(writer_, Connection::Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                                  opt_.busy_timeout_ms, WalBufferVfsName()));
    SY_ASSIGN_OR_RETURN(Rows mode, writer_->Exec("PRAGMA journal_mode=WAL", {}));
    if (mode.empty() || mode[0].Text(0) != "wal") {
      return Invalid("SQLite database " + path_ +
                     " cannot use WAL mode (in-memory databases are not supported)");
    }
    SY_RETURN_IF_ERROR(writer_->ExecScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
    // The writer's page cache: 64 MiB instead of SQLite's 2 MB. A checkout touches a few dozen
    // pages spread over the sales, stock, points and member tables and their indexes; with the
    // default cache the writer kept reading back pages it had just written (from the WAL).
    SY_RETURN_IF_ERROR(writer_->ExecScript("PRAGMA cache_size=-65536;"));
    for (int i = 0; i < opt_.readers; ++i) {
      SY_ASSIGN_OR_RETURN(auto reader, OpenReader(path_));
      idle_.push_back(reader.get());
      readers_.push_back(std::move(reader));
    }
    // The checkpointer's connection, and the writer's WAL hook that wakes it (the hook replaces
    // SQLite's automatic checkpoint, which ran inside the commit that crossed 1,000 pages).
    SY_ASSIGN_OR_RETURN(ckpt_conn_, Connection::Open(path_, SQLITE_OPEN_READWRITE, opt_.busy_timeout_ms));
    SY_RETURN_IF_ERROR(ckpt_conn_->ExecScript("PRAGMA synchronous=FULL;"));
    sqlite3_wal_hook(writer_->handle(), &SqliteDatabase::AfterCommit, this);
    checkpointer_ = std::thread([this] { CheckpointLoop(); });
    return Status::Ok();
  }

  Engine engine() const override { return Engine::kSqlite; }

  Status Write(const std::function<Status(Tx&)>& fn) override {
    SY_RETURN_IF_ERROR(AcquireWriter());
    WriterLease lease{this};
    LinkWalBuffer(writer_->handle());  // a no-op once linked; the WAL opens at the first transaction
    return RunTransaction(*writer_, "BEGIN IMMEDIATE", fn, true);
  }

  Status WriteGrouped(const std::function<Status(Tx&)>& fn) override {
    if (writer_thread_for_check() == std::this_thread::get_id())
      return Internal("Database::WriteGrouped called inside another Write on the same thread");
    Pending me;
    me.fn = &fn;
    std::unique_lock lock(group_mu_);
    queue_.push_back(&me);
    if (!leader_active_) {
      leader_active_ = true;
      me.lead = true;
    }
    while (true) {
      me.cv.wait(lock, [&] { return me.done || me.lead; });
      if (me.done) break;
      // Lead one batch, hand the lead on (the next batch runs while this one's commit goes to
      // disk), then wait for the disk and answer the batch; lead again if our write was not in it.
      me.lead = false;
      std::vector<Pending*> batch;
      while (!queue_.empty() && batch.size() < kMaxGroup) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      Commit commit = RunGroup(batch);
      lock.lock();
      if (!queue_.empty()) {
        queue_.front()->lead = true;
        queue_.front()->cv.notify_one();
      } else {
        leader_active_ = false;
      }
      if (commit.seq != 0) {
        lock.unlock();
        Status durable = MakeDurable(commit);
        lock.lock();
        if (!durable.ok())
          for (Pending* p : batch)
            if (p->status.ok() && !p->error) p->status = durable;
      }
      for (Pending* p : batch) {
        p->done = true;
        if (p != &me) p->cv.notify_one();
      }
    }
    lock.unlock();
    if (me.error) std::rethrow_exception(me.error);
    return me.status;
  }

  Status Read(const std::function<Status(Tx&)>& fn) override {
    Connection* conn = nullptr;
    {
      std::unique_lock lock(pool_mu_);
      bool ready = pool_cv_.wait_for(lock, std::chrono::milliseconds(opt_.busy_timeout_ms),
                                     [&] { return !idle_.empty(); });
      if (!ready) return Status(Code::kUnavailable, "all SQLite reader connections are busy");
      conn = idle_.back();
      idle_.pop_back();
    }
    struct GiveBack {
      SqliteDatabase* db;
      Connection* conn;
      ~GiveBack() {
        {
          std::lock_guard lock(db->pool_mu_);
          db->idle_.push_back(conn);
        }
        db->pool_cv_.notify_one();
      }
    } give_back{this, conn};
    Status st = RunTransaction(*conn, "BEGIN", fn, false);
    WaitUntilDurable();
    return st;
  }

  Status Backup(const std::string& dest_path) override {
    // Creating the file exclusively both refuses an existing one and wins any race for the name.
    int fd = ::open(dest_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
      if (errno == EEXIST) return Invalid("backup destination " + dest_path + " already exists");
      return Invalid("cannot create backup file " + dest_path + ": " + std::strerror(errno));
    }
    ::close(fd);
    Status st = CopyTo(dest_path);
    if (!st.ok()) ::unlink(dest_path.c_str());
    WaitUntilDurable();  // the copy holds no commit that the database itself could still lose
    return st;
  }

 private:
  // Checkpoints. SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past
  // its limit: it copies every page the WAL holds into the database file and syncs that file,
  // and the commit (and every write queued behind it) waits: 10–30 ms every few hundred sales,
  // most of checkout's p99 latency at half load. Here the writer's WAL hook only wakes a thread
  // that checkpoints on a connection of its own while the writer goes on:
  //  1. Every kCopyPages new WAL pages, PASSIVE checkpoints copy what the WAL holds, in up to
  //     kPasses passes (each copies what the writer appended during the one before). Small,
  //     frequent copies keep each sync of the database file short: the disk flushes the WAL's
  //     syncs and the database's in one queue.
  //  2. The WAL starts over only at a write that begins after everything in it was copied. Once
  //     it holds Options::wal_restart_pages, the checkpointer takes the writer connection's
  //     lease (no write appends meanwhile) and copies the last few pages; the next write starts
  //     the WAL over. Only that short pass holds writes off, once per wal_restart_pages.
  // A reader's snapshot can hold a checkpoint back (it cannot copy past the oldest snapshot); the
  // next commits wake it again.
  static constexpr int kCopyPages = 500;
  static constexpr int kPasses = 3;
  static constexpr int kCatchUpPages = 100;
  static constexpr int kLeasePages = 500;  // at most this many left for the pass under the lease
  static constexpr std::chrono::milliseconds kRestartGap{50};
  // Far behind (the lease was not to be had, e.g. behind a long import): past three times
  // wal_restart_pages the writer checkpoints in its commit as SQLite would, rather than let the
  // WAL grow without bound.

  static int AfterCommit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* d = static_cast<SqliteDatabase*>(self);
    int copied = d->ckpt_copied_.load(std::memory_order_relaxed);
    if (pages < copied) copied = 0;  // the WAL started over since
    if (pages >= 3 * d->opt_.wal_restart_pages) {
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages - copied >= kCopyPages || pages >= d->opt_.wal_restart_pages) {
      {
        std::lock_guard lock(d->ckpt_mu_);
        d->ckpt_wanted_ = true;
      }
      d->ckpt_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    sqlite3* db = ckpt_conn_->handle();
    std::chrono::steady_clock::time_point last_restart;
    std::unique_lock lock(ckpt_mu_);
    while (true) {
      ckpt_cv_.wait(lock, [&] { return ckpt_wanted_ || ckpt_stop_; });
      if (ckpt_stop_) return;
      ckpt_wanted_ = false;
      lock.unlock();
      int log = 0, copied = 0, rc = SQLITE_OK;
      for (int pass = 0; pass < kPasses; ++pass) {
        rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (rc != SQLITE_OK || log - copied <= kCatchUpPages) break;
      }
      if (rc == SQLITE_OK) ckpt_copied_.store(copied, std::memory_order_relaxed);
      // The last pass with writes held off, even when the passes copied everything: the write in
      // progress began its snapshot before, and only a write begun after can start the WAL over.
      // Not while a reader's snapshot holds the copy back (it would not start over), and not
      // again within kRestartGap: every commit wakes the checkpointer once the WAL is that long.
      auto now = std::chrono::steady_clock::now();
      if (rc == SQLITE_OK && log >= opt_.wal_restart_pages && log - copied <= kLeasePages &&
          now - last_restart >= kRestartGap && AcquireWriter(true).ok()) {
        WriterLease lease{this};
        sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        ckpt_copied_.store(0, std::memory_order_relaxed);
        last_restart = now;
      }
      lock.lock();
    }
  }

  Result<std::unique_ptr<Connection>> OpenReader(const std::string& path) {
    return Connection::Open(path, SQLITE_OPEN_READONLY, opt_.busy_timeout_ms);
  }

  // Online backup from a fresh read-only connection: one read transaction, so a consistent
  // snapshot while writers carry on.
  Status CopyTo(const std::string& dest_path) {
    SY_ASSIGN_OR_RETURN(auto src, OpenReader(path_));
    SY_ASSIGN_OR_RETURN(auto dest,
                        Connection::Open(dest_path, SQLITE_OPEN_READWRITE, opt_.busy_timeout_ms));
    sqlite3_backup* b = sqlite3_backup_init(dest->handle(), "main", src->handle(), "main");
    if (b == nullptr) return SqliteError(dest->handle(), sqlite3_errcode(dest->handle()));
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(opt_.busy_timeout_ms);
    int rc;
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      return Status(MapSqliteCode(rc), std::string("backup failed: ") + sqlite3_errstr(rc));
    }
    return Status::Ok();
  }

  // The writer connection is lent to one Write (or one group) at a time.
  // The checkpointer goes first: group leaders take the lease back to back, and a waiter that
  // merely woke up would never find it free.
  Status AcquireWriter(bool checkpointer = false) {
    std::unique_lock lock(write_mu_);
    if (writer_thread_ == std::this_thread::get_id()) {
      return Internal("Database::Write called inside another Write on the same thread");
    }
    if (checkpointer) checkpointer_waiting_ = true;
    bool free = write_cv_.wait_for(lock, std::chrono::milliseconds(opt_.busy_timeout_ms), [&] {
      return writer_thread_ == std::thread::id() && (checkpointer || !checkpointer_waiting_);
    });
    if (checkpointer) checkpointer_waiting_ = false;
    if (!free) {
      return Status(Code::kUnavailable, "SQLite writer busy: timed out waiting for other writes");
    }
    writer_thread_ = std::this_thread::get_id();
    return Status::Ok();
  }
  std::thread::id writer_thread_for_check() {
    std::lock_guard lock(write_mu_);
    return writer_thread_;
  }
  struct WriterLease {
    SqliteDatabase* db;
    ~WriterLease() {
      {
        std::lock_guard lock(db->write_mu_);
        db->writer_thread_ = std::thread::id();
      }
      db->write_cv_.notify_all();  // the checkpointer may be among the waiters
    }
  };

  // PRAGMA temp_store=MEMORY for one transaction begun while it lives (the pager decides where
  // statement journals go at BEGIN), then back to the default. Outside any transaction, and
  // free unless a temporary table has been made since: only then SQLite reloads the schemas.
  struct TempStoreInMemory {
    explicit TempStoreInMemory(Connection& c) : conn(c) { conn.Exec("PRAGMA temp_store=MEMORY", {}); }
    ~TempStoreInMemory() { conn.Exec("PRAGMA temp_store=DEFAULT", {}); }
    Connection& conn;
  };

  // Durability of grouped commits. A group's COMMIT runs with synchronous=NORMAL: SQLite writes
  // its WAL frames without syncing them, the leader hands the writer to the next batch, and only
  // then syncs the WAL file by a descriptor of its own (one fdatasync covers every commit written
  // before it), so that one batch's statements run while the previous batch's commit goes to
  // disk. Nobody sees a commit before it is on disk: its writes get their answers after the sync;
  // a read that ends while a commit is not yet synced waits for that sync before it returns
  // (WaitUntilDurable), so nothing it read can be lost; a later write's own sync covers it.
  struct Commit {
    uint64_t seq = 0;  // 0: nothing to sync (a durable COMMIT, or none)
    int wal_fd = -1;
  };
  struct SyncNormal {
    SyncNormal(Connection& c, bool on) : conn(c), normal(on) {
      if (normal) conn.Exec("PRAGMA synchronous=NORMAL", {});
    }
    ~SyncNormal() {
      if (normal) conn.Exec("PRAGMA synchronous=FULL", {});
    }
    Connection& conn;
    bool normal;
  };
  // The WAL file's descriptor, opened once it exists (SQLite creates it at the first write);
  // -1 when it cannot be had. Called by the writer's holder.
  int WalDescriptor() {
    // Opened once: SQLite removes or replaces the WAL only when its last connection closes, and
    // this database holds its connections open until it is destroyed.
    if (wal_fd_ >= 0) return wal_fd_;
    const char* db_name = sqlite3_db_filename(writer_->handle(), "main");
    if (db_name == nullptr || *db_name == 0) return -1;
    wal_fd_ = ::open(sqlite3_filename_wal(db_name), O_RDWR | O_CLOEXEC);  // -1 until it exists
    return wal_fd_;
  }
  uint64_t BeginCommit() {
    std::lock_guard lock(seq_mu_);
    return ++started_seq_;
  }
  void EndCommit(uint64_t seq) {
    std::lock_guard lock(seq_mu_);
    committed_seq_ = seq;
  }
  // Syncs run side by side: one that starts while another is in flight does not wait for it to
  // end, and each covers every commit written before it started. A commit that a failed sync
  // covered gets that failure, even if another sync succeeds: after a failed fdatasync the kernel
  // may have dropped the pages it could not write, and the next fdatasync does not see them (a
  // commit that was in fact on disk gets the error too; its retry gets the first answer).
  Status MakeDurable(const Commit& c) {
    uint64_t covers;
    {
      std::lock_guard lock(seq_mu_);
      if (failed_seq_ >= c.seq) return SyncFailed(sync_errno_);
      if (synced_seq_ >= c.seq) return Status::Ok();  // a sync that succeeded covered it
      covers = committed_seq_;
    }
    int rc = ::fdatasync(c.wal_fd);
    int err = errno;
    {
      std::lock_guard lock(seq_mu_);
      // Either way the sync has ended (FinishedSeq): readers must not wait for ever on a failed
      // one; its writes get the error.
      if (rc == 0 && covers > synced_seq_) synced_seq_ = covers;
      if (rc != 0 && covers > failed_seq_) {
        failed_seq_ = covers;
        sync_errno_ = err;
      }
    }
    durable_cv_.notify_all();
    if (rc != 0) return SyncFailed(err);
    return Status::Ok();
  }
  static Status SyncFailed(int err) {
    return Status(Code::kUnavailable, std::string("the disk did not confirm the write (") + std::strerror(err) +
                                          "); retry it with the same Idempotency-Key");
  }
  // The commits covered by a sync that has ended, successfully or not. With seq_mu_ held.
  uint64_t FinishedSeq() const { return std::max(synced_seq_, failed_seq_); }
  void WaitUntilDurable() {
    std::unique_lock lock(seq_mu_);
    uint64_t seen = started_seq_;
    if (FinishedSeq() >= seen) return;
    durable_cv_.wait_for(lock, std::chrono::milliseconds(opt_.busy_timeout_ms),
                         [&] { return FinishedSeq() >= seen; });
  }

  // One queued WriteGrouped call.
  struct Pending {
    const std::function<Status(Tx&)>* fn = nullptr;
    Status status;
    std::exception_ptr error;
    bool done = false;
    bool lead = false;
    // Its thread waits here (with group_mu_): woken for its own answer or the lead only, not
    // with every other waiting till at each group's end.
    std::condition_variable cv;
  };
  static constexpr size_t kMaxGroup = 256;

  // Runs a batch in one transaction, one savepoint per write, and one COMMIT. Sets each
  // Pending's status (or error); the caller makes the commit durable (MakeDurable) when the
  // returned seq is not 0, then marks them done.
  Commit RunGroup(const std::vector<Pending*>& batch) {
    auto fail_all = [&](const Status& st) {
      for (Pending* p : batch)
        if (p->status.ok() && !p->error) p->status = st;
      return Commit{};
    };
    if (Status st = AcquireWriter(); !st.ok()) return fail_all(st);
    WriterLease lease{this};
    Connection& conn = *writer_;
    // The COMMIT writes the WAL without syncing it (synchronous=NORMAL); the leader syncs it after
    // handing the writer to the next batch. Without the WAL's descriptor, a durable COMMIT.
    int wal_fd = WalDescriptor();
    SyncNormal sync_normal(conn, wal_fd >= 0);
    // Each write's SAVEPOINT keeps the original of every page it changes in a statement journal,
    // which SQLite spills to a temporary file past 64 KiB: nearly every sale did, a file created,
    // written and deleted per group. With temp_store=MEMORY when the transaction begins, the
    // pager keeps that journal in memory and never spills it (a positive
    // SQLITE_CONFIG_STMTJRNL_SPILL is the spilling variant, which fails on SQLite 3.40). One write
    // changes a few dozen pages and RELEASE empties the journal, so the memory is small. Only
    // groups run so: other writes (imports, rebuilds) keep temporary tables and sorts on disk.
    TempStoreInMemory temp_in_memory(conn);
    if (Status st = conn.Exec("BEGIN IMMEDIATE", {}).status(); !st.ok()) return fail_all(st);
    LinkWalBuffer(conn.handle());
    CommitWork work;  // what the writes that succeeded left for the end (Tx::AtCommit)
    for (Pending* p : batch) {
      if (Status st = conn.Exec("SAVEPOINT grouped_write", {}).status(); !st.ok()) {
        p->status = st;
        continue;
      }
      SqliteTx tx(conn);
      CommitWork mine;
      tx.set_commit_work(&mine);
      try {
        p->status = (*p->fn)(tx);
      } catch (...) {
        p->error = std::current_exception();
      }
      if (p->status.ok() && !p->error && tx.failed()) p->status = tx.Aborted();
      if (!p->status.ok() || p->error) conn.Exec("ROLLBACK TO grouped_write", {});
      conn.Exec("RELEASE grouped_write", {});
      if (sqlite3_get_autocommit(conn.handle())) {
        // An I/O error or a full disk ended the whole transaction: everything before is lost.
        Status lost(Code::kUnavailable, "the database write failed; nothing was saved, try again");
        for (Pending* q : batch) {
          if (q->status.ok() && !q->error) q->status = lost;
          if (q == p) break;
        }
        work = CommitWork();
        if (Status st = conn.Exec("BEGIN IMMEDIATE", {}).status(); !st.ok()) return fail_all(st);
        continue;
      }
      if (p->status.ok() && !p->error) work.Append(std::move(mine));
    }
    SqliteTx end(conn);
    end.set_commit_work(&work);
    Status done;
    try {
      done = work.Run(end);
    } catch (...) {
      done = Internal("the group's commit work threw an exception");
    }
    if (done.ok() && end.failed()) done = end.Aborted();
    Commit commit;
    if (done.ok() && wal_fd >= 0) commit = {BeginCommit(), wal_fd};
    if (done.ok()) done = conn.Exec("COMMIT", {}).status();
    if (commit.seq != 0) EndCommit(commit.seq);
    if (!done.ok()) {
      conn.Rollback();
      fail_all(done);
    }
    return commit;
  }

  std::string path_;
  Options opt_;
  std::unique_ptr<Connection> writer_;
  std::mutex group_mu_;
  std::deque<Pending*> queue_;
  bool leader_active_ = false;
  // The writer connection is lent to one Write at a time; writer_thread_ names the borrower
  // (default id when free). Waiting for it is bounded by busy_timeout_ms.
  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::thread::id writer_thread_;
  bool checkpointer_waiting_ = false;  // guarded by write_mu_
  // Grouped commits' durability (see Commit).
  int wal_fd_ = -1;  // the WAL file, for MakeDurable's fdatasync (see WalDescriptor)
  std::mutex seq_mu_;
  std::condition_variable durable_cv_;
  // Guarded by seq_mu_: commits begun and written; covered by a sync that succeeded, by one that
  // failed (and its errno). Readers wait for either (FinishedSeq).
  uint64_t started_seq_ = 0, committed_seq_ = 0, synced_seq_ = 0, failed_seq_ = 0;
  int sync_errno_ = 0;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Connection*> idle_;
  // The checkpointer (see CheckpointLoop); stopped and joined before the connections close.
  std::unique_ptr<Connection> ckpt_conn_;
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;
  bool ckpt_stop_ = false;
  std::atomic<int> ckpt_copied_{0};  // WAL pages the last checkpoint had copied
  std::thread checkpointer_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& opt) {
  // SQLITE_CONFIG_STMTJRNL_SPILL (statement journals kept in memory up to N bytes) was tried for
  // group commit: with Debian's SQLite 3.40.1, a statement journal that then spills to its file
  // fails with SQLITE_FULL ("database or disk is full"), e.g. the 1M-member import; the default
  // (spill past 64 KiB) stays.
  // SQLite counts every allocation under one global mutex unless told not to (nothing here reads
  // sqlite3_memory_used); with 32 request threads that mutex was a measurable share of checkout.
  // It must be set before SQLite initializes, so at the first open of the process.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  auto db = std::make_unique<SqliteDatabase>(path, opt);
  SY_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace shuyou::store
