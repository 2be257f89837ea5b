// SPDX-License-Identifier: GPL-2.0-or-later
/* Options, sources and output shared by khowalk and khodump. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

void common_init(struct common_opts *o, const char *prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->out = stdout;
	o->err = stderr;
	o->close_out = true;
}

void common_env(struct common_opts *o, const struct tool_env *env)
{
	if (!env)
		return;
	if (env->out) {
		o->out = env->out;
		o->close_out = false;
	}
	if (env->err)
		o->err = env->err;
	if (env->prog)
		o->prog = env->prog;
	if (env->mem) {
		o->given_mem = env->mem;
		o->have_source = true;
	}
}

void common_fini(struct common_opts *o)
{
	for (size_t i = 0; i < o->nraw; i++)
		free((char *)o->raw[i].path);
	o->nraw = 0;
}

bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

int out_flush(struct common_opts *o)
{
	errno = 0;
	if (fflush(o->out) == 0)
		return 0;
	if (!o->out_errno && errno)
		o->out_errno = errno;
	return -1;
}

static void vmsg(struct common_opts *o, const char *fmt, va_list ap)
{
	/* Results first, when both go to one terminal or file. */
	out_flush(o);
	fprintf(o->err, "%s: ", o->prog);
	vfprintf(o->err, fmt, ap);
	fputc('\n', o->err);
}

void errmsg(struct common_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(o, fmt, ap);
	va_end(ap);
	if (!o->first_error[0]) {
		va_start(ap, fmt);
		vsnprintf(o->first_error, sizeof(o->first_error), fmt, ap);
		va_end(ap);
	}
}

void infomsg(struct common_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(o, fmt, ap);
	va_end(ap);
}

/* The long option named by @arg ("--name" or "--name=value"), or NULL. */
static const struct option *long_option(const struct option *longopts,
					const char *arg, int *matches)
{
	const struct option *found = NULL;
	size_t n;

	*matches = 0;
	if (strncmp(arg, "--", 2) || !arg[2])
		return NULL;
	arg += 2;
	n = strcspn(arg, "=");
	for (const struct option *lo = longopts; lo->name; lo++) {
		if (strncmp(lo->name, arg, n))
			continue;
		if (strlen(lo->name) == n) {
			*matches = 1;
			return lo;
		}
		found = lo;
		++*matches;
	}
	return *matches == 1 ? found : NULL;
}

int option_error(struct common_opts *o, const struct option *longopts,
		 int opt, int argc, char **argv)
{
	/* glibc has moved past a long option, not always past a short one. */
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const struct option *lo;
	int matches;
	size_t n;

	lo = long_option(longopts, arg, &matches);
	n = !strncmp(arg, "--", 2) ? strcspn(arg, "=") : 0;
	/* "-x" in "--scan -x", where optind still points at "--scan". */
	if (n && optopt && (!lo || lo->val != optopt))
		n = 0;
	if (!n) {
		if (opt == ':')
			errmsg(o, "option '-%c' needs a value", optopt);
		else if (optopt > ' ' && optopt < 0x7f)
			errmsg(o, "unknown option '-%c'", optopt);
		else
			errmsg(o, "unknown option '%s'", arg);
	} else if (opt == ':') {
		errmsg(o, "option '%.*s' needs a value", (int)n, arg);
	} else if (lo && lo->has_arg == no_argument && arg[n] == '=') {
		errmsg(o, "option '%.*s' takes no value", (int)n, arg);
	} else if (matches > 1) {
		errmsg(o, "ambiguous option '%.*s'", (int)n, arg);
	} else {
		errmsg(o, "unknown option '%.*s'", (int)n, arg);
	}
	return EXIT_USAGE;
}

