"""Writes Tests/Fixtures/infllm/no_memory.json: `infllm-no-memory` log-probs of the InfLLM fixture's model
and tokens.

Pinned: torch 2.13.0+cpu, transformers 5.23.0 (requirements.txt). Run make_infllm_fixture.py first; this
script reads its model/ and expected.json and changes neither.

- settings        the InfLLM fixture's (n_local 32, exec block 16, n_init 4, ...), memory off
- log_probs       infllm_reference.py with memory off: each query attends to its 32-key local window and
                  the 4 initial tokens (at distance n_local - 1), no units; float64
- log_probs_sliding  the same with n_init 0, the sliding window alone: transformers' Mistral forward (its
                  own sliding-window mask, each query sees the 32 keys up to itself) on the fixture's
                  Llama weights, float64

Self-checks (asserts): with n_init 0 the reference agrees with its own plain forward under a band mask
and with transformers' sliding window within 2e-5 (rotary angle tables are float32 in all three, as in
InfLLM's code, and InfLLM rotates at positions within the window, the others at absolute positions); the
first 32 tokens equal plain causal attention; the initial tokens and InfLLM's memory each change later
log-probs.

Run: cd Scripts/reference && python3 make_infllm_no_memory_fixture.py"""
import dataclasses
import json

import torch
from safetensors.torch import load_file
from transformers import MistralConfig, MistralForCausalLM

import infllm_reference as ref
from common import FIXTURES, write_json

FOLDER = FIXTURES / "infllm"


def mistral_log_probs(ids: list[int], window: int) -> list[float | None]:
    """transformers' Mistral (a Llama with a sliding-window mask) on the fixture's weights, float64."""
    raw = json.loads((FOLDER / "model" / "config.json").read_text())
    keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "max_position_embeddings", "rms_norm_eps", "tie_word_embeddings")
    config = MistralConfig(**{k: raw[k] for k in keys}, rope_theta=raw.get("rope_theta", 10000.0),
                           sliding_window=window, hidden_act="silu", attn_implementation="eager")
    model = MistralForCausalLM(config).double().eval()
    weights = {k: v.double() for k, v in load_file(FOLDER / "model" / "model.safetensors").items()}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and set(missing) <= {"lm_head.weight"}, (missing, unexpected)
    model.tie_weights()
    with torch.inference_mode():
        logits = model(torch.tensor([ids])).logits[0]
    lp = torch.log_softmax(logits, dim=-1)
    return [None] + [lp[i - 1, ids[i]].item() for i in range(1, len(ids))]


def max_delta(a, b, start=1, end=None):
    return max(abs(x - y) for x, y in zip(a[start:end], b[start:end]))


def main():
    torch.set_num_threads(1)
    fixture = json.loads((FOLDER / "expected.json").read_text())
    ids = fixture["ids"]
    settings = ref.InfLLMSettings(**{k: v for k, v in fixture["settings"].items() if k != "global_mask"},
                                  memory=False)
    window = settings.n_local
    config, weights = ref.load_model(FOLDER / "model", torch.float64)
    no_memory, _ = ref.infllm_log_probs(config, weights, ids, settings)
    alone, _ = ref.infllm_log_probs(config, weights, ids, dataclasses.replace(settings, n_init=0))
    sliding = mistral_log_probs(ids, window)
    band = ref.full_attention_log_probs(config, weights, ids, window=window)
    full = ref.full_attention_log_probs(config, weights, ids)

    d_alone, d_band = max_delta(alone, band), max_delta(alone, sliding)
    assert d_alone < 2e-5 and d_band < 2e-5, (d_alone, d_band)
    d_head, d_tail = max_delta(sliding, full, end=window), max_delta(sliding, full, start=window)
    assert d_head < 1e-5 and d_tail > 1e-2, (d_head, d_tail)
    d_init, d_memory = max_delta(no_memory, alone), max_delta(no_memory, fixture["log_probs"])
    assert d_init > 1e-2 and d_memory > 1e-2, (d_init, d_memory)
    print(f"self-check: n_init 0 vs the band-masked forward {d_alone:.1e}, vs transformers' sliding window "
          f"{d_band:.1e}; vs causal: first {window} tokens {d_head:.1e}, later {d_tail:.3f}; initial tokens "
          f"move log-probs by up to {d_init:.3f}, InfLLM's memory by {d_memory:.3f}")
    write_json(FOLDER / "no_memory.json",
               {"settings": settings.as_json(), "log_probs": no_memory, "log_probs_sliding": sliding})


if __name__ == "__main__":
    main()
