"""Writes the GGUF reader's fixtures into Tests/Fixtures/gguf/ with the reference `gguf` package (0.19.0):

- types.gguf (GGUF v3, default alignment 32): a seeded random 2-D tensor per element type (F32, F16, BF16,
  Q8_0, Q4_0, Q4_1 quantised with gguf.quants.quantize; Q4_K and Q6_K, which the package can only
  dequantise, as seeded random block bytes with sane scales), 1-D and 3-D tensors, and metadata of every
  value type, including nested arrays and non-ASCII strings.
- v2.gguf: the same writer's output with the version field set to 2 (v2 and v3 share one layout),
  general.alignment 64, and a Q5_0 tensor (a type the Swift reader lists but does not dequantise).
- expected.safetensors: gguf.quants.dequantize(...) of every tensor as float32, named "<file>:<tensor>",
  in the row-major shape the reader reports.
- expected.json: per file, the version, alignment, metadata keys in order, each value as
  {"type", "value"} (numbers as strings so that 64-bit integers and floats survive exactly; arrays as
  {"type": "ARRAY", "element_type", "value": [...]}) and each tensor's ggml type and shape.

Run: python3 Scripts/reference/make_gguf_fixture.py"""
import math

import numpy as np
from gguf import GGMLQuantizationType as Q, GGUFValueType as V, GGUFWriter
from gguf.quants import dequantize, quantize
from safetensors.numpy import save_file

from common import FIXTURES, write_json

OUT = FIXTURES / "gguf"
NON_ASCII = "héllo wörld — 日本語 🙂 Ġ"

# (key, value type, value, element type for arrays)
METADATA = [
    ("fixture.uint8", V.UINT8, 200, None),
    ("fixture.int8", V.INT8, -100, None),
    ("fixture.uint16", V.UINT16, 60000, None),
    ("fixture.int16", V.INT16, -30000, None),
    ("fixture.uint32", V.UINT32, 4_000_000_000, None),
    ("fixture.int32", V.INT32, -2_000_000_000, None),
    ("fixture.float32", V.FLOAT32, 3.14159, None),
    ("fixture.bool_true", V.BOOL, True, None),
    ("fixture.bool_false", V.BOOL, False, None),
    ("fixture.string", V.STRING, NON_ASCII, None),
    ("fixture.uint64", V.UINT64, 2**63 + 5, None),
    ("fixture.int64", V.INT64, -(2**62) - 3, None),
    ("fixture.float64", V.FLOAT64, math.pi, None),
    ("fixture.float64_huge", V.FLOAT64, -1.5e300, None),
    ("fixture.array.uint8", V.ARRAY, [0, 1, 255], V.UINT8),
    ("fixture.array.int8", V.ARRAY, [-128, 0, 127], V.INT8),
    ("fixture.array.uint16", V.ARRAY, [0, 65535], V.UINT16),
    ("fixture.array.int16", V.ARRAY, [-32768, 32767], V.INT16),
    ("fixture.array.uint32", V.ARRAY, [0, 2**32 - 1], V.UINT32),
    ("fixture.array.int32", V.ARRAY, [-(2**31), 2**31 - 1, 7], V.INT32),
    ("fixture.array.float32", V.ARRAY, [0.5, -1e-3, 1e30], V.FLOAT32),
    ("fixture.array.bool", V.ARRAY, [True, False, True], V.BOOL),
    ("fixture.array.string", V.ARRAY, ["a", "", NON_ASCII, "<|im_end|>"], V.STRING),
    ("fixture.array.uint64", V.ARRAY, [2**64 - 1, 0], V.UINT64),
    ("fixture.array.int64", V.ARRAY, [-(2**63), 2**63 - 1], V.INT64),
    ("fixture.array.float64", V.ARRAY, [math.e, -0.0, 5e-324], V.FLOAT64),
    ("fixture.array.nested", V.ARRAY, [[1, 2, 3], [4], [5, 6]], V.ARRAY),
    ("fixture.array.nested_strings", V.ARRAY, [[["x"], ["y", "ü"]], [["日本"]]], V.ARRAY),
    ("tokenizer.ggml.model", V.STRING, "gpt2", None),
]


def element_type(value) -> V:
    """The element type GGUFWriter gives the items of a nested list."""
    return V.ARRAY if isinstance(value, list) else V.get_type(value)


def encode(vtype: V, value, sub_type: V | None = None) -> dict:
    """A metadata value as expected.json stores it: numbers as exact strings."""
    if vtype == V.ARRAY:
        etype = sub_type if sub_type is not None else element_type(value[0])  # UINT8 == 0 is falsy
        return {"type": "ARRAY", "element_type": etype.name, "value": [encode(etype, item) for item in value]}
    if vtype == V.FLOAT32:
        return {"type": vtype.name, "value": repr(float(np.float32(value)))}
    if vtype in (V.FLOAT64,):
        return {"type": vtype.name, "value": repr(float(value))}
    if vtype == V.BOOL:
        return {"type": vtype.name, "value": bool(value)}
    if vtype == V.STRING:
        return {"type": vtype.name, "value": value}
    return {"type": vtype.name, "value": str(int(value))}


