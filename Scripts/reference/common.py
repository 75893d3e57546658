"""Paths and the reference GPT-2 tokenizer shared by the fixture scripts."""
import json
import os
import pathlib

from tokenizers import Tokenizer, decoders, models, pre_tokenizers

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path(os.environ.get("LONGMEM_EVAL_DATA", ROOT.parent / "shared" / "datasets"))
FIXTURES = ROOT / "Tests" / "Fixtures"


def gpt2_tokenizer() -> Tokenizer:
    """OpenAI's GPT-2 BPE built with `tokenizers` directly.

    transformers 5.x's GPT2TokenizerFast(vocab_file=..., merges_file=...) silently builds an empty
    vocabulary, so the reference is assembled from the model, pre-tokenizer and decoder parts."""
    bpe_dir = DATA / "gpt2_bpe"
    vocab = json.loads((bpe_dir / "encoder.json").read_text(encoding="utf-8"))
    lines = (bpe_dir / "vocab.bpe").read_text(encoding="utf-8").split("\n")
    merges = [tuple(line.split(" ")) for line in lines[1:] if line]
    tokenizer = Tokenizer(models.BPE(vocab, merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    assert tokenizer.encode("Hello world!").ids == [15496, 995, 0]
    return tokenizer


def write_json(path: pathlib.Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
