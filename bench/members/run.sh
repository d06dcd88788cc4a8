#!/usr/bin/env bash
# Member benchmarks (`make bench`), the two speed targets of issue 3 on SQLite:
#  1. import: `shuyou import members FILE` of a generated CSV of BENCH_MEMBERS (1,000,000) rows
#     into an empty database, timed with /usr/bin/time -v. Targets: under 60 s wall clock and
#     under 500 MB peak RSS.
#  2. lookup: with those members in the database, GET /api/v1/members?q=<phone or card> through
#     the HTTP API with an API key, wrk rotating through real phones (full number, national form)
#     and card numbers with a Lua script, BENCH_CONNECTIONS concurrent connections: first
#     saturated (each connection sends as soon as it has its answer: the rate the server can
#     take), then paced to about half that rate. Target: p99 under 2 ms under that concurrent
#     load; the saturated p99 (queueing for 2 cores) is reported beside it.
# The CSV is deterministic (awk, no randomness beyond the row number): realistic Chinese names,
# unique mainland mobiles, emails, birthdays, gender, opening points and stored value, consent,
# join dates, and one bad row in 1,000 (a broken email) as real lists have.
# Exits non-zero only when something failed to run; a missed target is reported, loudly.
# Environment: SHUYOU_BINARY (build/shuyou), BENCH_MEMBERS (1000000), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (16), BENCH_WRK_THREADS (2), BENCH_WARMUP (2s), BENCH_OUT
# (build/bench-members.txt), BENCH_KEEP_DIR (keep the scratch directory when set).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

BINARY=${SHUYOU_BINARY:-build/shuyou}
MEMBERS=${BENCH_MEMBERS:-1000000}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2s}
OUT=${BENCH_OUT:-build/bench-members.txt}
IMPORT_TARGET_S=60
IMPORT_TARGET_MB=500
LOOKUP_TARGET_P99_MS=2

die() { echo "bench: $*" >&2; exit 1; }

case "$BINARY" in /*) ;; *) BINARY="$ROOT/$BINARY" ;; esac
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY (run 'make build' or set SHUYOU_BINARY)"
missing=()
command -v wrk >/dev/null 2>&1 || missing+=("wrk (Debian package wrk)")
command -v curl >/dev/null 2>&1 || missing+=("curl (Debian package curl)")
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (Debian package time)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bench: missing %s\n' "${missing[@]}" >&2
  die "run 'bash scripts/install-deps.sh' (make does this first) and try again"
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuyou-bench-members.XXXXXX")
PIDS=()
cleanup() {
  local pid
  [ -n "${WRK_PID:-}" ] && kill "$WRK_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${BENCH_KEEP_DIR:-}" ]; then echo "bench: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the member list ---------------------------------------------------------------------------
# Row i (1-based): phone 1PP + 8 digits, PP from a list of real mobile prefixes by i mod 16 and
# the 8 digits (i·7919 + 1234) mod 10^8, unique for i < 10^8 (7919 is prime to 10^8).
CSV="$DIR/members.csv"
echo "bench: writing $MEMBERS member rows to $CSV"
awk -v n="$MEMBERS" 'BEGIN {
  split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sur, " ")
  split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 萍 红 鑫 波 宇 浩 凯 晨 欣 怡 婷 雪 琳 佳 子", giv, " ")
  split("35 36 37 38 39 50 51 52 58 59 86 87 88 89 77 99", pre, " ")
  split("example.com example.cn qq.example.com 163.example.com", dom, " ")
  print "手机号,姓名,邮箱,生日,性别,会员卡号,积分,储值余额,短信营销,备注,注册日期"
  for (i = 1; i <= n; i++) {
    h = (i * 2654435761) % 4294967296
    phone = sprintf("1%s%08d", pre[i % 16 + 1], (i * 7919 + 1234) % 100000000)
    name = sur[h % 30 + 1] giv[int(h / 30) % 40 + 1]
    if (h % 3 == 0) name = name giv[int(h / 1200) % 40 + 1]
    email = ""
    if (h % 5 < 3) email = sprintf("m%d@%s", i, dom[h % 4 + 1])
    if (i % 1000 == 500) email = "broken-at-" i
    bday = ""
    if (h % 7 != 0) bday = sprintf("%d-%02d-%02d", 1950 + h % 60, int(h / 60) % 12 + 1, int(h / 720) % 28 + 1)
    g = (h % 11 < 5) ? "女" : ((h % 11 < 10) ? "男" : "")
    card = sprintf("OLD%07d", i)
    points = (h % 4 == 0) ? 0 : int(h / 7) % 5000
    sv = (h % 10 == 0) ? sprintf("%d.%02d", int(h / 13) % 2000, h % 100) : ""
    sms = (h % 2 == 0) ? "是" : "否"
    notes = (h % 50 == 0) ? "\"老顾客, 喜欢历史书\"" : ""
    joined = sprintf("20%02d-%02d-%02d", 15 + int(h / 17) % 10, int(h / 19) % 12 + 1, int(h / 23) % 28 + 1)
    printf "%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s\n", phone, name, email, bday, g, card, points, sv, sms, notes, joined
  }
}' >"$CSV"
CSV_BYTES=$(wc -c <"$CSV")

# --- import ------------------------------------------------------------------------------------
DB="$DIR/bench.db"
"$BINARY" demo --db "$DB" >/dev/null || die "shuyou demo failed"
echo "bench: importing (shuyou import members, timed with /usr/bin/time -v)"
/usr/bin/time -v -o "$DIR/time.txt" "$BINARY" import members "$CSV" --db "$DB" >"$DIR/import.txt" 2>"$DIR/import.err" ||
  { cat "$DIR/import.err" "$DIR/time.txt" >&2; die "shuyou import members failed"; }
head -n 1 "$DIR/import.txt"
IMPORT_S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$DIR/time.txt")
IMPORT_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$DIR/time.txt")
IMPORT_CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$DIR/time.txt")
IMPORTED=$(sed -n 's/.* \([0-9]*\) imported,.*/\1/p' "$DIR/import.txt" | head -n1)
EXPECTED=$((MEMBERS - MEMBERS / 1000))
[ "${IMPORTED:-0}" -ge "$EXPECTED" ] || die "imported ${IMPORTED:-?} members, expected at least $EXPECTED"
"$BINARY" check --db "$DB" >"$DIR/check.txt" || { cat "$DIR/check.txt" >&2; die "shuyou check found mismatches after the import"; }
# A second run of the same file adds nothing.
/usr/bin/time -v -o "$DIR/time2.txt" "$BINARY" import members "$CSV" --db "$DB" >"$DIR/import2.txt" 2>&1 ||
  die "the second import failed"
