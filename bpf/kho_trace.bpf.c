// SPDX-License-Identifier: GPL-2.0
/*
 * kho_trace: BPF side of khotrace(8). Follows preserve/unpreserve of KHO
 * keys and the allocation of radix-tree nodes.
 *
 * Two layers are probed; which functions exist and how to reach them is
 * decided by the loader at run time (every program here is attached by
 * hand, targets set with bpf_program__set_attach_target()):
 *
 *  - the KHO API (kho_preserve_folio() & co.): exported functions called
 *    by clients in other files, so they are never inlined into their
 *    callers. The entry probe records the thread's call context (the
 *    client's kernel stack, the arguments); the exit probe turns it into
 *    keys, only when the call succeeded.
 *  - the per-block internals (tracepoints kho_radix_add/del, else
 *    kho_radix_add_page()/kho_radix_del_page() on kho-v2 kernels, else
 *    __kho_preserve_order()/__kho_unpreserve_order() on kho-v1). Inside a
 *    keyed API call they are skipped (the API already counted the keys:
 *    upstream may inline them into the API, so they cannot be the only
 *    source); outside one (direct tree users, kho_preserve_vmalloc()'s
 *    pages) they are the source of keys.
 *  - with radix_keys (upstream 7.x: kho_radix_add_page() and
 *    kho_radix_del_page() probed, no tracepoints), keys come from the
 *    block events only and the API gives context (the function a client
 *    called, its stack): the kernel splits a page range at NUMA node
 *    boundaries, which the API's arguments cannot tell.
 *
 * Cost: the totals (keys, churn windows, per-stack and per-process counts)
 * are kept here, in maps the loader reads at the end; only the events
 * view streams every key event. A kernel stack walk costs more than the
 * rest of an event together, so a stack is taken only when it can matter:
 * a key's first preserve and first unpreserve, an anomaly, a key that
 * changes process, and again when a key's count on that side reaches a
 * power of two (a caller that changed shows within a doubling); between
 * those, an event counts against the stack its key last sampled.
 *
 * Keys are the radix keys of KHO_ABI §1.3: 1 << (64 - PAGE_SHIFT - order)
 * | pfn >> order.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kho_trace.h"

/*
 * Configuration (struct kt_config in map "kt_cfg"), written by the loader between load and
 * attach. A map rather than libbpf-tools' const volatile .rodata: libbpf
 * decides whether the kernel supports global data by loading a socket
 * filter, and a kernel without CONFIG_NET (upstream's tinyconfig, the 7.x
 * lab) fails that probe, so libbpf would not create .rodata at all. Array
 * lookups are inlined by the verifier: a load, not a call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kt_config);
} kt_cfg SEC(".maps");

static __always_inline struct kt_config *cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kt_cfg, &zero);
}

#define C(field)	({ struct kt_config *c_ = cfg(); c_ ? c_->field : 0; })

/* A variable under CONFIG_DYNAMIC_MEMORY_LAYOUT (KASLR); else absent. */
extern const void vmemmap_base __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* the loader sets -b */
} events SEC(".maps");

/*
 * Kernel stacks, keyed by a 31-bit hash of their frames (get_stack()).
 * Not a BPF_MAP_TYPE_STACK_TRACE: bpf_get_stackid() keeps one stack per
 * bucket of max_entries and drops a second stack that hashes to a taken
 * bucket (-EEXIST), which with a hundred distinct stacks in 16384 buckets
 * happens in about a third of the runs (the lab saw it). Here two stacks
 * share an id only if 31 hash bits agree, and that is checked.
 */
struct kt_stack {
	__u64 ip[KT_MAX_STACK];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);	/* the loader sets --max-stacks */
	__type(key, __u32);
	__type(value, struct kt_stack);
} stacks SEC(".maps");

/* Where a stack is taken before it is hashed (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kt_stack);
} stack_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct kt_key_state);
} keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kt_stack_key);
	__type(value, struct kt_count);
} by_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kt_proc);
} by_proc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_C__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KT_MAX_LEVEL);
	__type(key, __u32);
	__type(value, __u64);
} nodes SEC(".maps");

/* A thread inside KHO API calls. Deleted when the outermost returns. */
struct kt_ctx {
	__u64 a0[KT_MAX_NEST];
	__u64 a1[KT_MAX_NEST];
	__s32 stack_id;
	__u8 fn[KT_MAX_NEST];
	__u8 depth;
	__u8 keyed;		/* depth + 1 of the call that records keys */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kt_ctx);
} ctxs SEC(".maps");

/* kprobe mode: the block add's arguments, from entry to return; for a
 * run, also where the kernel advances the first pfn. */
