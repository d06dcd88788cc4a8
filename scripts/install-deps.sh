#!/usr/bin/env bash
# Installs what building, running and testing Shuyou needs, from Debian's packages and
# the npm registry. Idempotent: when everything is present it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config ccache git curl ca-certificates tzdata openssl
  libboost-dev libssl-dev libsqlite3-dev sqlite3 libpq-dev
  nlohmann-json3-dev libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libphonenumber-dev libqrencode-dev libxlsxwriter-dev libzip-dev libexpat1-dev libpng-dev libhpdf-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib
  nodejs npm chromium
  wrk nginx-light
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node may come from elsewhere than Debian's nodejs package; accept any node >= 18 with npm
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
clean=()
for p in "${missing[@]}"; do [ -n "$p" ] && clean+=("$p"); done

if [ ${#clean[@]} -gt 0 ]; then
  echo "install-deps: installing ${clean[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${clean[@]}" >/dev/null
  # The nginx package starts a system service; Shuyou only runs its own instances.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi
  $SUDO pkill -f 'nginx: master process /usr/sbin/nginx' >/dev/null 2>&1 || true
fi

# The front end's tools (Vite 7) need Node.js 20.19 or newer.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then
  echo "install-deps: Node.js $(node --version) is too old: the web front end needs Node.js 20.19 or newer" >&2
  echo "install-deps: (Debian 12's nodejs package is 18.x; install Node.js 20+ and run make again)" >&2
  exit 1
fi

# Front-end packages: installed when package-lock.json changed since the last install.
if [ -f web/package.json ]; then
  stamp=web/node_modules/.install-stamp
  if [ ! -f "$stamp" ] || [ web/package-lock.json -nt "$stamp" ] || [ web/package.json -nt "$stamp" ]; then
    echo "install-deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
fi
echo "install-deps: ok"