int exit_for(int rc)
{
	switch (-rc) {
	case KHOR_OK:
		return EXIT_OK;
	case KHOR_ECORRUPT:
		return EXIT_CORRUPT;
	case KHOR_ENODATA:
	/*
	 * Live memory changed under the walk: like pages missing from a
	 * dump, the output is not the whole truth but nothing shows the
	 * kernel's map to be corrupt (DESIGN §3a has no code of its own for
	 * it; khowalk(1) documents it with exit 4). The same wherever it is
	 * met, while locating the FDT as while walking.
	 */
	case KHOR_ECHANGED:
		return EXIT_INCOMPLETE;
	case KHOR_EINVAL:
	default:
		return EXIT_FAIL;
	}
}

int exit_as(enum exit_convention c, int status)
{
	if (c == EXITS_VERDICT && status == EXIT_FAIL)
		return EXIT_TROUBLE;
	return status;
}

int exit_diff(int rc, bool differ)
{
	if (rc)
		return exit_as(EXITS_VERDICT, exit_for(rc));
	return differ ? 1 : 0;
}

int exit_preflight(int rc, bool go)
{
	if (rc)
		return exit_as(EXITS_VERDICT, exit_for(rc));
	return go ? 0 : 1;
}

bool out_failed(struct common_opts *o)
{
	if (!ferror(o->out))
		return false;
	if (!o->out_errno && errno)
		o->out_errno = errno;
	return true;
}

int tool_run(const char *prog, const struct tool_env *env,
	     int (*body)(struct common_opts *o, int argc, char **argv),
	     int argc, char **argv)
{
	struct common_opts o;
	int status;

	common_init(&o, prog);
	common_env(&o, env);
	status = body(&o, argc, argv);
	status = finish_run(&o, status);
	common_fini(&o);
	return status;
}

int tool_getopt(struct common_opts *o, int argc, char **argv,
		const struct option *longopts, const char *name,
		void (*usage)(FILE *f, const char *prog), int *status)
{
	int opt, rc;

	*status = -1;
	if (!o->parsing) {
		optind = 0;
		o->parsing = true;
	}
	while ((opt = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(o->out, o->prog);
			*status = EXIT_OK;
			return -1;
		case 'V':
			fprintf(o->out, "%s %s\n", name, KHOTOOLS_VERSION);
			*status = EXIT_OK;
			return -1;
		case '?':
		case ':':
			*status = option_error(o, longopts, opt, argc, argv);
			return -1;
		default:
			rc = common_parse_opt(o, opt, optarg);
			if (rc < 0) {
				*status = EXIT_USAGE;
				return -1;
			}
			if (rc == 0)
				return opt;
		}
	}
	return -1;
}

