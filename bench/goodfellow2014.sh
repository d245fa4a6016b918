#!/usr/bin/env bash
# The 2014 GAN as released (issue 17 item 6; BENCHMARKS.md "The 2014 network as published"):
# trains config/mnist-goodfellow2014.conf on Fashion-MNIST's training split (Debian's
# dataset-fashion-mnist; MNIST does not ship) for each seed, with its periodic evaluations (IS,
# FID, classes with the shipped classifier; the classifier-free pixel indicators) and sample grids,
# then scores the last checkpoint with
#   agon eval --metrics parzen,is,fid,classes --n N
# (Parzen window on the test split, sigma chosen on the last 10,000 training images, as the
# paper's Table 1). Prints, per seed, rollbacks, the evaluations every 1,000 updates and the
# final scores, with the command lines. Results: bench/out/goodfellow2014/.
#
# ITERATIONS (default 20000), SEEDS (default "1 2"), N (samples scored, default 10000), PARALLEL
# (runs at a time, default 2) and OUT (default bench/out/goodfellow2014). One 20,000-update run
# takes about 35 minutes alone on a 2-core EPYC, about an hour two at a time. Scores do not depend
# on timing (a seeded synchronous run is bit-identical): load changes how long, not what.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/bench/out/goodfellow2014}"
rm -rf "$out" && mkdir -p "$out/runs"
iterations="${ITERATIONS:-20000}"
seeds="${SEEDS:-1 2}"
n="${N:-10000}"
parallel="${PARALLEL:-2}"
./agon --version >/dev/null # builds target/agon.jar when needed, outside the runs
cp target/agon.jar "$out/agon.jar"
export AGON_JAR="$out/agon.jar"

one() {
  local seed=$1
  local run="$out/runs/s$seed"
  local train=(./agon train -c config/mnist-goodfellow2014.conf --run "$run" --quiet
    --set data.kind=fashion-mnist --set 'data.path=""' --set data.split=train
    --set "seed=$seed" --set "schedule.iterations=$iterations" --set metrics.port=0)
  local eval=(./agon eval --run "$run" --metrics parzen,is,fid,classes --n "$n")
  printf '    %s\n    %s\n' "${train[*]}" "${eval[*]}" | sed "s|$root/||g" >"$run.commands"
  "${train[@]}" >"$run.log" 2>&1 && "${eval[@]}" >"$run.eval.txt" 2>&1 || {
    echo "run failed: $run (see $run.log, $run.eval.txt)" >&2
    return 1
  }
}

{
  echo "# goodfellow2014 on Fashion-MNIST, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(lscpu | sed -n 's/^CPU(s): *//p') CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- iterations $iterations, seeds $seeds, $n samples scored, $parallel run(s) at a time"
  started=$(date +%s)
  pids=()
  for s in $seeds; do
    one "$s" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$parallel" ]; then
      wait "${pids[0]}" || exit 1
      pids=("${pids[@]:1}")
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || exit 1; done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(($(date +%s) - started)) s in all"
  echo
  cat "$out"/runs/*.commands
  echo
  python3 - "$out/runs" <<'PY'
import glob, json, os, sys
for run in sorted(glob.glob(os.path.join(sys.argv[1], "s*"))):
    if not os.path.isdir(run):
        continue
    events = [json.loads(l) for l in open(os.path.join(run, "metrics.jsonl"))]
    rollbacks = sum(1 for e in events if e.get("event") == "rollback")
    print(f"## seed {os.path.basename(run)[1:]}: {rollbacks} rollback(s)")
    print()
    print("| G update | IS | FID | classes >= 1% | pixel near-duplicates | pixel distance ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    for e in events:
        if e.get("event") == "eval" and "is" in e:
            print(f"| {e['step']:,} | {e['is']:.2f} | {e['fid']:.1f} | {e['classes_present']} | "
                  f"{e['pixel_duplicate_ratio']:.3f} | {e['pixel_distance_ratio']:.3f} |")
    print()
    print("```")
    print(open(run + ".eval.txt").read().strip())
    print("```")
    print()
PY
} | tee "$out/report.md"
