# SPDX-License-Identifier: GPL-2.0-or-later
# khodump: the tool, its test-data builder and its tests.
# The builder (tests/khodump/mkkhodump.c) writes KHO state into simulated
# memory from a text spec; it links libfdt only, never lib/ (DESIGN §4).

TOOLS += khodump

KHODUMP_TEST_DIR := $(O)/tests/khodump
KHODUMP_BUILDER := $(KHODUMP_TEST_DIR)/mkkhodump

$(KHODUMP_BUILDER): tests/khodump/mkkhodump.c mk/khodump.mk | $(KHODUMP_TEST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lfdt

TEST_DEPS += $(KHODUMP_BUILDER) $(O)/tools/khodump $(O)/tools/khowalk
FAST_TESTS += $(sort $(wildcard tests/khodump/*.t))

KHODUMP_KDFCMP := $(KHODUMP_TEST_DIR)/kdfcmp
$(KHODUMP_KDFCMP): tests/khodump/kdfcmp.c mk/khodump.mk | $(KHODUMP_TEST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lkdumpfile
TEST_DEPS += $(KHODUMP_KDFCMP)
