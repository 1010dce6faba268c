#!/usr/bin/env python3
"""Writes causal LMs and encoders as Hugging Face folders with Optimum tensor names.

    python3 tools/export/export.py gpt2 --out DIR --corpus FILE... [--weights W.pt] [options]
    python3 tools/export/export.py bert --out DIR --corpus FILE... --task sequence-classification --labels a,b

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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
                   help="gpt2: pad the vocabulary with unused special tokens to this size (GPT-2-sized benchmarks)")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    texts = read_corpus(a.corpus)
    path = FAMILIES[a.arch].build(a, texts)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
