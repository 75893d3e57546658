"""Independent PyTorch reference of InfLLM (Xiao et al., 2024) prefill on a Llama model folder.

What it computes follows the official code, thunlp/InfLLM at 12b70798 (2024-04-20), as summarised with
file:line citations in docs/INFLLM.md; the comments name the official function each step follows
(`cm.` = inf_llm/attention/context_manager.py). It is a re-implementation written for reading, not a
copy: one class of plain tensors per layer instead of ContextManager's GPU buffers, LRU cache and streams
(which do not change results), and absolute token indices instead of its sliding buffer offsets.

Scope: batch 1, CPU, float64 by default (float32 on request), `cache_strategy` lru, `perhead` off,
`chunk_topk_calc` off, `distance_scale` 1, RoPE base = the model's rope_theta (the yaml's `base`).

Dimension legend
  T  tokens          H  query heads       G  key/value heads       g = H / G (GQA group size)
  D  head dim        C  hidden size       F  MLP width             V  vocabulary
  L  tokens in the current execution block      W  tokens in its local key slice (<= n_local + L)
  N  memory units (blocks of block_size tokens) in the layer's memory

The model: Llama (RMSNorm, rotary attention with rotate_half, SiLU-gated MLP), weights from an HF folder
(config.json + model.safetensors); the forward is our own so that attention is under our control.

InfLLM, per layer, per execution block [s, e) of the prefill (see docs/INFLLM.md for the citations):
  local part   keys [max(s - n_local, 0), e), rotated at their index inside that slice, queries likewise;
               query i sees key j iff 0 <= i - j < n_local (n_local keys, itself included)
  global part  queries rotated at the single position n_local - 1; keys unrotated (position 0):
               the retrieved units (all of them while N <= topk, otherwise the topk by
               sum_h <mean_i rot(q_{h,i}), unit_key_h>), the n_init initial tokens, and the remainder
               tokens not yet in a unit that lie n_local or more before the block's LAST query
               (indices [rem_start, e - n_local)).
  one softmax over [local ; global] logits (scaled by 1/sqrt(D)); output p_local v_local + p_global v_global.
  afterwards   every local key's score += attention it received from the block's queries (per query
               head, summed over queries); the oldest remainder tokens fill the n_init initial tokens,
               then whole units of block_size tokens are cut while n_local tokens stay behind them; a unit's
               key per query head h = mean of the unrotated keys (KV head h // g) of the repr_topk tokens
               with the highest score for head h; the unit key concatenates the H heads.

`global_mask`:
  "infllm" (default) as the official code behaves: its complement-sliding-window mask on the global part
           is offset by the whole remainder buffer length (cm.437), so it never masks anything and every
           query of a block sees every global key, including remainder tokens that are also inside its
           own local window (all but the block's last query see up to L - 1 tokens twice).
  "causal" the evident intent: remainder token r is visible to query i only if i - r >= n_local.
The two agree when exc_block_size = 1 (decoding).

Run (self-check on a model folder):
  python3 infllm_reference.py MODEL_DIR --length 160 --block-size 8 --n-init 4 --n-local 32 --topk 2 \
      --repr-topk 2 --exc-block-size 16
"""
from __future__ import annotations

import argparse
import json
import math
import pathlib
from dataclasses import dataclass, field
from typing import Optional

import torch
from safetensors.torch import load_file

Tensor = torch.Tensor


# --------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InfLLMSettings:
    """The yaml's `model:` entries that change results (config/*-inf-llm.yaml; defaults in brackets
    are the official configs': block_size 128, n_init 128, n_local 4096, topk 16, repr_topk 4,
    exc_block_size 512, chunk_size 8192)."""
    block_size: int
    n_init: int
    n_local: int
    topk: int
    repr_topk: int
    exc_block_size: int
    chunk_size: Optional[int] = None  # prefill chunk (greedy_search.py); None = exc_block_size
    global_mask: str = "infllm"  # "infllm" (the code's behaviour) or "causal" (see module docstring)
    memory: bool = True  # False: no units, the global part is the initial tokens alone (infllm-no-memory)

    def __post_init__(self):
        if self.block_size < 1:
            raise ValueError("block_size must be >= 1")
        if self.repr_topk < 1 or self.repr_topk > self.block_size:
            raise ValueError("repr_topk must be in 1...block_size")
        if self.topk < 1:
            raise ValueError("topk must be >= 1")
        if self.n_init < 0:
            raise ValueError("n_init must be >= 0")
        if self.exc_block_size < 1 or self.exc_block_size > self.n_local:
            raise ValueError("exc_block_size must be in 1...n_local (cm.219)")
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")
        if self.global_mask not in ("infllm", "causal"):
            raise ValueError("global_mask must be 'infllm' or 'causal'")

    def as_json(self) -> dict:
        return {"block_size": self.block_size, "n_init": self.n_init, "n_local": self.n_local,
                "topk": self.topk, "repr_topk": self.repr_topk, "exc_block_size": self.exc_block_size,
                "chunk_size": self.chunk_size or self.exc_block_size, "global_mask": self.global_mask,
                "memory": self.memory}


