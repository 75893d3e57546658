"""Independent PyTorch reference of LongMem (Wang et al., NeurIPS 2023) for the Swift port's tests.

What it computes follows the official code, Victorwz/LongMem at b7f3c6b (a modified fairseq 0.12.2),
as summarised in /work/shared/design/LONGMEM.md; every function names the official file/function it
follows. This is a re-implementation written for reading, not a copy: no nn.Modules, just functions over
a dict of tensors named as in the model-folder contract (see Scripts/convert_longmem_checkpoint.py).

Scope: float32, eval mode (dropout off), batch 1, no padding tokens (the official code masks fairseq's
<pad> = 1 and shifts ALiBi positions around it; inputs containing it are rejected here).

Dimension legend
  T  tokens in the current segment        C  model width (n_embd)        H  heads
  D  head dim = C / H                      F  FFN width = 4C              V  vocabulary
  N  chunks resident in memory             S  chunk size (csz)            K  retrieved tokens per query (top_k)
  L  backbone blocks                       M  memory (retrieval) block m  f  layer_reduction_factor (2)

Methods of the segment driver (`run_stream`):
  local         backbone alone, each segment on its own (no memory)
  memtrm_gate   backbone; block m mixes local and memory attention with a fixed gate 0.5
  memtrm_joint  backbone; block m uses one softmax over [memory keys ; local keys]
  longmem       backbone + SideNet; SideNet layer m//f uses LongMem's gated joint attention
"""
from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass, field
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

Tensor = torch.Tensor
Weights = dict[str, Tensor]

PAD_INDEX = 1  # fairseq Dictionary: <s>=0, <pad>=1, </s>=2, <unk>=3
METHODS = ("local", "memtrm_gate", "memtrm_joint", "longmem")
# A top-k gap below this (in score units) may flip under a port's float32 rounding: reported, not hidden.
NEAR_TIE = 1e-3


# --------------------------------------------------------------------------------------------------
# Configuration (mirrors config.json of the model-folder contract)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewGPTConfig:
    """GPT-2* backbone ("newgpt"): `models/newgpt.py` NewGPTDecoder builds NewGPTConfig from these."""
    vocab_size: int
    n_embd: int
    n_head: int
    n_layer: int
    n_positions: int = 1024  # the local window / segment length; ALiBi has no position table
    layer_norm_epsilon: float = 1e-6

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


@dataclass(frozen=True)
class MemoryConfig:
    """`modules/dynamic_memory_with_chunk.py` External_Memory settings."""
    retrieval_layer: int  # backbone block whose K/V are cached (17 in the released model)
    memory_size: int  # capacity in tokens (65,536)
    chunk_size: int  # csz (4; the ICL script overrides it to 2)
    top_k: int  # retrieved tokens per query and head (64) = top_k // chunk_size chunks

    @property
    def capacity_chunks(self) -> int:
        return self.memory_size // self.chunk_size

    @property
    def chunks_per_query(self) -> int:
        return self.top_k // self.chunk_size


@dataclass(frozen=True)
class LongMemConfig:
    backbone: NewGPTConfig
    memory: MemoryConfig
    sidenet_layers: int
    layer_reduction_factor: int = 2
    # fairseq's LayerNorm() defaults to eps 1e-5 and the SideNet layers never pass another value
    # (`sidenet_layer_palm_sidenet_retrieval.py` ln_1, `transformer_decoder_sidenet.py` layer_norm),
    # unlike the backbone's 1e-6.
    sidenet_layer_norm_epsilon: float = 1e-5

    @property
    def memory_layer(self) -> int:
        # transformer_decoder_sidenet.py: idx == int(retrieval_layer_index / layer_reduction_factor)
        return int(self.memory.retrieval_layer / self.layer_reduction_factor)


