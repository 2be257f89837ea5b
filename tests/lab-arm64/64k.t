#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The arm64 lab at 64 KiB pages (handover.sh; mk/lab-arm64.mk).
ARM64_KIB=64
. "$KHO_SRC/tests/lab-arm64/handover.sh"
