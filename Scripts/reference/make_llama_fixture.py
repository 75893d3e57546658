"""Writes Tests/Fixtures/llama-tiny/: seeded random Llama models and transformers' per-token log-probs.

Pinned: torch 2.13.0+cpu, transformers 5.23.0, safetensors 0.8.0, gguf 0.19.0, numpy (requirements.txt).

- tied/ and untied/: config.json + model.safetensors (F16) of a 2-layer Llama (hidden 64, 4 heads, 2 KV
  heads, head_dim 16, intermediate 96, vocabulary 256, rope_theta 500, 128 positions), written by
  `save_pretrained`; tied/ has `tie_word_embeddings` and no lm_head.weight. Weights are drawn with a
  larger spread than the default init, norm weights are random too, and everything is rounded to
  float16 before the reference runs, so the reference sees exactly the stored weights.
- gguf/tiny.gguf: the tied model as llama.cpp's converter writes it (q and k rows permuted for its RoPE
  layout, matrices Q8_0, norms F32, GPT-2-style byte-level vocabulary of the 256 byte tokens).
- unsupported/gpt2.gguf: a GGUF whose general.architecture is "gpt2" and that has no tensors.
- reference.json: for each model ("tied", "untied", "gguf") and each sequence, transformers' float32
  log-probability (natural log) of every token given the ones before it (null for the first token).
  The "gguf" entry comes from transformers loading gguf/tiny.gguf (`gguf_file=`), which dequantises
  and undoes the permutation itself.

Run: cd Scripts/reference && python3 make_llama_fixture.py"""
import copy
import shutil

import numpy as np
import torch
from gguf import GGMLQuantizationType as Q, GGUFWriter, TokenType
from gguf.quants import quantize
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

from common import FIXTURES, write_json
from seeded_llama import causal_log_probs, seeded_llama

OUT = FIXTURES / "llama-tiny"
SEQUENCE_LENGTHS = [1, 7, 40, 128]


def config(tied: bool) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=500.0,
        tie_word_embeddings=tied, hidden_act="silu", bos_token_id=None, eos_token_id=None, pad_token_id=None)


def build(tied: bool, seed: int) -> LlamaForCausalLM:
    return seeded_llama(config(tied), seed, spread=0.15)


def sequences() -> list[list[int]]:
    generator = torch.Generator().manual_seed(1234)
    return [torch.randint(0, 256, (n,), generator=generator).tolist() for n in SEQUENCE_LENGTHS]


def permute(weights: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf.py's LlamaModel.permute: HF rotate_half rows -> interleaved pairs."""
    return (weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def byte_tokens() -> list[str]:
    """GPT-2's byte -> unicode table, in byte order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + extra)
            extra += 1
    return [table[b] for b in range(256)]


def write_gguf(model: LlamaForCausalLM, path) -> None:
    c = model.config
    writer = GGUFWriter(str(path), "llama")
    writer.add_name("llama-tiny")
    writer.add_block_count(c.num_hidden_layers)
    writer.add_context_length(c.max_position_embeddings)
    writer.add_embedding_length(c.hidden_size)
    writer.add_feed_forward_length(c.intermediate_size)
    writer.add_head_count(c.num_attention_heads)
    writer.add_head_count_kv(c.num_key_value_heads)
    writer.add_rope_freq_base(c.rope_theta if hasattr(c, "rope_theta") else c.rope_parameters["rope_theta"])
    writer.add_layer_norm_rms_eps(c.rms_norm_eps)
    writer.add_rope_dimension_count(c.hidden_size // c.num_attention_heads)
    writer.add_vocab_size(c.vocab_size)
    writer.add_file_type(7)  # MOSTLY_Q8_0
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(byte_tokens())
    writer.add_token_types([TokenType.NORMAL] * 256)
    writer.add_token_merges([])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    state = {k: v.float().numpy() for k, v in model.state_dict().items()}
    names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight"}
    parts = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}
    for layer in range(c.num_hidden_layers):
        for hf, gg in parts.items():
            names[f"model.layers.{layer}.{hf}.weight"] = f"blk.{layer}.{gg}.weight"
    for hf, gg in names.items():
        data = state[hf]
        if gg.endswith("attn_q.weight"):
            data = permute(data, c.num_attention_heads)
        elif gg.endswith("attn_k.weight"):
            data = permute(data, c.num_key_value_heads)
        if data.ndim == 2:
            writer.add_tensor(gg, quantize(data, Q.Q8_0), raw_dtype=Q.Q8_0)
        else:
            writer.add_tensor(gg, data.astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_unsupported(path) -> None:
    writer = GGUFWriter(str(path), "gpt2")
    writer.add_block_count(1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    ids = sequences()
    reference = {"sequences": ids, "models": {}}
    for name, tied, seed in [("tied", True, 0), ("untied", False, 1)]:
        model = build(tied, seed)
        # A copy: half() would also round the model's RoPE inv_freq buffer, which the reference must not see.
        copy.deepcopy(model).half().save_pretrained(OUT / name, safe_serialization=True)
        reference["models"][name] = [causal_log_probs(model, s) for s in ids]
        if tied:
            (OUT / "gguf").mkdir(parents=True)
            write_gguf(model, OUT / "gguf" / "tiny.gguf")
            from_gguf = AutoModelForCausalLM.from_pretrained(
                OUT / "gguf", gguf_file="tiny.gguf", dtype=torch.float32).eval()
            reference["models"]["gguf"] = [causal_log_probs(from_gguf, s) for s in ids]
            # Q8_0 rounding moves log-probs by ~0.2 at most (with F32 matrices the round trip is exact,
            # 0.0); a wrong permutation would move them by whole nats.
            drift = max(abs(a - b) for x, y in zip(reference["models"]["gguf"], reference["models"]["tied"])
                        for a, b in zip(x[1:], y[1:]))
            assert drift < 0.5, f"GGUF round trip drifts by {drift}"
            print(f"GGUF (Q8_0) vs safetensors (F16): max |delta log-prob| {drift:.3f}")
    (OUT / "unsupported").mkdir(parents=True)
    write_unsupported(OUT / "unsupported" / "gpt2.gguf")
    for path in OUT.rglob("generation_config.json"):
        path.unlink()
    write_json(OUT / "reference.json", reference)
    spread = [v for s in reference["models"]["tied"] for v in s if v is not None]
    print(f"wrote {OUT}; tied log-probs range {min(spread):.2f} .. {max(spread):.2f}")


if __name__ == "__main__":
    main()
