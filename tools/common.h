/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Options, sources and output shared by khowalk and khodump. */
#ifndef KHOTOOLS_COMMON_H
#define KHOTOOLS_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "radix_reader.h"
#include "tool_env.h"

/*
 * Exit statuses (DESIGN.md §3a). exit_for() is the one mapping from a
 * library status to them, for every tool and subcommand.
 */
enum exit_status {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* an input cannot be read, a bad value, a write failed */
	EXIT_USAGE = 2,
	EXIT_CORRUPT = 3,	/* partial results printed */
	EXIT_INCOMPLETE = 4,	/* pages not in the dump, or memory changed */
	EXIT_TROUBLE = 5,	/* EXIT_FAIL where 1 is a verdict (below) */
};

/*
 * Subcommands whose status is a verdict give 1 a meaning of its own:
 * `khowalk diff` follows diff(1) (0 same, 1 different) and `khodump
 * preflight` says 0 go, 1 no-go. Trouble is then 2 or more: usage 2,
 * corrupt 3, incomplete 4, and what is EXIT_FAIL elsewhere EXIT_TROUBLE.
 */
enum exit_convention {
	EXITS_PLAIN = 0,
	EXITS_VERDICT,
};

#define MAX_RAW 64

/* Long-option values of the shared options (beyond any short option). */
enum {
	OPT_PRETTY = 0x100,
	OPT_RAW,
	OPT_VMCORE,
	OPT_KCORE,
	OPT_ROOT,
	OPT_FDT,
	OPT_FDT_PHYS,
	OPT_SCAN,
	OPT_DEBUGFS,
	OPT_IN,
	OPT_PAGE_SIZE,
	OPT_MAX_NODES,
	OPT_FORMAT,
	OPT_V1_BITMAP_SIZE,
	OPT_FORCE_VERSION,
	OPT_VMLINUX,
	OPT_SYSTEM_MAP,
	OPT_SYMBOLS,
	OPT_SCAN_LIMIT,
	OPT_PROGRESS,
	OPT_TOOL_BASE = 0x200,	/* tool-specific options start here */
};

/* --progress: on standard error, never on standard output. */
enum progress_when {
	PROGRESS_AUTO = 0,	/* stderr is a terminal and the walk is slow */
	PROGRESS_ALWAYS,
	PROGRESS_NEVER,
};

struct common_opts {
	const char *prog;
	FILE *out;		/* results (stdout) */
	FILE *err;		/* messages (stderr) */
	struct khor_mem *given_mem;	/* from a tool_env; never destroyed */
	bool json;
	bool pretty;
	int verbose;
	struct khor_raw_image raw[MAX_RAW];
	size_t nraw;
	const char *vmcore;
	const char *kcore;
	bool have_source;
	struct khor_locate_opts loc;
	struct khor_walk_limits limits;
	unsigned int v1_bitmap_size;
	struct khor_symbols syms;
	enum progress_when progress;
	bool parsing;		/* tool_getopt() has begun this run's parse */
	/* How the run ends (finish_run()). */
	enum exit_convention exits;
	bool close_out;		/* @out is the process's stdout: fclose it */
	bool doc_begun;		/* the run's JSON document is on @out */
	int out_errno;		/* why a write to @out failed, 0 if unknown */
	char first_error[640];	/* the first errmsg(), for a JSON error */
};

/* The long options every tool accepts; end with the tool's own and {0}. */
#define COMMON_LONG_OPTIONS                                                  \
	{ "help", no_argument, NULL, 'h' },                                  \
	{ "version", no_argument, NULL, 'V' },                               \
	{ "verbose", no_argument, NULL, 'v' },                               \
	{ "json", no_argument, NULL, 'j' },                                  \
	{ "pretty", no_argument, NULL, OPT_PRETTY },                         \
	{ "raw", required_argument, NULL, OPT_RAW },                         \
	{ "vmcore", required_argument, NULL, OPT_VMCORE },                   \
	{ "kcore", optional_argument, NULL, OPT_KCORE },                     \
	{ "root", required_argument, NULL, OPT_ROOT },                       \
	{ "fdt", required_argument, NULL, OPT_FDT },                         \
	{ "fdt-phys", required_argument, NULL, OPT_FDT_PHYS },               \
	{ "scan", no_argument, NULL, OPT_SCAN },                             \
	{ "debugfs", required_argument, NULL, OPT_DEBUGFS },                 \
	{ "in", no_argument, NULL, OPT_IN },                                 \
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },             \
	{ "max-nodes", required_argument, NULL, OPT_MAX_NODES },             \
	{ "format", required_argument, NULL, OPT_FORMAT },                   \
	{ "v1-bitmap-size", required_argument, NULL, OPT_V1_BITMAP_SIZE },   \
	{ "force-version", required_argument, NULL, OPT_FORCE_VERSION },     \
	{ "vmlinux", required_argument, NULL, OPT_VMLINUX },                 \
	{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },           \
	{ "symbols", no_argument, NULL, OPT_SYMBOLS },                       \
	{ "scan-limit", required_argument, NULL, OPT_SCAN_LIMIT },            \
	{ "progress", required_argument, NULL, OPT_PROGRESS }