struct kt_blk_args {
	__u64 pfn;
	__u32 order;
	__s32 stack_id;
	__u64 pfn_ptr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kt_blk_args);
} blk_args SEC(".maps");

/* Flavours of struct folio (CO-RE picks the one the kernel has). */
struct folio___flags_ulong {
	unsigned long flags;
	unsigned long _flags_1;
} __attribute__((preserve_access_index));

/* memdesc_flags_t wraps the flags word in later kernels. */
struct memdesc_flags_t___kt {
	unsigned long f;
} __attribute__((preserve_access_index));

struct folio___flags_memdesc {
	struct memdesc_flags_t___kt flags;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline bool skip_task(void)
{
	return C(targ_tgid) && (bpf_get_current_pid_tgid() >> 32) != C(targ_tgid);
}

/*
 * The current kernel stack's id in "stacks" (a 31-bit FNV-1a hash of its
 * frames, the unused frames zero), or -1 if it could not be kept.
 */
static __always_inline __s32 get_stack(void *ctx)
{
	__u64 h = 0xcbf29ce484222325ULL;
	struct kt_stack *st, *old;
	__u32 zero = 0, id;
	long len;
	int i;

	st = bpf_map_lookup_elem(&stack_scratch, &zero);
	if (!st) {
		count(KT_C_STACK_ERRORS);
		return -1;
	}
	len = bpf_get_stack(ctx, st->ip, sizeof(st->ip), 0);
	if (len < 0) {
		count(KT_C_STACK_ERRORS);
		return -1;
	}
	for (i = 0; i < KT_MAX_STACK; i++) {
		if ((long)(i * sizeof(__u64)) >= len)
			st->ip[i] = 0;
		h = (h ^ st->ip[i]) * 0x100000001b3ULL;
	}
	id = (__u32)(h ^ (h >> 32)) & 0x7fffffff;
	if (bpf_map_update_elem(&stacks, &id, st, BPF_NOEXIST) == 0)
		return (__s32)id;
	old = bpf_map_lookup_elem(&stacks, &id);
	if (!old) {
		count(KT_C_STACK_ERRORS);	/* the map is full */
		return -1;
	}
	for (i = 0; i < KT_MAX_STACK; i++) {
		if (old->ip[i] != st->ip[i]) {
			count(KT_C_STACK_COLLISIONS);
			return -1;
		}
	}
	return (__s32)id;
}

static __always_inline __u32 fls64_(__u64 x)
{
	__u32 n = 1;

	if (!x)
		return 0;
	if (x >> 32) { n += 32; x >>= 32; }
	if (x >> 16) { n += 16; x >>= 16; }
	if (x >> 8) { n += 8; x >>= 8; }
	if (x >> 4) { n += 4; x >>= 4; }
	if (x >> 2) { n += 2; x >>= 2; }
	if (x >> 1)
		n += 1;
	return n;
}

static __always_inline __u32 ctz64_(__u64 x)
{
	return x ? fls64_(x & -x) - 1 : 64;
}

static __always_inline __u64 page_to_pfn_(__u64 page)
{
	__u64 base = C(vmemmap_default);
	__u64 size = bpf_core_type_size(struct page);

	if (&vmemmap_base)
		bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	return size ? (page - base) / size : 0;
}

/* folio_order(): the order sits in _flags_1 of a large (PG_head) folio. */
static __always_inline __u32 folio_order_(__u64 folio)
{
	struct folio___flags_ulong *f = (void *)folio;
	struct folio___flags_memdesc *m = (void *)folio;
	unsigned long flags = 0, f1;
	__u64 head = bpf_core_enum_value(enum pageflags, PG_head);

	if (bpf_core_field_exists(f->flags))
		flags = BPF_CORE_READ(f, flags);
	else if (bpf_core_field_exists(m->flags))
		flags = BPF_CORE_READ(m, flags.f);
	if (head >= 64 || !(flags & (1UL << head)))
		return 0;
	f1 = BPF_CORE_READ(f, _flags_1);
	return f1 & 0xff;
}

#define PACK(op, api, src)	((__u32)(op) | (__u32)(api) << 8 | (__u32)(src) << 16)

static __always_inline void fill_task(struct kt_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void by_stack_add(__s32 stack_id, __u8 op, __u8 api)
{
	struct kt_stack_key sk = { .stack_id = stack_id, .op = op, .api = api };
	struct kt_count one = { .count = 1 }, *c;

	c = bpf_map_lookup_elem(&by_stack, &sk);
	if (c) {
		__sync_fetch_and_add(&c->count, 1);
		return;
	}
	if (bpf_map_update_elem(&by_stack, &sk, &one, BPF_NOEXIST) == 0)
		count(KT_C_STACK_INSERTS);
	else if ((c = bpf_map_lookup_elem(&by_stack, &sk)))
		__sync_fetch_and_add(&c->count, 1);	/* lost a race */
	else
		count(KT_C_MAP_ERRORS);
}

static __always_inline void by_proc_add(__u8 op)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kt_proc *p, zero = {};

	p = bpf_map_lookup_elem(&by_proc, &tgid);
	if (!p) {
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		if (bpf_map_update_elem(&by_proc, &tgid, &zero, BPF_NOEXIST) == 0)
			count(KT_C_PROC_INSERTS);
		p = bpf_map_lookup_elem(&by_proc, &tgid);
		if (!p) {
			count(KT_C_MAP_ERRORS);
			return;
		}
	}
	if (op == KT_OP_PRESERVE)
		__sync_fetch_and_add(&p->preserves, 1);
	else if (op == KT_OP_UNPRESERVE)
		__sync_fetch_and_add(&p->unpreserves, 1);
	else if (op == KT_OP_API_ERROR)
		__sync_fetch_and_add(&p->errors, 1);
}

static __always_inline __u64 make_key(__u64 pfn, __u32 order)
{
	__u32 order0 = 64 - C(page_shift);

	if (order >= order0 || order > 63)
		return 0;
	return (1ULL << (order0 - order)) | (pfn >> order);
}

static __always_inline bool pow2(__u32 n)
{
	return n && !(n & (n - 1));
}

/*
 * Does this event of a key need a stack of its own (see the top)? A
 * global function: verified once, called for each block of a range.
 */
__noinline int key_needs_stack(__u64 pfn, __u32 order, __u32 op)
{
	__u64 key = make_key(pfn, order);
	struct kt_key_state *st;

	if (!key)
		return 0;
	if (C(emit_all))
		return 1;
	st = bpf_map_lookup_elem(&keys, &key);
	if (!st || st->tgid != bpf_get_current_pid_tgid() >> 32)
		return 1;
	if (op == KT_OP_PRESERVE)
		return st->preserved || st->p_stack == KT_STACK_LATER ||
		       pow2(st->preserves + 1);
	return !st->preserved || st->u_stack == KT_STACK_LATER ||
	       pow2(st->unpreserves + 1);
}

/* One more re-preserve of a key at @ts: the churn window's count. */
static __always_inline void churn_note(struct kt_key_state *st, __u64 ts)
{
	__u32 n = C(churn_cycles), h = st->ring_head, inwin = 0;
	int i;

	if (n > KT_CHURN_RING)
		n = KT_CHURN_RING;
	h &= KT_CHURN_RING - 1;
	st->ring[h] = ts;
	st->ring_head = h + 1 >= n ? 0 : h + 1;
	if (st->ring_n < n)
		st->ring_n++;
	for (i = 0; i < KT_CHURN_RING; i++)
		if ((__u32)i < st->ring_n && ts - st->ring[i] <= C(churn_window_ns))
			inwin++;
	if (inwin > st->max_window)
		st->max_window = inwin;
}

/*
 * One key preserved or unpreserved: its state (anomalies, re-preserves,
 * churn), the per-stack and per-process counts, and an event for the
 * stream when one is wanted. @stack_id KT_STACK_LATER: the stack the key
 * sampled last on that side (key_needs_stack() said none was needed).
 * A global function, so that the verifier checks it once and not once per
 * block of a split range.
 */
__noinline int record_key(__u64 pfn, __u32 order, __u32 packed,
			  __s32 stack_id)
{
	__u8 op = packed & 0xff, api = (packed >> 8) & 0xff;
	__u8 src = (packed >> 16) & 0xff;
	struct kt_key_state *st, zero = {};
	__u64 key, ts = bpf_ktime_get_ns();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 anomaly = 0;
	struct kt_event *e;

	key = make_key(pfn, order);
	if (!key)
		return 0;
	st = bpf_map_lookup_elem(&keys, &key);
	if (!st) {
		zero.first_ts = ts;
		zero.p_stack = KT_STACK_LATER;
		zero.u_stack = KT_STACK_LATER;
		zero.tgid = tgid;
		if (bpf_map_update_elem(&keys, &key, &zero, BPF_NOEXIST) == 0)
			count(KT_C_KEY_INSERTS);
		st = bpf_map_lookup_elem(&keys, &key);
		if (!st)
			count(KT_C_MAP_ERRORS);
	}
	if (st) {
		if (op == KT_OP_PRESERVE) {
			if (st->preserved) {
				anomaly = KT_ANOM_DOUBLE_PRESERVE;
			} else if (st->preserves) {
				st->represerves++;
				churn_note(st, ts);
			}
			st->preserved = 1;
			st->preserves++;
			if (stack_id == KT_STACK_LATER)
				stack_id = st->p_stack;
			else
				st->p_stack = stack_id;
		} else {
			if (!st->preserves)
				anomaly = KT_ANOM_UNPRESERVE_UNKNOWN;
			else if (!st->preserved)
				anomaly = KT_ANOM_DOUBLE_UNPRESERVE;
			st->preserved = 0;
			st->unpreserves++;
			if (stack_id == KT_STACK_LATER)
				stack_id = st->u_stack;
			else
				st->u_stack = stack_id;
		}
		st->last_ts = ts;
		st->api = api;
		st->tgid = tgid;
	}
	if (stack_id < KT_STACK_NONE)
		stack_id = KT_STACK_NONE;
	count(KT_C_KEY_EVENTS);
	count(op == KT_OP_PRESERVE ? KT_C_PRESERVES : KT_C_UNPRESERVES);
	if (anomaly == KT_ANOM_DOUBLE_PRESERVE)
		count(KT_C_ANOM_DOUBLE_PRESERVE);
	else if (anomaly == KT_ANOM_UNPRESERVE_UNKNOWN)
		count(KT_C_ANOM_UNPRESERVE_UNKNOWN);
	else if (anomaly == KT_ANOM_DOUBLE_UNPRESERVE)
		count(KT_C_ANOM_DOUBLE_UNPRESERVE);
	by_stack_add(stack_id, op, api);
	by_proc_add(op);

	if (!C(emit_all) && !anomaly)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(KT_C_RB_DROPS);
		return 0;
	}
	e->ts = ts;
	e->key = key;
	e->pfn = pfn;
	fill_task(e);
	e->stack_id = stack_id;
	e->ret = 0;
	e->kind = KT_EV_KEY;
	e->op = op;
	e->api = api;
	e->src = src;
	e->order = order;
	e->anomaly = anomaly;
	e->level = 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * The order of the next block of kho_preserve_pages()'s split, order =
 * min(ctz(pfn), ilog2(end - pfn)). Global: verified once, so that the
 * loop below stays small for the verifier.
 */
__noinline int split_order(__u64 pfn, __u64 end)
{
	__u32 order = ctz64_(pfn), lg = fls64_(end - pfn) - 1;

	return lg < order ? lg : order;
}

/* Does any block of a page range need a stack (key_needs_stack())? */
__noinline int range_needs_stack(__u64 pfn, __u64 nr, __u32 op)
{
	__u64 end = pfn + nr;
	int i;

	for (i = 0; i < KT_MAX_SPLIT && pfn < end; i++) {
		__u32 order = split_order(pfn, end) & 63;

		if (key_needs_stack(pfn, order, op))
			return 1;
		pfn += 1ULL << order;
	}
	return 0;
}

static __always_inline void record_range(__u64 pfn, __u64 nr, __u32 packed,
					 __s32 stack_id)
{
	__u64 end = pfn + nr;
	int i;

	for (i = 0; i < KT_MAX_SPLIT; i++) {
		__u32 order;

		if (pfn >= end)
			return;
		order = split_order(pfn, end) & 63;
		record_key(pfn, order, packed, stack_id);
		pfn += 1ULL << order;
	}
	if (pfn < end)
		count(KT_C_SPLIT_TRUNCATED);
}

/* API functions whose arguments name their keys (the others call them). */
static __always_inline bool fn_has_keys(__u8 fn)
{
	return !C(radix_keys) && fn != KT_FN_PRESERVE_VMALLOC &&
	       fn != KT_FN_UNPRESERVE_VMALLOC && fn != KT_FN_ALLOC_PRESERVE &&
	       fn != KT_FN_UNPRESERVE_FREE;
}

static __always_inline bool fn_preserves(__u8 fn)
{
	return fn == KT_FN_PRESERVE_FOLIO || fn == KT_FN_PRESERVE_PAGES ||
	       fn == KT_FN_PRESERVE_VMALLOC || fn == KT_FN_PRESERVE_PHYS ||
	       fn == KT_FN_ALLOC_PRESERVE;
}

/*
 * Do the keys of a call need a stack (key_needs_stack())? Asked at entry,
 * where the stack is the one the call's keys and the nodes it allocates
 * are counted against, as when every call took one.
 */
static __always_inline bool call_needs_stack(__u8 fn, __u64 a0, __u64 a1)
{
	__u32 op = fn_preserves(fn) ? KT_OP_PRESERVE : KT_OP_UNPRESERVE;

	if (fn == KT_FN_PRESERVE_FOLIO || fn == KT_FN_UNPRESERVE_FOLIO)
		return key_needs_stack(page_to_pfn_(a0), folio_order_(a0), op);
	if (fn == KT_FN_PRESERVE_PAGES || fn == KT_FN_UNPRESERVE_PAGES)
		return range_needs_stack(page_to_pfn_(a0), C(nr_is_u32) ? a1 & 0xffffffffULL : a1,
					 op);
	if (fn == KT_FN_PRESERVE_PHYS)
		return range_needs_stack(a0 >> C(page_shift), a1 >> C(page_shift), op);
	return false;
}

/* The stack of a thread's outermost API call, taken once when needed. */
static __always_inline __s32 ctx_stack(void *ctx, struct kt_ctx *c)
{
	if (c->stack_id == KT_STACK_LATER)
		c->stack_id = get_stack(ctx);
	return c->stack_id;
}

static __always_inline void api_enter(void *ctx, __u8 fn, __u64 a0, __u64 a1)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_ctx *c;
	__u32 i;
	__u8 d;

