#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khotrace in the guest: kho_lab without its random set, and
# khotrace (one static binary) around kho_lab's churn workload, once per
# view and once with the fallbacks (kprobes, keys from kho_radix_add_page);
# each run's output is checked on the host against the workload's ground
# truth (kho_lab/churn_truth): exact key sets and counts, both call sites
# on both sides, the anomalies, the nodes allocated. Fails closed: a
# missing binary, BTF or attach point, a section the guest did not send,
# or any lost event is "not ok".
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/lib.sh"

# A fixed plan: 3 checks of the binary and the boot, 11 exit statuses, 46
# checks of the outputs by the Python checker below, its own exit status,
# and 2 without root. A check that does not run (a document that does not
# parse, a checker that dies half-way) breaks the plan, and the suite fails.
echo "1..63"

KHOTRACE=$KHO_BUILD/tools/khotrace
[ -x "$KHOTRACE" ] || bail "no khotrace at '$KHOTRACE' (make)"
if ldd "$KHOTRACE" 2>&1 | grep -q "not a dynamic executable"; then
	ok 0 "khotrace is one static binary"
else
	ok 1 "khotrace is one static binary"
fi

seed=$LAB_SEED
boot trace --mem 256M --append "$(append trace "$seed")" exit
ok $? "trace guest booted, ran its steps and powered off"
D=$LAB_DIR/trace
verdict=$(sed -n 's/^LAB: VERDICT //p' "$LAB_DIR/trace.log" | tr -d '\r')
[ -n "$verdict" ] || bail "the trace guest printed no verdict (log: $LAB_DIR/trace.log)"
case "$verdict" in pass*) v=0 ;; *) v=1 ;; esac
ok $v "guest verdict: $verdict"

for s in list list_json churn churn_text anomalies anomalies_text growth top \
	events events_text kprobe; do
	need_section "$D" $s
	case $s in list*) ;; *) need_section "$D" "${s}_truth" ;; esac
	expect_eq "$(cat "$D/$s.rc")" 0 "khotrace ($s) exits 0 in the guest"
done
need_section "$D" nopriv

# The checks on the JSON documents, one line each: "ok|not ok <text>".
/usr/bin/python3 - "$D" >"$D/checks" 2>&1 <<'EOF'
import json, re, sys

D = sys.argv[1]

def res(good, text, detail=""):
    print(("ok " if good else "not ok ") + text)
    if not good and detail:
        for line in str(detail).splitlines()[:8]:
            print("#   " + line)

def read(name):
    with open(f"{D}/{name}") as f:
        return f.read()

def doc(name):
    try:
        return json.loads(read(name))
    except Exception as e:
        res(False, f"{name}: one JSON document", e)
        return None

def truth(name):
    t = {"keys": {}, "anom": {}, "nodes": {}, "vmalloc": set(), "all": set()}
    for line in read(name).splitlines():
        w = line.split()
        if not w:
            continue
        # Pages are freed between steps, so a later step may reuse a key.
        if w[0] == "key":
            t["all"].add(int(w[2], 16))
        if w[0] == "key" and w[1] == "vmalloc":
            t["vmalloc"].add(int(w[2], 16))
        elif w[0] == "key" and w[1] in ("a", "b"):
            t["keys"][int(w[2], 16)] = (w[1], int(w[3]))
        elif w[0] == "anomaly":
            t["anom"][w[1]] = int(w[2], 16)
        elif w[0] == "nodes":
            t["nodes"][int(w[1])] = int(w[2])
        elif w[0] == "site":
            t["site_" + w[1]] = int(w[4])
        elif w[0] in ("cycles", "preserves", "unpreserves", "nodes_total"):
            t[w[0]] = int(w[1])
    ok = read(name).startswith("kho-lab-churn 1\n") and read(name).endswith("end\n")
    res(ok, f"{name}: the workload's ground truth is complete")
    return t

