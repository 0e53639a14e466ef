"""The paper's DC-VAE families in plain PyTorch, named as MemScore names them: weights exported with
`memscore run/full --model bernoulli-dc-vae|gaussian-dc-vae|constant-gaussian-dc-vae|mol-dc-vae --export-pytorch`
load with load_state_dict(strict=True) (README "Back to PyTorch"). Encoder 4 convolutions (4x4, stride 2) to F, 2F, 4F,
8F maps with LeakyReLU(0.2) and batch norm after all but the first; decoder 5 transposed convolutions back to 32x32
(METHOD.md section 4). Heads: log p(x | decoder output) per image, in nats, in the data's 8-bit pixel space.
"""
import math
import torch
from torch import nn
import torch.nn.functional as F
from torch.distributions import Normal

LAMBDA = 0.05   # logit-space margin: s = lambda + (1 - 2 lambda) x


def logit_space(x):  # y = logit(s) and log |dy/dx| summed per image, minus log 256 per sub-pixel (8-bit bins)
    s = LAMBDA + (1 - 2 * LAMBDA) * x
    log_jacobian = torch.log((1 - 2 * LAMBDA) / (s * (1 - s))) - math.log(256)
    return torch.log(s) - torch.log(1 - s), log_jacobian.sum((-3, -2, -1))


class BernoulliHead(nn.Module):  # binarized images
    def channels(self, c):
        return c

    def log_lik(self, out, x):
        return -F.binary_cross_entropy_with_logits(out, x.expand_as(out), reduction="none").sum((-3, -2, -1))


class GaussianHead(nn.Module):  # mean and log-variance per sub-pixel in logit space (dequantized images)
    def __init__(self, c):
        super().__init__()
        self.c = c

    def channels(self, c):
        return 2 * c

    def log_lik(self, out, x):
        y, correction = logit_space(x)
        mean, logvar = out[..., :self.c, :, :], out[..., self.c:, :, :].clamp(min=-7.0)
        return Normal(mean, torch.exp(0.5 * logvar)).log_prob(y).sum((-3, -2, -1)) + correction


class ConstantGaussianHead(nn.Module):  # one learned log-variance for all sub-pixels
    def __init__(self):
        super().__init__()
        self.logVariance = nn.Parameter(torch.tensor([-2.0]))

    def channels(self, c):
        return c

    def log_lik(self, out, x):
        y, correction = logit_space(x)
        return Normal(out, torch.exp(0.5 * self.logVariance)).log_prob(y).sum((-3, -2, -1)) + correction


class MixtureHead(nn.Module):  # discretized mixture of k logistics per pixel (Salimans et al. 2017), x = level / 255
    def __init__(self, c, k):
        super().__init__()
        self.c, self.k = c, k

    def channels(self, c):
        return self.k * (1 + 2 * c + c * (c - 1) // 2)

    def log_lik(self, out, x):
        out, c, k = out.double(), self.c, self.k
        lead, (h, w) = out.shape[:-3], out.shape[-2:]
        means = out[..., k:k + c * k, :, :].reshape(*lead, c, k, h, w)
        log_s = out[..., k + c * k:k + 2 * c * k, :, :].reshape(*lead, c, k, h, w).clamp(min=-7.0)
        coef = torch.tanh(out[..., k + 2 * c * k:, :, :].reshape(*lead, c * (c - 1) // 2, k, h, w))
        levels = torch.round(x.double() * 255)
        v = (2 * levels / 255 - 1).unsqueeze(-3).expand(*lead, c, k, h, w)
        per_channel = []
        for ch in range(c):  # channel ch's mean depends linearly on the channels before it
            loc = means[..., ch, :, :, :]
            for prev in range(ch):
                loc = loc + coef[..., ch * (ch - 1) // 2 + prev, :, :, :] * v[..., prev, :, :, :]
            inv = torch.exp(-log_s[..., ch, :, :, :])
            upper = torch.sigmoid((v[..., ch, :, :, :] + 1 / 255 - loc) * inv)
            lower = torch.sigmoid((v[..., ch, :, :, :] - 1 / 255 - loc) * inv)
            level = levels[..., ch, :, :].unsqueeze(-3).expand_as(upper)
            per_channel.append(torch.where(level == 0, torch.log(upper),
                                           torch.where(level == 255, torch.log(1 - lower), torch.log(upper - lower))))
        joint = torch.stack(per_channel, -4).sum(-4) + torch.log_softmax(out[..., :k, :, :], -3)
        return torch.logsumexp(joint, -3).sum((-2, -1))


class DcVae(nn.Module):
    def __init__(self, c: int, head: nn.Module, f: int = 32, latent: int = 16):
        super().__init__()
        self.latent = latent
        self.encoder = nn.Sequential(
            nn.Conv2d(c, f, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
            nn.Conv2d(f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * f, 4 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * f), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * f, 8 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(8 * f), nn.LeakyReLU(0.2))
        self.mu, self.logvar = nn.Linear(8 * f * 4, latent), nn.Linear(8 * f * 4, latent)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(latent, 8 * f, 2, 1, 0, bias=False), nn.BatchNorm2d(8 * f), nn.ReLU(),
            nn.ConvTranspose2d(8 * f, 4 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * f), nn.ReLU(),
            nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.ReLU(),
            nn.ConvTranspose2d(2 * f, f, 4, 2, 1, bias=False), nn.BatchNorm2d(f), nn.ReLU(),
            nn.ConvTranspose2d(f, head.channels(c), 4, 2, 1, bias=False))
        self.head = head

    def encode(self, x):
        h = self.encoder(x).flatten(1)
        return self.mu(h), self.logvar(h)

    def decode(self, z):  # [N, latent] -> decoder output [N, channels, 32, 32]
        return self.decoder(z.reshape(-1, self.latent, 1, 1))

    def log_px(self, x, samples: int):  # importance sampling with q(z|x) as proposal, [B] nats
        mu, logvar = self.encode(x)
        std = torch.exp(0.5 * logvar)
        z = mu + torch.randn(samples, *mu.shape) * std
        log_w = self.head.log_lik(self.decode(z).reshape(samples, x.shape[0], -1, *x.shape[-2:]), x) \
            + Normal(0.0, 1.0).log_prob(z).sum(-1) - Normal(mu, std).log_prob(z).sum(-1)
        return torch.logsumexp(log_w.double(), 0) - math.log(samples)


def for_family(family: str, c: int = 1, f: int = 32, latent: int = 16, components: int = 10) -> DcVae:
    """The module of a MemScore DC-VAE family (--model), with its --feature-maps, --latent-dim, --mixture-components."""
    heads = {"bernoulli-dc-vae": lambda: BernoulliHead(), "gaussian-dc-vae": lambda: GaussianHead(c),
             "constant-gaussian-dc-vae": lambda: ConstantGaussianHead(), "mol-dc-vae": lambda: MixtureHead(c, components)}
    return DcVae(c, heads[family](), f, latent)
