"""Writes the task fixtures of Tests/Fixtures/tasks/: expected ChapterBreak and ICL results of the committed
tiny LongMem model (Tests/Fixtures/longmem-text-tiny), computed with the PyTorch reference
(longmem_reference.py), for the end-to-end CLI tests in Tests/LongMemEvalCLITests/TaskReferenceTests.swift.

The protocols are the ones of /work/shared/design/LONGMEM.md (7.1, 7.2) as `longmem-eval` runs them; every
choice the harness makes beyond the design (how the prefix is split between memory and context, how label
words are scored, how memory demonstrations are cut) is restated where it is computed, so that this file
reads as a specification of what the Swift evaluators must produce. Nothing here calls the harness.

  chapterbreak.json           4 ChapterBreak examples in the official layout, cut from two PG-19-era books
                              (A Study in Scarlet, The Sign of the Four) of $LONGMEM_EVAL_DATA/longtext. One
                              example has a negative identical to the gold suffix (a constructed tie: correct
                              only because ties count for the gold), one a short negative (the summed and the
                              per-token mean score disagree), one a context shorter than the longest prefix.
  chapterbreak-expected.json  per method (local, longmem), prefix length and example: the six candidates'
                              summed and mean log-probs, correctness under both scores (and under the strict
                              rule, for the record), the prediction, the token counts; accuracies per prefix
                              length and score.
  icl-expected.json           SST-2 (the official files) per method and seed: the drawn demonstrations, per
                              query the greedy token and its decoded prediction, each label word's
                              log-likelihood, the label-rank prediction, both correctness flags, whether the
                              prompt was truncated; accuracies per seed and their mean and population std.

Each expected file records the exact command-line arguments of its runs; the Swift test adds only the paths
(--model, --tokenizer, --file, --output, --data-dir) and --fresh/--quiet.

Tokenisation is independent of the harness: GPT-2 BPE from `tokenizers` (common.gpt2_tokenizer), then the
fairseq dictionary (dict.txt) written out below.

Run: python3 Scripts/reference/make_task_fixtures.py     (about a minute on two CPU cores)
"""
import math
import random
import re

import torch

import longmem_reference as ref
from common import DATA, FIXTURES, ROOT, gpt2_tokenizer, write_json

MODEL = FIXTURES / "longmem-text-tiny"
OUT = FIXTURES / "tasks"
BPE = DATA / "gpt2_bpe"
METHODS = ("local", "longmem")

# A summed score differs between float32 implementations by up to ~1e-5 (measured: the Swift port and this
# reference agree to 9e-6 on these fixtures); decisions (argmax, correctness, label rank) closer than this
# would be decided by rounding, so the fixture refuses them.
DECISION_MARGIN = 1e-3
# Retrieval takes the top chunks by score (scores up to ~18 here, with up to 8e-6 of float32 error against
# a float64 computation): a gap between the last chosen and the best rejected chunk below this could flip
# in another implementation, so the fixture refuses it at every scored row.
RETRIEVAL_MARGIN = 1e-4
# The memory bank stores keys and values in float32 for these runs (`--memory-precision f32`). The official
# float16 store rounds discontinuously: where two float32 implementations differ by one ulp, a key can round
# to neighbouring float16 values, which moved summed scores by up to 8e-5 here, too close to the tests'
# 1e-4. (Tests/LongMemRuntimeTests/ReferenceTests compares the float16 store at 1e-3.)
MEMORY_DTYPE = torch.float32
MEMORY_PRECISION = "f32"

# ChapterBreak: a 256-token local window keeps a debug build fast while the 600- and 1000-token prefixes
# still put 376 and 776 earlier tokens (2 and 4 segments) into memory.
CHAPTERBREAK_WINDOW = 256
SUFFIX_LENGTH = 32
PREFIX_LENGTHS = (600, 1000)
SPLIT = "pg19"

# ICL: SST-2, 4 shots, seeds 1 and 2 (two draws; memory reset between them), the first 8 dev queries.
# longmem writes 100 memory demonstrations (about 3,300 tokens) in 152-token segments with chunk size 2 (as
# the official script); its prompts (135 to 167 tokens) fit a 152-token window for some queries and not
# for others, so both ways of scoring (appended to the cached demonstrations, or left-truncated) are used.
ICL_TASK = "sst2"
SHOTS = 4
SEEDS = (1, 2)
LIMIT = 8
MEMORY_DEMOS = 100
ICL_WINDOW = {"local": None, "longmem": 152}  # None: the model's 1,024-token context
ICL_CHUNK_SIZE = 2


