// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khotrace - trace KHO preserve/unpreserve churn, leaks and metadata growth
 * with BPF (bpf/kho_trace.bpf.c). See khotrace(8).
 *
 * The attach points are chosen at run time from what the running kernel
 * has: BTF (vmlinux or module) gives fentry/fexit, kallsyms alone gives
 * kprobes, and our tracepoints (kernel-patch/ 0003) are used when present.
 * Signatures, from upstream (torvalds/linux):
 *
 *   kernel/liveupdate/kexec_handover.c @019fc3687237 (kho-v2, radix tree):
 *     int  kho_preserve_folio(struct folio *folio);
 *     void kho_unpreserve_folio(struct folio *folio);
 *     int  kho_preserve_pages(struct page *page, unsigned long nr_pages);
 *     void kho_unpreserve_pages(struct page *page, unsigned long nr_pages);
 *     int  kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation);
 *     void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation);
 *     int  kho_radix_add_page(struct kho_radix_tree *, unsigned long pfn,
 *                             unsigned int order);
 *     void kho_radix_del_page(struct kho_radix_tree *, unsigned long pfn,
 *                             unsigned int order);
 *   kernel/liveupdate/kexec_handover.c @dd03dd60e8cd (kho-v1, 6.19 era):
 *     nr_pages is unsigned int; static internals
 *     int  __kho_preserve_order(struct kho_mem_track *, unsigned long pfn,
 *                               unsigned int order);
 *     void __kho_unpreserve_order(struct kho_mem_track *, unsigned long pfn,
 *                                 unsigned int order);
 *   include/linux/kexec_handover.h @00c010e130e5 (6.16):
 *     int  kho_preserve_phys(phys_addr_t phys, size_t size);
 *   6.18-era trees had int-returning kho_unpreserve_{folio,pages,vmalloc}
 *   (Pasha Tatashin, "kho: allow to drive kho from within kernel"); the
 *   return type and the width of nr_pages are read from BTF when present.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "kho_trace.h"
#include "kho_trace.skel.h"

#define PROG "khotrace"

/* ---------------------------------------------------------------- hooks */

enum hook_kind { H_API, H_BLK_ADD, H_BLK_DEL, H_TP_ADD, H_TP_DEL, H_TP_NODE };
enum hook_mode { M_NONE, M_FENTRY, M_KPROBE, M_TP };

struct hook {
	const char *name;
	enum kt_fn fn;
	enum hook_kind kind;
	const char *upstream;		/* the signature, from upstream */
	/* found */
	bool in_kallsyms;
	bool only_clone;		/* only name.isra.N / .constprop.N */
	char ksym_mod[64];
	bool in_btf;
	char btf_obj[64];
	char btf_sig[256];
	bool ret_int;
	bool nr_u32;
	/* chosen */
	enum hook_mode mode;
	char why[160];
	struct bpf_program *entry, *exit;
	bool attached;
};

static struct hook hooks[] = {
	{ .name = "kho_preserve_folio", .fn = KT_FN_PRESERVE_FOLIO, .kind = H_API,
	  .upstream = "int kho_preserve_folio(struct folio *folio)" },
	{ .name = "kho_unpreserve_folio", .fn = KT_FN_UNPRESERVE_FOLIO, .kind = H_API,
	  .upstream = "void kho_unpreserve_folio(struct folio *folio)" },
	{ .name = "kho_preserve_pages", .fn = KT_FN_PRESERVE_PAGES, .kind = H_API,
	  .upstream = "int kho_preserve_pages(struct page *page, unsigned long nr_pages)" },
	{ .name = "kho_unpreserve_pages", .fn = KT_FN_UNPRESERVE_PAGES, .kind = H_API,
	  .upstream = "void kho_unpreserve_pages(struct page *page, unsigned long nr_pages)" },
	{ .name = "kho_preserve_vmalloc", .fn = KT_FN_PRESERVE_VMALLOC, .kind = H_API,
	  .upstream = "int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)" },
	{ .name = "kho_unpreserve_vmalloc", .fn = KT_FN_UNPRESERVE_VMALLOC, .kind = H_API,
	  .upstream = "void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)" },
	{ .name = "kho_preserve_phys", .fn = KT_FN_PRESERVE_PHYS, .kind = H_API,
	  .upstream = "int kho_preserve_phys(phys_addr_t phys, size_t size)" },
	{ .name = "kho_radix_add", .fn = KT_FN_TP_ADD, .kind = H_TP_ADD,
	  .upstream = "tracepoint kho_radix:kho_radix_add(pfn, order, key, level)" },
	{ .name = "kho_radix_del", .fn = KT_FN_TP_DEL, .kind = H_TP_DEL,
	  .upstream = "tracepoint kho_radix:kho_radix_del(pfn, order, key, level)" },
	{ .name = "kho_radix_add_page", .fn = KT_FN_RADIX_ADD_PAGE, .kind = H_BLK_ADD,
	  .upstream = "int kho_radix_add_page(struct kho_radix_tree *tree, unsigned long pfn, unsigned int order)" },
	{ .name = "kho_radix_del_page", .fn = KT_FN_RADIX_DEL_PAGE, .kind = H_BLK_DEL,
	  .upstream = "void kho_radix_del_page(struct kho_radix_tree *tree, unsigned long pfn, unsigned int order)" },
	{ .name = "__kho_preserve_order", .fn = KT_FN_PRESERVE_ORDER, .kind = H_BLK_ADD,
	  .upstream = "int __kho_preserve_order(struct kho_mem_track *track, unsigned long pfn, unsigned int order)" },
	{ .name = "__kho_unpreserve_order", .fn = KT_FN_UNPRESERVE_ORDER, .kind = H_BLK_DEL,
	  .upstream = "void __kho_unpreserve_order(struct kho_mem_track *track, unsigned long pfn, unsigned int order)" },
	{ .name = "kho_radix_node_alloc", .fn = KT_FN_TP_NODE_ALLOC, .kind = H_TP_NODE,
	  .upstream = "tracepoint kho_radix:kho_radix_node_alloc(pfn, order, key, level)" },
};
#define NR_HOOKS (sizeof(hooks) / sizeof(hooks[0]))

static const char *fn_name(unsigned int fn)
{
	for (size_t i = 0; i < NR_HOOKS; i++)
		if (hooks[i].fn == fn)
			return hooks[i].name;
	return "?";
}

/* ------------------------------------------------------------ options */

enum view { V_EVENTS, V_TOP, V_CHURN, V_ANOMALIES, V_GROWTH };
static const char *const view_names[] = { "events", "top", "churn", "anomalies", "growth" };

enum {
	OPT_LIST = OPT_TOOL_BASE,
	OPT_KPROBE,
	OPT_NO_TP,
	OPT_NO_API,
	OPT_MAX_KEYS,
	OPT_MAX_STACKS,
	OPT_BTF,
};

