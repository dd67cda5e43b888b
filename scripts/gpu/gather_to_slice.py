#!/usr/bin/env python3
"""Rewrites every Gather whose indices are a constant scalar or a one-element vector into Slice
(+ Squeeze for the scalar): the same values. ONNX Runtime 1.29's CUDA provider (plugin API) crashes
on such a Gather in RT-DETR's decoder (found with bisect_cuda_crash.py on an H100).
Usage: gather_to_slice.py IN.onnx OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src)
g = m.graph
consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
for n in g.node:
    if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
        consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
nodes, changed, extra = [], 0, []
big = np.iinfo(np.int64).max
for n in g.node:
    idx = consts.get(n.input[1]) if n.op_type == "Gather" and len(n.input) == 2 else None
    if idx is None or idx.size != 1 or idx.dtype.kind not in "iu":
        nodes.append(n)
        continue
    axis = next((a.i for a in n.attribute if a.name == "axis"), 0)
    i = int(idx.reshape(-1)[0])
    p = f"vigil_g2s{changed}"
    extra += [numpy_helper.from_array(np.array([i], np.int64), p + "_starts"),
              numpy_helper.from_array(np.array([i + 1 if i != -1 else big], np.int64), p + "_ends"),
              numpy_helper.from_array(np.array([axis], np.int64), p + "_axes")]
    if idx.ndim == 0:
        nodes.append(helper.make_node("Slice", [n.input[0], p + "_starts", p + "_ends", p + "_axes"], [p + "_sliced"], name=p + "_slice"))
        nodes.append(helper.make_node("Squeeze", [p + "_sliced", p + "_axes"], [n.output[0]], name=p + "_squeeze"))
    else:
        nodes.append(helper.make_node("Slice", [n.input[0], p + "_starts", p + "_ends", p + "_axes"], [n.output[0]], name=p + "_slice"))
    changed += 1
del g.node[:]
g.node.extend(nodes)
g.initializer.extend(extra)
onnx.save(m, dst, save_as_external_data=False) if m.ByteSize() < 2_000_000_000 else onnx.save(m, dst, save_as_external_data=True)
print(f"{changed} constant-index Gather nodes rewritten as Slice")
