#!/usr/bin/env bash
# Training throughput of the default experiment with the Evaluator scoring image metrics vs not
# running at all, in one invocation: ROUNDS pairs of runs of ITERS iterations, the two variants
# alternating (off, on, off, on, ...) so that drift in machine load hits both alike.
#   off: eval.every-steps = 0, eval.metrics = [], eval.jsd = false (no Evaluator; one grid at
#        the end)
#   on:  eval.every-steps = EVERY with the default metrics (is, fid, pr, dc, classes of 5,000)
#        and the JSD bound
# Reports per run the median and mean time per iteration over the G updates after the first 20
# (warm-up), read from metrics.jsonl (g_step time_ms), and the evaluations done and skipped.
# Usage: bench/evaluator.sh [ITERS] [EVERY] [ROUNDS]   (default 600 100 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iters="${1:-600}"
every="${2:-100}"
rounds="${3:-2}"
out="$root/bench/out/evaluator"
mkdir -p "$out"
cd "$root"
./agon --version >/dev/null
cp target/agon.jar "$out/agon.jar"
export AGON_JAR="$out/agon.jar"
# The reference features are computed once, before the timed runs.
./agon train --quiet --run "$out/warm" --set schedule.iterations=1 --set eval.every-steps=0 \
  > /dev/null 2>&1 || true
rm -rf "$out/warm"
for r in $(seq 1 "$rounds"); do
  for v in off on; do
    dir="$out/$v-$r"
    rm -rf "$dir"
    if [ "$v" = off ]; then
      set -- --set eval.every-steps=0 --set "eval.metrics=[]" --set eval.jsd=false
    else
      set -- --set eval.every-steps="$every"
    fi
    ./agon train --quiet --run "$dir" --set schedule.iterations="$iters" "$@" > "$dir.log" 2>&1
  done
done
echo "| run | iterations | ms/iteration (median) | ms/iteration (mean) | evaluations | skipped |"
echo "|---|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$rounds"); do
  for v in off on; do
    /usr/bin/python3 - "$out/$v-$r" "$v-$r" <<'EOF'
import json, statistics, sys
d, name = sys.argv[1], sys.argv[2]
ev = [json.loads(l) for l in open(d + "/metrics.jsonl")]
g = [e["time_ms"] for e in ev if e.get("event") == "g_step"]
dt = [b - a for a, b in zip(g[20:], g[21:])]
evals = [e for e in ev if e.get("event") == "eval" and not e.get("final")]
skipped = sum(e.get("skipped", 0) for e in evals)
print(f"| {name} | {len(g)} | {statistics.median(dt):.1f} | {statistics.fmean(dt):.1f} | {len(evals)} | {skipped} |")
EOF
  done
done
