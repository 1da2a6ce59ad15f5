# Thin front of the meson build. `make run` and `make test` work on a fresh
# Debian machine: scripts/deps.sh installs what is missing first.
BUILD      ?= build
TESTBUILD  ?= build-test
TSANBUILD  ?= build-tsan
MESON_OPTS ?=

.PHONY: all deps build run test unit integration bench format clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized $(MESON_OPTS)

# scripts/vendor.sh copies the API reference's renderer (npm) into web/static.
build: deps $(BUILD)/build.ninja
	scripts/vendor.sh
	ninja -C $(BUILD)

run: build
	$(BUILD)/wlportal serve --demo

# Tests build with AddressSanitizer + UBSan in their own directory.
$(TESTBUILD)/build.ninja:
	meson setup $(TESTBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false $(MESON_OPTS)

# The concurrency tests also run under ThreadSanitizer, built with clang.
$(TSANBUILD)/build.ninja:
	CC=clang meson setup $(TSANBUILD) --buildtype=debug -Db_sanitize=thread -Db_lundef=false $(MESON_OPTS)

test:
	@scripts/deps.sh test
	scripts/format.sh --check
	@# make bench's measurement copy: its patch must still apply to this tree
	patch --dry-run -s -f -p1 <tests/bench/ceiling.patch
	scripts/vendor.sh
	@$(MAKE) --no-print-directory $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	@# the optimized build sees warnings -O0 does not; it must build too
	@$(MAKE) --no-print-directory $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@$(MAKE) --no-print-directory $(TSANBUILD)/build.ninja
	ninja -C $(TSANBUILD) wlportal
	scripts/test.sh $(TESTBUILD) $(TSANBUILD)

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	MESON_OPTS="$(MESON_OPTS)" scripts/bench.sh $(BUILD)

# The house style is mechanical: .clang-format; make test fails on a file
# that differs from it.
format:
	@scripts/deps.sh test
	scripts/format.sh

clean:
	rm -rf $(BUILD) $(TESTBUILD) $(TSANBUILD)
