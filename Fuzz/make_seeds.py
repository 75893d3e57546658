#!/usr/bin/env python3
"""Lays out the seed corpora Fuzz/corpus/<target>/ (committed; run again after a fixture changes).

Seeds are the small committed fixtures (Tests/Fixtures, Reports/reference) and a few small files made here
from them, in the form each target expects (see Fuzz/Targets/*.swift: some targets read a selector byte,
an ASCII digit, before the file). Nothing under ../shared/datasets is read. Needs numpy and gguf
(Scripts/reference/requirements.txt) for the GGUF seed only.
"""
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
CORPUS = ROOT / "Fuzz" / "corpus"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-to-unicode table (tokenizer/ByteUnicodeTable.swift)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + extra)
            extra += 1
    return table


def tiny_bpe() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """256 byte tokens, a few merges and <|endoftext|>."""
    table = bytes_to_unicode()
    vocabulary = {table[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("Ġwor", "ld")]
    for left, right in merges:
        vocabulary[left + right] = len(vocabulary)
    vocabulary["<|endoftext|>"] = len(vocabulary)
    return vocabulary, merges


def put(target: str, name: str, content: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


def copy(target: str, name: str, source: Path, selector: str = "") -> None:
    put(target, name, selector.encode() + source.read_bytes())


def safetensors() -> None:
    copy("safetensors", "dtypes.safetensors", FIXTURES / "safetensors" / "dtypes.safetensors")
    copy("safetensors", "expected.safetensors", FIXTURES / "gguf" / "expected.safetensors")
    header = json.dumps({"__metadata__": {"format": "pt"}, "w": {"dtype": "F16", "shape": [2, 2],
                         "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [8, 8]}})
    header += " " * (-len(header) % 8)
    put("safetensors", "metadata.safetensors",
        len(header).to_bytes(8, "little") + header.encode() + bytes([0, 60, 0, 64, 0, 66, 0, 68]))
    # The same files in the target's structured form: header JSON, NUL, payload (no length prefix).
    for name in ["dtypes.safetensors", "expected.safetensors", "metadata.safetensors"]:
        whole = (CORPUS / "safetensors" / name).read_bytes()
        length = int.from_bytes(whole[:8], "little")
        put("safetensors", name.replace(".safetensors", ".header-payload"),
            whole[8:8 + length].rstrip(b" ") + b"\0" + whole[8 + length:])


def gguf_seeds() -> None:
    copy("gguf", "v2.gguf", FIXTURES / "gguf" / "v2.gguf")
    copy("gguf", "types.gguf", FIXTURES / "gguf" / "types.gguf")
    copy("gguf", "gpt2.gguf", FIXTURES / "llama-tiny" / "unsupported" / "gpt2.gguf")
    # llama-tiny/gguf/tiny.gguf is 89 kB: the same metadata (a Llama configuration and a byte-level BPE
    # tokenizer, here with merges) and one small tensor of each kind.
    import numpy as np
    from gguf import GGMLQuantizationType as Q, GGUFWriter, TokenType
    from gguf.quants import quantize

    vocabulary, merges = tiny_bpe()
    tokens = sorted(vocabulary, key=vocabulary.get)
    path = CORPUS / "gguf" / "llama-tokenizer.gguf"
    writer = GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.add_context_length(64)
    writer.add_embedding_length(32)
    writer.add_feed_forward_length(32)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(8)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types([TokenType.NORMAL] * (len(tokens) - 1) + [TokenType.CONTROL])
    writer.add_token_merges([f"{left} {right}" for left, right in merges])
    writer.add_bos_token_id(len(tokens) - 1)
    writer.add_eos_token_id(len(tokens) - 1)
    rng = np.random.default_rng(0)
    writer.add_tensor("output_norm.weight", np.ones(32, dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", quantize(rng.standard_normal((2, 32), dtype=np.float32), Q.Q8_0),
                      raw_dtype=Q.Q8_0)
    writer.add_tensor("blk.0.attn_k.weight", rng.standard_normal((2, 8)).astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def configs() -> None:
    for name in ["gpt2-tiny", "newgpt-tiny", "longmem-tiny", "longmem-text-tiny"]:
        copy("config", f"{name}.json", FIXTURES / name / "config.json")
    copy("config", "llama-tied.json", FIXTURES / "llama-tiny" / "tied" / "config.json")
    copy("config", "llama-untied.json", FIXTURES / "llama-tiny" / "untied" / "config.json")


def tokenizers() -> None:
    vocabulary, merges = tiny_bpe()
    merges_text = "#version: 0.2\n" + "".join(f"{left} {right}\n" for left, right in merges)
    put("tokenizer", "vocab-merges", b"1" + json.dumps(vocabulary).encode() + b"\0" + merges_text.encode())
    document = {"version": "1.0", "added_tokens": [{"id": vocabulary["<|endoftext|>"], "content": "<|endoftext|>",
                                                    "special": True}],
                "model": {"type": "BPE", "vocab": vocabulary, "merges": [f"{a} {b}" for a, b in merges]}}
    put("tokenizer", "tokenizer-json-strings", b"0" + json.dumps(document).encode())
    document["model"]["merges"] = [[a, b] for a, b in merges]
    put("tokenizer", "tokenizer-json-pairs", b"0" + json.dumps(document).encode())
    dictionary = "".join(f"{vocabulary[token]} {1000 - index}\n" for index, token in enumerate(list(vocabulary)[:40]))
    dictionary += "madeupword0000 0\n<s> 0 #fairseq:overwrite\n"
    put("tokenizer", "dict", b"2" + dictionary.encode())


def chapterbreak() -> None:
    example = {"ctx": "Chapter 1\n\nIt was a dark night.", "pos": "Chapter 2\n\nMorning came.",
               "negs": ["Chapter 9 a", "Chapter 3 b", "c", "d\u00e9", "e \u4e2d"]}
    put("chapterbreak", "both-splits.json",
        json.dumps({"pg19": {"100": [example]}, "ao3": {"work-1": [example, example]}}).encode())
    put("chapterbreak", "pg19-only.json", json.dumps({"pg19": {"7": []}}, indent=1).encode())


def icl() -> None:
    put("icl", "sst2", b"0sentence\tlabel\na gripping film\t1\ndull .\t0\n")
    put("icl", "mr", b"11 a charming , funny movie\n0 tedious\r\n")
    put("icl", "subj", b'21 "the plot unfolds in paris"\n0 i loved it\n')
    put("icl", "sst5", b"34 a masterpiece\n0 awful\n2 fine\n")
    put("icl", "mpqa", b"40 fails\n1 supports\n")


def results() -> None:
    runs = FIXTURES / "report" / "runs"
    copy("results", "results-chapterbreak", runs / "chapterbreak-local" / "results.json", "0")
    copy("results", "results-perplexity", runs / "perplexity-local" / "results.json", "0")
    copy("results", "results-icl", runs / "icl-longmem" / "results.json", "0")
    document = json.loads((runs / "chapterbreak-local" / "results.json").read_text())
    keys = ["task", "protocol", "method", "model", "options", "seeds", "data_files", "notes"]
    specification = {key: document[key] for key in keys} | {"shard": {"index": 0, "count": 2}}
    put("results", "run-json", b"1" + json.dumps(specification, indent=2, sort_keys=True).encode())
    copy("results", "samples-chapterbreak", runs / "chapterbreak-local" / "samples.jsonl", "2")
    copy("results", "samples-icl", runs / "icl-local" / "samples.jsonl", "2")
    copy("results", "samples-perplexity", runs / "perplexity-local" / "samples.jsonl", "2")
    copy("results", "baseline", FIXTURES / "report" / "baselines" / "chapterbreak-longmem.json", "3")


def main() -> None:
    shutil.rmtree(CORPUS, ignore_errors=True)
    for make in [safetensors, gguf_seeds, configs, tokenizers, chapterbreak, icl, results]:
        make()
    for folder in sorted(CORPUS.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
