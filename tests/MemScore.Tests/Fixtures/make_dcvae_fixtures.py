#!/usr/bin/python3
"""Writes parity fixtures for the DC-VAE families with Debian's PyTorch (apt-get install python3-torch python3-numpy).

The oracle: an independent PyTorch implementation of the paper's DCGAN-like VAE (METHOD.md section 4) with
its four decoders, written from the method's formulas rather than from the C# code:
  - Bernoulli: binary_cross_entropy_with_logits.
  - Gaussian / constant Gaussian in logit space: torch.distributions.Normal on y = log s - log(1 - s),
    s = lambda + (1 - 2 lambda) x, plus the change of variables log((1 - 2 lambda) / (s (1 - s))) per
    sub-pixel and - log 256 (evaluated from s, not through softplus as the C# code does).
  - Discretized logistic mixture: computed in float64 as log(sigmoid(a) - sigmoid(b)) (plain CDF
    difference; float64 makes it accurate for these parameters), CDF tails for k = 0 and k = 255,
    log-sum-exp over components per pixel, sum over pixels.
For fixed weights (batch-norm affine parameters and running statistics randomised so they matter),
inputs and noise it records: the summed negative ELBO (training mode), its gradients, the running
statistics after that forward pass, and the importance-sampled log p(x) (eval mode).

Run from this folder:  /usr/bin/python3 make_dcvae_fixtures.py
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal

FEATURES = 4
LATENT = 3
BATCH = 3
SAMPLES = 4
SIDE = 32
LAMBDA = 0.05


class BernoulliHead(nn.Module):
    def channels(self, c):
        return c

    def log_lik(self, out, x):
        xs = x.expand_as(out)
        return -F.binary_cross_entropy_with_logits(out, xs, reduction="none").sum((-3, -2, -1))


def logit_space(x):
    s = LAMBDA + (1 - 2 * LAMBDA) * x
    y = torch.log(s) - torch.log(1 - s)
    log_jacobian = torch.log((1 - 2 * LAMBDA) / (s * (1 - s))) - math.log(256)
    return y, log_jacobian.sum((-3, -2, -1))


class GaussianHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def channels(self, c):
        return 2 * c

    def log_lik(self, out, x):
        y, correction = logit_space(x)
        mean, logvar = out[..., : self.c, :, :], torch.clamp(out[..., self.c :, :, :], min=-7.0)
        return Normal(mean, torch.exp(0.5 * logvar)).log_prob(y).sum((-3, -2, -1)) + correction


class ConstantGaussianHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.logVariance = nn.Parameter(torch.tensor([-2.0]))

    def channels(self, c):
        return c

    def log_lik(self, out, x):
        y, correction = logit_space(x)
        return Normal(out, torch.exp(0.5 * self.logVariance)).log_prob(y).sum((-3, -2, -1)) + correction


class MixtureHead(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.c, self.k = c, k

    def channels(self, c):
        return self.k * (1 + 2 * c + c * (c - 1) // 2)

    def log_lik(self, out, x):
        out = out.double()
        c, k = self.c, self.k
        lead = out.shape[:-3]
        h, w = out.shape[-2:]
        logits = out[..., :k, :, :]
        means = out[..., k : k + c * k, :, :].reshape(*lead, c, k, h, w)
        log_s = out[..., k + c * k : k + 2 * c * k, :, :].reshape(*lead, c, k, h, w).clamp(min=-7.0)
        coef = torch.tanh(out[..., k + 2 * c * k :, :, :].reshape(*lead, c * (c - 1) // 2, k, h, w))
        kk = torch.round(x.double() * 255)                                  # [B, C, H, W]
        v = (2 * kk / 255 - 1).unsqueeze(-3).expand(*lead, c, k, h, w)      # value on [-1, 1]
        log_probs = []
        for ch in range(c):
            loc = means[..., ch, :, :, :]
            for prev in range(ch):
                loc = loc + coef[..., ch * (ch - 1) // 2 + prev, :, :, :] * v[..., prev, :, :, :]
            inv = torch.exp(-log_s[..., ch, :, :, :])
            a = (v[..., ch, :, :, :] + 1 / 255 - loc) * inv
            b = (v[..., ch, :, :, :] - 1 / 255 - loc) * inv
            interior = torch.log(torch.sigmoid(a) - torch.sigmoid(b))
            lo = torch.log(torch.sigmoid(a))
            hi = torch.log(1 - torch.sigmoid(b))
            kc = kk[..., ch, :, :].unsqueeze(-3).expand_as(a)
            log_probs.append(torch.where(kc == 0, lo, torch.where(kc == 255, hi, interior)))
        joint = torch.stack(log_probs, -4).sum(-4) + torch.log_softmax(logits, -3)
        return torch.logsumexp(joint, -3).sum((-2, -1))


class DcVae(nn.Module):
    def __init__(self, c, head):
        super().__init__()
        f, L = FEATURES, LATENT
        self.encoder = nn.Sequential(
            nn.Conv2d(c, f, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
            nn.Conv2d(f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * f, 4 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * f, 8 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(8 * f), nn.LeakyReLU(0.2))
        self.mu = nn.Linear(8 * f * 4, L)
        self.logvar = nn.Linear(8 * f * 4, L)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(L, 8 * f, 2, 1, 0, bias=False), nn.BatchNorm2d(8 * f), nn.ReLU(),
            nn.ConvTranspose2d(8 * f, 4 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * f), nn.ReLU(),
            nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.ReLU(),
            nn.ConvTranspose2d(2 * f, f, 4, 2, 1, bias=False), nn.BatchNorm2d(f), nn.ReLU(),
            nn.ConvTranspose2d(f, head.channels(c), 4, 2, 1, bias=False))
        self.head = head

    def encode(self, x):
        h = self.encoder(x).flatten(1)
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.decoder(z.reshape(-1, LATENT, 1, 1))


def negative_elbo(model, x, eps):
    mu, logvar = model.encode(x)
    z = mu + eps * torch.exp(0.5 * logvar)
    rec = model.head.log_lik(model.decode(z), x)
    kld = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
    return (kld - rec).sum()


def log_marginal(model, x, eps):
    mu, logvar = model.encode(x)
    std = torch.exp(0.5 * logvar)
    z = mu + eps * std                                                 # [S, B, L]
    log_q = Normal(mu, std).log_prob(z).sum(-1)
    log_prior = Normal(0.0, 1.0).log_prob(z).sum(-1)
    out = model.decode(z.reshape(-1, LATENT))
    out = out.reshape(SAMPLES, BATCH, *out.shape[1:])
    log_lik = model.head.log_lik(out, x)
    return torch.logsumexp((log_lik + log_prior - log_q).double(), 0) - math.log(SAMPLES)


def randomise_batch_norm(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)


def write(name, c, head, x, seed):
    torch.manual_seed(seed)
    model = DcVae(c, head)
    randomise_batch_norm(model)
    eps_train = torch.randn(BATCH, LATENT)
    eps_is = torch.randn(SAMPLES, BATCH, LATENT)
    arrays = {"x": x.numpy(), "eps_train": eps_train.numpy(), "eps_is": eps_is.numpy(),
              "features": np.array([FEATURES], dtype=np.int64), "latent": np.array([LATENT], dtype=np.int64)}
    for key, p in model.named_parameters():
        arrays["param." + key] = p.detach().numpy().copy()
    for key, b in model.named_buffers():
        arrays["buffer." + key] = b.numpy().copy()

    model.eval()
    with torch.no_grad():
        logpx = log_marginal(model, x, eps_is)
    model.train()
    loss = negative_elbo(model, x, eps_train)
    loss.backward()
    arrays["neg_elbo"] = np.array([loss.item()], dtype=np.float64)
    arrays["logpx"] = logpx.numpy()
    for key, p in model.named_parameters():
        arrays["grad." + key] = p.grad.numpy()
    for key, b in model.named_buffers():
        arrays["buffer_after." + key] = b.numpy().copy()
    np.savez(f"parity_{name}.npz", **arrays)
    print(f"{name}: neg_elbo={loss.item():.4f} logpx={logpx.numpy()}")


def eight_bit(c, g):
    k = torch.randint(0, 256, (BATCH, c, SIDE, SIDE), generator=g)
    k[:, :, :3, :] = 0          # edge bins appear in every channel
    k[:, :, -3:, :] = 255
    return k


def main():
    g = torch.Generator().manual_seed(99)
    binary = (torch.rand(BATCH, 1, SIDE, SIDE, generator=g) < 0.3).float()
    write("bernoulli_dc_vae", 1, BernoulliHead(), binary, 1)
    k = eight_bit(3, g)
    dequantized = (k.float() + torch.rand(k.shape, generator=g)) / 256
    write("gaussian_dc_vae", 3, GaussianHead(3), dequantized, 2)
    write("constant_gaussian_dc_vae", 3, ConstantGaussianHead(), dequantized, 3)
    write("mol_dc_vae", 3, MixtureHead(3, 3), k.float() / 255, 4)
    write("mol_dc_vae_grey", 1, MixtureHead(1, 2), eight_bit(1, g).float() / 255, 5)


if __name__ == "__main__":
    main()