def config_from_json(value: dict) -> NewGPTConfig | LongMemConfig:
    backbone = NewGPTConfig(
        vocab_size=value["vocab_size"], n_embd=value["n_embd"], n_head=value["n_head"],
        n_layer=value["n_layer"], n_positions=value.get("n_positions", 1024),
        layer_norm_epsilon=value.get("layer_norm_epsilon", 1e-6),
    )
    if value["model_type"] == "newgpt":
        return backbone
    if value["model_type"] != "longmem":
        raise ValueError(f"unknown model_type {value['model_type']!r}")
    config = LongMemConfig(
        backbone=backbone,
        memory=MemoryConfig(value["retrieval_layer"], value["memory_size"], value["chunk_size"], value["top_k"]),
        sidenet_layers=value["sidenet_layers"],
        layer_reduction_factor=value.get("layer_reduction_factor", 2),
        sidenet_layer_norm_epsilon=value.get("sidenet_layer_norm_epsilon", 1e-5),
    )
    if value.get("memory_layer", config.memory_layer) != config.memory_layer:
        raise ValueError("memory_layer must equal retrieval_layer // layer_reduction_factor")
    return config


def config_to_json(config: NewGPTConfig | LongMemConfig) -> dict:
    backbone = config if isinstance(config, NewGPTConfig) else config.backbone
    value = {
        "model_type": "newgpt", "vocab_size": backbone.vocab_size, "n_embd": backbone.n_embd,
        "n_head": backbone.n_head, "n_layer": backbone.n_layer, "n_positions": backbone.n_positions,
        "layer_norm_epsilon": backbone.layer_norm_epsilon, "activation_function": "gelu_new",
    }
    if isinstance(config, LongMemConfig):
        value.update({
            "model_type": "longmem",
            "sidenet_layers": config.sidenet_layers,
            "layer_reduction_factor": config.layer_reduction_factor,
            "sidenet_activation_function": "gelu",
            "sidenet_layer_norm_epsilon": config.sidenet_layer_norm_epsilon,
            "retrieval_layer": config.memory.retrieval_layer,
            "memory_layer": config.memory_layer,
            "memory_size": config.memory.memory_size,
            "chunk_size": config.memory.chunk_size,
            "top_k": config.memory.top_k,
        })
    return value


@dataclass
class ReferenceModel:
    """Weights named as in model.safetensors, split into the backbone and the SideNet."""
    config: NewGPTConfig | LongMemConfig
    backbone: Weights  # "wte.weight", "h.0.ln_1.weight", ..., "lm_head.bias"
    sidenet: Optional[Weights] = None  # "layers.0.ln_1.weight", ..., "layer_norm.bias"

    @property
    def backbone_config(self) -> NewGPTConfig:
        return self.config if isinstance(self.config, NewGPTConfig) else self.config.backbone


def load_model_folder(path: str | pathlib.Path) -> ReferenceModel:
    """Reads a folder written by convert_longmem_checkpoint.py (config.json + model.safetensors)."""
    path = pathlib.Path(path)
    config = config_from_json(json.loads((path / "config.json").read_text()))
    tensors = {name: t.float() for name, t in load_file(path / "model.safetensors").items()}
    if isinstance(config, NewGPTConfig):
        return ReferenceModel(config, tensors)
    backbone = {n[len("backbone."):]: t for n, t in tensors.items() if n.startswith("backbone.")}
    sidenet = {n[len("sidenet."):]: t for n, t in tensors.items() if n.startswith("sidenet.")}
    if len(backbone) + len(sidenet) != len(tensors):
        raise ValueError("a LongMem model.safetensors holds only backbone.* and sidenet.* tensors")
    return ReferenceModel(config, backbone, sidenet)


def init_sidenet_from_backbone(backbone: Weights, config: LongMemConfig) -> Weights:
    """`--reload-ptm-layer` (transformer_decoder_sidenet.py __init__): SideNet layer i copies backbone
    block f*i + 1 (q,k,v,out, ln_1, fc1 <- fc_in, fc2 <- fc_out), the final layer_norm copies ln_f and
    memory_bias keeps its init, zeros."""
    f = config.layer_reduction_factor
    pairs = {
        "self_attn.q_proj.weight": "attn.q_proj.weight", "self_attn.k_proj.weight": "attn.k_proj.weight",
        "self_attn.v_proj.weight": "attn.v_proj.weight", "self_attn.out_proj.weight": "attn.out_proj.weight",
        "ln_1.weight": "ln_1.weight", "ln_1.bias": "ln_1.bias",
        "fc1.weight": "mlp.fc_in.weight", "fc1.bias": "mlp.fc_in.bias",
        "fc2.weight": "mlp.fc_out.weight", "fc2.bias": "mlp.fc_out.bias",
    }
    sidenet = {}
    for i in range(config.sidenet_layers):
        for side_name, backbone_name in pairs.items():
            sidenet[f"layers.{i}.{side_name}"] = backbone[f"h.{f * i + 1}.{backbone_name}"].clone()
    sidenet[f"layers.{config.memory_layer}.self_attn.memory_bias"] = torch.zeros(config.backbone.n_head)
    sidenet["layer_norm.weight"] = backbone["ln_f.weight"].clone()
    sidenet["layer_norm.bias"] = backbone["ln_f.bias"].clone()
    return sidenet


