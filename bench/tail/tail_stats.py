#!/usr/bin/python3
"""Tail of M and model-to-model spread of log p(x) for sets of fold models.

Usage: /usr/bin/python3 tail_stats.py [--repeats A-B] NAME=DIR[:HELDOUT_DIR] ...
  DIR holds r{R}_f{F}.npz with logp ([n] or [evaluations, n]: the last row is used) and held_out
  (a `memscore run` folder's tasks/, authors_run.py output, or replay.py output with the dump
  folder as HELDOUT_DIR). --repeats 0-4 uses repeats 0..4 only (default: all complete repeats).
Per set: mean log p, paper M = logmeanexp(in) - logmeanexp(out) (Algorithm 1) quantiles, sd,
counts above 15/20/25 nats, per-example sd of the in-values, and the gap of the best in-model
above the median in-model. Then Spearman of U and M between sets that share folds.
"""
import glob
import os
import re
import sys

import numpy as np


def logmeanexp(a, mask):
    a = np.where(mask, a, -np.inf)
    top = a.max(0)
    return top + np.log(np.where(mask, np.exp(a - top), 0).sum(0) / mask.sum(0))


def load(spec, repeats):
    name, path = spec.split("=", 1)
    logp_dir, _, held_dir = path.partition(":")
    held_dir = held_dir or logp_dir
    tasks = {}
    for f in glob.glob(os.path.join(logp_dir, "r*_f*.npz")):
        r, k = map(int, re.match(r"r(\d+)_f(\d+)\.npz", os.path.basename(f)).groups())
        if repeats and not repeats[0] <= r <= repeats[1]:
            continue
        lp = np.load(f)["logp"]
        tasks[(r, k)] = (lp[-1] if lp.ndim == 2 else lp, np.load(os.path.join(held_dir, os.path.basename(f)))["held_out"])
    folds = max(k for _, k in tasks) + 1
    complete = sorted(r for r in {r for r, _ in tasks} if all((r, k) in tasks for k in range(folds)))
    keys = [(r, k) for r in complete for k in range(folds)]
    logp = np.stack([tasks[t][0] for t in keys])
    inside = np.ones_like(logp, dtype=bool)
    for row, t in enumerate(keys):
        inside[row, tasks[t][1]] = False
    return name, logp, inside, len(complete), folds


def describe(name, logp, inside, repeats, folds):
    u = logmeanexp(logp, inside)
    v = logmeanexp(logp, ~inside)
    m = u - v
    ins = np.where(inside, logp, np.nan)
    sd_in = np.nanstd(ins, 0, ddof=1)
    gap = np.nanmax(ins, 0) - np.nanmedian(ins, 0)
    q = np.quantile(m, [0.5, 0.9, 0.99, 0.999])
    print(f"{name}: L={repeats} K={folds} n={logp.shape[1]} | mean log p in {logp[inside].mean():.3f} out {logp[~inside].mean():.3f}"
          f" | M q50 {q[0]:.2f} q90 {q[1]:.2f} q99 {q[2]:.2f} q999 {q[3]:.2f} max {m.max():.2f} sd {m.std(ddof=1):.2f}"
          f" | M>15 {int((m > 15).sum())} >20 {int((m > 20).sum())} >25 {int((m > 25).sum())}"
          f" | sd(in) q50 {np.median(sd_in):.2f} q99 {np.quantile(sd_in, 0.99):.2f}"
          f" | best-in minus median-in q50 {np.median(gap):.2f} q99 {np.quantile(gap, 0.99):.2f} max {gap.max():.2f}")
    offset = np.mean(logp - np.median(logp, 0), 1)          # how much better model j fits every example
    residual = logp - np.median(logp, 0) - offset[:, None]
    print(f"  per-model mean log p sd {logp.mean(1).std(ddof=1):.2f} (run mean SE {logp.mean(1).std(ddof=1) / np.sqrt(len(logp)):.2f})"
          f" | offset of the best-in model at the top-20 M examples: median {np.median(best_offset(logp, inside, offset, m)):.2f}"
          f" | residual sd {residual.std():.2f}, residual q999 {np.quantile(residual, 0.999):.2f}")
    return u, m


def best_offset(logp, inside, offset, m):
    """For the 20 examples of largest M: the whole-model offset of the in-model that fits the example best."""
    top = np.argsort(-m)[:20]
    ins = np.where(inside, logp, -np.inf)
    return offset[ins[:, top].argmax(0)]


def spearman(a, b):
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return np.corrcoef(ra, rb)[0, 1]


def main():
    argv = sys.argv[1:]
    repeats = None
    if argv and argv[0] == "--repeats":
        repeats = tuple(int(v) for v in argv[1].split("-"))
        argv = argv[2:]
    results = {}
    for spec in argv:
        name, logp, inside, l, k = load(spec, repeats)
        results[name] = (describe(name, logp, inside, l, k), inside)
    names = list(results)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            (ua, ma), ia = results[a]
            (ub, mb), ib = results[b]
            same = ia.shape == ib.shape and np.array_equal(ia, ib)
            print(f"{a} vs {b}: Spearman U {spearman(ua, ub):.3f}, M {spearman(ma, mb):.3f}"
                  f" ({'same folds' if same else 'different folds'}); top-100 overlap "
                  f"{len(set(np.argsort(-ma)[:100]) & set(np.argsort(-mb)[:100]))}")


if __name__ == "__main__":
    main()
