#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install the Debian packages khotools needs, and only those that are
# missing. Idempotent and non-interactive; `make demo` and `make check` call
# it so that a fresh Debian 12 machine needs no manual set-up.
#
# usage: scripts/install-deps.sh GROUP...
# Each group is scripts/deps/GROUP.txt: one package per line, '#' comments,
# and a "# need-mib: N" line giving the free disk space (MiB) the group
# needs, so that a short disk gives a clear message instead of a
# half-installed system.
set -eu

dir=$(dirname "$0")/deps
want=""
need=0
for group in "$@"; do
	list=$dir/$group.txt
	if [ ! -r "$list" ]; then
		echo "install-deps: unknown group '$group' (no $list)" >&2
		exit 2
	fi
	n=$(sed -n 's/^# need-mib: *//p' "$list")
	for p in $(grep -v '^#' "$list"); do
		case " $want " in *" $p "*) continue ;; esac
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		if [ "$status" != "install ok installed" ]; then
			want="$want $p"
			need=$((need + ${n:-50}))
		fi
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
# Refresh the package lists once; a failed install is retried after a
# refresh in case the lists were stale.
stamp=/var/lib/apt/lists/khotools-update-stamp
if [ ! -e "$stamp" ]; then
	apt-get update -q >/dev/null
	touch "$stamp"
fi
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want >/dev/null; then
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $want >/dev/null
fi