# --------------------------------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------------------------------

def layer_norm(x: Tensor, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


def gelu_tanh(x: Tensor) -> Tensor:
    """transformers' `gelu_new` (ACT2FN in hf_newgpt/modeling_newgpt.py NewGPTMLP)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gelu_erf(x: Tensor) -> Tensor:
    """fairseq `gelu` (modules/gelu.py): the exact erf form, used by the SideNet (--activation-fn gelu)."""
    return F.gelu(x)


def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(T, C) -> (H, T, D); head h owns channels [h*D, (h+1)*D) as in every official view()."""
    T, C = x.shape
    return x.view(T, num_heads, C // num_heads).transpose(0, 1)


def merge_heads(x: Tensor) -> Tensor:
    """(H, T, D) -> (T, C)."""
    H, T, D = x.shape
    return x.transpose(0, 1).reshape(T, H * D)


def alibi_slopes(num_heads: int) -> Tensor:
    """hf_newgpt/modeling_newgpt.py build_alibi_tensor (also in transformer_decoder_sidenet.py): with
    p = the largest power of two <= H, slopes base^1..base^p with base = 2^(-8/p); other heads take
    odd powers 1, 3, 5, ... of 2^(-4/p). Computed in float32 with torch.pow as the official code does."""
    p = 2 ** math.floor(math.log2(num_heads))
    base = torch.tensor(2 ** (-(2 ** -(math.log2(p) - 3))), dtype=torch.float32)
    slopes = torch.pow(base, torch.arange(1, 1 + p, dtype=torch.int32))
    if p != num_heads:
        extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * p) - 3))), dtype=torch.float32)
        remaining = min(p, num_heads - p)
        slopes = torch.cat([slopes, torch.pow(extra_base, torch.arange(1, 1 + 2 * remaining, 2, dtype=torch.int32))])
    return slopes


def alibi_bias(num_heads: int, length: int) -> Tensor:
    """(H, 1, T): `slope_h * j` for key index j, broadcast over queries (build_alibi_tensor with an all-ones
    attention mask: positions cumsum(mask) - 1 = j). Under the causal mask this equals -slope*(i-j) up to
    a per-row constant, which softmax ignores."""
    positions = torch.arange(length, dtype=torch.float32)
    return (alibi_slopes(num_heads)[:, None] * positions)[:, None, :]


def causal_mask(length: int) -> Tensor:
    """(T, T) bool, True where key j > query i (hidden)."""
    return torch.ones(length, length, dtype=torch.bool).triu(1)


# --------------------------------------------------------------------------------------------------
# Attention kernels. All take per-head tensors (H, T, D) and return (H, T, D).
# --------------------------------------------------------------------------------------------------

def backbone_local_attention(q: Tensor, k: Tensor, v: Tensor, alibi: Tensor) -> Tensor:
    """modeling_newgpt.py NewGPTAttention.forward (mode "alibi"): QK^T / sqrt(D) + alibi, causal
    positions filled with finfo.min, softmax, times V."""
    logits = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + alibi
    logits = logits.masked_fill(causal_mask(q.shape[1]), torch.finfo(logits.dtype).min)
    return torch.softmax(logits, dim=-1) @ v


def sidenet_local_attention(q_scaled: Tensor, k: Tensor, v: Tensor, alibi: Tensor) -> Tensor:
    """fairseq MultiheadAttention.forward as modified in the LongMem repo (multihead_attention.py) and the
    memory-free branch of JointMultiheadAttentionWeightedSum: q is pre-scaled by D^-0.5, the ALiBi tensor
    and the additive -inf future mask are added to QK^T."""
    logits = q_scaled @ k.transpose(-1, -2) + alibi
    logits = logits.masked_fill(causal_mask(q_scaled.shape[1]), float("-inf"))
    return torch.softmax(logits, dim=-1) @ v


