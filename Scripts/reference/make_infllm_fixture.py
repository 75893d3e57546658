"""Writes Tests/Fixtures/infllm/: a tiny seeded Llama and InfLLM prefill log-probs from infllm_reference.py.

Pinned: torch 2.13.0+cpu, transformers 5.23.0, safetensors 0.8.0 (requirements.txt).

- model/: config.json + model.safetensors (F16, `save_pretrained`, tied embeddings) of a 3-layer Llama:
  hidden 64, 4 query heads, 2 KV heads (GQA group 2), head_dim 16, intermediate 96, vocabulary 256,
  rope_theta 10000, 256 positions. Weights are drawn with a larger spread than the default init and
  rounded to float16 before the reference runs, so the reference sees exactly the stored weights.
- expected.json:
    settings         block_size 8, n_init 4, n_local 32, topk 2, repr_topk 2, exc_block_size 16,
                     chunk_size 16 (prefill in chunks of one execution block), global_mask "infllm"
    ids              160 seeded random tokens (10 execution blocks; units form from block 2 on and are
                     retrieved by score from block 4 on, when a layer holds more than topk units)
    log_probs        InfLLM's natural-log probability of every token given the ones before it
                     (null for token 0), float64 reference
    log_probs_causal the same with global_mask "causal" (remainder tokens masked by distance, see
                     infllm_reference.py); differs from log_probs only where a block's earlier queries
                     saw remainder tokens twice
    log_probs_full   plain causal attention over the whole sequence (transformers' own forward, float64)
    blocks           per layer, per execution block: [start, end), units available, units retrieved
                     (ascending unit indices), whether they were scored, the initial-token count and the
                     global remainder range; units[l] gives each unit's first token
    margins          the smallest top-k score gap (retrieval) and repr_topk gap (representatives) over
                     all layers, so a float32 port can tell a near-tie from a bug
Self-checks (asserts): with n_local >= the sequence length the InfLLM path equals transformers'
log-probs (1e-5); retrieval differs between blocks in every layer; chunk_size 64 = chunk_size 16;
the float32 reference stays within 1e-4 of the float64 one; InfLLM differs from full attention.
With --official PATH (a checkout of thunlp/InfLLM) it also runs the official ContextManager on CPU
(torch path, the CUDA calls shimmed) inside the same Llama forward and checks it against expected.json.

Run: cd Scripts/reference && python3 make_infllm_fixture.py [--official /path/to/InfLLM]"""
import argparse
import contextlib
import copy
import importlib
import pathlib
import shutil
import sys
import tempfile

import torch
from transformers import LlamaConfig, LlamaForCausalLM

import infllm_reference as ref
from common import FIXTURES, write_json
from seeded_llama import causal_log_probs, seeded_llama

OUT = FIXTURES / "infllm"
SEED = 14
LENGTH = 160
SETTINGS = ref.InfLLMSettings(block_size=8, n_init=4, n_local=32, topk=2, repr_topk=2, exc_block_size=16,
                              chunk_size=16)


def build() -> LlamaForCausalLM:
    config = LlamaConfig(
        vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, max_position_embeddings=256, rms_norm_eps=1e-5,
        rope_theta=10000.0, tie_word_embeddings=True, hidden_act="silu", bos_token_id=None,
        eos_token_id=None, pad_token_id=None)
    return seeded_llama(config, SEED, spread=0.2)


def max_delta(a, b):
    return max(abs(x - y) for x, y in zip(a[1:], b[1:]))


# --------------------------------------------------------------------------------------------------
# Optional: the official ContextManager, run on CPU
# --------------------------------------------------------------------------------------------------

class _Event:
    def record(self, *args):
        pass

    def wait(self, *args):
        pass


def load_official(checkout: pathlib.Path, workdir: pathlib.Path):
    """Copies inf_llm/attention's torch path into a package with the hard-coded "cuda" devices and the
    is_cuda assert replaced; nothing else is changed."""
    src = checkout / "inf_llm" / "attention"
    package = workdir / "infllm_official"
    (package / "dot_production_attention").mkdir(parents=True)
    files = ["context_manager.py", "rope.py", "dot_production_attention/__init__.py",
             "dot_production_attention/base.py", "dot_production_attention/torch_impl.py"]
    for name in files:
        text = (src / name).read_text()
        for cuda in ('device = "cuda"', "device='cuda'", 'device="cuda"'):
            text = text.replace(cuda, cuda.replace("cuda", "cpu"))
        text = text.replace("assert _t.is_cuda", "pass")
        (package / name).write_text(text)
    (package / "__init__.py").write_text("")
    sys.path.insert(0, str(workdir))
    return importlib.import_module("infllm_official.context_manager"), importlib.import_module("infllm_official.rope")


