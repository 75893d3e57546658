#!/usr/bin/env bash
# Side-by-side SideNet training step: `longmem-eval bench train-step` (Swift) vs Scripts/bench/train_step.py
# (PyTorch, same step, same text, same settings), interleaved in one invocation (Swift, torch, Swift, torch, ...),
# then a Markdown table of medians over the rounds. Both print one JSON object; this script reads
# tokens_per_second, gflops, sgemm_peak_gflops, peak_rss_mib and the phase seconds (backbone_seconds,
# sidenet_seconds, optimizer_seconds) of each.
#
# Usage: Scripts/bench/train_step.sh [--threads T] [--steps S] [--warmup W] [--rounds R] [--text FILE]
#                                    [--model NAME|DIR] [--segment-length N] [--memory-size N] [--keep DIR]
# Defaults: T = nproc, S = 3, W = 1, R = 2, model smollm2-135m, segment 1024, memory 16384,
# text $LONGMEM_EVAL_DATA/train/books/pg105.txt (LONGMEM_EVAL_DATA defaulting to /work/shared/datasets).
# Environment: LONGMEM_EVAL_BIN (default .build/release/longmem-eval; not built here), PYTHON (default python3).
# --keep DIR keeps every run's JSON (swift-R.json, torch-R.json); progress and both tools' stderr go to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary="${LONGMEM_EVAL_BIN:-.build/release/longmem-eval}"
python="${PYTHON:-python3}"
threads="$(nproc)"
steps=3
warmup=1
rounds=2
model=smollm2-135m
segment=1024
memory=16384
text="${LONGMEM_EVAL_DATA:-/work/shared/datasets}/train/books/pg105.txt"
keep=""

while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads=$2 ;;
        --steps) steps=$2 ;;
        --warmup) warmup=$2 ;;
        --rounds) rounds=$2 ;;
        --text) text=$2 ;;
        --model) model=$2 ;;
        --segment-length) segment=$2 ;;
        --memory-size) memory=$2 ;;
        --keep) keep=$2 ;;
        -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift 2
done

[ -x "$binary" ] || { echo "$binary: not found (swift build -c release, or set LONGMEM_EVAL_BIN)" >&2; exit 1; }
[ -f "$text" ] || { echo "$text: no such text file (--text FILE or LONGMEM_EVAL_DATA)" >&2; exit 1; }

if [ -n "$keep" ]; then
    mkdir -p "$keep"
    out="$keep"
else
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi

settings=(--model "$model" --threads "$threads" --segment-length "$segment" --memory-size "$memory"
    --steps "$steps" --warmup "$warmup" --text "$text")
swift_command=("$binary" bench train-step "${settings[@]}")
torch_command=("$python" Scripts/bench/train_step.py "${settings[@]}")

# The last line of a run's stdout that is a JSON object.
last_json() { grep '^{' "$1" | tail -n 1; }

for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds: ${swift_command[*]}" >&2
    "${swift_command[@]}" >"$out/swift-$round.out"
    last_json "$out/swift-$round.out" >"$out/swift-$round.json"
    cat "$out/swift-$round.json" >&2
    echo "round $round/$rounds: ${torch_command[*]}" >&2
    "${torch_command[@]}" >"$out/torch-$round.out"
    last_json "$out/torch-$round.out" >"$out/torch-$round.json"
done

"$python" - "$out" "$rounds" "longmem-eval bench train-step ${settings[*]}" <<'EOF'
import json
import pathlib
import statistics
import sys

out, rounds, command = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
runs = {name: [json.loads((out / f"{name}-{r}.json").read_text()) for r in range(1, rounds + 1)]
        for name in ("swift", "torch")}


def median(name, key):
    values = [run[key] for run in runs[name] if run.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, spec=".1f"):
    return "—" if value is None else format(value, spec)


swift_rate, torch_rate = median("swift", "tokens_per_second"), median("torch", "tokens_per_second")
swift_gflops, swift_peak = median("swift", "gflops"), median("swift", "sgemm_peak_gflops")
torch_gflops, torch_peak = median("torch", "gflops"), median("torch", "sgemm_peak_gflops")
first = runs["torch"][0]
print(f"One SideNet training step ({first['segment_tokens']}-token segment, {first['memory_tokens']} memory tokens "
      f"resident of {first['memory_capacity_tokens']}), {first['threads']} threads, median of {rounds} interleaved "
      f"rounds (each round: the median of its own timed steps); torch {first['torch_version']}, "
      f"AdamW {first['optimizer']}.\n")
print("| command | longmem-eval tokens/s | PyTorch tokens/s | ratio | longmem-eval GFLOP/s (of sgemm peak) "
      "| longmem-eval peak RSS MiB | PyTorch peak RSS MiB |")
print("|---|---|---|---|---|---|---|")
fraction = swift_gflops / swift_peak if swift_gflops and swift_peak else None
ratio = swift_rate / torch_rate if swift_rate and torch_rate else None
swift_rss, torch_rss = median("swift", "peak_rss_mib"), median("torch", "peak_rss_mib")
print(f"| `{command}` | {fmt(swift_rate)} | {fmt(torch_rate)} | {fmt(ratio, '.2f')}x | "
      f"{fmt(swift_gflops)} ({fmt(fraction, '.0%')} of {fmt(swift_peak)}) | {fmt(swift_rss, '.0f')} "
      f"| {fmt(torch_rss, '.0f')} |")

print("\n| phase (median s) | longmem-eval | PyTorch | ratio (PyTorch / longmem-eval time) |")
print("|---|---|---|---|")
for label, key in [("backbone forward", "backbone_seconds"), ("SideNet forward + backward", "sidenet_seconds"),
                   ("AdamW", "optimizer_seconds"), ("whole step", "step_seconds")]:
    s, t = median("swift", key), median("torch", key)
    print(f"| {label} | {fmt(s, '.3f')} | {fmt(t, '.3f')} | {fmt(t / s if s and t else None, '.2f')}x |")

torch_fraction = torch_gflops / torch_peak if torch_gflops and torch_peak else None
load_rss, training_rss = median("torch", "load_peak_rss_mib"), median("torch", "training_peak_rss_mib")
print(f"\nPyTorch: {fmt(torch_gflops)} effective GFLOP/s ({fmt(torch_fraction, '.0%')} of torch.mm's "
      f"{fmt(torch_peak)} GFLOP/s at 2048^3). Peak RSS is the whole process's; PyTorch's load (transformers' GGUF "
      f"dequantisation) peaks at {fmt(load_rss, '.0f')} MiB, its training phase at {fmt(training_rss, '.0f')} MiB. "
      f"Both count FLOPs with TrainingFlops' formula ({fmt(first['flops_per_step'] / 1e9)} GFLOP per step).")
print("Per round, tokens/s: longmem-eval " + ", ".join(fmt(r["tokens_per_second"]) for r in runs["swift"])
      + "; PyTorch " + ", ".join(fmt(r["tokens_per_second"]) for r in runs["torch"]) + ".")
EOF
