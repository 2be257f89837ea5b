/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../kernel7_shim.h"
