#!/usr/bin/env bash
# HTTP benchmark (`make bench`): requests/s and p50/p99 latency of shuyou's /healthz and of an
# authenticated list (GET /api/v1/staff?limit=10 with an API key: a page of ten accounts, a
# bookstore's whole staff), measured with wrk, and of nginx serving the same bytes as a static
# file on the same machine in the same run, as the ceiling. Target: the authenticated read
# reaches at least half of nginx's rate. A page of fifty accounts is measured and reported too.
# Exits non-zero only when something failed to run; missing the target is reported, loudly.
# Environment: SHUYOU_BINARY (build/shuyou), BENCH_DURATION (10s), BENCH_CONNECTIONS (64),
# BENCH_WRK_THREADS (2), BENCH_WARMUP (2s), BENCH_STAFF (49 extra accounts), BENCH_SERVER_THREADS
# (shuyou --threads; empty: the server's default), BENCH_OUT (build/bench-http.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

BINARY=${SHUYOU_BINARY:-build/shuyou}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2s}
STAFF=${BENCH_STAFF:-49}
SERVER_THREADS=${BENCH_SERVER_THREADS:-}
OUT=${BENCH_OUT:-build/bench-http.txt}
TARGET_RATIO=0.5

die() { echo "bench: $*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------------------------
case "$BINARY" in /*) ;; *) BINARY="$ROOT/$BINARY" ;; esac
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY (run 'make build' or set SHUYOU_BINARY)"
missing=()
command -v wrk >/dev/null 2>&1 || missing+=("wrk (Debian package wrk)")
NGINX=$(command -v nginx 2>/dev/null || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
[ -n "$NGINX" ] || missing+=("nginx (Debian package nginx-light)")
command -v curl >/dev/null 2>&1 || missing+=("curl (Debian package curl)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bench: missing %s\n' "${missing[@]}" >&2
  die "run 'bash scripts/install-deps.sh' (make does this first) and try again"
fi

# --- scratch directory and cleanup -------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuyou-bench.XXXXXX")
chmod 755 "$DIR"
PIDS=()
cleanup() {
  local pid
  [ -n "${WRK_PID:-}" ] && kill "$WRK_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on (a connection attempt is refused).
free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# Waits until URL answers 200 (up to ~10 s), or fails.
wait_ok() {
  local url=$1 i
  for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

# --- shuyou: database, API key, staff accounts, server ----------------------------------------
DB="$DIR/bench.db"
mkdir -p "$DIR/empty"
echo "bench: preparing $DB"
"$BINARY" demo --db "$DB" >/dev/null || die "shuyou demo failed"
KEY=$("$BINARY" admin create-api-key --db "$DB" --name bench --role owner 2>/dev/null) ||
  die "shuyou admin create-api-key failed"
[ -n "$KEY" ] || die "shuyou admin create-api-key printed no key"
echo "bench: creating $STAFF staff accounts (argon2 makes each take a moment)"
for i in $(seq 1 "$STAFF"); do
  printf 'password-%03d\n' "$i" |
    "$BINARY" admin create-user --db "$DB" --username "$(printf 'staff%03d' "$i")" \
      --display-name "$(printf 'Cashier %03d' "$i")" --role cashier --password-stdin >/dev/null ||
    die "shuyou admin create-user staff$i failed"
done

serve_args=(serve --db "$DB" --listen 127.0.0.1:0 --static-dir "$DIR/empty")
[ -n "$SERVER_THREADS" ] && serve_args+=(--threads "$SERVER_THREADS")
SHUYOU_LOG_LEVEL=warn "$BINARY" "${serve_args[@]}" >"$DIR/shuyou.out" 2>"$DIR/shuyou.err" &
PIDS+=($!)
SHUYOU_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|^shuyou serving http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' "$DIR/shuyou.out" | head -n1)
  [ -n "$PORT" ] && break
  kill -0 "$SHUYOU_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$DIR/shuyou.err" >&2; die "shuyou serve did not start"; }
BASE="http://127.0.0.1:$PORT"
wait_ok "$BASE/healthz" || { cat "$DIR/shuyou.err" >&2; die "$BASE/healthz does not answer 200"; }
SERVER_THREAD_COUNT=$(ls "/proc/$SHUYOU_PID/task" 2>/dev/null | wc -l)

STAFF_URL="$BASE/api/v1/staff?limit=10"
STAFF50_URL="$BASE/api/v1/staff?limit=50"
AUTH="Authorization: Bearer $KEY"
code=$(curl -s -o "$DIR/staff.json" -w '%{http_code}' -H "$AUTH" "$STAFF_URL")
[ "$code" = 200 ] || { cat "$DIR/staff.json" >&2; die "GET $STAFF_URL answered $code, not 200"; }
ITEMS=$(grep -o '"username"' "$DIR/staff.json" | wc -l)
BODY_BYTES=$(wc -c <"$DIR/staff.json")

# --- nginx: the same bytes as a static file ----------------------------------------------------
mkdir -p "$DIR/www" "$DIR/nginx-tmp"
cp "$DIR/staff.json" "$DIR/www/staff.json"
chmod -R a+rX "$DIR/www"
NGINX_PORT=$(free_port) || die "no free port for nginx"
NGINX_USER=""
[ "$(id -u)" = 0 ] && NGINX_USER="user root;"
cat >"$DIR/nginx.conf" <<EOF
# Written by bench/http/run.sh: nginx as the ceiling, serving one small static file.
$NGINX_USER
worker_processes auto;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx-tmp/body;
  proxy_temp_path $DIR/nginx-tmp/proxy;
  fastcgi_temp_path $DIR/nginx-tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx-tmp/uwsgi;
  scgi_temp_path $DIR/nginx-tmp/scgi;
  default_type application/json;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $DIR/www;
  }
}
EOF
"$NGINX" -e "$DIR/nginx-error.log" -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;' \
  >"$DIR/nginx.out" 2>&1 &
PIDS+=($!)
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT/staff.json"
wait_ok "$NGINX_URL" || { cat "$DIR/nginx.out" "$DIR/nginx-error.log" >&2 2>/dev/null; die "nginx did not start"; }

# --- measurements ------------------------------------------------------------------------------
# Latency in wrk's units (us, ms, s) → milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# CPU time (clock ticks, user + system) used so far by the processes given and their children
# (nginx's workers are children of its master).
cpu_ticks() {
  local pid p kids total=0
  for pid in "$@"; do
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    for p in $pid $kids; do
      total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}
TICKS=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Runs wrk in the background and waits for it, so that Ctrl-C or SIGTERM stops the run at once.
WRK_PID=""
wrk_wait() {
  local rc=0
  wrk "$@" &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}

declare -A RPS P50 P99 CPU_US
run_wrk() {  # name pid url [header]
  local name=$1 pid=$2 url=$3 header=${4:-} out="$DIR/wrk-$1.txt" before after requests
  local args=(-t"$WRK_THREADS" -c"$CONNECTIONS" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  echo "bench: $name: warm-up $WARMUP, then $DURATION"
  wrk_wait "${args[@]}" -d"$WARMUP" "$url" >/dev/null || die "wrk failed on $url"
  before=$(cpu_ticks "$pid")
  wrk_wait "${args[@]}" -d"$DURATION" "$url" >"$out" || die "wrk failed on $url"
  after=$(cpu_ticks "$pid")
  requests=$(awk '/requests in/ {print $1; exit}' "$out")
  CPU_US[$name]=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="${requests:-0}" \
    'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "?" }')
  if grep -q 'Non-2xx or 3xx responses' "$out"; then
    cat "$out" >&2
    die "$name: some responses were not 2xx"
  fi
  grep -q 'Socket errors' "$out" && { echo "bench: $name: wrk reports socket errors:" >&2; grep 'Socket errors' "$out" >&2; }
  RPS[$name]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  P50[$name]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  P99[$name]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  [ -n "${RPS[$name]}" ] || { cat "$out" >&2; die "cannot read wrk's output for $name"; }
}

run_wrk nginx "$NGINX_PID" "$NGINX_URL"
run_wrk healthz "$SHUYOU_PID" "$BASE/healthz"
run_wrk staff "$SHUYOU_PID" "$STAFF_URL" "$AUTH"
run_wrk staff50 "$SHUYOU_PID" "$STAFF50_URL" "$AUTH"

# --- report ------------------------------------------------------------------------------------
RATIO=$(awk -v a="${RPS[staff]}" -v b="${RPS[nginx]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
VERDICT=$(awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t ? "PASS" : "FAIL") }')
CPU=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
{
  echo "Shuyou HTTP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores${CPU:+ ($CPU)}, shared by wrk, nginx and shuyou; load average before the run: $LOAD_BEFORE"
  echo "shuyou: $BINARY on SQLite, $SERVER_THREAD_COUNT OS threads${SERVER_THREADS:+ (--threads $SERVER_THREADS)}, log_level warn"
  echo "wrk: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency [-H 'Authorization: Bearer <key>'] URL (after a $WARMUP warm-up)"
  echo "staff list: $ITEMS accounts, $BODY_BYTES bytes of JSON; nginx serves the same bytes as a static file"
  echo
  row() { printf '%-44s %12s %10s %10s %14s\n' "$@"; }
  row "request" "requests/s" "p50 ms" "p99 ms" "server CPU us"
  row "nginx GET /staff.json (static, ceiling)" "${RPS[nginx]}" "${P50[nginx]}" "${P99[nginx]}" "${CPU_US[nginx]}"
  row "shuyou GET /healthz" "${RPS[healthz]}" "${P50[healthz]}" "${P99[healthz]}" "${CPU_US[healthz]}"
  row "shuyou GET /api/v1/staff?limit=10 (API key)" "${RPS[staff]}" "${P50[staff]}" "${P99[staff]}" "${CPU_US[staff]}"
  row "shuyou GET /api/v1/staff?limit=50 (API key)" "${RPS[staff50]}" "${P50[staff50]}" "${P99[staff50]}" "${CPU_US[staff50]}"
  echo "(server CPU us: CPU time, user + system, the server (nginx: master and workers) spent per request)"
  echo
  echo "authenticated read (limit=10) / nginx = $RATIO (target >= $TARGET_RATIO): $VERDICT"
  echo "authenticated read (limit=50) / nginx = $(awk -v a="${RPS[staff50]}" -v b="${RPS[nginx]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (reported, no target)"
} | tee "$DIR/report.txt"
mkdir -p "$(dirname "$OUT")"
cp "$DIR/report.txt" "$OUT"
if [ "$VERDICT" != PASS ]; then
  echo
  echo "********************************************************************************"
  echo "bench: TARGET MISSED: the authenticated read reached $RATIO of nginx's rate (target $TARGET_RATIO)"
  echo "********************************************************************************"
fi
echo "bench: results written to $OUT"
