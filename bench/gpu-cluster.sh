#!/usr/bin/env bash
# Issue 14 on a GPU machine: the DCGAN with the Generator on GPU 0 and the Discriminator on GPU 1
# (both on GPU 0 when there is one), first in one JVM (agon train), then in three (agon node:
# coordinator + data-loader + evaluator, generator, discriminator; tensors over Aeron IPC), back to
# back, N G updates each. Prints G updates/s of each (metrics.jsonl, last four fifths) and whether
# the losses agree. Builds the CUDA jar once (mvn -Pcuda; needs the CUDA 11.6 runtime), so the
# first run takes longer (AGON_JAR=FILE uses a jar built before). About 5 minutes at the default N
# on a recent card.
# Usage: bench/gpu-cluster.sh [G updates, default 500] [extra --set ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-500}"
shift || true
command -v nvidia-smi >/dev/null || { echo "error: nvidia-smi not found: no NVIDIA driver here" >&2; exit 2; }
gpus="$(nvidia-smi -L | grep -c '^GPU ' || true)"
[ "$gpus" -ge 1 ] || { echo "error: nvidia-smi lists no GPU" >&2; exit 2; }
d=$((gpus >= 2 ? 1 : 0))
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
if [ -z "${AGON_JAR:-}" ]; then # AGON_JAR=FILE: a CUDA jar built before
  mvn -B -q -Pcuda -DskipTests package
  cp target/agon.jar "$work/agon-cuda.jar"
  export AGON_JAR="$work/agon-cuda.jar"
fi
conf=config/fashion-mnist-dcgan.conf
sets=(--set "schedule.iterations=$n" --set eval.every-steps=0 --set eval.plots=false
  --set checkpoint.every-steps=0 --set checkpoint.every-seconds=0 --set metrics.enabled=false
  --set devices.generator=0 --set "devices.discriminator=$d" --set devices.evaluator=0 "$@")
losses() { grep -o '"loss_[dg]":[^,]*' "$1" | sort; }
echo "# DCGAN, $n G updates, $(date -u +%Y-%m-%dT%H:%M:%SZ), $gpus GPU(s): G on 0, D on $d"
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader
./agon train -c "$conf" --run "$work/one" --quiet "${sets[@]}" >"$work/one.out" 2>&1 \
  || { echo "agon train failed:"; cat "$work/one.out"; exit 1; }
echo "one JVM:    $(python3 bench/python/g_rate.py "$work/one/metrics.jsonl")"
seed=127.0.0.1:25700
./agon node --role coordinator,data-loader,evaluator --port 25700 --seed "$seed" -c "$conf" \
  --run "$work/three" "${sets[@]}" >"$work/c.out" 2>&1 &
coordinator=$!
for role in generator discriminator; do
  ./agon node --role "$role" --seed "$seed" -c "$conf" "${sets[@]}" >"$work/$role.out" 2>&1 &
done
wait "$coordinator" || { echo "the coordinator node failed:"; cat "$work/c.out"; exit 1; }
wait || true # the worker nodes exit once their coordinator is gone
grep -h 'device\|place nothing' "$work"/generator.out "$work"/discriminator.out | head -4 || true
echo "three JVMs: $(python3 bench/python/g_rate.py "$work/three/metrics.jsonl")"
if cmp -s <(losses "$work/one/metrics.jsonl") <(losses "$work/three/metrics.jsonl"); then
  echo "  the same losses"
else
  echo "  LOSSES DIFFER (GPU kernels may not be deterministic; see BENCHMARKS.md)"
fi
