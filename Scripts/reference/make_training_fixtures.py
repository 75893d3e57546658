"""Writes Tests/Fixtures/training/: PyTorch autograd references for training a LongMem SideNet.

For two frozen backbones (a GPT-2* "newgpt" and an HF Llama, both seeded random float32 models with 4
blocks) and a trainable 2-layer SideNet over each, this computes in float32 on the CPU:

  Case A  the mean cross-entropy of each of three 16-token segments at fixed starting SideNet parameters,
          and its gradient w.r.t. every SideNet parameter (segment 0 runs with an empty memory, segments
          1 and 2 read the memory written after the earlier segments);
  Case B  three optimizer steps over the same segments: global-L2-norm clipping to 0.5, then
          torch.optim.AdamW with lr 1e-3, 5e-4, 2.5e-4 (betas (0.9, 0.98), eps 1e-6, weight decay 0.01);
  and the backbone's own loss on each segment (a sanity check).

Layout (per family, <family> = newgpt | llama):
  Tests/Fixtures/training/<family>/backbone/       config.json + model.safetensors (float32), a folder the
                                                    Swift loaders read (newgpt-tiny / llama-tiny/tied formats)
  Tests/Fixtures/training/<family>/sidenet.safetensors   starting SideNet parameters (float32)
  Tests/Fixtures/training/<family>/expected.safetensors  tokens, losses, gradients, final parameters

Model of the computation (Legend: T = 16 tokens, C = 64, H = 4 query heads, K = KV heads (newgpt 4,
llama 2), D = 16, L = 4 backbone blocks, m = 2 retrieval block, SideNet memory layer 1):
  backbone  H[i] = input of block i, H[L] = final_norm(out of block L-1); positions restart at 0 in every
            segment. Cached for memory: block m's k_proj / v_proj of Norm1(H[m]) (llama: unrotated).
  SideNet   x = H[0]; layer l: attention over Norm1(x) (newgpt: ALiBi; llama: RoPE, GQA); the memory
            layer, when memory is non-empty, mixes (1 - sigmoid(b_h)) * local + sigmoid(b_h) * memory,
            memory = softmax(q . Kmem / sqrt(D)) Vmem over the query's 8 retrieved tokens (llama: rotated
            q, unrotated Kmem); x += (H[2l+2] - H[2l]) + attention output (+ MLP(Norm1 x) for newgpt's
            parallel block; llama adds SwiGLU(RMSNorm(x)) afterwards). Final norm, frozen backbone head.
  memory    per KV head, chunks of 4 tokens, index key = mean of the chunk's keys, float32 store; a
            query (q_proj output, unscaled, unrotated) of head h reads KV head h // (H/K) and takes the
            top 2 chunks by inner product = 8 tokens. Written after each segment's forward pass.
            Selection is not differentiated (indices under no_grad).

Self-checks (asserted before anything is written): newgpt backbone and SideNet against
longmem_reference.py (with a float32 memory store), llama backbone against transformers'
LlamaForCausalLM, float32 gradients against float64 gradients, float64 gradients against central finite
differences, retrieval margins, that memory retrieval varies across tokens/heads, that memory_bias gets a
gradient on segments 1 and 2, and that gradient clipping is active at least once.

Run: python3 Scripts/reference/make_training_fixtures.py   (deterministic; re-runs give identical bytes)
"""
from __future__ import annotations

import math
import pathlib
import shutil
import sys
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import longmem_reference as ref  # noqa: E402
from common import FIXTURES, write_json  # noqa: E402

OUT = FIXTURES / "training"
GENERATOR = "Scripts/reference/make_training_fixtures.py"
SEED = 41017

SEGMENT, SEGMENTS = 16, 3
LAYERS, WIDTH, HEADS, HEAD_DIM = 4, 64, 4, 16
SIDENET_LAYERS, MEMORY_LAYER, RETRIEVAL_BLOCK = 2, 1, 2
CHUNK, TOP_K, CAPACITY = 4, 8, 256  # tokens; TOP_K // CHUNK = 2 chunks per query
SIDENET_EPS = 1e-5
SIDENET_NOISE, MEMORY_BIAS_STD = 0.02, 0.5
CLIP_NORM = 0.5
LEARNING_RATES = [1e-3, 5e-4, 2.5e-4]
ADAMW = dict(betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
MIN_MARGIN = 1e-3  # smallest accepted gap between the 2nd and 3rd chunk score of any retrieval

Tensor = torch.Tensor


# --------------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------------

def causal_softmax_attention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | None = None) -> Tensor:
    """(H, T, D) each -> (H, T, D): softmax(q k^T / sqrt(D) + bias, causal) v."""
    logits = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if bias is not None:
        logits = logits + bias
    logits = logits.masked_fill(ref.causal_mask(q.shape[1]), float("-inf"))
    return torch.softmax(logits, dim=-1) @ v


