// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho.so - the crash(8) extension: `kho fdt|walk|find|key` inside crash.
 *
 * It adds no decoding of its own: each subcommand runs the tool it is named
 * after (khodump_run(), khowalk_run() in tools/) with crash's output file
 * `fp` for both results and messages and with physical memory read through
 * crash's readmem(PHYSADDR), so the output is the tools' output, byte for
 * byte. Everything here is static but the constructor; the library and
 * the tools are linked in with hidden visibility (mk/crash.mk), so nothing
 * of ours can collide with crash or another extension.
 *
 * Minimal mode: Debian's crash 8.0.2 opens 6.12 dumps only with --minimal
 * (QEMU_LAB.md §6), where a command must be flagged MINIMAL and kernel
 * data structures are unknown; KHO data is reached by physical address
 * alone, so every subcommand works there.
 *
 * Errors: readmem() is called with RETURN_ON_ERROR|QUIET, never
 * FAULT_ON_ERROR, whose longjmp back to the prompt would skip the
 * library's cleanup; a failed read becomes -KHOR_ENODATA (or -KHOR_EFAULT
 * beyond the end of memory) and the walk reports it like khowalk does.
 */
#include "defs.h"

#include "radix_reader.h"
#include "tool_env.h"

#define KHO_MAX_ARGS (MAXARGS + 8)

static void cmd_kho(void);

static char *help_kho[] = {
	"kho",
	"Kexec HandOver (KHO) preserved memory: FDT, map, find, key codec",
	"[-p PHYS] fdt|walk|find|key ... [OPTIONS]",
	"  Decodes the Kexec HandOver state of the dumped kernel: the root KHO FDT",
	"  and its sub-nodes, the preserved-memory map (kho-v1 chunk list or kho-v2+",
	"  radix tree), and which preserved block holds an address. The output is",
	"  exactly that of khodump(1) and khowalk(1) on the same dump; see",
	"  kho-crash(8). Memory is read by physical address, so every subcommand",
	"  works in `crash --minimal` (the only mode crash 8.0.2 has for 6.12).",
	" ",
	"  Subcommands:",
	"    fdt               the root KHO FDT, every sub-node and its decoded blob,",
	"                      and a summary of preserved memory (khodump)",
	"    walk [pages]      one line per preserved block: 0x<phys> <order>",
	"    walk ranges       coalesced ranges: 0x<start>-0x<end> <bytes>",
	"    walk stats        blocks per order, nodes per level, metadata cost",
	"    walk check        validate the map: \"ok: ...\" or the first problem",
	"    find PHYS         the preserved block (of any order) that holds PHYS,",
	"                      e.g. any sub-page of an order-9 folio",
	"    key decode KEY    radix key -> 0x<phys> <order>",
	"    key encode PHYS ORDER",
	"                      block -> 0x<key>",
	" ",
	"  Where the KHO FDT is (fdt, walk, find):",
	"    -p PHYS           at this physical address (same as --fdt-phys PHYS)",
	"    --root PHYS       no FDT: walk a map whose root is at PHYS",
	"                      (--format v1 for a kho-v1 chunk list)",
	"    --scan            scan memory for a KHO FDT (bounded: --scan-limit N)",
	"    (none)            the kernel's kho_out symbol when crash knows it,",
	"                      else --scan; crash --minimal on 6.12 has no KHO",
	"                      symbols, so there it is --scan",
	" ",
	"  -h, --help          this page (also: help kho)",
	" ",
	"  Other options are the tools' own: -j/--json, --pretty, -v/--verbose,",
	"  --max-nodes N, --page-size N, --v1-bitmap-size N, --force-version N,",
	"  --in, --vmlinux FILE, --system-map FILE, --symbols, and for fdt",
	"  --no-summary, --preview N and --extract FILE (a small ELF vmcore of",
	"  just the pages read). Memory sources (--raw, --vmcore,",
	"  --kcore) are refused: memory is crash's. Problems are reported as",
	"  \"kho: <message>\"; a page missing from the dump ends the walk with the",
	"  blocks found so far and \"not in the dump\", never with a crash error.",
	" ",
	"EXAMPLES",
	"  A lab vmcore of Debian's 6.12 kernel, opened with",
	"  crash -s --minimal --kaslr=auto; the KHO FDT is at 0xf4a7000:",
	" ",
	"    crash> kho -p 0xf4a7000 walk check",
	"    ok: 76 blocks in 17 ranges, 49 metadata pages",
	"    crash> kho -p 0xf4a7000 walk ranges | head -2",
	"    0x3000000-0x3400000 4194304",
	"    0x35e6000-0x35f6000 65536",
	" ",
	"  Which block holds a page in the middle of the order-10 folio:",
	" ",
	"    crash> kho -p 0xf4a7000 find 0x3234567",
	"    0x3234567 in 0x3000000 10 (0x3000000-0x3400000)",
	"    crash> kho -p 0xf4a7000 find 0x3400000",
	"    0x3400000 not preserved",
	" ",
	"  No hint (the scan finds the FDT), and the key codec:",
	" ",
	"    crash> kho walk check",
	"    ok: 76 blocks in 17 ranges, 49 metadata pages",
	"    crash> kho key decode 0x80000000001",
	"    0x200000 9",
	" ",
	"  A dump that lacks a leaf of the tree:",
	" ",
	"    crash> kho -p 0xf4c0000 walk check",
	"    kho: leaf at 0xf486000 (entry 0 of the level 1 table at 0xf487000): not in the dump (crash cannot read physical 0xf486000)",
	NULL
};