/* ':' first: getopt_long reports nothing itself (option_error() does). */
#define COMMON_SHORT_OPTIONS ":hVvj"

#define COMMON_OPTIONS_HELP                                                        \
	"Memory source (default on a live system: /proc/kcore):\n"                 \
	"      --raw FILE@PHYS      raw memory image holding PHYS onwards (repeatable)\n" \
	"      --vmcore FILE        ELF or kdump-compressed vmcore\n"              \
	"      --kcore[=FILE]       live memory through /proc/kcore\n"             \
	"Location (default: debugfs out/fdt):\n"                                    \
	"      --fdt FILE           KHO FDT blob in a file\n"                      \
	"      --fdt-phys PHYS      KHO FDT at this physical address\n"            \
	"      --root PHYS          map root (radix root or first kho-v1 chunk), no FDT\n" \
	"      --format radix|v1    layout of --root (default radix)\n"            \
	"      --scan               scan memory for a KHO FDT\n"                   \
	"      --scan-limit N       scan at most N pages (default 67108864)\n"   \
	"      --vmlinux FILE       find kho_out/kho_in in this vmlinux's symbols\n" \
	"      --system-map FILE    ... or in this System.map\n"                  \
	"      --symbols            ... or in the dump's VMCOREINFO SYMBOL() lines\n" \
	"      --debugfs DIR        KHO debugfs directory (default /sys/kernel/debug/kho)\n" \
	"      --in                 use in/ (handed over by the previous kernel)\n" \
	"Decoding:\n"                                                               \
	"      --page-size N        page size when the source cannot say (default 4096)\n" \
	"      --v1-bitmap-size N   kho-v1 bitmap size, 512 or 4096 (default: detect)\n" \
	"      --force-version N    decode an unknown kho-vN as version N\n"        \
	"      --max-nodes N        stop after N metadata pages (default 16777216)\n" \
	"Output:\n"                                                                 \
	"      --progress WHEN      progress on stderr: auto (a terminal and a walk\n" \
	"                           over 0.5 s), always or never (default auto)\n" \
	"  -j, --json               JSON output\n"                                 \
	"      --pretty             indented JSON (implies --json)\n"              \
	"  -v, --verbose            say how the map was found\n"                   \
	"  -h, --help               this help\n"                                   \
	"  -V, --version            version\n"

void common_init(struct common_opts *o, const char *prog);
/* Apply a caller's environment after common_init(); @env may be NULL. */
void common_env(struct common_opts *o, const struct tool_env *env);
void common_fini(struct common_opts *o);
/* Handle one shared option; returns 1 if handled, 0 if not ours, -1 on error. */
int common_parse_opt(struct common_opts *o, int opt, const char *arg);
bool parse_u64(const char *s, uint64_t *v);

/* "khowalk: <message>" on o->err; the first is kept for JSON output. */
__attribute__((format(printf, 2, 3)))
void errmsg(struct common_opts *o, const char *fmt, ...);
/* The same for notes and -v output, which are not errors. */
__attribute__((format(printf, 2, 3)))
void infomsg(struct common_opts *o, const char *fmt, ...);
/*
 * getopt_long returned '?' or ':': say which option and why, as
 * "khowalk: unknown option '--x'" (finish_run() adds the --help line).
 * Returns EXIT_USAGE.
 */
int option_error(struct common_opts *o, const struct option *longopts,
		 int opt, int argc, char **argv);

/* Exit status for a library status code (EXITS_PLAIN). */
int exit_for(int rc);
/* @status as subcommands of convention @c report it. */
int exit_as(enum exit_convention c, int status);
/* `khowalk diff`: 0 same, 1 different, 2 or more trouble (@rc != 0). */
int exit_diff(int rc, bool differ);
/* `khodump preflight`: 0 go, 1 no-go, 2 or more trouble (@rc != 0). */
int exit_preflight(int rc, bool go);

/*
 * The end of every run, whatever happened: under -j, a run that failed
 * before its JSON document began prints {"format_version":1,"error":
 * {"message":...}}; a usage error points at --help; then the results are
 * flushed (and stdout closed, when it is ours), and a write that failed,
 * now or earlier, turns the status into a failure with a message.
 * Returns the exit status.
 */
int finish_run(struct common_opts *o, int status);

