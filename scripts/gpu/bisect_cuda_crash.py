#!/usr/bin/env python3
"""Finds the first node of an ONNX model whose execution crashes ONNX Runtime's CUDA provider:
cuts the graph after node k (onnx.utils.extract_model), runs the prefix with vigil-ortbench in a
child process, and bisects on k. Usage: [BISECT_BATCH=N] bisect_cuda_crash.py MODEL.onnx [ORTBENCH]  (N: the batch of a static-batch model)"""
import os, subprocess, sys, tempfile
import onnx
from onnx import utils

model_path = sys.argv[1]
bench = sys.argv[2] if len(sys.argv) > 2 else "vigil-ortbench"
m = onnx.load(model_path)
inputs = [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}]
nodes = [n for n in m.graph.node if n.output and n.output[0]]
tmp = tempfile.mkdtemp()

def crashes(k):
    out = os.path.join(tmp, f"prefix{k}.onnx")
    try:
        utils.extract_model(model_path, out, inputs, [nodes[k].output[0]], check_model=False)
    except Exception as e:
        print(f"  k={k} cannot cut there ({str(e)[:80]}); treating as not crashing")
        return False
    r = subprocess.run([bench, out, "--ep", "cuda", "--batches", os.environ.get("BISECT_BATCH", "1"), "--iters", "1", "--warmup", "0"], capture_output=True, text=True)
    bad = r.returncode < 0 or r.returncode >= 128
    print(f"  k={k} {nodes[k].op_type} {nodes[k].name} -> {'CRASH' if bad else 'ok'} (rc {r.returncode})", flush=True)
    return bad

lo, hi = 0, len(nodes) - 1
if not crashes(hi):
    print("the whole model does not crash"); sys.exit(0)
while lo < hi:
    mid = (lo + hi) // 2
    if crashes(mid): hi = mid
    else: lo = mid + 1
n = nodes[lo]
print(f"first crashing node: #{lo} {n.op_type} '{n.name}' inputs={list(n.input)} attrs={[(a.name, onnx.helper.get_attribute_value(a)) for a in n.attribute]}")
