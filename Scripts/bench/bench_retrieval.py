"""Side-by-side chunk retrieval benchmark: longmem-eval (Swift) vs faiss-cpu, on the same LongMem-shaped
vectors, in one run.

Exact: 16 key heads x 16,384 chunk-mean keys of dim 64 (LongMem's 65,536-token memory at csz 4), 1,024
queries, the top 16 chunks per query and head. faiss: one IndexFlatIP per head (as LongMem), searched head by
head with faiss.omp_set_num_threads(n); timed both on faiss's default path and with
distance_compute_blas_threshold = 20 (its sgemm path), and the faster one is the reference. Swift:
`longmem-eval bench retrieval --index exact` at the same thread counts. The returned chunk ids are compared;
every disagreement is checked to be a tie (the two chunks' float64 scores within float32 rounding).

IVF (--ivf-chunks, default 262,144 chunks per head = a million tokens at csz 4): faiss IndexIVFFlat
(METRIC_INNER_PRODUCT, IndexFlatIP quantizer, spherical k-means, 10 iterations) vs Swift `--index ivf`, same
--lists and --probes, both trained on the first 39 x lists chunks (where the Swift index, fed as a stream,
trains). Reports train time apart from search time, and recall@16 of both against exact search (faiss
IndexFlatIP).

BLAS: on AVX-512 CPUs both tools run OpenBLAS's SkylakeX kernels (longmem-eval selects them itself; faiss-cpu's
bundled OpenBLAS 0.3.15 would pick SSE3 "Prescott" kernels on recent AMD EPYC, so OPENBLAS_CORETYPE is set for it
by the same rule, LONGMEM_EVAL_OPENBLAS_AUTO=0 keeps both as they are).

Data: per head, keys are a shared offset plus one of 256 cluster directions (cluster sizes uneven) times a
random length plus noise; queries are drawn from the same clusters (another offset, more noise). Seeded.

Usage: python3 Scripts/bench/bench_retrieval.py [--binary .build/release/longmem-eval] [--threads 1,2]
       [--repetitions 3] [--rounds 3] [--ivf-chunks 262144 | --ivf-chunks 0 to skip] [--lists 1024]
       [--probes 8,32]
Prints Markdown tables; timings are the median of --repetitions runs after one warm-up (exact table: the best of
--rounds rounds that alternate the two tools, as the machine is shared and noisy).
"""
import argparse
import ctypes
import glob
import json
import os
import pathlib
import statistics
import subprocess
import tempfile
import time


