# A thin front to CMake and the test harness. Every target installs what it
# needs first (tests/harness/setup.sh is idempotent and quick once done).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PORT       ?= 5000
VENV       := .tools/venv
PY         := $(VENV)/bin/python
SUITE      ?= tests/testdata/aws-sigv4-suite

.PHONY: all build setup test unit asan asan-build valgrind e2e demo emulator \
        sigv4-suite bench clean

all: build

setup:
	@tests/harness/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Everything: unit tests, the same under ASan+UBSan and valgrind, and the
# end-to-end suite against every CLI found, with the sanitized provider.
test: build unit asan valgrind e2e
	@echo "make test: all suites passed"

unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan-build: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCOSTOPS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

asan: asan-build
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

valgrind: build
	@tests/harness/valgrind.sh $(BUILD)

# The end-to-end suite drives the ASan+UBSan provider; any report it writes
# (invalid access, leak, undefined behaviour) fails the run.
E2E_LOGS := $(CURDIR)/$(ASAN_BUILD)/sanitizer-logs
e2e: asan-build
	@rm -rf $(E2E_LOGS) && mkdir -p $(E2E_LOGS)
	@ASAN_OPTIONS=log_path=$(E2E_LOGS)/asan:detect_leaks=1:fast_unwind_on_malloc=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/harness/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:log_path=$(E2E_LOGS)/ubsan \
	  COSTOPS_PROVIDER_DIR=$(CURDIR)/$(ASAN_BUILD) $(PY) -m pytest -q tests/e2e $(PYTEST_ARGS)
	@if [ -n "$$(ls $(E2E_LOGS))" ]; then echo "sanitizer reports:"; cat $(E2E_LOGS)/*; exit 1; fi

# The main job: build, start the emulator, apply examples/retail-mlops,
# show what it did and what it saves, destroy it.
demo: build
	@tests/harness/demo.sh $(BUILD)

# The AWS emulator (moto plus our faithful extensions) in the foreground.
emulator: setup
	@$(PY) tests/harness/emulator.py --port $(PORT)

# Checks every case of a SigV4 suite folder; non-zero on a mismatch.
sigv4-suite: build
	@$(BUILD)/sigv4-suite $(SUITE)

bench: build
	@tests/harness/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
