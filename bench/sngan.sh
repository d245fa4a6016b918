#!/usr/bin/env bash
# SNGAN against the default DCGAN at equal iterations (issue 16; BENCHMARKS.md "SNGAN against the
# default DCGAN"): trains config/fashion-mnist-sngan.conf (conditional, projection D with spectral
# norm, hinge loss) and config/fashion-mnist-dcgan.conf (the default experiment) for each seed,
# then scores each run's last checkpoint with the same command:
#   agon eval --metrics is,fid --n N (plus class-accuracy for the conditional runs).
# Both configs train on the embedded Fashion-MNIST test split, so FID is against the images they
# trained on, as everywhere else in BENCHMARKS.md. Prints a table (mean +- sample std over the
# seeds) and the command lines. Results: bench/out/sngan/.
#
# ITERATIONS (default 3000), SEEDS (default "1 2 3"), N (samples scored, default 10000),
# PARALLEL (runs at a time, default 1) and OUT (default bench/out/sngan). The default sweep is 6
# runs of 3,000 iterations, about 13 minutes each on a shared 2-core EPYC. IS and FID do not
# depend on timing (a seeded synchronous run is bit-identical): load changes how long, not what.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/bench/out/sngan}"
rm -rf "$out" && mkdir -p "$out/runs"
iterations="${ITERATIONS:-3000}"
seeds="${SEEDS:-1 2 3}"
n="${N:-10000}"
parallel="${PARALLEL:-1}"
./agon --version >/dev/null # builds target/agon.jar when needed, outside the runs
# One jar for the whole sweep: an edit of the sources meanwhile cannot rebuild it between runs.
cp target/agon.jar "$out/agon.jar"
export AGON_JAR="$out/agon.jar"

# One run: train, then score the last checkpoint; its eval.json is what the table reads.
one() {
  local conf=$1 seed=$2
  local run="$out/runs/$conf-s$seed"
  local metrics=is,fid
  [ "$conf" = fashion-mnist-sngan ] && metrics=is,fid,class-accuracy
  local train=(./agon train -c "config/$conf.conf" --run "$run" --quiet --set "seed=$seed"
    --set "schedule.iterations=$iterations" --set eval.every-steps=0 --set "eval.metrics=[]"
    --set metrics.port=0)
  local eval=(./agon eval --run "$run" --metrics "$metrics" --n "$n")
  printf '    %s\n    %s\n' "${train[*]}" "${eval[*]}" | sed "s|$root/||g" >"$run.commands"
  "${train[@]}" >"$run.log" 2>&1 && "${eval[@]}" >"$run.eval.txt" 2>&1 || {
    echo "run failed: $run (see $run.log, $run.eval.txt)" >&2
    return 1
  }
}

{
  echo "# SNGAN vs DCGAN, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(lscpu | sed -n 's/^CPU(s): *//p') CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- iterations $iterations, seeds $seeds, $n samples scored, $parallel run(s) at a time"
  started=$(date +%s)
  pids=()
  for s in $seeds; do
    for conf in fashion-mnist-sngan fashion-mnist-dcgan; do
      one "$conf" "$s" &
      pids+=($!)
      if [ "${#pids[@]}" -ge "$parallel" ]; then
        wait "${pids[0]}" || exit 1
        pids=("${pids[@]:1}")
      fi
    done
  done
  for p in "${pids[@]}"; do wait "$p" || exit 1; done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(($(date +%s) - started)) s in all"
  echo
  cat "$out"/runs/*.commands | sed 's/^/    /' | sed 's/^        /    /'
  echo
  python3 - "$out/runs" <<'PY'
import glob, json, os, re, statistics, sys
rows = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "checkpoints", "*", "eval.json"))):
    run = os.path.basename(f.split("/checkpoints/")[0])
    m = re.match(r"(.*)-s(\d+)$", run)
    rows.setdefault(m[1], {}).setdefault(m[2], []).append((os.path.basename(os.path.dirname(f)), json.load(open(f))))
def ms(xs, fmt):
    sd = statistics.stdev(xs) if len(xs) > 1 else float("nan")
    return f"{fmt.format(statistics.mean(xs))} ± {fmt.format(sd)}"
print("| config | seeds | IS (mean ± std over seeds) | FID (mean ± std over seeds) | class accuracy |")
print("|---|---:|---:|---:|---:|")
per_seed = []
for conf in ("fashion-mnist-sngan", "fashion-mnist-dcgan"):
    if conf not in rows:
        continue
    last = {s: max(v)[1] for s, v in rows[conf].items()}  # the newest scored checkpoint per seed
    seeds = sorted(last)
    iss = [last[s]["is"] for s in seeds]
    fids = [last[s]["fid"] for s in seeds]
    ca = [last[s]["class_accuracy"] for s in seeds if "class_accuracy" in last[s]]
    print(f"| {conf} | {len(seeds)} | {ms(iss, '{:.3f}')} | {ms(fids, '{:.2f}')} | "
          + (ms(ca, "{:.4f}") if ca else "–") + " |")
    for s in seeds:
        j = last[s]
        per_seed.append(f"- {conf} seed {s} ({max(rows[conf][s])[0]}): IS {j['is']:.3f} ± {j['is_std']:.3f}"
                        f" (10 splits), FID {j['fid']:.2f}"
                        + (f", class accuracy {j['class_accuracy']:.4f}" if "class_accuracy" in j else ""))
print("\nper seed:")
print("\n".join(per_seed))
PY
} | tee "$out/report.md"
