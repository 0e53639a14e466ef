#!/usr/bin/python3
"""Protocol (c) run the way the authors' reference code runs it, for timing against MemScore.

Studied: alan-turing-institute/memorization (MIT), commit 89bd1191f761528234543a69312284212628c24a,
files scripts/memorization.py, scripts/trainer.py, scripts/models.py, scripts/dataset.py.
This is a port in our own words of the same operations, not their text. Where it differs from their
code, and why, is listed in bench/python/README.md.

Protocol (c): Fashion-MNIST training set (60,000), padded to 32x32 and binarized, the paper's
Bernoulli MLP VAE (latent 16), K = 10 folds, L = 1 repeat, 3 epochs, Adam lr 1e-3, batch 64,
importance-sampled log p(x) with S = 64 of all examples after the last epoch, by each fold's model.

Run with Debian's /usr/bin/python3 (PyTorch 1.13, numpy, PIL); torchvision is not needed.
Prints one `key=value` line per fold and a `total` line (seconds); bench/compare-python.sh reads them.
"""

import argparse
import gzip
import json
import math
import os
import random
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image, ImageOps
from torch import nn
from torch.distributions import MultivariateNormal
from torch.nn.functional import binary_cross_entropy
from torch.utils.data import DataLoader, Dataset, Subset

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=FASHION_MNIST_DIR, help="folder with train-{images-idx3,labels-idx1}-ubyte.gz")
    p.add_argument("--folds", type=int, default=10, help="K")
    p.add_argument("--folds-to-run", default=None, help="comma-separated fold indices to run (default: all)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--eval-every", type=int, default=3, help="compute log p(x) every N epochs (theirs: --compute-px-every)")
    p.add_argument("--is-samples", type=int, default=64, help="S")
    p.add_argument("--batch-size", type=int, default=64, help="training and evaluation batch size (theirs share one)")
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--latent-dim", type=int, default=16)
    p.add_argument("--hidden", default="512,256",
                   help="hidden widths (theirs: 512,256 after the 1024 inputs; MemScore's model: 1024,512,256)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images (smoke runs)")
    p.add_argument("--result-dir", default=None, help="where the per-fold .json.gz results go (default: a temp dir, removed)")
    p.add_argument("--progress", action="store_true", help="print their every-10-batches training line to stderr")
    return p.parse_args()


# ---------------------------------------------------------------- data (their dataset.py + torchvision)

def read_idx_gz(path):
    """IDX file (gzip): big-endian header, magic 0x000008NN with NN = number of dimensions."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class IndexedBinarizedImages(Dataset):
    """What their BinarizedMNIST pipeline does per access: torchvision's (F)MNIST item as a PIL
    image, Pad(2), ToTensor, then a fresh Bernoulli draw of every pixel (their Binarize), returned
    with the label and the example's index (their dataset_with_indices)."""

    def __init__(self, images, labels):
        self.images = torch.from_numpy(images.copy())   # uint8 [N, 28, 28], as torchvision keeps it
        self.labels = torch.from_numpy(labels.astype(np.int64))

    def __len__(self):
        return self.images.shape[0]

    def __getitem__(self, index):
        picture = Image.fromarray(self.images[index].numpy(), mode="L")
        picture = ImageOps.expand(picture, border=2, fill=0)       # transforms.Pad(padding=2)
        pixels = torch.from_numpy(np.array(picture, np.uint8, copy=True))   # transforms.ToTensor ...
        pixels = pixels.view(picture.size[1], picture.size[0], 1).permute(2, 0, 1).contiguous()
        intensities = pixels.to(dtype=torch.get_default_dtype()).div(255)
        binary = torch.Tensor(intensities.size()).bernoulli_(intensities)   # Binarize, redrawn per access
        return binary, int(self.labels[index]), index