def norm(sig):
    return sig.replace("long unsigned int", "unsigned long")

def no_loss(name, d):
    res(d["lost"]["total"] == 0, f"{name}: nothing lost (ring buffer, stacks, maps, evictions)",
        d["lost"])

def totals(name, d, t):
    c = d["counts"]
    res((c["preserves"], c["unpreserves"], c["api_errors"]) ==
        (t["preserves"], t["unpreserves"], 0),
        f"{name}: {t['preserves']} preserves and {t['unpreserves']} unpreserves of keys, no API error",
        c)

def churn(name, d, t, site_frame=True):
    cyc = t["cycles"]
    want = {k for k, (site, _) in t["keys"].items() if site in ("a", "b")}
    got = {int(k["key"], 16): k for k in d["keys"]}
    res(set(got) == want and d["churn_keys"] == len(want),
        f"{name}: the churn keys are exactly the workload's {len(want)} "
        f"({t['site_a']} folios of site a, {t['site_b']} page blocks of site b)",
        f"got {sorted(map(hex, got))}\nwant {sorted(map(hex, want))}")
    exact = all((k["preserves"], k["unpreserves"], k["represerves"], k["order"]) ==
                (cyc + 1, cyc + 1, cyc, t["keys"][kk][1]) for kk, k in got.items() if kk in want)
    res(exact, f"{name}: each churn key: {cyc + 1} preserves, {cyc + 1} unpreserves, "
        f"{cyc} re-preserves, its order", d["keys"])
    pairs = {}
    for p in d["stack_pairs"]:
        pc, uc = p["preserve_caller"], p["unpreserve_caller"]
        m = re.match(r"kho_lab_churn_site_([ab])\+", pc)
        if m and uc.startswith(f"kho_lab_churn_site_{m.group(1)}+"):
            pairs[m.group(1)] = p
    res(len(d["stack_pairs"]) == 2 and set(pairs) == {"a", "b"},
        f"{name}: two stack pairs, preserve and unpreserve sides both symbolized to "
        "kho_lab_churn_site_a and kho_lab_churn_site_b",
        [(p["preserve_caller"], p["unpreserve_caller"]) for p in d["stack_pairs"]])
    if set(pairs) == {"a", "b"}:
        res(pairs["a"]["keys"] == t["site_a"] and pairs["b"]["keys"] == t["site_b"] and
            pairs["a"]["represerves"] == t["site_a"] * cyc and
            pairs["b"]["represerves"] == t["site_b"] * cyc,
            f"{name}: site a {t['site_a']} keys / {t['site_a'] * cyc} re-preserves, "
            f"site b {t['site_b']} keys / {t['site_b'] * cyc}",
            [(p["keys"], p["represerves"]) for p in pairs.values()])
        frames = pairs["a"]["preserve_stack"] + pairs["b"]["unpreserve_stack"]
        res(any(f.startswith("kho_lab_churn_write+") for f in frames) and
            any(f.startswith("vfs_write+") for f in frames),
            f"{name}: the stacks reach the syscall (kho_lab_churn_write, vfs_write)", frames)
    else:
        # The same two checks, failed: the plan counts them either way.
        res(False, f"{name}: site a and site b keys / re-preserves (no stack pair per site)")
        res(False, f"{name}: the stacks reach the syscall (no stack pair per site)")