struct opts {
	struct common_opts c;
	enum view view;
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

static void usage(FILE *f)
{
	fprintf(f,
"usage: khotrace [OPTIONS] [VIEW] [-- COMMAND [ARG...]]\n"
"       khotrace --list\n"
"Trace KHO preserve/unpreserve with BPF. VIEW is one of:\n"
"  events      live stream of preserve/unpreserve of keys\n"
"  top         counts per key, per caller stack, per process (default)\n"
"  churn       keys preserved, unpreserved and preserved again >= N times\n"
"              within a window, with both stacks\n"
"  anomalies   unpreserve of a key never preserved, preserve of a preserved\n"
"              key, unpreserve of an unpreserved key\n"
"  growth      radix nodes allocated, metadata bytes\n"
"Tracing ends after -d, on Ctrl-C, or when COMMAND exits; then the summary.\n"
"Options:\n"
"  -d, --duration SECONDS   trace this long\n"
"  -p, --pid PID            only this process (thread group)\n"
"  -w, --window SECONDS     churn window (default 10)\n"
"  -n, --min-cycles N       churn threshold, re-preserves (default 3)\n"
"  -t, --top N              rows per table (default 10; 0 = all)\n"
"  -b, --buffer MIB         ring buffer size (default 8)\n"
"      --max-keys N         keys tracked (LRU; default 65536)\n"
"      --max-stacks N       stacks kept (default 16384)\n"
"      --list               show the attach points found and why; no tracing\n"
"      --kprobe             kprobes even where BTF allows fentry\n"
"      --no-tracepoints     ignore the kho_radix tracepoints\n"
"      --no-api             ignore the KHO API; keys from the internals\n"
"      --btf FILE           BTF of the running kernel (when it has none)\n"
"  -j, --json               JSON output\n"
"      --pretty             indented JSON (implies --json)\n"
"  -v, --verbose            libbpf's messages\n"
"  -h, --help               this help\n"
"  -V, --version            version\n");
}

static bool parse_seconds(const char *s, double *v)
{
	char *end;
	double x;

	if (!s || !*s)
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (errno || *end || !(x >= 0) || x > 1e9)
		return false;
	*v = x;
	return true;
}

static bool parse_uint(const char *s, unsigned int max, unsigned int *v)
{
	uint64_t x;

	if (!parse_u64(s, &x) || x > max)
		return false;
	*v = (unsigned int)x;
	return true;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, OPT_PRETTY },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "min-cycles", required_argument, NULL, 'n' },
		{ "top", required_argument, NULL, 't' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "max-keys", required_argument, NULL, OPT_MAX_KEYS },
		{ "max-stacks", required_argument, NULL, OPT_MAX_STACKS },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "kprobe", no_argument, NULL, OPT_KPROBE },
		{ "no-tracepoints", no_argument, NULL, OPT_NO_TP },
		{ "no-api", no_argument, NULL, OPT_NO_API },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ 0 }
	};
	int c;

	/*
	 * '+': stop at the first non-option (the view or the command); ':':
	 * getopt_long reports nothing itself (option_error() does).
	 */
	while ((c = getopt_long(argc, argv, "+:hVvjd:p:w:n:t:b:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(o->c.out);
			return EXIT_OK;
		case 'V':
			fprintf(o->c.out, "khotrace %s\n", KHOTOOLS_VERSION);
			return EXIT_OK;
		case 'v':
			o->c.verbose++;
			break;
		case 'j':
			o->c.json = true;
			break;
		case OPT_PRETTY:
			o->c.json = o->c.pretty = true;
			break;
		case 'd':
			if (!parse_seconds(optarg, &o->duration) || o->duration == 0) {
				errmsg(&o->c, "invalid duration '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (!parse_uint(optarg, 0x7fffffff, &o->pid) || !o->pid) {
				errmsg(&o->c, "invalid pid '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w':
			if (!parse_seconds(optarg, &o->window) || o->window == 0) {
				errmsg(&o->c, "invalid window '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_uint(optarg, 1 << 20, &o->min_cycles) || !o->min_cycles) {
				errmsg(&o->c, "invalid cycle count '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (!parse_uint(optarg, 1 << 30, &o->top)) {
				errmsg(&o->c, "invalid row count '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			if (!parse_uint(optarg, 1024, &o->buffer_mib) || !o->buffer_mib) {
				errmsg(&o->c, "invalid buffer size '%s' (MiB, 1-1024)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_KEYS:
			if (!parse_uint(optarg, 1 << 24, &o->max_keys) || o->max_keys < 16) {
				errmsg(&o->c, "invalid key count '%s' (16-16777216)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_STACKS:
			if (!parse_uint(optarg, 1 << 20, &o->max_stacks) || o->max_stacks < 16) {
				errmsg(&o->c, "invalid stack count '%s' (16-1048576)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_KPROBE:
			o->force_kprobe = true;
			break;
		case OPT_NO_TP:
			o->no_tp = true;
			break;
		case OPT_NO_API:
			o->no_api = true;
			break;
		case OPT_BTF:
			o->btf = optarg;
			break;
		default:
			return option_error(&o->c, longopts, c, argc, argv);
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") && strcmp(argv[optind - 1], "--")) {
		size_t v;

		for (v = 0; v < sizeof(view_names) / sizeof(view_names[0]); v++)
			if (!strcmp(argv[optind], view_names[v]))
				break;
		if (v == sizeof(view_names) / sizeof(view_names[0])) {
			errmsg(&o->c, "unknown view '%s' (events, top, churn, anomalies, growth)",
			       argv[optind]);
			return EXIT_USAGE;
		}
		o->view = (enum view)v;
		optind++;
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind < argc)
		o->cmd = &argv[optind];
	if (optind > 0 && !strcmp(argv[optind - 1], "--") && optind == argc) {
		errmsg(&o->c, "'--' needs a command");
		return EXIT_USAGE;
	}
	return -1;
}

/* ---------------------------------------------------------- kallsyms */

struct ksym {
	uint64_t addr;
	char *name;
	char *mod;	/* NULL: vmlinux */
	bool text;
};

static struct ksym *ksyms;
static size_t nksyms;
static bool ksyms_have_addrs;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int load_kallsyms(struct opts *o)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t cap = 0;

	if (!f) {
		errmsg(&o->c, "cannot read '/proc/kallsyms': %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], mod[128] = "";
		unsigned long long addr;
		int n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod);

		if (n < 3)
			continue;
		if (nksyms == cap) {
			struct ksym *k;

			cap = cap ? cap * 2 : 65536;
			k = realloc(ksyms, cap * sizeof(*k));
			if (!k) {
				fclose(f);
				errmsg(&o->c, "out of memory");
				return -1;
			}
			ksyms = k;
		}
		ksyms[nksyms].addr = addr;
		ksyms[nksyms].name = strdup(name);
		ksyms[nksyms].mod = n == 4 ? strdup(mod) : NULL;
		ksyms[nksyms].text = type == 't' || type == 'T' || type == 'W' || type == 'w';
		if (!ksyms[nksyms].name || (n == 4 && !ksyms[nksyms].mod)) {
			fclose(f);
			errmsg(&o->c, "out of memory");
			return -1;
		}
		if (addr)
			ksyms_have_addrs = true;
		nksyms++;
	}
	fclose(f);
	/* qsort()'s base must not be NULL, even for 0 elements (make analyze). */
	if (nksyms)
		qsort(ksyms, nksyms, sizeof(*ksyms), ksym_cmp);
	return 0;
}

static void free_kallsyms(void)
{
	for (size_t i = 0; i < nksyms; i++) {
		free(ksyms[i].name);
		free(ksyms[i].mod);
	}
	free(ksyms);
}

/* The symbol containing @addr: the last text symbol at or below it. */
static const struct ksym *ksym_find(uint64_t addr)
{
	size_t lo = 0, hi = nksyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0) {
		const struct ksym *k = &ksyms[--lo];

		/* Far from any symbol: JIT code, a trampoline, not a function. */
		if (addr - k->addr > (1 << 16))
			break;
		if (k->text)
			return k;
	}
	return NULL;
}

static void sym_format(uint64_t ip, char *buf, size_t len)
{
	const struct ksym *k = ksyms_have_addrs ? ksym_find(ip) : NULL;

	if (!k)
		snprintf(buf, len, "0x%llx", (unsigned long long)ip);
	else if (k->mod)
		snprintf(buf, len, "%s+0x%llx [%s]", k->name,
			 (unsigned long long)(ip - k->addr), k->mod);
	else
		snprintf(buf, len, "%s+0x%llx", k->name, (unsigned long long)(ip - k->addr));
}

/* ------------------------------------------------------------ discovery */

static void btf_type_str(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t;
	char inner[96];
	int depth = 0;

	while (id && depth++ < 16) {
		t = btf__type_by_id(btf, id);
		if (!t)
			break;
		switch (btf_kind(t)) {
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_PTR:
			btf_type_str(btf, t->type, inner, sizeof(inner));
			snprintf(buf, len, "%s *", inner);
			return;
		case BTF_KIND_STRUCT:
			snprintf(buf, len, "struct %s", btf__name_by_offset(btf, t->name_off));
			return;
		case BTF_KIND_UNION:
			snprintf(buf, len, "union %s", btf__name_by_offset(btf, t->name_off));
			return;
		case BTF_KIND_FWD:
			snprintf(buf, len, "%s %s", btf_kflag(t) ? "union" : "struct",
				 btf__name_by_offset(btf, t->name_off));
			return;
		default:
			snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
			return;
		}
	}
	snprintf(buf, len, "void");
}

/* Fill in what BTF @btf (of @obj) says about the hooks it has. */
static void btf_scan(struct btf *btf, const char *obj)
{
	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];
		const struct btf_type *fn, *proto;
		const struct btf_param *p;
		char rt[128], pt[128];
		size_t len;
		int id;

		if (h->in_btf || h->kind == H_TP_ADD || h->kind == H_TP_DEL ||
		    h->kind == H_TP_NODE)
			continue;
		id = btf__find_by_name_kind(btf, h->name, BTF_KIND_FUNC);
		if (id < 0)
			continue;
		fn = btf__type_by_id(btf, id);
		proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
		if (!proto || !btf_is_func_proto(proto))
			continue;
		h->in_btf = true;
		snprintf(h->btf_obj, sizeof(h->btf_obj), "%s", obj);
		btf_type_str(btf, proto->type, rt, sizeof(rt));
		h->ret_int = proto->type != 0;
		len = (size_t)snprintf(h->btf_sig, sizeof(h->btf_sig), "%s %s(", rt, h->name);
		p = btf_params(proto);
		for (int a = 0; a < btf_vlen(proto) && len < sizeof(h->btf_sig); a++) {
			btf_type_str(btf, p[a].type, pt, sizeof(pt));
			len += (size_t)snprintf(h->btf_sig + len, sizeof(h->btf_sig) - len,
						"%s%s%s%s", a ? ", " : "", pt,
						pt[strlen(pt) - 1] == '*' ? "" : " ",
						btf__name_by_offset(btf, p[a].name_off));
			if (a == 1 && (h->fn == KT_FN_PRESERVE_PAGES ||
				       h->fn == KT_FN_UNPRESERVE_PAGES))
				h->nr_u32 = btf__resolve_size(btf, p[a].type) == 4;
		}
		if (len < sizeof(h->btf_sig))
			snprintf(h->btf_sig + len, sizeof(h->btf_sig) - len, ")");
	}
}

static void discover(struct opts *o)
{
	struct btf *vmlinux;
	const char *vpath = o->btf ? o->btf : "/sys/kernel/btf/vmlinux";

	for (size_t i = 0; i < nksyms; i++) {
		const char *name = ksyms[i].name;

		for (size_t j = 0; j < NR_HOOKS; j++) {
			struct hook *h = &hooks[j];
			bool tp = h->kind == H_TP_ADD || h->kind == H_TP_DEL ||
				  h->kind == H_TP_NODE;
			size_t n = strlen(h->name);

			if (tp) {
				if (strncmp(name, "__tracepoint_", 13) || strcmp(name + 13, h->name))
					continue;
			} else if (!ksyms[i].text || strncmp(name, h->name, n) ||
				   (name[n] && name[n] != '.')) {
				continue;
			}
			if (!tp && name[n] == '.') {
				/* A clone (isra/constprop): its arguments may differ. */
				if (!h->in_kallsyms)
					h->only_clone = true;
				continue;
			}
			h->in_kallsyms = true;
			h->only_clone = false;
			snprintf(h->ksym_mod, sizeof(h->ksym_mod), "%s",
				 ksyms[i].mod ? ksyms[i].mod : "vmlinux");
		}
	}

	vmlinux = btf__parse(vpath, NULL);
	if (!vmlinux)
		return;
	btf_scan(vmlinux, "vmlinux");
	/* Module BTF: /sys/kernel/btf/<module>, split on vmlinux's. */
	if (!o->btf) {
		for (size_t j = 0; j < NR_HOOKS; j++) {
			struct hook *h = &hooks[j];
			char path[128];
			struct btf *mb;

			if (h->in_btf || !h->in_kallsyms || !strcmp(h->ksym_mod, "vmlinux"))
				continue;
			snprintf(path, sizeof(path), "/sys/kernel/btf/%s", h->ksym_mod);
			mb = btf__parse_split(path, vmlinux);
			if (!mb)
				continue;
			btf_scan(mb, h->ksym_mod);
			btf__free(mb);
		}
	}
	btf__free(vmlinux);
}

static struct hook *hook_by_fn(enum kt_fn fn)
{
	for (size_t i = 0; i < NR_HOOKS; i++)
		if (hooks[i].fn == fn)
			return &hooks[i];
	return NULL;
}

static bool have_btf;

/* Choose an attach mode per hook; the number of hooks that give keys. */
static int plan(struct opts *o)
{
	struct hook *tpa = hook_by_fn(KT_FN_TP_ADD), *tpd = hook_by_fn(KT_FN_TP_DEL);
	struct hook *ra = hook_by_fn(KT_FN_RADIX_ADD_PAGE), *rd = hook_by_fn(KT_FN_RADIX_DEL_PAGE);
	struct hook *va = hook_by_fn(KT_FN_PRESERVE_ORDER), *vd = hook_by_fn(KT_FN_UNPRESERVE_ORDER);
	struct hook *blk_add = NULL, *blk_del = NULL;
	int keyed = 0;

	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];

		h->mode = M_NONE;
		if (h->kind == H_TP_ADD || h->kind == H_TP_DEL || h->kind == H_TP_NODE) {
			if (!h->in_kallsyms)
				snprintf(h->why, sizeof(h->why), "no such tracepoint in this kernel");
			else if (o->no_tp)
				snprintf(h->why, sizeof(h->why), "tracepoint in %s; not used: --no-tracepoints",
					 h->ksym_mod);
			continue;
		}
		if (!h->in_kallsyms) {
			snprintf(h->why, sizeof(h->why), h->only_clone ?
				 "only a compiler clone (.isra/.constprop) exists: arguments may differ" :
				 "not in this kernel (or inlined everywhere)");
			continue;
		}
		if (h->kind == H_API && o->no_api) {
			snprintf(h->why, sizeof(h->why), "in %s; not used: --no-api", h->ksym_mod);
			continue;
		}
		if (h->in_btf && have_btf && !o->force_kprobe) {
			h->mode = M_FENTRY;
			snprintf(h->why, sizeof(h->why), "fentry/fexit: in the BTF of %s", h->btf_obj);
		} else {
			h->mode = M_KPROBE;
			snprintf(h->why, sizeof(h->why), "kprobe/kretprobe: %s (%s)",
				 o->force_kprobe ? "--kprobe given" :
				 !have_btf ? "the kernel has no BTF" : "not in BTF",
				 h->ksym_mod);
		}
		if (h->kind == H_API)
			keyed++;
	}

	/* One source of per-block events: tracepoints, kho-v2, kho-v1. */
	if (tpa->in_kallsyms && tpd->in_kallsyms && !o->no_tp) {
		blk_add = tpa;
		blk_del = tpd;
		tpa->mode = tpd->mode = M_TP;
		snprintf(tpa->why, sizeof(tpa->why), "raw tracepoint (%s)", tpa->ksym_mod);
		snprintf(tpd->why, sizeof(tpd->why), "raw tracepoint (%s)", tpd->ksym_mod);
	} else if (ra->mode != M_NONE && rd->mode != M_NONE) {
		blk_add = ra;
		blk_del = rd;
	} else if (va->mode != M_NONE && vd->mode != M_NONE) {
		blk_add = va;
		blk_del = vd;
	}
	for (struct hook *h = ra; h <= vd; h++) {
		if (h->mode == M_NONE || h == blk_add || h == blk_del)
			continue;
		h->mode = M_NONE;
		snprintf(h->why, sizeof(h->why), "in %s; not used: %s is the block source",
			 h->ksym_mod, blk_add ? blk_add->name : "?");
	}
	if (blk_add)
		keyed++;
	else if (ra->mode != M_NONE || rd->mode != M_NONE || va->mode != M_NONE ||
		 vd->mode != M_NONE) {
		for (struct hook *h = ra; h <= vd; h++)
			if (h->mode != M_NONE) {
				h->mode = M_NONE;
				snprintf(h->why, sizeof(h->why), "in %s; not used: its pair is missing",
					 h->ksym_mod);
			}
	}
	{
		struct hook *n = hook_by_fn(KT_FN_TP_NODE_ALLOC);

		if (n->in_kallsyms && !o->no_tp) {
			char mod[sizeof(n->ksym_mod)];

			memcpy(mod, n->ksym_mod, sizeof(mod));
			n->mode = M_TP;
			snprintf(n->why, sizeof(n->why), "raw tracepoint (%s)", mod);
		}
	}
	return keyed;
}

static const char *mode_name(enum hook_mode m)
{
	switch (m) {
	case M_FENTRY:
		return "fentry";
	case M_KPROBE:
		return "kprobe";
	case M_TP:
		return "tracepoint";
	default:
		return "-";
	}
}

/* ------------------------------------------------------------- output */

static struct json J;
static FILE *out;

static void list_hooks(struct opts *o)
{
	if (o->c.json) {
		json_open(&J, "attach_points", '[');
		for (size_t i = 0; i < NR_HOOKS; i++) {
			struct hook *h = &hooks[i];

			json_open(&J, NULL, '{');
			json_str(&J, "name", h->name);
			json_str(&J, "attach", mode_name(h->mode));
			json_bool(&J, "in_kallsyms", h->in_kallsyms);
			if (h->in_kallsyms)
				json_str(&J, "object", h->ksym_mod);
			json_bool(&J, "in_btf", h->in_btf);
			if (h->in_btf)
				json_str(&J, "signature", h->btf_sig);
			json_str(&J, "upstream", h->upstream);
			json_str(&J, "why", h->why);
			if (o->list || h->mode == M_NONE)
				;
			else
				json_bool(&J, "attached", h->attached);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		return;
	}
	fprintf(out, "%-24s %-10s %s\n", "attach point", "attach", "why");
	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];

		fprintf(out, "%-24s %-10s %s\n", h->name, mode_name(h->mode), h->why);
		if (h->in_btf)
			fprintf(out, "%-24s %-10s BTF: %s%s\n", "", "", h->btf_sig,
				h->nr_u32 ? " (nr_pages is 32-bit)" : "");
	}
}

/* ------------------------------------------------------------- stacks */

static int stacks_fd = -1;

/* Frames of a stack, without the tracer's own (BPF program, trampoline). */
static int stack_frames(int32_t id, uint64_t *ips, int max)
{
	uint64_t raw[KT_MAX_STACK];
	int n = 0, i = 0;

	if (id < 0 || stacks_fd < 0)
		return 0;
	memset(raw, 0, sizeof(raw));
	if (bpf_map_lookup_elem(stacks_fd, &id, raw))
		return 0;
	for (; i < KT_MAX_STACK && raw[i]; i++) {
		const struct ksym *k = ksyms_have_addrs ? ksym_find(raw[i]) : NULL;

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

static bool is_kho_frame(const char *name)
{
	for (size_t i = 0; i < NR_HOOKS; i++)
		if (!strcmp(name, hooks[i].name))
			return true;
	return !strncmp(name, "kho_radix_", 10) || !strncmp(name, "__kho_", 6) ||
	       !strncmp(name, "trace_kho_", 10) || !strncmp(name, "__traceiter_kho_", 16);
}

/* The first frame outside KHO: the code responsible. */
static void stack_caller(int32_t id, char *buf, size_t len)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(id, ips, KT_MAX_STACK);

	for (int i = 0; i < n; i++) {
		const struct ksym *k = ksyms_have_addrs ? ksym_find(ips[i]) : NULL;

		if (k && is_kho_frame(k->name))
			continue;
		sym_format(ips[i], buf, len);
		return;
	}
	snprintf(buf, len, "%s", id < 0 ? "(no stack)" : "?");
}

static void print_stack(int32_t id, const char *indent)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(id, ips, KT_MAX_STACK);
	char s[256];

	if (!n)
		fprintf(out, "%s%s\n", indent, id < 0 ? "(no stack: not captured)" : "(empty)");
	for (int i = 0; i < n; i++) {
		sym_format(ips[i], s, sizeof(s));
		fprintf(out, "%s%s\n", indent, s);
	}
}

static void json_stack(const char *key, int32_t id)
{
	uint64_t ips[KT_MAX_STACK];
	int n = stack_frames(id, ips, KT_MAX_STACK);
	char s[256];

	json_open(&J, key, '[');
	for (int i = 0; i < n; i++) {
		sym_format(ips[i], s, sizeof(s));
		json_str(&J, NULL, s);
	}
	json_close(&J, ']');
}

/* ------------------------------------------------- userspace key table */

struct ukey {
	uint64_t key;		/* 0: empty slot */
	uint64_t pfn;
	uint64_t first_ts, last_ts;
	uint32_t order;
	uint32_t preserves, unpreserves, represerves;
	uint32_t max_window;	/* most re-preserves seen within the window */
	uint32_t ring_n, ring_head;
	uint64_t *ring;		/* times of the last min_cycles re-preserves */
	int32_t p_stack, u_stack;
	bool p_mixed, u_mixed;	/* more than one stack on that side */
	bool preserved;
	uint8_t api;
};

static struct ukey *utab;
static size_t utab_cap, utab_n, utab_full;

static struct ukey *ukey_get(uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (utab_cap - 1);

	for (size_t probe = 0; probe < utab_cap; probe++, i = (i + 1) & (utab_cap - 1)) {
		if (utab[i].key == key)
			return &utab[i];
		if (!utab[i].key) {
			if (utab_n >= utab_cap / 2) {
				utab_full++;
				return NULL;
			}
			utab[i].key = key;
			utab[i].p_stack = utab[i].u_stack = -1;
			utab_n++;
			return &utab[i];
		}
	}
	utab_full++;
	return NULL;
}

/* ------------------------------------------------------------- state */

struct anom {
	uint64_t ts, key, pfn;
	uint32_t pid, tgid, order;
	int32_t stack;
	uint8_t kind, api;
	char comm[KT_COMM_LEN];
};

#define MAX_ANOM_LIST 4096

static struct opts O;
static volatile sig_atomic_t stop;
static uint64_t t0;
static uint64_t ev_seen, ev_keys, ev_nodes, ev_errors;
static struct anom *anoms;
static size_t nanoms, anoms_unlisted;
static int32_t last_stack_cache_id = -2;
static char last_stack_cache[256];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

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

static void caller_of(int32_t id, char *buf, size_t len)
{
	if (id != last_stack_cache_id) {
		stack_caller(id, last_stack_cache, sizeof(last_stack_cache));
		last_stack_cache_id = id;
	}
	snprintf(buf, len, "%s", last_stack_cache);
}

static void churn_account(const struct kt_event *e)
{
	struct ukey *u = ukey_get(e->key);
	uint64_t window = (uint64_t)(O.window * 1e9);

	if (!u)
		return;
	u->pfn = e->pfn;
	u->order = e->order;
	if (!u->first_ts)
		u->first_ts = e->ts;
	u->last_ts = e->ts;
	u->api = e->api;
	if (e->op == KT_OP_PRESERVE) {
		if (!u->preserved && u->preserves) {
			u->represerves++;
			if (!u->ring)
				u->ring = calloc(O.min_cycles, sizeof(*u->ring));
			if (u->ring) {
				uint32_t inwin = 0;

				u->ring[u->ring_head] = e->ts;
				u->ring_head = (u->ring_head + 1) % O.min_cycles;
				if (u->ring_n < O.min_cycles)
					u->ring_n++;
				for (uint32_t i = 0; i < u->ring_n; i++)
					if (e->ts - u->ring[i] <= window)
						inwin++;
				if (inwin > u->max_window)
					u->max_window = inwin;
			}
		}
		u->preserved = true;
		u->preserves++;
		if (u->p_stack >= 0 && u->p_stack != e->stack_id)
			u->p_mixed = true;
		u->p_stack = e->stack_id;
	} else {
		u->preserved = false;
		u->unpreserves++;
		if (u->u_stack >= 0 && u->u_stack != e->stack_id)
			u->u_mixed = true;
		u->u_stack = e->stack_id;
	}
}

static void print_event(const struct kt_event *e)
{
	double t = (double)(e->ts - t0) / 1e9;
	char caller[256];

	caller_of(e->stack_id, caller, sizeof(caller));
	if (O.c.json) {
		json_open(&J, NULL, '{');
		json_double(&J, "time_s", t);
		json_str(&J, "op", op_name(e->op));
		if (e->kind == KT_EV_KEY || e->kind == KT_EV_NODE) {
			json_hex(&J, "key", e->key);
			json_hex(&J, "phys", e->pfn << 12);
			json_uint(&J, "order", e->order);
		}
		if (e->kind == KT_EV_NODE)
			json_uint(&J, "level", e->level);
		if (e->kind == KT_EV_ERROR)
			json_int(&J, "ret", e->ret);
		json_uint(&J, "pid", e->pid);
		json_uint(&J, "tgid", e->tgid);
		json_str(&J, "comm", e->comm);
		json_str(&J, "api", fn_name(e->api));
		json_str(&J, "source", fn_name(e->src));
		json_int(&J, "stack_id", e->stack_id);
		json_str(&J, "caller", caller);
		if (e->anomaly)
			json_str(&J, "anomaly", anom_name(e->anomaly));
		json_close(&J, '}');
		return;
	}
	if (e->kind == KT_EV_ERROR)
		fprintf(out, "%12.6f %-16s %7u %-10s ret=%d %s <- %s\n", t, e->comm, e->pid,
			op_name(e->op), e->ret, fn_name(e->api), caller);
	else
		fprintf(out, "%12.6f %-16s %7u %-10s 0x%-16llx 0x%-12llx %2u %s <- %s%s%s\n",
			t, e->comm, e->pid, e->kind == KT_EV_NODE ? "node" : op_name(e->op),
			(unsigned long long)e->key, (unsigned long long)(e->pfn << 12),
			e->kind == KT_EV_NODE ? e->level : e->order, fn_name(e->api), caller,
			e->anomaly ? "  ANOMALY " : "", anom_name(e->anomaly));
	fflush(out);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct kt_event *e = data;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	ev_seen++;
	if (e->kind == KT_EV_KEY) {
		ev_keys++;
		churn_account(e);
		if (e->anomaly) {
			if (nanoms < MAX_ANOM_LIST) {
				struct anom *a = &anoms[nanoms++];

				a->ts = e->ts;
				a->key = e->key;
				a->pfn = e->pfn;
				a->pid = e->pid;
				a->tgid = e->tgid;
				a->order = e->order;
				a->stack = e->stack_id;
				a->kind = e->anomaly;
				a->api = e->api;
				memcpy(a->comm, e->comm, sizeof(a->comm));
			} else {
				anoms_unlisted++;
			}
		}
	} else if (e->kind == KT_EV_NODE) {
		ev_nodes++;
	} else if (e->kind == KT_EV_ERROR) {
		ev_errors++;
	}
	if (O.view == V_EVENTS)
		print_event(e);
	return 0;
}

/* ------------------------------------------------------------ summary */

static uint64_t counters[KT_C__COUNT];
static uint64_t node_levels[KT_MAX_LEVEL];

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

static struct loss L;

static uint64_t loss_total(void)
{
	return L.ringbuf + L.stacks + L.stack_collisions + L.maps + L.ctx + L.nest + L.split + L.keys_evicted +
	       L.stacks_evicted + L.procs_evicted + L.user_keys;
}

static void compute_losses(struct kho_trace_bpf *skel)
{
	size_t keys_now = map_entries(bpf_map__fd(skel->maps.keys), sizeof(uint64_t));
	size_t stacks_now = map_entries(bpf_map__fd(skel->maps.by_stack),
					sizeof(struct kt_stack_key));
	size_t procs_now = map_entries(bpf_map__fd(skel->maps.by_proc), sizeof(uint32_t));

	L.ringbuf = counters[KT_C_RB_DROPS];
	L.stacks = counters[KT_C_STACK_ERRORS];
	L.stack_collisions = counters[KT_C_STACK_COLLISIONS];
	L.maps = counters[KT_C_MAP_ERRORS];
	L.ctx = counters[KT_C_CTX_ERRORS];
	L.nest = counters[KT_C_NEST_OVERFLOW];
	L.split = counters[KT_C_SPLIT_TRUNCATED];
	/* LRU maps evict silently; nothing is ever deleted from them, so
	 * whatever was inserted and is gone was evicted. */
	L.keys_evicted = counters[KT_C_KEY_INSERTS] > keys_now ?
			 counters[KT_C_KEY_INSERTS] - keys_now : 0;
	L.stacks_evicted = counters[KT_C_STACK_INSERTS] > stacks_now ?
			   counters[KT_C_STACK_INSERTS] - stacks_now : 0;
	L.procs_evicted = counters[KT_C_PROC_INSERTS] > procs_now ?
			  counters[KT_C_PROC_INSERTS] - procs_now : 0;
	L.user_keys = utab_full;
}

static void print_losses(void)
{
	if (O.c.json) {
		json_open(&J, "lost", '{');
		json_uint(&J, "total", loss_total());
		json_uint(&J, "ringbuf", L.ringbuf);
		json_uint(&J, "stacks", L.stacks);
		json_uint(&J, "stack_collisions", L.stack_collisions);
		json_uint(&J, "map_updates", L.maps);
		json_uint(&J, "contexts", L.ctx);
		json_uint(&J, "nesting", L.nest);
		json_uint(&J, "split_truncated", L.split);
		json_uint(&J, "keys_evicted", L.keys_evicted);
		json_uint(&J, "stacks_evicted", L.stacks_evicted);
		json_uint(&J, "procs_evicted", L.procs_evicted);
		json_uint(&J, "user_keys", L.user_keys);
		json_close(&J, '}');
		return;
	}
	fprintf(out, "lost:   %llu (ring buffer %llu, stacks %llu (+%llu collisions), map updates %llu, contexts %llu,"
		" nesting %llu, split %llu; evicted: keys %llu, stacks %llu, processes %llu;"
		" userspace keys %llu)\n",
		(unsigned long long)loss_total(), (unsigned long long)L.ringbuf,
		(unsigned long long)L.stacks, (unsigned long long)L.stack_collisions,
		(unsigned long long)L.maps,
		(unsigned long long)L.ctx, (unsigned long long)L.nest,
		(unsigned long long)L.split, (unsigned long long)L.keys_evicted,
		(unsigned long long)L.stacks_evicted, (unsigned long long)L.procs_evicted,
		(unsigned long long)L.user_keys);
}

static void print_counts(double secs)
{
	uint64_t anom = counters[KT_C_ANOM_DOUBLE_PRESERVE] +
			counters[KT_C_ANOM_UNPRESERVE_UNKNOWN] +
			counters[KT_C_ANOM_DOUBLE_UNPRESERVE];

	if (O.c.json) {
		json_double(&J, "duration_s", secs);
		json_open(&J, "counts", '{');
		json_uint(&J, "key_events", counters[KT_C_KEY_EVENTS]);
		json_uint(&J, "preserves", counters[KT_C_PRESERVES]);
		json_uint(&J, "unpreserves", counters[KT_C_UNPRESERVES]);
		json_uint(&J, "api_calls", counters[KT_C_API_CALLS]);
		json_uint(&J, "api_errors", counters[KT_C_API_ERRORS]);
		json_uint(&J, "node_allocs", counters[KT_C_NODE_ALLOCS]);
		json_uint(&J, "inner_skipped", counters[KT_C_INNER_SKIPPED]);
		json_uint(&J, "anomalies", anom);
		json_uint(&J, "events_received", ev_seen);
		json_close(&J, '}');
		return;
	}
	fprintf(out, "traced: %.3f s, %llu key events (%llu preserves, %llu unpreserves), "
		"%llu API calls, %llu API errors, %llu anomalies, %llu nodes allocated\n",
		secs, (unsigned long long)counters[KT_C_KEY_EVENTS],
		(unsigned long long)counters[KT_C_PRESERVES],
		(unsigned long long)counters[KT_C_UNPRESERVES],
		(unsigned long long)counters[KT_C_API_CALLS],
		(unsigned long long)counters[KT_C_API_ERRORS], (unsigned long long)anom,
		(unsigned long long)counters[KT_C_NODE_ALLOCS]);
}

/* --- top */

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

static size_t rows_limit(size_t n)
{
	return O.top && O.top < n ? O.top : n;
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

static void view_top(struct kho_trace_bpf *skel)
{
	int kfd = bpf_map__fd(skel->maps.keys), pfd = bpf_map__fd(skel->maps.by_proc);
	struct krow *krows = NULL;
	struct prow *prows = NULL;
	struct srow *srows;
	size_t nk = 0, kcap = 0, np = 0, pcap = 0, ns = 0;
	uint64_t key, nkey, *kprev = NULL;
	uint32_t tg, ntg, *pprev = NULL;
	char s[256];

	while (!bpf_map_get_next_key(kfd, kprev, &nkey)) {
		key = nkey;
		kprev = &key;
		if (nk == kcap) {
			struct krow *r;

			kcap = kcap ? kcap * 2 : 256;
			r = realloc(krows, kcap * sizeof(*r));
			if (!r)
				break;
			krows = r;
		}
		if (bpf_map_lookup_elem(kfd, &key, &krows[nk].st))
			continue;
		krows[nk++].key = key;
	}
	if (krows)
		qsort(krows, nk, sizeof(*krows), krow_cmp);
	while (!bpf_map_get_next_key(pfd, pprev, &ntg)) {
		tg = ntg;
		pprev = &tg;
		if (np == pcap) {
			struct prow *r;

			pcap = pcap ? pcap * 2 : 64;
			r = realloc(prows, pcap * sizeof(*r));
			if (!r)
				break;
			prows = r;
		}
		if (bpf_map_lookup_elem(pfd, &tg, &prows[np].p))
			continue;
		prows[np++].tgid = tg;
	}
	if (prows)
		qsort(prows, np, sizeof(*prows), prow_cmp);
	srows = collect_stacks(skel, &ns);

	if (O.c.json) {
		json_open(&J, "keys", '[');
		for (size_t i = 0; i < rows_limit(nk); i++) {
			const struct krow *r = &krows[i];
			unsigned int order = 52 - (63 - __builtin_clzll(r->key));

			json_open(&J, NULL, '{');
			json_hex(&J, "key", r->key);
			json_hex(&J, "phys", (r->key & ((1ULL << (52 - order)) - 1)) << (12 + order));
			json_uint(&J, "order", order);
			json_uint(&J, "preserves", r->st.preserves);
			json_uint(&J, "unpreserves", r->st.unpreserves);
			json_uint(&J, "represerves", r->st.represerves);
			json_bool(&J, "preserved", r->st.preserved);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		json_open(&J, "stacks", '[');
		for (size_t i = 0; i < rows_limit(ns); i++) {
			json_open(&J, NULL, '{');
			json_int(&J, "stack_id", srows[i].stack_id);
			json_str(&J, "api", fn_name(srows[i].api));
			json_uint(&J, "preserves", srows[i].preserves);
			json_uint(&J, "unpreserves", srows[i].unpreserves);
			json_uint(&J, "errors", srows[i].errors);
			json_uint(&J, "node_allocs", srows[i].nodes);
			json_stack("frames", srows[i].stack_id);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		json_open(&J, "processes", '[');
		for (size_t i = 0; i < rows_limit(np); i++) {
			json_open(&J, NULL, '{');
			json_uint(&J, "tgid", prows[i].tgid);
			json_str(&J, "comm", prows[i].p.comm);
			json_uint(&J, "preserves", prows[i].p.preserves);
			json_uint(&J, "unpreserves", prows[i].p.unpreserves);
			json_uint(&J, "errors", prows[i].p.errors);
			json_close(&J, '}');
		}
		json_close(&J, ']');
	} else {
		fprintf(out, "top keys (%zu tracked):\n", nk);
		fprintf(out, "  %-18s %-14s %5s %9s %11s %12s %s\n", "key", "phys", "order",
			"preserves", "unpreserves", "re-preserves", "now");
		for (size_t i = 0; i < rows_limit(nk); i++) {
			const struct krow *r = &krows[i];
			unsigned int order = 52 - (63 - __builtin_clzll(r->key));

			fprintf(out, "  0x%-16llx 0x%-12llx %5u %9u %11u %12u %s\n",
				(unsigned long long)r->key,
				(unsigned long long)((r->key & ((1ULL << (52 - order)) - 1)) << (12 + order)),
				order, r->st.preserves, r->st.unpreserves, r->st.represerves,
				r->st.preserved ? "preserved" : "-");
		}
		fprintf(out, "top stacks (%zu):\n", ns);
		for (size_t i = 0; i < rows_limit(ns); i++) {
			fprintf(out, "  [%d] %s: %llu preserves, %llu unpreserves, %llu errors, %llu nodes\n",
				srows[i].stack_id, fn_name(srows[i].api),
				(unsigned long long)srows[i].preserves,
				(unsigned long long)srows[i].unpreserves,
				(unsigned long long)srows[i].errors,
				(unsigned long long)srows[i].nodes);
			print_stack(srows[i].stack_id, "      ");
		}
		fprintf(out, "top processes (%zu):\n", np);
		fprintf(out, "  %7s %-16s %9s %11s %6s\n", "tgid", "comm", "preserves",
			"unpreserves", "errors");
		for (size_t i = 0; i < rows_limit(np); i++)
			fprintf(out, "  %7u %-16s %9llu %11llu %6llu\n", prows[i].tgid,
				prows[i].p.comm, (unsigned long long)prows[i].p.preserves,
				(unsigned long long)prows[i].p.unpreserves,
				(unsigned long long)prows[i].p.errors);
	}
	(void)s;
	free(krows);
	free(prows);
	free(srows);
}

/* --- churn */

struct pair {
	int32_t p_stack, u_stack;
	size_t keys;
	uint64_t represerves;
};

static int ukey_churn_cmp(const void *a, const void *b)
{
	const struct ukey *x = *(const struct ukey *const *)a, *y = *(const struct ukey *const *)b;

	if (x->represerves != y->represerves)
		return x->represerves > y->represerves ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void view_churn(void)
{
	struct ukey **rows = calloc(utab_n ? utab_n : 1, sizeof(*rows));
	struct pair *pairs = calloc(utab_n ? utab_n : 1, sizeof(*pairs));
	size_t n = 0, np = 0;
	uint64_t total = 0;

	if (!rows || !pairs) {
		free(rows);
		free(pairs);
		errmsg(&O.c, "out of memory");
		return;
	}
	for (size_t i = 0; i < utab_cap; i++) {
		struct ukey *u = &utab[i];

		if (!u->key || u->max_window < O.min_cycles)
			continue;
		rows[n++] = u;
		total += u->represerves;
	}
	qsort(rows, n, sizeof(*rows), ukey_churn_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < np; j++)
			if (pairs[j].p_stack == rows[i]->p_stack && pairs[j].u_stack == rows[i]->u_stack)
				break;
		if (j == np) {
			pairs[np].p_stack = rows[i]->p_stack;
			pairs[np].u_stack = rows[i]->u_stack;
			np++;
		}
		pairs[j].keys++;
		pairs[j].represerves += rows[i]->represerves;
	}

	if (O.c.json) {
		json_double(&J, "window_s", O.window);
		json_uint(&J, "min_cycles", O.min_cycles);
		json_uint(&J, "churn_keys", n);
		json_uint(&J, "churn_represerves", total);
		json_open(&J, "keys", '[');
		for (size_t i = 0; i < rows_limit(n); i++) {
			const struct ukey *u = rows[i];

			json_open(&J, NULL, '{');
			json_hex(&J, "key", u->key);
			json_hex(&J, "phys", u->pfn << 12);
			json_uint(&J, "order", u->order);
			json_uint(&J, "preserves", u->preserves);
			json_uint(&J, "unpreserves", u->unpreserves);
			json_uint(&J, "represerves", u->represerves);
			json_uint(&J, "max_in_window", u->max_window);
			json_bool(&J, "preserved", u->preserved);
			json_int(&J, "preserve_stack", u->p_stack);
			json_int(&J, "unpreserve_stack", u->u_stack);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		json_open(&J, "stack_pairs", '[');
		for (size_t i = 0; i < np; i++) {
			char c[256];

			json_open(&J, NULL, '{');
			json_uint(&J, "keys", pairs[i].keys);
			json_uint(&J, "represerves", pairs[i].represerves);
			json_int(&J, "preserve_stack_id", pairs[i].p_stack);
			stack_caller(pairs[i].p_stack, c, sizeof(c));
			json_str(&J, "preserve_caller", c);
			json_stack("preserve_stack", pairs[i].p_stack);
			json_int(&J, "unpreserve_stack_id", pairs[i].u_stack);
			stack_caller(pairs[i].u_stack, c, sizeof(c));
			json_str(&J, "unpreserve_caller", c);
			json_stack("unpreserve_stack", pairs[i].u_stack);
			json_close(&J, '}');
		}
		json_close(&J, ']');
	} else {
		fprintf(out, "churn: %zu keys re-preserved >= %u times within %g s (%llu re-preserves)\n",
			n, O.min_cycles, O.window, (unsigned long long)total);
		if (n)
			fprintf(out, "  %-18s %-14s %5s %9s %11s %12s\n", "key", "phys", "order",
				"preserves", "unpreserves", "re-preserves");
		for (size_t i = 0; i < rows_limit(n); i++) {
			const struct ukey *u = rows[i];

			fprintf(out, "  0x%-16llx 0x%-12llx %5u %9u %11u %12u\n",
				(unsigned long long)u->key, (unsigned long long)(u->pfn << 12),
				u->order, u->preserves, u->unpreserves, u->represerves);
		}
		for (size_t i = 0; i < np; i++) {
			fprintf(out, "stack pair %zu: %zu keys, %llu re-preserves\n", i + 1,
				pairs[i].keys, (unsigned long long)pairs[i].represerves);
			fprintf(out, "  preserved at:\n");
			print_stack(pairs[i].p_stack, "    ");
			fprintf(out, "  unpreserved at:\n");
			print_stack(pairs[i].u_stack, "    ");
		}
	}
	free(rows);
	free(pairs);
}

/* --- anomalies */

static void view_anomalies(void)
{
	static const unsigned int kinds[KT_NR_ANOM] = {
		KT_ANOM_UNPRESERVE_UNKNOWN, KT_ANOM_DOUBLE_PRESERVE, KT_ANOM_DOUBLE_UNPRESERVE
	};
	static const unsigned int ctr[KT_NR_ANOM] = {
		KT_C_ANOM_UNPRESERVE_UNKNOWN, KT_C_ANOM_DOUBLE_PRESERVE, KT_C_ANOM_DOUBLE_UNPRESERVE
	};
	char c[256];

	if (O.c.json) {
		json_open(&J, "anomaly_counts", '{');
		for (int k = 0; k < KT_NR_ANOM; k++)
			json_uint(&J, anom_name(kinds[k]), counters[ctr[k]]);
		json_close(&J, '}');
		json_uint(&J, "anomalies_unlisted", anoms_unlisted);
		json_open(&J, "anomalies", '[');
		for (size_t i = 0; i < nanoms; i++) {
			const struct anom *a = &anoms[i];

			json_open(&J, NULL, '{');
			json_double(&J, "time_s", (double)(a->ts - t0) / 1e9);
			json_str(&J, "kind", anom_name(a->kind));
			json_hex(&J, "key", a->key);
			json_hex(&J, "phys", a->pfn << 12);
			json_uint(&J, "order", a->order);
			json_uint(&J, "pid", a->pid);
			json_str(&J, "comm", a->comm);
			json_str(&J, "api", fn_name(a->api));
			stack_caller(a->stack, c, sizeof(c));
			json_str(&J, "caller", c);
			json_stack("stack", a->stack);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		return;
	}
	fprintf(out, "anomalies: %llu unpreserve-unknown, %llu double-preserve, %llu double-unpreserve\n",
		(unsigned long long)counters[KT_C_ANOM_UNPRESERVE_UNKNOWN],
		(unsigned long long)counters[KT_C_ANOM_DOUBLE_PRESERVE],
		(unsigned long long)counters[KT_C_ANOM_DOUBLE_UNPRESERVE]);
	for (size_t i = 0; i < nanoms; i++) {
		const struct anom *a = &anoms[i];

		fprintf(out, "%12.6f %-18s key 0x%llx (phys 0x%llx order %u) %s pid %u %s\n",
			(double)(a->ts - t0) / 1e9, anom_name(a->kind),
			(unsigned long long)a->key, (unsigned long long)(a->pfn << 12), a->order,
			fn_name(a->api), a->pid, a->comm);
		print_stack(a->stack, "      ");
	}
	if (anoms_unlisted)
		fprintf(out, "(%llu more not listed)\n", (unsigned long long)anoms_unlisted);
}

/* --- growth */

static void view_growth(struct kho_trace_bpf *skel, double secs)
{
	const struct hook *n = hook_by_fn(KT_FN_TP_NODE_ALLOC);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t total = 0;
	struct srow *srows;
	size_t ns = 0;

	for (int l = 0; l < KT_MAX_LEVEL; l++)
		total += node_levels[l];
	srows = collect_stacks(skel, &ns);
	if (O.c.json) {
		json_bool(&J, "growth_available", n->mode == M_TP);
		json_uint(&J, "nodes", total);
		json_uint(&J, "metadata_bytes", total * (uint64_t)page);
		json_double(&J, "bytes_per_s", secs > 0 ? (double)total * page / secs : 0);
		json_open(&J, "levels", '[');
		for (int l = 0; l < KT_MAX_LEVEL; l++)
			if (node_levels[l]) {
				json_open(&J, NULL, '{');
				json_uint(&J, "level", (uint64_t)l);
				json_uint(&J, "nodes", node_levels[l]);
				json_close(&J, '}');
			}
		json_close(&J, ']');
		json_open(&J, "stacks", '[');
		for (size_t i = 0; i < ns; i++) {
			if (!srows[i].nodes)
				continue;
			json_open(&J, NULL, '{');
			json_int(&J, "stack_id", srows[i].stack_id);
			json_uint(&J, "nodes", srows[i].nodes);
			json_stack("frames", srows[i].stack_id);
			json_close(&J, '}');
		}
		json_close(&J, ']');
		free(srows);
		return;
	}
	if (n->mode != M_TP) {
		fprintf(out, "growth: not available (%s)\n", n->why);
		free(srows);
		return;
	}
	fprintf(out, "growth: %llu nodes allocated, %llu metadata bytes (%.0f bytes/s)\n",
		(unsigned long long)total, (unsigned long long)(total * (uint64_t)page),
		secs > 0 ? (double)total * page / secs : 0.0);
	for (int l = KT_MAX_LEVEL - 1; l >= 0; l--)
		if (node_levels[l])
			fprintf(out, "  level %d%s: %llu\n", l, l ? "" : " (leaves)",
				(unsigned long long)node_levels[l]);
	for (size_t i = 0; i < ns; i++) {
		if (!srows[i].nodes)
			continue;
		fprintf(out, "  %llu nodes from:\n", (unsigned long long)srows[i].nodes);
		print_stack(srows[i].stack_id, "      ");
	}
	free(srows);
}

/* -------------------------------------------------------------- attach */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && O.c.verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && !O.c.verbose)
		return 0;
	if (!O.c.verbose)
		return 0;	/* errors are reported by khotrace itself */
	return vfprintf(stderr, fmt, ap);
}

static void bind_progs(struct kho_trace_bpf *s)
{
	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];
		bool fe = h->mode == M_FENTRY;

		h->entry = h->exit = NULL;
		switch (h->fn) {
#define API(FN, name)								\
		case FN:							\
			h->entry = fe ? s->progs.fe_##name : s->progs.kp_##name;	\
			h->exit = fe ? s->progs.fx_##name : s->progs.kr_##name;	\
			break;
		API(KT_FN_PRESERVE_FOLIO, preserve_folio)
		API(KT_FN_UNPRESERVE_FOLIO, unpreserve_folio)
		API(KT_FN_PRESERVE_PAGES, preserve_pages)
		API(KT_FN_UNPRESERVE_PAGES, unpreserve_pages)
		API(KT_FN_PRESERVE_VMALLOC, preserve_vmalloc)
		API(KT_FN_UNPRESERVE_VMALLOC, unpreserve_vmalloc)
		API(KT_FN_PRESERVE_PHYS, preserve_phys)
#undef API
		case KT_FN_RADIX_ADD_PAGE:
		case KT_FN_PRESERVE_ORDER:
			h->entry = fe ? NULL : s->progs.kp_blk_add;
			h->exit = fe ? s->progs.fx_blk_add : s->progs.kr_blk_add;
			break;
		case KT_FN_RADIX_DEL_PAGE:
		case KT_FN_UNPRESERVE_ORDER:
			h->entry = fe ? s->progs.fe_blk_del : s->progs.kp_blk_del;
			break;
		case KT_FN_TP_ADD:
			h->entry = s->progs.tp_add;
			break;
		case KT_FN_TP_DEL:
			h->entry = s->progs.tp_del;
			break;
		case KT_FN_TP_NODE_ALLOC:
			h->entry = s->progs.tp_node_alloc;
			break;
		default:
			break;
		}
		if (h->mode == M_NONE)
			h->entry = h->exit = NULL;
	}
}

static int attach_one(struct hook *h, struct bpf_program *p, bool ret)
{
	struct bpf_link *link;

	if (!p)
		return 0;
	if (h->mode == M_FENTRY)
		link = bpf_program__attach_trace(p);
	else if (h->mode == M_KPROBE)
		link = bpf_program__attach_kprobe(p, ret, h->name);
	else
		link = bpf_program__attach_raw_tracepoint(p, h->name);
	if (!link) {
		int err = errno;

		errmsg(&O.c, "cannot attach %s to '%s': %s", mode_name(h->mode), h->name,
		       strerror(err));
		return -1;
	}
	return 0;
}

static int setup(struct kho_trace_bpf **skel_ret)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = O.btf);
	struct kho_trace_bpf *s;
	struct bpf_program *p;
	long page = sysconf(_SC_PAGESIZE);
	unsigned int shift = 0;
	int err;

	while ((1L << shift) < page)
		shift++;
	s = kho_trace_bpf__open_opts(&oo);
	if (!s) {
		errmsg(&O.c, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	bind_progs(s);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);

	s->rodata->targ_tgid = O.pid;
	s->rodata->page_shift = shift;
	s->rodata->emit_events = true;
	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];

		if (h->mode == M_NONE)
			continue;
		/* Without BTF: preserve functions return int, unpreserve
		 * functions void (kho-v2). */
		s->rodata->ret_is_int[h->fn] = h->in_btf ? h->ret_int :
			(h->fn == KT_FN_PRESERVE_FOLIO || h->fn == KT_FN_PRESERVE_PAGES ||
			 h->fn == KT_FN_PRESERVE_VMALLOC || h->fn == KT_FN_PRESERVE_PHYS);
		if (h->fn == KT_FN_PRESERVE_PAGES || h->fn == KT_FN_UNPRESERVE_PAGES)
			s->rodata->nr_is_u32 = h->nr_u32;
		if (h->kind == H_BLK_ADD)
			s->rodata->blk_add_src = h->fn;
		if (h->kind == H_BLK_DEL)
			s->rodata->blk_del_src = h->fn;
		for (int e = 0; e < 2; e++) {
			struct bpf_program *q = e ? h->exit : h->entry;

			if (!q)
				continue;
			bpf_program__set_autoload(q, true);
			if (h->mode == M_FENTRY) {
				err = bpf_program__set_attach_target(q, 0, h->name);
				if (err) {
					/* Finding module BTF by id needs privileges. */
					if (geteuid())
						errmsg(&O.c, "cannot load the BPF programs: %s"
						       " (khotrace needs root: CAP_BPF and"
						       " CAP_PERFMON, or CAP_SYS_ADMIN)",
						       strerror(-err));
					else
						errmsg(&O.c, "cannot target '%s': %s", h->name,
						       strerror(-err));
					goto fail;
				}
			}
		}
	}
	bpf_map__set_max_entries(s->maps.events, O.buffer_mib << 20);
	bpf_map__set_max_entries(s->maps.keys, O.max_keys);
	bpf_map__set_max_entries(s->maps.stacks, O.max_stacks);

	err = kho_trace_bpf__load(s);
	if (err) {
		if (err == -EPERM || err == -EACCES || geteuid())
			errmsg(&O.c, "cannot load the BPF programs: %s (khotrace needs root:"
			       " CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)", strerror(-err));
		else
			errmsg(&O.c, "cannot load the BPF programs: %s%s", strerror(-err),
			       O.c.verbose ? "" : " (-v shows libbpf's messages)");
		goto fail;
	}
	for (size_t i = 0; i < NR_HOOKS; i++) {
		struct hook *h = &hooks[i];

		if (h->mode == M_NONE)
			continue;
		if (attach_one(h, h->entry, false) || attach_one(h, h->exit, true))
			goto fail;
		h->attached = true;
	}
	stacks_fd = bpf_map__fd(s->maps.stacks);
	*skel_ret = s;
	return 0;
fail:
	kho_trace_bpf__destroy(s);
	return -1;
}

/* ---------------------------------------------------------------- main */

static pid_t child = -1;
static int child_status;

static int run_command(void)
{
	child = fork();
	if (child < 0) {
		errmsg(&O.c, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(O.cmd[0], O.cmd);
		fprintf(stderr, "khotrace: cannot run '%s': %s\n", O.cmd[0], strerror(errno));
		_exit(127);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kho_trace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	int rc = EXIT_FAIL, keyed;
	bool poll_failed = false;
	double secs;
	uint64_t end = 0;

	out = stdout;
	memset(&O, 0, sizeof(O));
	common_init(&O.c, PROG);
	O.view = V_TOP;
	O.window = 10;
	O.min_cycles = 3;
	O.top = 10;
	O.buffer_mib = 8;
	O.max_keys = 65536;
	O.max_stacks = 16384;
	rc = parse_args(&O, argc, argv);
	if (rc >= 0)
		return finish_run(&O.c, rc);
	rc = EXIT_FAIL;
	libbpf_set_print(libbpf_print);
	/* The event stream: a line as soon as its event arrives. */
	if (O.view == V_EVENTS)
		setlinebuf(stdout);

	if (O.c.json)
		json_doc(&J, &O.c);
	if (load_kallsyms(&O))
		goto out_json;
	{
		struct stat st;

		have_btf = O.btf ? stat(O.btf, &st) == 0 :
			   stat("/sys/kernel/btf/vmlinux", &st) == 0;
	}
	discover(&O);
	keyed = plan(&O);

	if (O.list) {
		if (O.c.json)
			json_bool(&J, "btf", have_btf);
		else
			fprintf(out, "kernel BTF: %s\n", have_btf ?
				(O.btf ? O.btf : "/sys/kernel/btf/vmlinux") :
				"none (kprobes only; CO-RE needs --btf FILE to load)");
		list_hooks(&O);
		if (!keyed)
			errmsg(&O.c, "no attach point for preserve/unpreserve in this kernel");
		rc = keyed ? EXIT_OK : EXIT_FAIL;
		goto out_json;
	}
	if (!keyed) {
		errmsg(&O.c, "no attach point for preserve/unpreserve in this kernel"
		       " (none of kho_preserve_folio, kho_radix_add_page, __kho_preserve_order,"
		       " tracepoint kho_radix_add; --list says why)");
		goto out_json;
	}
	if (!have_btf) {
		errmsg(&O.c, "the running kernel has no BTF (/sys/kernel/btf/vmlinux):"
		       " CO-RE cannot relocate; give --btf FILE for this kernel");
		goto out_json;
	}
	if (!ksyms_have_addrs)
		infomsg(&O.c, "/proc/kallsyms shows no addresses: stacks will not be symbolized");
	utab_cap = 1;
	while (utab_cap < (size_t)O.max_keys * 2)
		utab_cap <<= 1;
	utab = calloc(utab_cap, sizeof(*utab));
	anoms = calloc(MAX_ANOM_LIST, sizeof(*anoms));
	if (!utab || !anoms) {
		errmsg(&O.c, "out of memory");
		goto out_json;
	}
	if (setup(&skel))
		goto out_json;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		errmsg(&O.c, "cannot open the ring buffer: %s", strerror(errno));
		goto out_json;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_ns();
	if (O.duration > 0)
		end = t0 + (uint64_t)(O.duration * 1e9);
	if (O.view == V_EVENTS) {
		if (O.c.json)
			json_open(&J, "events", '[');
		else
			fprintf(out, "%12s %-16s %7s %-10s %-18s %-14s %2s %s\n", "TIME(s)", "COMM",
				"PID", "OP", "KEY", "PHYS", "O", "API <- CALLER");
	}
	if (!O.c.json && O.view != V_EVENTS)
		fprintf(stderr, "khotrace: tracing (%s view); %s\n", view_names[O.view],
			O.cmd ? "until the command exits" : "Ctrl-C to end");
	if (O.cmd && run_command())
		goto out_json;

	while (!stop) {
		int err = ring_buffer__poll(rb, 100);

		if (err < 0 && err != -EINTR) {
			errmsg(&O.c, "ring buffer: %s", strerror(-err));
			poll_failed = true;
			break;
		}
		/* Nobody is reading the events any more. */
		if (out_failed(&O.c))
			break;
		if (end && now_ns() >= end)
			break;
		if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	/* Whatever the kernel wrote before we stopped. */
	ring_buffer__consume(rb);
	secs = (double)(now_ns() - t0) / 1e9;
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, &child_status, 0);
		child = 0;
	}
	if (O.view == V_EVENTS && O.c.json)
		json_close(&J, ']');

	read_percpu(bpf_map__fd(skel->maps.counters), KT_C__COUNT, counters);
	read_percpu(bpf_map__fd(skel->maps.nodes), KT_MAX_LEVEL, node_levels);
	compute_losses(skel);
	if (O.c.json)
		json_str(&J, "view", view_names[O.view]);
	switch (O.view) {
	case V_TOP:
		view_top(skel);
		break;
	case V_CHURN:
		view_churn();
		break;
	case V_ANOMALIES:
		view_anomalies();
		break;
	case V_GROWTH:
		view_growth(skel, secs);
		break;
	case V_EVENTS:
		break;
	}
	print_counts(secs);
	print_losses();
	if (O.c.json)
		list_hooks(&O);
	rc = poll_failed ? EXIT_FAIL : EXIT_OK;
	if (loss_total())
		infomsg(&O.c, "%llu events lost (see 'lost'); counts are incomplete",
		        (unsigned long long)loss_total());
	if (O.cmd && (!WIFEXITED(child_status) || WEXITSTATUS(child_status))) {
		errmsg(&O.c, "the command failed (status %d)", WIFEXITED(child_status) ?
		       WEXITSTATUS(child_status) : 128 + WTERMSIG(child_status));
		rc = EXIT_FAIL;
	}
out_json:
	if (O.c.json) {
		/* One document, a failure included: say what it was. */
		if (rc != EXIT_OK && O.c.first_error[0]) {
			json_open(&J, "error", '{');
			json_str(&J, "message", O.c.first_error);
			json_close(&J, '}');
		}
		json_end(&J);
	}
	ring_buffer__free(rb);
	kho_trace_bpf__destroy(skel);
	if (utab)
		for (size_t i = 0; i < utab_cap; i++)
			free(utab[i].ring);
	free(utab);
	free(anoms);
	free_kallsyms();
	return finish_run(&O.c, rc);
}
