# AIRClass Live. Quick start: `make run` (a standalone node) and `make test` (every test).
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
FUZZ_DIR  ?= build-fuzz
FUZZ_RUNS ?= 10000000
FUZZ_MAX_SECONDS ?= 1800
CONFIG    ?= airclass.yml
JOBS      ?= $(shell nproc)
PYTHON    ?= /usr/bin/python3
FUZZ_SECONDS ?= 60
CMAKE_GEN  = -G Ninja

.PHONY: all setup setup-build build asan asan-configure fuzz fuzz-campaign tsan run install uninstall test test-unit test-e2e test-asan bench format check-format clean

all: build

setup:
	@bash scripts/setup.sh

setup-build:
	@bash scripts/setup.sh --build-only

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

# The sanitizer build is a clang build: the same objects serve the ASan+UBSan unit tests and
# the libFuzzer targets (cmake/airclass_fuzz.cmake). A directory configured otherwise (an older
# gcc build-asan) is made again.
ASAN_CONFIGURE = CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
  -DAIRCLASS_SANITIZE=ON -DAIRCLASS_FUZZ=ON -DAIRCLASS_WEB=OFF -DAIRCLASS_BENCH=OFF
asan-configure: setup-build
	@[ -f $(ASAN_DIR)/build.ninja ] && grep -qs '^AIRCLASS_FUZZ:BOOL=ON' $(ASAN_DIR)/CMakeCache.txt \
	  || { rm -rf $(ASAN_DIR) && $(ASAN_CONFIGURE); }

build: setup-build $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