@dataclass
class Retrieved:
    """What External_Memory.retrieve hands to the attention: per head and query, K tokens."""
    keys: Tensor  # (H, T, K, D) float32 (upcast from the float16 store)
    values: Tensor  # (H, T, K, D)
    valid: Tensor  # (H, T, K) bool; False only for missing chunks in the default (masked) mode
    slots: Tensor  # (H, T, K/S) chunk slots read (-1 = faiss's "no result" id, faithful mode)
    margins: Optional[Tensor]  # (H, T) score(last chosen chunk) - score(best rejected); None if all were taken


def memory_readout(q_scaled: Tensor, retrieved: Retrieved) -> Tensor:
    """A_mem Vmem with A_mem = softmax over the token's own K retrieved keys, no position bias
    (joint_multihead_attention_sum.py joint_multi_head_attention_forward: attn_retrieval)."""
    logits = torch.einsum("htd,htkd->htk", q_scaled, retrieved.keys)
    logits = logits.masked_fill(~retrieved.valid, float("-inf"))
    return torch.einsum("htk,htkd->htd", torch.softmax(logits, dim=-1), retrieved.values)


def gated_mix(local_out: Tensor, memory_out: Tensor, memory_bias: Tensor) -> Tensor:
    """out_h = (1 - sigmoid(g_h)) * local + sigmoid(g_h) * memory, g = memory_bias (one scalar per head).
    Note the code's orientation: sigmoid(g) weights the MEMORY side (the paper writes it the other way)."""
    gate = torch.sigmoid(memory_bias).view(-1, 1, 1)
    return local_out * (1 - gate) + memory_out * gate


def longmem_joint_attention(q_scaled: Tensor, k: Tensor, v: Tensor, alibi: Tensor,
                            retrieved: Retrieved, memory_bias: Tensor) -> Tensor:
    """joint_multihead_attention_sum.py joint_multi_head_attention_forward (LONGMEM.md section 4)."""
    local_out = sidenet_local_attention(q_scaled, k, v, alibi)
    return gated_mix(local_out, memory_readout(q_scaled, retrieved), memory_bias)


def memtrm_gate_attention(q: Tensor, k: Tensor, v: Tensor, alibi: Tensor, retrieved: Retrieved) -> Tensor:
    """Training-free MemTRM (gated form) inside backbone block m, shaped like modeling_newgpt.py
    NewGPTJointAttention with memory_bias = 0: both softmaxes use QK / sqrt(D), gate sigmoid(0) = 0.5."""
    local_out = backbone_local_attention(q, k, v, alibi)
    memory_out = memory_readout(q / math.sqrt(q.shape[-1]), retrieved)
    return gated_mix(local_out, memory_out, torch.zeros(q.shape[0]))


def memtrm_joint_attention(q: Tensor, k: Tensor, v: Tensor, alibi: Tensor, retrieved: Retrieved) -> Tensor:
    """Training-free MemTRM (joint form, as lucidrains/memorizing-transformers-pytorch): ONE softmax over
    [memory keys ; local keys].

    ALiBi convention for memory keys: they are treated as sitting at the segment's FIRST position.
    In the official key-index form (bias slope*j for local key j) that is slope*0 = 0 for every memory
    key; in the relative form (-slope*(i-j)) a memory key gets -slope*i for query i. The two forms differ
    by the per-row constant slope*i, so the softmax is the same."""
    scale = math.sqrt(q.shape[-1])
    local_logits = q @ k.transpose(-1, -2) / scale + alibi
    local_logits = local_logits.masked_fill(causal_mask(q.shape[1]), float("-inf"))
    memory_logits = torch.einsum("htd,htkd->htk", q, retrieved.keys) / scale + 0.0  # alibi slope * 0
    memory_logits = memory_logits.masked_fill(~retrieved.valid, float("-inf"))
    probs = torch.softmax(torch.cat([memory_logits, local_logits], dim=-1), dim=-1)
    memory_probs, local_probs = probs.split([memory_logits.shape[-1], local_logits.shape[-1]], dim=-1)
    return local_probs @ v + torch.einsum("htk,htkd->htd", memory_probs, retrieved.values)


