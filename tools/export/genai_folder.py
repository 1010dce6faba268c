"""Rewrites an Optimum-layout decoder folder as an onnxruntime-genai folder: genai_config.json,
the graph at the folder root with the KV tensors renamed to genai-style names, and the tokenizer.
Used for the genai test fixture (same weights as its source, so outputs must match exactly).

    /usr/bin/python3 tools/export/genai_folder.py test/fixtures/models/tiny-llama OUT
"""
import argparse
import json
import os
import re
import shutil

import onnx

PAST = {"key": "past_key_%d", "value": "past_value_%d"}
PRESENT = {"key": "present_key_%d", "value": "present_value_%d"}


def rename(model):
    mapping = {}
    for t in list(model.graph.input) + list(model.graph.output):
        m = re.match(r"^(past_key_values|present)\.(\d+)\.(key|value)$", t.name)
        if m:
            table = PAST if m.group(1) == "past_key_values" else PRESENT
            mapping[t.name] = table[m.group(3)] % int(m.group(2))
    for t in list(model.graph.input) + list(model.graph.output):
        t.name = mapping.get(t.name, t.name)
    for n in model.graph.node:
        n.input[:] = [mapping.get(x, x) for x in n.input]
        n.output[:] = [mapping.get(x, x) for x in n.output]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src")
    p.add_argument("out")
    a = p.parse_args()
    with open(os.path.join(a.src, "config.json")) as f:
        c = json.load(f)
    model = onnx.load(os.path.join(a.src, "onnx", "model.onnx"))
    rename(model)
    onnx.checker.check_model(model)
    os.makedirs(a.out, exist_ok=True)
    onnx.save(model, os.path.join(a.out, "model.onnx"))
    heads = c["num_attention_heads"]
    genai = {
        "model": {
            "type": c["model_type"],
            "bos_token_id": c["bos_token_id"], "eos_token_id": c["eos_token_id"], "pad_token_id": c["eos_token_id"],
            "context_length": c["max_position_embeddings"], "vocab_size": c["vocab_size"],
            "decoder": {
                "filename": "model.onnx", "head_size": c["hidden_size"] // heads, "hidden_size": c["hidden_size"],
                "num_attention_heads": heads, "num_key_value_heads": c["num_key_value_heads"],
                "num_hidden_layers": c["num_hidden_layers"],
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
                           "past_key_names": PAST["key"], "past_value_names": PAST["value"]},
                "outputs": {"logits": "logits", "present_key_names": PRESENT["key"], "present_value_names": PRESENT["value"]},
            },
        },
        "search": {"do_sample": False, "max_length": c["max_position_embeddings"], "num_beams": 1},
    }
    with open(os.path.join(a.out, "genai_config.json"), "w") as f:
        json.dump(genai, f, indent=1)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(a.src, name), os.path.join(a.out, name))
    print(f"wrote {a.out} (genai layout, KV names {PAST['key']} / {PRESENT['key']})")


if __name__ == "__main__":
    main()
