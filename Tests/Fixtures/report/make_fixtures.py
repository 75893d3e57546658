#!/usr/bin/env python3
"""Writes the report test fixtures: hand-chosen, realistic results of nine runs (ChapterBreak, perplexity and
ICL for local / memtrm / longmem), in the results.json schema of LongMemHarness/Results/EvaluationResults.swift.

The numbers are invented but consistent: accuracies are k/N with their 95% Wilson intervals, ICL means and
population stds are computed from the per-seed values, averages from the task means. Rerun after editing a
number; the snapshot tests then need LONGMEM_EVAL_UPDATE_SNAPSHOTS=1. Standard library only.
"""
import json, math, os, statistics
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
STAR = {"name": "gpt2-star-407m", "path": "models/gpt2-star-407m", "architecture": "newgpt",
        "weights_sha256": "5f0c2a9e41b7d3c8e6a1f4b2d9c07e3a8b5d1f6c2e9a4b7d0c3f8e1a6b2d5c9f"}
LONGMEM = {"name": "longmem-558m", "path": "models/longmem-558m", "architecture": "longmem",
           "weights_sha256": "c41e8b2f7a3d9e0c5b6a1f8d2e7c4b9a0d3f6e1c8b5a2d7f4e9c0b3a6d1f8e2c"}
SIDENET_INIT = {"name": "gpt2-star-407m+sidenet-init", "path": "models/gpt2-star-407m+sidenet-init",
                "architecture": "longmem",
                "weights_sha256": "9a7d3e1f5c2b8a4d6e0f1c9b3a5d7e2f8c4b6a0d1e3f5c7b9a2d4e6f8c0b1a3d"}
ENV = {"git_revision": "8c943d0f3b2a1e9d7c5b4a3f2e1d0c9b8a7f6e5d", "toolchain": "Swift 6.3.1 (swift-6.3.1-RELEASE)",
       "threads": 2, "blas_core": "SkylakeX", "host": "x86_64 Linux, 2 cores", "tool_version": "0.1.0"}
START = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)


def method_options(method, chunk_size=4):
    """The options every task command records for its method (TaskRunner)."""
    options = {"method": method, "window": 1024}
    if method != "local":
        options.update({"memory_size": 65536, "chunk_size": chunk_size, "top_k": 64, "retrieval_layer": 17,
                        "faithful_memory": False, "memory_precision": "f16"})
    return options


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 6), round(centre + half, 6)]


def accuracy(name, value, n, labels):
    k = round(value * n)
    p = k / n
    return {"name": name, "value": round(p, 6), "stderr": round(math.sqrt(p * (1 - p) / n), 6),
            "interval": wilson(k, n), "higher_is_better": True, "count": n, "labels": labels}


def plain(name, value, count, labels, higher=False):
    return {"name": name, "value": value, "higher_is_better": higher, "count": count, "labels": labels}


def results(task, protocol, method, model, options, metrics, data_files, offset_minutes, wall, tokens,
            memory=None, seeds=None, notes=()):
    started = START + timedelta(minutes=offset_minutes)
    return {"schema": "longmem-eval/results", "schema_version": 1, "task": task,
            "protocol": {"name": protocol, "version": 1}, "method": method, "model": model, "options": options,
            "seeds": seeds, "data_files": data_files, "environment": ENV, "started": iso(started),
            "finished": iso(started + timedelta(seconds=wall)), "wall_seconds": float(wall),
            "tokens_processed": tokens, "memory": memory, "metrics": metrics, "samples_file": "samples.jsonl",
            "notes": list(notes)}


