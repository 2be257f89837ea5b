/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kho_radix

#if !defined(_TRACE_KHO_RADIX_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KHO_RADIX_H

#include <linux/tracepoint.h>
#include <linux/types.h>

/*
 * @level is where the event happened in the tree: for kho_radix_add and
 * kho_radix_del, the level of the table whose entry on the key's path was
 * empty (0 when the whole path existed); for kho_radix_node_alloc, the
 * level of the new node (0 for a leaf bitmap).
 */
DECLARE_EVENT_CLASS(kho_radix_class,
		    TP_PROTO(unsigned long pfn, unsigned int order, u64 key,
			     unsigned int level),
		    TP_ARGS(pfn, order, key, level),
		    TP_STRUCT__entry(__field(unsigned long, pfn)
				     __field(unsigned int, order)
				     __field(unsigned int, level)
				     __field(u64, key)),
		    TP_fast_assign(__entry->pfn = pfn;
				   __entry->order = order;
				   __entry->level = level;
				   __entry->key = key;),
		    TP_printk("pfn=0x%lx order=%u key=0x%llx level=%u",
			      __entry->pfn, __entry->order, __entry->key,
			      __entry->level)
);

DEFINE_EVENT(kho_radix_class, kho_radix_add,
	     TP_PROTO(unsigned long pfn, unsigned int order, u64 key,
		      unsigned int level),
	     TP_ARGS(pfn, order, key, level));

DEFINE_EVENT(kho_radix_class, kho_radix_del,
	     TP_PROTO(unsigned long pfn, unsigned int order, u64 key,
		      unsigned int level),
	     TP_ARGS(pfn, order, key, level));

DEFINE_EVENT(kho_radix_class, kho_radix_node_alloc,
	     TP_PROTO(unsigned long pfn, unsigned int order, u64 key,
		      unsigned int level),
	     TP_ARGS(pfn, order, key, level));

#endif /* _TRACE_KHO_RADIX_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
