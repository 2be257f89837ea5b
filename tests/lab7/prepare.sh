#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prepare the upstream 7.x lab: the kernel (scripts/upstream-kernel.sh,
# cached by version), kho_lab7.ko built against its tree, the static
# lab7-handover program, the initramfs and the suites' configuration.
#
# usage: tests/lab7/prepare.sh SRC_DIR LAB7_DIR CACHE_DIR MOD_DIR TOOL...
#   LAB7_DIR  where the initramfs and config.sh go ($(O)/lab7)
#   MOD_DIR   where the module is built (build/lab7/mod: not SAN-dependent)
#
# The arm64 lab (mk/lab-arm64.mk) prepares with the same steps for
# KERNEL_ARCH=arm64 and KERNEL_PAGE_SIZE=16384 or 65536 in the environment:
# the kernel of tests/lab-arm64/kho-7x-arm64.config cross-built at that
# page size, the module and lab7-handover cross-built, and the guest's
# busybox and the TOOLs' libraries from scripts/arm64-sysroot.sh; the TOOLs
# must then be arm64 builds. config.sh also says how to boot it.
set -eu

src=$(cd "${1:?usage: prepare.sh SRC_DIR LAB7_DIR CACHE_DIR MOD_DIR TOOL...}" && pwd)
dir=${2:?} cache=${3:?} mod=${4:?}
shift 4

die() {
	echo "lab7-prepare: $*" >&2
	exit 1
}

arch=${KERNEL_ARCH:-x86_64}
case $arch in
x86_64)
	frag=$src/tests/lab7/kho-7x.config kcache=$cache/upstream image=bzImage
	cc="cc" qemu="qemu-system-x86_64" console=ttyS0 mem=2G
	qargs="" out=""
	;;
arm64)
	psize=${KERNEL_PAGE_SIZE:?KERNEL_PAGE_SIZE for KERNEL_ARCH=arm64}
	frag=$src/tests/lab-arm64/kho-7x-arm64.config image=Image
	kcache=$cache/upstream/arm64-$((psize / 1024))k
	cc="aarch64-linux-gnu-gcc" qemu="qemu-system-aarch64" console=ttyAMA0
	# At 64 KiB a scratch area is aligned to PAGE_SIZE << MAX_PAGE_ORDER
	# (512 MiB) and test_kho asks for folios up to that order: 3 GiB is
	# too little for its allocation, 6 GiB works.
	mem=2G
	[ "$psize" != 65536 ] || mem=6G
	# virt has one UART: results on a virtio console; the vmcoreinfo
	# device gives QMP dumps the page size (VMCOREINFO's PAGESIZE=).
	# Dumps are sparse files: a 6 GiB guest, three dumps.
	qargs="--machine virt --cpu max --results-on virtio --vmcoreinfo --sparse-dumps"
	out="lab7.out=hvc0"
	sysroot=$("$src/scripts/arm64-sysroot.sh" "$cache") || die "no arm64 sysroot"
	export GUEST_SYSROOT="$sysroot" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	;;
*) die "unknown KERNEL_ARCH '$arch'" ;;
esac
# LAB7_SERIES=DIR: the kernel with that series applied (kernel-patch/v7).
if [ -n "${LAB7_SERIES:-}" ]; then
	[ "$arch" = x86_64 ] || die "LAB7_SERIES is for the x86-64 kernel"
	kver=$("$src/scripts/upstream-kernel-patched.sh" "$cache" "$frag" "$LAB7_SERIES") ||
		die "no patched upstream kernel"
else
	kver=$("$src/scripts/upstream-kernel.sh" "$cache" "$frag") ||
		die "no upstream kernel"
fi
kdir=$kcache/$kver
[ -s "$kdir/$image" ] && [ -f "$kdir/build/Makefile" ] ||
	die "incomplete kernel cache '$kdir'"

# The module, out of tree against the configured and built 7.x tree.
mkdir -p "$mod" "$dir"
mod=$(cd "$mod" && pwd)
dir=$(cd "$dir" && pwd)
for f in tests/lab7/mod/kho_lab7.c tests/lab7/mod/Kbuild \
	tests/lab/mod/kho_lab_common.h; do
	cmp -s "$src/$f" "$mod/${f##*/}" 2>/dev/null || cp "$src/$f" "$mod/"
done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -C "$kdir/build" M="$mod" modules >"$mod/build.log" 2>&1 || {
	cat "$mod/build.log" >&2
	die "kbuild of kho_lab7 failed (log: $mod/build.log)"
}
if grep -E 'warning:' "$mod/build.log" >&2; then
	die "kbuild printed warnings (log: $mod/build.log)"
fi
[ -s "$mod/kho_lab7.ko" ] || die "no kho_lab7.ko"

# The guest's LUO and kexec program: static, no warnings.
$cc -static -O2 -Wall -Wextra -Werror -o "$dir/lab7-handover" \
	"$src/tests/lab7/guest/lab7-handover.c" || die "cannot build lab7-handover"

"$src/tests/lab7/mkinitramfs.sh" "$dir/initramfs.cpio" "$src" \
	"$mod/kho_lab7.ko" "$kdir/$image" "$dir/lab7-handover" "$@" ||
	die "cannot pack the initramfs"

pkg=$(cat "$kdir/key" | cut -d' ' -f1)
printf '%s\n' \
	"LAB7_KVER='$(cat "$kdir/version")'" \
	"LAB7_PKG='$pkg'" \
	"LAB7_BUILD_SECONDS='$(cat "$kdir/build-seconds")'" \
	"LAB7_KERNEL='$kdir/$image'" \
	"LAB7_VMLINUX='$kdir/vmlinux'" \
	"LAB7_SYSTEM_MAP='$kdir/System.map'" \
	"LAB7_INITRD='$dir/initramfs.cpio'" \
	"LAB7_DIR='$dir'" \
	"LAB7_ARCH='$arch'" \
	"LAB7_QEMU='$qemu'" \
	"LAB7_QEMU_ARGS='--qemu $qemu $qargs'" \
	"LAB7_CONSOLE='$console'" \
	"LAB7_MEM='$mem'" \
	"LAB7_APPEND='$out'" >"$dir/config.sh"