# --------------------------------------------------------------------------------------------------
# Memory bank
# --------------------------------------------------------------------------------------------------

class MemoryBank:
    """`modules/dynamic_memory_with_chunk.py` External_Memory, GPU path (the one the released model used:
    --use-gpu-to-search; the CPU path stores unchunked keys and cannot run).

    Per head: `capacity = memory_size // S` chunk slots holding S tokens' K and V in float16, and an exact
    inner-product index (faiss.IndexFlatIP) whose row for a chunk is the float32 mean of its S keys.
    Counters: tokens written (kept tokens), resident (chunks * S), evicted (evicted chunks * S)."""

    def __init__(self, num_heads: int, head_dim: int, memory: MemoryConfig, faithful: bool = False,
                 store_dtype: torch.dtype = torch.float16):
        """`store_dtype` float16 is the official store; float32 takes float16's rounding out of comparisons
        (two float32 ports whose keys differ by one float32 ulp can round them to neighbouring float16s)."""
        self.num_heads, self.head_dim, self.memory, self.faithful = num_heads, head_dim, memory, faithful
        capacity, S = memory.capacity_chunks, memory.chunk_size
        self.keys = torch.zeros(num_heads, capacity, S, head_dim, dtype=store_dtype)
        self.values = torch.zeros(num_heads, capacity, S, head_dim, dtype=store_dtype)
        self.index_keys = torch.zeros(num_heads, capacity, head_dim, dtype=torch.float32)  # rows [0, count)
        self.count = 0  # dstore_idx: chunks resident
        self.tokens_written = 0
        self.tokens_evicted = 0

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    @property
    def resident_tokens(self) -> int:
        return self.count * self.memory.chunk_size

    def counters(self) -> dict:
        return {"written": self.tokens_written, "resident": self.resident_tokens, "evicted": self.tokens_evicted}

    def write(self, keys: Tensor, values: Tensor) -> None:
        """External_Memory.add_index for one segment's (T, C) keys and values of block m.

        If count + new_chunks >= capacity, first evict the oldest 2*T // S chunks (two segments' worth;
        T counts the dropped trailing tokens too, as in the official update_size). Then append the
        floor(T / S) whole chunks; trailing tokens beyond a multiple of S are dropped."""
        T = keys.shape[0]
        S, capacity = self.memory.chunk_size, self.memory.capacity_chunks
        new_chunks = T // S
        if new_chunks > capacity:
            raise ValueError(f"a segment of {T} tokens does not fit a memory of {capacity} chunks")
        if self.count + new_chunks >= capacity:
            self._evict_oldest((2 * T) // S)
        if new_chunks == 0:
            return
        kept = new_chunks * S
        # (kept, C) -> (n, S, H, D) -> (H, n, S, D)
        chunk_keys = keys[:kept].reshape(new_chunks, S, self.num_heads, self.head_dim).permute(2, 0, 1, 3)
        chunk_values = values[:kept].reshape(new_chunks, S, self.num_heads, self.head_dim).permute(2, 0, 1, 3)
        slots = slice(self.count, self.count + new_chunks)
        self.index_keys[:, slots] = chunk_keys.float().mean(dim=2)  # index key: float32 mean of S keys
        self.keys[:, slots] = chunk_keys.to(self.keys.dtype)  # stored K/V rounded to float16 (official)
        self.values[:, slots] = chunk_values.to(self.values.dtype)
        self.count += new_chunks
        self.tokens_written += kept

    def _evict_oldest(self, chunks: int) -> None:
        """FIFO: drop the first `chunks` slots and shift the rest left (faiss remove_ids(arange(n)) and the
        torch.cat of the K/V stores). The official code subtracts update_size from dstore_idx unchecked and
        would go negative if fewer chunks are resident; here it is clamped to the resident count."""
        chunks = min(chunks, self.count)
        if chunks == 0:
            return
        for name in ("keys", "values", "index_keys"):
            store = getattr(self, name)
            shifted = torch.zeros_like(store)
            shifted[:, : store.shape[1] - chunks] = store[:, chunks:]
            setattr(self, name, shifted)
        self.count -= chunks
        self.tokens_evicted += chunks * self.memory.chunk_size

    def retrieve(self, queries: Tensor) -> Retrieved:
        """External_Memory.retrieve: for every query token (T, C, unscaled) and head, the top K/S chunks by
        exact inner product with the chunk-mean keys (torch.topk), expanded to their S tokens each.

        With fewer than K/S chunks resident, faiss returns id -1 for the missing results and the official
        code reads slot -1 (the store's last slot, never written under the eviction rule, so zeros).
        faithful=True reproduces that: zero keys (logit 0) with zero values inside the softmax.
        Default: the missing entries are masked out of the softmax."""
        if self.is_empty:
            raise ValueError("retrieve() on an empty memory; the official code skips retrieval then")
        S, want = self.memory.chunk_size, self.memory.chunks_per_query
        H, D = self.num_heads, self.head_dim
        q = split_heads(queries.float(), H)  # (H, T, D)
        scores = q @ self.index_keys[:, : self.count].transpose(1, 2)  # (H, T, N)
        found = min(want, self.count)
        top = torch.topk(scores, min(found + 1, self.count), dim=-1).values
        margins = top[..., found - 1] - top[..., found] if self.count > found else None
        slots = torch.topk(scores, found, dim=-1).indices  # (H, T, found)
        valid = torch.ones(H, q.shape[1], want, dtype=torch.bool)
        if found < want:
            missing = want - found
            slots = torch.cat([slots, torch.full((H, q.shape[1], missing), -1, dtype=slots.dtype)], dim=-1)
            valid[..., found:] = self.faithful
        heads = torch.arange(H).view(H, 1, 1)
        # negative slot -1 wraps to the last slot, exactly like torch indexing in the official code
        keys = self.keys[heads, slots].float().reshape(H, q.shape[1], want * S, D)
        values = self.values[heads, slots].float().reshape(H, q.shape[1], want * S, D)
        valid = valid.repeat_interleave(S, dim=-1)  # chunk -> its S tokens
        return Retrieved(keys, values, valid, slots, margins)


# --------------------------------------------------------------------------------------------------
# Backbone (GPT-2*, "newgpt")
# --------------------------------------------------------------------------------------------------

# attend(q, k, v, alibi) -> heads; q, k, v per head (H, T, D), q unscaled
Attend = Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]


