// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What one khotrace run saw (struct kt_state): the event stream from the
 * ring buffer, the totals read from the BPF maps when tracing ends, what
 * was lost, and the attach points as --list and the JSON show them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "khotrace.h"
#include "kho_trace.skel.h"

int kt_state_init(struct kt_state *s, struct kt_opts *o, const struct kt_attach *a,
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

/* ------------------------------------------------------------- events */

const char *kt_anom_name(unsigned int a)
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
		kt_stack_caller(s, id, s->caller, sizeof(s->caller));
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
			json_str(j, "anomaly", kt_anom_name(e->anomaly));
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
			e->anomaly ? "  ANOMALY " : "", kt_anom_name(e->anomaly));
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
		json_str(j, "keys_from", s->a->radix_tp ? "tracepoints" :
			 s->a->radix_keys ? "radix" : "api");
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
