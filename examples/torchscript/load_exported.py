"""Back to PyTorch: weights that `memscore run` or `memscore full` wrote with --export-pytorch, in the paper's MLP VAE.

    /usr/bin/python3 load_exported.py runs/my-run/tasks/r0_f0.pt [DROPOUT]

tasks/r{repeat}_f{fold}.pt (one per fold model) and a full run's model.pt are state dicts, torch.load gives
name -> tensor, named as MlpVae of mlp_vae.py names its layers: encoder.0/2, mu, logvar, decoder.0/2/4.
A run with --model-option dropout=P has a dropout layer after every hidden activation, which moves the later
indices (encoder.0/3, decoder.0/3/6): give the module the same layers with with_dropout(module, P).
The DC-VAE families' modules are in paper_dc_vae.py (for_family).
"""
import sys
import torch
from torch import nn
from mlp_vae import MlpVae


def with_dropout(model: nn.Module, dropout: float) -> nn.Module:
    """MemScore's dropout layout: nn.Dropout after every ReLU / LeakyReLU of the encoder and decoder."""
    for name in ("encoder", "decoder"):
        layers = []
        for layer in getattr(model, name):
            layers += [layer, nn.Dropout(dropout)] if isinstance(layer, (nn.ReLU, nn.LeakyReLU)) else [layer]
        setattr(model, name, nn.Sequential(*layers))
    return model


def load(path: str, dropout: float = 0.0) -> MlpVae:
    state = torch.load(path, weights_only=True)
    pixels, latent = state["encoder.0.weight"].shape[1], state["mu.weight"].shape[0]
    model = with_dropout(MlpVae(pixels, latent), dropout) if dropout > 0 else MlpVae(pixels, latent)
    model.load_state_dict(state, strict=True)
    return model.eval()


if __name__ == "__main__":
    model = load(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
    with torch.no_grad():
        x = torch.bernoulli(torch.sigmoid(model.decoder(torch.randn(4, model.latent))))   # 4 images the model draws
        print("log p(x) of 4 sampled images, nats:", model.log_px(x, 64).tolist())