# --list
lj = doc("list_json")
if lj:
    ap = {a["name"]: a for a in lj["attach_points"]}
    api = ["kho_preserve_folio", "kho_unpreserve_folio", "kho_preserve_pages",
           "kho_unpreserve_pages", "kho_preserve_vmalloc", "kho_unpreserve_vmalloc"]
    res(all(ap[n]["attach"] == "fentry" for n in api),
        "--list: the six KHO API stand-ins are found in kho_lab's BTF, fentry/fexit",
        [(n, ap[n]["attach"], ap[n]["why"]) for n in api])
    res(all(norm(ap[n].get("signature", "")) == ap[n]["upstream"] for n in
            api + ["kho_radix_add_page", "kho_radix_del_page"]),
        "--list: the stand-ins' BTF signatures are upstream's exactly",
        [(ap[n].get("signature"), ap[n]["upstream"]) for n in api])
    res(all(ap[n]["attach"] == "tracepoint" for n in
            ("kho_radix_add", "kho_radix_del", "kho_radix_node_alloc")),
        "--list: the kho_radix tracepoints are used")
    res(ap["kho_preserve_phys"]["attach"] == "-" and "not in this kernel" in ap["kho_preserve_phys"]["why"],
        "--list: an absent attach point says why")
lt = read("list")
res("kho_radix_add_page       -          in kho_lab; not used: kho_radix_add is the block source" in lt,
    "--list (text): an unused attach point says why", lt)

# churn
d, t = doc("churn"), truth("churn_truth")
if d:
    churn("churn", d, t)
    totals("churn", d, t)
    no_loss("churn", d)
txt, tt = read("churn_text"), truth("churn_text_truth")
n = tt["site_a"] + tt["site_b"]
res(f"churn: {n} keys re-preserved >= 5 times within 60 s ({n * tt['cycles']} re-preserves)" in txt
    and "kho_lab_churn_site_a+" in txt and "kho_lab_churn_site_b+" in txt
    and "\nlost:   0 (" in txt,
    f"churn (text): {n} keys, both call sites, nothing lost", txt[:600])

# anomalies
d, t = doc("anomalies"), truth("anomalies_truth")
if d:
    res(d["anomaly_counts"] == {"unpreserve-unknown": 1, "double-preserve": 1, "double-unpreserve": 1},
        "anomalies: exactly 1 unpreserve-unknown, 1 double-preserve, 1 double-unpreserve",
        d["anomaly_counts"])
    got = {a["kind"]: int(a["key"], 16) for a in d["anomalies"]}
    res(got == t["anom"], "anomalies: each on the key the workload chose", f"{got}\n{t['anom']}")
    res(all(a["caller"].startswith("kho_lab_anomalies+") for a in d["anomalies"]),
        "anomalies: each symbolized to kho_lab_anomalies", [a["caller"] for a in d["anomalies"]])
    totals("anomalies", d, t)
    no_loss("anomalies", d)
txt = read("anomalies_text")
res(txt.startswith("anomalies: 1 unpreserve-unknown, 1 double-preserve, 1 double-unpreserve\n")
    and "kho_lab_anomalies+" in txt, "anomalies (text): the counts and the code responsible", txt[:400])

# growth
d, t = doc("growth"), truth("growth_truth")
if d:
    lv = {l["level"]: l["nodes"] for l in d["levels"]}
    res(d["growth_available"] and d["nodes"] == t["nodes_total"] > 0 and lv == t["nodes"],
        f"growth: {t['nodes_total']} nodes allocated, per level as kho_lab counted them {t['nodes']}",
        f"got {d['nodes']} {lv}")
    res(d["metadata_bytes"] == 4096 * t["nodes_total"], "growth: metadata bytes = nodes x 4096")
    no_loss("growth", d)

# top
d, t = doc("top"), truth("top_truth")
if d:
    def by_site(site, field):
        return sum(s[field] for s in d["stacks"]
                   if any(f.startswith(f"kho_lab_churn_site_{site}+") for f in s["frames"]))
    cyc = t["cycles"]
    want = (t["site_a"] * (cyc + 1), t["site_a"] * (cyc + 1), t["site_b"] * (cyc + 1), t["site_b"] * (cyc + 1))
    got = (by_site("a", "preserves"), by_site("a", "unpreserves"),
           by_site("b", "preserves"), by_site("b", "unpreserves"))
    res(got == want, f"top: per caller stack, site a {want[0]}/{want[1]} and site b "
        f"{want[2]}/{want[3]} preserves/unpreserves", got)
    procs = [p for p in d["processes"] if p["preserves"] or p["unpreserves"]]
    res(len(procs) == 1 and (procs[0]["preserves"], procs[0]["unpreserves"]) ==
        (t["preserves"], t["unpreserves"]), "top: per process, one writer with every key event",
        procs)
    res(all(k["represerves"] == cyc for k in d["keys"]) and len(d["keys"]) == 10,
        "top: the 10 busiest keys are churn keys", d["keys"])
    no_loss("top", d)

