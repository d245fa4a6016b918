#!/usr/bin/env bash
# OpenMP threads per actor: the same engine benchmark (plain loop, synchronous engine, staleness 1)
# with OMP_NUM_THREADS=1 and =2, back to back in one run. With s >= 1 the Generator and the
# Discriminator compute at the same time, so 2 threads each means 4 threads on 2 cores.
# Usage: bench/cores.sh [extra agon bench steps args]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./agon --version >/dev/null
echo "# OpenMP threads per actor, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 2; do
  echo
  echo "## OMP_NUM_THREADS=$t"
  OMP_NUM_THREADS=$t ./agon bench steps --cases ring,mlp784-b64 --rounds 2 --staleness 1 "$@" 2>/dev/null \
    | sed -n '/^| case/,$p'
done
