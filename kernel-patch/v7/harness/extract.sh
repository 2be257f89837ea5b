#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The radix tree section of upstream's kernel/liveupdate/kexec_handover.c,
# pristine and with kernel-patch/v7/series applied, for the userspace
# harness (kernel-patch/v7/harness/README.md): nothing of upstream is
# committed here, it is taken from the pristine tree at build time.
#
# usage: extract.sh TREE SERIES OUTDIR
#   TREE    the pristine git tree (kernel-patch/v7/scripts/pristine.sh),
#           read at its tag khotools-base only: its checkout is left alone
#   SERIES  kernel-patch/v7/series
#   OUTDIR  gets pristine/ and patched/, each with radix.c (the section:
#           from the comment above kho_radix_encode_key() through
#           EXPORT_SYMBOL_GPL(kho_radix_walk_tree);) and the two headers
#           the section needs, include/linux/kho_radix_tree.h and
#           include/linux/kho/abi/kexec_handover.h
# Writes to OUTDIR only when every step worked; fails with one line on
# stderr otherwise.
set -eu

[ $# -eq 3 ] || { echo "usage: extract.sh TREE SERIES OUTDIR" >&2; exit 2; }
tree=$1
series=$(cd "$2" 2>/dev/null && pwd) || { echo "extract7: no directory '$2'" >&2; exit 1; }
out=$3
die() {
	echo "extract7: $*" >&2
	exit 1
}
file=kernel/liveupdate/kexec_handover.c
hdrs="include/linux/kho_radix_tree.h include/linux/kho/abi/kexec_handover.h"

git -C "$tree" rev-parse -q --verify 'khotools-base^{commit}' >/dev/null 2>&1 ||
	die "'$tree' is not the pristine tree (no tag khotools-base; make kernel7-pristine)"
patches=""
for p in "$series"/0*.patch; do
	case $p in
	*/0000-cover-letter.patch) ;;
	*) [ -f "$p" ] && patches="$patches $p" ;;
	esac
done
[ -n "$patches" ] || die "no patches in '$series'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pristine" "$tmp/patched"
# shellcheck disable=SC2086
git -C "$tree" archive khotools-base $file $hdrs | tar -x -C "$tmp/pristine" ||
	die "cannot read $file from '$tree' at khotools-base"
cp -R "$tmp/pristine/." "$tmp/patched"
# Each patch's hunks to these files, in order: the same text git am makes.
for p in $patches; do
	(cd "$tmp/patched" && git apply --include=$file \
		--include=include/linux/kho_radix_tree.h \
		--include=include/linux/kho/abi/kexec_handover.h "$p") ||
		die "'$p' does not apply to $file"
done

# The section: the comment block right above the encoder's definition
# through the walk's export. Each anchor must be there exactly once.
section() { # section VARIANT
	f=$tmp/$1/$file
	for a in '^static unsigned long kho_radix_encode_key(' \
		'^EXPORT_SYMBOL_GPL(kho_radix_walk_tree);$'; do
		c=$(grep -c "$a" "$f" || true)
		[ "$c" = 1 ] || die "$1 $file: '$a' found $c times, not once"
	done
	awk '
		/^\/\*\*?$/ { start = NR; buf = "" }
		start { buf = buf $0 "\n" }
		/^ \*\/$/ && start { inc = 1 }
		/^static unsigned long kho_radix_encode_key\(/ {
			if (!inc || prev !~ /^ \*\/$/)
				exit 3
			printf "%s", buf
			emit = 1
			next
		}
		emit { print }
		emit && /^EXPORT_SYMBOL_GPL\(kho_radix_walk_tree\);$/ { exit 0 }
		{ prev = $0 }
		!emit && /^[^ \/]/ && !/^ \*/ { start = 0; inc = 0; buf = "" }
	' "$f" >"$tmp/$1/radix.c" ||
		die "$1 $file: no comment block right above kho_radix_encode_key()"
	tail -n 1 "$tmp/$1/radix.c" | grep -q '^EXPORT_SYMBOL_GPL(kho_radix_walk_tree);$' ||
		die "$1 $file: the walk's export does not follow the encoder"
}
section pristine
section patched

mkdir -p "$out"
for v in pristine patched; do
	rm -rf "${out:?}/$v"
	mkdir -p "$out/$v/include/linux/kho/abi"
	cp "$tmp/$v/radix.c" "$out/$v/radix.c"
	cp "$tmp/$v/include/linux/kho_radix_tree.h" "$out/$v/include/linux/"
	cp "$tmp/$v/include/linux/kho/abi/kexec_handover.h" "$out/$v/include/linux/kho/abi/"
done
echo "$(wc -l <"$out/pristine/radix.c") pristine and $(wc -l <"$out/patched/radix.c") patched lines of $file's radix tree in $out"