static struct command_table_entry command_table[] = {
	{ "kho", cmd_kho, help_kho, MINIMAL },
	{ NULL, NULL, NULL, 0 },
};

/* ---- memory through crash ---- */

struct crash_src {
	uint64_t phys_end;
};

static int crash_read(struct khor_mem *mem, void *priv, uint64_t phys,
		      void *buf, size_t len)
{
	const struct crash_src *cs = priv;

	if (phys >= cs->phys_end || len > cs->phys_end - phys) {
		khor_mem_set_errmsg(mem, "beyond the end of memory (0x%llx)",
				    (unsigned long long)cs->phys_end);
		return -KHOR_EFAULT;
	}
	/* Never FAULT_ON_ERROR: its longjmp would cross the library. */
	if (!readmem((ulonglong)phys, PHYSADDR, buf, (long)len, "kho",
		     RETURN_ON_ERROR | QUIET)) {
		khor_mem_set_errmsg(mem, "crash cannot read physical 0x%llx",
				    (unsigned long long)phys);
		return -KHOR_ENODATA;
	}
	return 0;
}

static const struct khor_mem_ops crash_ops = { .read = crash_read };

/*
 * What crash does not tell an extension in minimal mode (the end of
 * physical memory, VMCOREINFO for --symbols) comes from the dump file
 * itself, opened once with the library; its reads are never used. Without
 * it (a live system crash reads through /dev/crash), the end of memory is
 * the architecture's limit.
 */
static struct khor_mem *info_src;
static bool info_tried;

/* @src: the backend's state, owned by the caller, outliving *@ret. */
static int make_source(struct crash_src *src, struct khor_mem **ret)
{
	const struct khor_mem_info *di = NULL;
	struct khor_mem_info info;
	struct khor_error err;

	if (!info_tried) {
		info_tried = true;
		khor_error_clear(&err);
		if (pc->dumpfile && !ACTIVE() &&
		    khor_mem_open_dump(pc->dumpfile, &err, &info_src))
			info_src = NULL;
	}
	if (info_src)
		di = khor_mem_get_info(info_src);
	memset(&info, 0, sizeof(info));
	info.page_size = di && di->page_size ? di->page_size : PAGESIZE();
	src->phys_end = di && di->phys_end ? di->phys_end :
		       machdep->max_physmem_bits && machdep->max_physmem_bits < 64 ?
		       1ULL << machdep->max_physmem_bits : 1ULL << 52;
	info.phys_end = src->phys_end;
	if (di) {
		snprintf(info.osrelease, sizeof(info.osrelease), "%s", di->osrelease);
		info.vmcoreinfo = di->vmcoreinfo;
	}
	snprintf(info.kind, sizeof(info.kind), "crash");
	info.live = ACTIVE() != 0;
	return khor_mem_create(&crash_ops, src, &info, ret);
}

/* ---- the command ---- */

static bool is_location_opt(const char *a)
{
	static const char *const loc[] = {
		"--fdt-phys", "--root", "--scan", "--fdt", "--debugfs",
		"--vmlinux", "--system-map", "--symbols",
	};

	for (size_t i = 0; i < sizeof(loc) / sizeof(loc[0]); i++) {
		size_t n = strlen(loc[i]);

		if (!strncmp(a, loc[i], n) && (a[n] == '\0' || a[n] == '='))
			return true;
	}
	return false;
}

