// The WAL-buffering VFS: see sqlite_wal_vfs.h.
#include "store/sqlite_wal_vfs.h"

#include <cstdlib>
#include <cstring>

namespace shuyou::store {
namespace {

// The unix VFS writes at most 0x1ffff bytes per call (it masks larger sizes), so the buffer
// holds 31 frames of 4 KiB pages.
constexpr size_t kBufferBytes = 0x1ffff;
constexpr int kFrameHeaderBytes = 24;

// A wrapped main file or WAL; the default VFS's own file object follows it in the same memory.
struct Wrapped {
  sqlite3_file base;
  sqlite3_file* real;
  Wrapped* peer;  // main file <-> its WAL, once linked
  // WAL only: the bytes written but not yet in the file, [buf_at, buf_at + buf_len).
  bool buffering;
  char* buf;
  size_t buf_len;
  sqlite3_int64 buf_at;
  sqlite3_int64 straight_at;  // the committing frame's page goes straight to the file
};
constexpr int kWrappedBytes = int((sizeof(Wrapped) + 15) / 16 * 16);

Wrapped* W(sqlite3_file* f) { return reinterpret_cast<Wrapped*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return W(f)->real; }
sqlite3_vfs* RealVfs(sqlite3_vfs* v) { return static_cast<sqlite3_vfs*>(v->pAppData); }

// Writes the buffer out. On failure the buffered bytes are dropped: they belong to a transaction
// that has not been published and now fails.
int Flush(Wrapped* w) {
  if (w->buf_len == 0) return SQLITE_OK;
  int rc = w->real->pMethods->xWrite(w->real, w->buf, int(w->buf_len), w->buf_at);
  w->buf_len = 0;
  return rc;
}

// --- the WAL file ----------------------------------------------------------------------------

int WalClose(sqlite3_file* f) {
  Wrapped* w = W(f);
  Flush(w);
  if (w->peer) w->peer->peer = nullptr;
  std::free(w->buf);
  w->buf = nullptr;
  return w->real->pMethods->xClose(w->real);
}

int WalRead(sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xRead(Real(f), out, n, at);
}

bool CommitsTransaction(const void* data, int n) {
  if (n != kFrameHeaderBytes) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;  // the database size after the commit (0 otherwise)
}

int WalWrite(sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
  Wrapped* w = W(f);
  sqlite3_file* real = w->real;
  if (!w->buffering) return real->pMethods->xWrite(real, data, n, at);
  if (CommitsTransaction(data, n)) {
    // Everything before the committing frame reaches the file first; the frame itself goes
    // straight through, so a failure is this COMMIT's error.
    if (int rc = Flush(w); rc != SQLITE_OK) return rc;
    w->straight_at = at + n;
    return real->pMethods->xWrite(real, data, n, at);
  }
  if (at == w->straight_at) {
    w->straight_at = -1;
    if (int rc = Flush(w); rc != SQLITE_OK) return rc;
    return real->pMethods->xWrite(real, data, n, at);
  }
  w->straight_at = -1;
  const size_t len = size_t(n);
  if (w->buf_len > 0) {
    const sqlite3_int64 end = w->buf_at + sqlite3_int64(w->buf_len);
    if (at >= w->buf_at && at + n <= end) {  // a frame of this transaction written again
      std::memcpy(w->buf + (at - w->buf_at), data, len);
      return SQLITE_OK;
    }
    if (at == end && w->buf_len + len <= kBufferBytes) {
      std::memcpy(w->buf + w->buf_len, data, len);
      w->buf_len += len;
      return SQLITE_OK;
    }
    if (int rc = Flush(w); rc != SQLITE_OK) return rc;
  }
  if (len > kBufferBytes) return real->pMethods->xWrite(real, data, n, at);
  if (w->buf == nullptr) {
    w->buf = static_cast<char*>(std::malloc(kBufferBytes));
    if (w->buf == nullptr) return real->pMethods->xWrite(real, data, n, at);
  }
  std::memcpy(w->buf, data, len);
  w->buf_at = at;
  w->buf_len = len;
  return SQLITE_OK;
}

int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int WalSync(sqlite3_file* f, int flags) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int WalFileControl(sqlite3_file* f, int op, void* arg) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int WalFetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
  if (int rc = Flush(W(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFetch(Real(f), at, n, out);
}

// --- the main file: everything goes through; shared-memory calls write the WAL's buffer first --

int MainClose(sqlite3_file* f) {
  Wrapped* w = W(f);
  if (w->peer) {
    Flush(w->peer);
    w->peer->buffering = false;
    w->peer->peer = nullptr;
  }
  return w->real->pMethods->xClose(w->real);
}
void FlushPeer(sqlite3_file* f) {
  // Nothing is buffered here when SQLite publishes a commit (see WalWrite); this only keeps
  // buffered bytes of an unfinished transaction from outliving the write lock.
  if (Wrapped* wal = W(f)->peer) Flush(wal);
}
int MainShmLock(sqlite3_file* f, int offset, int n, int flags) {
  FlushPeer(f);
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void MainShmBarrier(sqlite3_file* f) {
  FlushPeer(f);
  Real(f)->pMethods->xShmBarrier(Real(f));
}
int MainShmUnmap(sqlite3_file* f, int delete_flag) {
  FlushPeer(f);
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}

// Plain forwarding for the rest.
int Read(sqlite3_file* f, void* out, int n, sqlite3_int64 at) { return Real(f)->pMethods->xRead(Real(f), out, n, at); }
int Write(sqlite3_file* f, const void* d, int n, sqlite3_int64 at) { return Real(f)->pMethods->xWrite(Real(f), d, n, at); }
int Truncate(sqlite3_file* f, sqlite3_int64 size) { return Real(f)->pMethods->xTruncate(Real(f), size); }
int Sync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int FileSize(sqlite3_file* f, sqlite3_int64* size) { return Real(f)->pMethods->xFileSize(Real(f), size); }
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) { return Real(f)->pMethods->xFileControl(Real(f), op, arg); }
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) { return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags); }
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) { return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag); }
int Fetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) { return Real(f)->pMethods->xFetch(Real(f), at, n, out); }
int Unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) { return Real(f)->pMethods->xUnfetch(Real(f), at, p); }

