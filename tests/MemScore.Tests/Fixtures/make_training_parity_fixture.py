#!/usr/bin/python3
"""Writes the multi-step training parity fixture for Training/TrainingTrajectoryParityTests.cs.

The reference VAE of make_parity_fixtures.py (the paper code's style: sigmoid + binary cross-entropy,
negative ELBO summed over the batch) trained by torch.optim.Adam for 3 epochs of 4 minibatches of 5,
in a shuffled order per epoch, each step's noise drawn as randn([5, latent]) from a torch.Generator
seeded with NOISE_SEED (MemScore's TrainStep draws its noise the same way from a Generator). Records
the initial weights, data, batch orders, the noise, the per-example loss of every step and the final
weights. Run from this folder:  /usr/bin/python3 make_training_parity_fixture.py
"""
import numpy as np
import torch

from make_parity_fixtures import LATENT, SIDE, HIDDEN, ReferenceVae, negative_elbo

EXAMPLES, BATCH, EPOCHS = 20, 5, 3
LEARNING_RATE = 1e-3
NOISE_SEED = 20261201


def main():
    torch.manual_seed(4321)
    model = ReferenceVae()
    init = {name: p.detach().clone() for name, p in model.named_parameters()}
    x = (torch.rand(EXAMPLES, 1, SIDE, SIDE) < 0.3).float()
    orders = torch.stack([torch.randperm(EXAMPLES) for _ in range(EPOCHS)])
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    noise = torch.Generator().manual_seed(NOISE_SEED)
    losses, eps_all = [], []
    for epoch in range(EPOCHS):
        for start in range(0, EXAMPLES, BATCH):
            batch = x[orders[epoch, start:start + BATCH]]
            eps = torch.randn(BATCH, LATENT, generator=noise)
            optimizer.zero_grad()
            loss = negative_elbo(model, batch, eps)
            loss.backward()
            optimizer.step()
            losses.append(loss.item() / BATCH)
            eps_all.append(eps)
    arrays = {"x": x.numpy(), "orders": orders.numpy().astype(np.int64), "eps": torch.stack(eps_all).numpy(),
              "loss_step": np.array(losses, dtype=np.float64), "noise_seed": np.array([NOISE_SEED], dtype=np.int64),
              "learning_rate": np.array([LEARNING_RATE]), "hidden": np.array(HIDDEN, dtype=np.int64),
              "latent": np.array([LATENT], dtype=np.int64)}
    for name, p in model.named_parameters():
        arrays["init." + name] = init[name].numpy()
        arrays["final." + name] = p.detach().numpy()
    np.savez("parity_bernoulli_mlp_vae_training.npz", **arrays)
    print("losses per step:", " ".join(f"{v:.4f}" for v in losses))


if __name__ == "__main__":
    main()
