#!/usr/bin/env python3
"""Compares two ICL runs of the same queries (a memory run and its memory-off twin): how many predictions
agree and how far their label log-probs are apart.

Usage: Scripts/results/compare_icl_runs.py RUN_A RUN_B   (run folders with samples.jsonl)
"""
import json, sys
def load(run):
    out = {}
    for line in open(run + "/samples.jsonl"):
        d = json.loads(line)
        if d["labels"].get("record") != "setup":
            out[d["id"]] = d
    return out
if len(sys.argv) != 3:
    sys.exit("usage: Scripts/results/compare_icl_runs.py RUN_A RUN_B")
a, b = load(sys.argv[1]), load(sys.argv[2])
if a.keys() != b.keys():
    sys.exit(f"{sys.argv[1]} and {sys.argv[2]} hold different queries")
same = sum(a[k]["prediction"] == b[k]["prediction"] for k in a)
diffs = [abs(a[k]["scores"][c] - b[k]["scores"][c]) for k in a for c in a[k]["scores"]]
print(f"{len(a)} queries, same prediction {same}; {len(diffs)} label log-probs, max |diff| {max(diffs):.4f}, mean {sum(diffs)/len(diffs):.4f}")
