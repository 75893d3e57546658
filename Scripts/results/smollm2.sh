#!/usr/bin/env bash
# Reproduces the README's results on SmolLM2-135M-Instruct (`longmem-eval models fetch smollm2-135m` first):
# ICL on the five tasks, long-text perplexity on the PG-22-like books and arXiv sources, ChapterBreak on the
# rebuilt PG set, for each method, then one report. Every run is resumable: rerunning the script skips
# what is finished. About 6 hours on 2 cores; `timings.tsv` records each command's wall time.
#
# Usage: Scripts/results/smollm2.sh [OUT]   (default OUT: Reports/smollm2)
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="${LONGMEM_EVAL_BIN:-.build/release/longmem-eval}"
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out="${1:-Reports/smollm2}"
threads="${THREADS:-2}"
mkdir -p "$out/runs"
common=(--model smollm2-135m --window 2048 --threads "$threads" --data-dir "$data" --quiet)
tasks=sst2,mr,subj,sst5,mpqa
book_set="$out/chapterbreak-pg.json"

# name, then the command's arguments; appends "name<TAB>seconds<TAB>command" to timings.tsv.
run() {
    local name=$1
    shift
    [ -f "$out/runs/$name/results.json" ] && { echo "done: $name" >&2; return; }
    echo "run: $name" >&2
    local start=$SECONDS
    "$tool" "$@" "${common[@]}" --output "$out/runs/$name" >/dev/null
    printf '%s\t%d\t%s\n' "$name" $((SECONDS - start)) "longmem-eval $* ${common[*]}" >>"$out/timings.tsv"
}

[ -f "$book_set" ] || "$tool" datasets build-chapterbreak --data-dir "$data" --seed 1 --out "$book_set" >/dev/null

for method in local memtrm infllm longmem; do
    for shots in 4 20; do
        run "icl-$shots-$method" icl --method "$method" --tasks "$tasks" --shots "$shots" --seeds 1,2 --subsample 100
    done
    sweep=()
    [ "$method" = local ] || sweep=(--memory-sweep 16384,65536)
    run "ppl-$method" ppl --method "$method" --dataset pg22,arxiv "${sweep[@]}"
    run "chapterbreak-$method" chapterbreak --method "$method" --file "$book_set" --split pg19 \
        --prefix-length 4096,6144,8192
done

"$tool" report "$out"/runs/* --format md,html --out "$out/report"
