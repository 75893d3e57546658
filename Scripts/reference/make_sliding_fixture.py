"""Writes Tests/Fixtures/infllm/sliding.json: sliding-window log-probs of the InfLLM fixture's model and ids.

Pinned: torch 2.13.0+cpu, transformers 5.23.0 (requirements.txt). Run make_infllm_fixture.py first; this
script reads its model/ and expected.json and changes neither.

- window     32 (the InfLLM fixture's n_local): each query attends to the 32 keys up to itself
- log_probs  the natural-log probability of every token given the ones before it (null for token 0),
             from transformers' Mistral forward (its own sliding-window mask) on the fixture's Llama
             weights, in float64

Self-checks (asserts): the hand-written forward of infllm_reference.py with the same band mask agrees
within 1e-5 (transformers' rotary tables are float32, ~5e-6 even without a window); the first 32 tokens
equal plain causal attention; later ones differ from it.

Run: cd Scripts/reference && python3 make_sliding_fixture.py"""
import json

import torch
from safetensors.torch import load_file
from transformers import MistralConfig, MistralForCausalLM

import infllm_reference as ref
from common import FIXTURES, write_json

FOLDER = FIXTURES / "infllm"
WINDOW = 32


def mistral_log_probs(ids: list[int]) -> list[float | None]:
    """transformers' Mistral (a Llama with a sliding-window mask) on the fixture's weights, float64."""
    raw = json.loads((FOLDER / "model" / "config.json").read_text())
    keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "max_position_embeddings", "rms_norm_eps", "tie_word_embeddings")
    config = MistralConfig(**{k: raw[k] for k in keys}, rope_theta=raw.get("rope_theta", 10000.0),
                           sliding_window=WINDOW, hidden_act="silu", attn_implementation="eager")
    model = MistralForCausalLM(config).double().eval()
    weights = {k: v.double() for k, v in load_file(FOLDER / "model" / "model.safetensors").items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and set(missing) <= {"lm_head.weight"}, (missing, unexpected)
    model.tie_weights()
    with torch.inference_mode():
        logits = model(torch.tensor([ids])).logits[0]
    lp = torch.log_softmax(logits, dim=-1)
    return [None] + [lp[i - 1, ids[i]].item() for i in range(1, len(ids))]


def main():
    torch.set_num_threads(1)
    ids = json.loads((FOLDER / "expected.json").read_text())["ids"]
    sliding = mistral_log_probs(ids)
    config, weights = ref.load_model(FOLDER / "model", torch.float64)
    own = ref.full_attention_log_probs(config, weights, ids, window=WINDOW)
    full = ref.full_attention_log_probs(config, weights, ids)
    d_own = max(abs(a - b) for a, b in zip(sliding[1:], own[1:]))
    assert d_own < 1e-5, f"transformers' sliding window and the hand-written band mask differ by {d_own}"
    d_head = max(abs(a - b) for a, b in zip(sliding[1:WINDOW], full[1:WINDOW]))
    d_tail = max(abs(a - b) for a, b in zip(sliding[WINDOW:], full[WINDOW:]))
    assert d_head < 1e-5 and d_tail > 1e-2, (d_head, d_tail)
    print(f"self-check: Mistral vs band-masked forward {d_own:.1e}; vs causal: first {WINDOW} tokens "
          f"{d_head:.1e}, later {d_tail:.3f}")
    write_json(FOLDER / "sliding.json", {"window": WINDOW, "log_probs": sliding})


if __name__ == "__main__":
    main()
