#!/usr/bin/env bash
# The evaluation-cost table of Benchmarks/README.md: `ppl --dataset pg22,arxiv` on SmolLM2-135M with a
# 2,048-token window for `local`, `memtrm` and `infllm` (16,384 tokens of memory), one after the other on
# the same machine, with each run's wall time and its ratio to `local`. Run it on a quiet machine.
#
# Usage: Scripts/bench/eval_cost.sh [OUT]   (default OUT: ../runs/eval-cost; run folders resume)
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="${LONGMEM_EVAL_BIN:-.build/release/longmem-eval}"
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out="${1:-$(cd .. && pwd)/runs/eval-cost}"
mkdir -p "$out"
common=(--dataset pg22,arxiv --model smollm2-135m --window 2048 --threads 2 --data-dir "$data" --quiet)
for method in local memtrm infllm; do
    [ -f "$out/$method/results.json" ] && continue
    begin=$(date +%s.%N)
    "$tool" ppl --method "$method" --memory-size 16384 "${common[@]}" --output "$out/$method" >/dev/null
    printf '%s\t%.1f\n' "$method" "$(echo "$(date +%s.%N) - $begin" | bc)" >>"$out/seconds.tsv"
done
local_seconds=$(awk '$1 == "local" { print $2 }' "$out/seconds.tsv")
echo "| method | wall time (s) | x local | tokens/s |"
echo "|---|---|---|---|"
while IFS=$'\t' read -r method seconds; do
    tokens=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['tokens_processed'])" "$out/$method/results.json" 2>/dev/null || echo "?")
    echo "| \`$method\` | $seconds | $(echo "scale=2; $seconds / $local_seconds" | bc) | $( [ "$tokens" = "?" ] && echo "?" || echo "scale=0; $tokens / $seconds" | bc) |"
done <"$out/seconds.tsv"
