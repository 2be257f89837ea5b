/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khotrace's loader, private to tools/khotrace*.c: the options, the attach
 * points (khotrace_attach.c), what a run saw (khotrace_run.c) and the
 * views that render it (khotrace_views.c). bpf/kho_trace.h holds what the
 * BPF side shares.
 */
#ifndef KHOTOOLS_KHOTRACE_H
#define KHOTOOLS_KHOTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "kallsyms.h"
#include "kho_trace.h"
#include "radix_reader.h"

#define KT_PROG "khotrace"

struct kho_trace_bpf;
struct bpf_program;
struct bpf_link;

enum kt_view { V_EVENTS, V_TOP, V_CHURN, V_ANOMALIES, V_GROWTH, V__COUNT };
extern const char *const kt_view_names[V__COUNT];

struct kt_opts {
	struct common_opts c;
	enum kt_view view;
	bool list;
	double duration;	/* 0: until Ctrl-C or the command ends */
	double window;
	unsigned int min_cycles;
	unsigned int top;
	unsigned int pid;
	bool force_kprobe, no_tp, no_api;
	unsigned int buffer_mib;
	unsigned int max_keys, max_stacks;
	const char *btf;
	char **cmd;
};

/* ------------------------------------------------------ attach points */

enum kt_hook_kind { H_API, H_BLK_ADD, H_BLK_DEL, H_TP_ADD, H_TP_DEL, H_TP_NODE };
enum kt_hook_mode { M_NONE, M_FENTRY, M_KPROBE, M_TP };

struct kt_hook {
	const char *name;
	enum kt_fn fn;
	enum kt_hook_kind kind;
	const char *upstream;		/* the signature, from upstream */
	/* found */
	bool in_kallsyms;
	bool only_clone;		/* only name.isra.N / .constprop.N */
	char ksym_mod[64];
	bool in_btf;
	char btf_obj[64];
	char btf_sig[256];
	unsigned int ret_kind;		/* void, int or pointer (BTF) */
	bool nr_u32;
	/* chosen */
	enum kt_hook_mode mode;
	char why[160];
	struct bpf_program *entry, *exit;
	struct bpf_link *link[2];	/* entry, exit; owned */
	bool attached;
};

#define KT_NR_HOOKS 18

/* Everything khotrace attached; kt_attach_destroy() undoes it. */
struct kt_attach {
	struct kt_hook hooks[KT_NR_HOOKS];
	bool have_btf;
	bool radix_keys;		/* keys from the per-block events */
	bool radix_tp;			/* ... seen by their tracepoints */
	char radix_src[80];		/* "ADD/DEL": the block functions probed */
	struct kho_trace_bpf *skel;
};

void kt_attach_init(struct kt_attach *a);
/* What the running kernel has: kallsyms, vmlinux and module BTF. */
void kt_discover(struct kt_attach *a, struct kt_opts *o, const struct ksyms *ks);
/* Choose an attach mode per hook; the number of hooks that give keys. */
int kt_plan(struct kt_attach *a, struct kt_opts *o);
/* Open, configure, load and attach the BPF programs; 0 or -1 (said). */
int kt_attach_load(struct kt_attach *a, struct kt_opts *o, unsigned int page_shift);
void kt_attach_destroy(struct kt_attach *a);

const char *kt_fn_name(unsigned int fn);
const char *kt_mode_name(enum kt_hook_mode m);
const struct kt_hook *kt_hook_by_fn(const struct kt_attach *a, enum kt_fn fn);
/* A frame of KHO itself (skipped when naming the code responsible). */
bool kt_is_kho_frame(const char *name);

/* -------------------------------------------------------------- views */

struct kt_anom {
	uint64_t ts, key;
	uint32_t pid, tgid;
	int32_t stack;
	uint8_t kind, api;
	char comm[KT_COMM_LEN];
};

#define KT_MAX_ANOM_LIST 4096

struct kt_loss {
	uint64_t ringbuf, stacks, stack_collisions, maps, ctx, nest, split, keys_evicted,
		stacks_evicted, procs_evicted;
};

/* What one run saw; the views render it. */
struct kt_state {
	struct kt_opts *o;
	const struct kt_attach *a;
	const struct ksyms *ks;
	struct khor_geom geom;		/* the running kernel's page size */
	FILE *out;
	struct json j;
	int stacks_fd;
	int status;			/* first output or event failure: EXIT_FAIL */
	uint64_t t0;
	uint64_t ev_seen, ev_keys, ev_nodes, ev_errors;
	struct kt_anom *anoms;
	size_t nanoms, anoms_unlisted;
	int32_t caller_id;		/* the last stack named, and its name */
	char caller[256];
	uint64_t counters[KT_C__COUNT];
	uint64_t node_levels[KT_MAX_LEVEL];
	struct kt_loss loss;
};

int kt_state_init(struct kt_state *s, struct kt_opts *o, const struct kt_attach *a,
		  const struct ksyms *ks, FILE *out, unsigned int page_shift);
void kt_state_fini(struct kt_state *s);

/* ring_buffer__new()'s callback; @ctx is the struct kt_state. */
int kt_on_event(void *ctx, void *data, size_t len);
void kt_events_header(struct kt_state *s);
/* Read the BPF maps' totals after the run. */
void kt_collect(struct kt_state *s, struct kho_trace_bpf *skel);
uint64_t kt_loss_total(const struct kt_state *s);

void kt_view_list(struct kt_state *s);
const char *kt_anom_name(unsigned int anomaly);
/* The first frame outside KHO and the tracer: the code responsible. */
void kt_stack_caller(const struct kt_state *s, int32_t id, char *buf, size_t len);
void kt_view_top(struct kt_state *s, struct kho_trace_bpf *skel);
void kt_view_churn(struct kt_state *s, struct kho_trace_bpf *skel);
void kt_view_anomalies(struct kt_state *s);
void kt_view_growth(struct kt_state *s, struct kho_trace_bpf *skel, double secs);
void kt_print_counts(struct kt_state *s, double secs);
void kt_print_losses(struct kt_state *s);

#endif
