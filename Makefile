# Shuyou: the two commands are `make run` and `make test` (see README.md).
# build: the server (build/shuyou) and the web front end (web/dist); installs what is missing first.
.PHONY: deps build build-server build-web build-asan run test test-asan test-release bench clean

# ccache: reuse objects across clones of the repository (CI builds in a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

DB ?= data/shuyou.db
LISTEN ?= 127.0.0.1:8080
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)

deps:
	@bash scripts/install-deps.sh

build: deps build-server build-web

build-server:
	@cmake --preset release >/dev/null
	@cmake --build --preset release

build-web: web/dist/index.html

web/dist/index.html: $(WEB_SOURCES) web/package-lock.json
	@cd web && npm run build --silent
	@touch web/dist/index.html

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan --target unit_tests integration_tests shuyou

run: build
	@./build/shuyou demo --db $(DB) --members 2000
	@echo "Open http://$(LISTEN) and sign in as owner / shuyou-demo"
	@./build/shuyou serve --db $(DB) --listen $(LISTEN)

# Every test: unit and both databases under AddressSanitizer+UBSan, then the release build with
# the browser tests. ctest's closing line is the verdict.
test: build build-asan test-asan test-release

test-asan:
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -E browser

test-release:
	@ctest --preset release

bench: build
	@bash bench/http/run.sh
	@bash bench/members/run.sh
	@bash bench/checkout/run.sh

clean:
	rm -rf build build-debug build-asan web/dist
