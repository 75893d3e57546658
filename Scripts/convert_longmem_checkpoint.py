#!/usr/bin/env python3
"""Converts the official LongMem fairseq checkpoints into the model folders the Swift loader reads.

    python3 Scripts/convert_longmem_checkpoint.py --backbone gpt2_medium/checkpoint_last.pt --out DIR
    python3 Scripts/convert_longmem_checkpoint.py --backbone gpt2_medium/checkpoint_last.pt \
        --longmem longmem_gpt2_medium/checkpoint_last.pt --out DIR [--tokenizer-dir gpt2_bpe]

Backbone only -> model_type "newgpt"; with --longmem -> model_type "longmem" (backbone + SideNet).
Output: config.json + model.safetensors (+ encoder.json, vocab.bpe, dict.txt from --tokenizer-dir),
written to a temporary folder beside DIR and renamed into place.

Where the official key names come from (Victorwz/LongMem, fairseq/fairseq/...):
  backbone checkpoint (models/newgpt.py NewGPTLanguageModel -> NewGPTDecoder.model = NewGPTForCausalLM):
    decoder.model.transformer.wte.weight                    NewGPTModel.wte (nn.Embedding)
    decoder.model.transformer.h.{i}.ln_1.{weight,bias}      NewGPTBlock.ln_1
    decoder.model.transformer.h.{i}.attn.{q,k,v,out}_proj.weight   NewGPTAttention (bias=False)
    decoder.model.transformer.h.{i}.mlp.fc_{in,out}.{weight,bias}  NewGPTMLP
    decoder.model.transformer.ln_f.{weight,bias}            NewGPTModel.ln_f
    decoder.model.lm_head.{weight,bias}                     NewGPTForCausalLM.lm_head (with bias)
  LongMem checkpoint (models/transformer_lm_sidenet.py -> sidenet/transformer_decoder_sidenet.py):
    decoder.version                                         register_buffer("version") - dropped
    decoder.embed_tokens.weight                             tied to the backbone's wte - checked, dropped
    decoder.output_projection.weight                        tied to the backbone's lm_head.weight - checked, dropped
    decoder.layers.{i}.ln_1.{weight,bias}                   modules/sidenet_layer_palm_sidenet_retrieval.py
    decoder.layers.{i}.self_attn.{q,k,v,out}_proj.weight    MultiheadAttention / JointMultiheadAttentionWeightedSum, bias=False
    decoder.layers.{m}.self_attn.memory_bias                modules/joint_multihead_attention_sum.py
    decoder.layers.{i}.fc{1,2}.{weight,bias}
    decoder.layer_norm.{weight,bias}
    decoder.pretrained_model.decoder.model.{transformer...,lm_head...}   the frozen backbone copy (authoritative:
                                                            the official loader's strict load_state_dict overwrites
                                                            the --pretrained-model-path weights with it)
Hyper-parameters come from the checkpoint's "cfg" (fairseq 0.12: cfg["model"] is an argparse.Namespace for
the legacy-args model newgpt and a dict for the dataclass model transformer_lm_sidenet) or its legacy
"args"; the --n-head ... flags fill in what a stripped checkpoint lacks.

Checkpoints are pickles: only convert files you trust. Classes of packages that are not installed here
(fairseq, omegaconf) are loaded as inert stand-ins; only tensors and plain values are used.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import pickle
import re
import shutil
import sys
import tempfile
import types
from collections import OrderedDict

import torch
from safetensors.torch import save_file

TOKENIZER_FILES = ("encoder.json", "vocab.bpe", "dict.txt")
BACKBONE_PREFIX = "decoder.model."
EMBEDDED_BACKBONE_PREFIX = "decoder.pretrained_model.decoder.model."


class ConversionError(Exception):
    """One line saying what is wrong, naming the key."""


# --------------------------------------------------------------------------------------------------
# Loading fairseq pickles without fairseq
# --------------------------------------------------------------------------------------------------

class _StandIn:
    """Instance of a class whose package is not installed; keeps whatever state it was pickled with."""

    def __init__(self, *args, **kwargs):
        self.__dict__.update(_args=args, _kwargs=kwargs)

    def __setstate__(self, state):
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self.__dict__["_state"] = state


class _LenientUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            return type(name, (_StandIn,), {"__module__": module})


_lenient_pickle = types.ModuleType("lenient_pickle")
_lenient_pickle.__dict__.update({k: getattr(pickle, k) for k in dir(pickle) if not k.startswith("__")})
_lenient_pickle.Unpickler = _LenientUnpickler
_lenient_pickle.load = lambda f, **kw: _LenientUnpickler(f, **kw).load()


def load_checkpoint(path: pathlib.Path) -> dict:
    if not path.is_file():
        raise ConversionError(f"{path}: no such file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False, pickle_module=_lenient_pickle)
    except Exception as error:  # noqa: BLE001 - report any unreadable pickle in one line
        raise ConversionError(f"{path}: cannot read as a torch checkpoint ({type(error).__name__}: {error})")
    if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
        raise ConversionError(f"{path}: no 'model' state dict (is this a fairseq checkpoint?)")
    return state


def model_args(state: dict) -> dict:
    """The model hyper-parameters: cfg["model"] (Namespace or dict) or the legacy state["args"]."""
    found = {}
    for source in (state.get("args"), (state.get("cfg") or {}).get("model") if isinstance(state.get("cfg"), dict) else None):
        if source is None:
            continue
        found.update(vars(source) if not isinstance(source, dict) else source)
    task = (state.get("cfg") or {}).get("task") if isinstance(state.get("cfg"), dict) else None
    if task is not None and "tokens_per_sample" not in found:
        task = vars(task) if not isinstance(task, dict) else task
        if "tokens_per_sample" in task:
            found["tokens_per_sample"] = task["tokens_per_sample"]
    return found


# --------------------------------------------------------------------------------------------------
# Key mapping
# --------------------------------------------------------------------------------------------------

BACKBONE_BLOCK_SHAPES = {  # contract name suffix -> shape in (C, F)
    "ln_1.weight": ("C",), "ln_1.bias": ("C",),
    "attn.q_proj.weight": ("C", "C"), "attn.k_proj.weight": ("C", "C"),
    "attn.v_proj.weight": ("C", "C"), "attn.out_proj.weight": ("C", "C"),
    "mlp.fc_in.weight": ("F", "C"), "mlp.fc_in.bias": ("F",),
    "mlp.fc_out.weight": ("C", "F"), "mlp.fc_out.bias": ("C",),
}
SIDENET_LAYER_SHAPES = {
    "ln_1.weight": ("C",), "ln_1.bias": ("C",),
    "self_attn.q_proj.weight": ("C", "C"), "self_attn.k_proj.weight": ("C", "C"),
    "self_attn.v_proj.weight": ("C", "C"), "self_attn.out_proj.weight": ("C", "C"),
    "fc1.weight": ("F", "C"), "fc1.bias": ("F",), "fc2.weight": ("C", "F"), "fc2.bias": ("C",),
}
# Buffers a GPT-J-derived attention may carry (NewGPTForCausalLM._keys_to_ignore_on_load_missing lists them)
BACKBONE_BUFFERS = re.compile(r"transformer\.h\.\d+\.attn\.(masked_bias|bias)$")


def expected_backbone(C: int, V: int, L: int) -> dict[str, tuple]:
    """Contract name -> shape for the backbone."""
    sizes = {"C": C, "F": 4 * C}
    expected = {"wte.weight": (V, C)}
    for i in range(L):
        for suffix, dims in BACKBONE_BLOCK_SHAPES.items():
            expected[f"h.{i}.{suffix}"] = tuple(sizes[d] for d in dims)
    expected.update({"ln_f.weight": (C,), "ln_f.bias": (C,), "lm_head.weight": (V, C), "lm_head.bias": (V,)})
    return expected


def backbone_official_name(contract_name: str, prefix: str) -> str:
    if contract_name.startswith("lm_head."):
        return prefix + contract_name
    return prefix + "transformer." + contract_name


def extract_backbone(model: dict, prefix: str, where: str, notes: list[str]) -> tuple[dict, int]:
    """Maps `prefix`transformer.* / `prefix`lm_head.* to contract names; returns (tensors, n_layer)."""
    wte = model.get(prefix + "transformer.wte.weight")
    if wte is None:
        raise ConversionError(f"{where}: missing key {prefix}transformer.wte.weight")
    V, C = wte.shape
    layers = {int(m.group(1)) for k in model if (m := re.match(re.escape(prefix) + r"transformer\.h\.(\d+)\.", k))}
    L = max(layers) + 1 if layers else 0
    tensors = {}
    for name, shape in expected_backbone(C, V, L).items():
        key = backbone_official_name(name, prefix)
        if key not in model:
            raise ConversionError(f"{where}: missing key {key}")
        tensor = model[key]
        if tuple(tensor.shape) != shape:
            raise ConversionError(f"{where}: {key} has shape {list(tensor.shape)}, expected {list(shape)}")
        tensors[name] = tensor
    used = {backbone_official_name(n, prefix) for n in tensors}
    for key in model:
        if not key.startswith(prefix) or key in used:
            continue
        if BACKBONE_BUFFERS.search(key[len(prefix):]):
            notes.append(f"dropped {key} (attention buffer, not a parameter)")
            continue
        raise ConversionError(f"{where}: unknown key {key}")
    return tensors, L


def extract_sidenet(model: dict, C: int, where: str, notes: list[str]) -> tuple[dict, int, int]:
    """decoder.layers.* / decoder.layer_norm.* -> contract names; returns (tensors, layers, memory_layer)."""
    layers = {int(m.group(1)) for k in model if (m := re.match(r"decoder\.layers\.(\d+)\.", k))}
    n_layers = max(layers) + 1 if layers else 0
    if n_layers == 0:
        raise ConversionError(f"{where}: no decoder.layers.* keys (not a LongMem SideNet checkpoint)")
    memory_layers = [i for i in range(n_layers) if f"decoder.layers.{i}.self_attn.memory_bias" in model]
    if len(memory_layers) != 1:
        raise ConversionError(f"{where}: expected exactly one decoder.layers.*.self_attn.memory_bias, found {len(memory_layers)}")
    sizes = {"C": C, "F": 4 * C}
    tensors = {}

    def take(key: str, name: str, shape: tuple):
        if key not in model:
            raise ConversionError(f"{where}: missing key {key}")
        if tuple(model[key].shape) != shape:
            raise ConversionError(f"{where}: {key} has shape {list(model[key].shape)}, expected {list(shape)}")
        tensors[name] = model[key]

    for i in range(n_layers):
        for suffix, dims in SIDENET_LAYER_SHAPES.items():
            take(f"decoder.layers.{i}.{suffix}", f"layers.{i}.{suffix}", tuple(sizes[d] for d in dims))
    memory_bias = model[f"decoder.layers.{memory_layers[0]}.self_attn.memory_bias"]
    tensors[f"layers.{memory_layers[0]}.self_attn.memory_bias"] = memory_bias  # shape checked once H is known
    take("decoder.layer_norm.weight", "layer_norm.weight", (C,))
    take("decoder.layer_norm.bias", "layer_norm.bias", (C,))
    return tensors, n_layers, memory_layers[0]


# --------------------------------------------------------------------------------------------------
# Hyper-parameters
# --------------------------------------------------------------------------------------------------

def pick(args: dict, names: tuple[str, ...], override, what: str, where: str, default=None):
    if override is not None:
        return override
    for name in names:
        if args.get(name) is not None:
            return args[name]
    if default is not None:
        return default
    raise ConversionError(f"{where}: the checkpoint's args/cfg has no {'/'.join(names)}; pass {what}")


def check_arg(args: dict, name: str, actual, where: str):
    if args.get(name) is not None and args[name] != actual:
        raise ConversionError(f"{where}: cfg {name}={args[name]} but the weights say {actual}")


def backbone_config(args: dict, C: int, V: int, L: int, options, where: str) -> dict:
    mode = args.get("newgpt_mode")
    if mode is not None and mode != "alibi":
        raise ConversionError(f"{where}: newgpt_mode={mode!r}; only the ALiBi backbone is supported")
    check_arg(args, "embed_dim", C, where)
    check_arg(args, "num_layers", L, where)
    n_head = pick(args, ("num_attention_heads",), options.n_head, "--n-head", where)
    if C % n_head:
        raise ConversionError(f"{where}: embed_dim {C} is not divisible by {n_head} heads")
    return {
        "model_type": "newgpt", "vocab_size": V, "n_embd": C, "n_head": n_head, "n_layer": L,
        "n_positions": pick(args, ("tokens_per_sample",), options.n_positions, "--n-positions", where, default=1024),
        "layer_norm_epsilon": 1e-6,  # newgpt.py NewGPTDecoder passes layer_norm_epsilon=1e-6
        "activation_function": "gelu_new",
    }


def longmem_config(args: dict, backbone: dict, sidenet_layers: int, memory_layer: int, options, where: str) -> dict:
    C, H, L = backbone["n_embd"], backbone["n_head"], backbone["n_layer"]
    check_arg(args, "decoder_embed_dim", C, where)
    check_arg(args, "decoder_layers", sidenet_layers, where)
    check_arg(args, "decoder_ffn_embed_dim", 4 * C, where)
    check_arg(args, "decoder_attention_heads", H, where)
    if args.get("activation_fn") not in (None, "gelu"):
        raise ConversionError(f"{where}: activation_fn={args['activation_fn']!r}; the SideNet contract is exact gelu")
    if args.get("use_external_memory") is False:
        raise ConversionError(f"{where}: use_external_memory is False: no memory layer")
    factor = pick(args, ("layer_reduction_factor",), None, "", where, default=2)
    if sidenet_layers * factor != L:
        raise ConversionError(f"{where}: {sidenet_layers} SideNet layers x factor {factor} != {L} backbone blocks")
    retrieval_layer = pick(args, ("retrieval_layer_index",), options.retrieval_layer, "--retrieval-layer", where)
    if int(retrieval_layer / factor) != memory_layer:
        raise ConversionError(f"{where}: memory_bias sits in layer {memory_layer} but retrieval_layer_index "
                              f"{retrieval_layer} / {factor} = {int(retrieval_layer / factor)}")
    config = dict(backbone)
    config.update({
        "model_type": "longmem",
        "n_positions": pick(args, ("tokens_per_sample",), options.n_positions, "--n-positions", where, default=backbone["n_positions"]),
        "sidenet_layers": sidenet_layers,
        "layer_reduction_factor": factor,
        "sidenet_activation_function": "gelu",
        "sidenet_layer_norm_epsilon": 1e-5,  # fairseq LayerNorm default; the SideNet never passes eps
        "retrieval_layer": retrieval_layer,
        "memory_layer": memory_layer,
        "memory_size": pick(args, ("memory_size",), options.memory_size, "--memory-size", where),
        "chunk_size": pick(args, ("chunk_size",), options.chunk_size, "--chunk-size", where, default=4),
        "top_k": pick(args, ("k",), options.top_k, "--top-k", where),
    })
    return config


# --------------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------------

def compare_copies(a: torch.Tensor, b: torch.Tensor, name: str, what: str):
    """Equal up to float16 rounding (a --fp16 run may store one copy in half precision)."""
    a, b = a.float(), b.float()
    tolerance = 1e-3 * max(1.0, a.abs().max().item())
    if (a - b).abs().max().item() > tolerance:
        raise ConversionError(f"{name} differs from {what} (max |diff| {(a - b).abs().max().item():.3g})")


def convert(backbone_path, out, longmem_path=None, tokenizer_dir=None, options=None, dtype="float32",
            overwrite=False, log=print) -> dict:
    """Returns the config written. Raises ConversionError with a one-line message."""
    options = options or argparse.Namespace(n_head=None, n_positions=None, retrieval_layer=None,
                                            memory_size=None, chunk_size=None, top_k=None)
    out = pathlib.Path(out)
    if out.exists() and not overwrite:
        raise ConversionError(f"{out} exists; pass --overwrite to replace it")
    notes: list[str] = []

    backbone_state = load_checkpoint(pathlib.Path(backbone_path))
    where = str(backbone_path)
    model = backbone_state["model"]
    for key in model:
        if not key.startswith(BACKBONE_PREFIX):
            if key == "decoder.version":
                notes.append(f"dropped {key} from the backbone (fairseq buffer, not a parameter)")
                continue
            raise ConversionError(f"{where}: unknown key {key}")
    backbone, L = extract_backbone(model, BACKBONE_PREFIX, where, notes)
    V, C = backbone["wte.weight"].shape
    config = backbone_config(model_args(backbone_state), C, V, L, options, where)
    tensors = dict(backbone)

    if longmem_path is not None:
        longmem_state = load_checkpoint(pathlib.Path(longmem_path))
        where = str(longmem_path)
        lm = longmem_state["model"]
        version = lm.get("decoder.version")
        if version is None or float(version.flatten()[0]) <= 2:
            # transformer_decoder_sidenet.py upgrade_state_dict_named drops the final layer_norm then
            raise ConversionError(f"{where}: decoder.version missing or <= 2 (the official loader would drop decoder.layer_norm)")
        notes.append("dropped decoder.version (fairseq buffer, not a parameter)")
        if any(k.startswith(EMBEDDED_BACKBONE_PREFIX) for k in lm):
            embedded, embedded_L = extract_backbone(lm, EMBEDDED_BACKBONE_PREFIX, where, notes)
            for name, tensor in embedded.items():
                if tuple(tensor.shape) != tuple(backbone[name].shape):
                    raise ConversionError(f"{where}: {backbone_official_name(name, EMBEDDED_BACKBONE_PREFIX)} has shape "
                                          f"{list(tensor.shape)}, the --backbone file has {list(backbone[name].shape)}")
                compare_copies(tensor, backbone[name], f"{where}: {backbone_official_name(name, EMBEDDED_BACKBONE_PREFIX)}",
                               f"{backbone_official_name(name, BACKBONE_PREFIX)} in --backbone")
            tensors = dict(embedded)  # the copy the official strict load_state_dict actually uses
            notes.append("backbone tensors taken from the LongMem checkpoint's embedded copy (checked against --backbone)")
        else:
            notes.append("the LongMem checkpoint has no embedded backbone: using --backbone")
        for tied, target in (("decoder.embed_tokens.weight", "wte.weight"), ("decoder.output_projection.weight", "lm_head.weight")):
            if tied not in lm:
                raise ConversionError(f"{where}: missing key {tied}")
            if tuple(lm[tied].shape) != tuple(tensors[target].shape):
                raise ConversionError(f"{where}: {tied} has shape {list(lm[tied].shape)}, expected {list(tensors[target].shape)}")
            compare_copies(lm[tied], tensors[target], f"{where}: {tied}", f"the backbone's {target}")
            notes.append(f"dropped {tied} (tied to the backbone's {target}; checked equal)")
        sidenet, sidenet_layers, memory_layer = extract_sidenet(lm, C, where, notes)
        known = {"decoder.version", "decoder.embed_tokens.weight", "decoder.output_projection.weight"}
        mapped = {f"decoder.{name}" for name in sidenet}
        for key in lm:
            if key in known or key in mapped or key.startswith(EMBEDDED_BACKBONE_PREFIX):
                continue
            raise ConversionError(f"{where}: unknown key {key}")
        config = longmem_config(model_args(longmem_state), config, sidenet_layers, memory_layer, options, where)
        bias_name = f"layers.{memory_layer}.self_attn.memory_bias"
        if tuple(sidenet[bias_name].shape) != (config["n_head"],):
            raise ConversionError(f"{where}: decoder.{bias_name} has shape {list(sidenet[bias_name].shape)}, expected [{config['n_head']}]")
        tensors = {**{f"backbone.{n}": t for n, t in tensors.items()}, **{f"sidenet.{n}": t for n, t in sidenet.items()}}

    torch_dtype = {"float32": torch.float32, "float16": torch.float16}[dtype]
    tensors = OrderedDict((name, t.detach().to(torch_dtype).contiguous()) for name, t in sorted(tensors.items()))
    if dtype != "float32":
        notes.append(f"tensors stored as {dtype} (the contract's default is float32)")

    if tokenizer_dir is not None:
        tokenizer_dir = pathlib.Path(tokenizer_dir)
        for name in TOKENIZER_FILES:
            if not (tokenizer_dir / name).is_file():
                raise ConversionError(f"--tokenizer-dir {tokenizer_dir}: missing {name}")
        entries = sum(1 for line in (tokenizer_dir / "dict.txt").read_text(encoding="utf-8").splitlines() if line.strip())
        if entries + 4 > config["vocab_size"]:
            raise ConversionError(f"dict.txt has {entries} entries + 4 specials > vocab_size {config['vocab_size']}")

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        save_file(tensors, staging / "model.safetensors", metadata={"format": "pt", "source": "convert_longmem_checkpoint.py"})
        (staging / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        if tokenizer_dir is not None:
            for name in TOKENIZER_FILES:
                shutil.copyfile(tokenizer_dir / name, staging / name)
        os.chmod(staging, 0o755)
        if out.exists():
            retired = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, retired / out.name)
            os.rename(staging, out)
            shutil.rmtree(retired)
        else:
            os.rename(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)

    for note in notes:
        log(f"note: {note}")
    log(f"wrote {out} ({config['model_type']}, {len(tensors)} tensors, {dtype})")
    return config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", required=True, type=pathlib.Path, help="gpt2_medium/checkpoint_last.pt")
    parser.add_argument("--longmem", type=pathlib.Path, help="the LongMem (SideNet) checkpoint")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="output model folder")
    parser.add_argument("--tokenizer-dir", type=pathlib.Path, help="folder with encoder.json, vocab.bpe, dict.txt to copy")
    parser.add_argument("--dtype", choices=("float32", "float16"), default="float32",
                        help="stored tensor type (default float32, the contract's)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    group = parser.add_argument_group("hyper-parameters for checkpoints without args/cfg (or to override them)")
    group.add_argument("--n-head", type=int)
    group.add_argument("--n-positions", type=int)
    group.add_argument("--retrieval-layer", type=int)
    group.add_argument("--memory-size", type=int)
    group.add_argument("--chunk-size", type=int)
    group.add_argument("--top-k", type=int)
    args = parser.parse_args(argv)
    try:
        convert(args.backbone, args.out, args.longmem, args.tokenizer_dir, options=args, dtype=args.dtype,
                overwrite=args.overwrite, log=lambda line: print(line, file=sys.stderr))
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
