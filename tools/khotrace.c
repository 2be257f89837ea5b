// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khotrace - trace KHO preserve/unpreserve churn, leaks and metadata growth
 * with BPF (bpf/kho_trace.bpf.c). See khotrace(8).
 *
 * This file: the options and the main loop. khotrace_attach.c finds and
 * attaches the probes, khotrace_run.c collects what they saw,
 * khotrace_views.c renders it, kallsyms.c names the frames.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "khotrace.h"
#include "kho_trace.skel.h"

const char *const kt_view_names[V__COUNT] = { "events", "top", "churn", "anomalies", "growth" };

enum {
	OPT_LIST = OPT_TOOL_BASE,
	OPT_KPROBE,
	OPT_NO_TP,
	OPT_NO_API,
	OPT_MAX_KEYS,
	OPT_MAX_STACKS,
	OPT_BTF,
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
"  -n, --min-cycles N       churn threshold, re-preserves (default 3, at most 16)\n"
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

static int parse_args(struct kt_opts *o, int argc, char **argv)
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
			if (!parse_uint(optarg, KT_CHURN_RING, &o->min_cycles) || !o->min_cycles) {
				errmsg(&o->c, "invalid cycle count '%s' (1-%d)", optarg, KT_CHURN_RING);
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

		for (v = 0; v < V__COUNT; v++)
			if (!strcmp(argv[optind], kt_view_names[v]))
				break;
		if (v == V__COUNT) {
			errmsg(&o->c, "unknown view '%s' (events, top, churn, anomalies, growth)",
			       argv[optind]);
			return EXIT_USAGE;
		}
		o->view = (enum kt_view)v;
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


/* libbpf's messages: none, errors and information (-v), everything (-vv). */
static int libbpf_print_none(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;	/* errors are reported by khotrace itself */
}

static int libbpf_print_info(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static int libbpf_print_all(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned int page_shift(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int shift = 0;

	while (page > 0 && (1L << shift) < page)
		shift++;
	return shift;
}

/*
 * SIGINT and SIGTERM stay blocked while tracing and are polled between
 * reads of the ring buffer: no handler, no flag shared with one.
 */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigprocmask(SIG_BLOCK, set, NULL);
}

static bool signalled(const sigset_t *set)
{
	const struct timespec zero = { 0, 0 };

	return sigtimedwait(set, NULL, &zero) > 0;
}

static pid_t run_command(struct kt_opts *o, const sigset_t *set)
{
	pid_t child = fork();

	if (child < 0) {
		errmsg(&o->c, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, set, NULL);
		execvp(o->cmd[0], o->cmd);
		fprintf(stderr, "khotrace: cannot run '%s': %s\n", o->cmd[0], strerror(errno));
		_exit(127);
	}
	return child;
}

/* Trace until -d, a signal, the command's end or a failure; then render. */
static int trace(struct kt_state *s, struct kt_attach *a, struct kt_opts *o)
{
	struct ring_buffer *rb;
	uint64_t end = 0;
	int child_status = 0, rc = EXIT_OK;
	pid_t child = 0;
	sigset_t set;
	double secs;

	rb = ring_buffer__new(bpf_map__fd(a->skel->maps.events), kt_on_event, s, NULL);
	if (!rb) {
		errmsg(&o->c, "cannot open the ring buffer: %s", strerror(errno));
		return EXIT_FAIL;
	}
	s->stacks_fd = bpf_map__fd(a->skel->maps.stacks);
	block_signals(&set);
	s->t0 = now_ns();
	if (o->duration > 0)
		end = s->t0 + (uint64_t)(o->duration * 1e9);
	if (o->view == V_EVENTS)
		kt_events_header(s);
	else if (!o->c.json)
		fprintf(stderr, "khotrace: tracing (%s view; keys from %s); %s\n",
			kt_view_names[o->view], a->radix_tp ?
			"tracepoints kho_radix_add/kho_radix_del" : a->radix_keys ?
			a->radix_src : "the KHO API",
			o->cmd ? "until the command exits" : "Ctrl-C to end");
	if (o->cmd) {
		child = run_command(o, &set);
		if (child < 0) {
			ring_buffer__free(rb);
			return EXIT_FAIL;
		}
	}

	while (!signalled(&set)) {
		int err = ring_buffer__poll(rb, 100);

		if (err < 0 && err != -EINTR) {
			errmsg(&o->c, "ring buffer: %s", strerror(-err));
			rc = EXIT_FAIL;
			break;
		}
		/* Nobody is reading the events any more. */
		if (out_failed(&o->c))
			break;
		if (end && now_ns() >= end)
			break;
		if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	/* Whatever the kernel wrote before we stopped. */
	if (rc == EXIT_OK && ring_buffer__consume(rb) < 0) {
		errmsg(&o->c, "ring buffer: cannot read the last events");
		rc = EXIT_FAIL;
	}
	secs = (double)(now_ns() - s->t0) / 1e9;
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, &child_status, 0);
	}
	ring_buffer__free(rb);
	if (o->view == V_EVENTS && o->c.json)
		json_close(&s->j, ']');

	kt_collect(s, a->skel);
	if (o->c.json)
		json_str(&s->j, "view", kt_view_names[o->view]);
	switch (o->view) {
	case V_TOP:
		kt_view_top(s, a->skel);
		break;
	case V_CHURN:
		kt_view_churn(s, a->skel);
		break;
	case V_ANOMALIES:
		kt_view_anomalies(s);
		break;
	case V_GROWTH:
		kt_view_growth(s, a->skel, secs);
		break;
	case V_EVENTS:
	case V__COUNT:
		break;
	}
	kt_print_counts(s, secs);
	kt_print_losses(s);
	if (o->c.json)
		kt_view_list(s);
	if (kt_loss_total(s))
		infomsg(&o->c, "%llu events lost (see 'lost'); counts are incomplete",
			(unsigned long long)kt_loss_total(s));
	if (o->cmd && (!WIFEXITED(child_status) || WEXITSTATUS(child_status))) {
		errmsg(&o->c, "the command failed (status %d)", WIFEXITED(child_status) ?
		       WEXITSTATUS(child_status) : 128 + WTERMSIG(child_status));
		rc = EXIT_FAIL;
	}
	return rc != EXIT_OK ? rc : s->status;
}

static void opts_init(struct kt_opts *o)
{
	memset(o, 0, sizeof(*o));
	common_init(&o->c, KT_PROG);
	o->view = V_TOP;
	o->window = 10;
	o->min_cycles = 3;
	o->top = 10;
	o->buffer_mib = 8;
	o->max_keys = 65536;
	o->max_stacks = 16384;
}

int main(int argc, char **argv)
{
	struct kt_opts o;
	struct kt_attach a;
	struct kt_state s;
	struct ksyms ks;
	unsigned int shift = page_shift();
	int rc, keyed, err;

	opts_init(&o);
	rc = parse_args(&o, argc, argv);
	if (rc >= 0)
		return finish_run(&o.c, rc);
	/* The event stream: a line as soon as its event arrives. */
	if (o.view == V_EVENTS)
		setlinebuf(stdout);
	libbpf_set_print(o.c.verbose >= 2 ? libbpf_print_all :
			 o.c.verbose ? libbpf_print_info : libbpf_print_none);
	kt_attach_init(&a);
	if (kt_state_init(&s, &o, &a, &ks, o.c.out, shift)) {
		errmsg(&o.c, "out of memory (or a page size of %u bits)", shift);
		kt_state_fini(&s);
		return finish_run(&o.c, EXIT_FAIL);
	}
	rc = EXIT_FAIL;
	if (o.c.json)
		json_doc(&s.j, &o.c);
	err = ksyms_load(&ks, "/proc/kallsyms");
	if (err) {
		errmsg(&o.c, "cannot read '/proc/kallsyms': %s", strerror(-err));
		goto out;
	}
	kt_discover(&a, &o, &ks);
	keyed = kt_plan(&a, &o);

	if (o.list) {
		if (o.c.json) {
			json_bool(&s.j, "btf", a.have_btf);
			json_str(&s.j, "keys_from", a.radix_tp ? "tracepoints" :
				 a.radix_keys ? "radix" : "api");
		} else {
			fprintf(s.out, "kernel BTF: %s\n", a.have_btf ?
				(o.btf ? o.btf : "/sys/kernel/btf/vmlinux") :
				"none (kprobes only; CO-RE needs --btf FILE to load)");
			fprintf(s.out, "keys from: %s (%s)\n", a.radix_tp ?
				"tracepoints kho_radix_add/kho_radix_del" :
				a.radix_keys ? a.radix_src : "the KHO API calls",
				a.radix_keys ? "the API calls give context" :
				"the block probes count only what they miss");
		}
		kt_view_list(&s);
		if (!keyed)
			errmsg(&o.c, "no attach point for preserve/unpreserve in this kernel");
		rc = keyed ? EXIT_OK : EXIT_FAIL;
		goto out_syms;
	}
	if (!keyed) {
		errmsg(&o.c, "no attach point for preserve/unpreserve in this kernel"
		       " (none of kho_preserve_folio, kho_radix_add_page, __kho_preserve_order,"
		       " tracepoint kho_radix_add; --list says why)");
		goto out_syms;
	}
	if (!a.have_btf) {
		errmsg(&o.c, "the running kernel has no BTF (/sys/kernel/btf/vmlinux):"
		       " CO-RE cannot relocate; give --btf FILE for this kernel");
		goto out_syms;
	}
	if (!ks.have_addrs)
		infomsg(&o.c, "/proc/kallsyms shows no addresses: stacks will not be symbolized");
	if (kt_attach_load(&a, &o, shift) == 0) {
		struct ksyms now;

		/* Again, now that the BPF trampolines exist: a tail call from one
		 * traced function into another leaves one mid-stack, named. */
		if (ksyms_load(&now, "/proc/kallsyms") == 0) {
			ksyms_free(&ks);
			ks = now;
		}
		rc = trace(&s, &a, &o);
	}
	kt_attach_destroy(&a);
out_syms:
	ksyms_free(&ks);
out:
	if (o.c.json) {
		/* One document, a failure included: say what it was. */
		if (rc != EXIT_OK && o.c.first_error[0]) {
			json_open(&s.j, "error", '{');
			json_str(&s.j, "message", o.c.first_error);
			json_close(&s.j, '}');
		}
		json_end(&s.j);
	}
	kt_state_fini(&s);
	return finish_run(&o.c, rc);
}
