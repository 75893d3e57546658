"""Writes Tests/Fixtures/python-random/samples.json: what CPython's `random.Random` produces for the calls that
LongMem's ICL evaluation (`eval_scripts/eval_longmem_icl.py`) makes, so that the Swift `PythonRandom` can be
checked bit for bit.

The official script does, for each seed s in 1..6:
    random.seed(s); shots = random.sample(train, k); memory = random.sample(train, 2000)
`Random.sample` only uses `len(population)` and indexes into it, so sampling `range(n)` yields exactly the
indices of the items that sampling an n-item list picks. The script checks that on the real train lists.

The train-pool sizes are re-derived from the files under $LONGMEM_EVAL_DATA/icl with the official loaders'
logic (text-mode `readlines()`, SST-2 skipping its `sentence\tlabel` header) and must equal the expected sizes.

Run with the CPython the fixture is meant for (3.11): python3 Scripts/reference/make_python_random_fixture.py
"""
import random
import struct
import sys

from common import DATA, FIXTURES, write_json

OUT = FIXTURES / "python-random" / "samples.json"
SEEDS = range(1, 7)
SHOT_COUNTS = (4, 20)
MEMORY_COUNT = 2000

# name in the official script, train file under icl/, expected train-pool size
TASKS = [
    ("SST-2", "SST-2/train.tsv", 6920),
    ("sst-5", "sst-5/stsa.fine.train", 8544),
    ("mr", "mr/train.csv", 8662),
    ("mpqa", "mpqa/train.csv", 8606),
    ("subj", "subj/train.csv", 8000),
]


def load_train(task: str, relative: str) -> list:
    """The train split exactly as `load_data` in eval_longmem_icl.py builds it (text, label-word pairs)."""
    with open(DATA / "icl" / relative, "r") as f:
        lines = f.readlines()
    rows = []
    if task == "SST-2":
        for line in lines:
            review, label = line.strip("\n").split("\t")
            if label == "label":
                continue
            rows.append([review, "positive" if int(label) == 1 else "negative"])
    elif task == "sst-5":
        words = {0: "terrible", 1: "bad", 2: "okay", 3: "good", 4: "great"}
        rows = [[line[2:].strip("\n"), words[int(line[0])]] for line in lines]
    elif task in ("mr", "mpqa"):
        rows = [[line[2:].strip("\n"), "positive" if int(line[0]) == 1 else "negative"] for line in lines]
    elif task == "subj":
        rows = [[line[2:].strip("\n").strip('"'), "subjective" if int(line[0]) == 0 else "objective"] for line in lines]
    return rows


def compact(indices) -> str:
    """Long index lists are stored as one comma-separated string to keep the fixture small."""
    return ",".join(str(i) for i in indices)


def sample_branch(n: int, k: int) -> str:
    """Which branch of CPython 3.11's Random.sample runs (mirrors its set-size threshold)."""
    import math
    setsize = 21
    if k > 5:
        setsize += 4 ** math.ceil(math.log(k * 3, 4))
    return "pool" if n <= setsize else "set"


def demonstration_cases(tasks) -> list:
    cases = []
    for task, relative, expected in tasks:
        train = load_train(task, relative)
        assert len(train) == expected, f"{task}: {len(train)} train rows, expected {expected}"
        n = len(train)
        for seed in SEEDS:
            for k in SHOT_COUNTS:
                random.seed(seed)
                shots = random.sample(range(n), k)
                memory = random.sample(range(n), MEMORY_COUNT)
                # The official calls on the real list pick the same positions.
                random.seed(seed)
                assert random.sample(train, k) == [train[i] for i in shots]
                assert random.sample(train, MEMORY_COUNT) == [train[i] for i in memory]
                cases.append({
                    "task": task, "seed": seed, "populationCount": n, "k": k,
                    "branches": [sample_branch(n, k), sample_branch(n, MEMORY_COUNT)],
                    "shots": shots, "memoryCount": MEMORY_COUNT, "memory": compact(memory),
                })
    return cases


