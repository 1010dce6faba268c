"""What every model family's export shares: seeded random weights, the corpus the tokenizers are
trained on, the opset, and writing an ONNX graph with Optimum's tensor names and dynamic axes."""
import glob
import os
from dataclasses import dataclass
from typing import Optional

import torch

import tokenizer as tok

OPSET = 14
NEG_INF = -1e9  # finite, so a fully masked (padding) row never turns into NaN


@dataclass(frozen=True)
class Shape:
    """A model's size: what the command line's --layers, --heads, --hidden, --positions, --kv-heads say."""
    layers: int
    heads: int
    hidden: int
    positions: int
    kv_heads: Optional[int] = None


def shape_of(a):
    return Shape(a.layers, a.heads, a.hidden, a.positions, a.kv_heads)


def read_corpus(patterns, limit_bytes=8_000_000):
    texts, total = [], 0
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if os.path.isfile(path) and total < limit_bytes:
                with open(path, encoding="utf-8", errors="replace") as f:
                    t = f.read()
                texts.append(t)
                total += len(t)
    if not texts:
        raise SystemExit(f"no corpus files matched {patterns}")
    return texts


def init_random(model, seed, std):
    """Seeded random weights; a larger std than training init gives peaked logits, so greedy
    decoding has clear winners and conformance tests are not decided by float noise."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or name.split(".")[-2].startswith("ln") or name.split(".")[-2].endswith("norm"):
                p.copy_(torch.ones_like(p) if name.endswith("weight") else torch.zeros_like(p))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def export_decoder(model, out, past_shapes, past_names, present_names):
    """Exports a decoder whose KV inputs have the given shapes (past length at the axis named past)."""
    model.eval()
    b, s = 1, 3
    past = past_shapes[0][2] if len(past_shapes[0]) == 4 else past_shapes[0][1]
    ids = torch.zeros(b, s, dtype=torch.long)
    mask = torch.ones(b, past + s, dtype=torch.long)
    pos = torch.arange(past, past + s).unsqueeze(0)
    pasts = [torch.zeros(*shape) for shape in past_shapes]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    seq_axis = 2 if len(past_shapes[0]) == 4 else 1
    axes.update({n: {0: "batch_size", seq_axis: "past_sequence_length"} for n in past_names})
    axes.update({n: {0: "batch_size", seq_axis: "total_sequence_length"} for n in present_names})
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, pos, *pasts), path, input_names=["input_ids", "attention_mask",
                          "position_ids", *past_names], output_names=["logits", *present_names],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    return path


def save_two_input_classifier(out, model, cfg, tokenizer_json, tokenizer_config, pad_free_id=1):
    """Writes a folder for an encoder classifier whose inputs are input_ids and attention_mask only:
    config, tokenizer files and onnx/model.onnx."""
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config)
    model.eval()
    ids = torch.full((2, 5), pad_free_id, dtype=torch.long)
    mask = torch.ones(2, 5, dtype=torch.long)
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                        "attention_mask": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}},
                          opset_version=OPSET, do_constant_folding=True)
    return path


def write_decoder_files(out, cfg, tokenizer_json, tokenizer_config):
    """config.json, generation_config.json and the tokenizer files of a decoder folder."""
    os.makedirs(out, exist_ok=True)
    tok.write_json(os.path.join(out, "config.json"), cfg)
    tok.write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": 0, "eos_token_id": 0, "max_new_tokens": 32})
    tok.write_json(os.path.join(out, "tokenizer.json"), tokenizer_json)
    tok.write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config)
