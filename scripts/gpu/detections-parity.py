#!/usr/bin/env python3
"""Compares two `vigil-engine run --json` outputs of the same clip (e.g. a model's FP32 and FP16
variants): in every frame, each box of one run is matched to the unmatched box of the other with the
same label and the highest IoU; a match needs IoU >= --iou. Passes when at least --min-matched of the
boxes of each run are matched. Prints one JSON line; exit 0 pass, 1 fail, 2 bad input.

Usage: detections-parity.py REFERENCE.jsonl CANDIDATE.jsonl [--iou 0.9] [--min-matched 0.98]
Needs python3 only (it runs on the GPU machine too)."""
import argparse
import json
import sys


def read(path):
    frames = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                d = json.loads(line)
                frames[(d["source"], d["frame"])] = [(o["label"], o["box"]) for o in d["objects"]]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"{path}:{n}: not a `vigil-engine run --json` line ({e})")
    if not frames:
        sys.exit(f"{path}: no frames — give the output of `vigil-engine run URI --json`")
    return frames


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def match(ref, cand, threshold):
    """Greedy by IoU, best pairs first; returns the matched pairs' IoUs."""
    pairs = sorted(
        ((iou(r[1], c[1]), i, j) for i, r in enumerate(ref) for j, c in enumerate(cand) if r[0] == c[0]),
        reverse=True,
    )
    used_r, used_c, ious = set(), set(), []
    for v, i, j in pairs:
        if v < threshold:
            break
        if i in used_r or j in used_c:
            continue
        used_r.add(i)
        used_c.add(j)
        ious.append(v)
    return ious


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("reference")
    p.add_argument("candidate")
    p.add_argument("--iou", type=float, default=0.9)
    p.add_argument("--min-matched", type=float, default=0.98)
    a = p.parse_args()
    ref, cand = read(a.reference), read(a.candidate)
    common = sorted(set(ref) & set(cand))
    if not common:
        print(json.dumps({"error": "the two runs share no frame — run the same clip with the same --frames"}))
        return 2
    n_ref = n_cand = matched = 0
    ious = []
    for k in common:
        m = match(ref[k], cand[k], a.iou)
        n_ref += len(ref[k])
        n_cand += len(cand[k])
        matched += len(m)
        ious += m
    ref_share = matched / n_ref if n_ref else 1.0
    cand_share = matched / n_cand if n_cand else 1.0
    ok = ref_share >= a.min_matched and cand_share >= a.min_matched and n_ref > 0
    print(json.dumps({
        "frames": len(common),
        "reference_boxes": n_ref,
        "candidate_boxes": n_cand,
        "matched": matched,
        "matched_of_reference": round(ref_share, 4),
        "matched_of_candidate": round(cand_share, 4),
        "mean_iou": round(sum(ious) / len(ious), 4) if ious else None,
        "iou_threshold": a.iou,
        "min_matched": a.min_matched,
        "pass": ok,
    }))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