int tool_main(int (*entry)(const struct tool_env *env, int argc, char **argv),
	      int argc, char **argv)
{
	/* Listings are long: one write per 64 KiB, not per line. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	return entry(NULL, argc, argv);
}

int finish_run(struct common_opts *o, int status)
{
	bool failed;

	if (o->json && status != EXIT_OK && !o->doc_begun) {
		struct json j;

		json_doc(&j, o);
		json_open(&j, "error", '{');
		json_str(&j, "message", o->first_error[0] ? o->first_error :
			 "failed");
		json_close(&j, '}');
		json_end(&j);
	}
	if (status == EXIT_USAGE)
		fprintf(o->err, "Try '%s --help' for more information.\n",
			o->prog);
	failed = out_flush(o) != 0;
	failed |= ferror(o->out) != 0;
	if (o->close_out) {
		errno = 0;
		if (fclose(o->out)) {
			if (!failed && errno)
				o->out_errno = errno;
			failed = true;
		}
		o->close_out = false;
	}
	if (!failed)
		return status;
	if (o->out_errno)
		errmsg(o, "cannot write the output: %s", strerror(o->out_errno));
	else
		errmsg(o, "cannot write the output");
	return exit_as(o->exits, EXIT_FAIL);
}

static int parse_raw(struct common_opts *o, const char *arg)
{
	const char *at = strrchr(arg, '@');
	uint64_t phys;
	char *path;

	if (!at || at == arg || !parse_u64(at + 1, &phys)) {
		errmsg(o, "invalid --raw '%s' (expected FILE@PHYS)", arg);
		return -1;
	}
	if (o->nraw == MAX_RAW) {
		errmsg(o, "too many --raw images (at most %d)", MAX_RAW);
		return -1;
	}
	path = strndup(arg, (size_t)(at - arg));
	if (!path) {
		errmsg(o, "out of memory");
		return -1;
	}
	o->raw[o->nraw].path = path;
	o->raw[o->nraw].phys = phys;
	o->nraw++;
	return 0;
}

static int parse_num(struct common_opts *o, const char *name, const char *arg,
		     uint64_t *v)
{
	if (!parse_u64(arg, v)) {
		errmsg(o, "invalid %s '%s'", name, arg);
		return -1;
	}
	return 0;
}

int common_parse_opt(struct common_opts *o, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 'v':
		o->verbose++;
		return 1;
	case 'j':
		o->json = true;
		return 1;
	case OPT_PRETTY:
		o->json = o->pretty = true;
		return 1;
	case OPT_RAW:
		o->have_source = true;
		return parse_raw(o, arg) ? -1 : 1;
	case OPT_VMCORE:
		o->have_source = true;
		o->vmcore = arg;
		return 1;
	case OPT_KCORE:
		o->have_source = true;
		o->kcore = arg ? arg : "/proc/kcore";
		return 1;
	case OPT_ROOT:
		o->loc.have_root = true;
		return parse_num(o, "--root", arg, &o->loc.root) ? -1 : 1;
	case OPT_FDT:
		o->loc.fdt_file = arg;
		return 1;
	case OPT_FDT_PHYS:
		o->loc.have_fdt_phys = true;
		return parse_num(o, "--fdt-phys", arg, &o->loc.fdt_phys) ? -1 : 1;
	case OPT_SCAN:
		o->loc.scan = true;
		return 1;
	case OPT_DEBUGFS:
		o->loc.debugfs = arg;
		return 1;
	case OPT_IN:
		o->loc.incoming = true;
		return 1;
	case OPT_PAGE_SIZE:
		if (parse_num(o, "--page-size", arg, &v))
			return -1;
		if (v < 4096 || v > 65536 || (v & (v - 1))) {
			errmsg(o, "invalid --page-size '%s' (a power of two from 4096 to 65536)", arg);
			return -1;
		}
		o->loc.page_size = v;
		return 1;
	case OPT_MAX_NODES:
		if (parse_num(o, "--max-nodes", arg, &v))
			return -1;
		if (!v) {
			errmsg(o, "invalid --max-nodes '%s' (at least 1)", arg);
			return -1;
		}
		o->limits.max_nodes = v;
		return 1;
	case OPT_FORMAT:
		if (!strcmp(arg, "radix") || !strcmp(arg, "v2")) {
			o->loc.root_format = KHOR_FMT_RADIX;
		} else if (!strcmp(arg, "v1")) {
			o->loc.root_format = KHOR_FMT_V1;
		} else {
			errmsg(o, "invalid --format '%s' (radix or v1)", arg);
			return -1;
		}
		return 1;
	case OPT_V1_BITMAP_SIZE:
		if (parse_num(o, "--v1-bitmap-size", arg, &v))
			return -1;
		if (v != 512 && v != 4096) {
			errmsg(o, "invalid --v1-bitmap-size '%s' (512 or 4096)", arg);
			return -1;
		}
		o->v1_bitmap_size = (unsigned int)v;
		return 1;
	case OPT_FORCE_VERSION:
		if (parse_num(o, "--force-version", arg, &v))
			return -1;
		if (v < 1 || v > 4) {
			errmsg(o, "invalid --force-version '%s' (1 to 4)", arg);
			return -1;
		}
		o->loc.force_version = (unsigned int)v;
		return 1;
	case OPT_VMLINUX:
		o->syms.vmlinux = arg;
		o->syms.use_vmcoreinfo = true;
		o->loc.symbols = &o->syms;
		return 1;
	case OPT_SYSTEM_MAP:
		o->syms.system_map = arg;
		o->syms.use_vmcoreinfo = true;
		o->loc.symbols = &o->syms;
		return 1;
	case OPT_SYMBOLS:
		o->syms.use_vmcoreinfo = true;
		o->loc.symbols = &o->syms;
		return 1;
	case OPT_PROGRESS:
		if (!strcmp(arg, "auto")) {
			o->progress = PROGRESS_AUTO;
		} else if (!strcmp(arg, "always")) {
			o->progress = PROGRESS_ALWAYS;
		} else if (!strcmp(arg, "never")) {
			o->progress = PROGRESS_NEVER;
		} else {
			errmsg(o, "invalid --progress '%s' (auto, always or never)", arg);
			return -1;
		}
		return 1;
	case OPT_SCAN_LIMIT:
		if (parse_num(o, "--scan-limit", arg, &v))
			return -1;
		if (!v) {
			errmsg(o, "invalid --scan-limit '%s' (at least 1)", arg);
			return -1;
		}
		o->loc.scan_opts.max_pages = v;
		return 1;
	}
	return 0;
}

int open_source(struct common_opts *o, struct khor_mem **mem)
{
	struct khor_error err;
	int n = (o->nraw > 0) + (o->vmcore != NULL) + (o->kcore != NULL);
	int rc;

	khor_error_clear(&err);
	if (o->given_mem) {
		if (n) {
			errmsg(o, "the memory source is given: no --raw, --vmcore or --kcore");
			return -KHOR_EINVAL;
		}
		*mem = o->given_mem;
		return 0;
	}
	if (n > 1) {
		errmsg(o, "give one memory source: --raw, --vmcore or --kcore");
		return -KHOR_EINVAL;
	}
	if (o->nraw)
		rc = khor_mem_open_raw(o->raw, o->nraw, &err, mem);
	else if (o->vmcore)
		rc = khor_mem_open_dump(o->vmcore, &err, mem);
	else
		rc = khor_mem_open_dump(o->kcore ? o->kcore : "/proc/kcore",
					&err, mem);
	if (rc)
		errmsg(o, "%s", err.msg);
	return rc;
}

int located_usable(struct common_opts *o, const struct khor_located *loc)
{
	if (loc->note[0])
		infomsg(o, "%s", loc->note);
	if (!loc->map_released)
		return 0;
	errmsg(o, "the incoming memory map at 0x%llx: %s",
	       (unsigned long long)loc->map.root, MAP_RELEASED);
	return EXIT_INCOMPLETE;
}

void close_source(const struct common_opts *o, struct khor_mem *mem)
{
	if (mem != o->given_mem)
		khor_mem_destroy(mem);
}

/* ---- JSON ---- */

static void json_sep(struct json *j)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	if (j->pretty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	if (key) {
		json_string(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

void json_doc(struct json *j, struct common_opts *o)
{
	json_begin(j, o->out, o->pretty);
	o->doc_begun = true;
}

void json_begin(struct json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 1;
	j->first = true;
	fputc('{', f);
	json_uint(j, "format_version", 1);
}

void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	j->depth++;
	j->first = true;
}

void json_close(struct json *j, char bracket)
{
	j->depth--;
	if (j->pretty && !j->first) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(bracket, j->f);
	j->first = false;
}

void json_hex(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "\"0x%llx\"", (unsigned long long)v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", v);
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.6g", v);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j->f, s);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_error(struct json *j, const struct khor_error *err)
{
	if (!err->code)
		return;
	json_open(j, "error", '{');
	json_str(j, "message", err->msg);
	if (err->has_phys)
		json_hex(j, "phys", err->phys);
	if (err->level >= 0)
		json_int(j, "level", err->level);
	json_uint(j, "count", err->count);
	json_close(j, '}');
}

void json_end(struct json *j)
{
	j->depth = 0;
	if (j->pretty)
		fputc('\n', j->f);
	fputs("}\n", j->f);
}

/* ---- sizes, progress, scratch areas ---- */

const char *human_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t div = 1;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && n / div >= 1024) {
		div <<= 10;
		u++;
	}
	if (n % div == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(n / div),
			 unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)n / (double)div, unit[u]);
	return buf;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_format(char *buf, size_t len, const char *prog,
		     const struct khor_walk_progress *wp, uint64_t phys_end)
{
	char bytes[32];
	int n;

	n = snprintf(buf, len, "%s: %llu metadata pages, %llu blocks (%s), at 0x%llx",
		     prog, (unsigned long long)wp->nodes,
		     (unsigned long long)wp->blocks,
		     human_bytes(bytes, sizeof(bytes), wp->bytes),
		     (unsigned long long)wp->phys);
	/* Runs arrive ascending, so the address is how far the walk got. */
	if (phys_end && wp->phys <= phys_end && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " of 0x%llx (%u%%)",
			 (unsigned long long)phys_end,
			 (unsigned int)((double)wp->phys * 100.0 / (double)phys_end));
}

void progress_start(struct progress *p, struct common_opts *o,
		    struct khor_mem *mem)
{
	memset(p, 0, sizeof(*p));
	p->o = o;
	p->enabled = o->progress == PROGRESS_ALWAYS ||
		     (o->progress == PROGRESS_AUTO && isatty(fileno(o->err)));
	p->phys_end = mem ? khor_mem_get_info(mem)->phys_end : 0;
	p->now_ms = now_ms;
	p->start_ms = p->now_ms();
}

int progress_update(struct progress *p, const struct khor_walk_progress *wp)
{
	uint64_t t;
	char line[256];

	if (!p->enabled)
		return 0;
	t = p->now_ms();
	if (p->o->progress != PROGRESS_ALWAYS &&
	    t - p->start_ms < PROGRESS_DELAY_MS)
		return 0;
	if (p->shown && t - p->last_ms < PROGRESS_EVERY_MS)
		return 0;
	progress_format(line, sizeof(line), p->o->prog, wp, p->phys_end);
	/* Standard output may be the same terminal: keep the order. */
	out_flush(p->o);
	fprintf(p->o->err, "\r%s\033[K", line);
	fflush(p->o->err);
	p->shown = true;
	p->last_ms = t;
	return 0;
}

void progress_end(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", p->o->err);
	fflush(p->o->err);
	p->shown = false;
}

const char *debugfs_dir(const struct common_opts *o)
{
	return o->loc.debugfs ? o->loc.debugfs : DEFAULT_DEBUGFS;
}

/* out/scratch_phys and out/scratch_len: one "0x%llx\n" per area. */
void read_scratch(const struct common_opts *o, struct scratch *sc)
{
	char path[4096];
	FILE *fp, *fl;

	memset(sc, 0, sizeof(*sc));
	snprintf(path, sizeof(path), "%s/out/scratch_phys", debugfs_dir(o));
	fp = fopen(path, "r");
	snprintf(path, sizeof(path), "%s/out/scratch_len", debugfs_dir(o));
	fl = fopen(path, "r");
	if (fp && fl) {
		unsigned long long a, l;

		sc->have = true;
		while (sc->n < MAX_SCRATCH && fscanf(fp, "%llx", &a) == 1 &&
		       fscanf(fl, "%llx", &l) == 1) {
			sc->phys[sc->n] = a;
			sc->len[sc->n] = l;
			sc->n++;
		}
	}
	if (fp)
		fclose(fp);
	if (fl)
		fclose(fl);
}
