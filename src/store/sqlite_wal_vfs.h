// A SQLite VFS that combines a writer's WAL frame writes into few large writes.
//
// SQLite writes each WAL frame with two pwrite calls (its 24-byte header, then the page), so a
// group commit of ~70 pages made ~140 system calls: ~0.25 ms of the writer's ~1.3 ms per group on
// the benchmark VM, while one pwrite of the same bytes takes ~0.04 ms (docs/benchmarks.md). This
// VFS wraps the default one: the main file and the WAL of a connection opened with it are
// wrapped, and once LinkWalBuffer has paired them, the WAL's frame writes collect in a buffer
// (128 KiB, the most the unix VFS writes in one call) that goes to the file in one write.
//
// What keeps it safe (the buffer is only ever bytes SQLite has written and nobody has yet read):
// - The frame that commits a transaction (its header carries the database size) first writes the
//   buffer out and is itself written straight through, so every frame of a transaction is in the
//   file before the transaction can be published in the wal-index, and a failed write fails the
//   COMMIT (SQLite rolls it back; nothing of it is visible).
// - Every other use of the WAL file (read, sync, size, truncate, file control, close) writes the
//   buffer out first; so do the main file's shared-memory calls (lock, barrier, unmap), so that
//   nothing buffered outlives the connection's write lock.
// - A write that does not continue or overwrite the buffered range writes the buffer out first.
// A connection that is not linked (or any other file) behaves exactly as the default VFS.
// The buffer belongs to the connection: use the connection from one thread at a time.
#pragma once

#include <sqlite3.h>

namespace shuyou::store {

// Registers the VFS (once per process) and answers its name, for sqlite3_open_v2; nullptr when
// it cannot be registered (then open the connection with the default VFS).
const char* WalBufferVfsName();

// Pairs the connection's main file with its WAL so that WAL writes are buffered. Answers whether
// they are (false while the connection has no WAL open yet, or when it was not opened with the
// VFS). Cheap once paired; call it again after a transaction began if it answered false.
bool LinkWalBuffer(sqlite3* db);

}  // namespace shuyou::store