/*
 * The entry every tool shares: one set of common options named @prog,
 * @env applied (may be NULL), @body run on @argv, then finish_run() and
 * the options freed. Returns the exit status.
 */
int tool_run(const char *prog, const struct tool_env *env,
	     int (*body)(struct common_opts *o, int argc, char **argv),
	     int argc, char **argv);
/*
 * The option loop's shared part: getopt_long over @argv (from the start on
 * the first call of a run: the crash extension runs a tool many times in
 * one process), with -h (@usage), -V ("@name VERSION"), the common options
 * and bad options handled here. Returns the next option that is the
 * tool's own, or -1: the options are done (*@status stays -1) or the run
 * ends here (*@status is its exit status).
 */
int tool_getopt(struct common_opts *o, int argc, char **argv,
		const struct option *longopts, const char *name,
		void (*usage)(FILE *f, const char *prog), int *status);
/* A tool's main(): stdout fully buffered, then @entry with no caller env. */
int tool_main(int (*entry)(const struct tool_env *env, int argc, char **argv),
	      int argc, char **argv);
/* A write to o->out has failed (errors are sticky); notes why if it can. */
bool out_failed(struct common_opts *o);
/* fflush(o->out), noting why it failed: 0 or -1. */
int out_flush(struct common_opts *o);

/* Open the memory source the options name (or the live default). */
int open_source(struct common_opts *o, struct khor_mem **mem);
/* Close what open_source() returned (a caller's source stays open). */
void close_source(const struct common_opts *o, struct khor_mem *mem);

/* JSON helpers: addresses are strings "0x...", integers plain. */
struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first;
};

void json_begin(struct json *j, FILE *f, bool pretty);
/* The run's document: json_begin() on o->out, noted for finish_run(). */
void json_doc(struct json *j, struct common_opts *o);
void json_open(struct json *j, const char *key, char bracket);
void json_close(struct json *j, char bracket);
void json_key(struct json *j, const char *key);
void json_hex(struct json *j, const char *key, uint64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, long long v);
void json_str(struct json *j, const char *key, const char *s);
void json_bool(struct json *j, const char *key, bool v);
void json_double(struct json *j, const char *key, double v);
void json_end(struct json *j);
void json_error(struct json *j, const struct khor_error *err);

/* "4096 B", "50 MiB", "3.4 GiB": exact integers print without a fraction. */
const char *human_bytes(char *buf, size_t len, uint64_t n);

/*
 * Progress of a walk on standard error: a line rewritten in place with \r,
 * shown only when stderr is a terminal and the walk has taken
 * PROGRESS_DELAY_MS (or always with --progress always), at most every
 * PROGRESS_EVERY_MS, and erased when the walk ends.
 */
#define PROGRESS_DELAY_MS 500
#define PROGRESS_EVERY_MS 100

struct progress {
	struct common_opts *o;
	bool enabled;
	bool shown;
	uint64_t phys_end;
	uint64_t start_ms;
	uint64_t last_ms;
	uint64_t (*now_ms)(void);	/* the clock; tests set their own */
};

void progress_start(struct progress *p, struct common_opts *o,
		    struct khor_mem *mem);
/* The khor_walk_ops.progress callback's body. Always returns 0. */
int progress_update(struct progress *p, const struct khor_walk_progress *wp);
/* Erase the line, if one is shown; call before printing anything else. */
void progress_end(struct progress *p);
/* The text of one progress line (without \r), for tests. */
void progress_format(char *buf, size_t len, const char *prog,
		     const struct khor_walk_progress *wp, uint64_t phys_end);

/* KHO scratch areas from debugfs out/scratch_phys and out/scratch_len. */
#define MAX_SCRATCH 64
#define DEFAULT_DEBUGFS "/sys/kernel/debug/kho"

/* Why the incoming map of a kernel that booted through KHO is not walked. */
#define MAP_RELEASED "released by this kernel: it booted through KHO and " \
	"freed the map's pages when it set up its memory (KHO preserves the " \
	"blocks, not the tree that lists them); only a dump taken at the " \
	"handover holds it"

/*
 * located_usable() - after khor_locate(): print how a live FDT was found
 * (its note) and refuse a released map. Returns 0, or the exit status.
 */
int located_usable(struct common_opts *o, const struct khor_located *loc);

struct scratch {
	uint64_t phys[MAX_SCRATCH];
	uint64_t len[MAX_SCRATCH];
	unsigned int n;
	bool have;
};

/* The KHO debugfs directory the options name, or the default. */
const char *debugfs_dir(const struct common_opts *o);
/* Fill @sc (have = false if the files cannot be read). */
void read_scratch(const struct common_opts *o, struct scratch *sc);

#endif /* KHOTOOLS_COMMON_H */