# --------------------------------------------------------------------------------------------------
# Tokeniser: GPT-2 BPE followed by the fairseq dictionary
# --------------------------------------------------------------------------------------------------

def byte_alphabet() -> dict[str, int]:
    """GPT-2's byte-level alphabet, reversed: printable Latin-1 bytes stand for themselves, the other 68
    bytes are written as the characters U+0100 and up, in byte order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    return {c: b for b, c in chars.items()}


class FairseqText:
    """LongMem's vocabulary: dictionary index n+4 is the GPT-2 id written on line n of dict.txt; 0..3 are
    <s>, <pad>, </s>, <unk>; GPT-2 ids missing from the dictionary encode as <unk>."""
    BOS, PAD, EOS, UNK = 0, 1, 2, 3

    def __init__(self):
        self.bpe = gpt2_tokenizer()
        self.symbols = ["<s>", "<pad>", "</s>", "<unk>"]
        with open(BPE / "dict.txt", encoding="utf-8", newline="") as file:
            for line in file.read().splitlines():
                symbol, count = line.rstrip().rsplit(" ", 1)
                assert count.isdigit() and "#fairseq:overwrite" not in line, line
                self.symbols.append(symbol)
        self.index_of_id = {int(s): i for i, s in enumerate(self.symbols) if i >= 4 and s.isdigit()}
        assert len(self.index_of_id) == len(self.symbols) - 4 - sum(s.startswith("madeupword") for s in self.symbols)
        self.id_of_index = {i: g for g, i in self.index_of_id.items()}
        self.alphabet = byte_alphabet()
        assert self.encode("Hello world!") == [self.index_of_id[15496], self.index_of_id[995], self.index_of_id[0]]

    def __len__(self):
        return len(self.symbols)

    def encode(self, text: str) -> list[int]:
        return [self.index_of_id.get(i, self.UNK) for i in self.bpe.encode(text).ids]

    def line(self, text: str) -> list[int]:
        """The official ICL encoding of one demonstration or query: <s> tokens </s>."""
        return [self.BOS] + self.encode(text) + [self.EOS]

    def decode(self, indices: list[int]) -> str:
        """As the harness decodes: GPT-2 tokens to their bytes, </s> to nothing, the other specials and
        the madeupword padding to their symbol text (visible rather than lost); invalid UTF-8 replaced."""
        data = bytearray()
        for index in indices:
            if index in self.id_of_index:
                data += bytes(self.alphabet[c] for c in self.bpe.id_to_token(self.id_of_index[index]))
            elif index != self.EOS and 0 <= index < len(self.symbols):
                data += self.symbols[index].encode("utf-8")
        return data.decode("utf-8", errors="replace")


# Swift's CharacterSet.whitespacesAndNewlines: Unicode White_Space (Zs, tab, line and paragraph separators)
# and the newlines U+000A-U+000D, U+0085. Python's str.strip() also strips U+001C-U+001F; the fixture
# refuses a prediction where the two would differ rather than guess.
SWIFT_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009" \
                   "\u200a\u2028\u2029\u202f\u205f\u3000"


def strip_prediction(text: str) -> str:
    stripped = text.strip(SWIFT_WHITESPACE)
    assert stripped == text.strip(), f"ambiguous strip of {text!r}"
    return stripped


# --------------------------------------------------------------------------------------------------
# Scoring with the reference
# --------------------------------------------------------------------------------------------------

def read_after_memory(model, memory_segments: list[list[int]], sequences: list[list[int]], method: str,
                      memory: ref.MemoryConfig, rows: list[range], where: str) -> list[torch.Tensor]:
    """Writes `memory_segments` in order into a fresh memory (each is read with the memory of the earlier
    ones, then written), then reads each of `sequences` as one segment with that memory, never writing it.
    Returns, per sequence, the float64 log-softmax of its logits at `rows[i]` (row r predicts token r + 1).

    The tiny model's memory layer is its SideNet's last layer, so a retrieval decision at one position
    changes only that position's output: the top-k selection must be clear (gap > RETRIEVAL_MARGIN) at the
    rows that are scored, wherever else it is close."""
    segments = memory_segments + sequences
    tokens = torch.tensor([t for s in segments for t in s])
    results = ref.run_stream(model, tokens, [len(s) for s in segments], method, memory_config=memory,
                             write_memory=[True] * len(memory_segments) + [False] * len(sequences),
                             memory_dtype=MEMORY_DTYPE)
    read = []
    for number, (result, wanted) in enumerate(zip(results[len(memory_segments):], rows)):
        close = sorted(set(result.near_ties).intersection(wanted))
        assert not close, f"{where}, sequence {number}: retrieval near tie at rows {close}"
        read.append(torch.log_softmax(result.logits[list(wanted)].double(), dim=-1))
    return read


def decided(values: list[float], best: float, where: str) -> None:
    """No other value within DECISION_MARGIN of `best` unless exactly equal (a constructed tie)."""
    for v in values:
        assert v == best or abs(v - best) > DECISION_MARGIN, f"{where}: {v} vs {best} is too close to call"


# --------------------------------------------------------------------------------------------------
# ChapterBreak
# --------------------------------------------------------------------------------------------------

# Chapter headings of the two books: one line ("CHAPTER III. THE LAURISTON GARDEN MYSTERY [6]") in A Study
# in Scarlet, number and title on two lines in The Sign of the Four.
BOOKS = {
    "244": ("244-0.txt", re.compile(r"^CHAPTER [IVXL]+\..*\n", re.M)),
    "2097": ("pg2097.txt", re.compile(r"^Chapter [IVXL]+\n\n[^\n]+\n", re.M)),
}


def book_chapters(work: str) -> tuple[str, list[tuple[int, str]]]:
    """The book body (between the PG START and END lines, CRLF -> LF: the official ChapterBreak text has
    plain newlines) and its chapters as (offset of the heading, text after the heading)."""
    name, heading = BOOKS[work]
    with open(DATA / "longtext" / "pg19_era" / name, encoding="utf-8-sig", newline="") as file:
        text = file.read().replace("\r\n", "\n")
    body = text[text.index("\n", text.index("*** START OF")) + 1: text.index("*** END OF")]
    # Part II of A Study in Scarlet starts with a part heading before its first chapter heading.
    body = body.replace("PART II. _The Country of the Saints._\n", "")
    starts = list(heading.finditer(body))
    chapters = []
    for m, following in zip(starts, starts[1:] + [None]):
        end = following.start() if following else len(body)
        chapters.append((m.start(), body[m.end(): end].strip()))
    return body, chapters


def beginning(text: str, words: int) -> str:
    """The first `words` words of a chapter, whitespace kept as in the book (ChapterBreak's suffixes are
    chapter beginnings of about 150 words; the evaluator cuts them to --suffix-length tokens anyway)."""
    match = re.match(r"\s*(?:\S+\s+){%d}" % (words - 1) + r"\S+", text)
    return match.group(0) if match else text


def context_before(body: str, offset: int, characters: int) -> str:
    """The book text before a chapter heading, ending with the previous chapter's last words, cut to start
    at a paragraph at most `characters` back (the evaluator left-truncates it to each prefix length)."""
    text = body[:offset].rstrip()
    start = text.find("\n\n", len(text) - characters)
    return text[start:].strip()


def make_chapterbreak_file() -> dict:
    """Four examples. Negatives are beginnings of other chapters of the same book. The chapters were chosen
    once by scoring every chapter beginning with this reference, so that every decision is clear (see
    DECISION_MARGIN, RETRIEVAL_MARGIN) and the examples test different things:
      - 2097/0: its context (about 820 tokens) is shorter than the 1000-token prefix: all of it is used;
        local gets it wrong, longmem right;
      - 2097/1: the gold suffix is also negative 2. Gold and that negative score exactly the same and the
        other four lower, so the example is correct only because ties count for the gold;
      - 244/0: local right, longmem wrong;
      - 244/1: negative 1 is a 9-word chapter beginning: its summed log-prob is far above the 32-token
        candidates' while its mean is not, so the summed and mean scores disagree (for local)."""
    scarlet, scarlet_chapters = book_chapters("244")
    four, four_chapters = book_chapters("2097")
    assert len(scarlet_chapters) == 14 and len(four_chapters) == 12

    def example(body, chapters, gold, negatives, context_characters, short=None):
        negs = [beginning(chapters[n][1], 9 if n == short else 150) for n in negatives]
        return {"ctx": context_before(body, chapters[gold][0], context_characters),
                "pos": beginning(chapters[gold][1], 150), "negs": negs}

    tie = example(four, four_chapters, 1, [2, 3, 4, 5], 9000)
    tie["negs"].insert(2, tie["pos"])
    return {SPLIT: {
        "2097": [
            example(four, four_chapters, 2, [4, 7, 8, 9, 11], 3300),
            tie,
        ],
        "244": [
            example(scarlet, scarlet_chapters, 8, [0, 2, 7, 10, 13], 9000),
            example(scarlet, scarlet_chapters, 11, [13, 3, 0, 10, 2], 9000, short=3),
        ],
    }}


