# SPDX-License-Identifier: GPL-2.0-or-later
# libkhoradix: static and shared library, pkg-config file, install rules.

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(patsubst lib/%.c,$(O)/lib/%.o,$(LIB_SRCS))
LIB_PIC_OBJS := $(patsubst lib/%.c,$(O)/lib/pic/%.o,$(LIB_SRCS))
LIB_A := $(O)/lib/libkhoradix.a
LIB_SO_VER := 0
LIB_SO := $(O)/lib/libkhoradix.so.$(LIB_SO_VER)
LIB_PC := $(O)/lib/khoradix.pc
LIB_CFLAGS = $(ALL_CFLAGS) -DKHOR_BUILDING_LIBRARY -fvisibility=hidden \
	$(shell pkg-config --cflags libfdt libkdumpfile 2>/dev/null)
LIB_LIBS := -lfdt -lkdumpfile -lz

ALL_TARGETS += $(LIB_A) $(LIB_SO) $(LIB_PC)
INSTALL_RULES += install-lib

$(O)/lib/%.o: lib/%.c lib/*.h | $(O)/lib/
	$(call msg,CC,$@)$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(O)/lib/pic/%.o: lib/%.c lib/*.h | $(O)/lib/pic/
	$(call msg,CC,$@)$(CC) $(LIB_CFLAGS) -fPIC -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(LIB_SO): $(LIB_PIC_OBJS) lib/libkhoradix.map
	$(call msg,LD,$@)$(CC) -shared -Wl,-soname,libkhoradix.so.$(LIB_SO_VER) \
		-Wl,--version-script=lib/libkhoradix.map $(ALL_LDFLAGS) \
		-o $@ $(LIB_PIC_OBJS) $(LIB_LIBS)

# Generated again by install-lib, so that `make && make PREFIX=/usr
# install` installs a .pc that names /usr.
pc_gen = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' $(1)

$(LIB_PC): lib/khoradix.pc.in Makefile | $(O)/lib/
	$(call msg,GEN,$@)$(call pc_gen,$<) > $@

%/:
	$(Q)mkdir -p $@

.PHONY: install-lib
install-lib: $(LIB_A) $(LIB_SO) $(LIB_PC)
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/khotools $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libkhoradix.so.$(LIB_SO_VER) $(DESTDIR)$(LIBDIR)/libkhoradix.so
	$(INSTALL) -m 644 lib/radix_reader.h $(DESTDIR)$(INCDIR)/khotools/
	$(call pc_gen,lib/khoradix.pc.in) >$(DESTDIR)$(PKGCONFIGDIR)/khoradix.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/khoradix.pc
