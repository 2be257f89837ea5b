# SPDX-License-Identifier: GPL-2.0-or-later
# Package installation. Other fragments add groups to DEPS_GROUPS.
DEPS_GROUPS := build test

.PHONY: deps deps-build
deps:
	$(Q)scripts/install-deps.sh $(DEPS_GROUPS)

deps-build:
	$(Q)scripts/install-deps.sh build test
