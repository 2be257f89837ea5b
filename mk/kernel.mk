# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel-patch/: the KHO radix tree in kernel C, built three ways.
#
#   make kernel-harness        the .c over shim headers in userspace
#   make kernel-harness-check  its TAP suite at 4, 16 and 64 KiB pages
#                              (also in check-fast/check)
#   make kernel-series         regenerate kernel-patch/series/ from the sources
#   make kernel-check          series identical, git am, checkpatch, KUnit (UML)
#   make kernel-module         out-of-tree module for the running 6.12 headers
#   make kernel7-series        regenerate kernel-patch/v7/series (upstream 7.x)
#   make kernel7-check         the 7.x series alone: identical, git am,
#                              checkpatch, lab-config and KHO-less builds,
#                              KUnit under QEMU (kernel-check runs it too)
#
# The pristine kernel tree and the UML build live in build/kernel whatever
# $(O) is: they do not depend on SAN=1, and take minutes to create.

DEPS_GROUPS += kernel kernel7

KP := kernel-patch
KERNEL_CACHE ?= build/kernel
KERNEL_TREE := $(KERNEL_CACHE)/linux-source-6.12
KHARNESS_DIR := $(O)/kernel-patch/harness
KHARNESS := $(KHARNESS_DIR)/kho_radix_harness
KHARNESS_HDRS := $(wildcard $(KP)/harness/*.h $(KP)/harness/shim/*.h \
	$(KP)/harness/shim/*/*.h) $(shell find $(KP)/src/include -name '*.h')
KHARNESS_CFLAGS = $(ALL_CFLAGS) -I$(KP)/harness/shim -I$(KP)/src/include \
	-I$(KP)/harness

$(KHARNESS_DIR)/harness/%.o: $(KP)/harness/%.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -c -o $@ $<

# The kernel file, unmodified.
$(KHARNESS_DIR)/kho_radix_tree.o: $(KP)/src/lib/kho_radix_tree.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -c -o $@ $<

$(KHARNESS): $(KHARNESS_DIR)/harness/harness.o $(KHARNESS_DIR)/harness/sim_mem.o \
		$(KHARNESS_DIR)/kho_radix_tree.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# The harness again at 16 KiB and 64 KiB pages: its whole suite
# (tests/kernel/harness-pagesize.t) and its --images mode
# (tests/kernel/harness-images-pagesize.t).
KHARNESS_PS := $(foreach s,14 16,$(KHARNESS_DIR)/ps$(s)/kho_radix_harness)
$(KHARNESS_DIR)/ps%/harness.o: $(KP)/harness/harness.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -DPAGE_SHIFT=$* -c -o $@ $<
$(KHARNESS_DIR)/ps%/sim_mem.o: $(KP)/harness/sim_mem.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -DPAGE_SHIFT=$* -c -o $@ $<
$(KHARNESS_DIR)/ps%/kho_radix_tree.o: $(KP)/src/lib/kho_radix_tree.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -DPAGE_SHIFT=$* -c -o $@ $<
$(KHARNESS_DIR)/ps%/kho_radix_harness: $(KHARNESS_DIR)/ps%/harness.o \
		$(KHARNESS_DIR)/ps%/sim_mem.o $(KHARNESS_DIR)/ps%/kho_radix_tree.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# The ABI header's constants at each page size the kernel supports.
KDEPTH := $(foreach s,12 14 16,$(KHARNESS_DIR)/depth-$(s))
$(KHARNESS_DIR)/depth-%: $(KP)/harness/depth.c $(KHARNESS_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KHARNESS_CFLAGS) -DPAGE_SHIFT=$* $(ALL_LDFLAGS) -o $@ $<

TEST_DEPS += $(KHARNESS) $(KDEPTH) $(KHARNESS_PS)
FAST_TESTS += tests/kernel/harness.t tests/kernel/harness-images.t \
	tests/kernel/depth.t tests/kernel/harness-images-pagesize.t \
	tests/kernel/harness-pagesize.t
SLOW_TESTS += tests/kernel/kernel-check.t tests/kernel/kernel-module.t \
	tests/kernel/kernel7-check.t

.PHONY: kernel-harness kernel-harness-check kernel-bench kernel-series \
	kernel-check kernel-module kernel-pristine
kernel-harness: $(KHARNESS)

kernel-harness-check: $(KHARNESS) $(KHARNESS_PS)
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh \
		tests/kernel/harness.t tests/kernel/harness-images.t \
		tests/kernel/harness-pagesize.t

# Measurements for kernel-patch/README.md (no sanitizers: counts only).
kernel-bench: $(KHARNESS)
	$(Q)$(KHARNESS) --bench