	if (skip_task())
		return;
	count(KT_C_API_CALLS);
	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (!c) {
		struct kt_ctx z = {};

		z.stack_id = C(emit_all) ? get_stack(ctx) : KT_STACK_LATER;
		if (bpf_map_update_elem(&ctxs, &tid, &z, BPF_NOEXIST)) {
			count(KT_C_CTX_ERRORS);
			return;
		}
		c = bpf_map_lookup_elem(&ctxs, &tid);
		if (!c)
			return;
	}
	d = c->depth;
	if (d >= KT_MAX_NEST) {
		count(KT_C_NEST_OVERFLOW);
		if (d < 255)
			c->depth = d + 1;
		return;
	}
	i = d & (KT_MAX_NEST - 1);
	/* Keep the verifier's bounds on the index (6.12 loses them). */
	asm volatile("" : "+r"(i));
	i &= KT_MAX_NEST - 1;
	c->fn[i] = fn;
	c->a0[i] = a0;
	c->a1[i] = a1;
	if (!c->keyed && fn_has_keys(fn)) {
		c->keyed = d + 1;
		/* From the map: a scalar (fentry's a0 is a typed pointer,
		 * which the verifier allows no arithmetic on). */
		if (c->stack_id == KT_STACK_LATER &&
		    call_needs_stack(fn, *(volatile __u64 *)&c->a0[i], a1))
			c->stack_id = get_stack(ctx);
	}
	c->depth = d + 1;
}

