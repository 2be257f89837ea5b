# SPDX-License-Identifier: GPL-2.0-or-later
# kho-v1 walker tests (shell TAP): the upstream kho-v1 fixtures, corrupt
# copies of them (tests/v1/vmpatch.pl), the bitmap-size decision, and the
# same preserved set as v1-512, v1-4096 and v2 (tests/v1/mixed.t, whose
# inputs the independent generator writes). khowalk comes from `all`.

FAST_TESTS += $(sort $(wildcard tests/v1/*.t))
TEST_DEPS += $(O)/tests/gen/mkkhoimg
