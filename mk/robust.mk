# SPDX-License-Identifier: GPL-2.0-or-later
#
# Robustness suites (TESTING.md): the torn-read unit test, the
# regression tests of fuzzing findings, and the corruption catalogue
# (tests/robust/catalogue.t), which runs khowalk on one generated dump per
# corruption class and asserts exit code, exact message and bounded work.
# khowalk-counted is khowalk linked with a counting allocator
# (tests/robust/alloc_count.c) for the "bounded memory" assertions.

ROBUST_DIR := $(O)/tests/robust
ROBUST_UNIT := $(ROBUST_DIR)/test_torn $(ROBUST_DIR)/test_regress
ROBUST_COUNTED := $(ROBUST_DIR)/khowalk-counted
ROBUST_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	-Wl,--wrap=strdup,--wrap=strndup

$(ROBUST_DIR)/test_%: tests/robust/test_%.c tests/robust/sim.h tests/unit/sim_tree.h \
		tests/gen/khoimg.h tests/tap.h \
		$(LIB_A) | $(ROBUST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib $(ALL_LDFLAGS) -o $@ $< \
		$(LIB_A) $(LIB_LIBS)

# tools.mk is read after this file: name the shared tool object directly.
$(ROBUST_COUNTED): $(O)/tools/khowalk.o $(O)/tools/common.o $(O)/tools/lines.o $(LIB_A) \
		tests/robust/alloc_count.c | $(ROBUST_DIR)/
	$(call msg,LD,$@)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ROBUST_WRAP) -o $@ \
		tests/robust/alloc_count.c $(O)/tools/khowalk.o \
		$(TOOL_COMMON_OBJ) $(LIB_A) $(LIB_LIBS)

TEST_DEPS += $(ROBUST_UNIT) $(ROBUST_COUNTED) $(O)/tests/gen/mkkhoimg
FAST_TESTS += $(ROBUST_UNIT) tests/robust/catalogue.t tests/robust/luo-catalogue.t