static __always_inline void api_exit(void *ctx, __u8 fn, long ret, __u8 kind)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_ctx *c;
	bool keyed;
	__u8 d, api, op;
	__u64 a0, a1, pfn;
	__u32 i, order;
	bool failed;

	if (skip_task())
		return;
	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (!c)
		return;		/* entered before khotrace attached */
	d = c->depth;
	if (!d) {
		bpf_map_delete_elem(&ctxs, &tid);
		return;
	}
	d--;
	c->depth = d;
	if (d >= KT_MAX_NEST)
		goto out;
	i = d & (KT_MAX_NEST - 1);
	asm volatile("" : "+r"(i));
	i &= KT_MAX_NEST - 1;
	if (c->fn[i] != fn)
		goto out;
	keyed = c->keyed == d + 1;
	if (keyed)
		c->keyed = 0;
	api = c->fn[0];
	a0 = c->a0[i];
	a1 = c->a1[i];
	op = fn_preserves(fn) ? KT_OP_PRESERVE : KT_OP_UNPRESERVE;

	failed = kind == KT_RET_INT ? (int)ret != 0 :
		 kind == KT_RET_PTR ? (unsigned long)ret >= (unsigned long)-4095 : false;
	if (failed) {
		struct kt_event *e;
		__s32 sid = ctx_stack(ctx, c);

		count(KT_C_API_ERRORS);
		by_stack_add(sid, KT_OP_API_ERROR, api);
		by_proc_add(KT_OP_API_ERROR);
		if (!C(emit_all))
			goto out;
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			count(KT_C_RB_DROPS);
			goto out;
		}
		__builtin_memset(e, 0, sizeof(*e));
		e->ts = bpf_ktime_get_ns();
		fill_task(e);
		e->stack_id = sid;
		e->ret = (int)ret;
		e->kind = KT_EV_ERROR;
		e->op = KT_OP_API_ERROR;
		e->api = api;
		e->src = fn;
		bpf_ringbuf_submit(e, 0);
		goto out;
	}
	if (!keyed)
		goto out;
	if (fn == KT_FN_PRESERVE_FOLIO || fn == KT_FN_UNPRESERVE_FOLIO) {
		pfn = page_to_pfn_(a0);
		order = folio_order_(a0);
		if (c->stack_id == KT_STACK_LATER && key_needs_stack(pfn, order, op))
			ctx_stack(ctx, c);
		record_key(pfn, order, PACK(op, api, fn), c->stack_id);
	} else if (fn == KT_FN_PRESERVE_PAGES || fn == KT_FN_UNPRESERVE_PAGES ||
		   fn == KT_FN_PRESERVE_PHYS) {
		if (fn == KT_FN_PRESERVE_PHYS) {
			pfn = a0 >> C(page_shift);
			a1 >>= C(page_shift);
		} else {
			pfn = page_to_pfn_(a0);
			if (C(nr_is_u32))
				a1 &= 0xffffffffULL;
		}
		if (c->stack_id == KT_STACK_LATER && range_needs_stack(pfn, a1, op))
			ctx_stack(ctx, c);
		record_range(pfn, a1, PACK(op, api, fn), c->stack_id);
	}
