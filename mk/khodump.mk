# SPDX-License-Identifier: GPL-2.0-or-later
# khodump: the tool, its test-data builder and its tests.
# The builder (tests/khodump/mkkhodump.c) writes KHO state into simulated
# memory from a text spec; it links libfdt and the tests' own writer
# (tests/gen/khoimg.c), never lib/ (DESIGN §4).

TOOLS += khodump

KHODUMP_TEST_DIR := $(O)/tests/khodump
KHODUMP_BUILDER := $(KHODUMP_TEST_DIR)/mkkhodump

$(KHODUMP_BUILDER): tests/khodump/mkkhodump.c tests/gen/khoimg.c tests/gen/khoimg.h \
		mk/khodump.mk | $(KHODUMP_TEST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -o $@ $< tests/gen/khoimg.c $(ALL_LDFLAGS) -lfdt

TEST_DEPS += $(KHODUMP_BUILDER) $(O)/tools/khodump $(O)/tools/khowalk
FAST_TESTS += $(sort $(wildcard tests/khodump/*.t))

KHODUMP_KDFCMP := $(KHODUMP_TEST_DIR)/kdfcmp
$(KHODUMP_KDFCMP): tests/khodump/kdfcmp.c mk/khodump.mk | $(KHODUMP_TEST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lkdumpfile
TEST_DEPS += $(KHODUMP_KDFCMP)

# khodump preflight reads the target kernel image (tools/kimage.c): ELF
# through libelf, bzImage payloads through the compressors' own libraries.
KHODUMP_OBJS := $(O)/tools/khodump.o $(O)/tools/preflight.o $(O)/tools/kimage.o
KIMAGE_LIBS := -lelf -llzma -lzstd -lz -lbz2 -llz4
DEPS_GROUPS += preflight
DEPS_FAST_GROUPS += preflight

# Its own link rule (the objects before the library archive): tools.mk and
# lib.mk, read after this file, define TOOL_COMMON_OBJ and LIB_A, so the
# prerequisites name the files and the recipe the variables.
$(O)/tools/khodump: $(KHODUMP_OBJS) $(O)/tools/common.o $(O)/tools/lines.o \
		$(O)/lib/libkhoradix.a
	$(call msg,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $(KHODUMP_OBJS) $(TOOL_COMMON_OBJ) \
		$(LIB_A) $(LIB_LIBS) $(KIMAGE_LIBS)

# Kernel images for the preflight tests, from the boot protocol and ELF
# documents (tests/khodump/mkkimage.c), never from tools/kimage.c.
KHODUMP_MKKIMAGE := $(KHODUMP_TEST_DIR)/mkkimage
$(KHODUMP_MKKIMAGE): tests/khodump/mkkimage.c tests/gen/khoimg.c tests/gen/khoimg.h \
		mk/khodump.mk | $(KHODUMP_TEST_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -o $@ $< tests/gen/khoimg.c $(ALL_LDFLAGS)
TEST_DEPS += $(KHODUMP_MKKIMAGE)
