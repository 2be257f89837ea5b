# SPDX-License-Identifier: GPL-2.0-or-later
#
# khotrace: bpf/kho_trace.bpf.c + bpf/kho_trace.h + tools/khotrace*.c,
# the libbpf-tools pattern:
#
#   $(O)/bpf/vmlinux.h        bpftool btf dump of $(KT_BTF), generated, never
#                             committed: /sys/kernel/btf/vmlinux when the
#                             build host has it, else the BTF-only vmlinux of
#                             Debian's linux-headers package (CO-RE makes
#                             either one fit every kernel)
#   $(O)/bpf/kho_trace.bpf.o  clang -target bpf, stripped of DWARF
#   $(O)/bpf/kho_trace.skel.h bpftool gen skeleton
#   $(O)/tools/khotrace       the loader, one static binary (libbpf.a,
#                             libelf.a, libz.a, libzstd.a) so that it runs in
#                             the lab's busybox guest as it is
#
# khotrace is not in TOOLS: mk/tools.mk's generic rule links the library
# and would not be static. It is built without sanitizers even under SAN=1
# (a static binary cannot carry the ASan runtime); the sanitized build
# uses the same binary.
# KT_BTF=FILE picks another BTF source.

DEPS_GROUPS += bpf
DEPS_FAST_GROUPS += bpf

KT_HDR_VMLINUX := /usr/src/linux-headers-6.12.117+deb12-amd64/vmlinux
KT_BTF ?= $(firstword $(wildcard /sys/kernel/btf/vmlinux $(KT_HDR_VMLINUX) \
	/lib/modules/6.12.117+deb12-amd64/build/vmlinux))
BPFTOOL ?= bpftool
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
KT_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

KT_DIR := $(O)/bpf
KT_BIN := $(O)/tools/khotrace
KT_BPF_CFLAGS := -g -O2 -Wall -Werror=undef -target bpf -D__TARGET_ARCH_$(KT_ARCH)
KT_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) -I$(KT_DIR) -Ibpf -Itools -Ilib
KT_LIBS := -lbpf -lelf -lz -lzstd

ALL_TARGETS += $(KT_BIN)
INSTALL_RULES += install-khotrace

$(KT_DIR)/vmlinux.h: | $(KT_DIR)/
	$(Q)if [ -z "$(KT_BTF)" ]; then \
		echo "khotrace: no BTF to generate vmlinux.h from (no /sys/kernel/btf/vmlinux," \
			"no $(KT_HDR_VMLINUX); scripts/install-deps.sh bpf)" >&2; exit 1; fi
	$(call msg,BTF,$@)$(BPFTOOL) btf dump file $(KT_BTF) format c >$@.tmp && mv $@.tmp $@

$(KT_DIR)/kho_trace.bpf.o: bpf/kho_trace.bpf.c bpf/kho_trace.h $(KT_DIR)/vmlinux.h mk/bpf.mk
	$(call msg,BPF,$@)$(CLANG) $(KT_BPF_CFLAGS) -I$(KT_DIR) -Ibpf -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(KT_DIR)/kho_trace.skel.h: $(KT_DIR)/kho_trace.bpf.o
	$(call msg,GEN-SKEL,$@)$(BPFTOOL) gen skeleton $< name kho_trace_bpf >$@.tmp && mv $@.tmp $@

# common.c's JSON and message helpers, in sections of their own so that
# the parts that need libkhoradix (memory sources) are dropped at link.
$(KT_DIR)/common.o: tools/common.c tools/common.h | $(KT_DIR)/
	$(call msg,CC,$@)$(CC) $(KT_CFLAGS) -ffunction-sections -fdata-sections -c -o $@ $<

# The loader: options and main loop, attach points, the run's state,
# views, kallsyms; and
# the library's key codec, built here without sanitizers like the rest.
KT_SRCS := tools/khotrace.c tools/khotrace_attach.c tools/khotrace_run.c \
	tools/khotrace_views.c tools/kallsyms.c
KT_OBJS := $(patsubst tools/%.c,$(KT_DIR)/%.o,$(KT_SRCS)) $(KT_DIR)/codec.o

$(filter $(KT_DIR)/khotrace%,$(KT_OBJS)): $(KT_DIR)/%.o: tools/%.c tools/khotrace.h \
		tools/kallsyms.h bpf/kho_trace.h $(KT_DIR)/kho_trace.skel.h tools/common.h \
		| $(KT_DIR)/
	$(call msg,CC,$@)$(CC) $(KT_CFLAGS) -ffunction-sections -fdata-sections -c -o $@ $<

$(KT_DIR)/kallsyms.o: tools/kallsyms.c tools/kallsyms.h | $(KT_DIR)/
	$(call msg,CC,$@)$(CC) $(KT_CFLAGS) -ffunction-sections -fdata-sections -c -o $@ $<

$(KT_DIR)/codec.o: lib/codec.c lib/internal.h lib/radix_reader.h | $(KT_DIR)/
	$(call msg,CC,$@)$(CC) $(KT_CFLAGS) -DKHOR_BUILDING_LIBRARY -fvisibility=hidden \
		-ffunction-sections -fdata-sections -c -o $@ $<

$(KT_BIN): $(KT_OBJS) $(KT_DIR)/common.o | $(O)/tools/
	$(call msg,LD,$@)$(CC) -static -Wl,--gc-sections -o $@ $^ $(LDFLAGS) $(KT_LIBS)

.PHONY: install-khotrace
install-khotrace: $(KT_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(KT_BIN) $(DESTDIR)$(BINDIR)/
