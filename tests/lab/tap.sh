# SPDX-License-Identifier: GPL-2.0-or-later
# TAP helpers and the ground-truth helpers shared by tests/lab/*.t and
# tests/vmcores/*.t. They fail closed: no skip directive exists here; a
# missing input is "Bail out!" (a failure). Ground truth format:
# tests/lab/README.md.

: "${KHO_BUILD:?set KHO_BUILD}" "${KHO_SRC:?set KHO_SRC}"
KHOWALK=$KHO_BUILD/tools/khowalk
KHODUMP=$KHO_BUILD/tools/khodump
LABSRC=$KHO_SRC/tests/lab
n=0
failed=0

bail() {
	echo "Bail out! $*"
	exit 1
}

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

note() {
	echo "# $*"
}

# same_file GOT WANT DESCRIPTION
same_file() {
	if [ -e "$1" ] && [ -e "$2" ] && cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff "$2" "$1" 2>&1 | head -8 | sed 's/^/#   /'
	fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got      %s\n#   expected %s\n' "$1" "$2"
	fi
}

# split_sections OUT DIR: a guest's results (its second serial port, where
# \n became \r\n) into DIR/<section> and DIR/<section>.rc.
split_sections() {
	tr -d '\r' <"$1" | awk -v d="$2" '
		/^@@begin / { f = d "/" $2; printf "" > f; next }
		/^@@end / { close(f); print $3 > (d "/" $2 ".rc"); close(d "/" $2 ".rc"); f = ""; next }
		f != "" { print >> f }'
}

done_testing() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

# Expected outputs derived from a ground truth file (README.md format).
truth_pages() { sed -n 's/^block //p' "$1"; }
truth_ranges() { sed -n 's/^range //p' "$1"; }
truth_value() { sed -n "s/^$2 //p" "$1"; }

# The part of `khowalk stats` that the ground truth fixes: everything up to
# the order table's last row.
truth_stats() {
	awk '
	/^block / { nb++ }
	/^range / { nr++ }
	/^order / { o[$2] = $3 }
	END {
		printf "format:      kho-v2 (radix tree)\npage size:   4096\n"
		bytes = 0
		for (i = 0; i < 64; i++) if (i in o) bytes += o[i] * 4096 * 2 ^ i
		printf "blocks:      %d in %d ranges\npreserved:   %.0f bytes\n", nb, nr, bytes
		printf "order      blocks            bytes\n"
		for (i = 0; i < 64; i++)
			if (i in o) printf "%5d %11d %16.0f\n", i, o[i], o[i] * 4096 * 2 ^ i
	}' "$1"
}

# One line for the report: "order 0: 11, order 1: 13, ..."
truth_orders() {
	awk '/^order / { s = s (s ? ", " : "") "o" $2 "=" $3 } END { print s }' "$1"
}

# khodump's summary (blocks line and order table) as the truth fixes it.
truth_khodump_summary() {
	truth_stats "$1" | awk '
	NR == 3 { nb = $2; nr = $4 }
	NR == 4 { printf "  blocks:    %s in %s ranges, %s bytes\n", nb, nr, $2 }
	NR >= 5 { print "  " $0 }'
}

# The same part of a khodump text output.
khodump_summary() {
	sed -n '/^summary:/,/^  metadata:/p' "$1" | sed '1d;$d'
}

# khodump_checks LABEL OUTPUT TRUTH: what every khodump text run must show.
khodump_checks() {
	truth_khodump_summary "$3" >"$2.want_summary"
	khodump_summary "$2" >"$2.got_summary"
	same_file "$2.got_summary" "$2.want_summary" \
		"$1: khodump summary, blocks and bytes per order = ground truth"
	grep -q '^KHO FDT: .* compatible "kho-v2" (version 2, radix tree)$' "$2"
	ok $? "$1: khodump decodes the kho-v2 root FDT"
	rs=$(truth_value "$3" reserve-mem | cut -d' ' -f2)
	rl=$(printf '0x%x' "$(truth_value "$3" reserve-mem | cut -d' ' -f3)")
	grep -q '^sub-node "memblock":$' "$2" &&
		grep -q '^ *decoder: "memblock-v1"$' "$2" &&
		grep -q "^ *start: $rs\$" "$2" && grep -q "^ *size: $rl\$" "$2"
	ok $? "$1: khodump decodes the memblock sub-FDT (region kho_lab at $rs, $rl bytes)"
}
