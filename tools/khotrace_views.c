// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khotrace's views over one struct kt_state: the event stream, and after
 * the run top, churn, anomalies and growth from the BPF maps (the kernel
 * keeps the totals, bpf/kho_trace.bpf.c), the counts and what was lost.
 * Keys are decoded with the library at the running kernel's page size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "khotrace.h"
#include "kho_trace.skel.h"

int kt_state_init(struct kt_state *s, const struct kt_opts *o, const struct kt_attach *a,
		  const struct ksyms *ks, FILE *out, unsigned int page_shift)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->a = a;
	s->ks = ks;
	s->out = out;
	s->stacks_fd = -1;
	s->caller_id = KT_STACK_LATER - 1;
	if (khor_geom_init(&s->geom, page_shift))
		return -EINVAL;
	s->anoms = calloc(KT_MAX_ANOM_LIST, sizeof(*s->anoms));
	return s->anoms ? 0 : -ENOMEM;
}

void kt_state_fini(struct kt_state *s)
{
	free(s->anoms);
	s->anoms = NULL;
}

static uint64_t key_phys(const struct kt_state *s, uint64_t key, unsigned int *order)
{
	uint64_t phys = 0;

	*order = 0;
	if (khor_key_decode(&s->geom, key, &phys, order))
		return 0;
	return phys;
}

/* ------------------------------------------------------------- stacks */

/* Frames of a stack, without the tracer's own (BPF program, trampoline). */
static int stack_frames(const struct kt_state *s, int32_t id, uint64_t *ips, int max)
{
	uint64_t raw[KT_MAX_STACK];
	int n = 0, i = 0;

	if (id < 0 || s->stacks_fd < 0)
		return 0;
	memset(raw, 0, sizeof(raw));
	if (bpf_map_lookup_elem(s->stacks_fd, &id, raw))
		return 0;
	for (; i < KT_MAX_STACK && raw[i]; i++) {
		const struct ksym *k = ksyms_find(s->ks, raw[i]);

		/* The tracer's own frames come first: BPF programs and
		 * trampolines, unnamed unless bpf_jit_kallsyms is set. */
		if (n == 0 && (!k || !strncmp(k->name, "bpf_prog_", 9) ||
			       !strncmp(k->name, "bpf_trampoline_", 15)))
			continue;
		if (n < max)
			ips[n++] = raw[i];
	}
	return n;
}

/* The first frame outside KHO: the code responsible. */
static void stack_caller(const struct kt_state *s, int32_t id, char *buf, size_t len)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(s, id, ips, KT_MAX_STACK);

	for (int i = 0; i < n; i++) {
		const struct ksym *k = ksyms_find(s->ks, ips[i]);

		if (k && kt_is_kho_frame(k->name))
			continue;
		ksyms_format(s->ks, ips[i], buf, len);
		return;
	}
	snprintf(buf, len, "%s", id < 0 ? "(no stack)" : "?");
}

static void print_stack(struct kt_state *s, int32_t id, const char *indent)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(s, id, ips, KT_MAX_STACK);
	char f[256];

	if (!n)
		fprintf(s->out, "%s%s\n", indent, id < 0 ? "(no stack: not captured)" : "(empty)");
	for (int i = 0; i < n; i++) {
		ksyms_format(s->ks, ips[i], f, sizeof(f));
		fprintf(s->out, "%s%s\n", indent, f);
	}
}

static void json_stack(struct kt_state *s, const char *key, int32_t id)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(s, id, ips, KT_MAX_STACK);
	char f[256];

	json_open(&s->j, key, '[');
	for (int i = 0; i < n; i++) {
		ksyms_format(s->ks, ips[i], f, sizeof(f));
		json_str(&s->j, NULL, f);
	}
	json_close(&s->j, ']');
}

/* ------------------------------------------------------------- events */

static const char *anom_name(unsigned int a)
{
	switch (a) {
	case KT_ANOM_DOUBLE_PRESERVE:
		return "double-preserve";
	case KT_ANOM_UNPRESERVE_UNKNOWN:
		return "unpreserve-unknown";
	case KT_ANOM_DOUBLE_UNPRESERVE:
		return "double-unpreserve";
	default:
		return "";
	}
}

static const char *op_name(unsigned int op)
{
	switch (op) {
	case KT_OP_PRESERVE:
		return "preserve";
	case KT_OP_UNPRESERVE:
		return "unpreserve";
	case KT_OP_NODE_ALLOC:
		return "node-alloc";
	case KT_OP_API_ERROR:
		return "error";
	default:
		return "?";
	}
}