@dataclass
class BackboneOutput:
    logits: Tensor  # (T, V)
    hidden_states: list[Tensor]  # L + 1 tensors (T, C): H[i] = input of block i, H[L] = ln_f(out of block L-1)
    qkv: dict[int, tuple[Tensor, Tensor, Tensor]] = field(default_factory=dict)  # block -> (q, k, v), (T, C)


def newgpt_block(w: Weights, i: int, x: Tensor, config: NewGPTConfig, alibi: Tensor,
                 attend: Attend) -> tuple[Tensor, tuple[Tensor, Tensor, Tensor]]:
    """modeling_newgpt.py NewGPTBlock: parallel block with ONE LayerNorm,
    h = x + Attn(LN1(x)) + MLP(LN1(x)); q/k/v/out without bias; fc_in/fc_out with bias; gelu_new."""
    p = f"h.{i}."
    h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], config.layer_norm_epsilon)
    q = F.linear(h, w[p + "attn.q_proj.weight"])  # (T, C)
    k = F.linear(h, w[p + "attn.k_proj.weight"])
    v = F.linear(h, w[p + "attn.v_proj.weight"])
    heads = attend(split_heads(q, config.n_head), split_heads(k, config.n_head), split_heads(v, config.n_head), alibi)
    attn_out = F.linear(merge_heads(heads), w[p + "attn.out_proj.weight"])
    mlp_out = F.linear(gelu_tanh(F.linear(h, w[p + "mlp.fc_in.weight"], w[p + "mlp.fc_in.bias"])),
                       w[p + "mlp.fc_out.weight"], w[p + "mlp.fc_out.bias"])
    return attn_out + mlp_out + x, (q, k, v)


def check_tokens(tokens: Tensor, vocab_size: int) -> Tensor:
    tokens = torch.as_tensor(tokens, dtype=torch.long).view(-1)
    if tokens.numel() == 0:
        raise ValueError("empty segment")
    if (tokens == PAD_INDEX).any():
        raise ValueError("the reference does not model <pad> (index 1) masking")
    if tokens.min() < 0 or tokens.max() >= vocab_size:
        raise ValueError("token index out of range")
    return tokens


