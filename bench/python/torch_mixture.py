#!/usr/bin/env python3
"""The ring/grid protocol of config/ring.conf and config/grid.conf in PyTorch, as a reference for
Agon's quality numbers: same networks (G z~N(0,I_256) -> FC128-tanh -> FC128-tanh -> FC2; D 2 ->
FC128-tanh -> FC128-tanh -> 1 logit), PyTorch default init, Adam beta1 0.5, lr_D 1e-4, lr_G 1e-3,
batch 512, k = 1, non-saturating G loss, D trained on one [2B, 2] batch (real rows, then fake rows)
with BCE-with-logits summed over the real and fake halves, fresh noise for every step; scored on
2,500 samples with the VEEGAN/PacGAN metric (nearest mode, high quality within 3 sigma).

Usage: OPENBLAS_NUM_THREADS=1 python3 bench/python/torch_mixture.py --data ring --seed 1 [--iterations N]
Use Debian's /usr/bin/python3 (python3-torch with libopenblas0-pthread).
"""
import argparse
import math
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def centres(kind):
    if kind == "ring":
        return np.array([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]), 0.01
    return np.array([[x, y] for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], dtype=float), 0.05


def score(x, c, std):
    d = np.sqrt(((x[:, None, :] - c[None]) ** 2).sum(-1))
    nearest, dist = d.argmin(1), d.min(1)
    hq = dist <= 3 * std
    counts = np.bincount(nearest[hq], minlength=len(c))
    p = counts[counts > 0] / max(hq.sum(), 1)
    kl = float((p * np.log(p * len(c))).sum()) if hq.any() else float("inf")
    return int((counts > 0).sum()), float(hq.mean()), kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="ring", choices=["ring", "grid"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=25000)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    c, std = centres(args.data)
    ct = torch.tensor(c, dtype=torch.float32)
    g = nn.Sequential(nn.Linear(256, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 2))
    d = nn.Sequential(nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1))
    og = torch.optim.Adam(g.parameters(), lr=1e-3, betas=(0.5, 0.999), eps=1e-8)
    od = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.999), eps=1e-8)
    b = 512
    t0 = time.time()
    for _ in range(args.iterations):
        real = ct[torch.randint(len(c), (b,))] + std * torch.randn(b, 2)
        with torch.no_grad():
            fake = g(torch.randn(b, 256))
        logits = d(torch.cat([real, fake]))
        loss_d = F.softplus(-logits[:b]).mean() + F.softplus(logits[b:]).mean()
        od.zero_grad()
        loss_d.backward()
        od.step()
        for p in d.parameters():
            p.requires_grad_(False)
        loss_g = F.softplus(-d(g(torch.randn(b, 256)))).mean()
        og.zero_grad()
        loss_g.backward()
        og.step()
        for p in d.parameters():
            p.requires_grad_(True)
    with torch.no_grad():
        x = g(torch.randn(2500, 256)).numpy()
    modes, hq, kl = score(x, c, std)
    print(f"| torch {args.data} | {args.seed} | {modes}/{len(c)} | {100 * hq:.1f}% | {kl:.3f} | {time.time() - t0:.0f} |")


if __name__ == "__main__":
    main()
