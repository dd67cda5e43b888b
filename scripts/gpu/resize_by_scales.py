#!/usr/bin/env python3
"""Rewrites every Resize that takes a `sizes` input to take `scales` computed in the graph
(sizes[2:] / input shape[2:]). ONNX Runtime 1.29's CUDA Resize crashes on a sizes input (seen on
an H100); the result is the same model. Usage: resize_by_scales.py IN.onnx OUT.onnx"""
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src)
g = m.graph
one_one = numpy_helper.from_array(np.array([1.0, 1.0], dtype=np.float32), "vigil_one_one")
g.initializer.extend([one_one, numpy_helper.from_array(np.array([2], dtype=np.int64), "vigil_two"),
                      numpy_helper.from_array(np.array([4], dtype=np.int64), "vigil_four")])
nodes, changed = [], 0
for n in g.node:
    if n.op_type == "Resize" and len(n.input) >= 4 and n.input[3]:
        p = f"vigil_resize{changed}"
        x, sizes = n.input[0], n.input[3]
        nodes += [
            helper.make_node("Shape", [x], [p + "_shape"]),
            helper.make_node("Slice", [p + "_shape", "vigil_two", "vigil_four"], [p + "_inhw"]),
            helper.make_node("Slice", [sizes, "vigil_two", "vigil_four"], [p + "_outhw"]),
            helper.make_node("Cast", [p + "_inhw"], [p + "_inhw_f"], to=TensorProto.FLOAT),
            helper.make_node("Cast", [p + "_outhw"], [p + "_outhw_f"], to=TensorProto.FLOAT),
            helper.make_node("Div", [p + "_outhw_f", p + "_inhw_f"], [p + "_hw"]),
            helper.make_node("Concat", ["vigil_one_one", p + "_hw"], [p + "_scales"], axis=0),
        ]
        del n.input[3]
        while len(n.input) < 3:
            n.input.append("")
        n.input[2] = p + "_scales"
        changed += 1
    nodes.append(n)
del g.node[:]
g.node.extend(nodes)
onnx.save(m, dst)
print(f"resize_by_scales: {changed} Resize node(s) rewritten -> {dst}")
