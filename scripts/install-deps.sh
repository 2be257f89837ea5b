#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the Debian packages khotools needs, and only those that are
# missing. Idempotent and non-interactive; `make demo` and `make check` call
# it so that a fresh Debian 12 machine needs no manual set-up.
#
# usage: scripts/install-deps.sh GROUP...   (groups: build test kernel)
set -eu

pkgs_build="gcc make pkg-config libfdt-dev libkdumpfile-dev libelf-dev zlib1g-dev"
pkgs_test="perl python3 mandoc groff-base xxd"
pkgs_kernel="linux-source-6.12 flex bison bc python3-ply python3-git libelf-dev libssl-dev \
linux-headers-6.12.117+deb12-amd64 kmod"

# MiB of free space each group needs on / (download plus unpacked size,
# rounded up), so that a short disk gives a clear message instead of a
# half-installed system.
need_build=80
need_test=20
need_kernel=500

want=""
need=0
for group in "$@"; do
	case "$group" in
	build) list=$pkgs_build; n=$need_build ;;
	test) list=$pkgs_test; n=$need_test ;;
	kernel) list=$pkgs_kernel; n=$need_kernel ;;
	*) echo "install-deps: unknown group '$group'" >&2; exit 2 ;;
	esac
	for p in $list; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$status" in
		"install ok installed") ;;
		*) want="$want $p"; need=$((need + n)) ;;
		esac
	done
done

[ -n "$want" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$want" >&2
	echo "install-deps: run as root, or install them with apt-get" >&2
	exit 1
fi

avail=$(df -Pm / | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt "$need" ]; then
	echo "install-deps: need about ${need} MiB free on / for:$want; only ${avail} MiB free" >&2
	exit 1
fi

echo "install-deps: installing$want"
stamp=/var/lib/apt/periodic/khotools-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
	apt-get update -q >/dev/null
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want >/dev/null
