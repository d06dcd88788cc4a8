#!/usr/bin/env bash
# Copies a Shuyou SQLite database into an empty PostgreSQL database, table by table, so that the
# reports benchmark can run on PostgreSQL against exactly the data it ran on with SQLite
# (generating the 1M-member demo directly on PostgreSQL takes hours on a 2-core machine; this
# takes minutes).
#   bash bench/reports/pg_from_sqlite.sh SQLITE_FILE postgresql://user@host:port/db
# The PostgreSQL database must exist and be empty; the script migrates it with the same
# `shuyou` binary (SHUYOU_BINARY, default build/shuyou) and refuses when the two schema versions
# differ. Rows go through `sqlite3 -csv` into `\copy` with foreign-key triggers off for the load
# (session_replication_role = replica: needs a superuser), then every id sequence is moved past
# the largest id and the tables are analysed. A benchmark tool, not a migration path for stores.
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "pg_from_sqlite: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 SQLITE_FILE postgresql://user@host:port/db"
SRC=$1
URL=$2
BINARY=${SHUYOU_BINARY:-build/shuyou}
[ -r "$SRC" ] || die "cannot read $SRC"
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY"
command -v sqlite3 >/dev/null || die "missing sqlite3 (Debian package sqlite3)"
command -v psql >/dev/null || die "missing psql (Debian package postgresql-client)"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$URL")
"$BINARY" --db "$URL" migrate >/dev/null
src_version=$(sqlite3 -readonly "$SRC" "SELECT MAX(version) FROM schema_version")
dst_version=$("${PSQL[@]}" -At -c "SELECT MAX(version) FROM schema_version")
[ "$src_version" = "$dst_version" ] ||
  die "schema versions differ: $SRC is at $src_version, PostgreSQL at $dst_version (migrate the SQLite file first)"

tables=$("${PSQL[@]}" -At -c "SELECT table_name FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY 1")
for t in $tables; do
  rows=$("${PSQL[@]}" -At -c "SELECT COUNT(*) FROM (SELECT 1 FROM $t LIMIT 1) x")
  [ "$rows" = 0 ] || die "table $t is not empty: load into an empty database"
done

for t in $tables; do
  cols=$("${PSQL[@]}" -At -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$t'")
  start=$(date +%s)
  sqlite3 -readonly -csv -cmd ".nullvalue NULLMARK" "$SRC" "SELECT $cols FROM $t" |
    "${PSQL[@]}" -c "SET session_replication_role = replica" \
      -c "\\copy $t ($cols) FROM STDIN WITH (FORMAT csv, NULL 'NULLMARK')"
  n=$("${PSQL[@]}" -At -c "SELECT COUNT(*) FROM $t")
  echo "pg_from_sqlite: $t: $n rows in $(( $(date +%s) - start )) s"
done

# Sequences behind identity/serial id columns continue after the copied ids.
for t in $("${PSQL[@]}" -At -c "SELECT table_name FROM information_schema.columns
  WHERE table_schema = 'public' AND column_name = 'id'"); do
  seq=$("${PSQL[@]}" -At -c "SELECT pg_get_serial_sequence('$t', 'id')")
  [ -n "$seq" ] || continue
  "${PSQL[@]}" -c "SELECT setval('$seq', COALESCE((SELECT MAX(id) FROM $t), 0) + 1, false)" >/dev/null
done
"${PSQL[@]}" -c "ANALYZE"
echo "pg_from_sqlite: done"