def write(name, document, samples):
    folder = os.path.join(HERE, "runs", name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(document, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(folder, "samples.jsonl"), "w") as f:
        for sample in samples:
            f.write(json.dumps(sample, sort_keys=True) + "\n")


def sha(seed):
    return (seed * 64)[:64]


# ChapterBreak AO3: 964 examples at each prefix length, candidates scored by summed log-probs.
CB_FILES = [{"path": f"chapterbreak/chapterbreak_ctx_{n}.json", "sha256": sha(h), "bytes": b}
            for n, h, b in [(4096, "3a", 118_340_112), (6144, "7c", 171_902_441), (8192, "e5", 226_118_090)]]
# Accuracies by summed log-probability; ranking by mean log-probability per token is a few points lower.
CB = {"local": (STAR, [0.198, 0.201, 0.196], None, ()),
      "memtrm": (STAR, [0.215, 0.222, 0.224], {"tokens_written": 12_634_112, "tokens_resident": 12_634_112,
                                              "tokens_evicted": 0},
                 ("training-free: memory attention in layer 17 with a fixed gate sigmoid(0) = 0.5",)),
      "longmem": (LONGMEM, [0.352, 0.371, 0.384], {"tokens_written": 12_634_112, "tokens_resident": 12_634_112,
                                                  "tokens_evicted": 0},
                  ("official LongMem-558M checkpoint, converted to safetensors",))}
for index, (method, (model, accs, memory, notes)) in enumerate(CB.items()):
    metrics = []
    for a, n in zip(accs, [4096, 6144, 8192]):
        metrics.append(accuracy("acc", a, 964, {"split": "ao3", "prefix_length": str(n), "score": "sum"}))
        metrics.append(accuracy("acc", a - 0.031, 964, {"split": "ao3", "prefix_length": str(n), "score": "mean"}))
    options = {**method_options(method), "split": "ao3", "prefix_lengths": [4096, 6144, 8192],
               "suffix_max_tokens": 128}
    samples = [{"id": f"chapterbreak/ao3/{n}/work-1043/0",
                "labels": {"split": "ao3", "prefix_length": str(n), "work": "1043"},
                "input_sha256": sha("4b"), "candidates": ["(gold)", "neg-1", "neg-2", "neg-3", "neg-4", "neg-5"],
                "scores": {"sum": [-212.4, -230.1, -219.8, -241.0, -225.5, -233.9],
                           "mean": [-1.66, -1.80, -1.72, -1.88, -1.76, -1.83]}, "prediction": "0",
                "correct": {"sum": True, "mean": True},
                "details": {"prefix_tokens": n, "context_tokens": 1024, "candidate_tokens": [128] * 6}}
               for n in [4096, 8192]]
    write(f"chapterbreak-{method}", results("chapterbreak", "chapterbreak_suffix_id", method, model, options,
                                            metrics, CB_FILES, index * 300, [2_710, 3_406, 4_388][index],
                                            [19_108_224, 19_108_224, 19_108_224][index], memory,
                                            notes=notes), samples)

# Perplexity: PG-22 length buckets and ArXiv; a memory-size sweep for the methods with memory.
BUCKETS = [("5K-10K", 91_204), ("10K-100K", 1_304_551), ("100K-500K", 2_871_093), ("all", 4_266_848)]
DOCUMENTS = [("longtext/pg22_like/pg70012.txt", "10K-100K", 48_070, 1.0113), ("longtext/pg22_like/pg70245.txt",
                                                                               "100K-500K", 212_804, 0.9871)]
ARXIV_TOKENS = 603_117
PPL = {"local": (STAR, [24.31, 26.02, 23.48, 24.56], 11.92, None, (), None),
       "memtrm": (STAR, [24.02, 25.60, 23.01, 24.12], 11.61, [24.44, 24.32, 24.23, 24.16, 24.12],
                  ("training-free: memory attention in layer 17 with a fixed gate sigmoid(0) = 0.5",),
                  {"tokens_written": 4_264_000, "tokens_resident": 1_212_416, "tokens_evicted": 3_051_584}),
       "longmem": (SIDENET_INIT, [25.87, 27.64, 25.02, 26.13], 12.84, [26.61, 26.42, 26.30, 26.19, 26.13],
                   ("untrained SideNet (random initialisation): checks the plumbing, not the paper's model",),
                   {"tokens_written": 4_264_000, "tokens_resident": 1_212_416, "tokens_evicted": 3_051_584})}
BYTES_PER_TOKEN = 4.21
PPL_FILES = [{"path": "longtext/pg22/manifest.tsv", "sha256": sha("91"), "bytes": 18_231},
             {"path": "longtext/arxiv/manifest.tsv", "sha256": sha("0d"), "bytes": 4_107}]
SWEEP = [4096, 8192, 16384, 32768, 65536]


def perplexity_metrics(buckets, arxiv, extra):
    """Per document, per PG-22 bucket and over each dataset ("all"), as PerplexityMetrics writes them."""
    metrics = []
    for path, bucket, tokens, factor in DOCUMENTS:
        ppl = round(buckets[1] * factor, 2)
        labels = {"dataset": "pg22", "bucket": bucket, "document": path, **extra}
        metrics.append(plain("token_perplexity", ppl, tokens, labels))
        metrics.append(plain("bits_per_byte", round(math.log2(ppl) / BYTES_PER_TOKEN, 4), tokens, labels))
    for (bucket, tokens), ppl in zip(BUCKETS, buckets):
        labels = {"dataset": "pg22", "bucket": bucket, **extra}
        metrics.append(plain("token_perplexity", ppl, tokens, labels))
        metrics.append(plain("bits_per_byte", round(math.log2(ppl) / BYTES_PER_TOKEN, 4), tokens, labels))
    # ArXiv papers are 10K-100K tokens long: one bucket, equal to the whole dataset.
    for bucket in ["10K-100K", "all"]:
        labels = {"dataset": "arxiv", "bucket": bucket, **extra}
        metrics.append(plain("token_perplexity", arxiv, ARXIV_TOKENS, labels))
        metrics.append(plain("bits_per_byte", round(math.log2(arxiv) / 3.62, 4), ARXIV_TOKENS, labels))
    return metrics


for index, (method, (model, buckets, arxiv, sweep, notes, memory)) in enumerate(PPL.items()):
    if sweep:
        # A sweep labels every metric with its memory size; 65,536 tokens is the paper's setting.
        metrics = []
        for size, whole in zip(SWEEP, sweep):
            shift = whole - buckets[3]
            metrics += perplexity_metrics([round(b + shift, 2) for b in buckets], round(arxiv + shift / 2, 2),
                                          {"memory_size": str(size)})
    else:
        metrics = perplexity_metrics(buckets, arxiv, {})
    options = {**method_options(method), "datasets": ["pg22", "arxiv"], "files": [], "score_first_token": False,
               "limit": None, "memory_sweep": SWEEP if sweep else [],
               "bucket_edges": ["<5K", "5K-10K", "10K-100K", "100K-500K", "500K-1M", ">1M"]}
    notes = ("first token of each segment not scored",) + notes
    samples = [{"id": "perplexity/longtext/pg22_like/pg70012.txt",
                "labels": {"dataset": "pg22", "bucket": "10K-100K", "document": "longtext/pg22_like/pg70012.txt"},
                "input_sha256": sha("5e"), "scores": {"nll": 151_203.5, "token_perplexity": 23.21,
                                                      "bits_per_byte": 1.0795},
                "details": {"tokens": 48_117, "scored_tokens": 48_070, "bytes": 202_004, "segments": 47}}]
    write(f"perplexity-{method}", results("perplexity", "longtext_perplexity", method, model, options, metrics,
                                          PPL_FILES, 1000 + index * 400, [5_412, 7_950, 9_132][index],
                                          4_869_965 if not sweep else 4_869_965 * 6, memory, notes=notes), samples)

# ICL: SST-2 (872 dev) and MR (2,000 test), 4 and 20 shots, seeds 1..6, both scoring modes.
SEEDS = [1, 2, 3, 4, 5, 6]
SIZES = {"icl_sst2": 872, "icl_mr": 2000}
ICL = {
    "local": (STAR, {("icl_sst2", 4): [0.621, 0.704, 0.583, 0.668, 0.731, 0.645],
                     ("icl_mr", 4): [0.602, 0.655, 0.571, 0.628, 0.690, 0.611],
                     ("icl_sst2", 20): [0.748, 0.771, 0.719, 0.760, 0.782, 0.739],
                     ("icl_mr", 20): [0.701, 0.724, 0.688, 0.713, 0.735, 0.697]}, None, ()),
    "memtrm": (STAR, {("icl_sst2", 4): [0.630, 0.709, 0.592, 0.671, 0.738, 0.652],
                      ("icl_mr", 4): [0.607, 0.661, 0.580, 0.630, 0.694, 0.620],
                      ("icl_sst2", 20): [0.752, 0.776, 0.725, 0.764, 0.785, 0.742],
                      ("icl_mr", 20): [0.705, 0.729, 0.690, 0.716, 0.741, 0.700]},
               {"tokens_written": 3_612_000, "tokens_resident": 393_216, "tokens_evicted": 3_218_784},
               ("training-free: memory attention in layer 17 with a fixed gate sigmoid(0) = 0.5",)),
    "longmem": (LONGMEM, {("icl_sst2", 4): [0.781, 0.812, 0.760, 0.795, 0.824, 0.771],
                          ("icl_mr", 4): [0.733, 0.768, 0.715, 0.751, 0.779, 0.728],
                          ("icl_sst2", 20): [0.842, 0.861, 0.829, 0.851, 0.868, 0.836],
                          ("icl_mr", 20): [0.781, 0.799, 0.768, 0.790, 0.806, 0.774]},
                {"tokens_written": 3_612_000, "tokens_resident": 393_216, "tokens_evicted": 3_218_784},
                ("official LongMem-558M checkpoint, converted to safetensors",
                 "MR's 2,000 in-memory demonstrations (about 71.5k tokens) overflow the 65,536-token bank: the "
                 "earliest are evicted"))}
ICL_FILES = [{"path": "icl/SST-2/dev.tsv", "sha256": sha("a1"), "bytes": 105_751},
             {"path": "icl/SST-2/train.tsv", "sha256": sha("b2"), "bytes": 816_868},
             {"path": "icl/mr/test.csv", "sha256": sha("c3"), "bytes": 245_617},
             {"path": "icl/mr/train.csv", "sha256": sha("d4"), "bytes": 1_059_340}]
for index, (method, (model, table, memory, notes)) in enumerate(ICL.items()):
    metrics = []
    for metric, bonus in [("greedy_prefix", 0.0), ("label_rank", 0.046)]:
        for shots in [4, 20]:
            means = []
            for task in ["icl_sst2", "icl_mr"]:
                n = SIZES[task]
                per_seed = [round(min(v + bonus, 0.99) * n) / n for v in table[(task, shots)]]
                for seed, value in zip(SEEDS, per_seed):
                    metrics.append(accuracy(metric, value, n,
                                            {"task": task, "shots": str(shots), "seed": str(seed)}))
                mean = statistics.fmean(per_seed)
                means.append(mean)
                base = {"task": task, "shots": str(shots)}
                metrics.append(plain(metric, round(mean, 6), 6, {**base, "aggregate": "mean_over_seeds"}, True))
                metrics.append(plain(metric, round(statistics.pstdev(per_seed), 6), 6,
                                     {**base, "aggregate": "std_over_seeds"}, False))
            metrics.append(plain(metric, round(statistics.fmean(means), 6), 2,
                                 {"shots": str(shots), "aggregate": "average_over_tasks", "tasks": "icl_mr,icl_sst2"},
                                 True))
    # Two shot counts in one run, as `merge` would combine two `icl` runs.
    options = {**method_options(method, chunk_size=2), "tasks": ["icl_sst2", "icl_mr"], "shots": [4, 20],
               "memory_demos": 2000 if memory else 0, "keep_partial": False, "limit": None,
               "separator": "<s> ... </s>"}
    samples = [{"id": "icl_sst2/4/1/0", "labels": {"task": "icl_sst2", "shots": "4", "seed": "1"},
                "input_sha256": sha("e7"), "prompt": "Review: it 's a charming and often affecting journey . "
                "Sentiment:", "candidates": ["negative", "positive"],
                "scores": {"label_rank": [-3.91, -1.27]}, "prediction": "positive",
                "correct": {"greedy_prefix": True, "label_rank": True}, "details": {"demo_indices": [4121, 77, 2930,
                                                                                                  6004]}}]
    write(f"icl-{method}", results("icl", "longmem_icl", method, model, options, metrics, ICL_FILES,
                                   3000 + index * 500, [1_904, 2_377, 3_841][index],
                                   [2_930_112, 2_930_112, 6_542_112][index], memory, seeds=SEEDS, notes=notes),
          samples)
print("wrote", len(CB) + len(PPL) + len(ICL), "runs under", os.path.join(HERE, "runs"))
