# SPDX-License-Identifier: GPL-2.0-or-later
#
# libFuzzer targets over the library's parsers and walkers (fuzz/<t>.c,
# seeds and regression inputs in fuzz/corpus/<t>/; TESTING.md has the
# campaign). Built with clang and -fsanitize=fuzzer,address,undefined from
# the library sources directly, into $(O)/fuzz.
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS=...]   fuzz each target N s
#   make fuzz-merge      minimize the corpus with what `make fuzz` found
#   make fuzz-replay     what CI runs: the corpus, then a fixed-seed pass
#   make fuzz-seeds      regenerate the seed inputs from the fixtures
#
# `make check` runs tests/robust/fuzz-replay.t, so the fuzz group is part
# of DEPS_GROUPS and the binaries are test dependencies of the full run.

DEPS_GROUPS += fuzz

FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
# fixed-seed runs per target in the CI replay (tests/robust/fuzz-replay.t
# uses 4000 unless FUZZ_RUNS is in its environment)
FUZZ_RUNS ?= 4000
FUZZ_ALL := $(sort $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_DIR := $(O)/fuzz
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_ALL))
FUZZ_LIB_SRCS := $(sort $(wildcard lib/*.c))
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ_DIR)/lib/%.o,$(FUZZ_LIB_SRCS))
FUZZ_SAN := address,undefined
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer $(WARN) \
	-D_GNU_SOURCE -DKHOTOOLS_VERSION='"$(VERSION)"' -Ilib \
	-fno-sanitize-recover=all \
	$(shell pkg-config --cflags libfdt libkdumpfile 2>/dev/null)
FUZZ_LIBS := -lfdt -lkdumpfile -lz

# Per-target input bounds: large enough for a small tree of 4 KiB pages.
FUZZ_MAXLEN_fdt := 8192
FUZZ_MAXLEN_walk_v2 := 131080
FUZZ_MAXLEN_walk_v1 := 131080
FUZZ_MAXLEN_raw := 4096
FUZZ_MAXLEN_elf := 262144
FUZZ_MAXLEN_blob := 262156
FUZZ_MAXLEN_luo := 266248
# The committed corpus keeps its seeds and crash inputs whole, and takes
# from campaigns only inputs up to this size (10 or 16 pages of memory),
# so that it stays a few MiB: the coverage that needs larger images is the
# seeds' (TESTING.md).
FUZZ_MERGE_MAXLEN_walk_v2 := 65544
FUZZ_MERGE_MAXLEN_walk_v1 := 40968
FUZZ_MERGE_MAXLEN_elf := 65536
FUZZ_MERGE_MAXLEN_blob := 65548
FUZZ_MERGE_MAXLEN_luo := 40968
# Allocation is bounded: one allocation above 64 MiB, or 1 GiB resident,
# is a finding.
FUZZ_OPTS = -max_len=$(or $(FUZZ_MAXLEN_$(1)),8192) -malloc_limit_mb=64 \
	-rss_limit_mb=1024 -timeout=10 -print_final_stats=1

$(FUZZ_DIR)/lib/%.o: lib/%.c lib/*.h mk/fuzz.mk
	$(call msg,FUZZCC,$@)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_DIR)/%: fuzz/%.c fuzz/*.h $(FUZZ_LIB_OBJS)
	$(call msg,FUZZLD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_LIB_OBJS) $(FUZZ_LIBS)

# The replay suite needs the fuzz binaries; check-fast does not run it.
ifeq ($(TESTS_TO_RUN),all)
TEST_DEPS += $(FUZZ_BINS)
endif
SLOW_TESTS += tests/robust/fuzz-replay.t

.PHONY: fuzz fuzz-build fuzz-merge fuzz-replay fuzz-seeds
fuzz-build: $(FUZZ_BINS)

# New inputs go to $(O)/fuzz/work/<t> (read with the committed corpus);
# crashes to $(O)/fuzz/artifacts/. Each run's log (libFuzzer's final
# stats and the CPU time used) is also appended to logs/<t>.history, for
# the campaign record in TESTING.md.
define FUZZ_RULES
.PHONY: fuzz-run-$(1) fuzz-merge-$(1)
fuzz-run-$(1): $(FUZZ_DIR)/$(1)
	$(Q)mkdir -p $(FUZZ_DIR)/work/$(1) $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/logs
	@echo "  FUZZ     $(1) for $(FUZZ_SECONDS) s"
	$(Q)set +e; $(FUZZ_DIR)/$(1) $(call FUZZ_OPTS,$(1)) \
		-max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/$(1)- \
		$(FUZZ_DIR)/work/$(1) fuzz/corpus/$(1) \
		>$(FUZZ_DIR)/logs/$(1).log 2>&1; rc=$$$$?; \
		times >$(FUZZ_DIR)/logs/$(1).times; \
		echo "cpu (user system): $$$$(tail -1 $(FUZZ_DIR)/logs/$(1).times)" \
			>>$(FUZZ_DIR)/logs/$(1).log; \
		cat $(FUZZ_DIR)/logs/$(1).log >>$(FUZZ_DIR)/logs/$(1).history; \
		[ $$$$rc -eq 0 ] || { tail -40 $(FUZZ_DIR)/logs/$(1).log; exit 1; }
	$(Q)grep -E '^#[0-9]+.*cov:' $(FUZZ_DIR)/logs/$(1).log | tail -1
	$(Q)grep -E '^stat::|^cpu' $(FUZZ_DIR)/logs/$(1).log

fuzz-merge-$(1): $(FUZZ_DIR)/$(1)
	$(Q)rm -rf $(FUZZ_DIR)/merged/$(1) && mkdir -p $(FUZZ_DIR)/merged/$(1) \
		$(FUZZ_DIR)/work/$(1) $(FUZZ_DIR)/logs
	$(Q)$(FUZZ_DIR)/$(1) $(call FUZZ_OPTS,$(1)) \
		$(if $(FUZZ_MERGE_MAXLEN_$(1)),-max_len=$(FUZZ_MERGE_MAXLEN_$(1))) \
		-merge=1 $(FUZZ_DIR)/merged/$(1) fuzz/corpus/$(1) $(FUZZ_DIR)/work/$(1) \
		>$(FUZZ_DIR)/logs/$(1)-merge.log 2>&1
	$(Q)cd fuzz/corpus/$(1) && for f in *; do \
		case $$$$f in seed-*|crash-*) ;; *) rm -f "$$$$f" ;; esac; \
	done
	$(Q)for f in $(FUZZ_DIR)/merged/$(1)/*; do \
		[ -e fuzz/corpus/$(1)/$$$${f##*/} ] || cp $$$$f fuzz/corpus/$(1)/; \
	done
	@echo "  MERGE    $(1): $$$$(ls fuzz/corpus/$(1) | wc -l) inputs, $$$$(du -sh --apparent-size fuzz/corpus/$(1) | cut -f1)"
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_RULES,$(t))))

fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))
fuzz-merge: $(addprefix fuzz-merge-,$(FUZZ_TARGETS))

fuzz-replay: fuzz-build
	$(Q)FUZZ_RUNS=$(FUZZ_RUNS) KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) \
		tests/run-tap.sh tests/robust/fuzz-replay.t

fuzz-seeds: $(O)/tests/gen/mkkhoimg $(O)/tests/khodump/mkkhodump
	$(Q)fuzz/mkseeds.sh $(O)/tests/gen/mkkhoimg $(O)/tests/khodump/mkkhodump

EXTRA_HELP += fuzz fuzz-merge fuzz-replay