kernel-pristine:
	$(Q)$(KP)/scripts/pristine.sh $(KERNEL_CACHE)

kernel-series: kernel-pristine
	$(Q)$(KP)/scripts/mkseries.sh $(KERNEL_TREE) $(KP)/series

kernel-check:
	$(Q)KHO_SRC=$(CURDIR) KERNEL_CACHE=$(abspath $(KERNEL_CACHE)) \
		KERNEL7_CACHE=$(abspath $(KERNEL7_CACHE)) LAB_CACHE=$(LAB_CACHE) \
		tests/run-tap.sh tests/kernel/kernel-check.t tests/kernel/kernel7-check.t \
		tests/kernel/harness7.t

# The upstream 7.x series (kernel-patch/v7): its pristine tree is made from
# the linux-source-7.x package the upstream lab fetches.
KERNEL7_CACHE ?= build/kernel7
.PHONY: kernel7-series kernel7-check kernel7-pristine
kernel7-pristine:
	$(Q)scripts/upstream-kernel.sh $(LAB_CACHE) tests/lab7/kho-7x.config >/dev/null
	$(Q)$(KP)/v7/scripts/pristine.sh $(KERNEL7_CACHE) $(LAB_CACHE) >/dev/null

kernel7-series: kernel7-pristine
	$(Q)$(KP)/v7/scripts/mkseries.sh $(KERNEL7_CACHE)/linux-source-7 $(KP)/v7/series

kernel7-check:
	$(Q)KHO_SRC=$(CURDIR) KERNEL7_CACHE=$(abspath $(KERNEL7_CACHE)) LAB_CACHE=$(LAB_CACHE) \
		tests/run-tap.sh tests/kernel/kernel7-check.t

kernel-module:
	$(Q)$(KP)/scripts/build-module.sh $(abspath $(O))/kernel-patch/module

EXTRA_HELP += kernel-check kernel-module kernel-harness-check kernel-series kernel-bench \
	kernel7-series kernel7-check

# The measurements of kernel-patch/v7/README.md: one boot of the unpatched
# and one of the patched upstream lab kernel (tests/kernel/measure7.t).
.PHONY: kernel7-measure kernel7-measure-run
kernel7-measure:
	$(Q)$(MAKE) --no-print-directory SAN=1 kernel7-measure-run

kernel7-measure-run: all
	$(Q)$(MAKE) --no-print-directory lab7-prep
	$(Q)$(MAKE) --no-print-directory LAB7_VARIANT=khotools lab7-prep
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) tests/run-tap.sh tests/kernel/measure7.t

# The userspace harness of the 7.x series (kernel-patch/v7/harness): the
# radix tree section of upstream's kexec_handover.c, extracted from the
# pristine tree and from it with the series applied (extract.sh), compiled
# unmodified twice over shims into one program. Its objects live under
# san/ or plain/ by SAN, as the extracts are the same either way.
#   make kernel7-harness-check   tests/kernel/harness7.t (ASan/UBSan; also
#                                in kernel-check and check)
K7H := $(KP)/v7/harness
K7H_SRC := $(O)/kernel-patch/v7/harness/src
K7H_DIR := $(O)/kernel-patch/v7/harness/$(if $(filter 1,$(SAN)),san,plain)
K7H_HDRS := $(wildcard $(K7H)/*.h $(K7H)/shim/*.h $(K7H)/shim/*/*.h \
	$(KP)/harness/*.h $(KP)/harness/shim/*.h $(KP)/harness/shim/*/*.h)
K7H_INC := -I$(K7H)/shim -I$(KP)/harness/shim -I$(KP)/harness -I$(K7H)
K7H_STAMP := $(K7H_SRC)/extract.stamp
K7H_OBJS = $(K7H_DIR)/variant-pristine.o $(K7H_DIR)/variant-patched.o \
	$(K7H_DIR)/page7.o $(K7H_DIR)/sim_mem.o

