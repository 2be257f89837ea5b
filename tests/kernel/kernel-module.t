#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The radix tree builds as an out-of-tree module for Debian's
# 6.12.117+deb12-amd64 (the kernel the QEMU lab boots), from the same
# source as the series, with its tracepoints and API exported. About 5 s.
# Fails closed: no headers or no compiler is "not ok".
src=${KHO_SRC:-$(pwd)}
out=${KHO_BUILD:-$src/build}/kernel-patch/module
ko=$out/kho_radix_tree.ko
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "1..4"
if "$src/kernel-patch/scripts/build-module.sh" "$out" >"$tmp" 2>&1 && [ -f "$ko" ]; then
	echo "ok 1 - kho_radix_tree.ko builds against 6.12.117+deb12-amd64 headers"
else
	sed 's/^/# /' "$tmp" | tail -30
	echo "not ok 1 - kho_radix_tree.ko builds against 6.12.117+deb12-amd64 headers"
fi
if grep -E 'warning:|error:' "$tmp" | sed 's/^/# /' | grep .; then
	echo "not ok 2 - module build has no compiler warnings"
else
	echo "ok 2 - module build has no compiler warnings"
fi
want="kho_radix_add_page kho_radix_del_page kho_radix_walk_tree kho_radix_init_tree
kho_radix_destroy_tree kho_radix_add_range kho_radix_del_range kho_radix_trim
__tracepoint_kho_radix_add __tracepoint_kho_radix_del __tracepoint_kho_radix_node_alloc"
missing=""
for s in $want; do
	grep -q "	$s	" "$out/Module.symvers" 2>/dev/null || missing="$missing $s"
done
if [ -z "$missing" ]; then
	echo "ok 3 - API and tracepoints exported (GPL)"
else
	echo "not ok 3 - API and tracepoints exported (missing:$missing)"
fi
vm=$(/sbin/modinfo -F vermagic "$ko" 2>/dev/null || modinfo -F vermagic "$ko" 2>/dev/null)
case "$vm" in
6.12.117+deb12-amd64\ *) echo "ok 4 - vermagic is $vm" ;;
*) echo "not ok 4 - vermagic '$vm' is not 6.12.117+deb12-amd64" ;;
esac
