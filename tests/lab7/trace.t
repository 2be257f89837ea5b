#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khotrace on upstream 7.x (guest mode lab7.mode=trace, no kexec): the
# attach points are the real KHO API, kho_alloc_preserve/kho_unpreserve_free
# and kho_radix_add_page/kho_radix_del_page, with keys from the radix
# events; kho_lab7's loop of N kho_preserve_folio + kho_unpreserve_folio of
# one folio is reported exactly (one key, N preserves and unpreserves, N - 1
# re-preserves, both stacks in lab_loop_write); the LUO preserve path of
# real memfds (lab7-handover preserve) shows with every memfd page's key.
: "${KHO_SRC:?set KHO_SRC}"
: "${KHO_BUILD:?set KHO_BUILD}"
. "$KHO_SRC/tests/lab7/lib7.sh"

D=$LAB7_DIR/trace
R=$D/r
run7 "$D" "the 7.x guest ran khotrace" "lab7.mode=trace" "wait:LAB7: END" "quit"
for s in tr_list tr_list_json tr_churn tr_churn_done tr_churn_text tr_top tr_events tr_luo \
	tr_luo_truth tr_churn_fentry tr_top_fentry tr_luo_fentry tr_luo_truth_fentry \
	tr_churn_kprobe; do
	[ -e "$R/$s" ] && [ -e "$R/$s.rc" ] || bail "the guest sent no '$s' section"
	expect_eq "$(cat "$R/$s.rc")" 0 "$s exits 0"
done

/usr/bin/python3 - "$R" >"$D/checks" 2>&1 <<'PY'
import json, re, sys

R = sys.argv[1]

def res(good, text, detail=""):
    print(("ok " if good else "not ok ") + text)
    if not good and detail:
        for line in str(detail).splitlines()[:8]:
            print("#   " + line)

def doc(name):
    try:
        return json.load(open(f"{R}/{name}"))
    except Exception as e:
        res(False, f"{name}: one JSON document", e)
        return None

def norm(sig):
    return sig.replace("long unsigned int", "unsigned long")

API = ["kho_preserve_folio", "kho_unpreserve_folio", "kho_preserve_pages",
       "kho_unpreserve_pages", "kho_preserve_vmalloc", "kho_unpreserve_vmalloc",
       "kho_alloc_preserve", "kho_unpreserve_free"]
RADIX = ["kho_radix_add_page", "kho_radix_del_page"]

TPS = ["kho_radix_add", "kho_radix_del"]
TP = False      # the kernel has our 7.x series' tracepoints
lj = doc("tr_list_json")
if lj:
    ap = {a["name"]: a for a in lj["attach_points"]}
    TP = ap["kho_radix_add"]["attach"] == "tracepoint"
    if TP:
        res(all(ap[n]["attach"] == "fentry" and ap[n]["object"] == "vmlinux" for n in API) and
            all(ap[n]["attach"] == "tracepoint" for n in TPS) and
            all(ap[n]["attach"] == "-" for n in RADIX),
            "--list (patched kernel): the KHO API is fentry/fexit, the blocks come from the "
            "tracepoints kho_radix_add/kho_radix_del, not from probes on the radix functions",
            [(n, ap[n]["attach"], ap[n]["why"]) for n in API + RADIX + TPS])
    else:
        res(all(ap[n]["attach"] == "fentry" and ap[n]["object"] == "vmlinux" for n in API + RADIX),
            "--list: the 7.x KHO API, kho_alloc_preserve/kho_unpreserve_free and "
            "kho_radix_add_page/kho_radix_del_page are fentry/fexit in vmlinux's BTF",
            [(n, ap[n]["attach"], ap[n]["why"]) for n in API + RADIX])
    res(all(norm(ap[n].get("signature", "")) == ap[n]["upstream"] for n in API + RADIX),
        "--list: their BTF signatures are the ones khotrace expects",
        [(ap[n].get("signature"), ap[n]["upstream"]) for n in API + RADIX
         if norm(ap[n].get("signature", "")) != ap[n]["upstream"]])
    res(lj.get("keys_from") == ("tracepoints" if TP else "radix"),
        "--list: keys from the radix events", lj.get("keys_from"))
