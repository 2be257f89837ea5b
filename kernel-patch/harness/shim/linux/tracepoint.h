/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracepoints become calls of harness_trace(), so that the harness counts
 * the events of the real include/trace/events/kho_radix.h.
 */
#include "../kernel_shim.h"

#define TP_PROTO(args...) args
#define TP_ARGS(args...) args
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args)			\
	static inline void trace_##name(proto)				\
	{								\
		harness_trace(#name, args);				\
	}
