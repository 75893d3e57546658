#!/usr/bin/env bash
# Trains LongMem's SideNet for SmolLM2-135M-Instruct on the `train` dataset (`longmem-eval train`), then runs
# the README's SmolLM2 evaluations with it (`longmem`) and with its memory switched off
# (`longmem-no-memory`), into the same run folders as Scripts/results/smollm2.sh, and the report with the
# loss curves. Every step resumes: rerunning the script after a crash, kill or the end of a session
# continues the training from its last checkpoint and skips finished evaluations.
#
# Usage: Scripts/results/train_smollm2.sh [OUT]   (default OUT: Reports/smollm2)
# The training folder (checkpoints, about 1 GB) is $TRAIN_OUT, default ../runs/smollm2-sidenet.
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="${LONGMEM_EVAL_BIN:-.build/release/longmem-eval}"
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out="${1:-Reports/smollm2}"
train="${TRAIN_OUT:-$(cd .. && pwd)/runs/smollm2-sidenet}"
threads="${THREADS:-2}"

# 250 updates of 4 segments of 2,048 tokens (2,048,000 tokens): 8,192 tokens per update as the official
# recipe (8 x 1,024); the segment is the tables' local window, as the official recipe trains at its
# backbone's window (1,024). Zero-branch initialisation with 12 warm-up updates (about 100k tokens),
# clipping at 1 and a peak learning rate of 2e-5, a tenth of the official one (see the README's training
# section for why).
start=$SECONDS
"$tool" train --model smollm2-135m --data-dir "$data" --threads "$threads" --output "$train" \
    --steps 250 --accumulation 4 --segment-length 2048 --initialisation zero-branch --warmup 12 --clip-norm 1 \
    --learning-rate 2e-5 \
    --checkpoint-every 10 --validation-segments 8
mkdir -p "$out/runs"
# The training's own wall time over every invocation that resumed it (train.jsonl's last wallSeconds), one
# line however often the script is rerun.
wall=$(grep -o '"wallSeconds":[0-9.]*' "$train/train.jsonl" | tail -1 | cut -d: -f2)
touch "$out/timings.tsv"
grep -v '^train-sidenet' "$out/timings.tsv" >"$out/timings.tsv.new" || true
printf '%s\t%.0f\t%s\n' train-sidenet "${wall:-$((SECONDS - start))}" "longmem-eval train ... --output $train" \
    >>"$out/timings.tsv.new"
mv "$out/timings.tsv.new" "$out/timings.tsv"

common=(--model "$train/model" --window 2048 --threads "$threads" --data-dir "$data" --quiet)
tasks=sst2,mr,subj,sst5,mpqa
book_set="$out/chapterbreak-pg.json"
. Scripts/results/run_step.sh
[ -f "$book_set" ] || "$tool" datasets build-chapterbreak --data-dir "$data" --seed 1 --out "$book_set" >/dev/null
# Each kind of evaluation runs for both methods before the next kind, so that every step that finishes
# gives a memory-on / memory-off pair; the cheapest pairs first.
for shots in 4 20; do
    for method in longmem longmem-no-memory; do
        run "icl-$shots-$method" icl --method "$method" --tasks "$tasks" --shots "$shots" --seeds 1,2 --subsample 100
    done
done
run ppl-longmem ppl --method longmem --dataset pg22,arxiv --memory-sweep 16384,65536
run ppl-longmem-no-memory ppl --method longmem-no-memory --dataset pg22,arxiv
for method in longmem longmem-no-memory; do
    run "chapterbreak-$method" chapterbreak --method "$method" --file "$book_set" --split pg19 \
        --prefix-length 4096,6144,8192
done
"$tool" report "$out"/runs/* "$train" --format md,html --out "$out/report" \
    --title "longmem-eval results: SmolLM2-135M-Instruct, 2,048-token window"