def backbone_forward(w: Weights, config: NewGPTConfig, tokens: Tensor,
                     capture_layer: Optional[int] = None,
                     attention_overrides: Optional[dict[int, Attend]] = None) -> BackboneOutput:
    """modeling_newgpt.py NewGPTModel.forward + NewGPTForCausalLM.lm_head (newgpt.py NewGPTDecoder).
    `attention_overrides` replaces the local attention of chosen blocks (the MemTRM baselines)."""
    tokens = check_tokens(tokens, config.vocab_size)
    alibi = alibi_bias(config.n_head, tokens.numel())
    overrides = attention_overrides or {}
    x = w["wte.weight"][tokens]  # (T, C); no position embedding (ALiBi)
    hidden_states, qkv = [], {}
    for i in range(config.n_layer):
        hidden_states.append(x)
        x, block_qkv = newgpt_block(w, i, x, config, alibi, overrides.get(i, backbone_local_attention))
        if i == capture_layer:
            qkv[i] = block_qkv
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], config.layer_norm_epsilon)
    hidden_states.append(x)
    logits = F.linear(x, w["lm_head.weight"], w["lm_head.bias"])
    return BackboneOutput(logits, hidden_states, qkv)


# --------------------------------------------------------------------------------------------------
# SideNet
# --------------------------------------------------------------------------------------------------

def sidenet_layer(w: Weights, layer: int, x: Tensor, residual: Tensor, config: LongMemConfig, alibi: Tensor,
                  memory: Optional[MemoryBank], memory_bias: Optional[Tensor],
                  margins: list) -> Tensor:
    """sidenet_layer_palm_sidenet_retrieval.py TransformerDecoderSideNetLayer.forward:
    x_out = MLP(LN(x)) + Attn(LN(x)) + (residual + x), residual = H[f*l + f] - H[f*l]."""
    p = f"layers.{layer}."
    H = config.backbone.n_head
    ladder = residual + x
    h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], config.sidenet_layer_norm_epsilon)
    q = F.linear(h, w[p + "self_attn.q_proj.weight"])  # unscaled: also the retrieval query
    k = F.linear(h, w[p + "self_attn.k_proj.weight"])
    v = F.linear(h, w[p + "self_attn.v_proj.weight"])
    q_scaled = split_heads(q, H) * (config.backbone.head_dim ** -0.5)
    k, v = split_heads(k, H), split_heads(v, H)
    if layer == config.memory_layer and memory is not None and not memory.is_empty:
        # retrieval query = q_proj(LN(x)) before scaling; retrieved K/V are the backbone block-m
        # projections, used as they are (no SideNet projection).
        retrieved = memory.retrieve(q)
        margins.append(retrieved.margins)
        bias = memory_bias if memory_bias is not None else w[p + "self_attn.memory_bias"]
        heads = longmem_joint_attention(q_scaled, k, v, alibi, retrieved, bias)
    else:
        heads = sidenet_local_attention(q_scaled, k, v, alibi)
    attn_out = F.linear(merge_heads(heads), w[p + "self_attn.out_proj.weight"])
    mlp_out = F.linear(gelu_erf(F.linear(h, w[p + "fc1.weight"], w[p + "fc1.bias"])), w[p + "fc2.weight"], w[p + "fc2.bias"])
    return mlp_out + attn_out + ladder


def sidenet_forward(sidenet: Weights, backbone: Weights, config: LongMemConfig, hidden_states: list[Tensor],
                    memory: Optional[MemoryBank] = None, memory_bias: Optional[Tensor] = None,
                    margins: Optional[list] = None) -> Tensor:
    """transformer_decoder_sidenet.py extract_features_scriptable + forward: x0 = H[0]; L/f layers with the
    cross-network residual; final layer_norm; then the backbone's lm_head (with bias). Returns (T, V)."""
    f = config.layer_reduction_factor
    alibi = alibi_bias(config.backbone.n_head, hidden_states[0].shape[0])
    margins = margins if margins is not None else []
    x = hidden_states[0]
    for layer in range(config.sidenet_layers):
        residual = hidden_states[f * layer + f] - hidden_states[f * layer]
        x = sidenet_layer(sidenet, layer, x, residual, config, alibi, memory, memory_bias, margins)
    x = layer_norm(x, sidenet["layer_norm.weight"], sidenet["layer_norm.bias"], config.sidenet_layer_norm_epsilon)
    return F.linear(x, backbone["lm_head.weight"], backbone["lm_head.bias"])


