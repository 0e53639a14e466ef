"""A small convolutional VAE with batch norm for binary 1x32x32 images, scripted for MemScore.

No reset_parameters(): MemScore re-initialises its Conv, ConvTranspose, BatchNorm and Linear layers
by PyTorch's default rules for every task. Same contract as mlp_vae.py.
"""
import math
import sys
import torch
from torch import nn
import torch.nn.functional as F


def block(conv):
    return [conv, nn.BatchNorm2d(conv.out_channels), nn.ReLU()]


class DcVae(nn.Module):
    def __init__(self, f: int = 8, latent: int = 16):
        super().__init__()
        self.f, self.latent = f, latent
        self.encoder = nn.Sequential(*block(nn.Conv2d(1, f, 4, 2, 1)), *block(nn.Conv2d(f, 2 * f, 4, 2, 1)),
                                     *block(nn.Conv2d(2 * f, 4 * f, 4, 2, 1)), nn.Flatten())
        self.mu, self.logvar = nn.Linear(64 * f, latent), nn.Linear(64 * f, latent)
        self.project = nn.Linear(latent, 64 * f)
        self.decoder = nn.Sequential(*block(nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1)),
                                     *block(nn.ConvTranspose2d(2 * f, f, 4, 2, 1)), nn.ConvTranspose2d(f, 1, 4, 2, 1))

    def logits(self, z):  # [N, latent] -> [N, 1024]
        return self.decoder(self.project(z).view(-1, 4 * self.f, 4, 4)).flatten(1)

    def log_px_given_z(self, z, x):  # z [S, B, latent], x [B, 1024] -> [S, B]
        logits = self.logits(z.flatten(0, 1)).view(z.shape[0], z.shape[1], -1)
        return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)

    @torch.jit.export
    def loss(self, x):
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(-1)
        return kl - self.log_px_given_z(z.unsqueeze(0), x.flatten(1))[0]

    @torch.jit.export
    def log_px(self, x, samples: int):
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        eps = torch.randn(samples, mu.shape[0], mu.shape[1])
        z = mu + eps * torch.exp(0.5 * logvar)
        log_prior = -0.5 * (z * z + math.log(2 * math.pi)).sum(-1)
        log_q = -0.5 * (eps * eps + logvar + math.log(2 * math.pi)).sum(-1)
        log_w = (self.log_px_given_z(z, x.flatten(1)) + log_prior - log_q).double()
        return torch.logsumexp(log_w, 0) - math.log(samples)

    @torch.jit.export
    def sample(self, n: int):
        return torch.sigmoid(self.logits(torch.randn(n, self.latent))).view(n, 1, 32, 32)


if __name__ == "__main__":
    torch.jit.script(DcVae()).save(sys.argv[1] if len(sys.argv) > 1 else "dc_vae.pt")
