#!/usr/bin/env python3
"""Dynamic int8 and block-wise 4-bit quantization of an exported model (what onnxruntime's quantize_dynamic does for
MatMul, written here because its Python package cannot be installed on these machines).

    /usr/bin/python3 tools/export/quantize.py MODEL_DIR     # writes MODEL_DIR/onnx/model_quantized.onnx

Every MatMul whose second input is a constant weight [K, N] becomes
DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp) -> Cast -> * (x_scale * w_scale[N]),
with W quantized to int8 per output column (symmetric, zero point 0). Activations are quantized
per tensor at run time. Embedding lookups (Gather) stay float.

    /usr/bin/python3 tools/export/quantize.py MODEL_DIR --q4   # writes MODEL_DIR/onnx/model_q4.onnx

--q4: every such MatMul becomes onnxruntime's MatMulNBits (com.microsoft): W stored as 4-bit
values in blocks of 32 along K, per block a float scale, symmetric around the default zero
point 8; two values per byte, the even index in the low nibble. The dtype transformers.js calls q4.
"""
import argparse
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def rewrite_matmuls(m, min_elements, rewrite):
    """Replaces every MatMul whose second input is a float weight [K, N] of at least min_elements
    with what rewrite(node, W, base) returns ((nodes, initializers), or None to keep it); weights
    left unused are dropped."""
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    new_nodes, new_inits, dropped, count = [], [], set(), 0
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        ok = w is not None and len(w.dims) == 2 and w.data_type == TensorProto.FLOAT and np.prod(w.dims) >= min_elements
        done = rewrite(n, numpy_helper.to_array(w).astype(np.float32), (n.name or n.output[0]).replace("/", "_")) if ok else None
        if done is None:
            new_nodes.append(n)
            continue
        new_nodes += done[0]
        new_inits += done[1]
        uses[w.name] -= 1
        if uses[w.name] == 0:
            dropped.add(w.name)
        count += 1
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if i.name not in dropped]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    return count


def quantize(src, dst, min_elements=4096):
    m = onnx.load(src)

    def int8(n, W, name):
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        base = f"{name}_q"
        x = n.input[0]
        nodes = [
            helper.make_node("DynamicQuantizeLinear", [x], [f"{base}_xq", f"{base}_xs", f"{base}_xzp"], name=f"{base}_dql"),
            helper.make_node("MatMulInteger", [f"{base}_xq", f"{base}_W", f"{base}_xzp"], [f"{base}_i32"], name=f"{base}_mmi"),
            helper.make_node("Cast", [f"{base}_i32"], [f"{base}_f"], to=TensorProto.FLOAT, name=f"{base}_cast"),
            helper.make_node("Mul", [f"{base}_xs", f"{base}_Ws"], [f"{base}_s"], name=f"{base}_scale"),
            helper.make_node("Mul", [f"{base}_f", f"{base}_s"], [n.output[0]], name=f"{base}_out"),
        ]
        return nodes, [numpy_helper.from_array(Wq, f"{base}_W"), numpy_helper.from_array(scale.astype(np.float32), f"{base}_Ws")]

    count = rewrite_matmuls(m, min_elements, int8)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return count


def quantize_q4(src, dst, block=32, min_elements=4096):
    m = onnx.load(src)

    def q4(n, W, name):
        K, N = W.shape
        if K % block != 0:
            return None
        blocks = K // block
        Wb = W.T.reshape(N, blocks, block)  # per output column, blocks along K
        scale = np.maximum(np.abs(Wb).max(axis=2), 1e-8) / 7.0  # [N, blocks]
        q = np.clip(np.round(Wb / scale[:, :, None]) + 8, 0, 15).astype(np.uint8)
        packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)  # [N, blocks, block / 2]
        base = f"{name}_q4"
        node = helper.make_node("MatMulNBits", [n.input[0], f"{base}_B", f"{base}_scales"], [n.output[0]],
                                name=f"{base}_mmnb", domain="com.microsoft", K=K, N=N, bits=4, block_size=block)
        return [node], [numpy_helper.from_array(packed, f"{base}_B"), numpy_helper.from_array(scale.reshape(-1).astype(np.float32), f"{base}_scales")]

    count = rewrite_matmuls(m, min_elements, q4)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst)
    return count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model_dir")
    p.add_argument("--min-elements", type=int, default=4096, help="leave smaller weight matrices in float")
    p.add_argument("--q4", action="store_true", help="4-bit MatMulNBits (model_q4.onnx) instead of int8")
    p.add_argument("--out", help="write a new folder (configs and tokenizer copied, only the quantized graph) instead")
    a = p.parse_args()
    src = os.path.join(a.model_dir, "onnx", "model.onnx")
    target = a.out or a.model_dir
    if a.out:
        os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
        for f in os.listdir(a.model_dir):
            if f.endswith(".json"):
                shutil.copy(os.path.join(a.model_dir, f), os.path.join(a.out, f))
    dst = os.path.join(target, "onnx", "model_q4.onnx" if a.q4 else "model_quantized.onnx")
    n = quantize_q4(src, dst, min_elements=a.min_elements) if a.q4 else quantize(src, dst, a.min_elements)
    print(f"quantized {n} MatMul weights: {os.path.getsize(src) / 1e6:.1f} MB -> {os.path.getsize(dst) / 1e6:.1f} MB ({dst})")


if __name__ == "__main__":
    main()