def official_log_probs(checkout: pathlib.Path, folder: pathlib.Path, ids, settings, max_cached_block):
    config, w = ref.load_model(folder, torch.float32)
    c = config
    patches = {"Event": _Event, "current_stream": lambda *a: None, "stream": lambda s: contextlib.nullcontext()}
    saved = {k: getattr(torch.cuda, k) for k in patches}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for k, v in patches.items():
                setattr(torch.cuda, k, v)
            cm_module, rope_module = load_official(checkout, pathlib.Path(tmp))
            rope = rope_module.RotaryEmbeddingESM(c.head_dim, c.rope_theta, 1.0)  # patch.py:155-160
            managers = [cm_module.ContextManager(
                rope, settings.n_init, settings.n_local, settings.block_size, max_cached_block, settings.topk,
                settings.exc_block_size, None, False, settings.repr_topk, "lru", None, False, False, False,
                False) for _ in range(c.num_layers)]
            log_probs = [None]
            with torch.inference_mode():
                for s in range(0, len(ids), settings.chunk_size):  # greedy_search.py:52-61
                    e = min(s + settings.chunk_size, len(ids))
                    h = w["model.embed_tokens.weight"][torch.tensor(ids[s:e])]
                    for layer, manager in enumerate(managers):
                        p = f"model.layers.{layer}."
                        x = ref.rms_norm(h, w[p + "input_layernorm.weight"], c.rms_norm_eps)
                        q = (x @ w[p + "self_attn.q_proj.weight"].T).view(1, e - s, c.num_heads, c.head_dim).permute(0, 2, 1, 3).contiguous()
                        k = (x @ w[p + "self_attn.k_proj.weight"].T).view(1, e - s, c.num_kv_heads, c.head_dim).permute(0, 2, 1, 3).contiguous()
                        v = (x @ w[p + "self_attn.v_proj.weight"].T).view(1, e - s, c.num_kv_heads, c.head_dim).permute(0, 2, 1, 3).contiguous()
                        o = manager.append(q, k, v, q, k, v)  # inf_llm.py:61-67
                        o = o.view(1, c.num_heads, e - s, c.head_dim).permute(0, 2, 1, 3).reshape(e - s, -1)
                        h = h + o @ w[p + "self_attn.o_proj.weight"].T
                        h = h + ref.mlp(ref.rms_norm(h, w[p + "post_attention_layernorm.weight"], c.rms_norm_eps), w, p)
                    lp = torch.log_softmax(ref.rms_norm(h, w["model.norm.weight"], c.rms_norm_eps) @ w["lm_head.weight"].T, dim=-1)
                    for i in range(s, e):
                        if i + 1 < len(ids):
                            log_probs.append(lp[i - s, ids[i + 1]].item())
        finally:
            for k, v in saved.items():
                setattr(torch.cuda, k, v)
            sys.path.pop(0)
    return log_probs