/* The caller of a stream of events from one place, named once. */
static const char *caller_of(struct kt_state *s, int32_t id)
{
	if (id != s->caller_id) {
		stack_caller(s, id, s->caller, sizeof(s->caller));
		s->caller_id = id;
	}
	return s->caller;
}

void kt_events_header(struct kt_state *s)
{
	if (s->o->c.json)
		json_open(&s->j, "events", '[');
	else
		fprintf(s->out, "%12s %-16s %7s %-10s %-18s %-14s %2s %s\n", "TIME(s)", "COMM",
			"PID", "OP", "KEY", "PHYS", "O", "API <- CALLER");
}

static void print_event(struct kt_state *s, const struct kt_event *e)
{
	double t = (double)(e->ts - s->t0) / 1e9;
	const char *caller = caller_of(s, e->stack_id);
	uint64_t phys = e->pfn << s->geom.page_shift;
	struct json *j = &s->j;

	if (s->o->c.json) {
		json_open(j, NULL, '{');
		json_double(j, "time_s", t);
		json_str(j, "op", op_name(e->op));
		if (e->kind == KT_EV_KEY || e->kind == KT_EV_NODE) {
			json_hex(j, "key", e->key);
			json_hex(j, "phys", phys);
			json_uint(j, "order", e->order);
		}
		if (e->kind == KT_EV_NODE)
			json_uint(j, "level", e->level);
		if (e->kind == KT_EV_ERROR)
			json_int(j, "ret", e->ret);
		json_uint(j, "pid", e->pid);
		json_uint(j, "tgid", e->tgid);
		json_str(j, "comm", e->comm);
		json_str(j, "api", kt_fn_name(e->api));
		json_str(j, "source", kt_fn_name(e->src));
		json_int(j, "stack_id", e->stack_id);
		json_str(j, "caller", caller);
		if (e->anomaly)
			json_str(j, "anomaly", anom_name(e->anomaly));
		json_close(j, '}');
		return;
	}
	if (e->kind == KT_EV_ERROR)
		fprintf(s->out, "%12.6f %-16s %7u %-10s ret=%d %s <- %s\n", t, e->comm, e->pid,
			op_name(e->op), e->ret, kt_fn_name(e->api), caller);
	else
		fprintf(s->out, "%12.6f %-16s %7u %-10s 0x%-16llx 0x%-12llx %2u %s <- %s%s%s\n",
			t, e->comm, e->pid, e->kind == KT_EV_NODE ? "node" : op_name(e->op),
			(unsigned long long)e->key, (unsigned long long)phys,
			e->kind == KT_EV_NODE ? e->level : e->order, kt_fn_name(e->api), caller,
			e->anomaly ? "  ANOMALY " : "", anom_name(e->anomaly));
	if (fflush(s->out))
		s->status = EXIT_FAIL;
}

int kt_on_event(void *ctx, void *data, size_t len)
{
	struct kt_state *s = ctx;
	const struct kt_event *e = data;

	if (len < sizeof(*e))
		return 0;
	s->ev_seen++;
	if (e->kind == KT_EV_KEY) {
		s->ev_keys++;
		if (e->anomaly) {
			if (s->nanoms < KT_MAX_ANOM_LIST) {
				struct kt_anom *a = &s->anoms[s->nanoms++];

				a->ts = e->ts;
				a->key = e->key;
				a->pid = e->pid;
				a->tgid = e->tgid;
				a->stack = e->stack_id;
				a->kind = e->anomaly;
				a->api = e->api;
				memcpy(a->comm, e->comm, sizeof(a->comm));
			} else {
				s->anoms_unlisted++;
			}
		}
	} else if (e->kind == KT_EV_NODE) {
		s->ev_nodes++;
	} else if (e->kind == KT_EV_ERROR) {
		s->ev_errors++;
	}
	if (s->o->view == V_EVENTS)
		print_event(s, e);
	return 0;
}

/* ------------------------------------------------------------ summary */

static int read_percpu(int fd, uint32_t n, uint64_t *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		sum[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			sum[i] += vals[c];
	}
	free(vals);
	return 0;
}

static size_t map_entries(int fd, size_t key_size)
{
	unsigned char k[64], nk[64];
	size_t n = 0;
	void *prev = NULL;

	if (key_size > sizeof(k))
		return 0;
	while (!bpf_map_get_next_key(fd, prev, nk)) {
		memcpy(k, nk, key_size);
		prev = k;
		n++;
	}
	return n;
}

