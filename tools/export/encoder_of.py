"""Cuts a BERT-class sequence classifier exported by tools/export down to its encoder, so its
hidden states can serve as embeddings (few-shot heads, similarity zero-shot).

    /usr/bin/python3 tools/export/encoder_of.py models/spam-classifier /tmp/spam-encoder

The classifier graph ends hidden -> Gather([CLS]) -> pooler Gemm -> Tanh -> classifier Gemm ->
logits; the tensor entering that Gather is the encoder's last hidden state. It becomes the output
`last_hidden_state` of a new graph with only the nodes it needs (onnx.utils.Extractor).
"""
import argparse
import json
import os
import shutil

import onnx
from onnx import helper, utils


def hidden_state_of(model: onnx.ModelProto) -> str:
    producer = {o: n for n in model.graph.node for o in n.output}
    node = producer["logits"]
    while node.op_type != "Gather":
        inputs = [i for i in node.input if i in producer]
        if not inputs:
            raise SystemExit("could not find the [CLS] Gather before logits; is this a tools/export BERT classifier?")
        node = producer[inputs[0]]
    return node.input[0]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src")
    p.add_argument("out")
    a = p.parse_args()
    src_onnx = os.path.join(a.src, "onnx", "model.onnx")
    model = onnx.load(src_onnx)
    hidden = hidden_state_of(model)
    inputs = [i.name for i in model.graph.input]
    sub = utils.Extractor(model).extract_model(inputs, [hidden])
    sub.graph.node.append(helper.make_node("Identity", [hidden], ["last_hidden_state"]))
    out_vi = helper.make_tensor_value_info("last_hidden_state", onnx.TensorProto.FLOAT, ["batch_size", "sequence_length", "hidden_size"])
    del sub.graph.output[:]
    sub.graph.output.append(out_vi)
    onnx.checker.check_model(sub)
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    onnx.save(sub, os.path.join(a.out, "onnx", "model.onnx"))
    with open(os.path.join(a.src, "config.json")) as f:
        config = json.load(f)
    for k in ("id2label", "label2id", "problem_type"):
        config.pop(k, None)
    config["architectures"] = ["BertModel"]
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        if os.path.exists(os.path.join(a.src, name)):
            shutil.copy(os.path.join(a.src, name), os.path.join(a.out, name))
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write(f"Encoder of {a.src} (last hidden state), cut by tools/export/encoder_of.py. Same data and licence as its source.\n")
    print(f"wrote {a.out}/onnx/model.onnx (output last_hidden_state from {hidden})")


if __name__ == "__main__":
    main()