# --------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--official", type=pathlib.Path, help="a checkout of thunlp/InfLLM to check against")
    args = parser.parse_args()

    torch.set_num_threads(1)
    shutil.rmtree(OUT, ignore_errors=True)
    model = build()
    copy.deepcopy(model).half().save_pretrained(OUT / "model", safe_serialization=True)
    for path in OUT.rglob("generation_config.json"):
        path.unlink()
    ids = torch.randint(0, 256, (LENGTH,), generator=torch.Generator().manual_seed(SEED + 1)).tolist()

    config, weights = ref.load_model(OUT / "model", torch.float64)
    # transformers' own forward in float64 (its float32 forward is itself ~1e-5 off at these logits)
    full = causal_log_probs(copy.deepcopy(model).double(), ids)
    full32 = causal_log_probs(model, ids)

    # Self-check 1: with the window covering the sequence, InfLLM is plain causal attention.
    wide = ref.InfLLMSettings(block_size=8, n_init=4, n_local=LENGTH, topk=2, repr_topk=2, exc_block_size=16)
    wide_lp, wide_mem = ref.infllm_log_probs(config, weights, ids, wide)
    assert all(len(m.unit_keys) == 0 and m.init_len == 0 for m in wide_mem)
    d = max_delta(wide_lp, full)
    assert d < 1e-5, f"n_local >= length differs from transformers by {d}"
    d_own = max_delta(ref.full_attention_log_probs(config, weights, ids), full)
    assert d_own < 1e-5, f"own full forward differs from transformers by {d_own}"
    print(f"self-check: wide-window InfLLM vs transformers (float64) {d:.2e}, own full forward {d_own:.2e}; "
          f"transformers float32 vs float64 {max_delta(full32, full):.2e}")

    # The fixture's run.
    lp, memories = ref.infllm_log_probs(config, weights, ids, SETTINGS)
    causal = ref.InfLLMSettings(**{**SETTINGS.__dict__, "global_mask": "causal"})
    lp_causal, _ = ref.infllm_log_probs(config, weights, ids, causal)
    chunked = ref.InfLLMSettings(**{**SETTINGS.__dict__, "chunk_size": 64})
    d_chunk = max_delta(ref.infllm_log_probs(config, weights, ids, chunked)[0], lp)
    assert d_chunk < 1e-12, f"chunk_size 64 differs from 16 by {d_chunk}"
    config32, weights32 = ref.load_model(OUT / "model", torch.float32)
    lp32, memories32 = ref.infllm_log_probs(config32, weights32, ids, SETTINGS)
    d32 = max_delta(lp32, lp)
    assert d32 < 1e-4, f"float32 reference drifts by {d32}"
    assert [[t.retrieved for t in m.traces] for m in memories32] == [[t.retrieved for t in m.traces] for m in memories]

    for layer, memory in enumerate(memories):
        scored = [tuple(t.retrieved) for t in memory.traces if t.scored]
        assert len(scored) >= 3 and len(set(scored)) >= 3, f"layer {layer}: retrieval barely changes: {scored}"
    per_layer = [[tuple(t.retrieved) for t in m.traces] for m in memories]
    assert len({tuple(x) for x in per_layer}) > 1, "every layer retrieved the same units"
    d_full = max_delta(lp, full)
    d_causal = max_delta(lp, lp_causal)
    assert d_full > 1e-2 and d_causal > 1e-3
    topk_gap = min(t.topk_gap for m in memories for t in m.traces if t.scored)
    repr_gap = min(g for m in memories for g in m.repr_gaps)
    assert topk_gap > 1e-3 and repr_gap > 1e-6, (topk_gap, repr_gap)
    print(f"InfLLM vs full attention {d_full:.3f}, vs causal-masked global part {d_causal:.3e}, "
          f"float32 {d32:.1e}; smallest top-k gap {topk_gap:.2e}, repr gap {repr_gap:.2e}")
    for layer, memory in enumerate(memories):
        print(f"layer {layer}: " + " ".join(f"{t.start}:{t.retrieved}" for t in memory.traces if t.scored))

    if args.official is not None:
        for max_cached in (SETTINGS.topk, 32):  # LRU eviction on and off: no effect on results
            official = official_log_probs(args.official, OUT / "model", ids, SETTINGS, max_cached)
            d_off = max_delta(official, lp)
            print(f"official ContextManager (CPU, float32, max_cached_block {max_cached}) vs reference: {d_off:.2e}")
            assert d_off < 1e-4

    nll = lambda x: -sum(x[1:]) / (len(x) - 1)
    write_json(OUT / "expected.json", {
        "settings": SETTINGS.as_json(),
        "source": "thunlp/InfLLM 12b70798f56e56ebb23c53c7018091a3f540a028; Scripts/reference/infllm_reference.py (float64)",
        "ids": ids,
        "mean_nll": {"infllm": nll(lp), "causal": nll(lp_causal), "full": nll(full)},
        "log_probs": lp,
        "log_probs_causal": lp_causal,
        "log_probs_full": full,
        "margins": {"min_topk_gap": topk_gap, "min_repr_gap": repr_gap},
        "units": [m.unit_starts for m in memories],
        "blocks": [[{"start": t.start, "end": t.end, "units": t.units_available, "retrieved": t.retrieved,
                     "scored": t.scored, "init": t.init_tokens, "remainder": list(t.remainder)}
                    for t in m.traces] for m in memories],
    })
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({size / 1024:.0f} KB); mean NLL infllm {nll(lp):.4f} causal {nll(lp_causal):.4f} "
          f"full {nll(full):.4f}")
    assert size < 300 * 1024


if __name__ == "__main__":
    main()
