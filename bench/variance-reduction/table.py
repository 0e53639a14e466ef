#!/usr/bin/env python3
"""Variance-reduction table (issue 12 item 5c) from two seeds' outputs of epochs.cs and variants.cs.
Usage: table.py  -> CSV on stdout. Reads /tmp/rel/{ep,va}_{a1000,k2L10}s{1,2} (see README for the commands).
Columns: design, epochs, keeps_estimand, models, cpu_s_model, pred_A, pred_B, measured_spearman, top5_overlap, sig_A, sig_B."""
import csv, math, os, sys

def ranks(x):
    """Average ranks (ties share the mean of their positions), 1-based."""
    order = sorted(range(len(x)), key=lambda i: x[i]); r = [0.0] * len(x); i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and x[order[j + 1]] == x[order[i]]: j += 1
        for t in range(i, j + 1): r[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return r

def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    return num / math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))

N = 1000
# CPU model (bench/reliability README (b), fitted to measured K5 L5 runs of 1,000 digits, S = 64):
# 0.168 s per training epoch per model on 800 training examples (scaled by training-set size), 1.395 s per
# evaluation of 1,000 examples, 2.3 s other per-task overhead.
def cpu(models, folds, epochs, evals):
    train = 0.168 * epochs * (N * (folds - 1) / folds) / 800
    return models * (train + 2.305 + 1.395 * evals)

def read(path):
    with open(path) as f: rows = list(csv.DictReader(f))
    return [float(r["M"]) for r in rows], [float(r["q"]) for r in rows]

def agree(pa, pb):
    (ma, qa), (mb, qb) = read(pa), read(pb)
    ok = [i for i in range(len(ma)) if math.isfinite(ma[i]) and math.isfinite(mb[i])]
    a, b = [ma[i] for i in ok], [mb[i] for i in ok]
    k = max(1, round(0.05 * len(a)))
    top = lambda m: set(sorted(range(len(m)), key=lambda i: -m[i])[:k])
    sig = lambda q: sum(1 for x in q if x <= 0.1) if any(math.isfinite(x) for x in q) else "n/a"
    return pearson(ranks(a), ranks(b)), len(top(a) & top(b)) / k, sig(qa), sig(qb)

def predicted(summary, **key):
    if not os.path.exists(summary): return float("nan")
    with open(summary) as f:
        for r in csv.DictReader(f):
            if all(r[k] == str(v) for k, v in key.items()): return float(r["predicted_spearman"])
    return float("nan")

rows = []
def add(design, epochs, keeps, models, cpu_s, files, summaries, key):
    if not all(os.path.exists(f) for f in files): return
    rho, top, sa, sb = agree(*files)
    pa, pb = [predicted(s, **key) for s in summaries] if summaries else (float("nan"), float("nan"))
    rows.append([design, epochs, keeps, models, round(cpu_s), f"{pa:.3f}", f"{pb:.3f}", f"{rho:.3f}", f"{top:.2f}", sa, sb])

R = "/tmp/rel"
for e in (10, 50):
    for l in (5, 4, 3, 2):
        ev = e // 10
        add(f"K5 L{l} (eval every 10)", e, "yes", 5 * l, cpu(5 * l, 5, e, ev),
            [f"{R}/ep_a1000s{s}/m_e{e}_L{l}.csv" for s in (1, 2)], [f"{R}/ep_a1000s{s}/summary.csv" for s in (1, 2)], dict(epoch=e, repeats=l))
        if l == 5 and e == 50:
            add("K5 L5, last epoch only (eval-every 50)", e, "yes", 25, cpu(25, 5, e, 1),
                [f"{R}/ep_a1000s{s}/m_e{e}_L5.csv" for s in (1, 2)], [f"{R}/ep_a1000s{s}/summary.csv" for s in (1, 2)], dict(epoch=e, repeats=5))
    if e == 50:
        add("K5 L5, mean log p of epochs 40 and 50", e, "no (mixes epoch-40 models)", 25, cpu(25, 5, e, 2),
            [f"{R}/va_a1000s{s}/m_avg_last2_e50.csv" for s in (1, 2)], [f"{R}/va_a1000s{s}/summary.csv" for s in (1, 2)], dict(variant="avg_last2", epoch=50))
    for m in (8, 4):
        # --in-models m evaluates (L + m) n values instead of L K n: evaluation cost scales by (L + m) / (L K).
        models, ev = 25, e // 10
        c = cpu(models, 5, e, 0) + 1.395 * ev * (5 + m) / 25 * models
        add(f"K5 L5, {m} in-models per example (eval every 10)", e, "yes (noisier U)", models, c,
            [f"{R}/va_a1000s{s}/m_inmodels{m}_e{e}.csv" for s in (1, 2)], [], {})
    for l in (10, 5, 4, 2):
        add(f"K2 L{l} (eval every 10)", e, "no (trains on n/2, not 4n/5)", 2 * l, cpu(2 * l, 2, e, e // 10),
            [f"{R}/ep_k2L10s{s}/m_e{e}_L{l}.csv" for s in (1, 2)], [f"{R}/ep_k2L10s{s}/summary.csv" for s in (1, 2)], dict(epoch=e, repeats=l))

w = csv.writer(sys.stdout)
w.writerow(["design", "epochs", "keeps_estimand", "models", "cpu_s_model", "pred_A", "pred_B", "measured_spearman", "top5_overlap", "sig_q10_A", "sig_q10_B"])
for r in rows: w.writerow(r)