REPEAT_S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$DIR/time2.txt")
grep -q ' 0 imported,' "$DIR/import2.txt" || { head -n1 "$DIR/import2.txt" >&2; die "the second import added members"; }

# --- lookup ------------------------------------------------------------------------------------
KEY=$("$BINARY" admin create-api-key --db "$DB" --name bench --role cashier 2>/dev/null) ||
  die "shuyou admin create-api-key failed"
# 20,000 queries over the imported rows: full phones, national phones with dashes, Shuyou card
# numbers (8601 + id + Luhn; ids 1..imported) and old card numbers, in a fixed shuffled order.
awk -v n="$MEMBERS" -v ids="$IMPORTED" 'BEGIN {
  split("35 36 37 38 39 50 51 52 58 59 86 87 88 89 77 99", pre, " ")
  for (k = 0; k < 20000; k++) {
    i = (k * 48271 + 11) % n + 1
    if (i % 1000 == 500) i++
    kind = k % 4
    if (kind == 0) { printf "%%2B861%s%08d\n", pre[i % 16 + 1], (i * 7919 + 1234) % 100000000; continue }
    if (kind == 1) { d = sprintf("%08d", (i * 7919 + 1234) % 100000000); printf "1%s-%s-%s\n", pre[i % 16 + 1], substr(d, 1, 4), substr(d, 5, 4); continue }
    if (kind == 2) { printf "OLD%07d\n", i; continue }
    id = (k * 69621 + 7) % ids + 1
    body = sprintf("8601%08d", id); sum = 0; dbl = 1
    for (p = length(body); p >= 1; p--) { d = substr(body, p, 1) + 0; if (dbl) { d *= 2; if (d > 9) d -= 9 } sum += d; dbl = !dbl }
    printf "%s%d\n", body, (10 - sum % 10) % 10
  }
}' >"$DIR/queries.txt"
cat >"$DIR/lookup.lua" <<LUA
-- Written by bench/members/run.sh: GET /api/v1/members?q=<query>, rotating through queries.txt.
local queries = {}
for line in io.lines("$DIR/queries.txt") do queries[#queries + 1] = line end
local i = 0
-- BENCH_DELAY_MS paces each connection (the paced run below); 0 sends as fast as answers come.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
function delay() return pause end
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/members?limit=10&q=" .. queries[i])
end
LUA

SHUYOU_LOG_LEVEL=warn "$BINARY" serve --db "$DB" --listen 127.0.0.1:0 --static-dir "$DIR" --jobs off \
  >"$DIR/shuyou.out" 2>"$DIR/shuyou.err" &
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
AUTH="Authorization: Bearer $KEY"
# Every kind of query finds exactly one member.
for q in $(sed -n '1,8p' "$DIR/queries.txt"); do
  body=$(curl -s -H "$AUTH" "$BASE/api/v1/members?limit=10&q=$q")
  found=$(printf '%s' "$body" | grep -o '"card_number"' | wc -l)
  [ "$found" = 1 ] || die "q=$q found $found members: $body"
done

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
args=(-t"$WRK_THREADS" -c"$CONNECTIONS" --latency -H "$AUTH" -s "$DIR/lookup.lua")
echo "bench: lookup: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
wrk_wait "${args[@]}" -d"$WARMUP" "$BASE" >/dev/null || die "wrk failed"
wrk_wait "${args[@]}" -d"$DURATION" "$BASE" >"$DIR/wrk.txt" || die "wrk failed"
if grep -q 'Non-2xx or 3xx responses' "$DIR/wrk.txt"; then cat "$DIR/wrk.txt" >&2; die "some lookups did not answer 2xx"; fi
# Paced: the same connections, each pausing so that together they send about half the rate
# measured above: latency under concurrent load rather than queueing at saturation.
HALF_DELAY=$(awk -v c="$CONNECTIONS" -v r="$(awk '/^Requests\/sec:/ {print $2}' "$DIR/wrk.txt")" \
  'BEGIN { d = c * 1000 / (r / 2) * 0.92; printf "%d", (d < 1 ? 1 : d) }')
echo "bench: lookup: paced to about half that rate, each connection pausing $HALF_DELAY ms"
BENCH_DELAY_MS=$HALF_DELAY wrk_wait "${args[@]}" -d"$DURATION" "$BASE" >"$DIR/wrk-half.txt" || die "wrk failed"
if grep -q 'Non-2xx or 3xx responses' "$DIR/wrk-half.txt"; then cat "$DIR/wrk-half.txt" >&2; die "some lookups did not answer 2xx"; fi
HALF_RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk-half.txt")
HALF_P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$DIR/wrk-half.txt")")
HALF_P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk-half.txt")")
# The floor: GET /healthz (no database, no auth) from the same server under the same load. On
# a shared or busy machine its p99 shows how much of the lookup's tail is scheduling noise.
wrk_wait -t"$WRK_THREADS" -c"$CONNECTIONS" --latency -d"$DURATION" "$BASE/healthz" >"$DIR/wrk-healthz.txt" || die "wrk failed"
H_P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk-healthz.txt")")
H_RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk-healthz.txt")
RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$DIR/wrk.txt")
P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$DIR/wrk.txt")")
P90=$(to_ms "$(awk '$1 == "90%" {print $2}' "$DIR/wrk.txt")")
P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$DIR/wrk.txt")")
[ -n "$RPS" ] || { cat "$DIR/wrk.txt" >&2; die "cannot read wrk's output"; }

