# SPDX-License-Identifier: GPL-2.0-or-later
# Package installation (scripts/install-deps.sh, lists in scripts/deps/).
# Other fragments add their groups to DEPS_GROUPS (installed by `make check`)
# and, if their fast tests need them, to DEPS_FAST_GROUPS.
DEPS_GROUPS := build test
DEPS_FAST_GROUPS := build test

.PHONY: deps deps-build
deps:
	$(Q)scripts/install-deps.sh $(DEPS_GROUPS)

deps-build:
	$(Q)scripts/install-deps.sh $(DEPS_FAST_GROUPS)
