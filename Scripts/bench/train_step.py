"""One SideNet training step in PyTorch, the twin of `longmem-eval bench train-step` (Swift), for side-by-side timing.

The step, on a T-token segment of real text (SmolLM2-135M: 30 Llama blocks, width 576, 9 query / 3 key-value heads
of 64, SwiGLU 1536, vocabulary 49,152, tied embedding, RoPE theta 100,000, RMSNorm eps 1e-5):
  1. frozen backbone forward under no_grad (transformers' LlamaModel, sdpa attention, no logits), capturing
     H[0], H[2], ..., H[30] with output_hidden_states (H[i] = input of block i, H[30] = final-RMSNorm output) and,
     with forward hooks, block R's k_proj / v_proj outputs (unrotated keys and values of its input RMSNorm;
     R = 30 * 3 // 4 - 1 = 21, as MemoryConfiguration.defaultRetrievalLayer). They are recorded, not written:
     memory stays as filled, as in the Swift bench.
  2. SideNet forward (ordinary nn.Modules): 15 layers, layer l a copy of backbone block 2l+1, x0 = H[0],
     x = x + (H[2l+2] - H[2l]) + o_proj(attn(RMSNorm1 x)); x = x + mlp(RMSNorm2 x). Layer M = R // 2 = 10 mixes per
     head (1 - sigmoid(b_h)) * local + sigmoid(b_h) * softmax(q_rot . Kmem / 8) Vmem over 64 retrieved tokens per
     query and head: torch.topk (no grad) of the 16 best 4-token chunks by the unrotated query's inner product with
     the chunk-mean keys of key head h // 3. Final RMSNorm, logits through the frozen tied embedding, mean
     cross-entropy against the next tokens, backward (SideNet parameters only; the embedding is frozen).
  3. AdamW (lr 2e-4, betas 0.9/0.98, eps 1e-6, weight decay 0.01; torch's fused CPU kernel by default) on the
     SideNet's parameters: 15 layers' weights, the final norm, memory_bias[9].

Memory: as the Swift bench, the text's first --memory-size tokens (16 segments of real text, not random ids) go
through the backbone once before timing (blocks 0..R only: nothing above can change block R's keys) and their
block-R keys/values are written with the official add_index rule (whole 4-token chunks; when a write would fill the
bank the oldest two segments' worth of chunks are evicted first, so 16 x 1,024 tokens into a 16,384-token bank leave
14,336 resident: JSON memory_tokens). Keys and values are stored rounded to float16 (the Swift default store) and
held as float32; chunk means come from the float32 keys. Timed steps use the segments that follow (warm-up first).
Segment s reads tokens [sT, sT+T) and predicts [sT+1, sT+T+1).

FLOPs per step (the Swift TrainingFlops formula, multiply-add = 2; W = weights of the 15 SideNet layers incl. their
norm vectors, the backbone's 30 blocks counted as 2W; A = 2 * H*D * T^2 = causal attention of one layer, T^2/2
query-key pairs for q.k and again for p.v):
  backbone = 2 * (2W) * T + 30 * A                     (forward only, no head)
  sidenet  = 3 * (2 * W * T + 15 * A)                  (forward + backward = 2x forward for weight and input grads)
  head     = 2 * (2 * V * C * T)                       (frozen head: forward + input gradient only)
  total = backbone + sidenet + head; memory attention, retrieval, norms and AdamW are not counted.
Effective GFLOP/s = total / median step seconds / 1e9.

Model: --model is a folder (config.json + model.safetensors + tokenizer files, or exactly one .gguf, which
transformers dequantises to float32 at load) or a catalog name resolved in $LONGMEM_EVAL_MODELS (default
~/.cache/longmem-eval/models): `--model smollm2-135m` is the same argument the Swift command takes.

Usage:
  python3 Scripts/bench/train_step.py --threads 2 [--model smollm2-135m] [--text FILE] [--segment-length 1024]
      [--memory-size 16384] [--steps 3] [--warmup 1] [--optimizer fused|foreach|loop]
  python3 Scripts/bench/train_step.py --sgemm-peak --threads 2      # torch.mm and numpy sgemm, 2048^3, best of 5
Prints one JSON object on stdout (a summary on stderr).
Pinned: torch 2.13.0+cpu, transformers 5.23.0 (Scripts/reference/requirements.txt).
"""
import argparse
import json
import os
import pathlib
import re
import resource
import sys
import time

