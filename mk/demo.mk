# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: install what is needed, build, and run the main job on a
# bundled sample (a kho-v2 tree written by upstream's own code).

DEMO_FIX := tests/fixtures/upstream-v2
DEMO_ARGS := --vmcore $(DEMO_FIX)/vmcore.elf --fdt-phys $$(cat $(DEMO_FIX)/fdt_phys.txt)

.PHONY: demo
demo: deps-build
	$(Q)$(MAKE) --no-print-directory all
	@echo '$$ khowalk $(DEMO_ARGS) check'
	@$(O)/tools/khowalk $(DEMO_ARGS) check
	@echo '$$ khowalk $(DEMO_ARGS) stats'
	@$(O)/tools/khowalk $(DEMO_ARGS) stats
	@echo '$$ khowalk $(DEMO_ARGS) ranges | head'
	@$(O)/tools/khowalk $(DEMO_ARGS) ranges | head
