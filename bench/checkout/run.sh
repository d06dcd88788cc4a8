#!/usr/bin/env bash
# Checkout benchmark (`make bench`), the speed target of issue 4:
#  1. raw: bench_raw_checkout (bench/checkout/raw_sqlite.cpp) writes the same rows as one
#     checkout with the SQLite C API, durable (synchronous=FULL), one commit per sale and then
#     100 sales per commit, into a copy of the seeded database.
#  2. http: POST /api/v1/sales through the HTTP API with an API key: a 3-line sale with a
#     member, a 5% coupon and 100 points, paid in cash with change, a fresh Idempotency-Key per
#     request; wrk with BENCH_CONNECTIONS tills at once. Target: more sales/s than raw at one
#     commit per sale (the ratio against 100 per commit is reported too).
#  3. latency at half the maximum rate: the same requests paced (wrk's delay()) to about half
#     the rate of step 2, each connection pausing a random time (exponential, the mean that gives
#     half the rate) as independent tills do, for BENCH_HALF_DURATION (30 s: ~20,000 sales, so
#     that one stall of the disk or CPU moves the p99 less than in a short window). Target: p99
#     under 20 ms.
#     Reported too: the same with fixed pauses (BENCH_DURATION), which keep the connections in
#     step (each group commit answers a burst).
#  4. the same HTTP run on PostgreSQL (a throw-away cluster from Debian's packages), reported.
# Exits non-zero only when something failed to run; a missed target is reported, loudly.
# Environment: SHUYOU_BINARY (build/shuyou), BENCH_RAW (build/bench_raw_checkout),
# BENCH_DURATION (10s), BENCH_HALF_DURATION (30s), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2),
# BENCH_RAW_SALES (3000), BENCH_PG (1; 0 skips PostgreSQL), BENCH_OUT (build/bench-checkout.txt), BENCH_KEEP_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

