#!/usr/bin/python3
"""PyTorch (CPU) baseline of `dev.agon.bench.DcganStepBench`: the 28x28 DCGAN, timed the same way.

Model (width w = 64, latent 100, 1 channel), exactly Agon's `Dcgan.generator(100, 1, 28, 64)` and
`Dcgan.discriminator(1, 28, 64)`:
  G: Linear(100 -> 2w*7*7) -> BatchNorm1d -> ReLU -> view [2w,7,7]
     -> ConvT(2w -> w, k4 s2 p1, no bias) -> BatchNorm2d -> ReLU -> ConvT(w -> 1, k4 s2 p1) -> Tanh
  D: Conv(1 -> w, k4 s2 p1) -> LeakyReLU 0.2 -> Conv(w -> 2w, k4 s2 p1, no bias) -> BatchNorm2d
     -> LeakyReLU 0.2 -> Flatten -> Linear(2w*7*7 -> 1)
Both in training mode (batch statistics), float32.

Timed, per iteration (median over iterations after warm-up, ms):
  d: D forward + backward (parameter gradients) on a real batch, then on a fake batch (made
     beforehand under no_grad, not timed); loss softplus(-l_real).mean() + softplus(l_fake).mean().
  g: z -> G -> D -> softplus(-logit).mean() -> backward to G's parameters (D's parameters do not
     require gradients).
No optimizer step in either. Each thread setting runs in a fresh interpreter with
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS set before torch is imported.

  /usr/bin/python3 bench/python/torch_dcgan.py --threads 1 --batches 64,128 [--json FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def build(torch, latent=100, channels=1, w=64):
    nn = torch.nn

    class View(nn.Module):
        def __init__(self, *shape):
            super().__init__()
            self.shape = shape

        def forward(self, x):
            return x.view(x.shape[0], *self.shape)

    g = nn.Sequential(
        nn.Linear(latent, 2 * w * 7 * 7), nn.BatchNorm1d(2 * w * 7 * 7), nn.ReLU(),
        View(2 * w, 7, 7),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, channels, 4, 2, 1), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * w * 7 * 7, 1))
    for m in list(g.modules()) + list(d.modules()):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return g, d


def build_standard(torch, size, latent=100, channels=1, w=64):
    """Agon's `Dcgan.generator(latent, channels, size, w)` and `Dcgan.discriminator(channels, size,
    w)` for size = 4 * 2^n (the embedded default: 32): G is z [latent, 1, 1] -> ConvT(k4 s1 p0) to
    4x4 -> n-1 ConvT(k4 s2 p1) halving the channels, each with BatchNorm2d + ReLU, no bias ->
    ConvT to `channels` (bias) -> Tanh; D mirrors it with Conv(k4 s2 p1), LeakyReLU 0.2 and
    BatchNorm2d after every convolution but the first, then Conv(k4 s1 p0) to one logit."""
    nn = torch.nn
    n = size.bit_length() - 3  # size = 4 * 2^n
    if n < 1 or size != 4 << n:
        raise ValueError(f"size must be 4 * 2^n, got {size}")
    gl = [nn.Unflatten(1, (latent, 1, 1)),
          nn.ConvTranspose2d(latent, w << (n - 1), 4, 1, 0, bias=False),
          nn.BatchNorm2d(w << (n - 1)), nn.ReLU()]
    for i in range(n - 1, 0, -1):
        gl += [nn.ConvTranspose2d(w << i, w << (i - 1), 4, 2, 1, bias=False),
               nn.BatchNorm2d(w << (i - 1)), nn.ReLU()]
    gl += [nn.ConvTranspose2d(w, channels, 4, 2, 1), nn.Tanh()]
    dl = [nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(0.2)]
    for i in range(1, n):
        dl += [nn.Conv2d(w << (i - 1), w << i, 4, 2, 1, bias=False), nn.BatchNorm2d(w << i),
               nn.LeakyReLU(0.2)]
    dl += [nn.Conv2d(w << (n - 1), 1, 4, 1, 0), nn.Flatten()]
    g, d = nn.Sequential(*gl), nn.Sequential(*dl)
    for m in list(g.modules()) + list(d.modules()):
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return g, d


def worker(args):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    g, d = build(torch)
    g.train()
    d.train()
    out = {"threads": args.threads, "torch": torch.__version__, "rows": []}
    for b in args.batches:
        d_ns, g_ns = [], []
        for i in range(args.warmup + args.iterations):
            real = torch.rand(b, 1, 28, 28) * 2 - 1
            with torch.no_grad():
                fake = g(torch.randn(b, 100))
            z = torch.randn(b, 100)
            for p in d.parameters():
                p.requires_grad_(True)
            d.zero_grad(set_to_none=True)
            t0 = time.perf_counter_ns()
            F.softplus(-d(real)).mean().backward()
            F.softplus(d(fake)).mean().backward()
            t1 = time.perf_counter_ns()
            for p in d.parameters():
                p.requires_grad_(False)
            g.zero_grad(set_to_none=True)
            t2 = time.perf_counter_ns()
            F.softplus(-d(g(z))).mean().backward()
            t3 = time.perf_counter_ns()
            if i >= args.warmup:
                d_ns.append(t1 - t0)
                g_ns.append(t3 - t2)
        out["rows"].append({"batch": b, "threads": args.threads,
                            "d_ms": statistics.median(d_ns) / 1e6,
                            "g_ms": statistics.median(g_ns) / 1e6})
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts")
    ap.add_argument("--batches", default="64,128")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    args.batches = [int(x) for x in args.batches.split(",") if x]
    if args.worker:
        args.threads = int(args.threads)
        worker(args)
        return
    rows = []
    for t in [int(x) for x in args.threads.split(",") if x]:
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t),
                   MKL_NUM_THREADS=str(t))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--threads", str(t),
               "--batches", ",".join(map(str, args.batches)), "--warmup", str(args.warmup),
               "--iterations", str(args.iterations)]
        res = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True)
        run = json.loads(res.stdout.strip().splitlines()[-1])
        rows.extend(run["rows"])
    for r in rows:
        print(f"torch threads={r['threads']} batch={r['batch']} "
              f"d_ms={r['d_ms']:.2f} g_ms={r['g_ms']:.2f}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"benchmark": "torch_dcgan", "warmup": args.warmup,
                       "iterations": args.iterations, "rows": rows}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
