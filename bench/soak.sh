#!/usr/bin/env bash
# Soak benchmark: trains an experiment for STEPS G updates through ./agon and samples the JVM's
# memory every INTERVAL seconds: heap used and committed (jstat), metaspace, RSS (/proc), and the
# off-heap estimate RSS - committed heap - metaspace - class space (ND4J's buffers live there).
# Prints a summary comparing the warm window (after WARMUP_FRACTION of the samples) with the end.
#
#   bench/soak.sh STEPS [EXPERIMENT_CONF] [INTERVAL_S] [--set KEY=VALUE ...]
#   e.g. bench/soak.sh 20000                      # the default experiment, 20,000 G updates
#        bench/soak.sh 3000 config/ring.conf 5
#
# Output: soak/<timestamp>/memory.csv (time_s, step, heap_used_mb, heap_committed_mb,
# metaspace_mb, rss_mb, offheap_mb), soak/<timestamp>/train.log and the summary on stdout.
set -euo pipefail
steps="${1:?usage: bench/soak.sh STEPS [EXPERIMENT_CONF] [INTERVAL_S] [--set KEY=VALUE ...]}"
conf="${2:-}"
interval="${3:-10}"
shift $(( $# >= 3 ? 3 : $# ))
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="soak/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
args=(train --run "$out/run" --quiet --set "schedule.iterations=$steps")
[ -n "$conf" ] && args+=(--config "$conf")
args+=("$@")
./agon "${args[@]}" > "$out/train.log" 2>&1 &
launcher=$!
# ./agon execs java: the launcher's pid is the JVM's once the jar is built.
echo "time_s,step,heap_used_mb,heap_committed_mb,metaspace_mb,rss_mb,offheap_mb" > "$out/memory.csv"
start=$(date +%s)
while kill -0 "$launcher" 2>/dev/null; do
  sleep "$interval"
  pid=$launcher
  gc=$(jstat -gc "$pid" 2>/dev/null | tail -1) || continue
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
  [ -z "$gc" ] || [ -z "$rss_kb" ] && continue
  step=$(grep -o '"event":"g_step","step":[0-9]*' "$out/run/metrics.jsonl" 2>/dev/null | tail -1 | grep -o '[0-9]*$' || echo 0)
  # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU MC MU CCSC CCSU ... (KiB)
  echo "$gc" | awk -v t="$(( $(date +%s) - start ))" -v step="${step:-0}" -v rss="$rss_kb" '{
    used = ($3 + $4 + $6 + $8) / 1024; committed = ($1 + $2 + $5 + $7) / 1024;
    meta = $9 / 1024; ccs = $11 / 1024; r = rss / 1024;
    printf "%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f\n", t, step, used, committed, meta, r, r - committed - meta - ccs
  }' >> "$out/memory.csv"
done
wait "$launcher" || { echo "soak: training failed, see $out/train.log" >&2; exit 1; }
tail -2 "$out/train.log"
python3 - "$out/memory.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if len(rows) < 8:
    sys.exit("soak: too few samples (%d) for a summary" % len(rows))
warm = len(rows) // 4  # the first quarter is warm-up
def window(rs, k): return statistics.median(float(r[k]) for r in rs)
a, b = rows[warm:warm + max(2, len(rows) // 8)], rows[-max(2, len(rows) // 8):]
print("samples %d, steps %s..%s, warm-up: first %d samples" % (len(rows), rows[0]["step"], rows[-1]["step"], warm))
print("| measure (MiB, median of window) | after warm-up | end | growth |")
print("|---|---|---|---|")
for k in ["heap_used_mb", "heap_committed_mb", "metaspace_mb", "rss_mb", "offheap_mb"]:
    x, y = window(a, k), window(b, k)
    print("| %s | %.1f | %.1f | %+.1f%% |" % (k, x, y, 100 * (y - x) / x if x else float("nan")))
PY
