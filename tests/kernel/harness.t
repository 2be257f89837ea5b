#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel radix tree (kernel-patch/src/lib/kho_radix_tree.c) in the
# userspace harness: golden trees, random operations against a reference
# set, allocation-failure rollback, range API and trim. The number of random
# operations is KHO_HARNESS_OPS (default 100000); the seed is fixed.
h=${KHO_BUILD:-build}/kernel-patch/harness/kho_radix_harness
if [ ! -x "$h" ]; then
	echo "1..1"
	echo "not ok 1 - harness not built: $h"
	exit 1
fi
exec "$h" --seed "${KHO_HARNESS_SEED:-20261122}"
