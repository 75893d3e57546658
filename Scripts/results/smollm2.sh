#!/usr/bin/env bash
# Reproduces the README's results on SmolLM2-135M-Instruct (`longmem-eval models fetch smollm2-135m` first):
# ICL on the five tasks, long-text perplexity on the PG-22-like books and arXiv sources, ChapterBreak on the
# rebuilt PG set, for local, MemTRM-style and InfLLM memory (and InfLLM with its memory off), then one
# report. Every run is resumable: rerunning the script skips what is finished. Several hours on 2 cores;
# `timings.tsv` records each command's wall time (the README's tables say which runs were measured and how
# long they took). The report includes the SideNet trained by train_smollm2.sh when its folder exists.
#
# Usage: Scripts/results/smollm2.sh [OUT]   (default OUT: Reports/smollm2)
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="${LONGMEM_EVAL_BIN:-.build/release/longmem-eval}"
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out="${1:-Reports/smollm2}"
train="${TRAIN_OUT:-$(cd .. && pwd)/runs/smollm2-sidenet}"
threads="${THREADS:-2}"
mkdir -p "$out/runs"
common=(--model smollm2-135m --window 2048 --threads "$threads" --data-dir "$data" --quiet)
tasks=sst2,mr,subj,sst5,mpqa
book_set="$out/chapterbreak-pg.json"

. Scripts/results/run_step.sh

[ -f "$book_set" ] || "$tool" datasets build-chapterbreak --data-dir "$data" --seed 1 --out "$book_set" >/dev/null

for method in local memtrm infllm; do
    for shots in 4 20; do
        run "icl-$shots-$method" icl --method "$method" --tasks "$tasks" --shots "$shots" --seeds 1,2 --subsample 100
    done
    if [ "$method" = infllm ]; then
        # One run per memory size: the 16k run is the one Scripts/bench/eval_cost.sh times.
        for size in 16384 65536; do
            run "ppl-$method-$((size / 1024))k" ppl --method "$method" --dataset pg22,arxiv --memory-size "$size"
        done
    else
        sweep=()
        [ "$method" = local ] || sweep=(--memory-sweep 16384,65536)
        run "ppl-$method" ppl --method "$method" --dataset pg22,arxiv "${sweep[@]}"
    fi
    run "chapterbreak-$method" chapterbreak --method "$method" --file "$book_set" --split pg19 \
        --prefix-length 4096,6144,8192
done
# InfLLM with its memory off (sliding window and initial tokens), to split InfLLM's perplexity gain.
run ppl-infllm-no-memory ppl --method infllm-no-memory --dataset pg22,arxiv

trained=()
[ -f "$train/train.jsonl" ] && trained=("$train")
"$tool" report "$out"/runs/* "${trained[@]}" --format md,html --out "$out/report" \
    --title "longmem-eval results: SmolLM2-135M-Instruct, 2,048-token window"