def execution_blocks(length: int, settings: InfLLMSettings) -> list[tuple[int, int]]:
    """[s, e) of every execution block: the prefill feeds chunks of chunk_size (greedy_search.py:52-61)
    and each layer cuts every chunk into blocks of exc_block_size from the chunk's start (cm.762-763)."""
    chunk = settings.chunk_size or settings.exc_block_size
    blocks = []
    for c in range(0, length, chunk):
        c_end = min(c + chunk, length)
        for s in range(c, c_end, settings.exc_block_size):
            blocks.append((s, min(s + settings.exc_block_size, c_end)))
    return blocks


# --------------------------------------------------------------------------------------------------
# The Llama model (HF folder)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LlamaConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    rms_norm_eps: float
    rope_theta: float
    tie_word_embeddings: bool

    @staticmethod
    def from_json(raw: dict) -> "LlamaConfig":
        theta = raw.get("rope_theta")
        if theta is None:
            rope = raw.get("rope_parameters") or {}
            if rope.get("rope_type", "default") != "default":
                raise ValueError("only default (unscaled) RoPE is supported, as in InfLLM's rope.py")
            theta = rope.get("rope_theta", 10000.0)
        heads = raw["num_attention_heads"]
        return LlamaConfig(
            vocab_size=raw["vocab_size"], hidden_size=raw["hidden_size"],
            intermediate_size=raw["intermediate_size"], num_layers=raw["num_hidden_layers"],
            num_heads=heads, num_kv_heads=raw.get("num_key_value_heads", heads),
            head_dim=raw.get("head_dim") or raw["hidden_size"] // heads, rms_norm_eps=raw["rms_norm_eps"],
            rope_theta=float(theta), tie_word_embeddings=raw.get("tie_word_embeddings", False))


def load_model(folder: pathlib.Path, dtype=torch.float64) -> tuple[LlamaConfig, dict[str, Tensor]]:
    folder = pathlib.Path(folder)
    config = LlamaConfig.from_json(json.loads((folder / "config.json").read_text()))
    weights = {k: v.to(dtype) for k, v in load_file(str(folder / "model.safetensors")).items()}
    if "lm_head.weight" not in weights:
        weights["lm_head.weight"] = weights["model.embed_tokens.weight"]
    return config, weights


def rms_norm(x: Tensor, weight: Tensor, eps: float) -> Tensor:
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope(x: Tensor, positions: Tensor, theta: float) -> Tensor:
    """rotate_half RoPE (rope.py:31-47): x (..., P, D) at `positions` (P,). The angle table is float32
    as in rope.py:22-25,74-79 (and transformers' LlamaRotaryEmbedding); the rotation runs in x's dtype."""
    d = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    angles = torch.outer(positions.to(torch.float32), inv_freq)
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