MODELS = pathlib.Path(os.environ.get("LONGMEM_EVAL_MODELS", pathlib.Path.home() / ".cache" / "longmem-eval" / "models"))
DATA = pathlib.Path(os.environ.get("LONGMEM_EVAL_DATA", "/work/shared/datasets"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m", help="model folder or catalog name")
    parser.add_argument("--text", type=pathlib.Path, default=DATA / "train" / "books" / "pg105.txt")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--segment-length", type=int, default=1024)
    parser.add_argument("--memory-size", type=int, default=16_384)
    parser.add_argument("--chunk-size", type=int, default=4)
    parser.add_argument("--top-k", type=int, default=64, help="retrieved tokens per query and head")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--optimizer", choices=["fused", "foreach", "loop"], default="fused",
                        help="torch.optim.AdamW implementation")
    parser.add_argument("--no-sgemm", action="store_true", help="skip the sgemm peak measured after the steps")
    parser.add_argument("--sgemm-peak", action="store_true", help="only measure the sgemm peak and exit")
    return parser.parse_args()


ARGS = parse_args()
# Before numpy / torch load their BLAS: numpy's OpenBLAS reads its thread count once, at import.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(ARGS.threads)


def log(message: str):
    print(message, file=sys.stderr, flush=True)


def rss_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def reset_rss_peak() -> bool:
    """Resets the kernel's high-water mark (VmHWM, and ru_maxrss with it) to read the training phase's own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------------------
# sgemm peak


def sgemm_peak(threads: int, n: int = 2048, rounds: int = 5) -> dict:
    """Best of `rounds` n^3 float32 products: torch.mm at `threads` threads, and numpy's BLAS (2 n^3 flops each)."""
    torch.set_num_threads(threads)
    a, b = torch.rand(n, n), torch.rand(n, n)
    c = torch.empty(n, n)
    torch.mm(a, b, out=c)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        torch.mm(a, b, out=c)
        best = max(best, 2 * n**3 / (time.perf_counter() - start) / 1e9)
    result = {"sgemm_peak_gflops": best, "sgemm_size": n, "sgemm_rounds": rounds}
    try:
        import numpy as np

        x, y = a.numpy(), b.numpy()
        z = x @ y
        best_np = 0.0
        for _ in range(rounds):
            start = time.perf_counter()
            np.matmul(x, y, out=z)
            best_np = max(best_np, 2 * n**3 / (time.perf_counter() - start) / 1e9)
        result["numpy_sgemm_peak_gflops"] = best_np
        result["numpy_version"] = np.__version__
    except ImportError:
        pass
    return result


# ---------------------------------------------------------------------------------------------------------------
# SideNet modules


class RMSNorm(nn.Module):
    def __init__(self, weight: torch.Tensor, eps: float):
        super().__init__()
        self.weight = nn.Parameter(weight.detach().clone())
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def copy_linear(source: nn.Linear) -> nn.Linear:
    layer = nn.Linear(source.in_features, source.out_features, bias=False)
    layer.weight = nn.Parameter(source.weight.detach().clone())
    return layer


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_tables(tokens: int, head_dim: int, theta: float):
    """(T, 1, D) cos and sin, Hugging Face's non-interleaved convention (what transformers' GGUF loader produces)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = torch.outer(torch.arange(tokens, dtype=torch.float32), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[:, None, :], emb.sin()[:, None, :]


class SideLayer(nn.Module):
    """A Llama block copied from a backbone block, with the cross-network residual (and optionally memory)."""

    def __init__(self, block, heads: int, kv_heads: int, head_dim: int, eps: float):
        super().__init__()
        attention, mlp = block.self_attn, block.mlp
        self.input_layernorm = RMSNorm(block.input_layernorm.weight, eps)
        self.q_proj, self.k_proj = copy_linear(attention.q_proj), copy_linear(attention.k_proj)
        self.v_proj, self.o_proj = copy_linear(attention.v_proj), copy_linear(attention.o_proj)
        self.post_attention_layernorm = RMSNorm(block.post_attention_layernorm.weight, eps)
        self.gate_proj, self.up_proj = copy_linear(mlp.gate_proj), copy_linear(mlp.up_proj)
        self.down_proj = copy_linear(mlp.down_proj)
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, head_dim

    def forward(self, x, cross, cos, sin, memory=None, memory_bias=None):
        t, h, kv, d = x.shape[0], self.heads, self.kv_heads, self.head_dim
        normed = self.input_layernorm(x)
        q = self.q_proj(normed).view(t, h, d)
        k = self.k_proj(normed).view(t, kv, d)
        v = self.v_proj(normed).view(t, kv, d)
        q_rot, k_rot = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        group = h // kv  # query head j reads key head j // group (HF repeat_kv)
        local = F.scaled_dot_product_attention(
            q_rot.transpose(0, 1)[None], k_rot.transpose(0, 1).repeat_interleave(group, 0)[None],
            v.transpose(0, 1).repeat_interleave(group, 0)[None], is_causal=True)[0].transpose(0, 1)  # (T, H, D)
        if memory is not None:
            with torch.no_grad():
                keys, values = memory.retrieve(q.detach())  # (T, H, R, D) each; unrotated query searches
            scores = torch.matmul(q_rot.unsqueeze(2), keys.transpose(-1, -2)).squeeze(2) * d**-0.5  # (T, H, R)
            readout = torch.matmul(scores.softmax(-1).unsqueeze(2), values).squeeze(2)  # (T, H, D)
            gate = torch.sigmoid(memory_bias)[:, None]
            attended = (1 - gate) * local + gate * readout
        else:
            attended = local
        x = x + cross + self.o_proj(attended.reshape(t, h * d))
        normed = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(normed)) * self.up_proj(normed))


class SideNet(nn.Module):
    def __init__(self, backbone_model, memory_layer: int):
        super().__init__()
        config = backbone_model.config
        heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
        eps = config.rms_norm_eps
        blocks = backbone_model.model.layers
        self.layers = nn.ModuleList(
            SideLayer(blocks[2 * i + 1], heads, kv_heads, head_dim, eps) for i in range(len(blocks) // 2))
        self.norm = RMSNorm(backbone_model.model.norm.weight, eps)
        self.memory_bias = nn.Parameter(torch.zeros(heads))
        self.memory_layer = memory_layer
        self.head_dim = head_dim
        theta = (getattr(config, "rope_parameters", None) or {}).get("rope_theta") or config.rope_theta
        self.theta = float(theta)
        self.embedding = backbone_model.model.embed_tokens.weight.detach()  # frozen tied head, not a SideNet parameter

    def layer_parameter_count(self) -> int:
        return sum(p.numel() for p in self.layers.parameters())

    def loss(self, states, targets, memory, rope):
        cos, sin = rope
        x = states[0]
        for l, layer in enumerate(self.layers):
            is_memory = l == self.memory_layer and memory is not None and memory.count > 0
            x = layer(x, states[l + 1] - states[l], cos, sin, memory if is_memory else None,
                      self.memory_bias if is_memory else None)
        logits = self.norm(x) @ self.embedding.t()
        return F.cross_entropy(logits, targets)


# ---------------------------------------------------------------------------------------------------------------
# Memory bank


class MemoryBank:
    """Chunked key/value memory of the backbone's block-R keys and values, official add_index write rule, exact
    inner-product retrieval over chunk means (torch.topk)."""

    def __init__(self, capacity_tokens: int, chunk: int, top_k: int, kv_heads: int, head_dim: int):
        self.capacity = capacity_tokens // chunk  # chunks
        self.chunk, self.per_query = chunk, top_k // chunk
        self.kv_heads, self.head_dim = kv_heads, head_dim
        self.keys = torch.zeros(kv_heads, self.capacity, chunk, head_dim)
        self.values = torch.zeros(kv_heads, self.capacity, chunk, head_dim)
        self.means = torch.zeros(kv_heads, self.capacity, head_dim)
        self.count = self.start = 0

    @property
    def tokens(self) -> int:
        return self.count * self.chunk

    def write(self, keys: torch.Tensor, values: torch.Tensor):
        """keys, values (T, KV * D), float32."""
        tokens = keys.shape[0]
        new = tokens // self.chunk
        if self.count + new >= self.capacity:
            evicted = min(2 * tokens // self.chunk, self.count)
            self.start = (self.start + evicted) % self.capacity
            self.count -= evicted
        shape = (new, self.chunk, self.kv_heads, self.head_dim)
        k = keys[: new * self.chunk].reshape(shape).permute(2, 0, 1, 3)  # (KV, new, chunk, D)
        v = values[: new * self.chunk].reshape(shape).permute(2, 0, 1, 3)
        slots = (self.start + self.count + torch.arange(new)) % self.capacity
        self.means[:, slots] = k.mean(2)
        self.keys[:, slots] = k.half().float()
        self.values[:, slots] = v.half().float()
        self.count += new

    def retrieve(self, query: torch.Tensor):
        """query (T, H, D) unrotated -> retrieved keys and values (T, H, R, D), R = top_k tokens, best chunk first."""
        t, h, d = query.shape
        kv, group = self.kv_heads, h // self.kv_heads
        resident = (self.start + torch.arange(self.count)) % self.capacity  # oldest first
        means = self.means[:, resident]  # (KV, count, D)
        q = query.reshape(t, kv, group, d).permute(1, 0, 2, 3).reshape(kv, t * group, d)
        scores = torch.bmm(q, means.transpose(1, 2))  # (KV, T*G, count)
        top = scores.topk(min(self.per_query, self.count), dim=-1).indices  # (KV, T*G, n)
        n = top.shape[-1]
        slots = resident[top].view(kv, t, group, n).permute(1, 0, 2, 3).contiguous()  # (T, KV, G, n): head kv*G+g
        head = torch.arange(kv)[None, :, None, None]
        keys = self.keys[head, slots]  # (T, KV, G, n, chunk, D), gathered straight into the query-head layout
        values = self.values[head, slots]
        return keys.view(t, h, n * self.chunk, d), values.view(t, h, n * self.chunk, d)


# ---------------------------------------------------------------------------------------------------------------
# Backbone


def resolve_model(name: str) -> pathlib.Path:
    path = pathlib.Path(name).expanduser()
    if path.is_dir():
        return path
    cached = MODELS / name
    if cached.is_dir():
        return cached
    raise SystemExit(f"--model {name}: neither a folder nor a model in {MODELS}")


def load_backbone(directory: pathlib.Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs = {}
    if not (directory / "config.json").exists():
        ggufs = sorted(directory.glob("*.gguf"))
        if len(ggufs) != 1:
            raise SystemExit(f"{directory}: no config.json and {len(ggufs)} .gguf files (need exactly one)")
        kwargs["gguf_file"] = ggufs[0].name
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32, **kwargs).eval()
    if model.config.model_type != "llama":
        raise SystemExit(f"{directory}: model_type {model.config.model_type}, this benchmark builds Llama SideNets")
    for p in model.parameters():
        p.requires_grad_(False)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    tokenizer = AutoTokenizer.from_pretrained(directory, **kwargs)
    return model, tokenizer, kwargs.get("gguf_file", "safetensors")


class StopForward(Exception):
    pass


class Recorder:
    """Forward hooks on block R's k_proj and v_proj: the unrotated keys and values of its input RMSNorm. With
    `stop_after_values`, the forward ends there (filling memory needs nothing above block R; untimed)."""

    def __init__(self, block):
        self.keys = self.values = None
        self.stop_after_values = False
        block.self_attn.k_proj.register_forward_hook(lambda m, i, o: setattr(self, "keys", o))
        block.self_attn.v_proj.register_forward_hook(self._values)

    def _values(self, module, inputs, output):
        self.values = output
        if self.stop_after_values:
            raise StopForward


def backbone_forward(model, ids: torch.Tensor, needed: list[int]):
    with torch.no_grad():
        out = model.model(input_ids=ids[None], output_hidden_states=bool(needed), use_cache=False)
    return [out.hidden_states[i][0] for i in needed]


def record_keys_values(model, ids: torch.Tensor, recorder: Recorder):
    recorder.stop_after_values = True
    try:
        backbone_forward(model, ids, [])
    except StopForward:
        pass
    finally:
        recorder.stop_after_values = False
    return recorder.keys[0], recorder.values[0]


# ---------------------------------------------------------------------------------------------------------------


def main():
    args = ARGS
    threads = torch.get_num_threads()
    if args.sgemm_peak:
        result = {"torch_version": torch.__version__, "threads": threads, **sgemm_peak(args.threads)}
        numpy_peak = result.get("numpy_sgemm_peak_gflops")
        log(f"torch {torch.__version__}, {threads} threads: torch.mm {result['sgemm_peak_gflops']:.1f} GFLOP/s"
            + (f", numpy {numpy_peak:.1f} GFLOP/s" if numpy_peak else ""))
        print(json.dumps(result))
        return
    import transformers

    torch.manual_seed(0)
    directory = resolve_model(args.model)
    load_start = time.perf_counter()
    model, tokenizer, weights = load_backbone(directory)
    config = model.config
    layers = config.num_hidden_layers
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    retrieval_layer = max(0, layers * 3 // 4 - 1)
    memory_layer = retrieval_layer // 2
    text = args.text.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    tokenizer.model_max_length = 1 << 40
    tokens = torch.tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
    t = args.segment_length
    needed_tokens = args.memory_size + (args.warmup + args.steps) * t + 1
    if len(tokens) < needed_tokens:
        raise SystemExit(f"--text {args.text}: {len(tokens)} tokens, the run needs {needed_tokens}")

    def segment(s):
        return tokens[s * t:(s + 1) * t], tokens[s * t + 1:(s + 1) * t + 1]

    side = SideNet(model, memory_layer)
    parameters = list(side.parameters())
    assert not any(p is side.embedding for p in parameters) and not side.embedding.requires_grad
    optimizer_kwargs = {"fused": args.optimizer == "fused", "foreach": args.optimizer == "foreach"}
    optimizer = torch.optim.AdamW(parameters, lr=2e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01,
                                  **optimizer_kwargs)
    recorder = Recorder(model.model.layers[retrieval_layer])
    memory = MemoryBank(args.memory_size, args.chunk_size, args.top_k, kv_heads, head_dim)
    needed = [2 * i for i in range(layers // 2 + 1)]
    rope = rope_tables(t, head_dim, side.theta)
    load_seconds = time.perf_counter() - load_start

    fill_start = time.perf_counter()
    filled = args.memory_size // t
    for s in range(filled):
        memory.write(*record_keys_values(model, segment(s)[0], recorder))
    fill_seconds = time.perf_counter() - fill_start
    log(f"torch {torch.__version__}, transformers {transformers.__version__}, {threads} threads; {directory.name} "
        f"({weights}) loaded in {load_seconds:.1f} s; memory {memory.tokens} tokens resident (capacity "
        f"{args.memory_size}) from {filled} segments of {args.text.name} in {fill_seconds:.1f} s")

    load_peak = rss_peak_mib()
    rss_reset = reset_rss_peak()
    phases, losses = [], []
    for i, s in enumerate(range(filled, filled + args.warmup + args.steps)):
        inputs, targets = segment(s)
        start = time.perf_counter()
        states = backbone_forward(model, inputs, needed)
        forward = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = side.loss(states, targets, memory, rope)
        loss.backward()
        trained = time.perf_counter()
        optimizer.step()
        end = time.perf_counter()
        label = "warm-up" if i < args.warmup else "step"
        log(f"{label} {i}: loss {loss.item():.4f}, backbone {forward - start:.3f} s, SideNet fwd+bwd "
            f"{trained - forward:.3f} s, AdamW {end - trained:.3f} s")
        if i >= args.warmup:
            phases.append([forward - start, trained - forward, end - trained])
            losses.append(loss.item())
    training_peak = rss_peak_mib() if rss_reset else None

    def median(values):
        return sorted(values)[len(values) // 2]  # the Swift bench's median (upper middle)

    step = median([sum(p) for p in phases])
    backbone_s, sidenet_s, optimizer_s = (median([p[i] for p in phases]) for i in range(3))

    # FLOPs: the Swift TrainingFlops formula (see the module docstring).
    w = side.layer_parameter_count()
    attention = 2 * heads * head_dim * t * t
    flops_backbone = 2 * (2 * w) * t + attention * layers
    flops_sidenet = 3 * (2 * w * t + attention * len(side.layers))
    flops_head = 2 * 2 * config.vocab_size * config.hidden_size * t
    flops = flops_backbone + flops_sidenet + flops_head
    peak = None if args.no_sgemm else sgemm_peak(args.threads)
    gflops = flops / step / 1e9
    result = {
        "implementation": "pytorch",
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "threads": threads,
        "model": directory.name,
        "weights": weights,
        "segment_tokens": t,
        "memory_tokens": memory.tokens,
        "memory_capacity_tokens": args.memory_size,
        "memory_source": f"backbone block {retrieval_layer} keys/values of the first {filled} segments of the text",
        "memory_layer": memory_layer,
        "retrieval_layer": retrieval_layer,
        "optimizer": args.optimizer,
        "steps": args.steps,
        "warmup": args.warmup,
        "step_seconds": step,
        "tokens_per_second": t / step,
        "backbone_seconds": backbone_s,
        "backbone_tokens_per_second": t / backbone_s,
        "sidenet_seconds": sidenet_s,
        "sidenet_tokens_per_second": t / sidenet_s,
        "optimizer_seconds": optimizer_s,
        "optimizer_tokens_per_second": t / optimizer_s,
        "loss": losses[-1],
        "flops_per_step": flops,
        "flops_backbone": flops_backbone,
        "flops_sidenet": flops_sidenet,
        "flops_head": flops_head,
        "gflops": gflops,
        "sgemm_peak_gflops": peak["sgemm_peak_gflops"] if peak else None,
        "numpy_sgemm_peak_gflops": peak.get("numpy_sgemm_peak_gflops") if peak else None,
        "fraction_of_peak": gflops / peak["sgemm_peak_gflops"] if peak else None,
        "peak_rss_mib": max(load_peak, training_peak or 0),
        "load_peak_rss_mib": load_peak,
        "training_peak_rss_mib": training_peak,
        "sidenet_parameters": sum(p.numel() for p in parameters),
    }
    log(f"step {step:.3f} s = {t / step:.1f} tokens/s (backbone {backbone_s:.3f} s, SideNet fwd+bwd {sidenet_s:.3f} s, "
        f"AdamW {optimizer_s:.3f} s); {flops / 1e9:.1f} GFLOP/step = {gflops:.1f} GFLOP/s"
        + (f" = {result['fraction_of_peak']:.0%} of torch.mm's {peak['sgemm_peak_gflops']:.1f}" if peak else ""))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
