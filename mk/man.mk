# SPDX-License-Identifier: GPL-2.0-or-later
# Manual pages: installed by `make install`, linted in `make check`.

MAN1 := $(wildcard man/*.1)
MAN3 := $(wildcard man/*.3)
MAN8 := $(wildcard man/*.8)
INSTALL_RULES += install-man
FAST_TESTS += tests/man/lint.t

.PHONY: install-man
install-man:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	$(if $(MAN1),$(INSTALL) -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN3),$(INSTALL) -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/)
	$(if $(MAN8),$(INSTALL) -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
