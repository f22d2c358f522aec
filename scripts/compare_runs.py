#!/usr/bin/env python3
"""Compares training runs at equal CPU time: for each run's metrics.jsonl, the validation losses logged by
`nwave train` (val_mel_<kbps>kbps[_<group>]) at the last validation before each CPU-time mark.

Usage: scripts/compare_runs.py [--key val_mel_6.25kbps_unseen] [--every 600] [--clock cpu_s|step] RUN_DIR ...

CPU time (cpu_s) is the process CPU time summed over resumed stretches; steps are shown beside it. On a shared
2-core machine CPU time per step still rises with the other core's load (caches, memory bandwidth), so for runs of
equal cost per step that ran under different loads, compare at equal steps (--clock step) instead.
"""
import argparse
import json
from pathlib import Path


def validations(run):
    rows = []
    with open(Path(run) / "metrics.jsonl") as f:
        for line in f:
            row = json.loads(line)
            if any(k.startswith("val_mel_") for k in row):
                rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--key", action="append", help="validation key(s) to show (default: the 6.25 kbps ones)")
    parser.add_argument("--every", type=float, default=600.0, help="clock units (CPU seconds or steps) between marks")
    parser.add_argument("--clock", choices=["cpu_s", "step"], default="cpu_s")
    args = parser.parse_args()

    runs = {run: validations(run) for run in args.runs}
    keys = args.key or sorted({k for rows in runs.values() for row in rows for k in row if k.startswith("val_mel_6.25")})
    last_cpu = max((rows[-1][args.clock] for rows in runs.values() if rows), default=0.0)
    marks = [args.every * i for i in range(1, int(last_cpu // args.every) + 1)] or [last_cpu]
    for key in keys:
        print(f"\n{key} at equal {args.clock} (step in brackets)")
        print(f"{args.clock:<8}" + "".join(f"{Path(r).name[:22]:>24}" for r in runs))
        for mark in marks:
            cells = []
            for rows in runs.values():
                before = [r for r in rows if r[args.clock] <= mark and key in r]
                reached = rows and rows[-1][args.clock] >= mark
                cells.append(f"{before[-1][key]:.4f} [{before[-1]['step']:>6}]" if before and reached else "-")
            print(f"{mark:<8.0f}" + "".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    main()
