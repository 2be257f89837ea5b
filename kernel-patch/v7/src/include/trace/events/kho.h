/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kho

#if !defined(_TRACE_KHO_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KHO_H

#include <linux/pfn.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

/*
 * kho_radix_add: a block was marked preserved in a KHO radix tree, after
 * its bit was set (never for a call that failed); @nodes is the number of
 * tree pages (tables and leaf) the call allocated on the block's path.
 * kho_radix_del: a block's bit was cleared; @nodes is the number of tree
 * pages the deletion left empty and freed.
 * The prototype begins with the block (@pfn, @order) and its radix @key so
 * that raw tracepoint programs need not read the record.
 */
DECLARE_EVENT_CLASS(kho_radix_class,
		    TP_PROTO(unsigned long pfn, unsigned int order,
			     unsigned long key, unsigned int nodes),
		    TP_ARGS(pfn, order, key, nodes),
		    TP_STRUCT__entry(__field(unsigned long, key)
				     __field(u64, phys)
				     __field(unsigned int, order)
				     __field(unsigned int, nodes)),
		    TP_fast_assign(__entry->key = key;
				   __entry->phys = PFN_PHYS(pfn);
				   __entry->order = order;
				   __entry->nodes = nodes;),
		    TP_printk("key=0x%lx phys=0x%llx order=%u nodes=%u",
			      __entry->key, __entry->phys, __entry->order,
			      __entry->nodes)
);

DEFINE_EVENT(kho_radix_class, kho_radix_add,
	     TP_PROTO(unsigned long pfn, unsigned int order,
		      unsigned long key, unsigned int nodes),
	     TP_ARGS(pfn, order, key, nodes));

DEFINE_EVENT(kho_radix_class, kho_radix_del,
	     TP_PROTO(unsigned long pfn, unsigned int order,
		      unsigned long key, unsigned int nodes),
	     TP_ARGS(pfn, order, key, nodes));

/*
 * The preserve and unpreserve entry points of the KHO API, on entry: the
 * first page frame and the number of pages asked for (1 << order for a
 * folio; for vmalloc, the area's first page and its page count).
 */
DECLARE_EVENT_CLASS(kho_preserve_class,
		    TP_PROTO(unsigned long pfn, unsigned long nr_pages),
		    TP_ARGS(pfn, nr_pages),
		    TP_STRUCT__entry(__field(u64, phys)
				     __field(unsigned long, nr_pages)),
		    TP_fast_assign(__entry->phys = PFN_PHYS(pfn);
				   __entry->nr_pages = nr_pages;),
		    TP_printk("phys=0x%llx nr_pages=%lu",
			      __entry->phys, __entry->nr_pages)
);

DEFINE_EVENT(kho_preserve_class, kho_preserve_folio,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

DEFINE_EVENT(kho_preserve_class, kho_unpreserve_folio,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

DEFINE_EVENT(kho_preserve_class, kho_preserve_pages,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

DEFINE_EVENT(kho_preserve_class, kho_unpreserve_pages,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

DEFINE_EVENT(kho_preserve_class, kho_preserve_vmalloc,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

DEFINE_EVENT(kho_preserve_class, kho_unpreserve_vmalloc,
	     TP_PROTO(unsigned long pfn, unsigned long nr_pages),
	     TP_ARGS(pfn, nr_pages));

#endif /* _TRACE_KHO_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
