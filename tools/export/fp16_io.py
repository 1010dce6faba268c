"""Gives a decoder folder's graph an fp16 interface, as fp16 and q4f16 exports have: float16 KV
cache inputs and outputs and float16 logits, with Cast nodes at the boundary (the arithmetic
inside stays float32, so CPU kernels run it). Written as onnx/model_fp16.onnx of a copy.
Tests the engine's fp16 KV cache and logits handling against transformers.js (dtype fp16).

    /usr/bin/python3 tools/export/fp16_io.py test/fixtures/models/tiny-llama OUT
"""
import argparse
import os
import shutil

import onnx
from onnx import TensorProto, helper


def to_fp16_io(model):
    g = model.graph
    new_nodes = []
    for inp in g.input:
        if inp.name.startswith("past_key_values."):
            inner = inp.name + "_fp32"
            for n in g.node:
                n.input[:] = [inner if x == inp.name else x for x in n.input]
            new_nodes.append(helper.make_node("Cast", [inp.name], [inner], to=TensorProto.FLOAT))
            inp.type.tensor_type.elem_type = TensorProto.FLOAT16
    for out in g.output:
        if out.name.startswith("present.") or out.name == "logits":
            inner = out.name + "_fp32"
            for n in g.node:
                n.output[:] = [inner if x == out.name else x for x in n.output]
                n.input[:] = [inner if x == out.name else x for x in n.input]
            g.node.append(helper.make_node("Cast", [inner], [out.name], to=TensorProto.FLOAT16))
            out.type.tensor_type.elem_type = TensorProto.FLOAT16
    for n in reversed(new_nodes):
        g.node.insert(0, n)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src")
    p.add_argument("out")
    a = p.parse_args()
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    for f in os.listdir(a.src):
        if f.endswith(".json"):
            shutil.copy(os.path.join(a.src, f), os.path.join(a.out, f))
    model = onnx.load(os.path.join(a.src, "onnx", "model.onnx"))
    to_fp16_io(model)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(a.out, "onnx", "model_fp16.onnx"))
    print(f"wrote {a.out}/onnx/model_fp16.onnx (float16 KV cache and logits)")


if __name__ == "__main__":
    main()
