#!/usr/bin/env bash
# The README's first command runs this after `make build`: a short end-to-end job on what is available
# offline. It scores a Project Gutenberg book with the committed tiny GPT-2 and benchmarks it.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${LONGMEM_EVAL_DATA:-$(cd .. && pwd)/shared/datasets}"
tool=.build/release/longmem-eval
out=Reports/quickstart
mkdir -p "$out"
"$tool" logprobs --model Tests/Fixtures/gpt2-tiny --tokenizer "$data/gpt2_bpe" \
    --file "$data/longtext/pg22_like/pg65246.txt" --output "$out/pg65246.logprobs.jsonl"
"$tool" bench --model Tests/Fixtures/gpt2-tiny --tokens 64
echo "per-token log-probs: $out/pg65246.logprobs.jsonl"
