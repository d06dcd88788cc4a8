#!/usr/bin/env bash
# Reports benchmark (issue 5): warm latency of every report endpoint over a few periods, with and
# without a store filter, and the server's peak memory.
#  - Database: BENCH_DB (an existing SQLite file or postgresql:// URL, e.g. the lead's 1M-member
#    demo: it is used as it is, never modified beyond the server's migrations); without it a
#    small demo is created (BENCH_MEMBERS members, BENCH_MONTHS months of sales).
#  - `shuyou serve` on it (jobs off), signed in as owner / shuyou-demo (BENCH_USER/BENCH_PASSWORD)
#    like the browser (session cookie); each case gets BENCH_WARM untimed requests, then
#    BENCH_N timed ones in a row (curl's time_total); p50 and p99 (nearest rank) in ms.
#  - Endpoints: dashboard, sales (day / month / genre / cashier), books, hours, members, rfm,
#    cohorts, loyalty (an endpoint the server does not have yet is listed as "absent").
#    Periods: 30 days, 12 months and 24 months ending today; store filter off and store_id=1.
#  - Peak RSS: VmHWM of the server process at the end.
#  - BENCH_PG=1 (and no BENCH_DB): the same on a throw-away PostgreSQL cluster with the same
#    small demo (Debian's postgresql package).
# Targets (issue 5, on 1M members / 10M lines): dashboard < 200 ms, each report < 1 s,
# RFM < 2 s, server memory < 1 GB. Exits non-zero only when something failed to run.
# Environment: SHUYOU_BINARY (build/shuyou), BENCH_DB, BENCH_N (20), BENCH_WARM (2),
# BENCH_MEMBERS (2000), BENCH_MONTHS (24), BENCH_PG (0), BENCH_STORE (1), BENCH_OUT
# (build/bench-reports.txt), BENCH_KEEP_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

BINARY=${SHUYOU_BINARY:-build/shuyou}
N=${BENCH_N:-20}
WARM=${BENCH_WARM:-2}
MEMBERS=${BENCH_MEMBERS:-2000}
MONTHS=${BENCH_MONTHS:-24}
WITH_PG=${BENCH_PG:-0}
STORE=${BENCH_STORE:-1}
USER_NAME=${BENCH_USER:-owner}
PASSWORD=${BENCH_PASSWORD:-shuyou-demo}
OUT=${BENCH_OUT:-build/bench-reports.txt}

