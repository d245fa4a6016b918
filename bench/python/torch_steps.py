#!/usr/bin/python3
"""PyTorch (CPU) baseline of `agon bench steps`: the same models and steps, timed the same way.

Per case: median D step and G step (ms) and wall time per iteration (k = 1: real batch, fakes,
D step, G step), for 1 and 2 intra-op threads. Each thread setting runs in a fresh interpreter,
because OPENBLAS_NUM_THREADS / OMP_NUM_THREADS only take effect before torch is imported
(torch.set_num_threads alone does not limit OpenBLAS's threads).

  D step: one [2B, d] batch (real rows, then fake rows made under no_grad from fresh noise),
          loss = mean softplus(-l_real) + mean softplus(l_fake), i.e. 2 x BCE-with-logits over
          the 2B rows with label 1 = real (Agon's StandardGan scale), Adam step on D.
  G step: fresh z -> G -> D -> mean softplus(-logit) (non-saturating); D's parameters get no
          gradient and no update; Adam step on G.
  default: the embedded default experiment's networks (torch_dcgan.build_standard(32): the 32x32
          DCGAN, width 64, batch norm in both), batch 64. Its D has batch norm, so, as Agon does
          for a batch-coupled D, real and fake rows take separate forward/backward passes
          (gradients accumulated) before one Adam step. Synthetic uniform images stand in for
          Fashion-MNIST: the data do not change the arithmetic.

Run with Debian's /usr/bin/python3 (torch 1.13 linked to OpenBLAS via libopenblas0-pthread).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

CASES = ("ring", "mlp784-b64", "mlp784-b256", "default")
THREADS = (1, 2)


def build(case, torch):
    nn = torch.nn
    if case == "ring":
        # Agon's embedded defaults: the ring experiment.
        g = nn.Sequential(nn.Linear(256, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(),
                          nn.Linear(128, 2))
        d = nn.Sequential(nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(),
                          nn.Linear(128, 1))
        angles = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
        centres = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)

        def data(b):
            idx = torch.randint(0, 8, (b,))
            return centres[idx] + 0.01 * torch.randn(b, 2)

        return dict(g=g, d=d, zdim=256, batch=512, lr_g=1e-3, lr_d=1e-4, data=data)
    if case == "default":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import torch_dcgan
        g, d = torch_dcgan.build_standard(torch, 32)
        return dict(g=g, d=d, zdim=100, batch=64, lr_g=2e-4, lr_d=2e-4, separate=True,
                    data=lambda b: torch.rand(b, 1, 32, 32) * 2 - 1)
    batch = int(case.split("-b")[1])
    lrelu = lambda: nn.LeakyReLU(0.2)  # noqa: E731
    g = nn.Sequential(nn.Linear(100, 256), lrelu(), nn.Linear(256, 512), lrelu(),
                      nn.Linear(512, 1024), lrelu(), nn.Linear(1024, 784), nn.Tanh())
    d = nn.Sequential(nn.Linear(784, 512), lrelu(), nn.Linear(512, 256), lrelu(),
                      nn.Linear(256, 1))

    def data(b):
        # Synthetic uniform [-1, 1) rows, like Agon's bench source: a timing benchmark only.
        return torch.rand(b, 784) * 2 - 1

    return dict(g=g, d=d, zdim=100, batch=batch, lr_g=2e-4, lr_d=2e-4, data=data)


def median_ms(ns):
    return statistics.median(ns) / 1e6


def worker(args):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    out = {"threads": args.threads, "torch": torch.__version__, "cases": []}
    for case in args.cases:
        c = build(case, torch)
        g, d, b, zdim = c["g"], c["d"], c["batch"], c["zdim"]
        opt_g = torch.optim.Adam(g.parameters(), lr=c["lr_g"], betas=(0.5, 0.999), eps=1e-8)
        opt_d = torch.optim.Adam(d.parameters(), lr=c["lr_d"], betas=(0.5, 0.999), eps=1e-8)
        labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])
        d_ns, g_ns = [], []
        start = end = None
        for i in range(1, args.warmup + args.iterations + 1):
            real = c["data"](b)
            with torch.no_grad():
                fake = g(torch.randn(b, zdim))
            t1 = time.perf_counter_ns()
            opt_d.zero_grad(set_to_none=True)
            if c.get("separate"):
                loss_real = F.softplus(-d(real)).mean()
                loss_real.backward()
                loss_fake = F.softplus(d(fake)).mean()
                loss_fake.backward()
                loss_d = loss_real + loss_fake
            else:
                logits = d(torch.cat([real, fake]))
                loss_d = 2 * F.binary_cross_entropy_with_logits(logits, labels)
                loss_d.backward()
            opt_d.step()
            t2 = time.perf_counter_ns()
            for p in d.parameters():
                p.requires_grad_(False)
            loss_g = F.softplus(-d(g(torch.randn(b, zdim)))).mean()
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            for p in d.parameters():
                p.requires_grad_(True)
            t3 = time.perf_counter_ns()
            if i == args.warmup:
                start = t3
            elif i > args.warmup:
                d_ns.append(t2 - t1)
                g_ns.append(t3 - t2)
            end = t3
        out["cases"].append({
            "case": case, "batch_size": b,
            "d_step_ms": median_ms(d_ns), "g_step_ms": median_ms(g_ns),
            "wall_ms_per_iteration": (end - start) / 1e6 / args.iterations,
            "loss_d": float(loss_d), "loss_g": float(loss_g),
        })
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    args.cases = [c for c in args.cases.split(",") if c]
    for c in args.cases:
        if c not in CASES:
            ap.error(f"unknown case {c!r}; known: {', '.join(CASES)}")
    if args.worker:
        worker(args)
        return
    runs = []
    for t in THREADS:
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t),
                   MKL_NUM_THREADS=str(t))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--threads", str(t),
               "--cases", ",".join(args.cases), "--warmup", str(args.warmup),
               "--iterations", str(args.iterations)]
        res = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True)
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
        print(f"torch {runs[-1]['torch']}, {t} thread(s) done", file=sys.stderr)
    rows = []
    for case in args.cases:
        per = [(r["threads"], next(c for c in r["cases"] if c["case"] == case)) for r in runs]
        best = min(per, key=lambda p: p[1]["wall_ms_per_iteration"])[0]
        for t, c in per:
            rows.append(dict(c, threads=t, fastest=(t == best)))
    print(f"\nPyTorch {runs[0]['torch']} CPU, k = 1; {args.warmup} warm-up + {args.iterations} "
          "measured iterations per setting; * = fastest wall time per iteration\n")
    print("| case | batch | threads | D ms | G ms | ms/iter |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        mark = " *" if r["fastest"] else ""
        print(f"| {r['case']} | {r['batch_size']} | {r['threads']}{mark} | {r['d_step_ms']:.2f} "
              f"| {r['g_step_ms']:.2f} | {r['wall_ms_per_iteration']:.2f} |")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"benchmark": "torch_steps", "torch": runs[0]["torch"], "k": 1,
                       "warmup": args.warmup, "iterations": args.iterations, "rows": rows}, f,
                      indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
