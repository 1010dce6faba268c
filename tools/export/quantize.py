#!/usr/bin/env python3
"""Dynamic int8 quantization of an exported model (what onnxruntime's quantize_dynamic does for
MatMul, written here because its Python package cannot be installed on these machines).

    /usr/bin/python3 tools/export/quantize.py MODEL_DIR     # writes MODEL_DIR/onnx/model_quantized.onnx

Every MatMul whose second input is a constant weight [K, N] becomes
DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp) -> Cast -> * (x_scale * w_scale[N]),
with W quantized to int8 per output column (symmetric, zero point 0). Activations are quantized
per tensor at run time. Embedding lookups (Gather) stay float.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(src, dst, min_elements=4096):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    new_nodes, new_inits, dropped, count = [], [], set(), 0
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        if w is None or len(w.dims) != 2 or w.data_type != TensorProto.FLOAT or np.prod(w.dims) < min_elements:
            new_nodes.append(n)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        base = f"{n.name or n.output[0]}_q".replace("/", "_")
        new_inits += [numpy_helper.from_array(Wq, f"{base}_W"), numpy_helper.from_array(scale.astype(np.float32), f"{base}_Ws")]
        x = n.input[0]
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{base}_xq", f"{base}_xs", f"{base}_xzp"], name=f"{base}_dql"),
            helper.make_node("MatMulInteger", [f"{base}_xq", f"{base}_W", f"{base}_xzp"], [f"{base}_i32"], name=f"{base}_mmi"),
            helper.make_node("Cast", [f"{base}_i32"], [f"{base}_f"], to=TensorProto.FLOAT, name=f"{base}_cast"),
            helper.make_node("Mul", [f"{base}_xs", f"{base}_Ws"], [f"{base}_s"], name=f"{base}_scale"),
            helper.make_node("Mul", [f"{base}_f", f"{base}_s"], [n.output[0]], name=f"{base}_out"),
        ]
        uses[w.name] -= 1
        if uses[w.name] == 0:
            dropped.add(w.name)
        count += 1
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if i.name not in dropped]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("--min-elements", type=int, default=4096, help="leave smaller weight matrices in float")
    a = p.parse_args()
    src = os.path.join(a.model_dir, "onnx", "model.onnx")
    dst = os.path.join(a.model_dir, "onnx", "model_quantized.onnx")
    n = quantize(src, dst, a.min_elements)
    print(f"quantized {n} MatMul weights: {os.path.getsize(src) / 1e6:.1f} MB -> {os.path.getsize(dst) / 1e6:.1f} MB ({dst})")


if __name__ == "__main__":
    main()
