"""The paper's MLP VAE for `memscore run --model torchscript`: x is [B, 1, 32, 32] float32 in {0, 1}."""
import math
import torch
from torch import nn


class MlpVae(nn.Module):
    def __init__(self, pixels: int = 1024, latent: int = 16):
        super().__init__()
        self.latent, self.side = latent, int(math.isqrt(pixels))
        self.encoder = nn.Sequential(nn.Linear(pixels, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
        self.mu, self.logvar = nn.Linear(256, latent), nn.Linear(256, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, pixels))

    def encode(self, x):  # flattened x [B, D]; mean and log-variance of q(z|x), [B, latent] each
        h = self.encoder(x.flatten(1))
        return x.flatten(1), self.mu(h), self.logvar(h)

    def log_px_given_z(self, z, x):  # z [S, B, latent], x [B, D] -> [S, B]
        logits = self.decoder(z)
        return -nn.functional.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)

    @torch.jit.export
    def loss(self, x):  # per-example negative ELBO, [B]; KL in closed form (Kingma & Welling 2014, app. B)
        x, mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(-1)
        return kl - self.log_px_given_z(z.unsqueeze(0), x)[0]

    @torch.jit.export
    def log_px(self, x, samples: int):  # per-example log p(x) in nats, [B]: importance sampling from q(z|x)
        x, mu, logvar = self.encode(x)
        eps = torch.randn(samples, mu.shape[0], mu.shape[1])
        z = mu + eps * torch.exp(0.5 * logvar)
        log_w = self.log_px_given_z(z, x) - 0.5 * (z * z - eps * eps - logvar).sum(-1)  # + log p(z) - log q(z|x)
        return torch.logsumexp(log_w.double(), 0) - math.log(samples)

    @torch.jit.export
    def sample(self, n: int):  # decoder means of z ~ N(0, I), [n, 1, side, side] in [0, 1]
        return torch.sigmoid(self.decoder(torch.randn(n, self.latent))).view(n, 1, self.side, self.side)


if __name__ == "__main__":
    torch.jit.script(MlpVae()).save("mlp_vae.pt")
