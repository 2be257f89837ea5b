# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make bench`: installs what it needs (scripts/deps/bench.txt), builds the
# tools without sanitizers and the benchmark programs in $(O)/bench, and
# runs bench/bench.py, which prints every table (bench/README.md).
# BENCH_ARGS=--quick for a smaller run; --only reader|kernel|meta|owners|scan;
# --scan-size SIZE for the dumps `khodump --scan` reads (default 4G; the
# figures in bench/README.md are at 16G). `make bench-scan` runs only that.

BENCH_DIR := $(O)/bench
BENCH_CFLAGS = $(ALL_CFLAGS)
BENCH_BINS := $(BENCH_DIR)/mkbenchtree $(BENCH_DIR)/floor $(BENCH_DIR)/metacost \
	$(BENCH_DIR)/kbench $(BENCH_DIR)/readfloor
BENCH_KP := kernel-patch
BENCH_KCFLAGS = $(ALL_CFLAGS) -I$(BENCH_KP)/harness/shim -I$(BENCH_KP)/src/include \
	-I$(BENCH_KP)/harness
BENCH_KHDRS := $(wildcard $(BENCH_KP)/harness/*.h $(BENCH_KP)/harness/shim/*.h \
	$(BENCH_KP)/harness/shim/*/*.h) $(shell find $(BENCH_KP)/src/include -name '*.h' 2>/dev/null)

$(BENCH_DIR)/%: bench/%.c mk/bench.mk | $(BENCH_DIR)/
	$(call msg,CC,$@)$(CC) $(BENCH_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

# The tree and the ELF core from the tests' own writer (tests/gen/khoimg.h).
$(BENCH_DIR)/mkbenchtree: bench/mkbenchtree.c tests/gen/khoimg.c tests/gen/khoimg.h \
		mk/bench.mk | $(BENCH_DIR)/
	$(call msg,CC,$@)$(CC) $(BENCH_CFLAGS) -o $@ $< tests/gen/khoimg.c $(ALL_LDFLAGS)

$(BENCH_DIR)/readfloor: bench/readfloor.c mk/bench.mk | $(BENCH_DIR)/
	$(call msg,CC,$@)$(CC) $(BENCH_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lz

# The kernel file unmodified, over the harness's shim headers (mk/kernel.mk).
$(BENCH_DIR)/kbench: bench/kbench.c $(BENCH_KP)/src/lib/kho_radix_tree.c \
		$(BENCH_KP)/harness/sim_mem.c $(BENCH_KHDRS) mk/bench.mk | $(BENCH_DIR)/
	$(call msg,CC,$@)$(CC) $(BENCH_KCFLAGS) -o $@ bench/kbench.c \
		$(BENCH_KP)/src/lib/kho_radix_tree.c $(BENCH_KP)/harness/sim_mem.c $(ALL_LDFLAGS)

.PHONY: bench bench-build bench-scan
bench-build: $(BENCH_BINS) $(O)/tools/khowalk $(O)/tools/khodump $(O)/tests/gen/mkkhoimg

bench:
	$(Q)scripts/install-deps.sh build bench
	$(Q)$(MAKE) --no-print-directory SAN= bench-build
	$(Q)/usr/bin/python3 bench/bench.py --build $(O) $(BENCH_ARGS)

bench-scan:
	$(Q)$(MAKE) --no-print-directory bench BENCH_ARGS="--only scan $(BENCH_ARGS)"

EXTRA_HELP += bench

# The 7.x series' radix code against upstream's, natively (mk/kernel.mk,
# bench/radix7.c; figures in kernel-patch/v7/README.md).
.PHONY: bench-radix7
bench-radix7: kernel7-bench
