"""Quick checks of the LongMem reference and the checkpoint converter.

Run: python3 -m pytest -q Scripts/reference/test_longmem_reference.py
"""
import argparse
import importlib.util
import math
import pathlib
import sys
from collections import OrderedDict

import pytest
import torch
from safetensors.torch import load_file

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import longmem_reference as ref  # noqa: E402
import make_longmem_fixture as fixture  # noqa: E402

_spec = importlib.util.spec_from_file_location("convert_longmem_checkpoint", HERE.parent / "convert_longmem_checkpoint.py")
converter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(converter)


# --------------------------------------------------------------------------------------------------
# Converter
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic official checkpoint pair (fairseq key layout) and the weights it holds."""
    generator = torch.Generator().manual_seed(7)
    backbone = fixture.round_to_half(fixture.random_backbone(generator))
    sidenet = fixture.round_to_half(fixture.random_sidenet(generator))
    folder = tmp_path_factory.mktemp("checkpoints")
    backbone_path, longmem_path = fixture.save_synthetic_checkpoints(backbone, sidenet, folder)
    tokens = torch.randint(4, fixture.VOCAB, (136,), generator=generator)
    return {"backbone": backbone, "sidenet": sidenet, "backbone_path": backbone_path,
            "longmem_path": longmem_path, "folder": folder, "tokens": tokens, "lengths": [64, 8, 64]}


def quiet(_line):
    pass


def test_converter_round_trip_longmem(synthetic, tmp_path):
    out = tmp_path / "longmem"
    config = converter.convert(synthetic["backbone_path"], out, synthetic["longmem_path"], log=quiet)
    assert config == ref.config_to_json(fixture.CONFIG)
    stored = load_file(out / "model.safetensors")
    assert all(t.dtype == torch.float32 for t in stored.values())
    assert "sidenet.layers.1.self_attn.memory_bias" in stored and "backbone.lm_head.bias" in stored
    assert not any("embed_tokens" in n or "output_projection" in n or "version" in n for n in stored)

    loaded = ref.load_model_folder(out)
    direct = ref.ReferenceModel(fixture.CONFIG, synthetic["backbone"], synthetic["sidenet"])
    for method in ref.METHODS:
        a = ref.run_stream(loaded, synthetic["tokens"], synthetic["lengths"], method)
        b = ref.run_stream(direct, synthetic["tokens"], synthetic["lengths"], method)
        for x, y in zip(a, b):
            assert torch.equal(x.logits, y.logits), method
            assert x.counters == y.counters


def test_converter_round_trip_newgpt_and_tokenizer(synthetic, tmp_path):
    tokenizer = tmp_path / "bpe"
    tokenizer.mkdir()
    (tokenizer / "encoder.json").write_text("{}")
    (tokenizer / "vocab.bpe").write_text("#version: 0.2\n")
    (tokenizer / "dict.txt").write_text("".join(f"{i} 1\n" for i in range(100)))
    out = tmp_path / "newgpt"
    config = converter.convert(synthetic["backbone_path"], out, tokenizer_dir=tokenizer, log=quiet)
    assert config["model_type"] == "newgpt" and config["n_head"] == 4 and config["n_positions"] == 64
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "dict.txt", "encoder.json", "model.safetensors", "vocab.bpe"]
    loaded = ref.load_model_folder(out)
    direct = ref.ReferenceModel(fixture.CONFIG.backbone, synthetic["backbone"])
    tokens = synthetic["tokens"][:64]
    assert torch.equal(ref.backbone_forward(loaded.backbone, loaded.config, tokens).logits,
                       ref.backbone_forward(direct.backbone, direct.config, tokens).logits)
    with pytest.raises(converter.ConversionError, match="exists"):
        converter.convert(synthetic["backbone_path"], out, log=quiet)
    converter.convert(synthetic["backbone_path"], out, overwrite=True, log=quiet)  # replaced atomically
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folders left


def edited_checkpoint(path, folder, name, edit):
    state = torch.load(path, weights_only=False)
    edit(state["model"])
    target = folder / name
    torch.save(state, target)
    return target


def test_converter_names_bad_keys(synthetic, tmp_path):
    def unknown(m):
        m["decoder.layers.0.self_attn.bias_k"] = torch.zeros(1, 1, 64)

    def missing(m):
        del m["decoder.layers.1.fc2.bias"]

    def shape(m):
        m["decoder.layers.0.fc1.weight"] = torch.zeros(128, 64)

    for edit, expected in ((unknown, "unknown key decoder.layers.0.self_attn.bias_k"),
                           (missing, "missing key decoder.layers.1.fc2.bias"),
                           (shape, r"decoder.layers.0.fc1.weight has shape \[128, 64\], expected \[256, 64\]")):
        bad = edited_checkpoint(synthetic["longmem_path"], tmp_path, f"{edit.__name__}.pt", edit)
        with pytest.raises(converter.ConversionError, match=expected):
            converter.convert(synthetic["backbone_path"], tmp_path / "out", bad, log=quiet)
    assert not (tmp_path / "out").exists()


def test_converter_drops_attention_buffers(synthetic, tmp_path):
    def add_buffers(m):
        m["decoder.model.transformer.h.0.attn.masked_bias"] = torch.tensor(-1e4)
        m["decoder.model.transformer.h.0.attn.bias"] = torch.ones(1, 1, 64, 64, dtype=torch.bool)

    backbone = edited_checkpoint(synthetic["backbone_path"], tmp_path, "buffers.pt", add_buffers)
    lines = []
    converter.convert(backbone, tmp_path / "out", log=lines.append)
    assert any("dropped decoder.model.transformer.h.0.attn.masked_bias" in line for line in lines)
    assert "h.0.attn.bias" not in load_file(tmp_path / "out" / "model.safetensors")


def test_converter_cli_one_line_error(tmp_path, capsys):
    assert converter.main(["--backbone", str(tmp_path / "nope.pt"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "nope.pt" in err and "\n" not in err


# --------------------------------------------------------------------------------------------------
# Memory bank
# --------------------------------------------------------------------------------------------------

def chunk_ids(bank):
    """The first key element of every resident chunk (written below as the global chunk number)."""
    return bank.index_keys[0, : bank.count, 0].round().long().tolist()


def test_eviction_counters_by_hand():
    """memory_size 32, csz 4 -> 8 chunk slots. Keys of global chunk c are all c, so the index mean is c.

    segment  T   new  count+new>=8?  evict 2T//4       count  written  resident  evicted
    0        8   2    0+2 no         -                 2      8        8         0
    1        8   2    2+2 no         -                 4      16       16        0
    2        8   2    4+2 no         -                 6      24       24        0
    3        8   2    6+2 yes        4 (chunks 0-3)    4      32       16        16
    4        10  2    4+2 no         - (2 tokens lost) 6      40       24        16
    5        6   1    6+1 no         - (2 tokens lost) 7      44       28        16
    6        4   1    7+1 yes        2 (chunks 4-5)    6      48       24        24
    """
    bank = ref.MemoryBank(num_heads=2, head_dim=3, memory=ref.MemoryConfig(0, memory_size=32, chunk_size=4, top_k=8))
    expected = [(8, 8, 0), (16, 16, 0), (24, 24, 0), (32, 16, 16), (40, 24, 16), (44, 28, 16), (48, 24, 24)]
    expected_ids = [[0, 1], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5], [4, 5, 6, 7], [4, 5, 6, 7, 8, 9],
                    [4, 5, 6, 7, 8, 9, 10], [6, 7, 8, 9, 10, 11]]
    chunk = 0
    for T, (written, resident, evicted), ids in zip([8, 8, 8, 8, 10, 6, 4], expected, expected_ids):
        keys = torch.zeros(T, 6)
        for t in range(T // 4 * 4):
            keys[t] = chunk + t // 4
        keys[T // 4 * 4:] = 999  # trailing tokens beyond a multiple of csz: never stored
        chunk += T // 4
        bank.write(keys, -keys)
        assert bank.counters() == {"written": written, "resident": resident, "evicted": evicted}
        assert chunk_ids(bank) == ids
    assert bank.keys.dtype == torch.float16 and bank.index_keys.dtype == torch.float32
    assert torch.equal(bank.values[0, : bank.count, :, 0].float(), -bank.keys[0, : bank.count, :, 0].float())
    assert bank.keys[:, bank.count:].abs().sum() == 0  # freed slots are zero


def test_eviction_is_clamped_to_resident_chunks():
    """The official update_size can exceed the resident chunks (a short segment, then a long one); the
    official dstore_idx would go negative. The reference evicts what is there."""
    bank = ref.MemoryBank(1, 2, ref.MemoryConfig(0, memory_size=64, chunk_size=4, top_k=4))  # 16 slots
    bank.write(torch.ones(8, 2), torch.ones(8, 2))  # 2 chunks
    bank.write(torch.ones(60, 2), torch.ones(60, 2))  # 15 new: 2+15 >= 16 -> evict min(30, 2)
    assert bank.counters() == {"written": 68, "resident": 60, "evicted": 8}


def test_index_key_is_float32_chunk_mean_and_kv_are_float16():
    bank = ref.MemoryBank(1, 2, ref.MemoryConfig(0, memory_size=16, chunk_size=4, top_k=4))
    keys = torch.tensor([[0.1, 1.0], [0.2, 1.0], [0.3, 1.0], [0.4, 1.0001]])
    bank.write(keys, keys)
    assert torch.equal(bank.index_keys[0, 0], keys.mean(dim=0))
    assert torch.equal(bank.keys[0, 0], keys.half())


def test_missing_chunks_masked_or_faithful():
    """One resident chunk, two wanted: the default masks the second; faithful reads slot -1 (zeros)."""
    memory = ref.MemoryConfig(0, memory_size=16, chunk_size=2, top_k=4)
    q = torch.tensor([[1.0, 0.0]])
    for faithful in (False, True):
        bank = ref.MemoryBank(1, 2, memory, faithful=faithful)
        bank.write(torch.tensor([[3.0, 0.0], [1.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
        got = bank.retrieve(q)
        assert got.slots.tolist() == [[[0, -1]]]
        assert got.valid.tolist() == [[[True, True, faithful, faithful]]]
        out = ref.memory_readout(q.view(1, 1, 2), got)
        # masked: softmax over logits (3, 1) -> values 1. faithful: (3, 1, 0, 0) with zero values
        expected = 1.0 if not faithful else (math.exp(3) + math.exp(1)) / (math.exp(3) + math.exp(1) + 2)
        assert torch.allclose(out, torch.full((1, 1, 2), expected))


def test_retrieval_picks_top_chunks_by_mean_key():
    bank = ref.MemoryBank(1, 1, ref.MemoryConfig(0, memory_size=16, chunk_size=2, top_k=4))
    bank.write(torch.tensor([[1.0], [1.0], [5.0], [-1.0], [3.0], [3.0], [0.0], [0.0]]), torch.arange(8.0).view(8, 1))
    got = bank.retrieve(torch.tensor([[1.0]]))  # chunk means 1, 2, 3, 0 -> top 2: chunks 2, 1
    assert got.slots.tolist() == [[[2, 1]]]
    assert got.values.view(-1).tolist() == [4.0, 5.0, 2.0, 3.0]
    assert got.margins.item() == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------------
# ALiBi and attention
# --------------------------------------------------------------------------------------------------

def test_alibi_slopes_16_heads():
    expected = torch.tensor([2 ** (-0.5 * (h + 1)) for h in range(16)], dtype=torch.float64)
    assert torch.allclose(ref.alibi_slopes(16).double(), expected, rtol=1e-6, atol=0)


def test_alibi_slopes_non_power_of_two():
    # 12 heads: 2^(-1 * (1..8)) then the odd powers 1, 3, 5, 7 of 2^-0.5
    expected = [2.0 ** -(h + 1) for h in range(8)] + [2.0 ** (-0.5 * p) for p in (1, 3, 5, 7)]
    assert torch.allclose(ref.alibi_slopes(12).double(), torch.tensor(expected, dtype=torch.float64), rtol=1e-6)
    assert ref.alibi_slopes(4).tolist() == [0.25, 0.0625, 0.015625, 0.00390625]


def test_alibi_bias_is_slope_times_key_index():
    bias = ref.alibi_bias(4, 5)
    assert bias.shape == (4, 1, 5)
    assert torch.equal(bias[1, 0], 0.0625 * torch.arange(5.0))


def test_memtrm_joint_memory_keys_sit_at_first_position():
    """Relative form: memory key bias -slope*i equals the key-index form's 0 up to a row constant."""
    torch.manual_seed(0)
    H, T, D, K = 2, 5, 4, 3
    q, k, v = (torch.randn(H, T, D) for _ in range(3))
    retrieved = ref.Retrieved(torch.randn(H, T, K, D), torch.randn(H, T, K, D), torch.ones(H, T, K, dtype=torch.bool),
                              torch.zeros(H, T, 1, dtype=torch.long), None)
    out = ref.memtrm_joint_attention(q, k, v, ref.alibi_bias(H, T), retrieved)
    slopes = ref.alibi_slopes(H).view(H, 1, 1)
    i, j = torch.arange(T).view(T, 1), torch.arange(T).view(1, T)
    local = q @ k.transpose(-1, -2) / 2 - slopes * (i - j)
    local = local.masked_fill(j > i, float("-inf"))
    memory = torch.einsum("htd,htkd->htk", q, retrieved.keys) / 2 - slopes * i
    probs = torch.softmax(torch.cat([memory, local], dim=-1), dim=-1)
    expected = probs[..., K:] @ v + torch.einsum("htk,htkd->htd", probs[..., :K], retrieved.values)
    assert torch.allclose(out, expected, atol=1e-6)


