// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khotrace's attach points: what the running kernel has (kallsyms, vmlinux
 * and module BTF), the choice of an attach mode per point, and the BPF
 * object loaded and attached; struct kt_attach owns every bpf_link.
 *
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
 *   the same file in linux-source-7.2.13 (Debian), besides the above:
 *     void *kho_alloc_preserve(size_t size);     kho_preserve_folio() inside
 *     void kho_unpreserve_free(void *mem);       kho_unpreserve_folio() inside
 *     kho_preserve_pages() splits a range where the NUMA node changes
 *     (__kho_preserve_pages_order()), so its arguments do not give its keys
 *   kernel/liveupdate/kexec_handover.c @dd03dd60e8cd (kho-v1, 6.19 era):
 *     nr_pages is unsigned int; static internals
 *     int  __kho_preserve_order(struct kho_mem_track *, unsigned long pfn,
 *                               unsigned int order);
 *     void __kho_unpreserve_order(struct kho_mem_track *, unsigned long pfn,
 *                                 unsigned int order);
 *   include/linux/kexec_handover.h @00c010e130e5 (6.16):
 *     int  kho_preserve_phys(phys_addr_t phys, size_t size);
 *   kernel-patch/v7 (our series on 7.x), besides its tracepoints:
 *     int  __kho_radix_add_blocks(struct kho_radix_tree *,
 *                                 struct kho_radix_cursor *,
 *                                 unsigned long *pfn, unsigned int order,
 *                                 unsigned long nr);   advances *pfn
 *     void __kho_radix_del_blocks(struct kho_radix_tree *,
 *                                 struct kho_radix_cursor *,
 *                                 unsigned long pfn, unsigned int order,
 *                                 unsigned long nr);
 *   6.18-era trees had int-returning kho_unpreserve_{folio,pages,vmalloc}
 *   (Pasha Tatashin, "kho: allow to drive kho from within kernel"); the
 *   return type and the width of nr_pages are read from BTF when present.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "khotrace.h"
#include "kho_trace.skel.h"

static const struct kt_hook hook_table[KT_NR_HOOKS] = {
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
	  .upstream = "tracepoint kho_radix_add(pfn, order, key, ...): kernel-patch (6.12 kho_radix:, 7.x kho:)" },
	{ .name = "kho_radix_del", .fn = KT_FN_TP_DEL, .kind = H_TP_DEL,
	  .upstream = "tracepoint kho_radix_del(pfn, order, key, ...): kernel-patch (6.12 kho_radix:, 7.x kho:)" },
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
	{ .name = "kho_alloc_preserve", .fn = KT_FN_ALLOC_PRESERVE, .kind = H_API,
	  .upstream = "void *kho_alloc_preserve(size_t size)" },
	{ .name = "kho_unpreserve_free", .fn = KT_FN_UNPRESERVE_FREE, .kind = H_API,
	  .upstream = "void kho_unpreserve_free(void *mem)" },
	{ .name = "__kho_radix_add_blocks", .fn = KT_FN_RADIX_ADD_BLOCKS, .kind = H_BLK_ADD,
	  .upstream = "int __kho_radix_add_blocks(struct kho_radix_tree *tree, struct kho_radix_cursor *cur, unsigned long *pfn, unsigned int order, unsigned long nr): kernel-patch/v7" },
	{ .name = "__kho_radix_del_blocks", .fn = KT_FN_RADIX_DEL_BLOCKS, .kind = H_BLK_DEL,
	  .upstream = "void __kho_radix_del_blocks(struct kho_radix_tree *tree, struct kho_radix_cursor *cur, unsigned long pfn, unsigned int order, unsigned long nr): kernel-patch/v7" },
};

void kt_attach_init(struct kt_attach *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->hooks, hook_table, sizeof(a->hooks));
}

const char *kt_fn_name(unsigned int fn)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++)
		if (hook_table[i].fn == fn)
			return hook_table[i].name;
	return "?";
}

