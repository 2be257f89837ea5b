# SPDX-License-Identifier: GPL-2.0-or-later
#
# Test fixture generator (tests/gen): mkkhoimg, the independent KHO writer,
# and kdfcheck, which reads its dumps back through libkdumpfile. Neither
# links anything from lib/ (DESIGN.md §4).

GEN_DIR := $(O)/tests/gen
GEN_MKKHOIMG := $(GEN_DIR)/mkkhoimg
GEN_KDFCHECK := $(GEN_DIR)/kdfcheck
GEN_KDF_CFLAGS := $(shell pkg-config --cflags libkdumpfile 2>/dev/null)
GEN_KDF_LIBS := $(shell pkg-config --libs libkdumpfile 2>/dev/null || echo -lkdumpfile)

# The shared test-data writer (tree encoder, ELF core writer) that the
# generators of the tests and the benchmark link; like them, no lib/.
GEN_KHOIMG := tests/gen/khoimg.c tests/gen/khoimg.h

$(GEN_MKKHOIMG): tests/gen/mkkhoimg.c $(GEN_KHOIMG) mk/gen.mk
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< tests/gen/khoimg.c $(ALL_LDFLAGS) -lfdt -lz

$(GEN_KDFCHECK): tests/gen/kdfcheck.c mk/gen.mk
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(GEN_KDF_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(GEN_KDF_LIBS)

TEST_DEPS += $(GEN_MKKHOIMG) $(GEN_KDFCHECK)
FAST_TESTS += tests/gen/golden.t tests/gen/selfcheck.t

.PHONY: gen
gen: $(GEN_MKKHOIMG) $(GEN_KDFCHECK)
