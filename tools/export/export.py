#!/usr/bin/env python3
"""Writes causal LMs and encoders as Hugging Face folders with Optimum tensor names.

    python3 tools/export/export.py gpt2 --out DIR --corpus FILE... [--weights W.pt] [options]
    python3 tools/export/export.py bert --out DIR --corpus FILE... --task sequence-classification --labels a,b
    python3 tools/export/export.py qwen2 --preset qwen2.5-coder-0.5b --out DIR --corpus FILE...

Without --weights the model gets seeded random weights (test fixtures, benchmarks). The folder
holds config.json, generation_config.json, tokenizer.json, tokenizer_config.json and
onnx/model.onnx, the layout transformers.js and Optimum use. Each model family is one module
(its PyTorch model with Hugging Face names, its config and its export); FAMILIES maps the
command line's names to them.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert  # noqa: E402
import bigcode  # noqa: E402
import deberta  # noqa: E402
import distilbert  # noqa: E402
import gpt2  # noqa: E402
import llama  # noqa: E402
import roberta  # noqa: E402
from common import read_corpus  # noqa: E402

# Each family's build(args, corpus texts) trains its tokenizer and writes the folder.
FAMILIES = {"gpt2": gpt2, "bert": bert, "distilbert": distilbert, "roberta": roberta, "deberta-v2": deberta,
            "llama": llama, "qwen2": llama, "gpt_bigcode": bigcode}

# Real models' shapes, for benchmarks with random weights (flags given on the command line win).
# Qwen2.5-Coder-0.5B: GQA 14/2, q/k/v biases, tied embeddings, its vocabulary size and FIM and
# repository-level special tokens (a small trained tokenizer, padded to the real vocabulary).
PRESETS = {
    "qwen2.5-coder-0.5b": dict(
        layers=24, heads=14, kv_heads=2, hidden=896, intermediate=4864, positions=32768, rope_theta=1e6,
        tie_embeddings=True, pad_vocab=151936,
        special_tokens="<|endoftext|>,<|im_start|>,<|im_end|>,<|fim_prefix|>,<|fim_middle|>,<|fim_suffix|>,<|fim_pad|>,"
                       "<|repo_name|>,<|file_sep|>"),
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=list(PRESETS), help="a real model's shape (defaults for the flags below)")
    p.add_argument("--intermediate", type=int, help="llama/qwen2: MLP width (default 3 x hidden)")
    p.add_argument("--rope-theta", type=float, default=10000.0, help="llama/qwen2: rotary base")
    p.add_argument("--tie-embeddings", action="store_true", help="llama/qwen2: the LM head shares the embedding matrix")
    p.add_argument("arch", choices=list(FAMILIES))
    p.add_argument("--kv-heads", type=int, default=1, help="llama/qwen2: key-value heads (grouped-query attention)")
    p.add_argument("--out", required=True)
    p.add_argument("--corpus", nargs="+", required=True, help="files or globs the tokenizer is trained on")
    p.add_argument("--vocab-size", type=int, default=1024)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--positions", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-std", type=float, default=0.02)
    p.add_argument("--weights", help="a state dict (.pt) to load instead of random weights")
    p.add_argument("--special-tokens", default="<|endoftext|>", help="comma-separated; the first is BOS/EOS")
    p.add_argument("--legacy-merged", action="store_true", help="gpt2: write onnx/decoder_model_merged.onnx with use_cache_branch")
    p.add_argument("--logits-to-keep", action="store_true", help="gpt2: add the num_logits_to_keep input")
    p.add_argument("--task", default="sequence-classification", choices=["sequence-classification", "feature-extraction"])
    p.add_argument("--labels", default="NEGATIVE,POSITIVE")
    p.add_argument("--problem-type", choices=["single_label_classification", "multi_label_classification"])
    p.add_argument("--pad-vocab", type=int, default=0,
                   help="gpt2/llama/qwen2: pad the vocabulary with unused tokens to this size (real-sized benchmarks)")
    preset = p.parse_known_args()[0].preset
    if preset:
        p.set_defaults(**PRESETS[preset])
    a = p.parse_args()
    torch.manual_seed(a.seed)
    texts = read_corpus(a.corpus)
    path = FAMILIES[a.arch].build(a, texts)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