class Memory:
    """The training memory bank: per KV head, token keys/values (float32 or float64 store) in chunks of
    CHUNK tokens and one index key per chunk, the mean of its keys. Holds at most CAPACITY tokens (the
    fixture never reaches it, so there is no eviction)."""

    def __init__(self, kv_heads: int, head_dim: int, dtype: torch.dtype):
        self.keys = torch.zeros(kv_heads, 0, head_dim, dtype=dtype)
        self.values = torch.zeros(kv_heads, 0, head_dim, dtype=dtype)
        self.index = torch.zeros(kv_heads, 0, head_dim, dtype=dtype)

    @property
    def is_empty(self) -> bool:
        return self.keys.shape[1] == 0

    def write(self, keys: Tensor, values: Tensor) -> None:
        """keys, values (K, T, D) with T a multiple of CHUNK."""
        kv_heads, count, head_dim = keys.shape
        assert count % CHUNK == 0 and self.keys.shape[1] + count <= CAPACITY
        self.keys = torch.cat([self.keys, keys.detach()], dim=1)
        self.values = torch.cat([self.values, values.detach()], dim=1)
        means = keys.detach().reshape(kv_heads, count // CHUNK, CHUNK, head_dim).mean(dim=2)
        self.index = torch.cat([self.index, means], dim=1)

    @torch.no_grad()
    def select(self, queries: Tensor) -> tuple[Tensor, Tensor]:
        """queries (H, T, D), unscaled and unrotated -> (chunks (H, T, 2) sorted ascending, margins (H, T)):
        query head h scores the chunk index of KV head h // (H / K); margin = 2nd best - 3rd best score."""
        heads, kv_heads = queries.shape[0], self.index.shape[0]
        kv = torch.arange(heads) // (heads // kv_heads)
        scores = queries @ self.index[kv].transpose(1, 2)  # (H, T, N)
        want = TOP_K // CHUNK
        assert scores.shape[-1] > want, "the fixture expects more resident chunks than it retrieves"
        top = torch.topk(scores, want + 1, dim=-1)
        margins = top.values[..., want - 1] - top.values[..., want]
        return top.indices[..., :want].sort(dim=-1).values, margins

    def gather(self, chunks: Tensor, heads: int) -> tuple[Tensor, Tensor]:
        """chunks (H, T, 2) -> keys, values (H, T, 8, D) of the chunks' tokens (KV head h // group)."""
        kv = (torch.arange(heads) // (heads // self.keys.shape[0])).view(heads, 1, 1)
        tokens = (chunks.unsqueeze(-1) * CHUNK + torch.arange(CHUNK)).flatten(-2)  # (H, T, 8)
        return self.keys[kv, tokens], self.values[kv, tokens]


@dataclass
class Trace:
    """What the memory layer retrieved in one forward pass (None on the memory-free path)."""
    chunks: Tensor | None = None  # (H, T, 2)
    margins: Tensor | None = None  # (H, T)


def memory_mix(local: Tensor, q_select: Tensor, q_score: Tensor, memory: Memory, memory_bias: Tensor,
               trace: Trace) -> Tensor:
    """(1 - sigmoid(b_h)) * local + sigmoid(b_h) * softmax(q_score . Kmem / sqrt(D)) Vmem."""
    chunks, margins = memory.select(q_select.detach())
    trace.chunks, trace.margins = chunks, margins
    keys, values = memory.gather(chunks, q_score.shape[0])
    probs = torch.softmax(torch.einsum("htd,htkd->htk", q_score, keys) / math.sqrt(q_score.shape[-1]), dim=-1)
    readout = torch.einsum("htk,htkd->htd", probs, values)
    gate = torch.sigmoid(memory_bias).view(-1, 1, 1)
    return (1 - gate) * local + gate * readout


@dataclass
class BackbonePass:
    hidden: list[Tensor]  # L + 1 tensors (T, C)
    keys: Tensor  # (K, T, D) block m's cached keys (unrotated)
    values: Tensor  # (K, T, D)
    logits: Tensor  # (T, V)


# --------------------------------------------------------------------------------------------------
# newgpt (GPT-2*, ALiBi, parallel blocks)
# --------------------------------------------------------------------------------------------------

class NewGPT:
    name = "newgpt"
    vocab = 512
    kv_heads = HEADS
    config = ref.NewGPTConfig(vocab, WIDTH, HEADS, LAYERS, n_positions=64, layer_norm_epsilon=1e-6)

    @staticmethod
    def random_backbone(gen: torch.Generator) -> dict[str, Tensor]:
        C, Fw, V = WIDTH, 4 * WIDTH, NewGPT.vocab

        def mat(rows, cols, std=0.15):
            return torch.randn(rows, cols, generator=gen) * std

        def noise(size, std):
            return torch.randn(size, generator=gen) * std
        w = {"wte.weight": mat(V, C)}
        w["wte.weight"][ref.PAD_INDEX] = 0  # newgpt.py zeroes the <pad> embedding (never used here)
        for i in range(LAYERS):
            p = f"h.{i}."
            w[p + "ln_1.weight"], w[p + "ln_1.bias"] = 1 + noise(C, 0.2), noise(C, 0.1)
            for proj in ("q", "k", "v", "out"):
                w[p + f"attn.{proj}_proj.weight"] = mat(C, C)
            w[p + "mlp.fc_in.weight"], w[p + "mlp.fc_in.bias"] = mat(Fw, C), noise(Fw, 0.1)
            w[p + "mlp.fc_out.weight"], w[p + "mlp.fc_out.bias"] = mat(C, Fw, 0.1), noise(C, 0.1)
        w["ln_f.weight"], w["ln_f.bias"] = 1 + noise(C, 0.2), noise(C, 0.1)
        w["lm_head.weight"], w["lm_head.bias"] = mat(V, C), noise(V, 0.1)
        return w

    @staticmethod
    def save_backbone(w: dict[str, Tensor], folder: pathlib.Path) -> dict[str, Tensor]:
        folder.mkdir(parents=True)
        write_json(folder / "config.json", ref.config_to_json(NewGPT.config))
        save_file({n: w[n].contiguous() for n in sorted(w)}, folder / "model.safetensors",
                  metadata={"format": "pt"})  # one key: safetensors orders metadata keys at random
        loaded = ref.load_model_folder(folder)
        assert loaded.config == NewGPT.config
        assert all(torch.equal(loaded.backbone[n], t) for n, t in w.items())
        return loaded.backbone

    @staticmethod
    def backbone_pass(w: dict[str, Tensor], tokens: Tensor) -> BackbonePass:
        out = ref.backbone_forward(w, NewGPT.config, tokens, capture_layer=RETRIEVAL_BLOCK)
        _, k, v = out.qkv[RETRIEVAL_BLOCK]
        return BackbonePass(out.hidden_states, ref.split_heads(k, HEADS), ref.split_heads(v, HEADS), out.logits)

    @staticmethod
    def initial_sidenet(w: dict[str, Tensor]) -> dict[str, Tensor]:
        pairs = {"ln_1.weight": "ln_1.weight", "ln_1.bias": "ln_1.bias",
                 "self_attn.q_proj.weight": "attn.q_proj.weight", "self_attn.k_proj.weight": "attn.k_proj.weight",
                 "self_attn.v_proj.weight": "attn.v_proj.weight", "self_attn.out_proj.weight": "attn.out_proj.weight",
                 "fc1.weight": "mlp.fc_in.weight", "fc1.bias": "mlp.fc_in.bias",
                 "fc2.weight": "mlp.fc_out.weight", "fc2.bias": "mlp.fc_out.bias"}
        copied = {}
        for i in range(SIDENET_LAYERS):
            for side, back in pairs.items():
                copied[f"sidenet.layers.{i}.{side}"] = w[f"h.{2 * i + 1}.{back}"]
        copied["sidenet.layer_norm.weight"], copied["sidenet.layer_norm.bias"] = w["ln_f.weight"], w["ln_f.bias"]
        return copied

    @staticmethod
    def sidenet_layer(p: dict[str, Tensor], layer: int, x: Tensor, residual: Tensor, memory: Memory | None,
                      trace: Trace) -> Tensor:
        s = f"sidenet.layers.{layer}."
        n = ref.layer_norm(x, p[s + "ln_1.weight"], p[s + "ln_1.bias"], SIDENET_EPS)
        q = ref.split_heads(F.linear(n, p[s + "self_attn.q_proj.weight"]), HEADS)
        k = ref.split_heads(F.linear(n, p[s + "self_attn.k_proj.weight"]), HEADS)
        v = ref.split_heads(F.linear(n, p[s + "self_attn.v_proj.weight"]), HEADS)
        heads = causal_softmax_attention(q, k, v, ref.alibi_bias(HEADS, x.shape[0]).to(x.dtype))
        if memory is not None and not memory.is_empty:
            heads = memory_mix(heads, q, q, memory, p[s + "self_attn.memory_bias"], trace)
        attn = F.linear(ref.merge_heads(heads), p[s + "self_attn.out_proj.weight"])
        mlp = F.linear(ref.gelu_erf(F.linear(n, p[s + "fc1.weight"], p[s + "fc1.bias"])), p[s + "fc2.weight"], p[s + "fc2.bias"])
        return x + residual + attn + mlp

    @staticmethod
    def head(p: dict[str, Tensor], w: dict[str, Tensor], x: Tensor) -> Tensor:
        x = ref.layer_norm(x, p["sidenet.layer_norm.weight"], p["sidenet.layer_norm.bias"], SIDENET_EPS)
        return F.linear(x, w["lm_head.weight"], w["lm_head.bias"])


# --------------------------------------------------------------------------------------------------
# Llama (RMSNorm, RoPE rotate_half, GQA, SwiGLU, tied embeddings)
# --------------------------------------------------------------------------------------------------

class Llama:
    name = "llama"
    vocab = 256
    kv_heads = 2
    intermediate = 96
    rope_theta = 500.0
    eps = 1e-5

    @staticmethod
    def hf_config():
        from transformers import LlamaConfig
        return LlamaConfig(
            vocab_size=Llama.vocab, hidden_size=WIDTH, intermediate_size=Llama.intermediate,
            num_hidden_layers=LAYERS, num_attention_heads=HEADS, num_key_value_heads=Llama.kv_heads,
            head_dim=HEAD_DIM, max_position_embeddings=128, rms_norm_eps=Llama.eps, rope_theta=Llama.rope_theta,
            tie_word_embeddings=True, hidden_act="silu", bos_token_id=None, eos_token_id=None, pad_token_id=None)

    @staticmethod
    def random_backbone(gen: torch.Generator) -> dict[str, Tensor]:
        C, I, KD = WIDTH, Llama.intermediate, Llama.kv_heads * HEAD_DIM

        def mat(rows, cols):
            return torch.randn(rows, cols, generator=gen) * 0.15

        def norm():
            return 1 + 0.2 * torch.randn(C, generator=gen)
        w = {"model.embed_tokens.weight": mat(Llama.vocab, C)}
        for i in range(LAYERS):
            p = f"model.layers.{i}."
            w[p + "input_layernorm.weight"] = norm()
            w[p + "self_attn.q_proj.weight"] = mat(C, C)
            w[p + "self_attn.k_proj.weight"] = mat(KD, C)
            w[p + "self_attn.v_proj.weight"] = mat(KD, C)
            w[p + "self_attn.o_proj.weight"] = mat(C, C)
            w[p + "post_attention_layernorm.weight"] = norm()
            w[p + "mlp.gate_proj.weight"] = mat(I, C)
            w[p + "mlp.up_proj.weight"] = mat(I, C)
            w[p + "mlp.down_proj.weight"] = mat(C, I)
        w["model.norm.weight"] = norm()
        return w

    @staticmethod
    def hf_model(w: dict[str, Tensor]):
        from transformers import LlamaForCausalLM
        model = LlamaForCausalLM(Llama.hf_config()).float().eval()
        with torch.no_grad():
            for name, parameter in model.named_parameters():
                parameter.copy_(w[name])
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr(), "head must be tied"
        return model

    @staticmethod
    def save_backbone(w: dict[str, Tensor], folder: pathlib.Path) -> dict[str, Tensor]:
        Llama.hf_model(w).save_pretrained(folder, safe_serialization=True)
        for extra in folder.glob("generation_config.json"):
            extra.unlink()
        loaded = load_file(folder / "model.safetensors")
        assert set(loaded) == set(w), sorted(set(loaded) ^ set(w))
        assert all(loaded[n].dtype == torch.float32 and torch.equal(loaded[n], t) for n, t in w.items())
        return loaded

    @staticmethod
    def rms_norm(x: Tensor, weight: Tensor) -> Tensor:
        """transformers LlamaRMSNorm."""
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + Llama.eps))

    @staticmethod
    def rope(x: Tensor) -> Tensor:
        """(heads, T, D) at positions 0..T-1, rotate_half (half-split) convention; the cos/sin tables are
        built in float32 as transformers' LlamaRotaryEmbedding builds them, then cast."""
        T, D = x.shape[1], x.shape[2]
        inv_freq = 1.0 / (Llama.rope_theta ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
        freqs = torch.arange(T, dtype=torch.float32)[:, None] * inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        x1, x2 = x[..., : D // 2], x[..., D // 2:]
        return x * cos + torch.cat([-x2, x1], dim=-1) * sin

    @staticmethod
    def attention_inputs(x: Tensor, norm: Tensor, wq: Tensor, wk: Tensor, wv: Tensor):
        n = Llama.rms_norm(x, norm)
        q = ref.split_heads(F.linear(n, wq), HEADS)  # (H, T, D), unrotated
        k = ref.split_heads(F.linear(n, wk), Llama.kv_heads)  # (K, T, D), unrotated
        v = ref.split_heads(F.linear(n, wv), Llama.kv_heads)
        return q, k, v

    @staticmethod
    def local_attention(q_rot: Tensor, k_rot: Tensor, v: Tensor) -> Tensor:
        group = HEADS // Llama.kv_heads  # query head h reads KV head h // group
        return causal_softmax_attention(q_rot, k_rot.repeat_interleave(group, 0), v.repeat_interleave(group, 0))

    @staticmethod
    def mlp(x: Tensor, w: dict[str, Tensor], p: str) -> Tensor:
        n2 = Llama.rms_norm(x, w[p + "post_attention_layernorm.weight"])
        return F.linear(F.silu(F.linear(n2, w[p + "mlp.gate_proj.weight"])) * F.linear(n2, w[p + "mlp.up_proj.weight"]),
                        w[p + "mlp.down_proj.weight"])

    @staticmethod
    def backbone_pass(w: dict[str, Tensor], tokens: Tensor) -> BackbonePass:
        x = w["model.embed_tokens.weight"][tokens]
        hidden, cached = [], None
        for i in range(LAYERS):
            hidden.append(x)
            p = f"model.layers.{i}."
            q, k, v = Llama.attention_inputs(x, w[p + "input_layernorm.weight"], w[p + "self_attn.q_proj.weight"],
                                             w[p + "self_attn.k_proj.weight"], w[p + "self_attn.v_proj.weight"])
            if i == RETRIEVAL_BLOCK:
                cached = (k, v)
            heads = Llama.local_attention(Llama.rope(q), Llama.rope(k), v)
            x = x + F.linear(ref.merge_heads(heads), w[p + "self_attn.o_proj.weight"])
            x = x + Llama.mlp(x, w, p)
        x = Llama.rms_norm(x, w["model.norm.weight"])
        hidden.append(x)
        return BackbonePass(hidden, cached[0], cached[1], F.linear(x, w["model.embed_tokens.weight"]))

    @staticmethod
    def initial_sidenet(w: dict[str, Tensor]) -> dict[str, Tensor]:
        parts = ["input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                 "self_attn.v_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
                 "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"]
        copied = {f"sidenet.layers.{i}.{part}": w[f"model.layers.{2 * i + 1}.{part}"]
                  for i in range(SIDENET_LAYERS) for part in parts}
        copied["sidenet.norm.weight"] = w["model.norm.weight"]
        return copied

    @staticmethod
    def sidenet_layer(p: dict[str, Tensor], layer: int, x: Tensor, residual: Tensor, memory: Memory | None,
                      trace: Trace) -> Tensor:
        s = f"sidenet.layers.{layer}."
        q, k, v = Llama.attention_inputs(x, p[s + "input_layernorm.weight"], p[s + "self_attn.q_proj.weight"],
                                         p[s + "self_attn.k_proj.weight"], p[s + "self_attn.v_proj.weight"])
        q_rot = Llama.rope(q)
        heads = Llama.local_attention(q_rot, Llama.rope(k), v)
        if memory is not None and not memory.is_empty:
            # retrieval with the unrotated query, memory scores with the rotated one (memory keys unrotated)
            heads = memory_mix(heads, q, q_rot, memory, p[s + "self_attn.memory_bias"], trace)
        x = x + residual + F.linear(ref.merge_heads(heads), p[s + "self_attn.o_proj.weight"])
        return x + Llama.mlp(x, p, s)  # n2 = RMSNorm(x) AFTER the cross-network residual

    @staticmethod
    def head(p: dict[str, Tensor], w: dict[str, Tensor], x: Tensor) -> Tensor:
        return F.linear(Llama.rms_norm(x, p["sidenet.norm.weight"]), w["model.embed_tokens.weight"])


FAMILIES = (NewGPT, Llama)


# --------------------------------------------------------------------------------------------------
# The SideNet loss over a stream
# --------------------------------------------------------------------------------------------------

@dataclass
class Stream:
    """A family's frozen backbone over the three segments, at one dtype."""
    family: type
    backbone: dict[str, Tensor]
    inputs: list[Tensor]
    targets: list[Tensor]
    passes: list[BackbonePass]

    @staticmethod
    def build(family, backbone: dict[str, Tensor], tokens: Tensor, dtype: torch.dtype) -> "Stream":
        backbone = {n: t.to(dtype) for n, t in backbone.items()}
        inputs = [tokens[SEGMENT * s: SEGMENT * s + SEGMENT] for s in range(SEGMENTS)]
        targets = [tokens[SEGMENT * s + 1: SEGMENT * s + SEGMENT + 1] for s in range(SEGMENTS)]
        with torch.no_grad():
            passes = [family.backbone_pass(backbone, x) for x in inputs]
        return Stream(family, backbone, inputs, targets, passes)

    def memory_before(self, segment: int) -> Memory:
        """The memory as segment `segment` sees it: written after each earlier segment's forward pass."""
        memory = Memory(self.family.kv_heads, HEAD_DIM, self.passes[0].keys.dtype)
        for earlier in self.passes[:segment]:
            memory.write(earlier.keys, earlier.values)
        return memory

    def logits(self, params: dict[str, Tensor], segment: int, trace: Trace | None = None) -> Tensor:
        hidden = self.passes[segment].hidden
        memory = self.memory_before(segment)
        trace = trace if trace is not None else Trace()
        x = hidden[0]
        for layer in range(SIDENET_LAYERS):
            residual = hidden[2 * layer + 2] - hidden[2 * layer]
            x = self.family.sidenet_layer(params, layer, x, residual, memory if layer == MEMORY_LAYER else None, trace)
        return self.family.head(params, self.backbone, x)

    def loss(self, params: dict[str, Tensor], segment: int, trace: Trace | None = None) -> Tensor:
        return F.cross_entropy(self.logits(params, segment, trace), self.targets[segment])

    def backbone_loss(self, segment: int) -> Tensor:
        return F.cross_entropy(self.passes[segment].logits, self.targets[segment])


def gradients(stream: Stream, params: dict[str, Tensor], segment: int):
    """(loss, {name: d loss / d param}, trace); parameters the loss does not reach get zero gradients."""
    leaves = {n: t.detach().clone().requires_grad_(True) for n, t in params.items()}
    trace = Trace()
    loss = stream.loss(leaves, segment, trace)
    names = sorted(leaves)
    grads = torch.autograd.grad(loss, [leaves[n] for n in names], allow_unused=True)
    return loss.detach(), {n: (g if g is not None else torch.zeros_like(leaves[n])) for n, g in zip(names, grads)}, trace


def train(stream: Stream, params: dict[str, Tensor]):
    """Case B: per segment, loss -> backward -> clip_grad_norm_(0.5) -> AdamW step at that segment's lr.
    A parameter the loss does not reach (memory_bias on segment 0) gets an explicit zero gradient, so
    AdamW updates every parameter at every step (weight decay, step count) and Adam's state stays aligned."""
    names = sorted(params)
    parameters = [torch.nn.Parameter(params[n].detach().clone()) for n in names]
    optimizer = torch.optim.AdamW(parameters, lr=LEARNING_RATES[0], foreach=False, **ADAMW)
    losses, norms, traces = [], [], []
    for segment in range(SEGMENTS):
        optimizer.zero_grad(set_to_none=True)
        trace = Trace()
        loss = stream.loss(dict(zip(names, parameters)), segment, trace)
        loss.backward()
        for parameter in parameters:
            if parameter.grad is None:
                parameter.grad = torch.zeros_like(parameter)
        norm = torch.nn.utils.clip_grad_norm_(parameters, CLIP_NORM, foreach=False)
        for group in optimizer.param_groups:
            group["lr"] = LEARNING_RATES[segment]
        optimizer.step()
        losses.append(loss.detach())
        norms.append(norm.detach())
        traces.append(trace)
    return losses, norms, {n: p.detach().clone() for n, p in zip(names, parameters)}, traces


# --------------------------------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------------------------------

def check_newgpt_against_reference(stream: Stream, params: dict[str, Tensor]) -> float:
    """longmem_reference.py's SideNet (fairseq semantics) with a float32 memory store and top-k 8."""
    config = ref.LongMemConfig(backbone=NewGPT.config,
                               memory=ref.MemoryConfig(RETRIEVAL_BLOCK, CAPACITY, CHUNK, TOP_K),
                               sidenet_layers=SIDENET_LAYERS)
    assert config.memory_layer == MEMORY_LAYER
    bank = ref.MemoryBank(HEADS, HEAD_DIM, config.memory, store_dtype=torch.float32)
    sidenet = {n[len("sidenet."):]: t for n, t in params.items()}
    worst = 0.0
    for segment, x in enumerate(stream.inputs):
        out = ref.backbone_forward(stream.backbone, NewGPT.config, x, capture_layer=RETRIEVAL_BLOCK)
        expected = ref.sidenet_forward(sidenet, stream.backbone, config, out.hidden_states, bank)
        with torch.no_grad():
            worst = max(worst, (stream.logits(params, segment) - expected).abs().max().item())
        bank.write(out.qkv[RETRIEVAL_BLOCK][1], out.qkv[RETRIEVAL_BLOCK][2])
    assert worst < 1e-4, f"newgpt SideNet differs from longmem_reference.py by {worst}"
    return worst


def check_llama_against_transformers(stream: Stream) -> float:
    model = Llama.hf_model(stream.backbone)
    worst = 0.0
    with torch.no_grad():
        for x, backbone_pass in zip(stream.inputs, stream.passes):
            logits = model(x[None]).logits[0]
            worst = max(worst, (logits - backbone_pass.logits).abs().max().item())
    assert worst < 1e-4, f"llama backbone differs from transformers by {worst}"
    return worst


def relative_error(a: Tensor, b: Tensor) -> float:
    return ((a.double() - b.double()).norm() / b.double().norm().clamp_min(1e-30)).item()


def check_against_float64(family, backbone, tokens, params, grads32, traces32) -> dict:
    """float32 autograd vs float64 autograd (same function, same retrievals), and float64 autograd vs
    central finite differences on a few entries per segment."""
    stream64 = Stream.build(family, backbone, tokens, torch.float64)
    params64 = {n: t.double() for n, t in params.items()}
    worst_grad, worst_fd, fd_count = 0.0, 0.0, 0
    gen = torch.Generator().manual_seed(SEED + 99)
    for segment in range(SEGMENTS):
        loss64, grads64, trace64 = gradients(stream64, params64, segment)
        if traces32[segment].chunks is not None:
            assert torch.equal(trace64.chunks, traces32[segment].chunks), "float64 retrieves other chunks"
        for name in grads64:
            if grads64[name].abs().max() > 0:
                worst_grad = max(worst_grad, relative_error(grads32[segment][name], grads64[name]))
            else:
                assert grads32[segment][name].abs().max() == 0
        # finite differences: the memory gate and a few random entries of other tensors
        probes = [(f"sidenet.layers.{MEMORY_LAYER}.self_attn.memory_bias", h) for h in range(HEADS)]
        names = sorted(params64)
        for _ in range(8):
            name = names[torch.randint(len(names), (1,), generator=gen).item()]
            probes.append((name, torch.randint(params64[name].numel(), (1,), generator=gen).item()))
        mem_q = f"sidenet.layers.{MEMORY_LAYER}.self_attn.q_proj.weight"
        probes.append((mem_q, torch.randint(params64[mem_q].numel(), (1,), generator=gen).item()))
        step = 1e-6
        for name, flat in probes:
            shifted = {}
            for sign in (1, -1):
                copy = dict(params64)
                copy[name] = params64[name].clone()
                copy[name].view(-1)[flat] += sign * step
                with torch.no_grad():
                    shifted[sign] = stream64.loss(copy, segment).item()
            fd = (shifted[1] - shifted[-1]) / (2 * step)
            ad = grads64[name].view(-1)[flat].item()
            error = abs(fd - ad) / max(abs(ad), 1e-3)
            assert error < 1e-5, f"{family.name} segment {segment} {name}[{flat}]: fd {fd} vs autograd {ad}"
            worst_fd, fd_count = max(worst_fd, error), fd_count + 1
    assert worst_grad < 1e-4, f"{family.name}: float32 gradients differ from float64 by {worst_grad} (relative)"
    return {"float32_vs_float64_grad_max_relative_error": worst_grad,
            "finite_difference_max_relative_error": worst_fd, "finite_difference_entries": fd_count}


def check_retrieval(family, traces: list[Trace], label: str) -> float:
    assert traces[0].chunks is None, "segment 0 must run without memory"
    smallest = math.inf
    for segment in range(1, SEGMENTS):
        chunks = traces[segment].chunks
        assert chunks is not None
        distinct = len({tuple(c) for c in chunks.reshape(-1, chunks.shape[-1]).tolist()})
        assert distinct > 1, f"{family.name} {label} segment {segment}: every query retrieves the same chunks"
        smallest = min(smallest, traces[segment].margins.min().item())
    assert smallest > MIN_MARGIN, f"{family.name} {label}: a retrieval is a near-tie ({smallest}); change SEED"
    return smallest


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def build_family(family, index: int) -> dict:
    gen = torch.Generator().manual_seed(SEED + 1000 * index)
    backbone = family.random_backbone(gen)
    folder = OUT / family.name
    backbone = family.save_backbone(backbone, folder / "backbone")

    params = {n: t.clone() + SIDENET_NOISE * torch.randn(t.shape, generator=gen)
              for n, t in family.initial_sidenet(backbone).items()}
    params[f"sidenet.layers.{MEMORY_LAYER}.self_attn.memory_bias"] = MEMORY_BIAS_STD * torch.randn(HEADS, generator=gen)
    params = dict(sorted(params.items()))
    tokens = torch.randint(4, family.vocab, (SEGMENTS * SEGMENT + 1,), generator=gen)  # no fairseq specials

    stream = Stream.build(family, backbone, tokens, torch.float32)
    checks = {}
    if family is NewGPT:
        checks["sidenet_vs_longmem_reference_max_abs_logit_diff"] = check_newgpt_against_reference(stream, params)
    else:
        checks["backbone_vs_transformers_max_abs_logit_diff"] = check_llama_against_transformers(stream)

    # Case A
    losses_a, grads_a, traces_a = [], [], []
    for segment in range(SEGMENTS):
        loss, grads, trace = gradients(stream, params, segment)
        losses_a.append(loss)
        grads_a.append(grads)
        traces_a.append(trace)
    bias_name = f"sidenet.layers.{MEMORY_LAYER}.self_attn.memory_bias"
    assert grads_a[0][bias_name].abs().max() == 0
    for segment in (1, 2):
        assert (grads_a[segment][bias_name].abs() > 1e-6).all(), f"{family.name}: memory_bias gets no gradient"
    checks["smallest_retrieval_margin_A"] = check_retrieval(family, traces_a, "case A")
    checks.update(check_against_float64(family, backbone, tokens, params, grads_a, traces_a))

    # Case B
    losses_b, norms_b, final, traces_b = train(stream, params)
    assert torch.equal(losses_b[0], losses_a[0])
    assert any(n.item() > CLIP_NORM for n in norms_b), f"{family.name}: clipping never active"
    checks["smallest_retrieval_margin_B"] = check_retrieval(family, traces_b, "case B")

    backbone_losses = [stream.backbone_loss(s) for s in range(SEGMENTS)]

    save_file(params, folder / "sidenet.safetensors", metadata={"generator": GENERATOR})
    expected = {"tokens": tokens.float()}
    for segment in range(SEGMENTS):
        expected[f"loss.A.{segment}"] = losses_a[segment].reshape(1)
        for name, grad in grads_a[segment].items():
            expected[f"grad.{segment}.{name}"] = grad
        expected[f"loss.B.{segment}"] = losses_b[segment].reshape(1)
        expected[f"grad_norm.B.{segment}"] = norms_b[segment].reshape(1)
        expected[f"backbone_loss.{segment}"] = backbone_losses[segment].reshape(1)
        if segment > 0:
            expected[f"chunks.A.{segment}"] = traces_a[segment].chunks.float()
            expected[f"chunks.B.{segment}"] = traces_b[segment].chunks.float()
    for name, tensor in final.items():
        expected[f"final.{name}"] = tensor
    expected = {n: t.detach().float().contiguous() for n, t in sorted(expected.items())}
    save_file(expected, folder / "expected.safetensors", metadata={"generator": GENERATOR})
    return {
        "losses_A": [l.item() for l in losses_a], "losses_B": [l.item() for l in losses_b],
        "backbone_losses": [l.item() for l in backbone_losses],
        "pre_clip_grad_norms_B": [n.item() for n in norms_b], "checks": checks,
    }


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # reduction order independent of the machine's core count
    torch.use_deterministic_algorithms(True)
    shutil.rmtree(OUT, ignore_errors=True)
    summary = {family.name: build_family(family, index) for index, family in enumerate(FAMILIES)}
    (OUT / "README.md").write_text(README, encoding="utf-8")
    sizes = {p.relative_to(OUT).as_posix(): p.stat().st_size for p in sorted(OUT.rglob("*")) if p.is_file()}
    for family, values in summary.items():
        print(family, values)
    print({"files": sizes, "total_bytes": sum(sizes.values())})


README = """# Training fixtures (SideNet gradients and optimizer steps)

PyTorch (float32, CPU, autograd) references for training a LongMem SideNet over a frozen backbone, for
two families: `newgpt/` (GPT-2*, ALiBi) and `llama/` (HF Llama, RoPE, GQA, tied embeddings).

Regenerate (deterministic, identical bytes): `python3 Scripts/reference/make_training_fixtures.py`
(pinned versions in `Scripts/reference/requirements.txt`). The script's docstring states the model.

Per family:
- `backbone/`: config.json + model.safetensors (float32, 4 blocks, width 64, 4 query heads of 16; llama: 2
  KV heads, FFN 96, vocabulary 256, rope_theta 500; newgpt: FFN 256, vocabulary 512).
- `sidenet.safetensors`: starting SideNet (2 layers; layer i = backbone block 2i+1 + noise, final norm =
  backbone final norm + noise, `sidenet.layers.1.self_attn.memory_bias` [4]).
- `expected.safetensors` (all float32):
  - `tokens` [49]: token ids stored as float32; segment s = tokens[16s ..< 16s+16], targets shifted by one.
  - `loss.A.{s}` [1], `grad.{s}.{param}`: loss and gradients at the starting parameters, s = 0, 1, 2
    (segment 0: empty memory; memory written after each segment; memory_bias gradient is 0 on segment 0).
  - `loss.B.{s}` [1] (before the step), `grad_norm.B.{s}` [1] (pre-clip global L2 norm), `final.{param}`:
    three steps of clip_grad_norm_(0.5) (scale = 0.5 / (norm + 1e-6) when norm > 0.5) then
    AdamW(lr 1e-3, 5e-4, 2.5e-4; betas 0.9, 0.98; eps 1e-6; weight decay 0.01 on every parameter,
    decoupled: p *= 1 - lr * wd, then p -= lr * m_hat / (sqrt(v_hat) + eps) with bias-corrected m_hat,
    v_hat; torch's foreach=False path). Every parameter gets a gradient at every step (zero where the loss
    does not reach it: memory_bias on segment 0), so all are decayed and share one step count.
  - `backbone_loss.{s}` [1]: the backbone's own mean cross-entropy on segment s.
  - `chunks.{A,B}.{s}` [4, 16, 2] (s = 1, 2): retrieved chunk numbers (ascending, in write order over the
    memory) per query head and token, for debugging retrieval.

Memory: per KV head, chunks of 4 tokens, index key = chunk mean, float32 store, top 2 chunks (8 tokens)
per query by inner product with the unscaled, unrotated q_proj output; query head h reads KV head
h // (heads / KV heads). Retrieval is not differentiated.
"""


if __name__ == "__main__":
    main()