# --------------------------------------------------------------------------------------------------
# Segment driver
# --------------------------------------------------------------------------------------------------

@dataclass
class SegmentResult:
    logits: Tensor  # (T, V)
    counters: dict  # memory counters after this segment's write
    retrieval_margin: Optional[float]  # smallest top-k score gap of this segment's retrievals (None: no retrieval)
    near_ties: list[int] = field(default_factory=list)  # query positions with a top-k gap < NEAR_TIE in some head


def split_segments(tokens: Tensor, segment_lengths: list[int]) -> list[Tensor]:
    tokens = torch.as_tensor(tokens, dtype=torch.long).view(-1)
    if sum(segment_lengths) != tokens.numel():
        raise ValueError("segment lengths must add up to the stream length")
    return list(tokens.split(segment_lengths))


def run_stream(model: ReferenceModel, tokens: Tensor, segment_lengths: list[int], method: str,
               memory_config: Optional[MemoryConfig] = None, faithful: bool = False,
               sidenet: Optional[Weights] = None, memory_bias: Optional[Tensor] = None,
               write_memory: Optional[list[bool]] = None,
               memory_dtype: torch.dtype = torch.float16) -> list[SegmentResult]:
    """Feeds a token stream segment by segment (a fresh memory per stream).

    Each segment is scored with the memory of the earlier ones (retrieval only when the memory is
    non-empty), then its block-m K/V are written AFTER its forward pass, as the official code does
    (transformer_decoder_sidenet.py calls add_index after the memory layer; a segment never retrieves its
    own tokens). `write_memory[s] = False` skips the write, like the ICL script's disable_add_index.
    `sidenet` replaces the model's SideNet weights (e.g. init_sidenet_from_backbone); `memory_bias`
    overrides the gate logits of the memory layer (e.g. -inf to switch memory off)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    backbone_config = model.backbone_config
    if memory_config is None and isinstance(model.config, LongMemConfig):
        memory_config = model.config.memory
    if method != "local" and memory_config is None:
        raise ValueError(f"{method} needs a MemoryConfig")
    if method == "longmem":
        if not isinstance(model.config, LongMemConfig):
            raise ValueError("longmem needs a LongMem model folder")
        if memory_config.retrieval_layer != model.config.memory.retrieval_layer:
            raise ValueError("the SideNet's memory layer is tied to the checkpoint's retrieval layer")
        sidenet = sidenet if sidenet is not None else model.sidenet
    memory = None
    if method != "local":
        memory = MemoryBank(backbone_config.n_head, backbone_config.head_dim, memory_config, faithful, memory_dtype)
    m = memory_config.retrieval_layer if memory_config is not None else None

    results = []
    for s, segment in enumerate(split_segments(tokens, segment_lengths)):
        margins: list = []
        overrides = {}
        if method in ("memtrm_gate", "memtrm_joint") and not memory.is_empty:
            kernel = memtrm_gate_attention if method == "memtrm_gate" else memtrm_joint_attention

            def attend(q, k, v, alibi, kernel=kernel):
                retrieved = memory.retrieve(merge_heads(q))  # the block's own q, unscaled
                margins.append(retrieved.margins)
                return kernel(q, k, v, alibi, retrieved)
            overrides[m] = attend
        out = backbone_forward(model.backbone, backbone_config, segment, capture_layer=m, attention_overrides=overrides)
        logits = out.logits
        if method == "longmem":
            logits = sidenet_forward(sidenet, model.backbone, model.config, out.hidden_states, memory, memory_bias, margins)
        if memory is not None and (write_memory is None or write_memory[s]):
            _, k, v = out.qkv[m]
            memory.write(k, v)
        counters = memory.counters() if memory is not None else {"written": 0, "resident": 0, "evicted": 0}
        known = [x.min(dim=0).values for x in margins if x is not None]  # per query: the smallest over heads
        smallest = torch.stack(known).min(dim=0).values if known else None
        results.append(SegmentResult(
            logits, counters, smallest.min().item() if smallest is not None else None,
            (smallest < NEAR_TIE).nonzero().view(-1).tolist() if smallest is not None else []))
    return results
