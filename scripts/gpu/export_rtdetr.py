#!/usr/bin/env python3
"""Exports RT-DETR with a ResNet-50 backbone to ONNX, with random weights and no download
(transformers config classes only, use_pretrained_backbone=False), for throughput measurements.
Runs on the GPU machine (PyTorch + transformers there, no network).

Usage: export_rtdetr.py OUT.onnx [--size 640] [--opset 17] [--exporter auto|torchscript|dynamo]
                         [--static-batch N] [--fp16]
If vigil-ortbench then reports shape errors at some batch sizes (a batch baked in by tracing),
re-export with the other exporter.

ONNX graph:
  input  images      float32 [batch, 3, 640, 640], RGB, 0..1 (mean 0, scale 1/255), stretch resize
  output logits      float32 [batch, 300, 80]  class logits per query, BEFORE sigmoid
  output pred_boxes  float32 [batch, 300, 4]   cx, cy, w, h normalised 0..1 of the network input
Vigil parser: 'detr' (native/src/parsers/detr.cpp, vigil::decodeDetr): sigmoid per class, boxes to
network pixels; every query is a candidate (NMS is not needed, harmless). A manifest for it:
  "input": {"name": "images", "width": 640, "height": 640, "layout": "NCHW", "colorOrder": "RGB",
            "mean": [0,0,0], "scale": [0.0039215686,0.0039215686,0.0039215686], "resize": "stretch",
            "batch": "dynamic"}, "parser": "detr"
The weights are random: the detections are meaningless; the figures are real.
"""
import argparse
import os
import sys
import time

import torch


def build_model(num_labels=80):
    from transformers import RTDetrConfig, RTDetrForObjectDetection
    try:
        from transformers import RTDetrResNetConfig
    except ImportError:  # older layout
        from transformers.models.rt_detr.configuration_rt_detr_resnet import RTDetrResNetConfig
    # ResNet-50 (-vd, as RT-DETR-R50): bottleneck blocks 3-4-6-3, widths 256..2048, last three stages out.
    backbone = RTDetrResNetConfig(embedding_size=64, hidden_sizes=[256, 512, 1024, 2048], depths=[3, 4, 6, 3],
                                  layer_type="bottleneck", hidden_act="relu", downsample_in_first_stage=False,
                                  downsample_in_bottleneck=False, out_features=["stage2", "stage3", "stage4"])
    config = RTDetrConfig(backbone_config=backbone, use_pretrained_backbone=False, use_timm_backbone=False,
                          num_labels=num_labels, id2label={i: f"class{i}" for i in range(num_labels)},
                          label2id={f"class{i}": i for i in range(num_labels)}, num_queries=300)
    torch.manual_seed(0)
    return RTDetrForObjectDetection(config).eval()


class Head(torch.nn.Module):
    """Plain tensors out (ONNX export cannot return ModelOutput objects). fp16: the network runs in
    half precision (tensor cores) behind a float32 input and float32 outputs, so the engine feeds it
    like any other model."""

    def __init__(self, model, fp16=False):
        super().__init__()
        self.model = model.half() if fp16 else model
        self.fp16 = fp16

    def forward(self, images):
        out = self.model(pixel_values=images.half() if self.fp16 else images)
        return out.logits.float(), out.pred_boxes.float()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=640)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--exporter", choices=["auto", "torchscript", "dynamo"], default="auto",
                    help="auto: TorchScript exporter first, dynamo if that fails")
    ap.add_argument("--static-batch", type=int, default=0,
                    help="export this fixed batch (every shape static: shape arithmetic folds to constants, "
                         "which ONNX Runtime 1.29's CUDA provider needs for the deformable attention); 0: dynamic")
    ap.add_argument("--fp16", action="store_true", help="half-precision network behind float32 input/outputs")
    a = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    t0 = time.time()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    head = Head(build_model(), fp16=a.fp16).to(device)
    x = torch.rand(a.static_batch or 2, 3, a.size, a.size, device=device)
    with torch.no_grad():
        logits, boxes = head(x)
    print(f"model built in {time.time() - t0:.1f}s: logits {list(logits.shape)}, pred_boxes {list(boxes.shape)}, "
          f"{sum(p.numel() for p in head.parameters()) / 1e6:.1f} M parameters")
    errors = []
    order = {"auto": (False, True), "torchscript": (False,), "dynamo": (True,)}[a.exporter]
    for dynamo in order:
        try:
            kw = dict(input_names=["images"], output_names=["logits", "pred_boxes"], opset_version=a.opset)
            if dynamo:
                batch = torch.export.Dim("batch", min=1, max=128)
                shapes = None if a.static_batch else {"images": {0: batch}}
                torch.onnx.export(head, (x,), a.out, dynamo=True, dynamic_shapes=shapes, **kw)
            else:
                axes = None if a.static_batch else {"images": {0: "batch"}, "logits": {0: "batch"},
                                                    "pred_boxes": {0: "batch"}}
                torch.onnx.export(head, (x,), a.out, dynamo=False, do_constant_folding=True, dynamic_axes=axes, **kw)
            print(f"exported {a.out} ({os.path.getsize(a.out) / 1e6:.1f} MB, opset {a.opset}, "
                  f"{'dynamo' if dynamo else 'TorchScript'} exporter) in {time.time() - t0:.1f}s")
            return 0
        except Exception as e:  # try the other exporter
            errors.append(f"{'dynamo' if dynamo else 'TorchScript'} exporter: {type(e).__name__}: {str(e)[:500]}")
    print("export failed:\n  " + "\n  ".join(errors), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