struct loss {
	uint64_t ringbuf, stacks, stack_collisions, maps, ctx, nest, split, keys_evicted, stacks_evicted,
		procs_evicted, user_keys;
};

void kt_collect(struct kt_state *s, struct kho_trace_bpf *skel)
{
	const uint64_t *c = s->counters;
	size_t keys_now, stacks_now, procs_now;
	struct kt_loss *l = &s->loss;

	read_percpu(bpf_map__fd(skel->maps.counters), KT_C__COUNT, s->counters);
	read_percpu(bpf_map__fd(skel->maps.nodes), KT_MAX_LEVEL, s->node_levels);
	keys_now = map_entries(bpf_map__fd(skel->maps.keys), sizeof(uint64_t));
	stacks_now = map_entries(bpf_map__fd(skel->maps.by_stack), sizeof(struct kt_stack_key));
	procs_now = map_entries(bpf_map__fd(skel->maps.by_proc), sizeof(uint32_t));
	l->ringbuf = c[KT_C_RB_DROPS];
	l->stacks = c[KT_C_STACK_ERRORS];
	l->stack_collisions = c[KT_C_STACK_COLLISIONS];
	l->maps = c[KT_C_MAP_ERRORS];
	l->ctx = c[KT_C_CTX_ERRORS];
	l->nest = c[KT_C_NEST_OVERFLOW];
	l->split = c[KT_C_SPLIT_TRUNCATED];
	/* LRU maps evict silently; nothing is ever deleted from them, so
	 * whatever was inserted and is gone was evicted. */
	l->keys_evicted = c[KT_C_KEY_INSERTS] > keys_now ? c[KT_C_KEY_INSERTS] - keys_now : 0;
	l->stacks_evicted = c[KT_C_STACK_INSERTS] > stacks_now ?
			    c[KT_C_STACK_INSERTS] - stacks_now : 0;
	l->procs_evicted = c[KT_C_PROC_INSERTS] > procs_now ? c[KT_C_PROC_INSERTS] - procs_now : 0;
}

uint64_t kt_loss_total(const struct kt_state *s)
{
	const struct kt_loss *l = &s->loss;

	return l->ringbuf + l->stacks + l->stack_collisions + l->maps + l->ctx + l->nest +
	       l->split + l->keys_evicted + l->stacks_evicted + l->procs_evicted;
}

void kt_print_losses(struct kt_state *s)
{
	const struct kt_loss *l = &s->loss;
	struct json *j = &s->j;

	if (s->o->c.json) {
		json_open(j, "lost", '{');
		json_uint(j, "total", kt_loss_total(s));
		json_uint(j, "ringbuf", l->ringbuf);
		json_uint(j, "stacks", l->stacks);
		json_uint(j, "stack_collisions", l->stack_collisions);
		json_uint(j, "map_updates", l->maps);
		json_uint(j, "contexts", l->ctx);
		json_uint(j, "nesting", l->nest);
		json_uint(j, "split_truncated", l->split);
		json_uint(j, "keys_evicted", l->keys_evicted);
		json_uint(j, "stacks_evicted", l->stacks_evicted);
		json_uint(j, "procs_evicted", l->procs_evicted);
		json_close(j, '}');
		return;
	}
	fprintf(s->out, "lost:   %llu (ring buffer %llu, stacks %llu (+%llu collisions), map updates %llu,"
		" contexts %llu, nesting %llu, split %llu; evicted: keys %llu, stacks %llu,"
		" processes %llu)\n",
		(unsigned long long)kt_loss_total(s), (unsigned long long)l->ringbuf,
		(unsigned long long)l->stacks, (unsigned long long)l->stack_collisions,
		(unsigned long long)l->maps, (unsigned long long)l->ctx,
		(unsigned long long)l->nest, (unsigned long long)l->split,
		(unsigned long long)l->keys_evicted, (unsigned long long)l->stacks_evicted,
		(unsigned long long)l->procs_evicted);
}

