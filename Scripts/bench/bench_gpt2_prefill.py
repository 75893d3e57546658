"""Side-by-side prefill benchmark: longmem-eval (Swift) vs PyTorch + transformers on the same random
GPT-2-small-shaped model (12 layers, width 768, 12 heads, vocabulary 50,257, 1,024 positions), at 1 and 2
threads, in one run. Both compute the logits of every position (what per-token scoring needs).

Usage: python3 Scripts/bench/bench_gpt2_prefill.py [--binary .build/release/longmem-eval] [--tokens 1024]
Prints a Markdown table; timings are the median of --repetitions runs after one warm-up.
"""
import argparse
import pathlib
import tempfile

import torch
from prefill_timing import swift_prefill, torch_prefill
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]


def build_model(directory: pathlib.Path) -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(directory, safe_serialization=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "longmem-eval"))
    parser.add_argument("--tokens", type=int, default=1024)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = pathlib.Path(scratch)
        model = build_model(directory)
        rows = []
        for threads in [int(t) for t in args.threads.split(",")]:
            swift = swift_prefill(args.binary, directory, args.tokens, threads, args.repetitions)
            torch_seconds = torch_prefill(model, args.tokens, threads, args.repetitions)
            rows.append((threads, swift, torch_seconds))
    print(f"GPT-2-small-shaped random model, prefill of {args.tokens} tokens, logits for every position; "
          f"median of {args.repetitions} after a warm-up; torch {torch.__version__}\n")
    print("| threads | longmem-eval tokens/s | PyTorch tokens/s | ratio | longmem-eval s | PyTorch s | BLAS core |")
    print("|---|---|---|---|---|---|---|")
    for threads, swift, torch_seconds in rows:
        torch_rate = args.tokens / torch_seconds
        print(f"| {threads} | {swift['prefill_tokens_per_second']:.0f} | {torch_rate:.0f} | "
              f"{swift['prefill_tokens_per_second'] / torch_rate:.2f}x | {swift['prefill_seconds']:.3f} | "
              f"{torch_seconds:.3f} | {swift['blas_core']} |")


if __name__ == "__main__":
    main()
