"""The paper's Bernoulli MLP VAE in PyTorch, scripted for `memscore run --model torchscript`.

Contract (README "Score your own PyTorch model"): loss(x) -> [B] per-example training loss,
log_px(x, samples) -> [B] log p(x) in nats; optional reset_parameters() and sample(n).
x arrives as [B, 1, 32, 32] float32 with values in {0, 1} (--model-option input=binary, the default).
"""
import math
import sys
import torch
from torch import nn
import torch.nn.functional as F


class MlpVae(nn.Module):
    def __init__(self, pixels: int = 1024, latent: int = 16):
        super().__init__()
        self.latent, self.side = latent, int(math.isqrt(pixels))
        self.encoder = nn.Sequential(nn.Linear(pixels, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
        self.mu, self.logvar = nn.Linear(256, latent), nn.Linear(256, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                                     nn.Linear(512, pixels))

    def log_px_given_z(self, z, x):  # z [S, B, latent], x [B, D] -> [S, B]
        logits = self.decoder(z)
        return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)

    @torch.jit.export
    def loss(self, x):  # negative ELBO per example; KL in closed form (Kingma & Welling 2014, app. B)
        x = x.flatten(1)
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(-1)
        return kl - self.log_px_given_z(z.unsqueeze(0), x)[0]

    @torch.jit.export
    def log_px(self, x, samples: int):  # importance sampling with q(z|x) as proposal
        x = x.flatten(1)
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        eps = torch.randn(samples, mu.shape[0], mu.shape[1])
        z = mu + eps * torch.exp(0.5 * logvar)
        log_prior = -0.5 * (z * z + math.log(2 * math.pi)).sum(-1)
        log_q = -0.5 * (eps * eps + logvar + math.log(2 * math.pi)).sum(-1)
        log_w = (self.log_px_given_z(z, x) + log_prior - log_q).double()
        return torch.logsumexp(log_w, 0) - math.log(samples)

    @torch.jit.export
    def sample(self, n: int):  # decoder means of z ~ N(0, I), [n, 1, side, side] in [0, 1]
        return torch.sigmoid(self.decoder(torch.randn(n, self.latent))).view(n, 1, self.side, self.side)


if __name__ == "__main__":
    torch.jit.script(MlpVae()).save(sys.argv[1] if len(sys.argv) > 1 else "mlp_vae.pt")
