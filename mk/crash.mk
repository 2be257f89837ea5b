# SPDX-License-Identifier: GPL-2.0-or-later
#
# The crash(8) extension: $(O)/crash/kho.so, loaded with
# `extend kho.so`, adds `kho fdt|walk|find|key` (man/kho-crash.8).
#
# It is built against Debian's /usr/include/crash/defs.h with the library
# and the tools linked in statically: their objects are compiled again here
# with -fPIC -fvisibility=hidden (and without -DKHOR_BUILDING_LIBRARY, so
# KHOR_API marks nothing visible), the tools without main()
# (-DKHO_TOOL_NO_MAIN), and a version script exports nothing. The
# constructor registers the command; no symbol of ours can collide with
# crash's or another extension's (tests/crash/symbols.t checks nm -D).
# Never sanitized, even under SAN=1: crash is not built with ASan.
#
#   CRASH_DBG_CACHE=DIR   where scripts/crash-vmlinux.sh puts the lab
#                         kernel's debug vmlinux (default
#                         /var/cache/khotools/dbg; 1 GB download once)
#   CRASHEXTDIR           install directory of kho.so (default
#                         $(LIBDIR)/crash/extensions; with PREFIX=/usr that
#                         is where Debian's crash looks for `extend kho.so`)

DEPS_GROUPS += crash
DEPS_FAST_GROUPS += crash

CRASH_DEFS := /usr/include/crash/defs.h
CRASH_DIR = $(O)/crash
CRASH_SO = $(CRASH_DIR)/kho.so
CRASH_DBG_CACHE ?= /var/cache/khotools/dbg
CRASHEXTDIR ?= $(LIBDIR)/crash/extensions

# The tools the extension runs; khotrace has no place in crash.
CRASH_TOOL_SRCS := $(filter-out tools/khotrace%.c tools/kallsyms.c,$(wildcard tools/*.c))
CRASH_LIB_OBJS = $(patsubst lib/%.c,$(CRASH_DIR)/lib/%.o,$(sort $(wildcard lib/*.c)))
CRASH_TOOL_OBJS = $(patsubst tools/%.c,$(CRASH_DIR)/tools/%.o,$(CRASH_TOOL_SRCS))
CRASH_AR = $(CRASH_DIR)/libkhocrash.a

# No $(SAN_FLAGS). defs.h is a system header to us (its own warnings are
# not ours to fix), and crash's interface takes char * for literals (help
# arrays, symbol names), hence -Wno-write-strings for kho.c alone.
CRASH_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden
CRASH_EXT_CFLAGS = $(CRASH_CFLAGS) -DX86_64 -isystem /usr/include/crash \
	-Ilib -Itools -Wno-missing-prototypes -Wno-write-strings

ALL_TARGETS += $(CRASH_SO)
INSTALL_RULES += install-crash

$(CRASH_DIR)/lib/%.o: lib/%.c lib/*.h mk/crash.mk | $(CRASH_DIR)/lib/
	$(call msg,CC,$@)$(CC) $(CRASH_CFLAGS) \
		$(shell pkg-config --cflags libfdt libkdumpfile 2>/dev/null) -c -o $@ $<

$(CRASH_DIR)/tools/%.o: tools/%.c tools/*.h lib/radix_reader.h mk/crash.mk | $(CRASH_DIR)/tools/
	$(call msg,CC,$@)$(CC) $(CRASH_CFLAGS) -DKHO_TOOL_NO_MAIN -Ilib -c -o $@ $<

# An archive, so that only what kho.o needs is linked.
$(CRASH_AR): $(CRASH_LIB_OBJS) $(CRASH_TOOL_OBJS)
	$(call msg,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(CRASH_DIR)/kho.o: crash/kho.c tools/tool_env.h lib/radix_reader.h mk/crash.mk | $(CRASH_DIR)/
	$(Q)test -r $(CRASH_DEFS) || { echo "crash: no $(CRASH_DEFS) (scripts/install-deps.sh crash)" >&2; exit 1; }
	$(call msg,CC,$@)$(CC) $(CRASH_EXT_CFLAGS) -c -o $@ $<

$(CRASH_SO): $(CRASH_DIR)/kho.o $(CRASH_AR) crash/kho.map
	$(call msg,LD,$@)$(CC) -shared -Wl,--version-script=crash/kho.map \
		-Wl,-Bsymbolic -Wl,--no-undefined-version $(LDFLAGS) -o $@ \
		$(CRASH_DIR)/kho.o $(CRASH_AR) $(LIB_LIBS) $(KIMAGE_LIBS)

# The debug vmlinux for the lab's crash scenario: fetched by the install
# step, never at test time (tests/lab/crash.t fails closed without it).
.PHONY: crash-vmlinux install-crash
crash-vmlinux:
	$(Q)scripts/crash-vmlinux.sh $(CRASH_DBG_CACHE) $(LAB_KVER)

# What tests/lab/crash.t needs beyond the lab's config.sh.
lab-prep: crash-vmlinux crash-config

.PHONY: crash-config
crash-config:
	$(Q)mkdir -p $(LAB_DIR)
	$(Q)printf '%s\n' \
		"CRASH_SO='$(abspath $(CRASH_SO))'" \
		"CRASH_VMLINUX='$(CRASH_DBG_CACHE)/$(LAB_KVER)/vmlinux'" \
		>$(LAB_DIR)/crash-config.sh

install-crash: $(CRASH_SO)
	$(INSTALL) -d $(DESTDIR)$(CRASHEXTDIR)
	$(INSTALL) -m 644 $(CRASH_SO) $(DESTDIR)$(CRASHEXTDIR)/kho.so

# tests.mk sets UNIT_TESTS with :=, so the unit test of lib/find.c is
# registered here; its pattern rule builds it.
FAST_TESTS += $(O)/tests/unit/test_find tests/crash/symbols.t tests/crash/find.t
TEST_DEPS += $(O)/tests/unit/test_find $(CRASH_SO)