bool kt_is_kho_frame(const char *name)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++)
		if (!strcmp(name, hook_table[i].name))
			return true;
	return !strncmp(name, "kho_radix_", 10) || !strncmp(name, "__kho_", 6) ||
	       !strncmp(name, "trace_kho_", 10) || !strncmp(name, "__traceiter_kho_", 16);
}

static bool is_tp(const struct kt_hook *h)
{
	return h->kind == H_TP_ADD || h->kind == H_TP_DEL || h->kind == H_TP_NODE;
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
/* What a return type is to the BPF side: void, an int, or a pointer. */
static unsigned int btf_ret_kind(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	int depth = 0;

	while (t && depth++ < 16 && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t)
		return KT_RET_VOID;
	if (btf_is_ptr(t))
		return KT_RET_PTR;
	return btf_is_int(t) || btf_is_enum(t) ? KT_RET_INT : KT_RET_VOID;
}

/* Fill in what BTF @btf (of @obj) says about the hooks it has. */
static void btf_scan(struct kt_attach *a, struct btf *btf, const char *obj)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		struct kt_hook *h = &a->hooks[i];
		const struct btf_type *fn, *proto;
		const struct btf_param *p;
		char rt[128], pt[128];
		size_t len;
		int id;

		if (h->in_btf || is_tp(h))
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
		h->ret_kind = btf_ret_kind(btf, proto->type);
		len = (size_t)snprintf(h->btf_sig, sizeof(h->btf_sig), "%s%s%s(", rt,
				       rt[strlen(rt) - 1] == '*' ? "" : " ", h->name);
		p = btf_params(proto);
		for (int n = 0; n < btf_vlen(proto) && len < sizeof(h->btf_sig); n++) {
			btf_type_str(btf, p[n].type, pt, sizeof(pt));
			len += (size_t)snprintf(h->btf_sig + len, sizeof(h->btf_sig) - len,
						"%s%s%s%s", n ? ", " : "", pt,
						pt[strlen(pt) - 1] == '*' ? "" : " ",
						btf__name_by_offset(btf, p[n].name_off));
			if (n == 1 && (h->fn == KT_FN_PRESERVE_PAGES ||
				       h->fn == KT_FN_UNPRESERVE_PAGES))
				h->nr_u32 = btf__resolve_size(btf, p[n].type) == 4;
		}
		if (len < sizeof(h->btf_sig))
			snprintf(h->btf_sig + len, sizeof(h->btf_sig) - len, ")");
	}
}

void kt_discover(struct kt_attach *a, struct kt_opts *o, const struct ksyms *ks)
{
	const char *vpath = o->btf ? o->btf : "/sys/kernel/btf/vmlinux";
	struct btf *vmlinux;
	struct stat st;

	a->have_btf = stat(vpath, &st) == 0;
	for (size_t i = 0; i < ks->n; i++) {
		const char *name = ks->syms[i].name;

		for (size_t j = 0; j < KT_NR_HOOKS; j++) {
			struct kt_hook *h = &a->hooks[j];
			bool tp = is_tp(h);
			size_t n = strlen(h->name);

			if (tp) {
				if (strncmp(name, "__tracepoint_", 13) || strcmp(name + 13, h->name))
					continue;
			} else if (!ks->syms[i].text || strncmp(name, h->name, n) ||
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
				 ks->syms[i].mod ? ks->syms[i].mod : "vmlinux");
		}
	}

	vmlinux = btf__parse(vpath, NULL);
	if (!vmlinux)
		return;
	btf_scan(a, vmlinux, "vmlinux");
	/* Module BTF: /sys/kernel/btf/<module>, split on vmlinux's. */
	if (!o->btf) {
		for (size_t j = 0; j < KT_NR_HOOKS; j++) {
			struct kt_hook *h = &a->hooks[j];
			char path[128];
			struct btf *mb;

			if (h->in_btf || !h->in_kallsyms || !strcmp(h->ksym_mod, "vmlinux"))
				continue;
			snprintf(path, sizeof(path), "/sys/kernel/btf/%s", h->ksym_mod);
			mb = btf__parse_split(path, vmlinux);
			if (!mb)
				continue;
			btf_scan(a, mb, h->ksym_mod);
			btf__free(mb);
		}
	}
	btf__free(vmlinux);
}