def fold_splits(n, folds, seed, wanted):
    """Their create_splits_cv: one permutation cut into folds (first n % K one larger); the
    training indices are built by a membership test of every permuted index against the fold."""
    permutation = list(range(n))
    random.Random(seed).shuffle(permutation)   # theirs: SyncRNG; the source does not change the cost
    permutation = torch.tensor(permutation)
    sizes = [n // folds + (1 if k < n % folds else 0) for k in range(folds)]
    start = 0
    for k in range(folds):
        held_out = permutation[start:start + sizes[k]]
        start += sizes[k]
        if k not in wanted:
            continue
        clock = time.perf_counter()
        training = torch.tensor([v for v in permutation if v not in held_out])   # O(n^2), as theirs
        yield k, training, held_out, time.perf_counter() - clock


def loader(dataset, indices, batch_size):
    # Their create_subset_loader on CPU: Subset + shuffling DataLoader, no worker processes.
    return DataLoader(Subset(dataset, indices), batch_size=batch_size, shuffle=True)


# ---------------------------------------------------------------- model (their models.py)

class BernoulliMlpVae(nn.Module):
    """Encoder Flatten (1024 inputs) then Linear+ReLU per hidden width (theirs: 512, 256), linear
    mu / logvar heads; decoder the hidden widths reversed, Linear to 1024, sigmoid, unflattened to (1, 32, 32)."""

    def __init__(self, side=32, latent=16, hidden=(512, 256)):
        super().__init__()
        self.latent = latent
        width, layers = side * side, [nn.Flatten()]
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(True)]
            width = h
        self.encoder = nn.Sequential(*layers)
        self.mu_head = nn.Linear(width, latent)
        self.logvar_head = nn.Linear(width, latent)
        width, layers = latent, []
        for h in reversed(hidden):
            layers += [nn.Linear(width, h), nn.ReLU(True)]
            width = h
        layers += [nn.Linear(width, side * side), nn.Sigmoid(), nn.Unflatten(1, (1, side, side))]
        self.decoder = nn.Sequential(*layers)

    def encode(self, x):
        hidden = self.encoder(x)
        return self.mu_head(hidden), self.logvar_head(hidden)

    @staticmethod
    def log_px_given_z(probabilities, x):
        return -binary_cross_entropy(probabilities, x, reduction="none").sum(axis=(1, 2, 3))

    def negative_elbo(self, x):
        """Their BaseVAE.step + loss_function: reconstruction + closed-form KL, summed over the batch."""
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        reconstruction = self.log_px_given_z(self.decoder(z), x)
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return -reconstruction.sum() + kl


# ---------------------------------------------------------------- training and evaluation (their trainer.py)

def train_epoch(model, optimizer, batches, epoch, progress):
    model.train()
    total = 0.0
    for b, (x, _, _) in enumerate(batches):
        optimizer.zero_grad()
        loss = model.negative_elbo(x)
        loss.backward()
        optimizer.step()
        total += loss.item()
        if progress and b % 10 == 0:
            print(f"epoch {epoch} batch {b}/{len(batches)} loss {loss.item() / len(x):.4f}", file=sys.stderr)
    return total / len(batches.dataset)


