#!/usr/bin/env python3
"""Checks that a merged run equals an unsharded run of the same command: every metric (value, labels,
interval), the token and memory counters, and every sample record, each id exactly once in both.
Usage: compare_runs.py MERGED_RUN UNSHARDED_RUN. Prints one line; exits 1 on any difference."""
import json
import sys


def load(folder):
    with open(f"{folder}/results.json") as handle:
        results = json.load(handle)
    with open(f"{folder}/samples.jsonl") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return results, records


def main(merged_folder, whole_folder):
    (merged, merged_records), (whole, whole_records) = load(merged_folder), load(whole_folder)
    problems = []
    for name, records in (("merged", merged_records), ("unsharded", whole_records)):
        ids = [record["id"] for record in records]
        if len(ids) != len(set(ids)):
            problems.append(f"{name} run logs {len(ids) - len(set(ids))} samples twice")
    by_id = lambda records: {record["id"]: record for record in records}
    if by_id(merged_records) != by_id(whole_records):
        missing = set(by_id(whole_records)) - set(by_id(merged_records))
        extra = set(by_id(merged_records)) - set(by_id(whole_records))
        differing = [i for i in set(by_id(whole_records)) & set(by_id(merged_records))
                     if by_id(whole_records)[i] != by_id(merged_records)[i]]
        problems.append(f"samples differ: {len(missing)} missing, {len(extra)} extra, {len(differing)} changed")
    for field in ("metrics", "tokens_processed", "memory", "task", "method", "options", "seeds"):
        if merged.get(field) != whole.get(field):
            problems.append(f"{field} differs")
    if problems:
        print("compare: DIFFERENT: " + "; ".join(problems))
        return 1
    print(f"compare: equal: {len(merged['metrics'])} metrics and {len(merged_records)} samples "
          f"(each once), {merged.get('tokens_processed')} tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
