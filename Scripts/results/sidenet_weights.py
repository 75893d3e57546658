#!/usr/bin/env python3
"""How far a SideNet trained by `longmem-eval train` moved from its zero-branch start.

Prints each layer's Frobenius norms of the branch output projections (attention `o_proj`, feed-forward
`down_proj`; zero-branch starts both at 0), for scale that of its query projection (copied from the
backbone), and the memory layer's gate, sigmoid(memory_bias) per head (0.5 at the start). Reads the
safetensors file with the standard library only.

Usage: Scripts/results/sidenet_weights.py MODEL_FOLDER   (e.g. ../runs/smollm2-sidenet/model)
"""
import array
import json
import math
import struct
import sys


def tensors(path):
    """The tensors of a little-endian F32 safetensors file, by name."""
    try:
        file = open(path, "rb")
    except OSError as error:
        sys.exit(f"{path}: {error.strerror}")
    with file:
        try:
            header_size = struct.unpack("<Q", file.read(8))[0]
            header = json.loads(file.read(header_size))
        except (struct.error, ValueError) as error:
            sys.exit(f"{path}: not a safetensors file ({error})")
        body = file.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: {name} is {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        if end > len(body):
            sys.exit(f"{path}: truncated ({name} ends at byte {end} of {len(body)})")
        values = array.array("f")
        values.frombytes(body[begin:end])
        out[name] = values
    return out


def norm(values):
    return math.sqrt(sum(v * v for v in values))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    weights = tensors(sys.argv[1].rstrip("/") + "/sidenet.safetensors")
    layers = sorted({int(name.split(".")[2]) for name in weights if name.startswith("sidenet.layers.")})
    print("layer  |o_proj|  |down_proj|  |q_proj|  memory gate sigmoid(bias) per head")
    for layer in layers:
        prefix = f"sidenet.layers.{layer}."
        attention = weights.get(prefix + "self_attn.o_proj.weight") or weights.get(
            prefix + "self_attn.out_proj.weight"
        )
        feed_forward = weights.get(prefix + "mlp.down_proj.weight") or weights.get(prefix + "fc2.weight")
        query = weights.get(prefix + "self_attn.q_proj.weight")
        bias = weights.get(prefix + "self_attn.memory_bias")
        gate = " ".join(f"{1 / (1 + math.exp(-b)):.5f}" for b in bias) if bias else ""
        cells = [f"{norm(t):9.4f}" if t else "        —" for t in (attention, feed_forward, query)]
        print(f"{layer:5d}  {cells[0]}  {cells[1]}  {cells[2]}    {gate}")


if __name__ == "__main__":
    main()