const sqlite3_io_methods kMainMethods = {
    3,        MainClose, Read,    Write,       Truncate,     Sync,  FileSize, Lock, Unlock, CheckReservedLock,
    FileControl, SectorSize, DeviceCharacteristics, ShmMap, MainShmLock, MainShmBarrier, MainShmUnmap, Fetch, Unfetch};
const sqlite3_io_methods kWalMethods = {
    3,        WalClose, WalRead, WalWrite,    WalTruncate,  WalSync, WalFileSize, Lock, Unlock, CheckReservedLock,
    WalFileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, WalFetch, Unfetch};

// --- the VFS ---------------------------------------------------------------------------------

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* real_vfs = RealVfs(vfs);
  const bool main = (flags & SQLITE_OPEN_MAIN_DB) != 0, wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (!main && !wal) return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
  Wrapped* w = W(f);
  std::memset(w, 0, sizeof(Wrapped));
  w->straight_at = -1;
  sqlite3_file* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kWrappedBytes);
  int rc = real_vfs->xOpen(real_vfs, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    f->pMethods = nullptr;
    return rc;
  }
  if (real->pMethods == nullptr || real->pMethods->iVersion < 3) {
    // Not a file this wrapper knows how to stand in for: use it as it is.
    if (real->pMethods) real->pMethods->xClose(real);
    return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
  }
  w->real = real;
  f->pMethods = main ? &kMainMethods : &kWalMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* v, const char* name, int sync_dir) { return RealVfs(v)->xDelete(RealVfs(v), name, sync_dir); }
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) { return RealVfs(v)->xAccess(RealVfs(v), name, flags, out); }
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return RealVfs(v)->xFullPathname(RealVfs(v), name, n, out);
}
void* DlOpen(sqlite3_vfs* v, const char* name) { return RealVfs(v)->xDlOpen(RealVfs(v), name); }
void DlError(sqlite3_vfs* v, int n, char* out) { RealVfs(v)->xDlError(RealVfs(v), n, out); }
void (*DlSym(sqlite3_vfs* v, void* h, const char* sym))(void) { return RealVfs(v)->xDlSym(RealVfs(v), h, sym); }
void DlClose(sqlite3_vfs* v, void* h) { RealVfs(v)->xDlClose(RealVfs(v), h); }
int Randomness(sqlite3_vfs* v, int n, char* out) { return RealVfs(v)->xRandomness(RealVfs(v), n, out); }
int Sleep(sqlite3_vfs* v, int us) { return RealVfs(v)->xSleep(RealVfs(v), us); }
int CurrentTime(sqlite3_vfs* v, double* out) { return RealVfs(v)->xCurrentTime(RealVfs(v), out); }
int GetLastError(sqlite3_vfs* v, int n, char* out) { return RealVfs(v)->xGetLastError(RealVfs(v), n, out); }
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) { return RealVfs(v)->xCurrentTimeInt64(RealVfs(v), out); }

constexpr const char* kVfsName = "shuyou-wal-buffer";

}  // namespace

const char* WalBufferVfsName() {
  static sqlite3_vfs vfs;
  static bool ok = [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr || real->iVersion < 2 || real->xCurrentTimeInt64 == nullptr) return false;
    vfs.iVersion = 2;
    vfs.szOsFile = kWrappedBytes + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kVfsName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
  }();
  return ok ? kVfsName : nullptr;
}

bool LinkWalBuffer(sqlite3* db) {
  sqlite3_file* main = nullptr;
  sqlite3_file* wal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &main) != SQLITE_OK ||
      sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK)
    return false;
  if (main == nullptr || wal == nullptr || main->pMethods != &kMainMethods || wal->pMethods != &kWalMethods)
    return false;
  Wrapped* m = W(main);
  Wrapped* w = W(wal);
  if (m->peer == w && w->buffering) return true;
  if (m->peer != nullptr && m->peer != w) {
    Flush(m->peer);
    m->peer->buffering = false;
    m->peer->peer = nullptr;
  }
  m->peer = w;
  w->peer = m;
  w->buffering = true;
  return true;
}

}  // namespace shuyou::store
