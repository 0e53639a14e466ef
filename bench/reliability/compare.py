#!/usr/bin/env python3
"""Seed-to-seed agreement of M between two runs, per (epoch, L), from epochs.cs outputs.
Usage: compare.py DIR_A DIR_B [LABEL]   -> CSV rows on stdout:
label,epoch,repeats,pred_A,pred_B,measured_spearman,top5_overlap,sig_A,sig_B,pred_mean_minus_measured"""
import csv, math, os, sys
def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i]); r = [0.0] * len(x); i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and x[order[j + 1]] == x[order[i]]: j += 1
        for t in range(i, j + 1): r[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return r
def pearson(a, b):
    n = len(a); ma = sum(a) / n; mb = sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b)); sa = sum((x - ma) ** 2 for x in a); sb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(sa * sb)
def read_m(path):
    with open(path) as f: rows = list(csv.DictReader(f))
    return [float(r["M"]) for r in rows]
def summary(d):
    with open(os.path.join(d, "summary.csv")) as f: return {(r["epoch"], r["repeats"]): r for r in csv.DictReader(f)}
a, b = sys.argv[1], sys.argv[2]; label = sys.argv[3] if len(sys.argv) > 3 else ""
sa, sb = summary(a), summary(b)
w = csv.writer(sys.stdout)
w.writerow(["label", "epoch", "repeats", "pred_A", "pred_B", "measured_spearman", "top5_overlap", "sig_A", "sig_B", "mean_pred_minus_measured"])
for key in sorted(sa, key=lambda k: (int(k[1]), int(k[0]))):
    if key not in sb: continue
    e, l = key
    ma, mb = read_m(os.path.join(a, f"m_e{e}_L{l}.csv")), read_m(os.path.join(b, f"m_e{e}_L{l}.csv"))
    ok = [i for i in range(len(ma)) if math.isfinite(ma[i]) and math.isfinite(mb[i])]
    ma, mb = [ma[i] for i in ok], [mb[i] for i in ok]
    rho = pearson(ranks(ma), ranks(mb))
    k = max(1, round(0.05 * len(ma)))
    top = lambda m: set(sorted(range(len(m)), key=lambda i: -m[i])[:k])
    overlap = len(top(ma) & top(mb)) / k
    pa, pb = float(sa[key]["predicted_spearman"]), float(sb[key]["predicted_spearman"])
    w.writerow([label, e, l, f"{pa:.3f}", f"{pb:.3f}", f"{rho:.3f}", f"{overlap:.2f}", sa[key]["significant_q10"], sb[key]["significant_q10"], f"{(pa + pb) / 2 - rho:+.3f}"])