def score_chapterbreak(model, text: FairseqText, item: dict, prefix_length: int, method: str, where: str) -> dict:
    """One example at one prefix length, as the harness defines it (LONGMEM.md 7.2):
    prefix = the last `prefix_length` tokens of ctx; candidates = the first SUFFIX_LENGTH tokens of pos and
    each neg (encoded alone); the last window - SUFFIX_LENGTH prefix tokens are the local context, so that
    context + candidate fits one window; for longmem the earlier prefix tokens go to memory first, in
    window-sized segments from their start (the last one may be shorter and is written too). A candidate's
    score is the sum (and per-token mean) of log p(token | memory, context, the candidate's earlier tokens)."""
    prefix = text.encode(item["ctx"])[-prefix_length:]
    candidates = [text.encode(c)[:SUFFIX_LENGTH] for c in [item["pos"]] + item["negs"]]
    context = prefix[-(CHAPTERBREAK_WINDOW - SUFFIX_LENGTH):]
    earlier = prefix[: len(prefix) - len(context)] if method == "longmem" else []
    memory_segments = [earlier[i: i + CHAPTERBREAK_WINDOW] for i in range(0, len(earlier), CHAPTERBREAK_WINDOW)]
    memory = model.config.memory  # the model folder's: chunk size 4, top-k 64, 65,536 tokens
    # The context, then the candidate but its last token; row r predicts token r + 1.
    rows = [range(len(context) - 1, len(context) - 1 + len(c)) for c in candidates]
    read = read_after_memory(model, memory_segments, [context + c[:-1] for c in candidates], method, memory,
                             rows, where)
    sums = [sum(logprobs[j, t].item() for j, t in enumerate(c)) for logprobs, c in zip(read, candidates)]
    means = [total / len(c) for total, c in zip(sums, candidates)]
    return {"prefix": prefix, "context": context, "earlier": earlier, "candidates": candidates,
            "sum": sums, "mean": means}


