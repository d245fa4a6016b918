#!/usr/bin/env bash
# G updates per second of the ring and the DCGAN experiments in one JVM (agon train) and in three
# (agon node: coordinator + data-loader + evaluator, generator, discriminator; tensors over Aeron
# IPC), with staleness 0 and 1, back to back in one run. The rate is taken from metrics.jsonl over the last
# four fifths of the updates (past start-up and JIT); the losses of both deployments are compared
# as multisets (their interleaving under staleness depends on timing).
# Usage: bench/jvms.sh [ring G updates, default 3000] [DCGAN G updates, default 300]
# (the DCGAN is config/fashion-mnist-dcgan.conf as it is: width 64, batch 64; its final
# evaluation scores 100 samples only, after the timed updates)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-3000}"
nd="${2:-300}"
./agon --version >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sets=(--set eval.every-steps=0 --set eval.samples=100 --set eval.plots=false
  --set checkpoint.every-steps=0 --set checkpoint.every-seconds=0 --set metrics.enabled=false)
rate() {
  python3 - "$1" <<'PY'
import json, sys
t = {}
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "g_step":
        t[e["step"]] = e["time_ms"]
n = max(t)
a = n // 5
print(f"{(n - a) / ((t[n] - t[a]) / 1000):.1f} G updates/s over updates {a}-{n}")
PY
}
losses() { grep -o '"loss_[dg]":[^,]*' "$1" | sort; }
# One experiment, both deployments, staleness 0 and 1: bench NAME CONFIG G-UPDATES PORT-BASE.
bench() {
  local name="$1" config="$2" its="$3" base="$4"
  local run=("${sets[@]}" --set "schedule.iterations=$its")
  echo "# $name ($config), $its G updates, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for s in 0 1; do
    ./agon train -c "$config" --run "$work/$name-one$s" --quiet "${run[@]}" \
      --set "schedule.staleness=$s" >"$work/$name-one$s.out" 2>&1
    echo "$name, one JVM,    staleness $s: $(rate "$work/$name-one$s/metrics.jsonl")"
    local port=$((base + s))
    local seed="127.0.0.1:$port"
    ./agon node --role coordinator,data-loader,evaluator --port "$port" --seed "$seed" \
      -c "$config" --run "$work/$name-three$s" "${run[@]}" --set "schedule.staleness=$s" \
      >"$work/$name-c$s.out" 2>&1 &
    local coordinator=$!
    local workers=()
    for role in generator discriminator; do
      ./agon node --role "$role" --seed "$seed" -c "$config" "${run[@]}" \
        --set "schedule.staleness=$s" >"$work/$name-$role$s.out" 2>&1 &
      workers+=($!)
    done
    # A worker node gone while its coordinator runs (it could not join, under load) would leave
    # the coordinator waiting for that role: stop the run instead of hanging.
    while kill -0 "$coordinator" 2>/dev/null; do
      for w in "${workers[@]}"; do
        if ! kill -0 "$w" 2>/dev/null && kill -0 "$coordinator" 2>/dev/null; then
          echo "a worker node of $name, staleness $s, is gone before the run ended:"
          tail -n 5 "$work/$name-generator$s.out" "$work/$name-discriminator$s.out"
          kill "$coordinator" "${workers[@]}" 2>/dev/null || true
          exit 1
        fi
      done
      sleep 1
    done
    wait "$coordinator" || { echo "the coordinator node failed:"; cat "$work/$name-c$s.out"; exit 1; }
    # The worker nodes exit once their coordinator is gone.
    wait || true
    echo "$name, three JVMs, staleness $s: $(rate "$work/$name-three$s/metrics.jsonl")"
    if cmp -s <(losses "$work/$name-one$s/metrics.jsonl") <(losses "$work/$name-three$s/metrics.jsonl"); then
      echo "  the same losses"
    else
      echo "  LOSSES DIFFER"
    fi
  done
}
bench ring config/ring.conf "$n" 25600
bench dcgan config/fashion-mnist-dcgan.conf "$nd" 25610
