#!/usr/bin/env python3
"""The provider-unsafe op table: builds one-op ONNX models (python's onnx package, opset 17) and runs
each in its OWN process with vigil-ortbench on ONNX Runtime 1.29's CUDA provider, so that a segfault
in one op is recorded instead of ending the survey. Runs ON the GPU machine after device-setup.sh.

  op-table.py build DIR                 write DIR/<Op>--<variant>.onnx (one float input 'x', constants
                                        for every other operand, so nothing folds away)
  op-table.py run DIR [DIR2 ...] --out TABLE.json [--jsonl LOG.jsonl] [--jobs 4]
                                        run every model twice: as ONNX Runtime would (CPU fallback
                                        allowed) -> ok / crash (signal) / error / hang; and with
                                        session.disable_cpu_ep_fallback=1 -> whether the CUDA provider
                                        itself took the node. Models in DIR2... are recorded as
                                        rewritten variants ("<Op>--<variant>" of a file named
                                        <Op>--<variant>.onnx), e.g. the output of Vigil's rewrites.
TABLE.json is resources/gpu/provider-unsafe-ops.json's format: for each provider, the op types whose
one-op model crashed the process ("crash"), with the variants and signals seen.
"""
import argparse
import concurrent.futures as cf
import datetime
import glob
import json
import os
import signal
import subprocess
import sys

X_SHAPE = [1, 4, 32, 32]


