#!/usr/bin/env python3
"""Seconds from process start to "loading data", "tasks planned" and the first task's "training" line of issue 17 item 4's
small protocol (6,000 Fashion-MNIST images, K=5, L=1, 2 epochs, S=32); the run is stopped there.

Usage: bench/startup/small-protocol-first-step.py MEMSCORE_LAUNCHER OUT_DIR   (OUT_DIR is removed first)
"""
import subprocess, sys, time, shutil
exe, out = sys.argv[1], sys.argv[2]
shutil.rmtree(out, ignore_errors=True)
cmd = [exe, "run", "--dataset", "fashion-mnist", "--limit", "6000", "--folds", "5", "--repeats", "1", "--epochs", "2", "--eval-every", "2", "--is-samples", "32", "--out", out]
t0 = time.perf_counter()
p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
marks = {}
for line in p.stderr:
    t = time.perf_counter() - t0
    for key in ("loading data", "tasks planned", ": training"):
        if line.rstrip().endswith(key) and key not in marks: marks[key] = t
    if ": training" in marks: break
p.kill(); p.wait()
print(" ".join(f"{k}={v:.2f}" for k, v in marks.items()))