const struct kt_hook *kt_hook_by_fn(const struct kt_attach *a, enum kt_fn fn)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++)
		if (a->hooks[i].fn == fn)
			return &a->hooks[i];
	return NULL;
}

static struct kt_hook *hook_by_fn(struct kt_attach *a, enum kt_fn fn)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++)
		if (a->hooks[i].fn == fn)
			return &a->hooks[i];
	return NULL;
}

/* ----------------------------------------------------------------- plan */

static void note_key_source(struct kt_hook *h)
{
	size_t l = strlen(h->why);

	snprintf(h->why + l, sizeof(h->why) - l, "; the source of keys");
}

int kt_plan(struct kt_attach *a, struct kt_opts *o)
{
	struct kt_hook *tpa = hook_by_fn(a, KT_FN_TP_ADD), *tpd = hook_by_fn(a, KT_FN_TP_DEL);
	struct kt_hook *blk[6] = {
		hook_by_fn(a, KT_FN_RADIX_ADD_BLOCKS), hook_by_fn(a, KT_FN_RADIX_DEL_BLOCKS),
		hook_by_fn(a, KT_FN_RADIX_ADD_PAGE), hook_by_fn(a, KT_FN_RADIX_DEL_PAGE),
		hook_by_fn(a, KT_FN_PRESERVE_ORDER), hook_by_fn(a, KT_FN_UNPRESERVE_ORDER),
	};
	struct kt_hook *blk_add = NULL, *blk_del = NULL, *n;
	int keyed = 0;

	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		struct kt_hook *h = &a->hooks[i];

		h->mode = M_NONE;
		if (is_tp(h)) {
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
		if (h->in_btf && a->have_btf && !o->force_kprobe) {
			h->mode = M_FENTRY;
			snprintf(h->why, sizeof(h->why), "fentry/fexit: in the BTF of %s", h->btf_obj);
		} else {
			h->mode = M_KPROBE;
			snprintf(h->why, sizeof(h->why), "kprobe/kretprobe: %s (%s)",
				 o->force_kprobe ? "--kprobe given" :
				 !a->have_btf ? "the kernel has no BTF" : "not in BTF",
				 h->ksym_mod);
		}
		if (h->kind == H_API)
			keyed++;
	}

	/* One source of per-block events: tracepoints, kho-v2, kho-v1. */
	a->radix_keys = false;
	a->radix_tp = false;
	if (tpa->in_kallsyms && tpd->in_kallsyms && !o->no_tp) {
		blk_add = tpa;
		blk_del = tpd;
		tpa->mode = tpd->mode = M_TP;
		snprintf(tpa->why, sizeof(tpa->why), "raw tracepoint (%s)", tpa->ksym_mod);
		snprintf(tpd->why, sizeof(tpd->why), "raw tracepoint (%s)", tpd->ksym_mod);
		/* Fired inside the radix add and delete themselves, like the
		 * kho-v2 pair below: every block whatever split it. */
		a->radix_keys = true;
		a->radix_tp = true;
	} else if (blk[0]->mode != M_NONE && blk[1]->mode != M_NONE) {
		/* Our 7.x series without its tracepoints: every block passes
		 * through these two, a run of one order at a time. */
		blk_add = blk[0];
		blk_del = blk[1];
		a->radix_keys = true;
	} else if (blk[2]->mode != M_NONE && blk[3]->mode != M_NONE) {
		blk_add = blk[2];
		blk_del = blk[3];
		/* Every block of the radix tree passes here, whatever the API
		 * call around it split: the keys come from these. Not on a
		 * kernel with our 7.x series whose run functions are missing
		 * (it has the tracepoints): there kho_preserve_pages() and
		 * kho_preserve_vmalloc() add their blocks past
		 * kho_radix_add_page(), so the API gives the keys. */
		a->radix_keys = !tpa->in_kallsyms;
	} else if (blk[4]->mode != M_NONE && blk[5]->mode != M_NONE) {
		blk_add = blk[4];
		blk_del = blk[5];
	}
	for (int i = 0; i < 6; i++) {
		struct kt_hook *h = blk[i];

		if (h->mode == M_NONE || h == blk_add || h == blk_del)
			continue;
		h->mode = M_NONE;
		snprintf(h->why, sizeof(h->why), blk_add ?
			 "in %s; not used: %s is the block source" :
			 "in %s; not used: its pair is missing", h->ksym_mod,
			 blk_add ? blk_add->name : "");
	}
	if (blk_add)
		keyed++;
	if (a->radix_keys && !a->radix_tp) {
		snprintf(a->radix_src, sizeof(a->radix_src), "%s/%s", blk_add->name,
			 blk_del->name);
		note_key_source(blk_add);
		note_key_source(blk_del);
	}
	n = hook_by_fn(a, KT_FN_TP_NODE_ALLOC);
	if (n->in_kallsyms && !o->no_tp) {
		char mod[sizeof(n->ksym_mod)];

		memcpy(mod, n->ksym_mod, sizeof(mod));
		n->mode = M_TP;
		snprintf(n->why, sizeof(n->why), "raw tracepoint (%s)", mod);
	}
	return keyed;
}

