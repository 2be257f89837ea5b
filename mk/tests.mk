# SPDX-License-Identifier: GPL-2.0-or-later
# Library unit tests (C, TAP) and CLI golden tests (shell, TAP).

UNIT_TESTS := codec walk sinks spans blocks
UNIT_BINS := $(addprefix $(O)/tests/unit/test_,$(UNIT_TESTS))
TEST_DEPS += $(UNIT_BINS)
FAST_TESTS += $(UNIT_BINS) $(sort $(wildcard tests/cli/*.t)) tests/harness/run-tap.t

$(O)/tests/unit/test_%: tests/unit/test_%.c tests/tap.h tests/unit/sim_tree.h tests/gen/khoimg.h $(LIB_A) | $(O)/tests/unit/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(LIB_LIBS)

# The exit-status mapping of tools/common.c.
$(O)/tests/cli/test_exits: tests/cli/test_exits.c $(O)/tools/common.o tests/tap.h \
		$(LIB_A) | $(O)/tests/cli/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib -Itools $(ALL_LDFLAGS) -o $@ $< \
		$(O)/tools/common.o $(LIB_A) $(LIB_LIBS)
TEST_DEPS += $(O)/tests/cli/test_exits
FAST_TESTS += $(O)/tests/cli/test_exits

# The tools as functions, run again and again in one process (the crash
# extension's use): their objects without main(), as mk/crash.mk builds them.
$(O)/tests/cli/rerun-%.o: tools/%.c tools/*.h lib/radix_reader.h | $(O)/tests/cli/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -DKHO_TOOL_NO_MAIN -Ilib -c -o $@ $<
$(O)/tests/cli/test_rerun: tests/cli/test_rerun.c tests/tap.h \
		$(O)/tests/cli/rerun-khowalk.o $(O)/tests/cli/rerun-khodump.o \
		$(O)/tools/common.o $(O)/tools/lines.o $(O)/tools/map.o \
		$(O)/tools/preflight.o $(O)/tools/kimage.o $(LIB_A) | $(O)/tests/cli/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib -Itools $(ALL_LDFLAGS) -o $@ $< \
		$(filter %.o,$^) $(LIB_A) $(LIB_LIBS) $(KIMAGE_LIBS)
TEST_DEPS += $(O)/tests/cli/test_rerun
FAST_TESTS += $(O)/tests/cli/test_rerun
