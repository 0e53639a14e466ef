#!/usr/bin/python3
"""The authors' protocol, with their own randomness, on an IDX digit set: K folds x L repeats.

Usage: /usr/bin/python3 authors_run.py IDX_DIR OUT_DIR --folds 5 --repeats 5 --epochs 10 --seed 1 [--threads 1]
IDX_DIR holds images-idx3-ubyte and labels-idx1-ubyte (bench/reliability/make_data.py). Model, loss,
training loop, data pipeline (pad 2, per-access Bernoulli draw) and importance sampling are those of
bench/python/authors_protocol.py (a port of the authors' code); repeat r seeds torch's global generator
and the fold permutation with seed + r, as separate invocations of their script with --seed would.
Writes OUT_DIR/r{R}_f{F}.npz: logp [n] (every example under that model), held_out, train_loss per epoch.
"""
import argparse
import os
import random
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import authors_protocol as theirs  # noqa: E402


def read_idx(path):
    raw = open(path, "rb").read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--is-samples", type=int, default=64)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


def run_task(args, dataset, training, held_out):
    model = theirs.BernoulliMlpVae(latent=16, hidden=(512, 256))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_batches = theirs.loader(dataset, training, 64)
    out_batches = theirs.loader(dataset, held_out, 64)
    losses = []
    for epoch in range(1, args.epochs + 1):
        losses.append(theirs.train_epoch(model, optimizer, train_batches, epoch, False))
        theirs.held_out_loss(model, out_batches)   # their per-epoch test(): draws from the global generator too
    values = theirs.log_marginals(model, train_batches, args.is_samples)
    values.update(theirs.log_marginals(model, out_batches, args.is_samples))
    logp = np.array([values[i] for i in range(len(dataset))])
    return logp, np.array(losses)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    images = read_idx(os.path.join(args.data, "images-idx3-ubyte"))
    labels = read_idx(os.path.join(args.data, "labels-idx1-ubyte"))
    dataset = theirs.IndexedBinarizedImages(images, labels)
    os.makedirs(args.out, exist_ok=True)
    n = len(dataset)
    for r in range(args.repeats):
        torch.manual_seed(args.seed + r)
        permutation = list(range(n))
        random.Random(args.seed + r).shuffle(permutation)
        sizes = [n // args.folds + (1 if k < n % args.folds else 0) for k in range(args.folds)]
        start = 0
        for f in range(args.folds):
            held_out = sorted(permutation[start:start + sizes[f]])
            start += sizes[f]
            target = os.path.join(args.out, f"r{r}_f{f}.npz")
            held = set(held_out)
            training = [i for i in range(n) if i not in held]
            clock = time.perf_counter()
            logp, losses = run_task(args, dataset, training, held_out)
            np.savez(target + ".tmp.npz", logp=logp, held_out=np.array(held_out), train_loss=losses)
            os.replace(target + ".tmp.npz", target)
            print(f"r{r}_f{f}: last train loss {losses[-1]:.3f}, mean log p {logp.mean():.3f}, {time.perf_counter() - clock:.1f} s", flush=True)


if __name__ == "__main__":
    main()
