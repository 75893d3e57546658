"""Prefill timing shared by the side-by-side benchmarks: PyTorch + transformers in this process, longmem-eval
through its `bench --json` command. Both time a prefill that computes the logits of every position."""
import json
import pathlib
import statistics
import subprocess
import time

import torch


def torch_prefill(model, tokens: int, threads: int, repetitions: int) -> float:
    """Median seconds of `repetitions` forwards over `tokens` seeded random ids, after one warm-up."""
    torch.set_num_threads(threads)
    vocabulary = model.config.vocab_size
    ids = torch.randint(0, vocabulary, (1, tokens), generator=torch.Generator().manual_seed(42))
    times = []
    with torch.inference_mode():
        assert model(ids).logits.shape == (1, tokens, vocabulary)
        for _ in range(repetitions):
            start = time.perf_counter()
            model(ids)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def swift_prefill(binary: str, directory: pathlib.Path, tokens: int, threads: int, repetitions: int) -> dict:
    """longmem-eval's own measurement (median of `repetitions` after a warm-up), as its JSON report."""
    command = [binary, "bench", "--model", str(directory), "--tokens", str(tokens), "--threads", str(threads),
               "--repetitions", str(repetitions), "--decode-tokens", "0", "--json"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
