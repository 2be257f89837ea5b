# SPDX-License-Identifier: GPL-2.0-or-later
#
# The arm64 lab (tests/lab-arm64/README.md): the upstream 7.x lab's kernel
# cross-built for arm64 at 16 KiB and at 64 KiB pages, booted under
# qemu-system-aarch64 -M virt -cpu max (TCG) with arm64 builds of the tools
# inside, through a real KHO kexec; ground truth from the dumps on the
# host. Not part of `make check`: the two kernel builds take long once
# (then they are cached like the x86-64 one).
#
#   make lab-check-arm64    install, build (host tools SAN=1, guest tools
#                           cross), run tests/lab-arm64/*.t, then
#                           kernel-kunit-arm64; prints its wall time
#   make kernel-kunit-arm64 the kernel patch's KUnit suite on arm64 at 16
#                           and 64 KiB pages (kunit.py --arch=arm64; UML is
#                           4 KiB only): 8 of 8 cases pass at each size
#                           (2026-12-06). Two more kernel builds the first
#                           time (about 17 minutes each), seconds after
#                           a change to the suite
#   LAB7_SEED / LAB7_TIMEOUT  as for the x86-64 upstream lab
#
# Kernels: $(LAB_CACHE)/upstream/arm64-16k and arm64-64k; the guest's
# busybox and the tools' arm64 libraries: $(LAB_CACHE)/arm64/sysroot.

ARM64_O := build/arm64
ARM64_TOOLS := $(ARM64_O)/tools/khowalk $(ARM64_O)/tools/khodump
ARM64_TESTS := tests/lab-arm64/16k.t tests/lab-arm64/64k.t
ARM64_TIMEOUT ?= 900

# The committed dumps cut from this lab (tests/vmcores/README.md): every
# check-fast proves 16 and 64 KiB without building those kernels.
FAST_TESTS += tests/vmcores/arm64.t

.PHONY: lab-check-arm64 lab-check-arm64-run lab-arm64-prep lab-arm64-tools \
	kernel-kunit-arm64

lab-check-arm64:
	$(Q)scripts/install-deps.sh $(DEPS_FAST_GROUPS) lab7 arm64
	$(Q)start=$$(date +%s); \
	$(MAKE) --no-print-directory SAN=1 lab-check-arm64-run; rc=$$?; \
	$(MAKE) --no-print-directory kernel-kunit-arm64 || rc=1; \
	echo "lab-check-arm64: $$(($$(date +%s) - start)) s wall time"; exit $$rc

lab-check-arm64-run: all lab-arm64-prep
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh $(ARM64_TESTS)

kernel-kunit-arm64:
	$(Q)scripts/install-deps.sh kernel arm64
	$(Q)KHO_SRC=$(CURDIR) KERNEL_CACHE=$(abspath $(KERNEL_CACHE)) \
		tests/run-tap.sh tests/kernel/kunit-arm64.t

# The guest's tools: cross-built, without sanitizers (no arm64 runtimes
# here), against the arm64 libfdt and libkdumpfile of the sysroot; the
# rpath (DT_RPATH: it serves the libraries' own dependencies too) is
# where guest-root.sh puts those libraries in the guest.
lab-arm64-tools:
	$(Q)sr=$$(scripts/arm64-sysroot.sh $(LAB_CACHE)) && \
	$(MAKE) --no-print-directory SAN= O=$(ARM64_O) \
		CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
		CFLAGS="-O2 -g -I$$sr/usr/include" \
		LDFLAGS="-L$$sr/usr/lib/aarch64-linux-gnu -L$$sr/lib/aarch64-linux-gnu -Wl,-rpath-link,$$sr/usr/lib/aarch64-linux-gnu:$$sr/lib/aarch64-linux-gnu -Wl,--disable-new-dtags,-rpath,/lib/aarch64-linux-gnu" \
		$(ARM64_TOOLS)

# Always asked: quick when the kernels, the sysroot and the modules are
# current. One page size after the other (the kernel builds share cores).
lab-arm64-prep: lab-arm64-tools
	$(Q)for k in 16 64; do \
		d=$(O)/lab-arm64/$${k}k; \
		printf '  %-8s %s\n' LABARM64 $$d; \
		KERNEL_ARCH=arm64 KERNEL_PAGE_SIZE=$$((k * 1024)) \
			tests/lab7/prepare.sh $(CURDIR) $$d $(LAB_CACHE) \
			build/lab-arm64/$${k}k/mod $(abspath $(ARM64_TOOLS)) || exit 1; \
		printf '%s\n' "LAB7_SEED='$(LAB7_SEED)'" \
			"LAB7_TIMEOUT='$(ARM64_TIMEOUT)'" >>$$d/config.sh; \
	done

EXTRA_HELP += lab-check-arm64 kernel-kunit-arm64
