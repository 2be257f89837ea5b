// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khotrace's views after a run, over one struct kt_state: top, churn,
 * anomalies and growth, from the BPF maps (the kernel keeps the totals,
 * bpf/kho_trace.bpf.c), with the stacks named. Keys are decoded with the
 * library at the running kernel's page size.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "khotrace.h"
#include "kho_trace.skel.h"

static uint64_t key_phys(const struct kt_state *s, uint64_t key, unsigned int *order)
{
	uint64_t phys = 0;

	*order = 0;
	if (khor_key_decode(&s->geom, key, &phys, order))
		return 0;
	return phys;
}

/* ------------------------------------------------------------- stacks */

/* A frame of the tracer's own: a BPF program or trampoline, or a raw
 * tracepoint's plumbing (bpf_trace_runN, __bpf_trace_<class>,
 * __traceiter_<event>). */
static bool tracer_frame(const struct ksym *k)
{
	return !strncmp(k->name, "bpf_prog_", 9) || !strncmp(k->name, "bpf_trampoline_", 15) ||
	       !strncmp(k->name, "bpf_trace_run", 13) || !strncmp(k->name, "__bpf_trace_", 12) ||
	       !strncmp(k->name, "__traceiter_", 12);
}

/*
 * Frames of a stack, without the tracer's own. Everything up to the last
 * tracer frame goes: above a trampoline are only the traced KHO function
 * and the tracer, and with a guessing unwinder (the lab's tinyconfig has
 * UNWINDER_GUESS) stale return addresses left there by the BPF program's
 * helpers, which no attach mode should report. A stack is then the same
 * whichever mode took it: fexit at the trampoline, a raw tracepoint inside
 * the radix function, or a kprobe.
 */
static int stack_frames(const struct kt_state *s, int32_t id, uint64_t *ips, int max)
{
	uint64_t raw[KT_MAX_STACK];
	int n = 0, i = 0, from = 0, len;

	if (id < 0 || s->stacks_fd < 0)
		return 0;
	memset(raw, 0, sizeof(raw));
	if (bpf_map_lookup_elem(s->stacks_fd, &id, raw))
		return 0;
	for (len = 0; len < KT_MAX_STACK && raw[len]; len++) {
		const struct ksym *k = ksyms_find(s->ks, raw[len]);

		if (k && tracer_frame(k))
			from = len + 1;
	}
	for (i = from; i < len; i++) {
		const struct ksym *k = ksyms_find(s->ks, raw[i]);

		/* BPF programs are unnamed unless bpf_jit_kallsyms is set. */
		if (n == 0 && !k)
			continue;
		if (n < max)
			ips[n++] = raw[i];
	}
	return n;
}

/* The first frame outside KHO: the code responsible. */
void kt_stack_caller(const struct kt_state *s, int32_t id, char *buf, size_t len)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(s, id, ips, KT_MAX_STACK);

	/* Named code first: a tail call through a traced function leaves its
	 * BPF trampoline (no symbol) between KHO's frames and the caller's. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			const struct ksym *k = ksyms_find(s->ks, ips[i]);

			if (k && kt_is_kho_frame(k->name))
				continue;
			if (!pass && (!k || !strncmp(k->name, "bpf_", 4)))
				continue;
			ksyms_format(s->ks, ips[i], buf, len);
			return;
		}
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
	size_t got[3] = { 0, 0, 0 };
	struct krow *krows = collect_keys(skel, &got[0]);
	struct prow *prows = collect_procs(skel, &got[1]);
	struct srow *srows = collect_stacks(skel, &got[2]);
	/* Out of memory: a table is shorter or empty, never NULL with rows. */
	size_t nk = krows ? got[0] : 0, np = prows ? got[1] : 0, ns = srows ? got[2] : 0;
	struct json *j = &s->j;
	FILE *out = s->out;

	if (nk)
		qsort(krows, nk, sizeof(*krows), krow_cmp);
	if (np)
		qsort(prows, np, sizeof(*prows), prow_cmp);
	if (s->o->c.json) {
		json_open(j, "keys", '[');
		for (size_t i = 0; krows && i < rows_limit(s, nk); i++) {
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
		for (size_t i = 0; srows && i < rows_limit(s, ns); i++) {
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
		for (size_t i = 0; prows && i < rows_limit(s, np); i++) {
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
		for (size_t i = 0; krows && i < rows_limit(s, nk); i++) {
			const struct krow *r = &krows[i];
			unsigned int order;
			uint64_t phys = key_phys(s, r->key, &order);

			fprintf(out, "  0x%-16llx 0x%-12llx %5u %9u %11u %12u %s\n",
				(unsigned long long)r->key, (unsigned long long)phys,
				order, r->st.preserves, r->st.unpreserves, r->st.represerves,
				r->st.preserved ? "preserved" : "-");
		}
		fprintf(out, "top stacks (%zu):\n", ns);
		for (size_t i = 0; srows && i < rows_limit(s, ns); i++) {
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
		for (size_t i = 0; prows && i < rows_limit(s, np); i++)
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
	size_t got = 0, n = 0, np = 0;
	struct krow *rows = collect_keys(skel, &got);
	size_t nk = rows ? got : 0;
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
		for (size_t i = 0; rows && i < rows_limit(s, n); i++) {
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
			kt_stack_caller(s, pairs[i].p_stack, c, sizeof(c));
			json_str(j, "preserve_caller", c);
			json_stack(s, "preserve_stack", pairs[i].p_stack);
			json_int(j, "unpreserve_stack_id", pairs[i].u_stack);
			kt_stack_caller(s, pairs[i].u_stack, c, sizeof(c));
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
		for (size_t i = 0; rows && i < rows_limit(s, n); i++) {
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
			json_uint(j, kt_anom_name(kinds[k]), cnt[ctr[k]]);
		json_close(j, '}');
		json_uint(j, "anomalies_unlisted", s->anoms_unlisted);
		json_open(j, "anomalies", '[');
		for (size_t i = 0; i < s->nanoms; i++) {
			const struct kt_anom *a = &s->anoms[i];
			unsigned int order;
			uint64_t phys = key_phys(s, a->key, &order);

			json_open(j, NULL, '{');
			json_double(j, "time_s", (double)(a->ts - s->t0) / 1e9);
			json_str(j, "kind", kt_anom_name(a->kind));
			json_hex(j, "key", a->key);
			json_hex(j, "phys", phys);
			json_uint(j, "order", order);
			json_uint(j, "pid", a->pid);
			json_str(j, "comm", a->comm);
			json_str(j, "api", kt_fn_name(a->api));
			kt_stack_caller(s, a->stack, c, sizeof(c));
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
			(double)(a->ts - s->t0) / 1e9, kt_anom_name(a->kind),
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
	size_t got = 0, ns;

	for (int l = 0; l < KT_MAX_LEVEL; l++)
		total += s->node_levels[l];
	srows = collect_stacks(skel, &got);
	ns = srows ? got : 0;
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
		for (size_t i = 0; srows && i < ns; i++) {
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
	for (size_t i = 0; srows && i < ns; i++) {
		if (!srows[i].nodes)
			continue;
		fprintf(out, "  %llu nodes from:\n", (unsigned long long)srows[i].nodes);
		print_stack(s, srows[i].stack_id, "      ");
	}
	free(srows);
}
