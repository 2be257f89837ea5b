# SPDX-License-Identifier: GPL-2.0-or-later
#
# The real-kernel lab (tests/lab/README.md): Debian's 6.12 kernel under
# QEMU/TCG with tests/lab/mod/kho_lab.ko, which preserves a seeded random set
# of real pages in the radix tree of kernel-patch/; the tools are checked
# against its ground truth live in the guest and on the host from vmcores.
#
#   make lab-check          install what the lab needs, build (SAN=1), run
#                           tests/lab/*.t and tests/lab7/*.t; `make check`
#                           runs them too
#   LAB_SEED=N              seed of the live guest (the dump guest gets N+1)
#   LAB_KEEP=1              keep the vmcores of a passing run in $(O)/lab
#   LAB_CACHE=DIR           where the kernel image is unpacked
#                           (default /var/cache/khotools/lab: 107 MB to fetch)
#
# Fails closed: a missing package, kernel or tool, a guest that does not
# print its verdict in time, or a step that did not run is a failure.

DEPS_GROUPS += lab

LAB_KVER := 6.12.117+deb12-amd64
LAB_KDIR ?= /lib/modules/$(LAB_KVER)/build
LAB_CACHE ?= /var/cache/khotools/lab
LAB_SEED ?= 1
LAB_KEEP ?= 0
LAB_TIMEOUT ?= 300
# The khodump scenarios (live, vmcores with no hint (--scan) and with
# --fdt-phys, --extract, the negative case) are in the plan whenever the
# project builds khodump (mk/khodump.mk sorts before this file); then a
# khodump that is missing or fails is a failure, never a skip.
LAB_KHODUMP ?= $(if $(filter khodump,$(TOOLS)),1,0)

LAB_KERNEL_DIR = $(LAB_CACHE)/$(LAB_KVER)
# The module does not depend on SAN=1, like build/kernel.
LAB_MOD_DIR := build/lab/mod
LAB_KO := $(LAB_MOD_DIR)/kho_lab.ko
LAB_DIR = $(O)/lab
LAB_INITRD = $(LAB_DIR)/initramfs.cpio
LAB_TOOLS = $(O)/tools/khowalk $(if $(filter 1,$(LAB_KHODUMP)),$(O)/tools/khodump) \
	$(KT_BIN)
LAB_TESTS := $(sort $(wildcard tests/lab/*.t))
LAB_MOD_SRCS := tests/lab/mod/Kbuild tests/lab/mod/kho_lab_main.c \
	tests/lab/mod/kho_lab_common.h \
	kernel-patch/src/lib/kho_radix_tree.c \
	$(shell find kernel-patch/src/include -name '*.h' 2>/dev/null)

SLOW_TESTS += $(LAB_TESTS)
# The committed dumps cut from lab vmcores (tests/vmcores/README.md).
FAST_TESTS += tests/vmcores/vmcores.t
ifeq ($(TESTS_TO_RUN),all)
TEST_DEPS += lab-prep
endif

.PHONY: lab-check lab-check-run lab-prep lab-kernel lab-module lab-config

# The upstream 7.x lab (mk/lab7.mk) is part of the lab.
lab-check:
	$(Q)scripts/install-deps.sh $(DEPS_FAST_GROUPS) lab lab7
	$(Q)$(MAKE) --no-print-directory SAN=1 lab-check-run

lab-check-run: all lab-prep lab7-prep
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh \
		$(LAB_TESTS) $(LAB7_TESTS)

lab-prep: $(LAB_INITRD) lab-config

# Always asked: the script is quiet and quick when the cache is complete,
# and refreshes it when the headers' version changed.
lab-kernel:
	$(Q)scripts/lab-kernel.sh $(LAB_CACHE) $(LAB_KVER)

lab-module: $(LAB_KO)

$(LAB_KO): $(LAB_MOD_SRCS) tests/lab/build-module.sh
	$(call msg,KBUILD,$@)
	$(Q)tests/lab/build-module.sh $(CURDIR) $(LAB_MOD_DIR) $(LAB_KDIR)

$(LAB_INITRD): $(LAB_KO) $(LAB_TOOLS) tests/lab/guest/init \
		tests/lab/mkinitramfs.sh tests/lab/guest-root.sh | lab-kernel
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tests/lab/mkinitramfs.sh $@ $(CURDIR) $(LAB_KO) \
		$(LAB_KERNEL_DIR)/qemu_fw_cfg.ko $(LAB_TOOLS)

# What the suites need to know, as shell assignments.
lab-config: | lab-kernel
	$(Q)mkdir -p $(LAB_DIR)
	$(Q)printf '%s\n' \
		"LAB_KERNEL='$(abspath $(LAB_KERNEL_DIR))/vmlinuz'" \
		"LAB_KVER='$(LAB_KVER)'" \
		"LAB_INITRD='$(abspath $(LAB_INITRD))'" \
		"LAB_DIR='$(abspath $(LAB_DIR))'" \
		"LAB_SEED='$(LAB_SEED)'" \
		"LAB_KEEP='$(LAB_KEEP)'" \
		"LAB_TIMEOUT='$(LAB_TIMEOUT)'" \
		"LAB_KHODUMP='$(LAB_KHODUMP)'" >$(LAB_DIR)/config.sh

EXTRA_HELP += lab-check
