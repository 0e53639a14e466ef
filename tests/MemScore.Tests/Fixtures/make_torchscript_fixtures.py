#!/usr/bin/python3
"""Writes the TorchScript modules the C# tests load, with Debian's PyTorch (apt-get install python3-torch).

Usage: /usr/bin/python3 make_torchscript_fixtures.py EXAMPLES_DIR OUT_DIR
  mlp_vae.pt        the example VAE (EXAMPLES_DIR/mlp_vae.py), weights drawn with torch.manual_seed(7)
  mlp_vae_other.pt  the same with the next weights drawn (another file: another run)
  dc_vae.pt         EXAMPLES_DIR/dc_vae.py: convolutions with batch norm, no reset_parameters
  dc_vae_perturbed.pt  the same with every parameter and buffer moved off its initial value
  dc_vae_defaults.json  PyTorch's default rule of each of DcVae's parameters and buffers (bound or value)
  small_vae.pt      the same class with 8x8 inputs and latent 4 (fast contract and determinism tests)
  no_reset.pt       small_vae without reset_parameters: MemScore re-initialises Linear layers itself
  missing_log_px.pt, wrong_shape.pt, nan_loss.pt, extra_parameter.pt   malformed modules to refuse
  pickle_only.pt    torch.save of a state dict (not TorchScript);  not_torchscript.pt  plain text
"""
import json
import math
import os
import sys
import torch
from torch import nn

sys.path.insert(0, sys.argv[1])
from mlp_vae import MlpVae  # noqa: E402
from dc_vae import DcVae  # noqa: E402

OUT = sys.argv[2]


def save(module, name):
    torch.jit.script(module).save(os.path.join(OUT, name))


class Resettable(MlpVae):
    @torch.jit.export
    def reset_parameters(self):  # the latent heads only: TorchScript 1.13 cannot index or iterate a Sequential's layers here
        for weight, bias in [(self.mu.weight, self.mu.bias), (self.logvar.weight, self.logvar.bias)]:
            bound = 1.0 / math.sqrt(weight.shape[1])
            nn.init.uniform_(weight, -bound, bound)
            nn.init.uniform_(bias, -bound, bound)


class MissingLogPx(nn.Module):  # the malformed modules read the mean pixel, so they load on any image size
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def value(self, x):  # [B, 1]
        return self.linear(x.flatten(1).mean(1, keepdim=True))

    @torch.jit.export
    def loss(self, x):
        return self.value(x).squeeze(1) ** 2


class WrongShape(MissingLogPx):
    @torch.jit.export
    def log_px(self, x, samples: int):
        return self.value(x)  # [B, 1] instead of [B]


class NanLoss(WrongShape):
    @torch.jit.export
    def loss(self, x):
        return self.value(x).squeeze(1) * float("nan")

    @torch.jit.export
    def log_px(self, x, samples: int):
        return self.value(x).squeeze(1)


class ExtraParameter(MlpVae):
    def __init__(self):
        super().__init__(64, 4)
        self.scale = nn.Parameter(torch.ones(3))


def perturbed(module):  # off every initial value, so a test sees that MemScore's default rules overwrite it
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            tensor.add_(2)
    return module


def default_rules(module):
    """PyTorch 1.13's reset_parameters, read from PyTorch: Linear/Conv/ConvTranspose weights kaiming_uniform_(a=sqrt(5)),
    i.e. U(-b, b) with b = gain * sqrt(3 / fan_in); biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)); batch norm: the constant
    a fresh layer holds in each parameter and buffer."""
    rules = {}
    for prefix, layer in module.named_modules():
        kind = type(layer).__name__
        if isinstance(layer, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
            gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))
            rules[prefix + ".weight"] = {"layer": kind, "bound": gain * math.sqrt(3.0 / fan_in)}
            rules[prefix + ".bias"] = {"layer": kind, "bound": 1.0 / math.sqrt(fan_in)}
        elif isinstance(layer, nn.BatchNorm2d):
            for name, tensor in list(layer.named_parameters()) + list(layer.named_buffers()):
                values = tensor.unique()
                assert values.numel() == 1, (prefix, name)
                rules[prefix + "." + name] = {"layer": kind, "value": float(values[0])}
    return rules


os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)
save(MlpVae(), "mlp_vae.pt")
save(MlpVae(), "mlp_vae_other.pt")
save(DcVae(), "dc_vae.pt")
save(perturbed(DcVae()), "dc_vae_perturbed.pt")
with open(os.path.join(OUT, "dc_vae_defaults.json"), "w") as f:
    json.dump(default_rules(DcVae()), f, indent=1)
torch.manual_seed(8)
save(Resettable(64, 4), "small_vae.pt")
save(MlpVae(64, 4), "no_reset.pt")
save(MissingLogPx(), "missing_log_px.pt")
save(WrongShape(), "wrong_shape.pt")
save(NanLoss(), "nan_loss.pt")
save(ExtraParameter(), "extra_parameter.pt")
torch.save(MlpVae(64, 4).state_dict(), os.path.join(OUT, "pickle_only.pt"))
with open(os.path.join(OUT, "not_torchscript.pt"), "w") as f:
    f.write("this is not a TorchScript archive\n")