def random_k_blocks(rng: np.random.Generator, qtype: Q, rows: int) -> np.ndarray:
    """Seeded random Q4_K / Q6_K rows (the package cannot quantise these): random quant and scale bytes,
    with the f16 super-block scales set to small positive values so that results are finite."""
    if qtype == Q.Q4_K:
        blocks = rng.integers(0, 256, size=(rows, 144), dtype=np.uint8)
        blocks[:, 0:2] = np.float16(rng.uniform(1e-3, 2e-2)).reshape(1).view(np.uint8)  # d
        blocks[:, 2:4] = np.float16(rng.uniform(1e-3, 2e-2)).reshape(1).view(np.uint8)  # dmin
        blocks[1, 0:2] = np.float16(-0.0123).reshape(1).view(np.uint8)  # a negative d in the second row
        return blocks
    blocks = rng.integers(0, 256, size=(rows, 210), dtype=np.uint8)
    blocks[:, 208:210] = np.float16(rng.uniform(1e-3, 2e-2)).reshape(1).view(np.uint8)
    return blocks


def add_tensor(writer: GGUFWriter, expected: dict, info: dict, file: str, name: str, values, qtype: Q):
    """Quantises `values` (or takes raw block bytes) and records the reference dequantisation."""
    if isinstance(values, np.ndarray) and values.dtype == np.uint8:
        stored = values
    else:
        stored = quantize(values.astype(np.float32), qtype)
    if qtype in (Q.F32, Q.F16):
        writer.add_tensor(name, stored)
    else:
        writer.add_tensor(name, stored, raw_dtype=qtype)
    reference = dequantize(stored, qtype).astype(np.float32)
    if qtype not in (Q.F32, Q.F16):  # dequantize of raw bytes returns the element shape already
        assert reference.shape[-1] % 32 == 0
    expected[f"{file}:{name}"] = np.ascontiguousarray(reference)
    info[name] = {"type": qtype.name, "shape": list(reference.shape)}


def write(writer: GGUFWriter):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240607)
    expected: dict[str, np.ndarray] = {}
    files: dict[str, dict] = {}

    # types.gguf: every supported element type, every metadata type.
    writer = GGUFWriter(str(OUT / "types.gguf"), arch="fixture")
    metadata = {"general.architecture": encode(V.STRING, "fixture")}
    for key, vtype, value, sub_type in METADATA:
        writer.add_key_value(key, value, vtype, sub_type=sub_type)
        metadata[key] = encode(vtype, value, sub_type)
    tensors: dict = {}
    base = rng.standard_normal((4, 64)).astype(np.float32)
    base[0, :4] = [0.0, -0.0, 65504.0, 1e-7]  # edge values for the float types (a subnormal f16, f16's max)
    base[3, 32:64] = 0.0  # an all-zero block: scale 0
    base[2, 5] = 1e4  # a large outlier
    for qtype in (Q.F32, Q.F16, Q.BF16, Q.Q8_0, Q.Q4_0, Q.Q4_1):
        add_tensor(writer, expected, tensors, "types.gguf", f"weight.{qtype.name.lower()}", base * 0.5, qtype)
    for qtype in (Q.Q4_K, Q.Q6_K):
        add_tensor(writer, expected, tensors, "types.gguf", f"weight.{qtype.name.lower()}",
                   random_k_blocks(rng, qtype, 2), qtype)
    add_tensor(writer, expected, tensors, "types.gguf", "vector.f32",
               rng.standard_normal(7).astype(np.float32), Q.F32)
    add_tensor(writer, expected, tensors, "types.gguf", "cube.f16",
               rng.standard_normal((2, 3, 4)).astype(np.float32), Q.F16)
    write(writer)
    files["types.gguf"] = {"version": 3, "alignment": 32, "metadata_keys": list(metadata), "metadata": metadata,
                           "tensors": tensors}

    # v2.gguf: same layout, version 2, alignment 64, one type the reader cannot dequantise.
    writer = GGUFWriter(str(OUT / "v2.gguf"), arch="llama")
    writer.add_custom_alignment(64)
    writer.add_uint32("llama.block_count", 2)
    writer.add_float32("llama.rope.freq_base", 10000.0)
    writer.add_array("tokenizer.ggml.tokens", ["<s>", "</s>", "▁héllo"])
    metadata = {
        "general.architecture": encode(V.STRING, "llama"),
        "general.alignment": encode(V.UINT32, 64),
        "llama.block_count": encode(V.UINT32, 2),
        "llama.rope.freq_base": encode(V.FLOAT32, 10000.0),
        "tokenizer.ggml.tokens": encode(V.ARRAY, ["<s>", "</s>", "▁héllo"]),
    }
    tensors = {}
    add_tensor(writer, expected, tensors, "v2.gguf", "a.q8_0", rng.standard_normal((3, 32)).astype(np.float32), Q.Q8_0)
    add_tensor(writer, expected, tensors, "v2.gguf", "b.f32", rng.standard_normal(5).astype(np.float32), Q.F32)
    unsupported = quantize(rng.standard_normal((1, 32)).astype(np.float32), Q.Q5_0)
    writer.add_tensor("c.q5_0", unsupported, raw_dtype=Q.Q5_0)
    tensors["c.q5_0"] = {"type": "Q5_0", "shape": [1, 32]}
    write(writer)
    data = bytearray((OUT / "v2.gguf").read_bytes())
    assert data[4:8] == (3).to_bytes(4, "little")
    data[4:8] = (2).to_bytes(4, "little")
    (OUT / "v2.gguf").write_bytes(bytes(data))
    files["v2.gguf"] = {"version": 2, "alignment": 64, "metadata_keys": list(metadata), "metadata": metadata,
                        "tensors": tensors}

    save_file(expected, str(OUT / "expected.safetensors"))
    (OUT / "expected.safetensors").chmod(0o644)  # safetensors creates files readable by the owner only
    write_json(OUT / "expected.json", {"files": files})


if __name__ == "__main__":
    main()