# (label, seed, population count n, sample size k)
EDGE_SAMPLES = [
    ("k = n = 1", 1, 1, 1),
    ("k = n = 5", 2, 5, 5),
    ("k = n = 30", 3, 30, 30),
    ("k = n = 1000", 4, 1000, 1000),
    ("k = 0, n = 0", 5, 0, 0),
    ("k = 0, n = 100", 6, 100, 0),
    # At the branch boundaries the seeds are chosen so that the other branch would pick differently.
    ("small n, pool branch", 1, 10, 3),
    ("n = 21, k = 5: last pool size for k <= 5", 2, 21, 5),
    ("n = 22, k = 5: first set size for k <= 5", 2, 22, 5),
    ("n = 85, k = 6: last pool size for k = 6", 5, 85, 6),
    ("n = 86, k = 6: first set size for k = 6", 2, 86, 6),
    ("large k, set branch", 10, 100_000, 5000),
    ("large n, few picks (set branch)", 11, 2**40, 7),
    ("seed 0", 0, 8000, 20),
    ("seed 2**32 (two key words)", 2**32, 8000, 20),
    ("seed 2**64 - 1", 2**64 - 1, 6920, 20),
    ("seed 12345678901234", 12345678901234, 8544, 20),
]


def edge_sample_cases() -> list:
    cases = []
    for label, seed, n, k in EDGE_SAMPLES:
        rng = random.Random(seed)
        indices = rng.sample(range(n), k)
        cases.append({
            "label": label, "seed": seed, "populationCount": n, "k": k, "branch": sample_branch(n, k),
            "indices": compact(indices), "next32": rng.getrandbits(32),
        })
    return cases


BITS_SEEDS = [0, 1, 6, 2**32, 2**64 - 1]
BITS_WIDTHS = [1, 7, 32, 33, 64]


def getrandbits_cases() -> list:
    cases = []
    for seed in BITS_SEEDS:
        for width in BITS_WIDTHS:
            rng = random.Random(seed)
            cases.append({"seed": seed, "k": width, "values": [rng.getrandbits(width) for _ in range(40)]})
        # Mixed widths from one stream: each call starts on a fresh 32-bit word.
        rng = random.Random(seed)
        widths = [1, 64, 7, 33, 32, 63, 2, 31, 34, 64] * 3
        cases.append({"seed": seed, "widths": widths, "values": [rng.getrandbits(w) for w in widths]})
    return cases


def randbelow_cases() -> list:
    cases = []
    for seed in (1, 3):
        for n in (1, 2, 3, 7, 6920, 8662, 2**31, 2**31 + 1, 2**32 + 5, 2**62 + 3):
            rng = random.Random(seed)
            cases.append({"seed": seed, "n": n, "values": [rng._randbelow(n) for _ in range(30)]})
    return cases


def random_cases() -> list:
    cases = []
    for seed in (0, 1, 2, 2**32, 2**64 - 1):
        rng = random.Random(seed)
        values = [rng.random() for _ in range(30)]
        bits = [struct.unpack("<Q", struct.pack("<d", v))[0] for v in values]
        cases.append({"seed": seed, "values": values, "bits": [f"{b:016x}" for b in bits]})
    return cases


def main():
    assert sys.version_info[:2] == (3, 11), f"the fixture pins CPython 3.11's random; this is {sys.version}"
    assert random.Random()._randbelow.__func__ is random.Random._randbelow_with_getrandbits
    value = {
        "source": "CPython random.Random, written by Scripts/reference/make_python_random_fixture.py",
        "python": sys.version.split()[0],
        "note": "memory/indices are comma-separated decimal indices in selection order; "
                "bits are IEEE-754 double bit patterns in hex",
        "trainPools": [{"task": t, "file": "icl/" + r, "count": c} for t, r, c in TASKS],
        "demonstrations": demonstration_cases(TASKS),
        "samples": edge_sample_cases(),
        "getrandbits": getrandbits_cases(),
        "randbelow": randbelow_cases(),
        "random": random_cases(),
    }
    write_json(OUT, value)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