/* Long options that take their value as the next argument ("--root X"). */
static bool takes_value(const char *a)
{
	static const char *const opts[] = {
		"--fdt-phys", "--root", "--fdt", "--debugfs", "--vmlinux",
		"--system-map", "--scan-limit", "--max-nodes", "--page-size",
		"--format", "--v1-bitmap-size", "--force-version", "--preview",
		"--progress", "--svg", "--width", "--scale", "--extract",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(a, opts[i]))
			return true;
	return false;
}

static bool is_source_opt(const char *a)
{
	return !strncmp(a, "--raw", 5) || !strncmp(a, "--vmcore", 8) ||
	       !strncmp(a, "--kcore", 7);
}

static void cmd_kho(void)
{
	char *argv[KHO_MAX_ARGS + 1];
	struct tool_env env = { .out = fp, .err = fp, .prog = "kho" };
	struct crash_src src = { 0 };
	struct khor_mem *mem = NULL;
	bool located = false, is_dump = false, wants_mem = true;
	const char *sub = NULL;
	int argc = 0, i;

	argv[argc++] = "kho";
	for (i = 1; i < argcnt; i++) {
		char *a = args[i];

		if (argc >= KHO_MAX_ARGS - 2) {
			fprintf(fp, "kho: too many arguments\n");
			return;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cmd_usage(pc->curcmd, COMPLETE_HELP);
			return;
		}
		if (!strncmp(a, "-p", 2) && a[2]) {
			argv[argc++] = "--fdt-phys";
			argv[argc++] = a + 2;
			located = true;
			continue;
		}
		if (!strcmp(a, "-p")) {
			if (i + 1 >= argcnt) {
				fprintf(fp, "kho: -p needs a physical address\n");
				return;
			}
			argv[argc++] = "--fdt-phys";
			argv[argc++] = args[++i];
			located = true;
			continue;
		}
		if (is_source_opt(a)) {
			fprintf(fp, "kho: '%s': memory is crash's; no --raw, --vmcore or --kcore\n", a);
			return;
		}
		if (is_location_opt(a))
			located = true;
		if (takes_value(a) && i + 1 < argcnt) {
			argv[argc++] = a;
			argv[argc++] = args[++i];
			continue;
		}
		if (!sub && a[0] != '-') {
			sub = a;
			/* fdt runs khodump, which takes no subcommand word. */
			if (!strcmp(a, "fdt")) {
				is_dump = true;
				continue;
			}
			if (!strcmp(a, "walk"))
				continue;
			if (!strcmp(a, "key"))
				wants_mem = false;
			else if (strcmp(a, "find")) {
				fprintf(fp, "kho: unknown subcommand '%s' (fdt, walk, find, key)\n", a);
				return;
			}
		}
		argv[argc++] = a;
	}
	if (!sub) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	if (wants_mem && !located) {
		/*
		 * No hint: the kernel's own pointer if crash has the symbol
		 * (the library reads kho_out/kho_in from crash's vmlinux and
		 * validates what they point to), else the bounded scan. The
		 * library relocates vmlinux addresses by VMCOREINFO's
		 * KERNELOFFSET, which QMP dumps lack: when crash had to find
		 * a KASLR offset itself (kt->relocate), scan instead.
		 */
		if ((symbol_exists("kho_out") || symbol_exists("kho_in")) &&
		    pc->namelist && !kt->relocate) {
			argv[argc++] = "--vmlinux";
			argv[argc++] = pc->namelist;
		} else {
			argv[argc++] = "--scan";
		}
	}
	argv[argc] = NULL;

	if (wants_mem) {
		if (make_source(&src, &mem)) {
			fprintf(fp, "kho: out of memory\n");
			return;
		}
		env.mem = mem;
	}
	if (is_dump)
		khodump_run(&env, argc, argv);
	else
		khowalk_run(&env, argc, argv);
	fflush(fp);
	khor_mem_destroy(mem);
}

static void __attribute__((constructor)) kho_init(void)
{
	register_extension(command_table);
}

static void __attribute__((destructor)) kho_fini(void)
{
	khor_mem_destroy(info_src);
	info_src = NULL;
}
