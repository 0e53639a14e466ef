#!/usr/bin/env python3
"""Cross-check: Spearman of M between two runs straight from their scores_by_epoch.csv (the CLI's own M).
Usage: crosscheck.py RUN_A RUN_B"""
import csv, sys, importlib.util, os
spec = importlib.util.spec_from_file_location("c", os.path.join(os.path.dirname(__file__), "compare.py"))
def load(run):
    out = {}
    for r in csv.DictReader(open(os.path.join(run, "scores_by_epoch.csv"))):
        out.setdefault(r["epoch"], {})[int(r["index"])] = float(r["M"])
    return out
src = open(os.path.join(os.path.dirname(__file__), "compare.py")).read().split("def read_m")[0]
exec(src.split('"""', 2)[2])   # ranks, pearson
a, b = load(sys.argv[1]), load(sys.argv[2])
for e in sorted(a, key=int):
    idx = sorted(a[e]); ma = [a[e][i] for i in idx]; mb = [b[e][i] for i in idx]
    print(f"epoch {e}: Spearman(M_A, M_B) = {pearson(ranks(ma), ranks(mb)):.3f} over {len(idx)} examples")
