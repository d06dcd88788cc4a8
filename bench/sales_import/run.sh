#!/usr/bin/env bash
# Sales history import benchmark (issue 5): `shuyou import sales FILE` of a generated CSV of
# BENCH_ROWS (500,000) rows into a fresh demo database (`shuyou demo --months 0`: the DEMO store,
# its owner and catalog, no sales), timed with /usr/bin/time -v. Target: under 60 s wall clock.
# The CSV is deterministic (Python's random with a fixed seed): receipts of 1–3 lines in time
# order over 24 months (09:00–21:59), 60 % of them with one of ~80,000 customers' phones, products
# from ~40,000 valid ISBN-13s with a long tail (some of them the demo catalog's, found, the rest
# created), and about 1 receipt in 100 a return of one unit of a line a customer bought before.
# The run then imports the same file again (everything skipped) and runs `shuyou check`.
# Use a release build: cmake --preset release && cmake --build --preset release --target shuyou.
# Environment: SHUYOU_BINARY (build/shuyou), BENCH_ROWS (500000), BENCH_KEEP_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BINARY=${SHUYOU_BINARY:-build/shuyou}
ROWS=${BENCH_ROWS:-500000}
TARGET_S=60
die() { echo "bench: $*" >&2; exit 1; }
case "$BINARY" in /*) ;; *) BINARY="$ROOT/$BINARY" ;; esac
[ -x "$BINARY" ] || die "no shuyou binary at $BINARY (cmake --preset release && cmake --build --preset release --target shuyou)"
[ -x /usr/bin/time ] || die "missing /usr/bin/time (Debian package time)"
command -v python3 >/dev/null || die "missing python3"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuyou-bench-sales-import.XXXXXX")
cleanup() { if [ -n "${BENCH_KEEP_DIR:-}" ]; then echo "bench: kept $DIR"; else rm -rf "$DIR"; fi; }
trap cleanup EXIT
DB=$DIR/shuyou.db
CSV=$DIR/history.csv
export SHUYOU_TIMEZONE=${SHUYOU_TIMEZONE:-Asia/Shanghai}

"$BINARY" --db "$DB" demo --months 0 >/dev/null
CATALOG=$(python3 - "$DB" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(",".join(r[0] for r in con.execute("SELECT barcode FROM products WHERE isbn13 IS NOT NULL ORDER BY id LIMIT 100")))
PY
)

python3 - "$CSV" "$ROWS" "$CATALOG" <<'PY'
import random, sys, datetime
out, rows, catalog = sys.argv[1], int(sys.argv[2]), [c for c in sys.argv[3].split(",") if c]
rng = random.Random(20261128)
def isbn(n):
    body = "9787" + "%08d" % n
    s = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - s % 10) % 10)
products = catalog + [isbn(10_000_000 + i * 7) for i in range(40_000)]
titles = ["活着", "三体", "围城", "边城", "红楼梦", "平凡的世界", "Norwegian Wood", "百年孤独", "小王子", "人类简史"]
prices = ["%d.%02d" % (p // 100, p % 100) for p in range(990, 12990, 37)]
def pick_product():
    # a long tail: a few titles sell a lot
    return min(int(rng.paretovariate(1.1)) - 1, len(products) - 1) if rng.random() < 0.5 else rng.randrange(len(products))
phones = ["1%d%08d" % (rng.choice([38, 39, 58, 59, 86, 87, 88, 35]), (i * 7919 + 1234) % 100_000_000) for i in range(80_000)]
start = datetime.datetime(2024, 11, 1)
days = 730
per_day = max(1, rows // 2 // days + 1)
recent = []  # (phone, product, price) bought lately
n = 0
receipt = 0
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("\ufeff小票号,销售时间,会员手机,ISBN,书名,数量,单价\r\n")
    day = 0
    while n < rows:
        d = start + datetime.timedelta(days=min(day, days - 1))
        for _ in range(per_day):
            if n >= rows:
                break
            receipt += 1
            t = d + datetime.timedelta(minutes=rng.randrange(9 * 60, 22 * 60))
            when = t.strftime("%Y-%m-%d %H:%M")
            no = "R%08d" % receipt
            if recent and rng.random() < 0.01 and recent[0][3] < day:
                k = rng.randrange(len(recent))
                while recent[k][3] >= day:  # bought on an earlier day: the return comes after the sale
                    k -= 1
                phone, p, price, _ = recent.pop(k)
                f.write(f"{no},{when},{phone},{products[p]},{titles[p % len(titles)]},-1,{price}\r\n")
                n += 1
                continue
            phone = phones[rng.randrange(len(phones))] if rng.random() < 0.6 else ""
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3])):
                if n >= rows:
                    break
                p = pick_product()
                price = prices[p % len(prices)]
                f.write(f"{no},{when},{phone},{products[p]},{titles[p % len(titles)]},{rng.choice([1, 1, 1, 2])},{price}\r\n")
                n += 1
                if phone:
                    recent.append((phone, p, price, day))
                    if len(recent) > 2000:
                        recent.pop(0)
        day += 1
PY
echo "bench: $(($(wc -l <"$CSV") - 1)) rows, $(du -h "$CSV" | cut -f1) in $CSV"

run() {
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
  /usr/bin/time -v "$BINARY" --db "$DB" import sales "$CSV" --store DEMO "$@" >"$DIR/out.txt" 2>"$DIR/time.txt" || {
    cat "$DIR/out.txt" "$DIR/time.txt" >&2
    die "import failed"
  }
  head -4 "$DIR/out.txt"
  WALL=$(grep "Elapsed (wall clock)" "$DIR/time.txt" | awk '{print $NF}')
  RSS=$(grep "Maximum resident set size" "$DIR/time.txt" | awk '{print $NF}')
  SECS=$(echo "$WALL" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  USER_S=$(grep "User time (seconds)" "$DIR/time.txt" | awk '{print $NF}')
  SYS_S=$(grep "System time (seconds)" "$DIR/time.txt" | awk '{print $NF}')
  CPU_S=$(awk -v u="$USER_S" -v s="$SYS_S" 'BEGIN { printf "%.1f", u + s }')
  echo "bench: wall ${WALL} (${SECS} s), CPU ${CPU_S} s (user ${USER_S} + sys ${SYS_S}), peak RSS $((RSS / 1024)) MB"
  echo "bench: load average before: ${LOAD_BEFORE} (on a shared machine the wall clock includes waiting for a CPU)"
}
echo "== first import"
run
FIRST=$SECS
echo "== the same file again (every receipt skipped)"
run
echo "== shuyou check"
"$BINARY" --db "$DB" check | tail -3 || die "shuyou check found problems"
if awk -v s="$FIRST" -v t="$TARGET_S" 'BEGIN { exit !(s < t) }'; then
  echo "bench: PASS: ${ROWS} rows in ${FIRST} s (target < ${TARGET_S} s)"
else
  echo "bench: MISSED: ${ROWS} rows in ${FIRST} s (target < ${TARGET_S} s)"
fi
