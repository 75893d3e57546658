"""Builds the tiny seeded GPT-2 fixture and the reference scores the Swift tests compare with.

Writes Tests/Fixtures/gpt2-tiny/:
  config.json, model.safetensors  - `save_pretrained(safe_serialization=True)` of a random GPT-2 with the
                                    real 50,257-token vocabulary (width 16, 2 layers, 64 positions),
                                    stored as float16 to keep the file small
  reference.json                  - per-token log-probs from transformers over disjoint windows, and
                                    lm-eval's `loglikelihood` / `loglikelihood_rolling` answers

The weights are rounded to float16 before anything is computed, so the float32 reference sees
exactly the values the Swift loader reads. Run: python3 Scripts/reference/make_gpt2_fixture.py
"""
import json
import shutil
import tempfile

import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from common import FIXTURES, gpt2_tokenizer, write_json

OUT = FIXTURES / "gpt2-tiny"
SEED = 1234

TEXTS = [
    "The quick brown fox jumps over the lazy dog. It's 9:45 a.m. and the café is open; "
    "don't forget: 3.14159 is π, roughly. 日本語のテキストも少し。 Emoji 👩‍💻 and   spaces.",
    "Call me Ishmael. Some years ago - never mind how long precisely - having little or no money in my purse, "
    "and nothing particular to interest me on shore, I thought I would sail about a little and see the watery "
    "part of the world. It is a way I have of driving off the spleen and regulating the circulation.",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))\n",
]

LOGLIKELIHOOD_REQUESTS = [
    ("The cat sat on the", " mat"),
    ("Review: a gripping, well acted film. Sentiment:", " positive"),
    ("Review: a gripping, well acted film. Sentiment:", " negative"),
    ("Trailing spaces move to the continuation   ", "here"),
    ("", "An empty context is replaced by the end-of-text token."),
    (TEXTS[1], " And so it goes."),  # longer than the 64-token window: left-truncated
]


def build_model() -> GPT2LMHeadModel:
    torch.manual_seed(SEED)
    config = GPT2Config(
        vocab_size=50257, n_positions=64, n_embd=16, n_layer=2, n_head=2,
        activation_function="gelu_new", layer_norm_epsilon=1e-5, initializer_range=0.35,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    )
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "ln_" in name or name.endswith(".bias"):
                parameter.add_(torch.randn_like(parameter) * 0.2)  # default LayerNorm/bias init is constant
        for parameter in model.parameters():
            parameter.copy_(parameter.half().float())
    return model


def window_logprobs(model, ids, window):
    """Each token's log-prob given the preceding tokens of its disjoint window (None for a window's first)."""
    result = []
    for start in range(0, len(ids), window):
        chunk = ids[start:start + window]
        with torch.no_grad():
            logits = model(torch.tensor([chunk])).logits[0].float()
        logprobs = torch.log_softmax(logits, dim=-1)
        result.append(None)
        result += [logprobs[i - 1, chunk[i]].item() for i in range(1, len(chunk))]
    return result


def greedy_request(model, tokenizer, context="Numbers: 1, 2, 3,"):
    """A (context, continuation) pair whose continuation is the model's argmax token, so `is_greedy` is true."""
    ids = tokenizer.encode(context).ids
    with torch.no_grad():
        best = model(torch.tensor([ids])).logits[0, -1].argmax().item()
    continuation = tokenizer.decode([best])
    assert tokenizer.encode(context + continuation).ids == ids + [best], "greedy token merges with the context"
    return context, continuation


def lm_eval_answers(model_dir, tokenizer, requests):
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(model_dir, scratch, dirs_exist_ok=True)
        fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
        fast.save_pretrained(scratch)
        lm = HFLM(pretrained=scratch, device="cpu", batch_size=1, dtype="float32")
        pairs = lm.loglikelihood([Instance("loglikelihood", {}, pair, i) for i, pair in enumerate(requests)])
        rolling = lm.loglikelihood_rolling([Instance("loglikelihood_rolling", {}, (t,), i) for i, t in enumerate(TEXTS)])
    return (
        [{"context": c, "continuation": x, "logprob": lp, "is_greedy": bool(g)}
         for (c, x), (lp, g) in zip(requests, pairs)],
        [{"text": t, "logprob": lp} for t, lp in zip(TEXTS, rolling)],
    )


def main():
    tokenizer = gpt2_tokenizer()
    model = build_model()
    OUT.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(OUT, safe_serialization=True)
    model.float()
    for extra in OUT.glob("generation_config.json"):
        extra.unlink()
    documents = []
    for text in TEXTS:
        ids = tokenizer.encode(text).ids
        documents.append({
            "text": text, "ids": ids,
            "windows": {str(w): window_logprobs(model, ids, w) for w in (64, 16)},
        })
    requests = LOGLIKELIHOOD_REQUESTS + [greedy_request(model, tokenizer)]
    loglikelihood, rolling = lm_eval_answers(OUT, tokenizer, requests)
    assert loglikelihood[-1]["is_greedy"], "lm-eval disagrees that the greedy continuation is greedy"
    write_json(OUT / "reference.json", {
        "generator": "Scripts/reference/make_gpt2_fixture.py",
        "torch": torch.__version__, "seed": SEED,
        "documents": documents, "loglikelihood": loglikelihood, "loglikelihood_rolling": rolling,
    })
    print(json.dumps({"documents": len(documents), "loglikelihood": loglikelihood}, indent=1)[:2000])


if __name__ == "__main__":
    main()