void kt_print_counts(struct kt_state *s, double secs)
{
	const uint64_t *c = s->counters;
	uint64_t anom = c[KT_C_ANOM_DOUBLE_PRESERVE] + c[KT_C_ANOM_UNPRESERVE_UNKNOWN] +
			c[KT_C_ANOM_DOUBLE_UNPRESERVE];
	struct json *j = &s->j;

	if (s->o->c.json) {
		json_double(j, "duration_s", secs);
		json_str(j, "keys_from", s->a->radix_keys ? "radix" : "api");
		json_open(j, "counts", '{');
		json_uint(j, "key_events", c[KT_C_KEY_EVENTS]);
		json_uint(j, "preserves", c[KT_C_PRESERVES]);
		json_uint(j, "unpreserves", c[KT_C_UNPRESERVES]);
		json_uint(j, "api_calls", c[KT_C_API_CALLS]);
		json_uint(j, "api_errors", c[KT_C_API_ERRORS]);
		json_uint(j, "node_allocs", c[KT_C_NODE_ALLOCS]);
		json_uint(j, "inner_skipped", c[KT_C_INNER_SKIPPED]);
		json_uint(j, "anomalies", anom);
		json_uint(j, "events_received", s->ev_seen);
		json_close(j, '}');
		return;
	}
	fprintf(s->out, "traced: %.3f s, %llu key events (%llu preserves, %llu unpreserves), "
		"%llu API calls, %llu API errors, %llu anomalies, %llu nodes allocated\n",
		secs, (unsigned long long)c[KT_C_KEY_EVENTS], (unsigned long long)c[KT_C_PRESERVES],
		(unsigned long long)c[KT_C_UNPRESERVES], (unsigned long long)c[KT_C_API_CALLS],
		(unsigned long long)c[KT_C_API_ERRORS], (unsigned long long)anom,
		(unsigned long long)c[KT_C_NODE_ALLOCS]);
}

/* ---------------------------------------------------------------- list */

void kt_view_list(struct kt_state *s)
{
	const struct kt_attach *a = s->a;
	struct json *j = &s->j;

	if (s->o->c.json) {
		json_open(j, "attach_points", '[');
		for (size_t i = 0; i < KT_NR_HOOKS; i++) {
			const struct kt_hook *h = &a->hooks[i];

			json_open(j, NULL, '{');
			json_str(j, "name", h->name);
			json_str(j, "attach", kt_mode_name(h->mode));
			json_bool(j, "in_kallsyms", h->in_kallsyms);
			if (h->in_kallsyms)
				json_str(j, "object", h->ksym_mod);
			json_bool(j, "in_btf", h->in_btf);
			if (h->in_btf)
				json_str(j, "signature", h->btf_sig);
			json_str(j, "upstream", h->upstream);
			json_str(j, "why", h->why);
			if (!s->o->list && h->mode != M_NONE)
				json_bool(j, "attached", h->attached);
			json_close(j, '}');
		}
		json_close(j, ']');
		return;
	}
	fprintf(s->out, "%-24s %-10s %s\n", "attach point", "attach", "why");
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		const struct kt_hook *h = &a->hooks[i];

		fprintf(s->out, "%-24s %-10s %s\n", h->name, kt_mode_name(h->mode), h->why);
		if (h->in_btf)
			fprintf(s->out, "%-24s %-10s BTF: %s%s\n", "", "", h->btf_sig,
				h->nr_u32 ? " (nr_pages is 32-bit)" : "");
	}
}

/* ----------------------------------------------------------------- top */

struct krow {
	uint64_t key;
	struct kt_key_state st;
};

static int krow_cmp(const void *a, const void *b)
{
	const struct krow *x = a, *y = b;
	uint64_t tx = (uint64_t)x->st.preserves + x->st.unpreserves;
	uint64_t ty = (uint64_t)y->st.preserves + y->st.unpreserves;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Every key the kernel tracked; NULL and *n_ret 0 when there is none. */
static struct krow *collect_keys(struct kho_trace_bpf *skel, size_t *n_ret)
{
	int fd = bpf_map__fd(skel->maps.keys);
	uint64_t key, nkey, *prev = NULL;
	struct krow *rows = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &nkey)) {
		key = nkey;
		prev = &key;
		if (n == cap) {
			struct krow *r;

			cap = cap ? cap * 2 : 256;
			r = realloc(rows, cap * sizeof(*r));
			if (!r)
				break;
			rows = r;
		}
		if (bpf_map_lookup_elem(fd, &key, &rows[n].st))
			continue;
		rows[n++].key = key;
	}
	*n_ret = n;
	return rows;
}

struct srow {
	int32_t stack_id;
	uint8_t api;
	uint64_t preserves, unpreserves, errors, nodes;
};