BINARY=${SHUYOU_BINARY:-build/shuyou}
RAW=${BENCH_RAW:-build/bench_raw_checkout}
DURATION=${BENCH_DURATION:-10s}
HALF_DURATION=${BENCH_HALF_DURATION:-30s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
RAW_SALES=${BENCH_RAW_SALES:-3000}
WITH_PG=${BENCH_PG:-1}
OUT=${BENCH_OUT:-build/bench-checkout.txt}
P99_TARGET_MS=20

die() { echo "bench: $*" >&2; exit 1; }
case "$BINARY" in /*) ;; *) BINARY="$ROOT/$BINARY" ;; esac
case "$RAW" in /*) ;; *) RAW="$ROOT/$RAW" ;; esac
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY (run 'make build' or set SHUYOU_BINARY)"
if [ ! -x "$RAW" ]; then
  cmake --build --preset release --target bench_raw_checkout >/dev/null || die "cannot build bench_raw_checkout"
fi
for tool in wrk curl sqlite3; do command -v "$tool" >/dev/null 2>&1 || die "missing $tool (run 'bash scripts/install-deps.sh')"; done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuyou-bench-checkout.XXXXXX")
chmod 755 "$DIR"
PIDS=()
PGDATA_DIR=""
cleanup() {
  local pid
  [ -n "${WRK_PID:-}" ] && kill "$WRK_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$PGDATA_DIR" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${BENCH_KEEP_DIR:-}" ]; then echo "bench: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}
WRK_PID=""
wrk_wait() {
  local rc=0
  wrk "$@" &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}

# start_server TARGET: `shuyou serve` on a free port; sets BASE and SERVER_PID.
start_server() {
  SHUYOU_LOG_LEVEL=warn "$BINARY" serve --db "$1" --listen 127.0.0.1:0 --static-dir "$DIR" --jobs off \
    >"$DIR/shuyou.out" 2>"$DIR/shuyou.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's|^shuyou serving http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$DIR/shuyou.out" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$DIR/shuyou.err" >&2; die "shuyou serve did not start"; }
  BASE="http://127.0.0.1:$port"
}
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }

# seed TARGET: demo data, 200 members with a million points each, the BENCH5 coupon, negative
# stock allowed (the run sells more than the demo received); writes sales.lua for wrk.
seed() {
  local target=$1
  "$BINARY" demo --db "$target" --members 2000 --products 300 >/dev/null || die "shuyou demo failed"
  KEY=$("$BINARY" admin create-api-key --db "$target" --name bench-till --role cashier 2>/dev/null) || die "create-api-key failed"
  local owner
  owner=$("$BINARY" admin create-api-key --db "$target" --name bench-owner --role owner 2>/dev/null) || die "create-api-key failed"
  start_server "$target"
  local auth="Authorization: Bearer $owner" ct="Content-Type: application/json"
  curl -sf -X PATCH -H "$auth" -H "$ct" "$BASE/api/v1/stock/settings" -d '{"store_id":1,"allow_negative_stock":true}' >/dev/null ||
    die "cannot allow negative stock"
  curl -sf -X POST -H "$auth" -H "$ct" "$BASE/api/v1/coupons" -d '{"code":"BENCH5","name":"bench 5%","kind":"percent","percent":5}' >/dev/null ||
    die "cannot create the coupon"
  MEMBER_IDS=$(curl -sf -H "$auth" "$BASE/api/v1/members?limit=200&sort=id" | grep -o '"id":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
  PRODUCT_IDS=$(curl -sf -H "$auth" "$BASE/api/v1/stock?store_id=1&limit=200&sort=product_id" | grep -o '"product_id":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
  [ "$(echo $MEMBER_IDS | wc -w)" -ge 100 ] || die "expected demo members, got: $MEMBER_IDS"
  [ "$(echo $PRODUCT_IDS | wc -w)" -ge 100 ] || die "expected stocked demo products, got: $PRODUCT_IDS"
  for m in $MEMBER_IDS; do
    curl -sf -X POST -H "$auth" -H "$ct" "$BASE/api/v1/members/$m/points/adjustments" \
      -d '{"points":1000000,"reason":"benchmark balance"}' >/dev/null || die "cannot give member $m points"
  done
  stop_server
  cat >"$DIR/sales.lua" <<LUA
-- Written by bench/checkout/run.sh: POST /api/v1/sales, a 3-line sale with a member, a coupon
-- and points, a fresh Idempotency-Key per request; BENCH_DELAY_MS paces each connection.
local members = { $(echo $MEMBER_IDS | tr ' ' ',') }
local products = { $(echo $PRODUCT_IDS | tr ' ' ',') }
local counter = 0
local prefix = ""
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", tostring(threads) .. "-" .. tostring(os.time()) .. "-" .. tostring(math.random(1000000)))
end
local random_pauses = os.getenv("BENCH_PACING") ~= "fixed"
function init(args)
  prefix = tag
  math.randomseed(tonumber(string.match(tag, "(%d+)$")))
end
-- Random pauses (exponential, mean BENCH_DELAY_MS): tills that sell independently of each other.
-- Fixed pauses keep all connections in step with the group commits that answer them together.
function delay()
  if pause == 0 or not random_pauses then return pause end
  return math.floor(-math.log(1 - math.random()) * pause + 0.5)
end
request = function()
  counter = counter + 1
  local m = members[(counter * 7) % #members + 1]
  local a = products[(counter * 3) % #products + 1]
  local b = products[(counter * 3 + 1) % #products + 1]
  local c = products[(counter * 3 + 2) % #products + 1]
  local body = string.format('{"store_id":1,"member_id":%d,"lines":[{"product_id":%d,"quantity":1},{"product_id":%d,"quantity":1},{"product_id":%d,"quantity":1}],"coupon_codes":["BENCH5"],"points_to_redeem":100,"payments":[{"method":"cash","amount":200000}]}', m, a, b, c)
  return wrk.format("POST", "/api/v1/sales", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $KEY", ["Idempotency-Key"] = prefix .. "-" .. counter }, body)
end
LUA
}

# http_run TARGET LABEL: max rate, then p99 at half of it. Sets RPS_<label>, P99_<label>, HALF_*.
http_run() {
  local target=$1 label=$2
  start_server "$target"
  # One sale by hand: the answer must be a 201 with the coupon and the points applied.
  local one
  one=$(BENCH_DELAY_MS=0 wrk -t1 -c1 -d1s -s "$DIR/sales.lua" "$BASE" 2>&1) || die "wrk failed: $one"
  grep -q 'Non-2xx' <<<"$one" && { echo "$one" >&2; die "$label: sales answered non-2xx"; }
  echo "bench: $label: $DURATION of sales with $CONNECTIONS connections"
  BENCH_DELAY_MS=0 wrk_wait -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$DIR/sales.lua" "$BASE" >"$DIR/wrk-$label.txt" ||
    die "wrk failed"
  if grep -q 'Non-2xx' "$DIR/wrk-$label.txt"; then cat "$DIR/wrk-$label.txt" >&2; die "$label: some sales failed"; fi
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk-$label.txt")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk-$label.txt")")
  # Half the rate: each connection waits so that all together send about rps/2 per second.
  local delay
  delay=$(awk -v c="$CONNECTIONS" -v r="$rps" 'BEGIN { d = c * 1000 / (r / 2) * 0.92; printf "%d", (d < 1 ? 1 : d) }')
  echo "bench: $label: $HALF_DURATION at half rate, each connection pausing $delay ms on average (random pauses)"
  BENCH_DELAY_MS=$delay wrk_wait -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$HALF_DURATION" --latency -s "$DIR/sales.lua" "$BASE" \
    >"$DIR/wrk-$label-half.txt" || die "wrk failed"
  if grep -q 'Non-2xx' "$DIR/wrk-$label-half.txt"; then cat "$DIR/wrk-$label-half.txt" >&2; die "$label: some sales failed"; fi
  echo "bench: $label: half rate, each connection pausing $delay ms exactly (fixed pauses)"
  BENCH_PACING=fixed BENCH_DELAY_MS=$delay wrk_wait -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$DIR/sales.lua" "$BASE" \
    >"$DIR/wrk-$label-fixed.txt" || die "wrk failed"
  if grep -q 'Non-2xx' "$DIR/wrk-$label-fixed.txt"; then cat "$DIR/wrk-$label-fixed.txt" >&2; die "$label: some sales failed"; fi
  eval "RPS_$label=$rps P99_$label=$p99"
  eval "HALF_RPS_$label=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk-$label-half.txt")"
  eval "HALF_P50_$label=$(to_ms "$(awk '$1 == "50%" {print $2}' "$DIR/wrk-$label-half.txt")")"
  eval "HALF_P99_$label=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk-$label-half.txt")")"
  eval "FIXED_RPS_$label=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk-$label-fixed.txt")"
  eval "FIXED_P50_$label=$(to_ms "$(awk '$1 == "50%" {print $2}' "$DIR/wrk-$label-fixed.txt")")"
  eval "FIXED_P99_$label=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk-$label-fixed.txt")")"
  stop_server
}

# --- SQLite ------------------------------------------------------------------------------------
DB="$DIR/bench.db"
seed "$DB"
cp "$DB" "$DIR/raw.db"
[ -f "$DB-wal" ] && cp "$DB-wal" "$DIR/raw.db-wal"
echo "bench: raw SQLite C API, $RAW_SALES sales, one commit per sale"
RAW1=$("$RAW" "$DIR/raw.db" "$RAW_SALES" 1) || die "bench_raw_checkout failed"
echo "  $RAW1"
echo "bench: raw SQLite C API, $((RAW_SALES * 10)) sales, 100 per commit"
RAW100=$("$RAW" "$DIR/raw.db" "$((RAW_SALES * 10))" 100) || die "bench_raw_checkout failed"
echo "  $RAW100"
RAW1_RATE=$(sed -n 's/.* = \([0-9]*\) sales\/s.*/\1/p' <<<"$RAW1")
RAW100_RATE=$(sed -n 's/.* = \([0-9]*\) sales\/s.*/\1/p' <<<"$RAW100")
http_run "$DB" sqlite
"$BINARY" check --db "$DB" >"$DIR/check.txt" || { head -20 "$DIR/check.txt" >&2; die "shuyou check found mismatches after the run"; }
SALES_WRITTEN=$(sqlite3 "$DB" "SELECT COUNT(*) FROM sales")

# --- PostgreSQL --------------------------------------------------------------------------------
PG_LINE="PostgreSQL: skipped (BENCH_PG=0)"
if [ "$WITH_PG" = 1 ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server (Debian package postgresql); BENCH_PG=0 skips it"
  PGDATA_DIR="$DIR/pg"
  mkdir -p "$PGDATA_DIR" && chmod 700 "$PGDATA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDATA_DIR" "$DIR"
  PG_PORT=$(( 20000 + RANDOM % 20000 ))
  as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  as_postgres "$PG_BIN/pg_ctl" -w -D "$PGDATA_DIR" -l "$DIR/pg.log" \
    -o "-p $PG_PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null ||
    { cat "$DIR/pg.log" >&2; die "pg_ctl start failed"; }
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  seed "$PG_URL"
  http_run "$PG_URL" pg
  PG_LINE="PostgreSQL 3-line sales: $RPS_pg sales/s (p99 ${P99_pg} ms at full load); at half rate (random pauses) $HALF_RPS_pg sales/s: p50 ${HALF_P50_pg} ms, p99 ${HALF_P99_pg} ms; fixed pauses p99 ${FIXED_P99_pg} ms"
fi

# --- report ------------------------------------------------------------------------------------
RATIO1=$(awk -v a="$RPS_sqlite" -v b="$RAW1_RATE" 'BEGIN { printf "%.2f", a / b }')
RATIO100=$(awk -v a="$RPS_sqlite" -v b="$RAW100_RATE" 'BEGIN { printf "%.2f", a / b }')
V_RATE=$(awk -v r="$RATIO1" 'BEGIN { print (r > 1 ? "PASS" : "FAIL") }')
V_P99=$(awk -v p="$HALF_P99_sqlite" -v t="$P99_TARGET_MS" 'BEGIN { print (p + 0 < t ? "PASS" : "FAIL") }')
CPU=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
{
  echo "Shuyou checkout benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores${CPU:+ ($CPU)}; load average before the run: $LOAD_BEFORE"
  echo "sale: 3 lines, a member, a 5% coupon, 100 points, cash with change; synchronous=FULL; wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION"
  echo
  echo "raw SQLite C API, the same rows, one commit per sale:  $RAW1_RATE sales/s"
  echo "raw SQLite C API, the same rows, 100 sales per commit: $RAW100_RATE sales/s"
  echo "Shuyou over HTTP (group commit), SQLite:               $RPS_sqlite sales/s (p99 ${P99_sqlite} ms at full load)"
  echo "  against one commit per sale: ${RATIO1}x ($V_RATE, target > 1); against 100 per commit: ${RATIO100}x"
  echo "  at half rate, random pauses ($HALF_DURATION): $HALF_RPS_sqlite sales/s, p50 ${HALF_P50_sqlite} ms, p99 ${HALF_P99_sqlite} ms (p99 < ${P99_TARGET_MS} ms: $V_P99)"
  echo "  at half rate, fixed pauses (tills in step): $FIXED_RPS_sqlite sales/s, p50 ${FIXED_P50_sqlite} ms, p99 ${FIXED_P99_sqlite} ms"
  echo "  $SALES_WRITTEN sales written in all; shuyou check clean afterwards"
  echo "$PG_LINE"
} | tee "$DIR/report.txt"
mkdir -p "$(dirname "$OUT")"
cp "$DIR/report.txt" "$OUT"
if [ "$V_RATE$V_P99" != PASSPASS ]; then
  echo
  echo "********************************************************************************"
  echo "bench: TARGET MISSED (see above)"
  echo "********************************************************************************"
fi
echo "bench: results written to $OUT"
