// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the kho-v2 radix-tree walker over a fuzzed memory image. */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_walk(data, size, KHOR_FMT_RADIX);
}