def has_avx512():
    try:
        flags = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return all(f" {flag}" in flags for flag in ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"))


# faiss-cpu's wheel bundles OpenBLAS 0.3.15, which does not recognise recent AMD EPYC CPUs and falls back to
# its SSE3 (Prescott) kernels, or runs what OPENBLAS_CORETYPE says (some machines pin Haswell). longmem-eval
# switches to OpenBLAS's SkylakeX kernels on AVX-512 CPUs unless LONGMEM_EVAL_OPENBLAS_AUTO=0 (README,
# "Performance"); the same rule here gives faiss the same kernels. It must run before faiss loads OpenBLAS.
AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids"}
if (has_avx512() and os.environ.get("LONGMEM_EVAL_OPENBLAS_AUTO") != "0"
        and os.environ.get("OPENBLAS_CORETYPE", "").lower() not in AVX512_CORES):
    os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"

import faiss  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def faiss_blas_core():
    """The kernel family of the OpenBLAS bundled with faiss-cpu (best effort)."""
    try:
        library = glob.glob(os.path.join(os.path.dirname(faiss.__file__), "..", "faiss_cpu.libs", "libopenblas*"))[0]
        handle = ctypes.CDLL(library)
        handle.openblas_get_corename.restype = ctypes.c_char_p
        return handle.openblas_get_corename().decode()
    except (IndexError, OSError, AttributeError):
        return "unknown"


def make_vectors(heads, chunks, dim, queries, seed, clusters=256, key_noise=1.0, query_noise=1.5):
    """LongMem-shaped chunk-mean keys (heads, chunks, dim) and queries (queries, heads * dim), float32.

    Clustered but fuzzy: the noise is as long as the cluster directions (keys) or 1.5 times (queries), so
    that approximate search has work to do (faiss IVF1024 at 262,144 keys: recall@16 0.95 at 8 probes).
    """
    rng = np.random.default_rng(seed)
    keys = np.empty((heads, chunks, dim), dtype=np.float32)
    query_rows = np.empty((queries, heads * dim), dtype=np.float32)
    for head in range(heads):
        centers = rng.standard_normal((clusters, dim), dtype=np.float32)
        offset = 0.5 * rng.standard_normal(dim, dtype=np.float32)
        weights = rng.gamma(0.7, size=clusters)
        weights /= weights.sum()
        for start in range(0, chunks, 65536):
            n = min(65536, chunks - start)
            which = rng.choice(clusters, size=n, p=weights)
            length = rng.uniform(0.6, 1.4, size=(n, 1)).astype(np.float32)
            keys[head, start:start + n] = offset + length * centers[which] + key_noise * rng.standard_normal((n, dim), dtype=np.float32)
        which = rng.choice(clusters, size=queries, p=weights)
        query_offset = 0.3 * rng.standard_normal(dim, dtype=np.float32)
        query_rows[:, head * dim:(head + 1) * dim] = query_offset + centers[which] + query_noise * rng.standard_normal((queries, dim), dtype=np.float32)
    return keys, query_rows


def write_safetensors(path, tensors):
    header, offset = {}, 0
    for name, array in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as file:
        file.write(len(encoded).to_bytes(8, "little"))
        file.write(encoded)
        for array in tensors.values():
            file.write(memoryview(np.ascontiguousarray(array, dtype=np.float32)).cast("B"))


def read_safetensors(path, name):
    with open(path, "rb") as file:
        length = int.from_bytes(file.read(8), "little")
        header = json.loads(file.read(length))
        entry = header[name]
        begin, end = entry["data_offsets"]
        file.seek(8 + length + begin)
        return np.frombuffer(file.read(end - begin), dtype=np.float32).reshape(entry["shape"])


def run_swift(binary, vectors, threads, repetitions, top, index="exact", lists=None, probes=None, ids_out=None):
    command = [binary, "bench", "retrieval", "--vectors", str(vectors), "--threads", str(threads), "--top", str(top),
               "--index", index, "--repetitions", str(repetitions), "--json"]
    if index == "ivf":
        command += ["--lists", str(lists), "--probes", str(probes)]
    if ids_out:
        command += ["--ids-out", str(ids_out)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    if ids_out:
        result["ids"] = read_safetensors(ids_out, "positions").astype(np.int64)  # (rows, heads, top)
    return result


def timed(search, repetitions):
    search()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        result = search()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def faiss_search_all(indices, head_queries, top):
    ids = np.empty((head_queries[0].shape[0], len(indices), top), dtype=np.int64)
    for head, (index, queries) in enumerate(zip(indices, head_queries)):
        ids[:, head, :] = index.search(queries, top)[1]
    return ids


def tie_check(keys, queries, swift_ids, faiss_ids):
    """Classifies the (query, head) id lists that differ: same chunks in another order, or other chunks.

    Every difference must be a tie: scores (float64) of the two lists, rank by rank, equal to within float32
    rounding of a dim-64 dot product (64 ulps of sum |k_i q_i|). Returns (reordered, replaced, ties_only,
    worst gap relative to sum |k_i q_i|).
    """
    dim = keys.shape[2]
    reordered = replaced = 0
    ties_only, worst = True, 0.0
    for row, head in zip(*np.nonzero((swift_ids != faiss_ids).any(axis=2))):
        query = queries[row, head * dim:(head + 1) * dim].astype(np.float64)
        a, b = swift_ids[row, head], faiss_ids[row, head]
        if set(a) == set(b):
            reordered += 1
        else:
            replaced += 1
        score_a = keys[head, a].astype(np.float64) @ query
        score_b = keys[head, b].astype(np.float64) @ query
        scale = (np.abs(keys[head, np.concatenate([a, b])]).astype(np.float64) @ np.abs(query)).max()
        # Rank by rank: a swap of two equal scores, or a different chunk at the boundary, is a small gap.
        gap = float(np.max(np.abs(score_a - score_b))) / scale
        worst = max(worst, gap)
        if gap > 64 * np.finfo(np.float32).eps:
            ties_only = False
    return reordered, replaced, ties_only, worst


def exact_benchmark(args, binary, directory):
    keys, queries = make_vectors(args.heads, args.chunks, args.dim, args.queries, args.seed)
    vectors = directory / "exact.safetensors"
    write_safetensors(vectors, {"keys": keys, "queries": queries})
    head_queries = [np.ascontiguousarray(queries[:, h * args.dim:(h + 1) * args.dim]) for h in range(args.heads)]
    indices = []
    for head in range(args.heads):
        index = faiss.IndexFlatIP(args.dim)
        index.add(keys[head])
        indices.append(index)
    rows = []
    default_threshold = faiss.cvar.distance_compute_blas_threshold
    for threads in args.thread_counts:
        faiss.omp_set_num_threads(threads)
        swift_seconds, faiss_default, faiss_blas = [], [], []
        # Rounds alternate the tools, so that a burst of load on this shared machine hits both alike; each
        # tool keeps its best round (the median of --repetitions within a round).
        for _ in range(args.rounds):
            swift = run_swift(binary, vectors, threads, args.repetitions, args.top, ids_out=directory / "ids.safetensors")
            swift_seconds.append(swift["search_seconds"])
            faiss.cvar.distance_compute_blas_threshold = default_threshold
            seconds, faiss_ids = timed(lambda: faiss_search_all(indices, head_queries, args.top), args.repetitions)
            faiss_default.append(seconds)
            faiss.cvar.distance_compute_blas_threshold = 20
            seconds, faiss_blas_ids = timed(lambda: faiss_search_all(indices, head_queries, args.top), args.repetitions)
            faiss_blas.append(seconds)
            faiss.cvar.distance_compute_blas_threshold = default_threshold
        swift["search_seconds"] = min(swift_seconds)
        swift["queries_per_second"] = args.queries / swift["search_seconds"]
        faiss_default, faiss_blas = min(faiss_default), min(faiss_blas)
        assert (faiss_ids == faiss_blas_ids).mean() > 0.999
        same = int((swift["ids"] == faiss_ids).all(axis=2).sum())
        reordered, replaced, ties_only, worst = tie_check(keys, queries, swift["ids"], faiss_ids)
        rows.append((threads, swift, faiss_default, faiss_blas, same, (reordered, replaced), ties_only, worst))
    total = args.queries * args.heads
    print(f"\nExact: {args.heads} heads x {args.chunks:,} chunk keys x dim {args.dim}, {args.queries:,} queries, "
          f"top {args.top}; best of {args.rounds} alternating rounds of the median of {args.repetitions} after a "
          f"warm-up; faiss {faiss.__version__} "
          f"(OpenBLAS core {faiss_blas_core()}), longmem-eval BLAS core {rows[0][1]['blas_core']}\n")
    print("| threads | Swift s | faiss s (default) | faiss s (BLAS path) | faiss best / Swift | Swift queries/s "
          "| identical id lists | differing lists (reordered / other chunks) | all ties (max gap) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for threads, swift, faiss_default, faiss_blas, same, (reordered, replaced), ties_only, worst in rows:
        seconds = swift["search_seconds"]
        print(f"| {threads} | {seconds:.3f} | {faiss_default:.3f} | {faiss_blas:.3f} | "
              f"{min(faiss_default, faiss_blas) / seconds:.2f}x | {swift['queries_per_second']:.0f} | "
              f"{same:,} / {total:,} | {reordered} / {replaced} | {'yes' if ties_only else 'NO'} ({worst:.1e}) |")
    return rows


def recall(found, truth):
    hits = sum(len(set(f) & set(t)) for f, t in zip(found.reshape(-1, found.shape[-1]), truth.reshape(-1, truth.shape[-1])))
    return hits / truth.size


def ivf_benchmark(args, binary, directory):
    chunks = args.ivf_chunks
    keys, queries = make_vectors(args.heads, chunks, args.dim, args.queries, args.seed + 1)
    vectors = directory / "ivf.safetensors"
    write_safetensors(vectors, {"keys": keys, "queries": queries})
    head_queries = [np.ascontiguousarray(queries[:, h * args.dim:(h + 1) * args.dim]) for h in range(args.heads)]
    threads = max(args.thread_counts)
    faiss.omp_set_num_threads(threads)
    # Ground truth: exact inner-product search.
    exact = []
    for head in range(args.heads):
        index = faiss.IndexFlatIP(args.dim)
        index.add(keys[head])
        exact.append(index)
    default_threshold = faiss.cvar.distance_compute_blas_threshold
    faiss.cvar.distance_compute_blas_threshold = 20  # faiss's faster path here (see the exact table)
    start = time.perf_counter()
    truth = faiss_search_all(exact, head_queries, args.top)
    exact_seconds = time.perf_counter() - start
    faiss.cvar.distance_compute_blas_threshold = default_threshold
    del exact
    training = 39 * args.lists
    swift_exact = run_swift(binary, vectors, threads, 1, args.top, ids_out=directory / "exact_ids.safetensors")
    index_bytes = {}
    rows = [("longmem-eval exact", "all", float("nan"), swift_exact["build_seconds"], swift_exact["search_seconds"],
             recall(swift_exact["ids"], truth)),
            ("faiss IndexFlatIP (BLAS path)", "all", float("nan"), float("nan"), exact_seconds, 1.0)]
    for probes in args.probe_counts:
        swift = run_swift(binary, vectors, threads, args.repetitions, args.top, "ivf", args.lists, probes,
                          directory / "ivf_ids.safetensors")
        rows.append(("longmem-eval", probes, swift["train_seconds"], swift["add_seconds"], swift["search_seconds"],
                     recall(swift["ids"], truth)))
        index_bytes["ivf"] = swift["index_bytes"]
    index_bytes["exact"] = swift_exact["index_bytes"]
    indices = []
    train_seconds = add_seconds = 0.0
    for head in range(args.heads):
        quantizer = faiss.IndexFlatIP(args.dim)
        index = faiss.IndexIVFFlat(quantizer, args.dim, args.lists, faiss.METRIC_INNER_PRODUCT)
        start = time.perf_counter()
        index.train(keys[head, :training])
        train_seconds += time.perf_counter() - start
        start = time.perf_counter()
        index.add(keys[head])
        add_seconds += time.perf_counter() - start
        indices.append((index, quantizer))
    for probes in args.probe_counts:
        for index, _ in indices:
            index.nprobe = probes
        seconds, ids = timed(lambda: faiss_search_all([i for i, _ in indices], head_queries, args.top), args.repetitions)
        rows.append(("faiss IndexIVFFlat", probes, train_seconds, add_seconds, seconds, recall(ids, truth)))
    print(f"\nIVF: {args.heads} heads x {chunks:,} chunk keys x dim {args.dim} ({chunks * 4:,} tokens at csz 4), "
          f"{args.queries:,} queries, top {args.top}, {args.lists} lists, trained on the first {training:,} chunks "
          f"per head, {threads} threads; IVF search: median of {args.repetitions} after a warm-up; exact rows: one "
          f"search (longmem-eval's after a warm-up), the reference for recall\n")
    print("| tool | probes | train s | add s | search s | queries/s | recall@%d |" % args.top)
    print("|---|---|---|---|---|---|---|")
    for tool, probes, train, add, search, measured in sorted(rows, key=lambda r: (str(r[1]).rjust(4), r[0])):
        cells = ["-" if value != value else f"{value:.2f}" for value in (train, add)]
        print(f"| {tool} | {probes} | {cells[0]} | {cells[1]} | {search:.3f} | {args.queries / search:.0f} | {measured:.4f} |")
    print(f"\nlongmem-eval index memory: IVF {index_bytes['ivf'] / 2**20:,.0f} MiB, exact "
          f"{index_bytes['exact'] / 2**20:,.0f} MiB (Float32 means: {args.heads * chunks * args.dim * 4 / 2**20:,.0f} MiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "longmem-eval"))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="alternating Swift/faiss rounds of the exact table")
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--chunks", type=int, default=16384)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--queries", type=int, default=1024)
    parser.add_argument("--top", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ivf-chunks", type=int, default=262144, help="chunks per head for the IVF table; 0 skips it")
    parser.add_argument("--lists", type=int, default=1024)
    parser.add_argument("--probes", default="8,32", help="comma-separated probe counts")
    parser.add_argument("--skip-exact", action="store_true")
    args = parser.parse_args()
    args.thread_counts = [int(t) for t in args.threads.split(",")]
    args.probe_counts = [int(p) for p in args.probes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        directory = pathlib.Path(scratch)
        if not args.skip_exact:
            exact_benchmark(args, args.binary, directory)
        if args.ivf_chunks > 0:
            ivf_benchmark(args, args.binary, directory)


if __name__ == "__main__":
    main()