lt = open(f"{R}/tr_list").read()
res(("keys from: tracepoints kho_radix_add/kho_radix_del" if TP else
     "keys from: kho_radix_add_page/kho_radix_del_page") in lt,
    "--list (text): says where the keys come from", lt[:300])

def loop_stacks(d, pairs):
    return all(p["preserve_caller"].startswith("lab_loop_write+") and
               p["unpreserve_caller"].startswith("lab_loop_write+") for p in pairs)

d = doc("tr_churn")
done = int(open(f"{R}/tr_churn_done").read())
if d:
    res(done == 100, "the loop ran 100 pairs", done)
    c = d["counts"]
    res((c["preserves"], c["unpreserves"], c["api_calls"], c["api_errors"]) == (100, 100, 200, 0),
        "churn: 100 preserves and 100 unpreserves of keys, 200 API calls, no error", c)
    res(d["churn_keys"] == 1 and len(d["keys"]) == 1, "churn: exactly one churn key (the loop's folio)",
        d["keys"])
    if d["keys"]:
        k = d["keys"][0]
        key, phys, order = int(k["key"], 16), int(k["phys"], 16), k["order"]
        res((k["preserves"], k["unpreserves"], k["represerves"], k["preserved"]) == (100, 100, 99, False),
            "churn: the key: 100 preserves, 100 unpreserves, 99 re-preserves, not preserved at the end", k)
        res(key == (1 << (52 - order)) | (phys >> (12 + order)),
            "churn: key, phys and order agree (KHO_ABI key encoding)", k)
    res(len(d["stack_pairs"]) == 1 and loop_stacks(d, d["stack_pairs"]),
        "churn: one stack pair, preserve and unpreserve both in lab_loop_write",
        [(p["preserve_caller"], p["unpreserve_caller"]) for p in d["stack_pairs"]])
    if d["stack_pairs"]:
        fr = d["stack_pairs"][0]["preserve_stack"]
        res(fr[:1] and fr[0].startswith("lab_loop_write+") and
            any(f.startswith("vfs_write+") for f in fr),
            "churn: the preserve stack runs from lab_loop_write (kho_preserve_folio "
            "tail-calls kho_radix_add_page, whose fexit sees it) to vfs_write", fr)
    res(d["lost"]["total"] == 0, "churn: nothing lost", d["lost"])
txt = open(f"{R}/tr_churn_text").read()
res(txt.startswith("churn: 1 keys re-preserved >= 5 times within 60 s (99 re-preserves)")
    and "lab_loop_write+" in txt and "\nlost:   0 (" in txt,
    "churn (text): the loop's key, its call site, nothing lost", txt[:400])

d = doc("tr_top")
if d:
    procs = [p for p in d["processes"] if p["preserves"] or p["unpreserves"]]
    res(len(procs) == 1 and (procs[0]["preserves"], procs[0]["unpreserves"]) == (100, 100),
        "top: one process, 100 preserves and 100 unpreserves", procs)
    st = [s for s in d["stacks"] if s["preserves"] or s["unpreserves"]]
    res(sum(s["preserves"] for s in st) == 100 and sum(s["unpreserves"] for s in st) == 100 and
        all(s["api"] in ("kho_preserve_folio", "kho_unpreserve_folio") for s in st),
        "top: every key event under kho_preserve_folio/kho_unpreserve_folio",
        [(s["api"], s["preserves"], s["unpreserves"]) for s in st])

d = doc("tr_events")
if d:
    ev = [e for e in d["events"] if e["op"] in ("preserve", "unpreserve")]
    res([e["op"] for e in ev] == ["preserve", "unpreserve"] * 2 and
        all(e["source"] in (TPS if TP else RADIX) and
            e["api"] in ("kho_preserve_folio", "kho_unpreserve_folio")
            and e["caller"].startswith("lab_loop_write+") for e in ev),
        "events: preserve, unpreserve twice; seen by the radix probes, under the API call, "
        "from lab_loop_write", [(e["op"], e["api"], e["source"], e["caller"]) for e in ev])

