# SPDX-License-Identifier: GPL-2.0-or-later
#
# User experience: `khowalk map` (tools/map.c), bash completion
# (completion/), the Debian packaging (debian/) and their tests (tests/ux/).
#
#   make install                 also installs the completions into
#                                $(PREFIX)/share/bash-completion/completions
#   make all-userspace           what the Debian packages ship: the library,
#                                PKG_TOOLS, nothing that needs the kernel,
#                                the lab or BPF
#   make install-userspace       installs just that (debian/rules uses it)
#   make deb                     dpkg-buildpackage -us -uc -b in a copy of
#                                the tree; the .debs land in $(O)/deb
#
# A tool joins the packages by adding its name to PKG_TOOLS in its own
# fragment, and its man pages follow it (man/<tool>.[1-8]).

DEPS_GROUPS += ux pkg
DEPS_FAST_GROUPS += ux

# tools/map.c is linked into every tool through TOOL_COMMON_OBJ; the
# pattern rules of mk/tools.mk and mk/robust.mk expanded that variable
# before this fragment was read, hence the explicit prerequisites.
MAP_OBJ := $(O)/tools/map.o
TOOL_COMMON_OBJ += $(MAP_OBJ)
$(O)/tools/map.o: tools/map.h
$(O)/tools/khowalk.o: tools/map.h
$(addprefix $(O)/tools/,$(TOOLS)): $(MAP_OBJ)
$(ROBUST_COUNTED): $(MAP_OBJ)

COMPLETIONS := $(wildcard completion/*)
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL_RULES += install-completion

.PHONY: install-completion
install-completion:
	$(INSTALL) -d $(DESTDIR)$(COMPLETIONDIR)
	$(if $(COMPLETIONS),$(INSTALL) -m 644 $(COMPLETIONS) $(DESTDIR)$(COMPLETIONDIR)/)

# What the Debian packages ship.
PKG_TOOLS += khowalk khodump
PKG_TOOL_BINS = $(addprefix $(O)/tools/,$(PKG_TOOLS))
PKG_MANS = $(wildcard $(foreach t,$(PKG_TOOLS) libkhoradix,man/$(t).[1-8]))
PKG_COMPLETIONS = $(wildcard $(addprefix completion/,$(PKG_TOOLS)))

.PHONY: all-userspace install-userspace deb
all-userspace: $(LIB_A) $(LIB_SO) $(LIB_PC) $(PKG_TOOL_BINS)

install-userspace: all-userspace install-lib
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 755 $(PKG_TOOL_BINS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 $(PKG_COMPLETIONS) $(DESTDIR)$(COMPLETIONDIR)/
	for m in $(PKG_MANS); do \
		s=$${m##*.}; $(INSTALL) -d $(DESTDIR)$(MANDIR)/man$$s && \
		$(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done

deb:
	$(Q)scripts/install-deps.sh build pkg
	$(Q)tests/ux/build-deb.sh $(CURDIR) $(abspath $(O))/deb

UX_DIR := $(O)/tests/ux
$(UX_DIR)/test_progress: tests/ux/test_progress.c $(O)/tools/common.o tests/tap.h \
		$(LIB_A) | $(UX_DIR)/
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Ilib -Itools $(ALL_LDFLAGS) -o $@ $< \
		$(O)/tools/common.o $(LIB_A) $(LIB_LIBS)

TEST_DEPS += $(UX_DIR)/test_progress $(O)/tools/khowalk $(O)/tools/khodump
FAST_TESTS += $(UX_DIR)/test_progress tests/ux/map.t tests/ux/progress.t \
	tests/ux/completion.t
SLOW_TESTS += tests/ux/install.t tests/ux/deb.t

EXTRA_HELP += deb