die() { echo "bench: $*" >&2; exit 1; }
case "$BINARY" in /*) ;; *) BINARY="$ROOT/$BINARY" ;; esac
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY (run 'make build' or set SHUYOU_BINARY)"
command -v curl >/dev/null 2>&1 || die "missing curl (run 'bash scripts/install-deps.sh')"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuyou-bench-reports.XXXXXX")
chmod 755 "$DIR"
SERVER_PID=""
PGDATA_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  [ -n "$PGDATA_DIR" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${BENCH_KEEP_DIR:-}" ]; then echo "bench: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# make_demo TARGET: the small demo (store, owner, catalog, members, sales history).
make_demo() {
  echo "bench: creating a demo ($MEMBERS members, $MONTHS months) in $1"
  "$BINARY" demo --db "$1" --members "$MEMBERS" --products 2000 --months "$MONTHS" >"$DIR/demo.log" 2>&1 ||
    { cat "$DIR/demo.log" >&2; die "shuyou demo failed"; }
  # The aggregates: kept by the demo generator when it feeds them; a rebuild makes sure.
  if "$BINARY" reports rebuild --help >/dev/null 2>&1; then
    "$BINARY" reports rebuild --db "$1" >"$DIR/rebuild.log" 2>&1 || { cat "$DIR/rebuild.log" >&2; die "shuyou reports rebuild failed"; }
  fi
}

# start_server TARGET: `shuyou serve` on a free port; sets BASE and SERVER_PID.
start_server() {
  SHUYOU_LOG_LEVEL=warn "$BINARY" serve --db "$1" --listen 127.0.0.1:0 --static-dir "$DIR" --jobs off \
    >"$DIR/shuyou.out" 2>"$DIR/shuyou.err" &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 1 600); do  # a big database may take a while to migrate
    port=$(sed -n 's|^shuyou serving http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$DIR/shuyou.out" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$port" ] || { cat "$DIR/shuyou.err" >&2; die "shuyou serve did not start"; }
  BASE="http://127.0.0.1:$port"
}
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

login() {
  local code
  code=$(curl -s -o "$DIR/login.json" -w '%{http_code}' -c "$DIR/cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login")
  [ "$code" = 200 ] || { cat "$DIR/login.json" >&2; die "sign-in as $USER_NAME answered $code"; }
}

# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE, one per line.
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR; printf "%.1f", v[r] }'; }

# run_case LABEL PATH QUERY: prints one table row.
run_case() {
  local label=$1 path=$2 query=$3 url code i
  url="$BASE/api/v1/reports/$path?$query"
  code=$(curl -s -o "$DIR/body" -w '%{http_code}' -b "$DIR/cookies" "$url")
  if [ "$code" = 404 ]; then  # no such route in this build
    printf '%-10s %-34s %10s %10s  %s\n' "$label" "$query" "-" "-" "absent"
    return
  fi
  if [ "$code" != 200 ]; then
    printf '%-10s %-34s %10s %10s  %s\n' "$label" "$query" "-" "-" "HTTP $code: $(head -c 160 "$DIR/body")"
    FAILED=1
    return
  fi
  for i in $(seq 1 "$WARM"); do curl -s -o /dev/null -b "$DIR/cookies" "$url"; done
  : >"$DIR/times"
  for i in $(seq 1 "$N"); do
    curl -s -o /dev/null -b "$DIR/cookies" -w '%{time_total}\n' "$url" | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$DIR/times"
  done
  printf '%-10s %-34s %10s %10s  %s\n' "$label" "$query" "$(pct "$DIR/times" 50)" "$(pct "$DIR/times" 99)" \
    "$(wc -c <"$DIR/body") bytes"
}

# bench_target TARGET NAME: every endpoint × period × store filter on one database.
bench_target() {
  local target=$1 name=$2 today from30 from12 from24 range store q
  start_server "$target"
  login
  today=$(curl -s -b "$DIR/cookies" "$BASE/api/v1/reports/dashboard" | grep -o '"day":"[0-9-]*"' | head -n1 | cut -d'"' -f4)
  [ -n "$today" ] || today=$(date -u +%F)
  from30=$(date -u -d "$today -29 days" +%F)
  from12=$(date -u -d "$today -12 months +1 day" +%F)
  from24=$(date -u -d "$today -24 months +1 day" +%F)
  {
    echo "== $name: $target"
    printf '%-10s %-34s %10s %10s  %s\n' endpoint query "p50 ms" "p99 ms" note
    for store in "" "&store_id=$STORE"; do
      run_case dashboard dashboard "to=$today$store"
      for range in "$from30" "$from12" "$from24"; do
        q="from=$range&to=$today$store"
        for g in day month genre cashier; do run_case "sales/$g" sales "$q&group=$g"; done
        run_case books books "$q"
        run_case hours hours "$q"
        run_case members members "$q"
        run_case rfm rfm "$q"
        run_case cohorts cohorts "$q"
        run_case loyalty loyalty "$q"
      done
    done
    echo "server peak RSS (VmHWM): $(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$SERVER_PID/status")"
    echo
  } > >(tee -a "$DIR/report.txt")
  stop_server
}

FAILED=0
{
  echo "Shuyou reports benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores; load average before the run: $LOAD_BEFORE; $N timed requests per case after $WARM warm-up"
  echo
} | tee "$DIR/report.txt"

if [ -n "${BENCH_DB:-}" ]; then
  bench_target "$BENCH_DB" "$(case "$BENCH_DB" in postgres*) echo PostgreSQL ;; *) echo SQLite ;; esac)"
else
  make_demo "$DIR/demo.db"
  bench_target "$DIR/demo.db" "SQLite (small demo)"
  if [ "$WITH_PG" = 1 ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server (Debian package postgresql); BENCH_PG=0 skips it"
    PGDATA_DIR="$DIR/pg"
    mkdir -p "$PGDATA_DIR" && chmod 700 "$PGDATA_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PGDATA_DIR" "$DIR"
    PG_PORT=$((20000 + RANDOM % 20000))
    as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    as_postgres "$PG_BIN/pg_ctl" -w -D "$PGDATA_DIR" -l "$DIR/pg.log" \
      -o "-p $PG_PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null ||
      { cat "$DIR/pg.log" >&2; die "pg_ctl start failed"; }
    PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    make_demo "$PG_URL"
    bench_target "$PG_URL" "PostgreSQL (small demo)"
  fi
fi
mkdir -p "$(dirname "$OUT")"
cp "$DIR/report.txt" "$OUT"
echo "bench: results written to $OUT"
[ "$FAILED" = 0 ] || die "some requests failed (see above)"
