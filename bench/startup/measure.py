#!/usr/bin/env python3
"""Seconds from process start to each progress line of `memscore run`, up to the first task's "training" line.

Usage: [UNTIL=TEXT] bench/startup/measure.py OUT_DIR [extra memscore run flags]
Runs ./memscore run --limit 1000 --threads 1 --workers 1 --out OUT_DIR (removed first), prints
"<seconds> <line>" per stderr line, and stops the run at the first line ending in UNTIL (default ": training", the first task's start).
"""
import os, shutil, subprocess, sys, time

out = sys.argv[1]
shutil.rmtree(out, ignore_errors=True)
here = os.path.dirname(os.path.abspath(__file__))
memscore = os.path.join(here, "..", "..", "memscore")
command = [memscore, "run", "--limit", "1000", "--threads", "1", "--workers", "1", "--out", out, *sys.argv[2:]]
start = time.perf_counter()
process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
for line in process.stderr:
    print(f"{time.perf_counter() - start:7.3f} {line.rstrip()}", flush=True)
    if line.rstrip().endswith(os.environ.get("UNTIL", ": training")):
        break
process.kill()
process.wait()
