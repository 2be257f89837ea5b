# SPDX-License-Identifier: GPL-2.0-or-later
#
# khotools top-level Makefile. Each area keeps its rules in mk/<area>.mk so
# that parallel work does not collide. Conventions every fragment follows:
#
#   $(O)            output directory (default build/, or build/san under SAN=1)
#   ALL_TARGETS     files `make` (all) builds
#   FAST_TESTS      TAP producers run by `make check-fast` (and `make check`)
#   SLOW_TESTS      TAP producers run only by `make check`
#   TEST_DEPS       files the test programs need built first
#   INSTALL_RULES   phony targets `make install` runs
#
# `make check` rebuilds everything with ASan/UBSan in build/san and runs every
# suite through tests/run-tap.sh, which ends with
# `N passed, N failed, N skipped` (a crashed or bailed-out suite is a failure).

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

ifeq ($(SAN),1)
O ?= build/san
else
O ?= build
endif

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
AR ?= ar
INSTALL ?= install

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wpointer-arith -Wvla -Wundef -Wwrite-strings
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DKHOTOOLS_VERSION='"$(VERSION)"'
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ALL_TARGETS :=
TOOLS :=
FAST_TESTS :=
SLOW_TESTS :=
TEST_DEPS :=
INSTALL_RULES :=

include mk/deps.mk
include $(sort $(filter-out mk/deps.mk,$(wildcard mk/*.mk)))

.PHONY: all check check-fast check-run install clean demo help

all: $(ALL_TARGETS)

# The sanitizer build is a separate tree so that `make` and `make check`
# never mix objects.
check: deps
	$(Q)$(MAKE) --no-print-directory SAN=1 check-run TESTS_TO_RUN=all

check-fast: deps-build
	$(Q)$(MAKE) --no-print-directory SAN=1 check-run TESTS_TO_RUN=fast

ifeq ($(TESTS_TO_RUN),all)
RUN_TESTS = $(FAST_TESTS) $(SLOW_TESTS)
else
RUN_TESTS = $(FAST_TESTS)
endif

check-run: all $(TEST_DEPS)
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh $(RUN_TESTS)

install: all $(INSTALL_RULES)

clean:
	rm -rf build

help:
	@echo 'targets: all check check-fast demo install clean $(EXTRA_HELP)'
	@echo 'knobs:   V=1 SAN=1 PREFIX= DESTDIR= O='