static int srow_cmp(const void *a, const void *b)
{
	const struct srow *x = a, *y = b;
	uint64_t tx = x->preserves + x->unpreserves + x->errors + x->nodes;
	uint64_t ty = y->preserves + y->unpreserves + y->errors + y->nodes;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->stack_id - y->stack_id;
}

struct prow {
	uint32_t tgid;
	struct kt_proc p;
};

static int prow_cmp(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;
	uint64_t tx = x->p.preserves + x->p.unpreserves + x->p.errors;
	uint64_t ty = y->p.preserves + y->p.unpreserves + y->p.errors;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static size_t rows_limit(const struct kt_state *s, size_t n)
{
	return s->o->top && s->o->top < n ? s->o->top : n;
}

static struct srow *collect_stacks(struct kho_trace_bpf *skel, size_t *n_ret)
{
	int fd = bpf_map__fd(skel->maps.by_stack);
	struct kt_stack_key k, nk, *prev = NULL;
	struct srow *rows = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &nk)) {
		struct kt_count c;
		size_t i;

		k = nk;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &c))
			continue;
		for (i = 0; i < n; i++)
			if (rows[i].stack_id == k.stack_id && rows[i].api == k.api)
				break;
		if (i == n) {
			if (n == cap) {
				struct srow *r;

				cap = cap ? cap * 2 : 64;
				r = realloc(rows, cap * sizeof(*r));
				if (!r)
					break;
				rows = r;
			}
			memset(&rows[n], 0, sizeof(rows[n]));
			rows[n].stack_id = k.stack_id;
			rows[n].api = k.api;
			n++;
		}
		if (k.op == KT_OP_PRESERVE)
			rows[i].preserves += c.count;
		else if (k.op == KT_OP_UNPRESERVE)
			rows[i].unpreserves += c.count;
		else if (k.op == KT_OP_API_ERROR)
			rows[i].errors += c.count;
		else if (k.op == KT_OP_NODE_ALLOC)
			rows[i].nodes += c.count;
	}
	if (rows)
		qsort(rows, n, sizeof(*rows), srow_cmp);
	*n_ret = n;
	return rows;
}


static struct prow *collect_procs(struct kho_trace_bpf *skel, size_t *n_ret)
{
	int fd = bpf_map__fd(skel->maps.by_proc);
	uint32_t tg, ntg, *prev = NULL;
	struct prow *rows = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &ntg)) {
		tg = ntg;
		prev = &tg;
		if (n == cap) {
			struct prow *r;

			cap = cap ? cap * 2 : 64;
			r = realloc(rows, cap * sizeof(*r));
			if (!r)
				break;
			rows = r;
		}
		if (bpf_map_lookup_elem(fd, &tg, &rows[n].p))
			continue;
		rows[n++].tgid = tg;
	}
	*n_ret = n;
	return rows;
}

