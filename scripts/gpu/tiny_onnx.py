#!/usr/bin/env python3
"""Writes a tiny ONNX model (no onnx/torch needed): images [N,3,H,W] -> Relu -> AveragePool 2x2 -> out.
Used to check that an ONNX Runtime CUDA session opens on the GPU machine, and to smoke-test vigil-ortbench.
Usage: tiny_onnx.py OUT.onnx [H W]"""
import struct, sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def s(num, text):
    return field(num, 2, text.encode())


def msg(num, *parts):
    return field(num, 2, b"".join(parts))


def value_info(name, dims):
    shape = b"".join(msg(1, s(2, d) if isinstance(d, str) else field(1, 0, d)) for d in dims)
    tensor_type = msg(1, field(1, 0, 1), msg(2, shape))  # elem_type FLOAT, shape
    return s(1, name) + msg(2, tensor_type)


def attr_ints(name, values):
    return s(1, name) + b"".join(field(8, 0, v) for v in values) + field(20, 0, 7)  # type INTS


def main():
    out = sys.argv[1]
    h, w = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (640, 640)
    relu = s(1, "images") + s(2, "r") + s(3, "relu") + s(4, "Relu")
    pool = s(1, "r") + s(2, "out") + s(3, "pool") + s(4, "AveragePool") + msg(5, attr_ints("kernel_shape", [2, 2])) + \
        msg(5, attr_ints("strides", [2, 2]))
    graph = msg(1, relu) + msg(1, pool) + s(2, "vigil_tiny") + \
        msg(11, value_info("images", ["batch", 3, h, w])) + msg(12, value_info("out", ["batch", 3, h // 2, w // 2]))
    model = field(1, 0, 8) + s(2, "vigil") + field(7, 2, graph) + msg(8, s(1, "") + field(2, 0, 17))
    with open(out, "wb") as f:
        f.write(model)
    print(f"wrote {out} ({len(model)} bytes): images [batch,3,{h},{w}] -> out [batch,3,{h // 2},{w // 2}]")


if __name__ == "__main__":
    main()
