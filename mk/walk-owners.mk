# SPDX-License-Identifier: GPL-2.0-or-later
# khowalk owners and diff, and khodump's owners summary (tools/owners.c,
# tools/diff.c). Read after mk/tools.mk and mk/ux.mk (the fragments are
# included in name order), so the shared object lists are complete here.

OWNERS_OBJS := $(O)/tools/owners.o $(O)/tools/diff.o
TOOL_COMMON_OBJ += $(OWNERS_OBJS)
$(OWNERS_OBJS): tools/owners.h
$(O)/tools/khowalk.o $(O)/tools/khodump.o: tools/owners.h
$(O)/tools/khowalk $(O)/tools/khodump: $(OWNERS_OBJS)
$(ROBUST_COUNTED) $(O)/tests/cli/test_rerun: $(OWNERS_OBJS)

FAST_TESTS += tests/owners/owners.t tests/owners/diff.t
