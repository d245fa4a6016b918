#!/usr/bin/env bash
# Step-time benchmarks, all in one go: Agon's plain loop vs actor engine (agon bench steps), the
# same models in PyTorch on CPU (torch_steps.py) and in ND4J SameDiff (SameDiffMlpProbe.java).
# Results go to bench/out/ (report.txt = everything printed here, plus JSON and stderr logs).
# Extra arguments are passed to `agon bench steps` (e.g. --cases ring --rounds 1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/out"
mkdir -p "$out"
cd "$root"
# OpenMP threads sleep between ops instead of spinning (best medians on few cores; see README).
export OMP_WAIT_POLICY=PASSIVE
py=/usr/bin/python3 # Debian's python: torch 1.13 + numpy, OpenBLAS via libopenblas0-pthread

# Build first (./agon builds target/agon.jar when missing or older than the sources), so that the
# build is not part of any measurement.
./agon --version >/dev/null

{
  echo "# Agon step benchmarks, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -1); $(./agon --version)"
  echo "- OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
  echo "- torch: $("$py" - <<'PY'
import torch
torch.mm(torch.ones(64, 64), torch.ones(64, 64))
blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower()})
print(torch.__version__, "BLAS:", ", ".join(blas) or "(none mapped)")
PY
)"
  echo "- ND4J BLAS: see the 'agon bench steps' environment line below"
  echo "- all variants below were measured back to back in this one run"
  echo
  echo "## Agon: plain loop vs actor engine"
  echo
  ./agon bench steps --staleness 1,2 --json "$out/agon_steps.json" "$@" 2>"$out/agon_steps.log"
  echo
  echo "## PyTorch, same models and steps"
  "$py" bench/python/torch_steps.py --json "$out/torch_steps.json" 2>"$out/torch_steps.log"
  echo
  echo "## ND4J SameDiff, 784-d MLP GAN"
  echo
  # the kernels ./agon picks (tools/coretype.sh), for this JVM only: PyTorch above links OpenBLAS too
  # shellcheck source=../tools/coretype.sh
  (. tools/coretype.sh && OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" java -Xmx2g -cp target/agon.jar src/bench/java/dev/agon/bench/probe/SameDiffMlpProbe.java 2>"$out/samediff.log")
  echo
  echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- finished $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
} | tee "$out/report.txt"
