#!/usr/bin/env python3
"""Fixed, pre-binarized subset of the embedded digits (so runs that differ in --seed see the same images).
Usage: make_data.py N OUTDIR   (reads ~/.cache/memscore/mnist-sample or $MEMSCORE_CACHE/mnist-sample)"""
import os, sys, struct, random
n, out = int(sys.argv[1]), sys.argv[2]
cache = os.environ.get("MEMSCORE_CACHE", os.path.expanduser("~/.cache/memscore"))
def read(path):
    b = open(path, "rb").read()
    nd = b[3]; dims = struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd])
    return dims, b[4 + 4 * nd:]
(cnt, h, w), img = read(os.path.join(cache, "mnist-sample", "images-idx3-ubyte"))
(_,), lab = read(os.path.join(cache, "mnist-sample", "labels-idx1-ubyte"))
rng = random.Random(20261201)
keep = sorted(rng.sample(range(cnt), n))
px = h * w
bits = bytearray()
for i in keep:
    for v in img[i * px:(i + 1) * px]:
        bits.append(255 if rng.random() < v / 255.0 else 0)   # one fixed Bernoulli binarization
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "images-idx3-ubyte"), "wb") as f:
    f.write(bytes([0, 0, 8, 3]) + struct.pack(">III", n, h, w) + bytes(bits))
with open(os.path.join(out, "labels-idx1-ubyte"), "wb") as f:
    f.write(bytes([0, 0, 8, 1]) + struct.pack(">I", n) + bytes(lab[i] for i in keep))
print(f"{n} of {cnt} digits {h}x{w}, binarized, -> {out}")
