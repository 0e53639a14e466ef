#!/usr/bin/python3
"""Trains the fold models that dump_memscore.cs describes the way the authors' code trains them.

Usage: /usr/bin/python3 replay.py DUMP_DIR OUT_DIR VARIANT [TASKS] [--threads N]
  VARIANT  authors : their model code (bench/python/authors_protocol.py): decoder ends in a sigmoid,
                     log p(x|z) = -binary_cross_entropy(probabilities, x) (float32, log clamped at -100),
                     KL summed, loss summed over the batch, torch.optim.Adam(lr), log p(x) with
                     torch.distributions.MultivariateNormal prior and posterior.
           exact   : the same loop with MemScore's arithmetic: log p(x|z) = logsigmoid((2x-1) logit),
                     log q(z|x) from eps (-eps^2/2 - logvar/2 - log(2 pi)/2 per dimension).
           authors64 / exact64 : the same in float64 (round-off out of the way).
  TASKS    comma-separated r{R}_f{F} (default: every task in DUMP_DIR).
Every model starts from MemScore's initial weights and sees MemScore's batch order, training noise
(randn([B, latent]) per step from torch.Generator seeded with train_noise_seed[epoch]) and IS noise
(randn([S, B, latent]) per evaluation batch from eval_seed), so the runs differ only in arithmetic.
Writes OUT_DIR/{task}.npz: loss_step (per-example mean per step), logp [n], ess [n].
"""
import argparse
import glob
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import MultivariateNormal

VARIANTS = ("authors", "exact", "authors64", "exact64")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("dump")
    p.add_argument("out")
    p.add_argument("variant", choices=VARIANTS)
    p.add_argument("tasks", nargs="?", default=None)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


def generator(seed):
    """torch.Generator from a seed stored as the int64 bit pattern of MemScore's ulong seed."""
    return torch.Generator().manual_seed(int(np.int64(seed).view(np.uint64)))


class Vae(nn.Module):
    """The paper's MLP VAE with MemScore's parameter names (encoder.0, encoder.2, mu, logvar, decoder.0/2/4)."""

    def __init__(self, init, dtype):
        super().__init__()
        d, h1 = init["init.encoder.0.weight"].shape[1], init["init.encoder.0.weight"].shape[0]
        h2, latent = init["init.encoder.2.weight"].shape[0], init["init.mu.weight"].shape[0]
        self.encoder = nn.Sequential(nn.Linear(d, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU())
        self.mu = nn.Linear(h2, latent)
        self.logvar = nn.Linear(h2, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, h2), nn.ReLU(), nn.Linear(h2, h1), nn.ReLU(), nn.Linear(h1, d))
        self.latent = latent
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.copy_(torch.from_numpy(init["init." + name]))
        self.to(dtype)

    def encode(self, x):
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)


def log_px_given_z(logits, x, variant):
    if variant.startswith("authors"):
        return -F.binary_cross_entropy(torch.sigmoid(logits), x.expand_as(logits), reduction="none").sum(-1)
    return F.logsigmoid(logits * (2 * x - 1)).sum(-1)


def negative_elbo(model, x, eps, variant):
    mu, logvar = model.encode(x)
    z = mu + eps * torch.exp(0.5 * logvar)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return -log_px_given_z(model.decoder(z), x, variant).sum() + kl


def log_marginal(model, x, eps, variant):
    """logsumexp_s [log p(x|z_s) + log N(z_s; 0, I) - log q(z_s|x)] - log S with z_s = mu + sigma eps_s; also the ESS."""
    mu, logvar = model.encode(x)
    z = mu + eps * torch.exp(0.5 * logvar)                              # [S, B, latent]
    if variant.startswith("authors"):
        prior = MultivariateNormal(torch.zeros(model.latent, dtype=x.dtype), torch.eye(model.latent, dtype=x.dtype))
        posterior = MultivariateNormal(mu, torch.diag_embed(logvar.exp()))
        log_prior, log_q = prior.log_prob(z), posterior.log_prob(z)
    else:
        log2pi = math.log(2 * math.pi)
        log_prior = -0.5 * (z.pow(2) + log2pi).sum(-1)
        log_q = -0.5 * (eps.pow(2) + logvar + log2pi).sum(-1)
    w = (log_px_given_z(model.decoder(z), x, variant) + log_prior - log_q).double()
    log_sum = torch.logsumexp(w, 0)
    ess = torch.exp(2 * log_sum - torch.logsumexp(2 * w, 0))
    return log_sum - math.log(eps.shape[0]), ess


def replay(task_file, x_all, cfg, lr, variant):
    arrays = dict(np.load(task_file))
    dtype = torch.float64 if variant.endswith("64") else torch.float32
    x_all = x_all.to(dtype)
    model = Vae(arrays, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    epochs, batch, eval_batch, samples, latent = cfg["epochs"], cfg["batch"], cfg["eval_batch"], cfg["samples"], model.latent
    order = torch.from_numpy(arrays["order"])
    losses = []
    model.train()
    for e in range(epochs):
        noise = generator(arrays["train_noise_seed"][e])
        rows = order[e]
        for start in range(0, len(rows), batch):
            x = x_all[rows[start:start + batch]]
            eps = torch.randn(x.shape[0], latent, generator=noise).to(dtype)   # drawn in float32 as MemScore
            optimizer.zero_grad()
            loss = negative_elbo(model, x, eps, variant)
            loss.backward()
            optimizer.step()
            losses.append(loss.item() / x.shape[0])
    model.eval()
    noise = generator(arrays["eval_seed"][0])
    logp, ess = [], []
    with torch.no_grad():
        for start in range(0, x_all.shape[0], eval_batch):
            x = x_all[start:start + eval_batch]
            eps = torch.randn(samples, x.shape[0], latent, generator=noise).to(dtype)
            lp, es = log_marginal(model, x, eps, variant)
            logp.append(lp)
            ess.append(es)
    return np.array(losses), torch.cat(logp).numpy(), torch.cat(ess).numpy()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    data = np.load(os.path.join(args.dump, "data.npz"))
    folds, repeats, epochs, batch, eval_batch, samples, latent, seed = (int(v) for v in data["config"])
    cfg = dict(epochs=epochs, batch=batch, eval_batch=eval_batch, samples=samples)
    x_all = torch.from_numpy(data["x"])
    files = sorted(glob.glob(os.path.join(args.dump, "r*_f*.npz")))
    if args.tasks:
        wanted = set(args.tasks.split(","))
        files = [f for f in files if os.path.basename(f)[:-4] in wanted]
    os.makedirs(args.out, exist_ok=True)
    for f in files:
        name = os.path.basename(f)[:-4]
        target = os.path.join(args.out, name + ".npz")
        if os.path.exists(target):
            continue
        clock = time.perf_counter()
        losses, logp, ess = replay(f, x_all, cfg, float(data["learning_rate"][0]), args.variant)
        np.savez(target + ".tmp.npz", loss_step=losses, logp=logp, ess=ess)
        os.replace(target + ".tmp.npz", target)
        print(f"{name} {args.variant}: {len(losses)} steps, last loss {losses[-1]:.3f}, mean log p {logp.mean():.3f}, "
              f"{time.perf_counter() - clock:.1f} s", flush=True)


if __name__ == "__main__":
    main()