void kt_view_top(struct kt_state *s, struct kho_trace_bpf *skel)
{
	size_t nk = 0, np = 0, ns = 0;
	struct krow *krows = collect_keys(skel, &nk);
	struct prow *prows = collect_procs(skel, &np);
	struct srow *srows = collect_stacks(skel, &ns);
	struct json *j = &s->j;
	FILE *out = s->out;

	if (krows)
		qsort(krows, nk, sizeof(*krows), krow_cmp);
	if (prows)
		qsort(prows, np, sizeof(*prows), prow_cmp);
	if (s->o->c.json) {
		json_open(j, "keys", '[');
		for (size_t i = 0; i < rows_limit(s, nk); i++) {
			const struct krow *r = &krows[i];
			unsigned int order;
			uint64_t phys = key_phys(s, r->key, &order);

			json_open(j, NULL, '{');
			json_hex(j, "key", r->key);
			json_hex(j, "phys", phys);
			json_uint(j, "order", order);
			json_uint(j, "preserves", r->st.preserves);
			json_uint(j, "unpreserves", r->st.unpreserves);
			json_uint(j, "represerves", r->st.represerves);
			json_bool(j, "preserved", r->st.preserved);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_open(j, "stacks", '[');
		for (size_t i = 0; i < rows_limit(s, ns); i++) {
			json_open(j, NULL, '{');
			json_int(j, "stack_id", srows[i].stack_id);
			json_str(j, "api", kt_fn_name(srows[i].api));
			json_uint(j, "preserves", srows[i].preserves);
			json_uint(j, "unpreserves", srows[i].unpreserves);
			json_uint(j, "errors", srows[i].errors);
			json_uint(j, "node_allocs", srows[i].nodes);
			json_stack(s, "frames", srows[i].stack_id);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_open(j, "processes", '[');
		for (size_t i = 0; i < rows_limit(s, np); i++) {
			json_open(j, NULL, '{');
			json_uint(j, "tgid", prows[i].tgid);
			json_str(j, "comm", prows[i].p.comm);
			json_uint(j, "preserves", prows[i].p.preserves);
			json_uint(j, "unpreserves", prows[i].p.unpreserves);
			json_uint(j, "errors", prows[i].p.errors);
			json_close(j, '}');
		}
		json_close(j, ']');
	} else {
		fprintf(out, "top keys (%zu tracked):\n", nk);
		fprintf(out, "  %-18s %-14s %5s %9s %11s %12s %s\n", "key", "phys", "order",
			"preserves", "unpreserves", "re-preserves", "now");
		for (size_t i = 0; i < rows_limit(s, nk); i++) {
			const struct krow *r = &krows[i];
			unsigned int order;
			uint64_t phys = key_phys(s, r->key, &order);

			fprintf(out, "  0x%-16llx 0x%-12llx %5u %9u %11u %12u %s\n",
				(unsigned long long)r->key, (unsigned long long)phys,
				order, r->st.preserves, r->st.unpreserves, r->st.represerves,
				r->st.preserved ? "preserved" : "-");
		}
		fprintf(out, "top stacks (%zu):\n", ns);
		for (size_t i = 0; i < rows_limit(s, ns); i++) {
			fprintf(out, "  [%d] %s: %llu preserves, %llu unpreserves, %llu errors, %llu nodes\n",
				srows[i].stack_id, kt_fn_name(srows[i].api),
				(unsigned long long)srows[i].preserves,
				(unsigned long long)srows[i].unpreserves,
				(unsigned long long)srows[i].errors,
				(unsigned long long)srows[i].nodes);
			print_stack(s, srows[i].stack_id, "      ");
		}
		fprintf(out, "top processes (%zu):\n", np);
		fprintf(out, "  %7s %-16s %9s %11s %6s\n", "tgid", "comm", "preserves",
			"unpreserves", "errors");
		for (size_t i = 0; i < rows_limit(s, np); i++)
			fprintf(out, "  %7u %-16s %9llu %11llu %6llu\n", prows[i].tgid,
				prows[i].p.comm, (unsigned long long)prows[i].p.preserves,
				(unsigned long long)prows[i].p.unpreserves,
				(unsigned long long)prows[i].p.errors);
	}
	free(krows);
	free(prows);
	free(srows);
}

/* --------------------------------------------------------------- churn */

struct pair {
	int32_t p_stack, u_stack;
	size_t keys;
	uint64_t represerves;
};

static int churn_cmp(const void *a, const void *b)
{
	const struct krow *x = a, *y = b;

	if (x->st.represerves != y->st.represerves)
		return x->st.represerves > y->st.represerves ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

void kt_view_churn(struct kt_state *s, struct kho_trace_bpf *skel)
{
	size_t nk = 0, n = 0, np = 0;
	struct krow *rows = collect_keys(skel, &nk);
	struct pair *pairs = calloc(nk ? nk : 1, sizeof(*pairs));
	struct json *j = &s->j;
	FILE *out = s->out;
	uint64_t total = 0;

	if (!pairs) {
		free(rows);
		errmsg(&s->o->c, "out of memory");
		s->status = EXIT_FAIL;
		return;
	}
	/* The kernel counted each key's re-preserves within the window. */
	for (size_t i = 0; i < nk; i++)
		if (rows[i].st.max_window >= s->o->min_cycles) {
			rows[n++] = rows[i];
			total += rows[i].st.represerves;
		}
	if (n)
		qsort(rows, n, sizeof(*rows), churn_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct kt_key_state *st = &rows[i].st;
		size_t k;

		for (k = 0; k < np; k++)
			if (pairs[k].p_stack == st->p_stack && pairs[k].u_stack == st->u_stack)
				break;
		if (k == np) {
			pairs[np].p_stack = st->p_stack;
			pairs[np].u_stack = st->u_stack;
			np++;
		}
		pairs[k].keys++;
		pairs[k].represerves += st->represerves;
	}

	if (s->o->c.json) {
		json_double(j, "window_s", s->o->window);
		json_uint(j, "min_cycles", s->o->min_cycles);
		json_uint(j, "churn_keys", n);
		json_uint(j, "churn_represerves", total);
		json_open(j, "keys", '[');
		for (size_t i = 0; i < rows_limit(s, n); i++) {
			const struct kt_key_state *st = &rows[i].st;
			unsigned int order;
			uint64_t phys = key_phys(s, rows[i].key, &order);

			json_open(j, NULL, '{');
			json_hex(j, "key", rows[i].key);
			json_hex(j, "phys", phys);
			json_uint(j, "order", order);
			json_uint(j, "preserves", st->preserves);
			json_uint(j, "unpreserves", st->unpreserves);
			json_uint(j, "represerves", st->represerves);
			json_uint(j, "max_in_window", st->max_window);
			json_bool(j, "preserved", st->preserved);
			json_int(j, "preserve_stack", st->p_stack);
			json_int(j, "unpreserve_stack", st->u_stack);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_open(j, "stack_pairs", '[');
		for (size_t i = 0; i < np; i++) {
			char c[256];

			json_open(j, NULL, '{');
			json_uint(j, "keys", pairs[i].keys);
			json_uint(j, "represerves", pairs[i].represerves);
			json_int(j, "preserve_stack_id", pairs[i].p_stack);
			stack_caller(s, pairs[i].p_stack, c, sizeof(c));
			json_str(j, "preserve_caller", c);
			json_stack(s, "preserve_stack", pairs[i].p_stack);
			json_int(j, "unpreserve_stack_id", pairs[i].u_stack);
			stack_caller(s, pairs[i].u_stack, c, sizeof(c));
			json_str(j, "unpreserve_caller", c);
			json_stack(s, "unpreserve_stack", pairs[i].u_stack);
			json_close(j, '}');
		}
		json_close(j, ']');
	} else {
		fprintf(out, "churn: %zu keys re-preserved >= %u times within %g s (%llu re-preserves)\n",
			n, s->o->min_cycles, s->o->window, (unsigned long long)total);
		if (n)
			fprintf(out, "  %-18s %-14s %5s %9s %11s %12s\n", "key", "phys", "order",
				"preserves", "unpreserves", "re-preserves");
		for (size_t i = 0; i < rows_limit(s, n); i++) {
			const struct kt_key_state *st = &rows[i].st;
			unsigned int order;
			uint64_t phys = key_phys(s, rows[i].key, &order);

			fprintf(out, "  0x%-16llx 0x%-12llx %5u %9u %11u %12u\n",
				(unsigned long long)rows[i].key, (unsigned long long)phys,
				order, st->preserves, st->unpreserves, st->represerves);
		}
		for (size_t i = 0; i < np; i++) {
			fprintf(out, "stack pair %zu: %zu keys, %llu re-preserves\n", i + 1,
				pairs[i].keys, (unsigned long long)pairs[i].represerves);
			fprintf(out, "  preserved at:\n");
			print_stack(s, pairs[i].p_stack, "    ");
			fprintf(out, "  unpreserved at:\n");
			print_stack(s, pairs[i].u_stack, "    ");
		}
	}
	free(rows);
	free(pairs);
}

/* ----------------------------------------------------------- anomalies */

void kt_view_anomalies(struct kt_state *s)
{
	static const unsigned int kinds[KT_NR_ANOM] = {
		KT_ANOM_UNPRESERVE_UNKNOWN, KT_ANOM_DOUBLE_PRESERVE, KT_ANOM_DOUBLE_UNPRESERVE
	};
	static const unsigned int ctr[KT_NR_ANOM] = {
		KT_C_ANOM_UNPRESERVE_UNKNOWN, KT_C_ANOM_DOUBLE_PRESERVE, KT_C_ANOM_DOUBLE_UNPRESERVE
	};
	const uint64_t *cnt = s->counters;
	struct json *j = &s->j;
	char c[256];

	if (s->o->c.json) {
		json_open(j, "anomaly_counts", '{');
		for (int k = 0; k < KT_NR_ANOM; k++)
			json_uint(j, anom_name(kinds[k]), cnt[ctr[k]]);
		json_close(j, '}');
		json_uint(j, "anomalies_unlisted", s->anoms_unlisted);
		json_open(j, "anomalies", '[');
		for (size_t i = 0; i < s->nanoms; i++) {
			const struct kt_anom *a = &s->anoms[i];
			unsigned int order;
			uint64_t phys = key_phys(s, a->key, &order);

			json_open(j, NULL, '{');
			json_double(j, "time_s", (double)(a->ts - s->t0) / 1e9);
			json_str(j, "kind", anom_name(a->kind));
			json_hex(j, "key", a->key);
			json_hex(j, "phys", phys);
			json_uint(j, "order", order);
			json_uint(j, "pid", a->pid);
			json_str(j, "comm", a->comm);
			json_str(j, "api", kt_fn_name(a->api));
			stack_caller(s, a->stack, c, sizeof(c));
			json_str(j, "caller", c);
			json_stack(s, "stack", a->stack);
			json_close(j, '}');
		}
		json_close(j, ']');
		return;
	}
	fprintf(s->out, "anomalies: %llu unpreserve-unknown, %llu double-preserve, %llu double-unpreserve\n",
		(unsigned long long)cnt[KT_C_ANOM_UNPRESERVE_UNKNOWN],
		(unsigned long long)cnt[KT_C_ANOM_DOUBLE_PRESERVE],
		(unsigned long long)cnt[KT_C_ANOM_DOUBLE_UNPRESERVE]);
	for (size_t i = 0; i < s->nanoms; i++) {
		const struct kt_anom *a = &s->anoms[i];
		unsigned int order;
		uint64_t phys = key_phys(s, a->key, &order);

		fprintf(s->out, "%12.6f %-18s key 0x%llx (phys 0x%llx order %u) %s pid %u %s\n",
			(double)(a->ts - s->t0) / 1e9, anom_name(a->kind),
			(unsigned long long)a->key, (unsigned long long)phys, order,
			kt_fn_name(a->api), a->pid, a->comm);
		print_stack(s, a->stack, "      ");
	}
	if (s->anoms_unlisted)
		fprintf(s->out, "(%llu more not listed)\n", (unsigned long long)s->anoms_unlisted);
}

/* -------------------------------------------------------------- growth */

void kt_view_growth(struct kt_state *s, struct kho_trace_bpf *skel, double secs)
{
	const struct kt_hook *n = kt_hook_by_fn(s->a, KT_FN_TP_NODE_ALLOC);
	uint64_t page = UINT64_C(1) << s->geom.page_shift, total = 0;
	struct json *j = &s->j;
	FILE *out = s->out;
	struct srow *srows;
	size_t ns = 0;

	for (int l = 0; l < KT_MAX_LEVEL; l++)
		total += s->node_levels[l];
	srows = collect_stacks(skel, &ns);
	if (s->o->c.json) {
		json_bool(j, "growth_available", n->mode == M_TP);
		json_uint(j, "nodes", total);
		json_uint(j, "metadata_bytes", total * page);
		json_double(j, "bytes_per_s", secs > 0 ? (double)(total * page) / secs : 0);
		json_open(j, "levels", '[');
		for (int l = 0; l < KT_MAX_LEVEL; l++)
			if (s->node_levels[l]) {
				json_open(j, NULL, '{');
				json_uint(j, "level", (uint64_t)l);
				json_uint(j, "nodes", s->node_levels[l]);
				json_close(j, '}');
			}
		json_close(j, ']');
		json_open(j, "stacks", '[');
		for (size_t i = 0; i < ns; i++) {
			if (!srows[i].nodes)
				continue;
			json_open(j, NULL, '{');
			json_int(j, "stack_id", srows[i].stack_id);
			json_uint(j, "nodes", srows[i].nodes);
			json_stack(s, "frames", srows[i].stack_id);
			json_close(j, '}');
		}
		json_close(j, ']');
		free(srows);
		return;
	}
	if (n->mode != M_TP) {
		fprintf(out, "growth: not available (%s)\n", n->why);
		free(srows);
		return;
	}
	fprintf(out, "growth: %llu nodes allocated, %llu metadata bytes (%.0f bytes/s)\n",
		(unsigned long long)total, (unsigned long long)(total * page),
		secs > 0 ? (double)(total * page) / secs : 0.0);
	for (int l = KT_MAX_LEVEL - 1; l >= 0; l--)
		if (s->node_levels[l])
			fprintf(out, "  level %d%s: %llu\n", l, l ? "" : " (leaves)",
				(unsigned long long)s->node_levels[l]);
	for (size_t i = 0; i < ns; i++) {
		if (!srows[i].nodes)
			continue;
		fprintf(out, "  %llu nodes from:\n", (unsigned long long)srows[i].nodes);
		print_stack(s, srows[i].stack_id, "      ");
	}
	free(srows);
}