# The pristine tree is shared with kernel7-check.t, which holds its lock
# while it checks out and builds: read it under the same lock.
$(K7H_STAMP): $(K7H)/extract.sh $(wildcard $(KP)/v7/series/*.patch) mk/kernel.mk
	$(call msg,EXTRACT,$(K7H_SRC))
	$(Q)mkdir -p $(KERNEL7_CACHE) $(@D)
	$(Q)flock $(KERNEL7_CACHE)/lock sh -c '$(KP)/v7/scripts/pristine.sh \
		$(KERNEL7_CACHE) $(LAB_CACHE) >/dev/null && $(K7H)/extract.sh \
		$(KERNEL7_CACHE)/linux-source-7 $(KP)/v7/series $(K7H_SRC) >/dev/null'
	$(Q)touch $@

$(K7H_DIR)/variant-%.o: $(K7H)/variant.c $(K7H_STAMP) $(K7H_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/$*/include -I$(K7H_SRC)/$* \
		-DH7_PATCHED=$(if $(filter patched,$*),1,0) -c -o $@ $<
$(K7H_DIR)/%.o: $(K7H)/%.c $(K7H_STAMP) $(K7H_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/pristine/include -c -o $@ $<
# sim_mem.c without the 7.x shims (it includes <errno.h>, not the tree's).
$(K7H_DIR)/sim_mem.o: $(KP)/harness/sim_mem.c $(K7H_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(KP)/harness/shim -I$(KP)/harness -c -o $@ $<
$(K7H_DIR)/harness7: $(K7H_DIR)/harness7.o $(K7H_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# The same program at 16 and 64 KiB pages: the upstream ABI header and the
# code derive their sizes from PAGE_SHIFT, and so does the test.
define K7H_PAGESIZE
$(K7H_DIR)/ps$(1)/variant-%.o: $(K7H)/variant.c $(K7H_STAMP) $(K7H_HDRS)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/$$*/include -I$(K7H_SRC)/$$* \
		-DH7_PATCHED=$$(if $$(filter patched,$$*),1,0) -DPAGE_SHIFT=$(1) -c -o $$@ $$<
$(K7H_DIR)/ps$(1)/%.o: $(K7H)/%.c $(K7H_STAMP) $(K7H_HDRS)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/pristine/include \
		-DPAGE_SHIFT=$(1) -c -o $$@ $$<
$(K7H_DIR)/ps$(1)/sim_mem.o: $(KP)/harness/sim_mem.c $(K7H_HDRS)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(ALL_CFLAGS) -I$(KP)/harness/shim -I$(KP)/harness -DPAGE_SHIFT=$(1) \
		-c -o $$@ $$<
$(K7H_DIR)/ps$(1)/harness7: $(addprefix $(K7H_DIR)/ps$(1)/,harness7.o \
		variant-pristine.o variant-patched.o page7.o sim_mem.o)
	$$(call msg,LD,$$@)
	$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^
endef
$(foreach s,14 16,$(eval $(call K7H_PAGESIZE,$(s))))

.PHONY: kernel7-harness kernel7-harness-src kernel7-harness-check
kernel7-harness-src: $(K7H_STAMP)
kernel7-harness: $(K7H_DIR)/harness7 $(K7H_DIR)/radix7 \
	$(K7H_DIR)/ps14/harness7 $(K7H_DIR)/ps16/harness7

kernel7-harness-check:
	$(Q)KHO_BUILD=$(abspath $(O)) KHO_SRC=$(CURDIR) \
		KERNEL7_CACHE=$(abspath $(KERNEL7_CACHE)) LAB_CACHE=$(LAB_CACHE) \
		tests/run-tap.sh tests/kernel/harness7.t
SLOW_TESTS += tests/kernel/harness7.t
EXTRA_HELP += kernel7-harness-check

# The native benchmark of the 7.x series on the same two extracts, without
# sanitizers, address conversions unchecked (H7_UNCHECKED) as the kernel's
# are (bench/radix7.c; its output is in kernel-patch/v7/README.md):
#   make kernel7-bench
$(K7H_DIR)/radix7.o: bench/radix7.c $(K7H_STAMP) $(K7H_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/pristine/include -c -o $@ $<
$(K7H_DIR)/bench/variant-%.o: $(K7H)/variant.c $(K7H_STAMP) $(K7H_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(K7H_INC) -I$(K7H_SRC)/$*/include -I$(K7H_SRC)/$* \
		-DH7_PATCHED=$(if $(filter patched,$*),1,0) -DH7_UNCHECKED -c -o $@ $<
$(K7H_DIR)/radix7: $(K7H_DIR)/radix7.o $(K7H_DIR)/bench/variant-pristine.o \
		$(K7H_DIR)/bench/variant-patched.o $(K7H_DIR)/page7.o $(K7H_DIR)/sim_mem.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

.PHONY: kernel7-bench kernel7-bench-run
kernel7-bench:
	$(Q)$(MAKE) --no-print-directory SAN= kernel7-bench-run

kernel7-bench-run: $(K7H_DIR)/radix7
	$(Q)$(K7H_DIR)/radix7 $(RADIX7_ARGS)
EXTRA_HELP += kernel7-bench
