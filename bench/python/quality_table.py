#!/usr/bin/env python3
"""Markdown table of bench/quality.sh variants: final scores (from `agon sample`) and, for runs
with periodic evaluation, the scores of the evaluation at a given G step (e.g. equal iterations).
Usage: python3 bench/python/quality_table.py [--at STEP] LABEL [LABEL...]   (labels under bench/out/quality)
"""
import argparse
import json
import pathlib
import re

ap = argparse.ArgumentParser()
ap.add_argument("--at", type=int, default=None, help="also report the first periodic evaluation at or after this G step")
ap.add_argument("labels", nargs="+")
args = ap.parse_args()
root = pathlib.Path(__file__).resolve().parent.parent / "out" / "quality"
head = "| experiment | variant | seed | G updates | modes | high quality | reverse KL |"
if args.at:
    head += f" at {args.at}: modes | at {args.at}: HQ |"
print(head)
print("|---|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.at else ""))
for label in args.labels:
    for log in sorted((root / label).glob("*.sample.log")):
        m = re.match(r"(\w+)-seed(\d+)", log.name)
        exp, seed = m.group(1), m.group(2)
        last = log.read_text().strip().splitlines()[-1]
        s = re.match(r"modes (\d+)/(\d+), high-quality ([\d.]+)%, reverse KL ([\w.]+)", last)
        events = [json.loads(l) for l in (root / label / f"{exp}-seed{seed}" / "metrics.jsonl").open()]
        steps = max(e["step"] for e in events if e["event"] == "g_step")
        row = f"| {exp} | {label} | {seed} | {steps} | {s.group(1)}/{s.group(2)} | {s.group(3)}% | {s.group(4)} |"
        if args.at:
            # The first periodic evaluation at or after the step (the snapshot is taken when due,
            # so with staleness G may already be a few updates further).
            at = [e for e in events if e["event"] == "eval" and not e.get("final") and e.get("step", -1) >= args.at]
            row += f" {at[0]['modes']}/{at[0]['total_modes']} (step {at[0]['step']}) | {100 * at[0]['high_quality']:.1f}% |" if at else " – | – |"
        print(row)