def build(out_dir):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(0)

    def const(name, arr):
        return numpy_helper.from_array(np.asarray(arr), name)

    def f32(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    cases = []  # (op, variant, node list, initializers, output elem type, x shape)

    def case(op, variant, nodes, inits=(), out_type=TensorProto.FLOAT, x_shape=X_SHAPE):
        cases.append((op, variant, nodes, list(inits), out_type, x_shape))

    n = helper.make_node
    # controls: ops RT-DETR and the default detectors use, expected to run
    for op in ["Relu", "Sigmoid", "Erf", "Exp", "Sqrt", "Abs", "Floor", "Softmax"]:
        attrs = {"axis": -1} if op == "Softmax" else {}
        case(op, "plain", [n(op, ["x"], ["y"], **attrs)])
    case("Conv", "3x3", [n("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])], [const("w", f32(8, 4, 3, 3))])
    case("ConvTranspose", "2x2s2", [n("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2])], [const("w", f32(4, 8, 2, 2))])
    case("MatMul", "4d", [n("MatMul", ["x", "w"], ["y"])], [const("w", f32(32, 16))])
    case("MatMul", "batched+Softmax", [n("MatMul", ["x", "w"], ["t"]), n("Softmax", ["t"], ["y"], axis=-1)], [const("w", f32(1, 4, 32, 32))])
    case("Gemm", "2d", [n("Reshape", ["x", "s"], ["t"]), n("Gemm", ["t", "w"], ["y"], transB=1)],
         [const("s", np.array([4, 1024], np.int64)), const("w", f32(16, 1024))])
    case("Add", "broadcast", [n("Add", ["x", "b"], ["y"])], [const("b", f32(1, 4, 1, 1))])
    case("Pow", "2", [n("Pow", ["x", "p"], ["y"])], [const("p", np.array(2.0, np.float32))])
    case("Where", "mask", [n("Greater", ["x", "z"], ["m"]), n("Where", ["m", "x", "z"], ["y"])], [const("z", np.array(0.0, np.float32))])
    case("Clip", "0..6", [n("Clip", ["x", "lo", "hi"], ["y"])], [const("lo", np.array(0.0, np.float32)), const("hi", np.array(6.0, np.float32))])
    case("Transpose", "0231", [n("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1])])
    case("Reshape", "flat", [n("Reshape", ["x", "s"], ["y"])], [const("s", np.array([1, 4, -1], np.int64))])
    case("Shape", "+Reshape", [n("Shape", ["x"], ["s"]), n("Reshape", ["x", "s"], ["y"])])
    case("Concat", "axis1", [n("Concat", ["x", "x"], ["y"], axis=1)])
    case("Slice", "steps", [n("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
         [const("st", np.array([2], np.int64)), const("en", np.array([30], np.int64)), const("ax", np.array([3], np.int64)), const("sp", np.array([2], np.int64))])
    case("Split", "2", [n("Split", ["x", "sp"], ["y", "y2"], axis=1)], [const("sp", np.array([2, 2], np.int64))])
    case("Expand", "tile", [n("Expand", ["x", "s"], ["y"])], [const("s", np.array([2, 4, 32, 32], np.int64))])
    case("Tile", "2x", [n("Tile", ["x", "r"], ["y"])], [const("r", np.array([1, 1, 2, 2], np.int64))])
    case("Gather", "axis2", [n("Gather", ["x", "i"], ["y"], axis=2)], [const("i", rng.integers(0, 32, (10,)).astype(np.int64))])
    case("GatherElements", "axis3", [n("GatherElements", ["x", "i"], ["y"], axis=3)], [const("i", rng.integers(0, 32, (1, 4, 32, 8)).astype(np.int64))])
    case("GatherND", "batch_dims0", [n("GatherND", ["x", "i"], ["y"])], [const("i", rng.integers(0, 4, (5, 2)).astype(np.int64) * np.array([0, 1]))])
    case("ScatterElements", "axis3", [n("ScatterElements", ["x", "i", "u"], ["y"], axis=3)],
         [const("i", np.tile(np.arange(8, dtype=np.int64), (1, 4, 32, 1))), const("u", f32(1, 4, 32, 8))])
    case("TopK", "k10", [n("Reshape", ["x", "s"], ["t"]), n("TopK", ["t", "k"], ["y", "idx"], axis=-1)],
         [const("s", np.array([1, -1], np.int64)), const("k", np.array([10], np.int64))])
    case("ArgMax", "axis1", [n("ArgMax", ["x"], ["y"], axis=1)], out_type=TensorProto.INT64)
    case("NonZero", "mask", [n("Greater", ["x", "z"], ["m"]), n("NonZero", ["m"], ["y"])], [const("z", np.array(1.0, np.float32))], out_type=TensorProto.INT64)
    case("CumSum", "axis3", [n("CumSum", ["x", "a"], ["y"])], [const("a", np.array(3, np.int64))])
    case("ReduceMean", "axes23", [n("ReduceMean", ["x"], ["y"], axes=[2, 3])])
    case("LayerNormalization", "last", [n("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1)], [const("g", f32(32)), const("b", f32(32))])
    case("InstanceNormalization", "4ch", [n("InstanceNormalization", ["x", "g", "b"], ["y"])], [const("g", f32(4)), const("b", f32(4))])
    case("BatchNormalization", "4ch", [n("BatchNormalization", ["x", "g", "b", "m", "v"], ["y"])],
         [const("g", f32(4)), const("b", f32(4)), const("m", f32(4)), const("v", np.abs(f32(4)) + 0.5)])
    case("MaxPool", "3x3s2", [n("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])])
    case("Resize", "linear-x2", [n("Resize", ["x", "", "sc"], ["y"], mode="linear")], [const("sc", np.array([1, 1, 2, 2], np.float32))])
    case("Resize", "nearest-x2", [n("Resize", ["x", "", "sc"], ["y"], mode="nearest")], [const("sc", np.array([1, 1, 2, 2], np.float32))])
    # the suspects (issue 17): RT-DETR's GridSample, ScatterND, Einsum
    grid = rng.uniform(-1.1, 1.1, (1, 16, 16, 2)).astype(np.float32)
    for mode, pad, ac in [("bilinear", "zeros", 0), ("bilinear", "zeros", 1), ("bilinear", "border", 0), ("nearest", "zeros", 0)]:
        case("GridSample", f"{mode}-{pad}-ac{ac}", [n("GridSample", ["x", "g"], ["y"], mode=mode, padding_mode=pad, align_corners=ac)], [const("g", grid)])
    # slice assignment x[:, 1:3] = u, as PyTorch exports it (constant indices of the assigned rows)
    case("ScatterND", "slice-assign", [n("ScatterND", ["x", "i", "u"], ["y"])],
         [const("i", np.array([[[0, 1], [0, 2]]], np.int64)), const("u", f32(1, 2, 32, 32))])
    case("ScatterND", "last-axis", [n("ScatterND", ["x", "i", "u"], ["y"])],
         [const("i", np.stack(np.meshgrid([0], range(4), range(32), range(8, 12), indexing="ij"), -1).astype(np.int64)), const("u", f32(1, 4, 32, 4))])
    case("Einsum", "bhqd,bhkd->bhqk", [n("Einsum", ["x", "k"], ["y"], equation="bhqd,bhkd->bhqk")], [const("k", f32(1, 4, 32, 32))])
    case("Einsum", "outer-i,j->ij", [n("Reshape", ["x", "s"], ["t"]), n("Einsum", ["t", "v"], ["y"], equation="i,j->ij")],
         [const("s", np.array([-1], np.int64)), const("v", f32(16))])
    case("Einsum", "bchw,oc->bohw", [n("Einsum", ["x", "w"], ["y"], equation="bchw,oc->bohw")], [const("w", f32(8, 4))])

    for op, variant, nodes, inits, out_type, x_shape in cases:
        g = helper.make_graph(nodes, f"{op}-{variant}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", out_type, None)], inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="vigil op-table")
        m.ir_version = 8
        onnx.checker.check_model(m) if out_type is None else None  # outputs carry no shape (ORT infers it)
        onnx.save(m, os.path.join(out_dir, f"{op}--{safe(variant)}.onnx"))
    print(f"built {len(cases)} one-op models in {out_dir}")


def safe(s):
    return "".join(c if c.isalnum() or c in "+-._" else "_" for c in s.replace(",", "_").replace(">", ""))


def run_one(bench, path, ep, no_fallback, timeout):
    env = dict(os.environ)
    if no_fallback:
        env["VIGIL_ORT_CONFIG"] = "session.disable_cpu_ep_fallback=1"
    cmd = [bench, path, "--ep", ep, "--batches", "1", "--iters", "2", "--warmup", "1"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"verdict": "hang", "rc": None, "detail": f"no answer in {timeout} s"}
    text = (r.stdout + r.stderr).strip()
    if r.returncode < 0 or r.returncode >= 128:
        sig = -r.returncode if r.returncode < 0 else r.returncode - 128
        return {"verdict": "crash", "rc": r.returncode, "signal": signal.Signals(sig).name, "detail": text[-300:]}
    if r.returncode == 0 and '"ms"' in r.stdout:
        return {"verdict": "ok", "rc": 0}
    return {"verdict": "error", "rc": r.returncode, "detail": text[-300:]}


def run(dirs, out, jsonl, jobs, ep, bench, timeout):
    models = []
    for i, d in enumerate(dirs):
        for p in sorted(glob.glob(os.path.join(d, "*.onnx"))):
            op, _, variant = os.path.basename(p)[:-5].partition("--")
            models.append({"op": op, "variant": variant, "rewritten": i > 0, "path": p})
    rows = []
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {}
        for m in models:
            futs[pool.submit(run_one, bench, m["path"], ep, False, timeout)] = (m, "as-is")
            futs[pool.submit(run_one, bench, m["path"], ep, True, timeout)] = (m, "no-cpu-fallback")
        results = {}
        for f in cf.as_completed(futs):
            m, how = futs[f]
            results.setdefault(m["path"], {})[how] = f.result()
    for m in models:
        r = results[m["path"]]
        asis, strict = r["as-is"], r["no-cpu-fallback"]
        row = {"op": m["op"], "variant": m["variant"], "rewritten": m["rewritten"], "ep": ep, "verdict": asis["verdict"],
               "on_provider": True if strict["verdict"] == "ok" else (None if strict["verdict"] == "crash" else False)}
        for k in ("signal", "detail"):
            if k in asis:
                row[k] = asis[k]
        if strict["verdict"] not in ("ok", "crash"):
            row["strict_detail"] = strict.get("detail", "")[-200:]
        rows.append(row)
    if jsonl:
        with open(jsonl, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    crash, ok, cpu = {}, set(), set()
    for row in rows:
        if row["rewritten"]:
            continue
        if row["verdict"] in ("crash", "hang"):
            crash.setdefault(row["op"], []).append(f"{row['variant']}: {row.get('signal', row['verdict'])}")
        elif row["verdict"] == "ok":
            (ok if row["on_provider"] else cpu).add(row["op"])
    rewritten = {f"{r['op']}--{r['variant']}": r["verdict"] for r in rows if r["rewritten"]}
    table = {
        "about": "Op types whose one-op ONNX model crashed the process on an execution provider (scripts/gpu/op-table.py). "
                 "Vigil's provider guard names these when a model's probe run fails; rewrites in main/models/rewrites replace them at install time.",
        "measured": {"date": datetime.date.today().isoformat(), "gpu": gpu_name(), "onnxruntime": "1.29 (npm com.github.asus4.onnxruntime 0.4.9, plugin EP route)",
                     "command": "python3 scripts/gpu/op-table.py build /tmp/ops && python3 scripts/gpu/op-table.py run /tmp/ops [REWRITTEN_DIR] --out TABLE.json"},
        "providers": {ep: {"crash": {op: sorted(v) for op, v in sorted(crash.items())},
                           "ok": sorted(ok - set(crash)), "cpuFallback": sorted(cpu - set(crash) - ok)}},
        "rewrittenOnProvider": rewritten,
    }
    with open(out, "w") as f:
        json.dump(table, f, indent=2)
        f.write("\n")
    print(f"\n| op | variant | rewritten | verdict | on {ep} |\n| --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['op']} | {row['variant']} | {'yes' if row['rewritten'] else ''} | {row['verdict']}{' ' + row['signal'] if 'signal' in row else ''} | {row['on_provider']} |")
    print(f"\ntable -> {out}: crash = {sorted(crash)}")


def gpu_name():
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"], capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001 - the name is only a label
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("dir")
    r = sub.add_parser("run")
    r.add_argument("dirs", nargs="+")
    r.add_argument("--out", required=True)
    r.add_argument("--jsonl")
    r.add_argument("--jobs", type=int, default=4)
    r.add_argument("--ep", default="cuda")
    r.add_argument("--bench", default="vigil-ortbench")
    r.add_argument("--timeout", type=int, default=60)
    a = ap.parse_args()
    if a.cmd == "build":
        build(a.dir)
    else:
        run(a.dirs, a.out, a.jsonl, a.jobs, a.ep, a.bench, a.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