out:
	if (!c->depth)
		bpf_map_delete_elem(&ctxs, &tid);
}

/* A block seen by the internals: counted unless an API call did. */
static __always_inline void block_event(void *ctx, __u8 src, __u8 op,
					__u64 pfn, __u32 order, __s32 stack_id,
					bool have_stack)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_ctx *c;
	__u8 api = src;

	if (skip_task())
		return;
	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (c && c->keyed) {
		count(KT_C_INNER_SKIPPED);
		return;
	}
	if (c && c->depth) {
		api = c->fn[0];
		if (c->stack_id == KT_STACK_LATER && key_needs_stack(pfn, order, op))
			ctx_stack(ctx, c);
		stack_id = c->stack_id;
	} else if (!have_stack) {
		stack_id = key_needs_stack(pfn, order, op) ? get_stack(ctx) :
			   KT_STACK_LATER;
	}
	record_key(pfn, order, PACK(op, api, src), stack_id);
}

/* ---- the KHO API: entry and exit, as fentry/fexit or kprobe/kretprobe ---- */

/* fexit's return value, read with the helper: reading ctx[] past the last
 * argument of a void function is rejected, and whether the function is
 * void is known only at run time (kt_cfg). */
static __always_inline long fexit_ret(void *ctx, __u8 kind)
{
	__u64 ret = 0;

	if (kind != KT_RET_VOID)
		bpf_get_func_ret(ctx, &ret);
	return (long)ret;
}