# --- report ------------------------------------------------------------------------------------
verdict() { awk -v a="$1" -v t="$2" 'BEGIN { print (a + 0 < t + 0 ? "PASS" : "FAIL") }'; }
V_TIME=$(verdict "$IMPORT_S" "$IMPORT_TARGET_S")
V_MEM=$(verdict "$IMPORT_MB" "$IMPORT_TARGET_MB")
V_P99=$(verdict "$HALF_P99" "$LOOKUP_TARGET_P99_MS")
V_P99_SAT=$(verdict "$P99" "$LOOKUP_TARGET_P99_MS")
CPU=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
{
  echo "Shuyou member benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores${CPU:+ ($CPU)}; load average before the run: $LOAD_BEFORE"
  echo "shuyou: $BINARY on SQLite"
  echo
  echo "import: $MEMBERS rows, $((CSV_BYTES / 1048576)) MiB of CSV: $IMPORTED imported in ${IMPORT_S} s (CPU ${IMPORT_CPU} s), peak RSS ${IMPORT_MB} MB"
  echo "  time < ${IMPORT_TARGET_S} s: $V_TIME; memory < ${IMPORT_TARGET_MB} MB: $V_MEM; the same file again: 0 imported in ${REPEAT_S} s"
  echo "lookup: GET /api/v1/members?q=<phone|card> (API key), wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, 20,000 rotating queries"
  echo "  saturated (each connection sends as soon as it has its answer): $RPS requests/s, p50 ${P50} ms, p90 ${P90} ms, p99 ${P99} ms (< ${LOOKUP_TARGET_P99_MS} ms: $V_P99_SAT)"
  echo "  paced to about half that rate ($HALF_RPS requests/s from $CONNECTIONS connections): p50 ${HALF_P50} ms, p99 ${HALF_P99} ms"
  echo "  p99 < ${LOOKUP_TARGET_P99_MS} ms under that concurrent load: $V_P99"
  echo "  floor, GET /healthz the same way: $H_RPS requests/s, p99 ${H_P99} ms"
} | tee "$DIR/report.txt"
mkdir -p "$(dirname "$OUT")"
cp "$DIR/report.txt" "$OUT"
if [ "$V_TIME$V_MEM$V_P99" != PASSPASSPASS ]; then
  echo
  echo "********************************************************************************"
  echo "bench: TARGET MISSED (see above)"
  echo "********************************************************************************"
fi
echo "bench: results written to $OUT"
