#!/usr/bin/python3
"""Model-by-model comparison of MemScore's dumped training (dump_memscore.cs TRAIN_TASKS) with replays.

Usage: /usr/bin/python3 pair.py [--run RUN_FOLDER] DUMP_DIR REPLAY_DIR [REPLAY_DIR ...]
  --run: tasks that the dump did not train are compared on final log p with RUN_FOLDER/tasks (the
  dump's trained tasks reproduce those files bit for bit).
Per task and replay: per-step loss difference (first step, step 25, 100, 250: |diff| in nats/example),
final log p per example: mean difference (MemScore - replay), quantiles of |diff|, Pearson r.
"""
import glob
import os
import sys

import numpy as np


def main():
    argv = sys.argv[1:]
    run = None
    if argv[0] == "--run":
        run, argv = argv[1], argv[2:]
    dump, replays = argv[0], argv[1:]
    for f in sorted(glob.glob(os.path.join(dump, "r*_f*.npz"))):
        name = os.path.basename(f)[:-4]
        d = dict(np.load(f))
        if "loss_step" not in d:
            if run is None or not any(os.path.exists(os.path.join(r, name + ".npz")) for r in replays):
                continue
            d["logp"] = np.load(os.path.join(run, "tasks", name + ".npz"))["logp"][-1]
            d["loss_step"] = None
        print(f"{name}: MemScore mean log p {d['logp'].mean():.3f}")
        for r in replays:
            path = os.path.join(r, name + ".npz")
            if not os.path.exists(path):
                continue
            p = np.load(path)
            losses = ""
            if d["loss_step"] is not None:
                dl = np.abs(d["loss_step"] - p["loss_step"])
                steps = [s for s in (0, 1, 9, 24, 99, 249) if s < len(dl)]
                losses = (f"|loss diff| at steps {[s + 1 for s in steps]}: " + " ".join(f"{dl[s]:.2e}" for s in steps)
                          + f"; mean last-epoch loss {d['loss_step'][-25:].mean():.3f} vs {p['loss_step'][-25:].mean():.3f}; ")
            dlp = d["logp"] - p["logp"]
            q = np.quantile(np.abs(dlp), [0.5, 0.9, 0.99, 1.0])
            print(f"  vs {os.path.basename(r.rstrip('/'))}: " + losses + f"log p: mean(MemScore - replay) {dlp.mean():+.3f}, |diff| q50/q90/q99/max {q[0]:.3f}/{q[1]:.3f}/{q[2]:.3f}/{q[3]:.3f}"
                  + f", r {np.corrcoef(d['logp'], p['logp'])[0, 1]:.4f}")


if __name__ == "__main__":
    main()