#define RET_AT(n, FN)	fexit_ret(ctx, C(ret_kind[FN]))

#define API_1(name, FN)							\
SEC("fentry")								\
int BPF_PROG(fe_##name, void *a0)					\
{									\
	api_enter(ctx, FN, (__u64)a0, 0);				\
	return 0;							\
}									\
SEC("fexit")								\
int BPF_PROG(fx_##name, void *a0)					\
{									\
	api_exit(ctx, FN, RET_AT(1, FN), C(ret_kind[FN]));		\
	return 0;							\
}									\
SEC("kprobe")								\
int BPF_KPROBE(kp_##name, void *a0)					\
{									\
	api_enter(ctx, FN, (__u64)a0, 0);				\
	return 0;							\
}									\
SEC("kretprobe")							\
int BPF_KRETPROBE(kr_##name, long ret)					\
{									\
	api_exit(ctx, FN, ret, C(ret_kind[FN]));				\
	return 0;							\
}

#define API_2(name, FN)							\
SEC("fentry")								\
int BPF_PROG(fe_##name, void *a0, unsigned long a1)			\
{									\
	api_enter(ctx, FN, (__u64)a0, a1);				\
	return 0;							\
}									\
SEC("fexit")								\
int BPF_PROG(fx_##name, void *a0, unsigned long a1)			\
{									\
	api_exit(ctx, FN, RET_AT(2, FN), C(ret_kind[FN]));		\
	return 0;							\
}									\
SEC("kprobe")								\
int BPF_KPROBE(kp_##name, void *a0, unsigned long a1)			\
{									\
	api_enter(ctx, FN, (__u64)a0, a1);				\
	return 0;							\
}									\
SEC("kretprobe")							\
int BPF_KRETPROBE(kr_##name, long ret)					\
{									\
	api_exit(ctx, FN, ret, C(ret_kind[FN]));				\
	return 0;							\
}

API_1(preserve_folio, KT_FN_PRESERVE_FOLIO)
API_1(unpreserve_folio, KT_FN_UNPRESERVE_FOLIO)
API_2(preserve_pages, KT_FN_PRESERVE_PAGES)
API_2(unpreserve_pages, KT_FN_UNPRESERVE_PAGES)
API_2(preserve_vmalloc, KT_FN_PRESERVE_VMALLOC)
API_1(unpreserve_vmalloc, KT_FN_UNPRESERVE_VMALLOC)
API_2(preserve_phys, KT_FN_PRESERVE_PHYS)
API_1(alloc_preserve, KT_FN_ALLOC_PRESERVE)
API_1(unpreserve_free, KT_FN_UNPRESERVE_FREE)

/* ---- per-block internals: (tree or track, pfn, order) ---- */

SEC("fexit")
int BPF_PROG(fx_blk_add, void *tree, unsigned long pfn, unsigned int order,
	     int ret)
{
	if (!ret)
		block_event(ctx, C(blk_add_src), KT_OP_PRESERVE, pfn, order, -1, false);
	return 0;
}

SEC("fentry")
int BPF_PROG(fe_blk_del, void *tree, unsigned long pfn, unsigned int order)
{
	block_event(ctx, C(blk_del_src), KT_OP_UNPRESERVE, pfn, order, -1, false);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_blk_add, void *tree, unsigned long pfn, unsigned int order)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_blk_args a = { .pfn = pfn, .order = order };

	if (skip_task())
		return 0;
	/* The stack here, where the caller is still a frame of its own. */
	a.stack_id = key_needs_stack(pfn, order, KT_OP_PRESERVE) ? get_stack(ctx) :
		     KT_STACK_LATER;
	if (bpf_map_update_elem(&blk_args, &tid, &a, BPF_ANY))
		count(KT_C_CTX_ERRORS);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(kr_blk_add, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_blk_args *a, copy;

	a = bpf_map_lookup_elem(&blk_args, &tid);
	if (!a)
		return 0;
	copy = *a;
	bpf_map_delete_elem(&blk_args, &tid);
	if (!ret)
		block_event(ctx, C(blk_add_src), KT_OP_PRESERVE, copy.pfn,
			    copy.order, copy.stack_id, true);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_blk_del, void *tree, unsigned long pfn, unsigned int order)
{
	block_event(ctx, C(blk_del_src), KT_OP_UNPRESERVE, pfn, order, -1, false);
	return 0;
}

/*
 * ---- runs: kernel-patch/v7's __kho_radix_add_blocks(tree, cur, *pfn,
 * order, nr) and __kho_radix_del_blocks(tree, cur, pfn, order, nr) ----
 *
 * Every block of a patched 7.x tree passes through one of the two (a
 * single page, a range's blocks, a vmalloc area's runs of units): nr
 * consecutive blocks of one order. The add advances *pfn past the blocks
 * it added, so its exit knows how many went in, also when it failed. Each
 * block is one event, as each fires the tracepoint: what block_event()
 * does per block, with the run's stack taken once, before the blocks, if
 * any of them needs it.
 */
struct kt_run {
	__u64 pfn;
	__u32 order;
	__u32 op;
	__u32 src;
	__s32 stack_id;
	__u32 need;
};

static long run_need_step(__u64 i, void *data)
{
	struct kt_run *r = data;

	if (key_needs_stack(r->pfn + (i << (r->order & 63)), r->order, r->op)) {
		r->need = 1;
		return 1;
	}
	return 0;
}

static long run_key_step(__u64 i, void *data)
{
	struct kt_run *r = data;
	__u64 pfn = r->pfn + (i << (r->order & 63));
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 stack_id = KT_STACK_LATER;
	struct kt_ctx *c;
	__u8 api = r->src;

	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (c && c->keyed) {
		count(KT_C_INNER_SKIPPED);
		return 0;
	}
	if (c && c->depth) {
		api = c->fn[0];
		stack_id = c->stack_id;
	} else if (key_needs_stack(pfn, r->order, r->op)) {
		stack_id = r->stack_id;
	}
	record_key(pfn, r->order, PACK(r->op, api, r->src), stack_id);
	return 0;
}

/* @n blocks of @order from @pfn, one event each; @stack_id, if not
 * KT_STACK_LATER, was taken where the run's caller is a frame. */
static __always_inline void run_events(void *ctx, __u8 src, __u8 op, __u64 pfn,
				       __u32 order, __u64 n, __s32 stack_id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_run r = { .pfn = pfn, .order = order, .op = op, .src = src };
	struct kt_ctx *c;

	if (skip_task() || !n)
		return;
	if (n > KT_MAX_RUN) {
		count(KT_C_SPLIT_TRUNCATED);
		n = KT_MAX_RUN;
	}
	bpf_loop(n, run_need_step, &r, 0);
	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (r.need && c && c->depth)
		ctx_stack(ctx, c);
	else if (r.need)
		stack_id = stack_id != KT_STACK_LATER ? stack_id : get_stack(ctx);
	r.stack_id = stack_id;
	bpf_loop(n, run_key_step, &r, 0);
}

/* A run add's entry: where its first pfn is and where the kernel will
 * advance it; kprobes also take the stack here, where the caller is still
 * a frame of its own (fexit takes it at the exit, as for fx_blk_add). */
static __always_inline void run_add_enter(void *ctx, unsigned long *pfn_ptr,
					  unsigned int order, bool stack_now)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_blk_args a = { .order = order, .stack_id = KT_STACK_LATER,
				 .pfn_ptr = (__u64)pfn_ptr };

	if (skip_task())
		return;
	bpf_probe_read_kernel(&a.pfn, sizeof(a.pfn), pfn_ptr);
	if (stack_now)
		a.stack_id = get_stack(ctx);
	if (bpf_map_update_elem(&blk_args, &tid, &a, BPF_ANY))
		count(KT_C_CTX_ERRORS);
}

/* A run add's exit: the blocks from the first pfn to where it got. */
static __always_inline void run_add_exit(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kt_blk_args *a, copy;
	__u64 end = 0;

	a = bpf_map_lookup_elem(&blk_args, &tid);
	if (!a)
		return;
	copy = *a;
	bpf_map_delete_elem(&blk_args, &tid);
	bpf_probe_read_kernel(&end, sizeof(end), (void *)copy.pfn_ptr);
	if (end > copy.pfn)
		run_events(ctx, KT_FN_RADIX_ADD_BLOCKS, KT_OP_PRESERVE, copy.pfn,
			   copy.order, (end - copy.pfn) >> (copy.order & 63), copy.stack_id);
}

SEC("fentry")
int BPF_PROG(fe_run_add, void *tree, void *cur, unsigned long *pfn_ptr,
	     unsigned int order, unsigned long nr)
{
	run_add_enter(ctx, pfn_ptr, order, false);
	return 0;
}

SEC("fexit")
int BPF_PROG(fx_run_add, void *tree, void *cur, unsigned long *pfn_ptr,
	     unsigned int order, unsigned long nr, int ret)
{
	run_add_exit(ctx);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_run_add, void *tree, void *cur, unsigned long *pfn_ptr,
	       unsigned int order, unsigned long nr)
{
	run_add_enter(ctx, pfn_ptr, order, true);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(kr_run_add, int ret)
{
	run_add_exit(ctx);
	return 0;
}

SEC("fentry")
int BPF_PROG(fe_run_del, void *tree, void *cur, unsigned long pfn,
	     unsigned int order, unsigned long nr)
{
	run_events(ctx, KT_FN_RADIX_DEL_BLOCKS, KT_OP_UNPRESERVE, pfn, order, nr,
		   KT_STACK_LATER);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_run_del, void *tree, void *cur, unsigned long pfn,
	       unsigned int order, unsigned long nr)
{
	run_events(ctx, KT_FN_RADIX_DEL_BLOCKS, KT_OP_UNPRESERVE, pfn, order, nr,
		   KT_STACK_LATER);
	return 0;
}

/* ---- our tracepoints (kernel-patch/ 0003): (pfn, order, key, level) ---- */

SEC("raw_tp")
int BPF_PROG(tp_add, unsigned long pfn, unsigned int order, __u64 key,
	     unsigned int level)
{
	block_event(ctx, KT_FN_TP_ADD, KT_OP_PRESERVE, pfn, order, -1, false);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(tp_del, unsigned long pfn, unsigned int order, __u64 key,
	     unsigned int level)
{
	block_event(ctx, KT_FN_TP_DEL, KT_OP_UNPRESERVE, pfn, order, -1, false);
	return 0;
}

SEC("raw_tp")
int BPF_PROG(tp_node_alloc, unsigned long pfn, unsigned int order, __u64 key,
	     unsigned int level)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 lvl = level < KT_MAX_LEVEL ? level : KT_MAX_LEVEL - 1;
	struct kt_ctx *c;
	struct kt_event *e;
	__s32 stack_id;
	__u8 api = KT_FN_TP_NODE_ALLOC;
	__u64 *n;

	if (skip_task())
		return 0;
	n = bpf_map_lookup_elem(&nodes, &lvl);
	if (n)
		__sync_fetch_and_add(n, 1);
	count(KT_C_NODE_ALLOCS);
	c = bpf_map_lookup_elem(&ctxs, &tid);
	if (c && c->depth) {
		/* Not kept for the call: its keys sampled their own. */
		stack_id = c->stack_id != KT_STACK_LATER ? c->stack_id : get_stack(ctx);
		api = c->fn[0];
	} else {
		stack_id = get_stack(ctx);
	}
	by_stack_add(stack_id, KT_OP_NODE_ALLOC, api);
	if (!C(emit_all))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(KT_C_RB_DROPS);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->key = key;
	e->pfn = pfn;
	fill_task(e);
	e->stack_id = stack_id;
	e->kind = KT_EV_NODE;
	e->op = KT_OP_NODE_ALLOC;
	e->api = api;
	e->src = KT_FN_TP_NODE_ALLOC;
	e->order = order;
	e->level = lvl;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
