/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF side (kho_trace.bpf.c) and the loader
 * (tools/khotrace.c), libbpf-tools style: constants and plain structs of
 * fixed-width fields only.
 */
#ifndef KHO_TRACE_H
#define KHO_TRACE_H

#define KT_COMM_LEN		16
#define KT_MAX_STACK		32	/* frames kept per stack */
#define KT_MAX_NEST		4	/* nested KHO API calls per thread */
#define KT_MAX_SPLIT		64	/* blocks of one page range */
#define KT_MAX_RUN		(1 << 20)	/* blocks of one run (bpf_loop) */
#define KT_MAX_LEVEL		8	/* radix levels counted (0 = leaf) */
#define KT_CHURN_RING		16	/* re-preserve times kept per key: max -n */

/* A stack id that is not one: none could be taken, or none was needed. */
#define KT_STACK_NONE		(-1)
#define KT_STACK_LATER		(-2)	/* not taken yet */

/* What happened to a key. */
enum kt_op {
	KT_OP_PRESERVE = 1,
	KT_OP_UNPRESERVE = 2,
	KT_OP_NODE_ALLOC = 3,	/* a radix table or leaf was allocated */
	KT_OP_API_ERROR = 4,	/* a preserve call failed: no key recorded */
};

/*
 * The functions and tracepoints khotrace can attach to. The first group
 * is the KHO API (exported, called by clients from other files, so never
 * inlined into them); the second holds the per-block internals, of which
 * one pair is used (tracepoints first).
 */
enum kt_fn {
	KT_FN_NONE = 0,
	KT_FN_PRESERVE_FOLIO,
	KT_FN_UNPRESERVE_FOLIO,
	KT_FN_PRESERVE_PAGES,
	KT_FN_UNPRESERVE_PAGES,
	KT_FN_PRESERVE_VMALLOC,
	KT_FN_UNPRESERVE_VMALLOC,
	KT_FN_PRESERVE_PHYS,		/* 6.16/6.17 only */
	KT_FN_ALLOC_PRESERVE,		/* 6.19+: kho_alloc_preserve() */
	KT_FN_UNPRESERVE_FREE,
	KT_FN_API_LAST = KT_FN_UNPRESERVE_FREE,
	KT_FN_RADIX_ADD_PAGE,		/* kho-v2: kho_radix_add_page() */
	KT_FN_RADIX_DEL_PAGE,
	KT_FN_PRESERVE_ORDER,		/* kho-v1: __kho_preserve_order() */
	KT_FN_UNPRESERVE_ORDER,
	KT_FN_TP_ADD,			/* tracepoint kho_radix:kho_radix_add */
	KT_FN_TP_DEL,
	KT_FN_TP_NODE_ALLOC,
	KT_FN_RADIX_ADD_BLOCKS,		/* kernel-patch/v7: __kho_radix_add_blocks() */
	KT_FN_RADIX_DEL_BLOCKS,
	KT_FN__COUNT,
};

/* Anomalies, as flags of a key event. */
enum kt_anomaly {
	KT_ANOM_DOUBLE_PRESERVE = 1,	/* preserve of a preserved key */
	KT_ANOM_UNPRESERVE_UNKNOWN = 2,	/* unpreserve of a key never preserved */
	KT_ANOM_DOUBLE_UNPRESERVE = 4,	/* unpreserve of an unpreserved key */
};
#define KT_NR_ANOM 3