d = doc("tr_luo")
if d:
    st = d["stacks"]
    def via(api, frame):
        return any(s["api"] == api and s["preserves"] and
                   any(f.startswith(frame) for f in s["frames"]) for s in st)
    res(via("kho_preserve_folio", "memfd_luo_preserve") and
        via("kho_alloc_preserve", "memfd_luo_preserve") and
        via("kho_preserve_vmalloc", "memfd_luo_preserve"),
        "LUO: memfd_luo_preserve's folios, kho_alloc_preserve and kho_preserve_vmalloc "
        "are seen with their stacks",
        [(s["api"], s["preserves"], s["unpreserves"], s["frames"][:6]) for s in st])
    res(any(s["unpreserves"] and any(f.startswith("memfd_luo_") for f in s["frames"]) for s in st),
        "LUO: closing the sessions unpreserves through memfd_luo",
        [(s["api"], s["unpreserves"]) for s in st])
    # Every page of every memfd (lab7-handover's ground truth, from
    # /proc/self/pagemap) is inside a block khotrace saw preserved.
    pages = [int(l.split()[2], 16) for l in open(f"{R}/tr_luo_truth") if l.startswith("folio ")]
    blocks = [(int(k["phys"], 16), 4096 << k["order"]) for k in d["keys"]]
    res(pages and all(any(b <= p < b + n for b, n in blocks) for p in pages),
        f"LUO: each of the {len(pages)} memfd pages is in a block khotrace saw",
        [hex(p) for p in pages if not any(b <= p < b + n for b, n in blocks)])
    c = d["counts"]
    res(c["preserves"] == c["unpreserves"] and c["preserves"] > 0 and d["lost"]["total"] == 0,
        "LUO: every preserve undone when the sessions close, nothing lost", (c, d["lost"]))

# Every attach mode sees the same: the default (tracepoint on a patched
# kernel, fentry otherwise) against fentry on the radix functions and
# kprobes on them, on the same workloads.
def counts(d):
    # inner_skipped is the tracer's bookkeeping (block events it left to
    # the API call around them), which differs by mode by design.
    return {k: v for k, v in d["counts"].items() if k != "inner_skipped"}

def churn_view(d):
    return (counts(d), d["churn_keys"], d["lost"]["total"],
            [(k["key"], k["phys"], k["order"], k["preserves"], k["unpreserves"],
              k["represerves"], k["preserved"]) for k in d["keys"]],
            sorted((p["preserve_caller"].split("+")[0], p["unpreserve_caller"].split("+")[0])
                   for p in d["stack_pairs"]))

def top_view(d):
    return ([(p["preserves"], p["unpreserves"]) for p in d["processes"]
             if p["preserves"] or p["unpreserves"]],
            sorted((s["api"], s["preserves"], s["unpreserves"]) for s in d["stacks"]
                   if s["preserves"] or s["unpreserves"]))

def luo_view(d, truth):
    pages = [int(l.split()[2], 16) for l in open(f"{R}/{truth}") if l.startswith("folio ")]
    blocks = [(int(k["phys"], 16), 4096 << k["order"]) for k in d["keys"]]
    covered = all(any(b <= p < b + n for b, n in blocks) for p in pages)
    return (counts(d), d["lost"]["total"], len(d["keys"]),
            sorted(k["order"] for k in d["keys"]), len(pages), covered)

base = {"churn": doc("tr_churn"), "top": doc("tr_top"), "luo": doc("tr_luo")}
c, t, l, k = doc("tr_churn_fentry"), doc("tr_top_fentry"), doc("tr_luo_fentry"), doc("tr_churn_kprobe")
if c and t and l and k and all(base.values()):
    for m, d in (("fentry", c), ("kprobe", k)):
        res(churn_view(d) == churn_view(base["churn"]),
            f"modes: churn with {m} is the default mode's (counts, keys, callers)",
            (churn_view(d), churn_view(base["churn"])))
    res(top_view(t) == top_view(base["top"]),
        "modes: top with fentry is the default mode's (processes, API stacks)",
        (top_view(t), top_view(base["top"])))
    res(luo_view(l, "tr_luo_truth_fentry") == luo_view(base["luo"], "tr_luo_truth"),
        "modes: the LUO preserve path with fentry is the default mode's (counts, keys per "
        "order, every memfd page covered)",
        (luo_view(l, "tr_luo_truth_fentry"), luo_view(base["luo"], "tr_luo_truth")))
PY
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok 0 "${line#ok }" ;;
	"not ok "*) ok 1 "${line#not ok }" ;;
	*) echo "$line" ;;
	esac
done <"$D/checks"
done_testing