def mlp(x: Tensor, w: dict[str, Tensor], p: str) -> Tensor:
    gate = x @ w[p + "mlp.gate_proj.weight"].T
    up = x @ w[p + "mlp.up_proj.weight"].T
    return (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T


# --------------------------------------------------------------------------------------------------
# InfLLM's context memory for one layer (cm.ContextManager)
# --------------------------------------------------------------------------------------------------

@dataclass
class BlockTrace:
    """What one execution block of one layer did (for debugging a port)."""
    start: int
    end: int
    units_available: int
    retrieved: list[int]  # unit indices, ascending (cm.402 sorts them)
    scored: bool  # False while units_available <= topk: every unit is loaded unscored (cm.370-371)
    topk_gap: Optional[float] = None  # score(k-th) - score(k+1-th) when scored
    init_tokens: int = 0
    remainder: tuple[int, int] = (0, 0)  # global remainder token range [a, b)


@dataclass
class LayerMemory:
    config: LlamaConfig
    settings: InfLLMSettings
    keys: Tensor = None  # (G, T, D) unrotated keys of every token so far
    values: Tensor = None  # (G, T, D)
    score: Tensor = None  # (H, T) attention each token received in local attention, summed (cm.625)
    init_len: int = 0  # tokens [0, init_len) are the initial tokens (cm.632-646)
    rem_start: int = 0  # first token neither initial nor in a unit
    unit_starts: list[int] = field(default_factory=list)  # unit u holds [start, start + block_size)
    unit_keys: list[Tensor] = field(default_factory=list)  # each (H, D): per query head, concatenated
    repr_gaps: list[float] = field(default_factory=list)  # repr_topk-th minus next score, per unit
    traces: list[BlockTrace] = field(default_factory=list)

    def __post_init__(self):
        c = self.config
        dtype = torch.get_default_dtype()
        self.keys = torch.zeros((c.num_kv_heads, 0, c.head_dim), dtype=dtype)
        self.values = torch.zeros((c.num_kv_heads, 0, c.head_dim), dtype=dtype)
        self.score = torch.zeros((c.num_heads, 0), dtype=dtype)

    @property
    def group(self) -> int:
        return self.config.num_heads // self.config.num_kv_heads

    def expand(self, kv: Tensor) -> Tensor:
        """(G, P, D) -> (H, P, D): query head h reads KV head h // g (torch_impl.py:52-58, cm.280-289)."""
        return kv.repeat_interleave(self.group, dim=0)

    # ---- retrieval (cm.calc_block_topk) ----------------------------------------------------------

    def retrieve(self, global_q: Tensor) -> tuple[list[int], bool, Optional[float]]:
        """global_q: (H, L, D), already rotated at n_local - 1."""
        n = len(self.unit_keys)
        if n <= self.settings.topk:
            return list(range(n)), False, None
        mean_q = global_q.mean(dim=1)  # (H, D): the block's queries averaged per head (cm.373)
        unit_keys = torch.stack(self.unit_keys)  # (N, H, D)
        # inner product of the concatenated H*D vectors = sum over heads (cm.375, cm.159-163)
        scores = torch.einsum("hd,nhd->n", mean_q, unit_keys)
        top = torch.topk(scores, self.settings.topk + 1).values
        chosen = torch.topk(scores, self.settings.topk).indices.tolist()
        return sorted(chosen), True, (top[-2] - top[-1]).item()

    # ---- one execution block (cm._append + cm.get_global_hidden_and_mask + torch_impl) -----------

    def attend(self, q: Tensor, k: Tensor, v: Tensor, s: int, e: int) -> Tensor:
        """q (H, L, D), k/v (G, L, D): unrotated projections of tokens [s, e). Returns (H, L, D)."""
        st, c = self.settings, self.config
        assert self.keys.shape[1] == s and e - s == q.shape[1]
        self.keys = torch.cat((self.keys, k), dim=1)
        self.values = torch.cat((self.values, v), dim=1)
        self.score = torch.cat((self.score, torch.zeros((c.num_heads, e - s), dtype=self.score.dtype)), dim=1)
        length = e - s

        # local part (cm.772-779, cm.480-489): n_local keys before the block plus the block, rotated at
        # their index in that slice; the queries at the slice's last `length` indices.
        kv_st = max(s - st.n_local, 0)
        width = e - kv_st
        local_q = rope(q, torch.arange(width - length, width), c.rope_theta)
        local_k = self.expand(rope(self.keys[:, kv_st:e], torch.arange(width), c.rope_theta))
        local_v = self.expand(self.values[:, kv_st:e])
        dist = torch.arange(length)[:, None] - torch.arange(width)[None, :] + (width - length)
        local_mask = (dist >= 0) & (dist < st.n_local)  # torch_impl.py:67-78
        local_logits = (local_q @ local_k.transpose(-1, -2)).masked_fill(~local_mask, float("-inf"))

        # global part: query at one angle, position n_local - 1 (cm.745-747, rope.py:89-104)
        global_q = rope(q, torch.tensor([st.n_local - 1]), c.rope_theta)
        retrieved, scored, gap = self.retrieve(global_q) if st.memory else ([], False, None)
        rem_end = max(e - st.n_local, self.rem_start) if st.memory else self.rem_start  # cm.391
        pieces = [self.unit_starts[u] for u in retrieved]
        token_ids = [t for u0 in pieces for t in range(u0, u0 + st.block_size)]
        token_ids += list(range(self.init_len)) + list(range(self.rem_start, rem_end))
        index = torch.tensor(token_ids, dtype=torch.long)
        global_k = self.expand(self.keys[:, index])  # unrotated = position 0 (cm.333, cm.729)
        global_v = self.expand(self.values[:, index])
        global_logits = global_q @ global_k.transpose(-1, -2)
        if st.global_mask == "causal":
            query_pos = torch.arange(s, e)[:, None]
            visible = (query_pos - index[None, :]) >= st.n_local  # units/init are always this far
            global_logits = global_logits.masked_fill(~visible, float("-inf"))

        # one softmax over both parts (torch_impl.py:15-36), scale after masking (torch_impl.py:86-92)
        logits = torch.cat((local_logits, global_logits), dim=-1) / math.sqrt(c.head_dim)
        p = torch.softmax(logits, dim=-1)
        p_local, p_global = p[..., :width], p[..., width:]
        out = p_local @ local_v + p_global @ global_v

        self.traces.append(BlockTrace(s, e, len(self.unit_keys), retrieved, scored, gap, self.init_len,
                                      (self.rem_start, rem_end)))
        # score each local key received, summed over the block's queries, per query head (torch_impl.py:27-28)
        self.score[:, kv_st:e] += p_local.sum(dim=1)
        self.append_global(e)
        return out

    # ---- memory update after the block (cm.append_global) ----------------------------------------

    def append_global(self, e: int) -> None:
        st = self.settings
        remainder = e - self.rem_start
        if self.init_len < st.n_init and remainder > st.n_local:  # cm.628-646
            take = min(st.n_init - self.init_len, remainder - st.n_local)
            assert self.rem_start == self.init_len  # the initial tokens are tokens [0, n_init)
            self.init_len += take
            self.rem_start += take
            remainder -= take
        if not st.memory:  # no units: tokens beyond the window are gone
            self.rem_start = max(self.rem_start, e - st.n_local)
            return
        while remainder - st.block_size >= st.n_local:  # cm.649-676
            a, b = self.rem_start, self.rem_start + st.block_size
            keys = self.expand(self.keys[:, a:b])  # (H, B, D)
            score = self.score[:, a:b]  # (H, B)
            ranked = torch.topk(score, min(st.repr_topk + 1, st.block_size), dim=-1)
            if st.repr_topk < st.block_size:
                self.repr_gaps.append((ranked.values[:, st.repr_topk - 1] - ranked.values[:, st.repr_topk]).min().item())
            top = ranked.indices[:, :st.repr_topk]  # (H, repr_topk) per query head (cm.274)
            chosen = torch.gather(keys, 1, top[:, :, None].expand(-1, -1, keys.shape[-1]))
            self.unit_keys.append(chosen.mean(dim=1))  # (H, D) (cm.669-670)
            self.unit_starts.append(a)
            self.rem_start = b
            remainder -= st.block_size


# --------------------------------------------------------------------------------------------------
# Forward passes
# --------------------------------------------------------------------------------------------------

def split_heads(x: Tensor, heads: int, d: int) -> Tensor:
    return x.view(x.shape[0], heads, d).transpose(0, 1)  # (P, heads*d) -> (heads, P, d)


def infllm_log_probs(config: LlamaConfig, weights: dict[str, Tensor], ids: list[int],
                     settings: InfLLMSettings) -> tuple[list[Optional[float]], list[LayerMemory]]:
    """Per-token natural-log probabilities (None for token 0) of `ids` under InfLLM prefill, and each
    layer's memory (its `traces` say what every block retrieved)."""
    c, w = config, weights
    dtype = w["model.embed_tokens.weight"].dtype
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        memories = [LayerMemory(c, settings) for _ in range(c.num_layers)]
        token_ids = torch.tensor(ids, dtype=torch.long)
        log_probs: list[Optional[float]] = [None]
        # Layer l of block b depends only on layer l-1 of blocks <= b, so running every layer per block
        # gives the same result as the official order (each layer over a whole chunk, then the next).
        for s, e in execution_blocks(len(ids), settings):
            h = w["model.embed_tokens.weight"][token_ids[s:e]]
            for layer, memory in enumerate(memories):
                p = f"model.layers.{layer}."
                x = rms_norm(h, w[p + "input_layernorm.weight"], c.rms_norm_eps)
                q = split_heads(x @ w[p + "self_attn.q_proj.weight"].T, c.num_heads, c.head_dim)
                k = split_heads(x @ w[p + "self_attn.k_proj.weight"].T, c.num_kv_heads, c.head_dim)
                v = split_heads(x @ w[p + "self_attn.v_proj.weight"].T, c.num_kv_heads, c.head_dim)
                o = memory.attend(q, k, v, s, e).transpose(0, 1).reshape(e - s, c.num_heads * c.head_dim)
                h = h + o @ w[p + "self_attn.o_proj.weight"].T
                h = h + mlp(rms_norm(h, w[p + "post_attention_layernorm.weight"], c.rms_norm_eps), w, p)
            logits = rms_norm(h, w["model.norm.weight"], c.rms_norm_eps) @ w["lm_head.weight"].T
            lp = torch.log_softmax(logits, dim=-1)
            for i in range(s, e):
                if i + 1 < len(ids):
                    log_probs.append(lp[i - s, ids[i + 1]].item())
        return log_probs, memories
    finally:
        torch.set_default_dtype(previous)


def full_attention_log_probs(config: LlamaConfig, weights: dict[str, Tensor], ids: list[int],
                             window: Optional[int] = None) -> list[Optional[float]]:
    """Plain causal Llama forward over the whole sequence (absolute positions), for the self-checks; with
    `window`, each query sees only the `window` keys up to itself (a sliding window)."""
    c, w = config, weights
    t = len(ids)
    h = w["model.embed_tokens.weight"][torch.tensor(ids)]
    pos = torch.arange(t)
    mask = torch.ones((t, t), dtype=torch.bool).tril()
    if window is not None:
        mask &= (pos[:, None] - pos[None, :]) < window
    for layer in range(c.num_layers):
        p = f"model.layers.{layer}."
        x = rms_norm(h, w[p + "input_layernorm.weight"], c.rms_norm_eps)
        q = rope(split_heads(x @ w[p + "self_attn.q_proj.weight"].T, c.num_heads, c.head_dim), pos, c.rope_theta)
        k = rope(split_heads(x @ w[p + "self_attn.k_proj.weight"].T, c.num_kv_heads, c.head_dim), pos, c.rope_theta)
        v = split_heads(x @ w[p + "self_attn.v_proj.weight"].T, c.num_kv_heads, c.head_dim)
        g = c.num_heads // c.num_kv_heads
        k, v = k.repeat_interleave(g, dim=0), v.repeat_interleave(g, dim=0)
        a = (q @ k.transpose(-1, -2) / math.sqrt(c.head_dim)).masked_fill(~mask, float("-inf"))
        o = (torch.softmax(a, dim=-1) @ v).transpose(0, 1).reshape(t, -1)
        h = h + o @ w[p + "self_attn.o_proj.weight"].T
        h = h + mlp(rms_norm(h, w[p + "post_attention_layernorm.weight"], c.rms_norm_eps), w, p)
    lp = torch.log_softmax(rms_norm(h, w["model.norm.weight"], c.rms_norm_eps) @ w["lm_head.weight"].T, dim=-1)
    return [None] + [lp[i - 1, ids[i]].item() for i in range(1, t)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=pathlib.Path)
    parser.add_argument("--length", type=int, default=160)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--block-size", type=int, default=8)
    parser.add_argument("--n-init", type=int, default=4)
    parser.add_argument("--n-local", type=int, default=32)
    parser.add_argument("--topk", type=int, default=2)
    parser.add_argument("--repr-topk", type=int, default=2)
    parser.add_argument("--exc-block-size", type=int, default=16)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--global-mask", choices=("infllm", "causal"), default="infllm")
    parser.add_argument("--float32", action="store_true")
    args = parser.parse_args()
    config, weights = load_model(args.model, torch.float32 if args.float32 else torch.float64)
    ids = torch.randint(0, config.vocab_size, (args.length,), generator=torch.Generator().manual_seed(args.seed)).tolist()
    settings = InfLLMSettings(args.block_size, args.n_init, args.n_local, args.topk, args.repr_topk,
                              args.exc_block_size, args.chunk_size, args.global_mask)
    lp, memories = infllm_log_probs(config, weights, ids, settings)
    print(f"mean NLL {-sum(lp[1:]) / (len(lp) - 1):.6f} over {len(lp) - 1} tokens")
    for layer, memory in enumerate(memories):
        print(f"layer {layer}: " + " ".join(f"[{t.start},{t.end})->{t.retrieved}" for t in memory.traces))


if __name__ == "__main__":
    main()
