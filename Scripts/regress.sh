#!/usr/bin/env bash
# The regression suite: small but real runs on the committed tiny LongMem model against the shared data,
# each checked with `longmem-eval regress` against Reports/baselines/<name>.json (JUnit XML beside the
# runs in Reports/artifacts/regress/). `Scripts/regress.sh --update` (make regress-update) rewrites the
# baselines from fresh runs, printing every change; nothing else ever writes them.
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${LONGMEM_EVAL_BIN:-.build/debug/longmem-eval}"
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
out=Reports/artifacts/regress
update=()
[ "${1:-}" = "--update" ] && update=(--update)
rm -rf "$out" && mkdir -p "$out"

model=(--model Tests/Fixtures/longmem-text-tiny --tokenizer "$data/gpt2_bpe" --data-dir "$data" --quiet)
"$tool" datasets build-chapterbreak --data-dir "$data" --seed 1 --out "$out/chapterbreak-pg.json" >/dev/null

# name, then the command's arguments
suite=(
    "icl-longmem|icl --method longmem --tasks sst2,mr --shots 4 --seeds 1,2 --limit 40 --memory-demos 500"
    "icl-local|icl --method local --tasks sst2,mr --shots 4 --seeds 1,2 --limit 40"
    "chapterbreak-longmem|chapterbreak --method longmem --file $out/chapterbreak-pg.json --split pg19 --prefix-length 4096,8192 --limit 12"
    "chapterbreak-local|chapterbreak --method local --file $out/chapterbreak-pg.json --split pg19 --prefix-length 4096,8192 --limit 12"
    "ppl-longmem|ppl --method longmem --memory-size 8192 --files $data/longtext/pg22_like/pg65246.txt $data/longtext/pg22_like/pg65241.txt"
    "ppl-local|ppl --method local --files $data/longtext/pg22_like/pg65246.txt $data/longtext/pg22_like/pg65241.txt"
)
status=0
for entry in "${suite[@]}"; do
    name="${entry%%|*}"
    read -r -a arguments <<<"${entry#*|}"
    echo "regress: $name" >&2
    "$tool" "${arguments[@]}" "${model[@]}" --output "$out/$name" --fresh >/dev/null
    "$tool" regress --baseline "Reports/baselines/$name.json" --results "$out/$name" --junit "$out/$name.junit.xml" \
        "${update[@]}" || status=1
done
exit $status
