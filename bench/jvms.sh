#!/usr/bin/env bash
# G updates per second of the ring experiment in one JVM (agon train) and in three (agon node:
# coordinator + data-loader + evaluator, generator, discriminator; tensors over Aeron IPC), with
# staleness 0 and 1, back to back in one run. The rate is taken from metrics.jsonl over the last
# four fifths of the updates (past start-up and JIT); the losses of both deployments are compared
# as multisets (their interleaving under staleness depends on timing).
# Usage: bench/jvms.sh [G updates, default 3000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-3000}"
./agon --version >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sets=(--set "schedule.iterations=$n" --set eval.every-steps=0 --set eval.plots=false
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
echo "# ring, $n G updates, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in 0 1; do
  ./agon train -c config/ring.conf --run "$work/one$s" --quiet "${sets[@]}" \
    --set "schedule.staleness=$s" >"$work/one$s.out" 2>&1
  echo "one JVM,    staleness $s: $(rate "$work/one$s/metrics.jsonl")"
  port=$((25600 + s))
  seed="127.0.0.1:$port"
  ./agon node --role coordinator,data-loader,evaluator --port "$port" --seed "$seed" \
    -c config/ring.conf --run "$work/three$s" "${sets[@]}" --set "schedule.staleness=$s" \
    >"$work/c$s.out" 2>&1 &
  coordinator=$!
  for role in generator discriminator; do
    ./agon node --role "$role" --seed "$seed" -c config/ring.conf "${sets[@]}" \
      --set "schedule.staleness=$s" >"$work/$role$s.out" 2>&1 &
  done
  wait "$coordinator" || { echo "the coordinator node failed:"; cat "$work/c$s.out"; exit 1; }
  # The worker nodes exit once their coordinator is gone.
  wait || true
  echo "three JVMs, staleness $s: $(rate "$work/three$s/metrics.jsonl")"
  if cmp -s <(losses "$work/one$s/metrics.jsonl") <(losses "$work/three$s/metrics.jsonl"); then
    echo "  the same losses"
  else
    echo "  LOSSES DIFFER"
  fi
done
