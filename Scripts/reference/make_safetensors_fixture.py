"""Writes Tests/Fixtures/safetensors/dtypes.safetensors: the same values stored as F32, F16, BF16 and F64,
with `transformer.`-style names, plus dtypes.json holding the float32 values each dtype decodes to
(as torch converts them). Run: python3 Scripts/reference/make_safetensors_fixture.py"""
import torch
from safetensors.torch import save_file

from common import FIXTURES, write_json

OUT = FIXTURES / "safetensors"


def main():
    torch.manual_seed(7)
    values = torch.cat([torch.randn(20) * 3, torch.tensor([0.0, -0.0, 1e-6, 65504.0, -2.5e-8, 1 / 3, -6.0e4])])
    tensors = {
        "weights.f32": values.reshape(3, 9).to(torch.float32),
        "weights.f16": values.reshape(3, 9).to(torch.float16),
        "weights.bf16": values.reshape(3, 9).to(torch.bfloat16),
        "weights.f64": values.reshape(3, 9).to(torch.float64),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "dtypes.safetensors"), metadata={"format": "pt"})
    write_json(OUT / "dtypes.json", {name: t.to(torch.float32).flatten().tolist() for name, t in tensors.items()})


if __name__ == "__main__":
    main()
