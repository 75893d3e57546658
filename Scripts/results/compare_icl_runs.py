#!/usr/bin/env python3
"""Compares two ICL runs of the same queries (a memory run and its memory-off twin): how many predictions
agree and how far their label log-probs are apart.

Usage: Scripts/results/compare_icl_runs.py RUN_A RUN_B   (run folders with samples.jsonl)
"""
import json
import sys


def queries(run):
    """The run's query records by id (the per-task setup records left out)."""
    path = run.rstrip("/") + "/samples.jsonl"
    out = {}
    try:
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                try:
                    record = json.loads(line)
                except ValueError as error:
                    sys.exit(f"{path}:{number}: not a JSON line ({error})")
                if record.get("labels", {}).get("record") != "setup":
                    out[record["id"]] = record
    except OSError as error:
        sys.exit(f"{path}: {error.strerror}")
    if not out:
        sys.exit(f"{path}: no query records")
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    a, b = queries(sys.argv[1]), queries(sys.argv[2])
    if a.keys() != b.keys():
        sys.exit(f"{sys.argv[1]} and {sys.argv[2]} hold different queries")
    same = sum(a[k]["prediction"] == b[k]["prediction"] for k in a)
    diffs = [abs(a[k]["scores"][label] - b[k]["scores"][label]) for k in a for label in a[k]["scores"]]
    print(
        f"{len(a)} queries, same prediction {same}; {len(diffs)} label log-probs, "
        f"max |diff| {max(diffs):.4f}, mean {sum(diffs) / len(diffs):.4f}"
    )


if __name__ == "__main__":
    main()