def correct(scores: list[float], ties_count_for_gold: bool = True) -> bool:
    """ChapterBreak's rule: correct unless a negative scores strictly higher than the gold (index 0)."""
    return all(s <= scores[0] if ties_count_for_gold else s < scores[0] for s in scores[1:])


def accuracy(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def make_chapterbreak(model, text: FairseqText) -> None:
    data = make_chapterbreak_file()
    write_json(OUT / "chapterbreak.json", data)
    # The evaluator's order: prefix lengths outermost, then work ids sorted, entries in file order.
    items = [(work, i, e) for work in sorted(data[SPLIT]) for i, e in enumerate(data[SPLIT][work])]
    expected = {
        "generator": "Scripts/reference/make_task_fixtures.py",
        "model": "Tests/Fixtures/longmem-text-tiny",
        "file": "Tests/Fixtures/tasks/chapterbreak.json",
        "notes": "arguments: add --model, --tokenizer (the gpt2_bpe folder with dict.txt), --file, --output; "
                 "sum/mean: each candidate's log-likelihood in nats (gold first), float64 sums of float32 "
                 "log-softmax rows; correct: no negative strictly above the gold; correct_if_ties_lose: the "
                 "strict rule, for the record; prediction: the first candidate with the highest sum",
        "runs": {},
    }
    for method in METHODS:
        arguments = ["chapterbreak", "--method", method, "--split", SPLIT, "--window", str(CHAPTERBREAK_WINDOW),
                     "--suffix-length", str(SUFFIX_LENGTH), "--prefix-length", ",".join(map(str, PREFIX_LENGTHS))]
        if method != "local":
            arguments += ["--memory-precision", MEMORY_PRECISION]
        samples, metrics = [], []
        for length in PREFIX_LENGTHS:
            flags = {"sum": [], "mean": []}
            for work, index, item in items:
                where = f"{method} {work}/{index} prefix {length}"
                scored = score_chapterbreak(model, text, item, length, method, where)
                for kind in ("sum", "mean"):
                    decided(scored[kind][1:], scored[kind][0], f"{where} {kind}")
                decided(scored["sum"], max(scored["sum"]), f"{where} prediction")
                sample = {
                    "id": f"chapterbreak/{SPLIT}/{work}/{index}/prefix{length}",
                    "prefix_tokens": len(scored["prefix"]), "memory_tokens": len(scored["earlier"]),
                    "context_tokens": len(scored["context"]),
                    "candidate_tokens": [len(c) for c in scored["candidates"]],
                    "sum": scored["sum"], "mean": scored["mean"],
                    "correct": {k: correct(scored[k]) for k in ("sum", "mean")},
                    "correct_if_ties_lose": {k: correct(scored[k], False) for k in ("sum", "mean")},
                    "prediction": str(scored["sum"].index(max(scored["sum"]))),
                }
                samples.append(sample)
                for kind in ("sum", "mean"):
                    flags[kind].append(sample["correct"][kind])
            for kind in ("sum", "mean"):
                metrics.append({"name": "acc", "labels": {"split": SPLIT, "prefix_length": str(length), "score": kind},
                                "value": accuracy(flags[kind]), "count": len(flags[kind])})
        expected["runs"][method] = {"arguments": arguments, "samples": samples, "metrics": metrics}
    check_chapterbreak(expected)
    write_json(OUT / "chapterbreak-expected.json", expected)


def check_chapterbreak(expected: dict) -> None:
    """What makes the fixture worth testing against."""
    samples = [s for run in expected["runs"].values() for s in run["samples"]]
    # The constructed tie: gold and negative 2 score the same, so the example flips with the tie rule.
    for s in samples:
        if s["id"].startswith(f"chapterbreak/{SPLIT}/2097/1/"):
            assert s["sum"][0] == s["sum"][3] and s["mean"][0] == s["mean"][3], s["id"]
            assert s["correct"] == {"sum": True, "mean": True}, s["id"]
            assert s["correct_if_ties_lose"] == {"sum": False, "mean": False}, s["id"]
        else:
            assert s["correct"] == s["correct_if_ties_lose"], f"{s['id']}: an unintended tie"
    # The short negative makes the summed and mean scores disagree somewhere.
    assert any(s["correct"]["sum"] != s["correct"]["mean"] for s in samples)
    # The method matters: longmem (SideNet and memory) scores differently from local (the backbone alone).
    local, longmem = (expected["runs"][m]["samples"] for m in METHODS)
    assert all(a["memory_tokens"] == 0 and b["memory_tokens"] > 0 for a, b in zip(local, longmem))
    assert all(abs(a["sum"][0] - b["sum"][0]) > 1e-2 for a, b in zip(local, longmem))
    # Not every example is right or wrong: accuracy differs between the configurations.
    values = {m["value"] for run in expected["runs"].values() for m in run["metrics"]}
    assert len(values) > 1, values


# --------------------------------------------------------------------------------------------------
# ICL (LONGMEM.md 7.1, eval_longmem_icl.py)
# --------------------------------------------------------------------------------------------------

LABEL_WORDS = ["negative", "positive"]  # SST-2: 0 -> negative, 1 -> positive


def read_sst2(name: str) -> list[tuple[str, int]]:
    """SST-2's `text<TAB>label` lines after the header, read as the official script does (text mode:
    universal newlines; nothing stripped)."""
    with open(DATA / "icl" / "SST-2" / name, encoding="utf-8") as file:
        lines = file.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    for line in lines:
        text, label = line.split("\t")
        if label != "label":
            rows.append((text, int(label)))
    return rows


def demonstration(text: str, label: int) -> str:
    return f"Review: {text} Sentiment: {LABEL_WORDS[label]}. "


def query(text: str) -> str:
    """The template "Review: {} Sentiment: {}. " without its last five characters: it ends at "Sentiment:"."""
    return "Review: {} Sentiment: {}. "[:-5].format(text)


def icl_run(model, text: FairseqText, method: str) -> dict:
    """One `longmem-eval icl` run: per seed the drawn demonstrations and memory fill, per query the greedy
    prediction and the label words' log-likelihoods (LONGMEM.md 7.1)."""
    train, dev = read_sst2("train.tsv"), read_sst2("dev.tsv")
    window = ICL_WINDOW[method] or model.config.backbone.n_positions
    memory = ref.MemoryConfig(model.config.memory.retrieval_layer, model.config.memory.memory_size,
                              ICL_CHUNK_SIZE, model.config.memory.top_k)
    labels = [text.encode(" " + w) for w in LABEL_WORDS]  # what follows "Sentiment:", no specials
    setups, samples, metrics = [], [], []
    accuracies = {"greedy_prefix": [], "label_rank": []}
    for seed in SEEDS:
        # The official draw: random.seed(s); random.sample(train, k), then (memory methods only) a second
        # sample from the same stream, which may overlap the first. Sampling indices draws the same items.
        rng = random.Random(seed)
        shots = rng.sample(range(len(train)), SHOTS)
        memory_indices = rng.sample(range(len(train)), MEMORY_DEMOS) if method != "local" else []
        # Memory: the demonstrations' <s> line </s> encodings concatenated and cut into window-sized segments,
        # the last partial one dropped (the official floor); written in order; queries are never written.
        stream = [t for i in memory_indices for t in text.line(demonstration(*train[i]))]
        kept = len(stream) // window * window
        memory_segments = [stream[i: i + window] for i in range(0, kept, window)]
        prefix = [t for i in shots for t in text.line(demonstration(*train[i]))]
        setup = {"id": f"icl_{ICL_TASK}/seed{seed}/setup", "shot_indices": shots}
        if method != "local":
            setup.update({"memory_demo_indices": memory_indices, "memory_demo_tokens": len(stream),
                          "memory_demo_tokens_fed": kept, "segments": len(memory_segments)})
        setups.append(setup)
        # Each query's prompt: the demonstrations, then <s> query without its final </s>. Where prompt + label
        # does not fit the window, each label is scored on the last `window` tokens of prompt + label (the
        # harness's left truncation, as lm-eval's).
        queries = []
        for index in range(min(LIMIT, len(dev))):
            sentence, gold = dev[index]
            prompt = prefix + text.line(query(sentence))[:-1]
            sequences = [(prompt + label[:-1])[-window:] for label in labels]
            # The row after the prompt predicts the label's first token.
            rows = [range(len(s) - len(label), len(s)) for s, label in zip(sequences, labels)]
            queries.append((index, gold, prompt, sequences, rows))
        read = read_after_memory(model, memory_segments, [s for q in queries for s in q[3]], method, memory,
                                 [r for q in queries for r in q[4]], f"icl {method} seed {seed}")
        outcomes = {"greedy_prefix": [], "label_rank": []}
        for number, (index, gold, prompt, sequences, rows) in enumerate(queries):
            where = f"icl {method} seed {seed} query {index}"
            own = read[number * len(labels): (number + 1) * len(labels)]
            scores = [sum(logprobs[j, t].item() for j, t in enumerate(label)) for logprobs, label in zip(own, labels)]
            # The greedy token: argmax over the whole vocabulary after the prompt, read from the first label's
            # sequence (every label's gives the same row unless truncated).
            top = torch.topk(own[0][0], 2)
            assert top.values[0] - top.values[1] > DECISION_MARGIN, f"{where}: greedy near tie"
            predicted = int(top.indices[0])
            prediction = strip_prediction(text.decode([predicted]))
            decided(scores, max(scores), f"{where} label rank")
            ranked = scores.index(max(scores))
            correct = {"greedy_prefix": prediction != "" and LABEL_WORDS[gold].startswith(prediction),
                       "label_rank": ranked == gold}
            for name in outcomes:
                outcomes[name].append(correct[name])
            samples.append({
                "id": f"icl_{ICL_TASK}/seed{seed}/{index}", "label": LABEL_WORDS[gold], "prompt_tokens": len(prompt),
                "truncated": len(prompt) + max(map(len, labels)) - 1 > window, "predicted_token": predicted,
                "prediction": prediction, "scores": dict(zip(LABEL_WORDS, scores)),
                "label_rank_prediction": LABEL_WORDS[ranked], "correct": correct,
            })
        for name, flags in outcomes.items():
            accuracies[name].append(accuracy(flags))
            metrics.append({"name": name, "labels": {"task": f"icl_{ICL_TASK}", "seed": str(seed), "shots": str(SHOTS)},
                            "value": accuracy(flags), "count": len(flags)})
    # Per task: mean and population standard deviation over seeds.
    for name, values in accuracies.items():
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        for aggregate, value in (("mean_over_seeds", mean), ("std_over_seeds", std)):
            metrics.append({"name": name, "labels": {"task": f"icl_{ICL_TASK}", "shots": str(SHOTS),
                                                     "aggregate": aggregate},
                            "value": value, "count": len(values)})
    arguments = ["icl", "--method", method, "--tasks", ICL_TASK, "--shots", str(SHOTS),
                 "--seeds", ",".join(map(str, SEEDS)), "--limit", str(LIMIT)]
    if method != "local":
        arguments += ["--memory-demos", str(MEMORY_DEMOS), "--memory-precision", MEMORY_PRECISION]
    if ICL_WINDOW[method]:
        arguments += ["--window", str(ICL_WINDOW[method])]
    return {"arguments": arguments, "setup": setups, "samples": samples, "metrics": metrics}


def make_icl(model, text: FairseqText) -> None:
    expected = {
        "generator": "Scripts/reference/make_task_fixtures.py",
        "model": "Tests/Fixtures/longmem-text-tiny",
        "data": "icl/SST-2/train.tsv, icl/SST-2/dev.tsv",
        "notes": "arguments: add --model, --tokenizer (the gpt2_bpe folder with dict.txt), --output; scores: "
                 "each label word's log-likelihood after the prompt (\" negative\", \" positive\", no specials) "
                 "in nats, float64 sums of float32 log-softmax rows; prediction: the greedy token decoded and "
                 "stripped; memory chunk size 2 (the icl command's default, as the official script)",
        "runs": {method: icl_run(model, text, method) for method in METHODS},
    }
    # Memory (and the SideNet) matter for the scores; the fixture is only a test if the label-rank accuracy
    # is neither 0 nor 1; longmem uses both ways of scoring.
    local, longmem = (expected["runs"][m]["samples"] for m in METHODS)
    assert max(abs(a["scores"]["positive"] - b["scores"]["positive"]) for a, b in zip(local, longmem)) > 0.1
    rank = [m["value"] for run in expected["runs"].values() for m in run["metrics"]
            if m["name"] == "label_rank" and "seed" in m["labels"]]
    assert any(0 < v < 1 for v in rank), rank
    assert {s["truncated"] for s in longmem} == {False, True} and not any(s["truncated"] for s in local)
    write_json(OUT / "icl-expected.json", expected)


def main():
    # The reference lists, per segment, the positions whose top-k retrieval gap is below its NEAR_TIE;
    # read_after_memory refuses those among the scored rows.
    ref.NEAR_TIE = RETRIEVAL_MARGIN
    model = ref.load_model_folder(MODEL)
    assert model.config.memory_layer == model.config.sidenet_layers - 1, "see read_after_memory"
    text = FairseqText()
    assert len(text) == model.config.backbone.vocab_size, "the tiny model indexes the fairseq dictionary"
    make_chapterbreak(model, text)
    make_icl(model, text)
    print(f"wrote {OUT.relative_to(ROOT)}/chapterbreak.json, chapterbreak-expected.json, icl-expected.json")


if __name__ == "__main__":
    main()
