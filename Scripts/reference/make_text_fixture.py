"""Writes Tests/Fixtures/longmem-text-tiny/: a seeded random LongMem model (GPT-2* backbone + SideNet) whose
vocabulary is LongMem's fairseq dictionary (51,200 entries, like the released checkpoint) and whose local
window is 1,024 tokens (ALiBi: no position table), so that real ICL prompts, books and ChapterBreak
examples run end to end through every method in seconds. Width 16, 4 blocks, 2 SideNet layers, memory
layer 1 (retrieval layer 2), float16 storage. It is for end-to-end runs and regression baselines; numerical
agreement with the reference is checked on Tests/Fixtures/longmem-tiny.

Run: python3 Scripts/reference/make_text_fixture.py   (pass --tokenizer $DATA/gpt2_bpe to the tool)

With --width/--heads/--layers/--out it writes a random model of another shape, e.g. LongMem-558M's
(24 backbone blocks + 12 SideNet layers, width 1024, 16 heads; about 1.1 GB) for `longmem-eval bench segment`:
    python3 Scripts/reference/make_text_fixture.py --width 1024 --heads 16 --layers 24 --out /tmp/longmem-558m-random
"""
import argparse
import json
import math
import pathlib

import torch
from safetensors.torch import save_file

from common import FIXTURES

OUT = FIXTURES / "longmem-text-tiny"
SEED = 4096
VOCAB, WINDOW = 51200, 1024
WIDTH, HEADS, LAYERS = 16, 2, 4  # set from the command line


def linear(generator, rows, cols, gain=1.0):
    return torch.randn(rows, cols, generator=generator) * (gain / math.sqrt(cols))


def block(generator, prefix, names):
    C, F = WIDTH, 4 * WIDTH
    norm, q, k, v, out, fc_in, fc_out = names
    return {
        f"{prefix}{norm}.weight": 1 + 0.1 * torch.randn(C, generator=generator),
        f"{prefix}{norm}.bias": 0.1 * torch.randn(C, generator=generator),
        f"{prefix}{q}.weight": linear(generator, C, C, 1.4),
        f"{prefix}{k}.weight": linear(generator, C, C, 1.4),
        f"{prefix}{v}.weight": linear(generator, C, C),
        f"{prefix}{out}.weight": linear(generator, C, C),
        f"{prefix}{fc_in}.weight": linear(generator, F, C),
        f"{prefix}{fc_in}.bias": 0.1 * torch.randn(F, generator=generator),
        f"{prefix}{fc_out}.weight": linear(generator, C, F),
        f"{prefix}{fc_out}.bias": 0.1 * torch.randn(C, generator=generator),
    }


def main():
    global WIDTH, HEADS, LAYERS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--heads", type=int, default=HEADS)
    parser.add_argument("--layers", type=int, default=LAYERS)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    arguments = parser.parse_args()
    WIDTH, HEADS, LAYERS, out = arguments.width, arguments.heads, arguments.layers, arguments.out
    retrieval_layer = LAYERS * 3 // 4 - 1  # LongMem's 17 of 24
    memory_layer = retrieval_layer // 2
    generator = torch.Generator().manual_seed(SEED)
    backbone_names = ("ln_1", "attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.out_proj", "mlp.fc_in", "mlp.fc_out")
    sidenet_names = ("ln_1", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
                     "fc1", "fc2")
    tensors = {"backbone.wte.weight": 0.5 * torch.randn(VOCAB, WIDTH, generator=generator)}
    tensors["backbone.wte.weight"][1] = 0  # <pad>
    for i in range(LAYERS):
        tensors.update(block(generator, f"backbone.h.{i}.", backbone_names))
    tensors["backbone.ln_f.weight"] = 1 + 0.1 * torch.randn(WIDTH, generator=generator)
    tensors["backbone.ln_f.bias"] = 0.1 * torch.randn(WIDTH, generator=generator)
    tensors["backbone.lm_head.weight"] = linear(generator, VOCAB, WIDTH, 2.0)
    tensors["backbone.lm_head.bias"] = 0.5 * torch.randn(VOCAB, generator=generator)
    for i in range(LAYERS // 2):
        tensors.update(block(generator, f"sidenet.layers.{i}.", sidenet_names))
    tensors[f"sidenet.layers.{memory_layer}.self_attn.memory_bias"] = torch.randn(HEADS, generator=generator)
    tensors["sidenet.layer_norm.weight"] = 1 + 0.1 * torch.randn(WIDTH, generator=generator)
    tensors["sidenet.layer_norm.bias"] = 0.1 * torch.randn(WIDTH, generator=generator)
    out.mkdir(parents=True, exist_ok=True)
    save_file({name: t.half().contiguous() for name, t in sorted(tensors.items())}, str(out / "model.safetensors"),
              metadata={"generator": "Scripts/reference/make_text_fixture.py"})
    config = {
        "model_type": "longmem", "vocab_size": VOCAB, "n_embd": WIDTH, "n_head": HEADS, "n_layer": LAYERS,
        "n_positions": WINDOW, "layer_norm_epsilon": 1e-6, "activation_function": "gelu_new",
        "sidenet_layers": LAYERS // 2, "layer_reduction_factor": 2, "sidenet_activation_function": "gelu",
        "sidenet_layer_norm_epsilon": 1e-5, "retrieval_layer": retrieval_layer, "memory_layer": memory_layer,
        "memory_size": 65536, "chunk_size": 4, "top_k": 64,
    }
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    print(f"wrote {out} ({sum(t.numel() for t in tensors.values())} parameters)")


if __name__ == "__main__":
    main()
