#!/usr/bin/python3
"""Writes parity fixtures for the C# tests with Debian's PyTorch (apt-get install python3-torch python3-numpy).

An independent PyTorch implementation of the Bernoulli MLP VAE in the style of the paper's code
(sigmoid decoder + binary cross-entropy, Normal log-densities from torch.distributions) computes,
for fixed weights, inputs and noise: the summed negative ELBO, its gradients, and the
importance-sampled log p(x). The C# tests load the same weights and noise and must agree.

Run from this folder:  /usr/bin/python3 make_parity_fixtures.py
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal

HIDDEN = [64, 32, 16]
LATENT = 4
SIDE = 32
BATCH = 5
SAMPLES = 8


def stack(sizes_in, sizes):
    layers, prev = [], sizes_in
    for s in sizes:
        layers += [nn.Linear(prev, s), nn.ReLU()]
        prev = s
    return layers


class ReferenceVae(nn.Module):
    def __init__(self):
        super().__init__()
        d = SIDE * SIDE
        self.encoder = nn.Sequential(*stack(d, HIDDEN))
        self.mu = nn.Linear(HIDDEN[-1], LATENT)
        self.logvar = nn.Linear(HIDDEN[-1], LATENT)
        rev = list(reversed(HIDDEN))
        self.decoder = nn.Sequential(*stack(LATENT, rev), nn.Linear(rev[-1], d))

    def encode(self, x):
        h = self.encoder(x.flatten(1))
        return self.mu(h), self.logvar(h)

    def probs(self, z):
        return torch.sigmoid(self.decoder(z))


def negative_elbo(model, x, eps):
    mu, logvar = model.encode(x)
    z = mu + eps * torch.exp(0.5 * logvar)
    rec = -F.binary_cross_entropy(model.probs(z), x.flatten(1), reduction="none").sum(1)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
    return (kld - rec).sum()


def log_marginal(model, x, eps):
    mu, logvar = model.encode(x)
    std = torch.exp(0.5 * logvar)
    z = mu + eps * std                                          # [S, B, L]
    log_q = Normal(mu, std).log_prob(z).sum(-1)
    log_prior = Normal(torch.zeros_like(z), torch.ones_like(z)).log_prob(z).sum(-1)
    p = model.probs(z.reshape(-1, LATENT)).reshape(SAMPLES, BATCH, -1)
    xs = x.flatten(1).unsqueeze(0).expand_as(p)
    log_lik = -F.binary_cross_entropy(p, xs, reduction="none").sum(-1)
    return torch.logsumexp(log_lik + log_prior - log_q, 0) - np.log(SAMPLES)


def main():
    torch.manual_seed(1234)
    model = ReferenceVae()
    x = (torch.rand(BATCH, 1, SIDE, SIDE) < 0.3).float()
    eps_train = torch.randn(BATCH, LATENT)
    eps_is = torch.randn(SAMPLES, BATCH, LATENT)

    loss = negative_elbo(model, x, eps_train)
    loss.backward()
    with torch.no_grad():
        logpx = log_marginal(model, x, eps_is)

    arrays = {"x": x.numpy(), "eps_train": eps_train.numpy(), "eps_is": eps_is.numpy(),
              "neg_elbo": np.array([loss.item()], dtype=np.float64), "logpx": logpx.double().numpy(),
              "hidden": np.array(HIDDEN, dtype=np.int64), "latent": np.array([LATENT], dtype=np.int64)}
    for name, p in model.named_parameters():
        arrays["param." + name] = p.detach().numpy()
        arrays["grad." + name] = p.grad.numpy()
    np.savez("parity_bernoulli_mlp_vae.npz", **arrays)
    print(f"neg_elbo={loss.item():.6f} logpx={logpx.numpy()}")


if __name__ == "__main__":
    main()