def held_out_loss(model, batches):
    """Their per-epoch test(): the held-out fold's negative ELBO, in eval mode without gradients."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for x, _, _ in batches:
            total += model.negative_elbo(x).item()
    return total / len(batches.dataset)


def log_marginal_batch(model, x, samples):
    """Their marginal_batch: log p(x) ~ logsumexp_s[log p(x|z_s) + log N(z_s; 0, I) - log q(z_s|x)] - log S,
    with torch.distributions MultivariateNormal for prior and posterior and x repeated S times."""
    latent, count = model.latent, x.shape[0]
    prior = MultivariateNormal(torch.zeros(latent), torch.eye(latent))
    mu, logvar = model.encode(x)
    posterior = MultivariateNormal(mu, torch.diag_embed(logvar.exp()))
    z = posterior.sample((samples,))                                   # [S, B, latent]
    log_prior, log_posterior = prior.log_prob(z), posterior.log_prob(z)
    probabilities = model.decoder(z.view(-1, latent))
    log_likelihood = model.log_px_given_z(probabilities, x.repeat(samples, 1, 1, 1)).view(samples, count)
    weights = log_likelihood + log_prior - log_posterior
    return torch.logsumexp(weights, 0) - torch.log(torch.tensor(float(samples)))


def log_marginals(model, batches, samples):
    """Their marginal(): concatenates batch results, returns {index: log p(x)}."""
    values, indices = None, None
    model.eval()
    with torch.no_grad():
        for x, _, i in batches:
            batch_values = log_marginal_batch(model, x, samples)
            values = batch_values if values is None else torch.cat((values, batch_values))
            indices = i if indices is None else torch.cat((indices, i))
    return dict(zip(map(int, indices.numpy()), map(float, values.numpy())))


def run_fold(args, dataset, fold, training, held_out):
    """Their MarginalTrainer.fit for one fold; returns the seconds of each phase."""
    seconds = dict(train=0.0, test=0.0, eval=0.0)
    model = BernoulliMlpVae(latent=args.latent_dim, hidden=tuple(int(h) for h in args.hidden.split(",")))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    train_batches = loader(dataset, training, args.batch_size)
    out_batches = loader(dataset, held_out, args.batch_size)
    logpxs, losses = {}, {"train": [], "test": []}
    for epoch in range(1, args.epochs + 1):
        clock = time.perf_counter()
        losses["train"].append(train_epoch(model, optimizer, train_batches, epoch, args.progress))
        seconds["train"] += time.perf_counter() - clock
        clock = time.perf_counter()
        losses["test"].append(held_out_loss(model, out_batches))
        seconds["test"] += time.perf_counter() - clock
        if epoch % args.eval_every == 0:
            clock = time.perf_counter()
            logpxs[epoch] = {"train": log_marginals(model, train_batches, args.is_samples),
                             "test": log_marginals(model, out_batches, args.is_samples)}
            seconds["eval"] += time.perf_counter() - clock
    clock = time.perf_counter()
    save_result(args, fold, logpxs, losses)
    seconds["save"] = time.perf_counter() - clock
    return seconds, losses


def save_result(args, fold, logpxs, losses):
    """Their store_result_split_cv: tab-indented, key-sorted JSON, gzipped, one file per fold."""
    meta = dict(seed=args.seed, epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size,
                img_dim=32, latent_dim=args.latent_dim, num_iw_samples=args.is_samples, run=0, fold_idx=fold)
    text = json.dumps(dict(meta=meta, results=dict(logpxs=logpxs, losses=losses)), indent="\t", sort_keys=True)
    with gzip.open(os.path.join(args.result_dir, f"fashion-mnist_cv_repeat0_fold{fold}.json.gz"), "wb") as f:
        f.write(text.encode())


def loaded_blas():
    """The BLAS library this process mapped (Debian's torch calls whatever libblas.so.3 resolves to)."""
    with open("/proc/self/maps") as maps:
        names = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return ",".join(sorted(names)) or "none"


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)   # theirs: one global generator for init, order, binarization and noise
    started = time.perf_counter()
    images = read_idx_gz(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx_gz(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))
    if args.limit:
        images, labels = images[:args.limit], labels[:args.limit]
    dataset = IndexedBinarizedImages(images, labels)
    wanted = set(range(args.folds)) if args.folds_to_run is None else {int(k) for k in args.folds_to_run.split(",")}
    keep_results = args.result_dir is not None
    args.result_dir = args.result_dir or tempfile.mkdtemp(prefix="authors-protocol-")
    os.makedirs(args.result_dir, exist_ok=True)
    print(f"authors_protocol: n={len(dataset)} folds={args.folds} run={sorted(wanted)} epochs={args.epochs} "
          f"S={args.is_samples} hidden={args.hidden} threads={torch.get_num_threads()} torch={torch.__version__} blas={loaded_blas()}", flush=True)
    for fold, training, held_out, split_seconds in fold_splits(len(dataset), args.folds, args.seed, wanted):
        seconds, losses = run_fold(args, dataset, fold, training, held_out)
        total = split_seconds + sum(seconds.values())
        print(f"fold={fold} split_s={split_seconds:.2f} train_s={seconds['train']:.2f} test_s={seconds['test']:.2f} "
              f"eval_s={seconds['eval']:.2f} save_s={seconds['save']:.2f} fold_s={total:.2f} "
              f"final_train_loss={losses['train'][-1]:.3f}", flush=True)
    if not keep_results:
        for name in os.listdir(args.result_dir):
            os.remove(os.path.join(args.result_dir, name))
        os.rmdir(args.result_dir)
    print(f"total_s={time.perf_counter() - started:.2f}", flush=True)


if __name__ == "__main__":
    main()
