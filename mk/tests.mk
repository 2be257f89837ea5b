# SPDX-License-Identifier: GPL-2.0-or-later
# Library unit tests (C, TAP) and CLI golden tests (shell, TAP).

UNIT_TESTS := codec walk sinks spans blocks
UNIT_BINS := $(addprefix $(O)/tests/unit/test_,$(UNIT_TESTS))
TEST_DEPS += $(UNIT_BINS)
FAST_TESTS += $(UNIT_BINS) $(sort $(wildcard tests/cli/*.t))

$(O)/tests/unit/test_%: tests/unit/test_%.c tests/tap.h tests/unit/sim_tree.h $(LIB_A) | $(O)/tests/unit/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(LIB_LIBS)