def test_hidden_states_layout():
    generator = torch.Generator().manual_seed(3)
    backbone = fixture.random_backbone(generator)
    config = fixture.CONFIG.backbone
    out = ref.backbone_forward(backbone, config, torch.arange(4, 20), capture_layer=2)
    assert len(out.hidden_states) == config.n_layer + 1
    assert torch.equal(out.hidden_states[0], backbone["wte.weight"][torch.arange(4, 20)])
    h2 = ref.layer_norm(out.hidden_states[2], backbone["h.2.ln_1.weight"], backbone["h.2.ln_1.bias"], 1e-6)
    assert torch.allclose(out.qkv[2][1], h2 @ backbone["h.2.attn.k_proj.weight"].T)
    assert torch.allclose(out.logits, out.hidden_states[-1] @ backbone["lm_head.weight"].T + backbone["lm_head.bias"])


# --------------------------------------------------------------------------------------------------
# Committed fixture
# --------------------------------------------------------------------------------------------------

@pytest.mark.skipif(not (fixture.LONGMEM_OUT / "reference.json").exists(), reason="fixture not generated")
def test_committed_fixture_reproduces():
    import json
    model = ref.load_model_folder(fixture.LONGMEM_OUT)
    reference = load_file(fixture.LONGMEM_OUT / "reference.safetensors")
    info = json.loads((fixture.LONGMEM_OUT / "reference.json").read_text())
    stream = info["streams"]["stream1"]
    for method, faithful in (("longmem", False), ("longmem_faithful", True)):
        results = ref.run_stream(model, torch.tensor(stream["tokens"]), stream["segment_lengths"], "longmem", faithful=faithful)
        for s, result in enumerate(results):
            stored = reference[f"stream1.{method}.segment{s}.logits"]
            assert torch.allclose(result.logits[stream["logit_rows"][s]], stored, atol=1e-5), (method, s)
            assert result.counters == info["counters"]["stream1"][method][s]