asan: asan-configure
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Every libFuzzer target for FUZZ_SECONDS each, one after another, from tests/fuzz/corpus plus
# what earlier runs found (kept in $(ASAN_DIR)/fuzz-work/<name>/corpus). Fails on a crash, leak
# or hang; the input is kept beside the log in $(ASAN_DIR)/fuzz-work/<name>/.
fuzz: asan-configure
	cmake --build $(ASAN_DIR) -j $(JOBS) --target fuzzers
	@fail=0; for f in $(ASAN_DIR)/fuzz/*_fuzz; do \
	  tests/fuzz/run_fuzzer.sh $$f tests/fuzz/corpus/$$(basename $$f) $(ASAN_DIR)/fuzz-work \
	    $(FUZZ_SECONDS) --keep-corpus || fail=1; \
	done; exit $$fail

# The long campaign: every target to FUZZ_RUNS executions (at most FUZZ_MAX_SECONDS each), two
# at a time, on an optimized (-O1) ASan + UBSan fuzz-only build, corpora kept in
# $(FUZZ_DIR)/fuzz-work. bench/RESULTS.md records the figures. FUZZ_TARGETS picks some.
FUZZ_TARGETS ?= $(notdir $(wildcard tests/fuzz/corpus/*_fuzz))
fuzz-campaign: setup-build
	@[ -f $(FUZZ_DIR)/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DAIRCLASS_SANITIZE=ON \
	  -DAIRCLASS_FUZZ=ON -DAIRCLASS_WEB=OFF -DAIRCLASS_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers
	@echo $(FUZZ_TARGETS) | tr ' ' '\n' | xargs -P 2 -I{} env FUZZ_RUNS=$(FUZZ_RUNS) \
	  tests/fuzz/run_fuzzer.sh $(FUZZ_DIR)/fuzz/{} tests/fuzz/corpus/{} $(FUZZ_DIR)/fuzz-work \
	  $(FUZZ_MAX_SECONDS) --keep-corpus

# ThreadSanitizer, outside `make test` (its build and its slowed runs do not fit the 25 minutes):
# every unit test, then the server under the e2e smoke runs (RTMP in, WHEP and load clients
# out, the cluster, the cluster on Redis, TLS and a reverse proxy), all built with clang -fsanitize=thread. Run it before
# every submission. The pages the Redis cluster's browser plays come from the release build.
TSAN_SMOKE = e2e.test_(rtmp_ffmpeg|whep_client|load_smoke|cluster|cluster_redis|ice_tcp|tls|reverse_proxy)$$
tsan: setup build
	@[ -f $(TSAN_DIR)/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B $(TSAN_DIR) $(CMAKE_GEN) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRCLASS_TSAN=ON -DAIRCLASS_WEB=OFF -DAIRCLASS_BENCH=ON
	cmake --build $(TSAN_DIR) -j $(JOBS)
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest --test-dir $(TSAN_DIR) --output-on-failure -j $(JOBS) -L unit
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  AIRCLASS_WEB_ROOT=$(CURDIR)/$(BUILD_DIR)/web \
	  ctest --test-dir $(TSAN_DIR) --output-on-failure -R '$(TSAN_SMOKE)'
	@echo "make tsan: all suites passed"

run: setup build
	./$(BUILD_DIR)/src/app/airclass --config $(CONFIG)

# A plain Debian box (docs/deployment.md): `make build && sudo make install`, then
# `systemctl enable --now airclass`. Installs what `make build` made, never builds (not as root).
# The config is written only if absent, pointing at the installed pages; DESTDIR stages the
# files without touching users or systemd (packaging, tests/deploy).
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= /etc/systemd/system
install:
	@test -x $(AIRCLASS_BIN) -a -f $(BUILD_DIR)/web/index.html \
	  || { echo "make install: no $(AIRCLASS_BIN) or $(BUILD_DIR)/web: run make build first"; exit 1; }
	install -D -m 0755 $(AIRCLASS_BIN) $(DESTDIR)$(PREFIX)/bin/airclass
	rm -rf $(DESTDIR)$(PREFIX)/share/airclass/web
	install -d -m 0755 $(DESTDIR)$(PREFIX)/share/airclass $(DESTDIR)$(SYSCONFDIR)/airclass
	cp -R $(BUILD_DIR)/web $(DESTDIR)$(PREFIX)/share/airclass/web
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/airclass/web
	@[ -e $(DESTDIR)$(SYSCONFDIR)/airclass/airclass.yml ] \
	  && echo "make install: keeping $(DESTDIR)$(SYSCONFDIR)/airclass/airclass.yml" \
	  || { sed 's|^  webRoot: ""|  webRoot: $(PREFIX)/share/airclass/web|' $(CONFIG) \
	         > $(DESTDIR)$(SYSCONFDIR)/airclass/airclass.yml \
	       && chmod 0640 $(DESTDIR)$(SYSCONFDIR)/airclass/airclass.yml; }
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/|$(PREFIX)/|g; s|/etc/airclass/|$(SYSCONFDIR)/airclass/|g' \
	  deploy/systemd/airclass.service > $(DESTDIR)$(UNITDIR)/airclass.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/airclass.service
	@if [ -z "$(DESTDIR)" ]; then \
	  id -u airclass >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin airclass; \
	  chgrp airclass $(SYSCONFDIR)/airclass/airclass.yml; \
	  [ -d /run/systemd/system ] && systemctl daemon-reload || true; \
	  echo "make install: done; set the secrets (docs/deployment.md), then systemctl enable --now airclass"; \
	fi

# Leaves $(SYSCONFDIR)/airclass (the config and secrets) and the airclass user.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemctl disable --now airclass 2>/dev/null || true; fi
	rm -f $(DESTDIR)$(PREFIX)/bin/airclass $(DESTDIR)$(UNITDIR)/airclass.service
	rm -rf $(DESTDIR)$(PREFIX)/share/airclass
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# Every test: unit tests and end-to-end runs on the release build, then the unit tests and the
# malformed-input runs again under AddressSanitizer + UndefinedBehaviorSanitizer, and each
# fuzzer for a few seconds on its seed corpus (label fuzz).
test: setup build asan
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L e2e
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -L 'unit|asan|fuzz'
	@echo "make test: all suites passed"

test-unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

test-e2e: setup build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L e2e

# Every benchmark of bench/RESULTS.md, each printing its table (about 100 minutes; run it on a
# quiet machine and read medians and ratios).
AIRCLASS_BIN = $(BUILD_DIR)/src/app/airclass
bench: setup build
	./$(BUILD_DIR)/bench/egress_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	./$(BUILD_DIR)/bench/transcoder_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(PYTHON) bench/first_frame.py --server $(AIRCLASS_BIN) --gop 2 --runs 10
	$(PYTHON) bench/first_frame.py --server $(AIRCLASS_BIN) --gop 2 --runs 10 --no-audio
	$(PYTHON) bench/glass_to_glass.py --server $(AIRCLASS_BIN) --runs 3 --no-audio
	$(PYTHON) bench/glass_to_glass.py --server $(AIRCLASS_BIN) --runs 3 --publisher phone
	$(PYTHON) bench/glass_to_glass.py --server $(AIRCLASS_BIN) --runs 1
	$(PYTHON) bench/av_offset.py --server $(AIRCLASS_BIN) --runs 1
	$(PYTHON) bench/load.py --server $(AIRCLASS_BIN) --viewers 300 --seconds 20
	$(PYTHON) bench/abr_schedule.py --server $(AIRCLASS_BIN) --runs 3 --compare
	$(PYTHON) bench/abr_schedule.py --server $(AIRCLASS_BIN) --shared 3 --link-kbit 3600
	$(PYTHON) bench/load.py --server $(AIRCLASS_BIN) --join-storm 100 --viewers 100 --seconds 10
	$(PYTHON) bench/network_quality.py --server $(AIRCLASS_BIN)
	$(PYTHON) bench/transcode_cpu.py --tool $(BUILD_DIR)/bench/transcode_cpu --runs 5
	$(PYTHON) bench/glass_to_glass.py --server $(AIRCLASS_BIN) --runs 3 --no-audio --qualities source 480p 240p
	$(PYTHON) bench/first_frame.py --server $(AIRCLASS_BIN) --gop 2 --runs 12 --no-audio --cases source warm cold --quality 480p
	$(PYTHON) bench/first_frame.py --server $(AIRCLASS_BIN) --gop 2 --runs 12 --cases source warm cold --quality 480p

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

check-format:
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)
