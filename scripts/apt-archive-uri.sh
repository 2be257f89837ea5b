#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the Debian archive URI this machine's apt uses: the first URI that
# serves the machine's main suite (not its -security or -updates twin),
# from deb822 .sources files or one-line .list files. The private apt
# configuration of the lab scripts (scripts/apt-private.sh)
# takes the archive from here, so no host name is written into the repo.
set -eu

for f in /etc/apt/sources.list.d/*.sources; do
	[ -r "$f" ] || continue
	awk 'BEGIN { RS = ""; FS = "\n" }
	{
		uri = ""; suites = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri = u[1] }
			if ($i ~ /^Suites:/) suites = $i
		}
		if (uri != "" && suites !~ /-security/) { print uri; exit }
	}' "$f"
done | head -n 1 | grep . && exit 0
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -r "$f" ] || continue
	awk '$1 == "deb" {
		for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
		if ($(i + 1) !~ /-security/) { print $i; exit }
	}' "$f"
done | head -n 1 | grep .
