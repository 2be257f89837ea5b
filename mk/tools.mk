# SPDX-License-Identifier: GPL-2.0-or-later
# Command-line tools, linked statically against libkhoradix.

TOOLS += khowalk
TOOL_BINS = $(addprefix $(O)/tools/,$(TOOLS))
TOOL_COMMON_OBJ := $(O)/tools/common.o $(O)/tools/lines.o
TOOL_CFLAGS = $(ALL_CFLAGS) -Ilib

ALL_TARGETS += $(TOOL_BINS)
INSTALL_RULES += install-tools

$(O)/tools/%.o: tools/%.c tools/*.h lib/radix_reader.h | $(O)/tools/
	$(call msg,CC,$@)$(CC) $(TOOL_CFLAGS) -c -o $@ $<

$(O)/tools/%: $(O)/tools/%.o $(TOOL_COMMON_OBJ) $(LIB_A)
	$(call msg,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)

.PHONY: install-tools
install-tools: $(TOOL_BINS)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