/* Per-CPU counters (map "counters"); everything lost is counted here. */
enum kt_counter {
	KT_C_KEY_EVENTS,	/* preserve/unpreserve of one key */
	KT_C_PRESERVES,
	KT_C_UNPRESERVES,
	KT_C_API_CALLS,
	KT_C_API_ERRORS,
	KT_C_NODE_ALLOCS,
	KT_C_INNER_SKIPPED,	/* block events already counted by the API */
	KT_C_ANOM_DOUBLE_PRESERVE,
	KT_C_ANOM_UNPRESERVE_UNKNOWN,
	KT_C_ANOM_DOUBLE_UNPRESERVE,
	KT_C_KEY_INSERTS,	/* new entries of "keys" (evictions = inserts - entries) */
	KT_C_STACK_INSERTS,	/* new entries of "by_stack" */
	KT_C_PROC_INSERTS,	/* new entries of "by_proc" */
	/* losses: */
	KT_C_RB_DROPS,		/* ring buffer full */
	KT_C_STACK_ERRORS,	/* bpf_get_stack() failed, or "stacks" is full */
	KT_C_STACK_COLLISIONS,	/* another stack has the same 31-bit hash */
	KT_C_MAP_ERRORS,	/* an update of an LRU map failed */
	KT_C_CTX_ERRORS,	/* no room for a thread's call context */
	KT_C_NEST_OVERFLOW,	/* API calls nested deeper than KT_MAX_NEST */
	KT_C_SPLIT_TRUNCATED,	/* a range split into more than KT_MAX_SPLIT blocks,
				 * or a run of more than KT_MAX_RUN */
	KT_C__COUNT,
};

enum kt_event_kind {
	KT_EV_KEY = 1,		/* op is PRESERVE or UNPRESERVE */
	KT_EV_NODE = 2,		/* op NODE_ALLOC, level set */
	KT_EV_ERROR = 3,	/* op API_ERROR, ret set */
};

struct kt_event {
	__u64 ts;		/* CLOCK_MONOTONIC ns */
	__u64 key;		/* radix key (KHO_ABI §1.3) */
	__u64 pfn;
	__u32 pid;
	__u32 tgid;
	__s32 stack_id;		/* in map "stacks"; < 0: not captured */
	__s32 ret;
	__u8 kind;
	__u8 op;
	__u8 api;		/* outermost KHO API function, or the probe */
	__u8 src;		/* the probe that saw the key */
	__u8 order;
	__u8 anomaly;
	__u8 level;
	__u8 pad;
	char comm[KT_COMM_LEN];
};

/* What an attach point returns on this kernel (BTF). Unpreserve functions
 * returned int in some 6.18-era trees, void from 6.19 on. */
enum kt_ret {
	KT_RET_VOID = 0,
	KT_RET_INT = 1,
	KT_RET_PTR = 2,		/* a pointer or ERR_PTR() */
};

/* Map "kt_cfg": set by the loader after load, before attach. */
struct kt_config {
	__u64 churn_window_ns;	/* churn: re-preserves within this window */
	__u64 vmemmap_default;	/* x86-64 vmemmap base without KASLR */
	__u32 targ_tgid;	/* 0: every process */
	__u32 page_shift;
	__u32 churn_cycles;	/* at most KT_CHURN_RING */
	__u8 emit_all;		/* events view: every event and stack */
	__u8 radix_keys;	/* keys from the block events; API = context */
	__u8 nr_is_u32;		/* kho_preserve_pages(): unsigned int nr_pages */
	__u8 blk_add_src;	/* KT_FN_* the block probes are attached to */
	__u8 blk_del_src;
	__u8 ret_kind[KT_FN__COUNT];	/* enum kt_ret */
};

/*
 * Map "keys": what the tracer knows of one key, churn included: the times
 * of the last churn_cycles re-preserves, and the most of them seen within
 * the window.
 */
struct kt_key_state {
	__u64 first_ts;
	__u64 last_ts;
	__u32 preserves;
	__u32 unpreserves;
	__u32 represerves;	/* preserves that followed an unpreserve */
	__s32 p_stack;		/* stack of the last preserve sampled */
	__s32 u_stack;		/* stack of the last unpreserve sampled */
	__u32 tgid;		/* process of the last event */
	__u32 max_window;	/* most re-preserves within the window */
	__u32 ring_n;
	__u32 ring_head;
	__u8 preserved;
	__u8 api;
	__u8 pad[2];
	__u64 ring[KT_CHURN_RING];
};

/* Map "by_stack": counts per (stack, op, API function). */
struct kt_stack_key {
	__s32 stack_id;
	__u8 op;
	__u8 api;
	__u16 pad;
};

struct kt_count {
	__u64 count;
};

/* Map "by_proc": per process. */
struct kt_proc {
	__u64 preserves;
	__u64 unpreserves;
	__u64 errors;
	char comm[KT_COMM_LEN];
};

#endif /* KHO_TRACE_H */
