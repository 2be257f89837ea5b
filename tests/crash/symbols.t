#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kho.so (mk/crash.mk) exports no symbol of its own: crash loads extensions
# with RTLD_GLOBAL, so an exported khor_*, libfdt-like or tool helper
# (errmsg, json_*, usage ...) could collide with crash or another
# extension. It must still import crash's interface (the constructor calls
# register_extension); tests/lab/crash.t loads it into crash.
: "${KHO_BUILD:?set KHO_BUILD}"
SO=$KHO_BUILD/crash/kho.so
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
[ -s "$SO" ] || { echo "Bail out! no $SO"; exit 1; }
command -v nm >/dev/null || { echo "Bail out! nm is not installed (binutils)"; exit 1; }

defined=$(nm -D --defined-only "$SO" | awk '{ print $NF }')
[ -z "$defined" ]
ok $? "kho.so exports no symbol"
[ -n "$defined" ] && echo "$defined" | head -5 | sed 's/^/#   /'
undef=$(nm -D --undefined-only "$SO" | awk '{ print $NF }')
for s in register_extension readmem fp args argcnt; do
	echo "$undef" | grep -q -x "$s"
	ok $? "kho.so takes '$s' from crash"
done
echo "$undef" | grep -q '^khor_\|^errmsg$\|^json_\|^khowalk_run$\|^khodump_run$'
[ $? -ne 0 ]
ok $? "the library and the tools are linked in, not imported"
nm -D "$SO" | grep -q ' U .*asan\| U __ubsan'
[ $? -ne 0 ]
ok $? "kho.so is not sanitized (crash is not built with ASan)"
strings "$SO" | grep -q -x '    find PHYS         the preserved block (of any order) that holds PHYS,'
ok $? "the help page (help kho) is in the object"
echo "1..$n"
[ "$failed" -eq 0 ]
