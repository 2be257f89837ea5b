# SPDX-License-Identifier: GPL-2.0-or-later
#
# The upstream 7.x lab (tests/lab7/README.md): Debian unstable's newest
# linux-source-7.x built with KHO, LUO, test_kho and BTF, booted under
# QEMU/TCG with kho_lab7.ko and a LUO workload, handing over through a real
# KHO kexec. The tools are checked against ground truth live in the first
# kernel, on its vmcores, at the handover moment and in the second kernel.
#
#   make lab7-check         install, build (SAN=1), run tests/lab7/*.t;
#                           `make check` and `make lab-check` run them too
#   LAB7_SEED=N             seed of kho_lab7 and of the LUO workload
#   LAB7_TIMEOUT=S          one deadline for the whole guest run
#   LAB7_VARIANT=khotools   on the kernel patched with kernel-patch/v7
#
# The kernel is cached by version under $(LAB_CACHE)/upstream (its build
# takes minutes, once); fails closed like the 6.12 lab.

DEPS_GROUPS += lab7

LAB7_DIR = $(O)/lab7
LAB7_MOD_DIR := build/lab7/mod
LAB7_SEED ?= 1
LAB7_TIMEOUT ?= 700
LAB7_TESTS := $(sort $(wildcard tests/lab7/*.t))
# LAB7_VARIANT=khotools: the same suites on the lab kernel with
# kernel-patch/v7's series applied (scripts/upstream-kernel-patched.sh).
ifeq ($(LAB7_VARIANT),khotools)
LAB7_DIR = $(O)/lab7-khotools
LAB7_MOD_DIR := build/lab7/mod-khotools
LAB7_PREP_ENV := LAB7_SERIES=$(CURDIR)/kernel-patch/v7/series
LAB7_RUN_ENV = LAB7_CONFIG=$(abspath $(LAB7_DIR))/config.sh
endif
LAB7_TOOLS = $(O)/tools/khowalk $(O)/tools/khodump $(KT_BIN)

SLOW_TESTS += $(LAB7_TESTS)
# The committed dumps cut from the 7.x lab (tests/vmcores/README.md).
FAST_TESTS += tests/vmcores/upstream.t
ifeq ($(TESTS_TO_RUN),all)
TEST_DEPS += lab7-prep
endif

.PHONY: lab7-check lab7-check-run lab7-prep

lab7-check:
	$(Q)scripts/install-deps.sh $(DEPS_FAST_GROUPS) lab7
	$(Q)$(MAKE) --no-print-directory SAN=1 lab7-check-run

lab7-check-run: all lab7-prep
	$(Q)$(LAB7_RUN_ENV) KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh $(LAB7_TESTS)

# Always asked: quick when the kernel cache and the module are current.
lab7-prep: $(LAB7_TOOLS) $(CRASH_SO)
	$(call msg,LAB7,$(LAB7_DIR))
	$(Q)$(LAB7_PREP_ENV) tests/lab7/prepare.sh $(CURDIR) $(LAB7_DIR) $(LAB_CACHE) \
		$(LAB7_MOD_DIR) $(LAB7_TOOLS)
	$(Q)printf '%s\n' "LAB7_SEED='$(LAB7_SEED)'" \
		"LAB7_TIMEOUT='$(LAB7_TIMEOUT)'" \
		"CRASH_SO='$(abspath $(CRASH_SO))'" \
		"LAB7_DEBIAN_KERNEL='$(abspath $(LAB_KERNEL_DIR))/vmlinuz'" \
		"LAB7_MOD='$(abspath $(LAB7_MOD_DIR))/kho_lab7.ko'" >>$(LAB7_DIR)/config.sh

# tests/lab7/preflight.t: Debian's 6.12 image (the 6.12 lab's kernel) is
# the target a kho-v4 state must be refused by.
lab7-prep: lab-kernel

EXTRA_HELP += lab7-check