# events
d, t = doc("events"), truth("events_truth")
if d:
    ev = [e for e in d["events"] if e["op"] in ("preserve", "unpreserve")]
    keys = t["all"]
    res(sum(e["op"] == "preserve" for e in ev) == t["preserves"] and
        sum(e["op"] == "unpreserve" for e in ev) == t["unpreserves"] and
        all(int(e["key"], 16) in keys for e in ev),
        f"events: the stream has every key event ({len(ev)}), all on the workload's keys")
    res(len(d["events"]) == d["counts"]["events_received"], "events: each event received is printed")
    vm = [e for e in ev if e["api"] in ("kho_preserve_vmalloc", "kho_unpreserve_vmalloc")]
    res(len(vm) == 8 and {int(e["key"], 16) for e in vm} == t["vmalloc"] and
        sum(e["op"] == "preserve" for e in vm) == 4,
        "events: the vmalloc area's 4 keys, preserved and unpreserved under the vmalloc API",
        [(e["op"], e["api"], e["source"]) for e in vm])
    no_loss("events", d)
txt = read("events_text")
res(txt.startswith("     TIME(s) COMM") and "kho_preserve_folio <- kho_lab_churn_site_a+" in txt,
    "events (text): a line per event naming the caller", txt[:300])

# the fallbacks: kprobes, keys from kho_radix_add_page/kho_radix_del_page
d, t = doc("kprobe"), truth("kprobe_truth")
if d:
    ap = {a["name"]: a for a in d["attach_points"]}
    res(ap["kho_radix_add_page"]["attach"] == "kprobe" and ap["kho_radix_del_page"]["attach"] == "kprobe"
        and ap["kho_preserve_folio"]["attach"] == "-" and ap["kho_radix_add"]["attach"] == "-",
        "kprobe: --kprobe --no-api --no-tracepoints attaches kprobes to kho_radix_add_page/del_page only")
    churn("kprobe", d, t)
    totals("kprobe", d, t)
    no_loss("kprobe", d)
EOF
pyrc=$?
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok 0 "${line#ok }" ;;
	"not ok "*) ok 1 "${line#not ok }" ;;
	*) echo "$line" ;;
	esac
done <"$D/checks"
expect_eq "$pyrc" 0 "the output checker ran to its end (exit 0)"

expect_eq "$(cat "$D/nopriv.rc")" 1 "without root, khotrace exits 1"
grep -q '^khotrace: cannot load the BPF programs: .* (khotrace needs root' "$D/nopriv.err"
ok $? "without root, the message says root is needed"
[ -s "$D/nopriv.err" ] && sed 's/^/#   /' "$D/nopriv.err" | head -3

if [ "$failed" -eq 0 ]; then
	note "verified in the guest: khotrace (static) reports the churn workload exactly:"
	note "  $(sed -n 's/^site a .* keys //p' "$D/churn_truth") folio keys + $(sed -n 's/^site b .* keys //p' "$D/churn_truth") page-block keys x $(sed -n 's/^cycles //p' "$D/churn_truth") re-preserves, both call sites on both sides,"
	note "  3 anomalies, $(sed -n 's/^nodes_total //p' "$D/growth_truth") nodes; fentry+tracepoints and kprobe fallback; 0 lost"
else
	note "trace scenario FAILED ($failed checks); console $LAB_DIR/trace.log, results $D/"
fi
[ "$failed" -eq 0 ]