const char *kt_mode_name(enum kt_hook_mode m)
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

/* --------------------------------------------------------------- attach */

static void bind_progs(struct kt_attach *a, struct kho_trace_bpf *s)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		struct kt_hook *h = &a->hooks[i];
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
		API(KT_FN_ALLOC_PRESERVE, alloc_preserve)
		API(KT_FN_UNPRESERVE_FREE, unpreserve_free)
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
		case KT_FN_RADIX_ADD_BLOCKS:
			h->entry = fe ? s->progs.fe_run_add : s->progs.kp_run_add;
			h->exit = fe ? s->progs.fx_run_add : s->progs.kr_run_add;
			break;
		case KT_FN_RADIX_DEL_BLOCKS:
			h->entry = fe ? s->progs.fe_run_del : s->progs.kp_run_del;
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

static int attach_one(struct kt_opts *o, struct kt_hook *h, int e)
{
	struct bpf_program *p = e ? h->exit : h->entry;
	struct bpf_link *link;

	if (!p)
		return 0;
	if (h->mode == M_FENTRY)
		link = bpf_program__attach_trace(p);
	else if (h->mode == M_KPROBE)
		link = bpf_program__attach_kprobe(p, e, h->name);
	else
		link = bpf_program__attach_raw_tracepoint(p, h->name);
	if (!link) {
		int err = errno;

		errmsg(&o->c, "cannot attach %s to '%s': %s", kt_mode_name(h->mode), h->name,
		       strerror(err));
		return -1;
	}
	h->link[e] = link;
	return 0;
}

/* Without BTF: preserve functions return int, unpreserve functions void
 * (kho-v2), kho_alloc_preserve() a pointer. */
static unsigned int ret_kind_guess(enum kt_fn fn)
{
	switch (fn) {
	case KT_FN_PRESERVE_FOLIO:
	case KT_FN_PRESERVE_PAGES:
	case KT_FN_PRESERVE_VMALLOC:
	case KT_FN_PRESERVE_PHYS:
		return KT_RET_INT;
	case KT_FN_ALLOC_PRESERVE:
		return KT_RET_PTR;
	default:
		return KT_RET_VOID;
	}
}

static void say_no_root(struct kt_opts *o, int err)
{
	errmsg(&o->c, "cannot load the BPF programs: %s (khotrace needs root:"
	       " CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)", strerror(err));
}

