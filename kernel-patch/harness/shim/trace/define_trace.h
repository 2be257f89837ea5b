/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Nothing to define: the harness has no trace buffers. */