int kt_attach_load(struct kt_attach *a, struct kt_opts *o, unsigned int page_shift)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf);
	struct kho_trace_bpf *s;
	struct bpf_program *p;
	struct kt_config cfg;
	uint32_t zero = 0;
	int err;

	s = kho_trace_bpf__open_opts(&oo);
	if (!s) {
		errmsg(&o->c, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	a->skel = s;
	bind_progs(a, s);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);

	memset(&cfg, 0, sizeof(cfg));
	cfg.targ_tgid = o->pid;
	cfg.page_shift = page_shift;
	cfg.emit_all = o->view == V_EVENTS;
	cfg.radix_keys = a->radix_keys;
	cfg.churn_cycles = o->min_cycles;
	cfg.churn_window_ns = (uint64_t)(o->window * 1e9);
	cfg.vmemmap_default = UINT64_C(0xffffea0000000000);	/* __VMEMMAP_BASE_L4 */
	cfg.blk_add_src = KT_FN_RADIX_ADD_PAGE;
	cfg.blk_del_src = KT_FN_RADIX_DEL_PAGE;
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		struct kt_hook *h = &a->hooks[i];

		if (h->mode == M_NONE)
			continue;
		cfg.ret_kind[h->fn] = (uint8_t)(h->in_btf ? h->ret_kind : ret_kind_guess(h->fn));
		if (h->fn == KT_FN_PRESERVE_PAGES || h->fn == KT_FN_UNPRESERVE_PAGES)
			cfg.nr_is_u32 = h->nr_u32;
		if (h->kind == H_BLK_ADD)
			cfg.blk_add_src = (uint8_t)h->fn;
		if (h->kind == H_BLK_DEL)
			cfg.blk_del_src = (uint8_t)h->fn;
		for (int e = 0; e < 2; e++) {
			struct bpf_program *q = e ? h->exit : h->entry;

			if (!q)
				continue;
			bpf_program__set_autoload(q, true);
			if (h->mode != M_FENTRY)
				continue;
			err = bpf_program__set_attach_target(q, 0, h->name);
			if (err) {
				/* Finding module BTF by id needs privileges. */
				if (geteuid())
					say_no_root(o, -err);
				else
					errmsg(&o->c, "cannot target '%s': %s", h->name,
					       strerror(-err));
				return -1;
			}
		}
	}
	bpf_map__set_max_entries(s->maps.events, o->buffer_mib << 20);
	bpf_map__set_max_entries(s->maps.keys, o->max_keys);
	bpf_map__set_max_entries(s->maps.stacks, o->max_stacks);

	err = kho_trace_bpf__load(s);
	if (err) {
		if (err == -EPERM || err == -EACCES || geteuid())
			say_no_root(o, -err);
		else
			errmsg(&o->c, "cannot load the BPF programs: %s%s", strerror(-err),
			       o->c.verbose ? "" : " (-v shows libbpf's messages)");
		return -1;
	}
	/* Before the first probe runs. */
	err = bpf_map_update_elem(bpf_map__fd(s->maps.kt_cfg), &zero, &cfg, BPF_ANY);
	if (err) {
		errmsg(&o->c, "cannot configure the BPF programs: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		struct kt_hook *h = &a->hooks[i];

		if (h->mode == M_NONE)
			continue;
		if (attach_one(o, h, 0) || attach_one(o, h, 1))
			return -1;
		h->attached = true;
	}
	return 0;
}

void kt_attach_destroy(struct kt_attach *a)
{
	for (size_t i = 0; i < KT_NR_HOOKS; i++) {
		for (int e = 0; e < 2; e++) {
			bpf_link__destroy(a->hooks[i].link[e]);
			a->hooks[i].link[e] = NULL;
		}
		a->hooks[i].attached = false;
	}
	kho_trace_bpf__destroy(a->skel);
	a->skel = NULL;
}
