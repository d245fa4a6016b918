#!/usr/bin/env bash
# Semi-supervised K+1 discriminator against the supervised-only baseline (issue 16; BENCHMARKS.md
# "Semi-supervised classifier"): for 100 and 1,000 labels (config/fashion-mnist-semi-supervised
# and -1000) and each label draw (data.label-seed), one run with the paper's loss
# (objective.unsupervised-weight = 1) and one with the same D network, data, labels and seed but
# D trained on the labelled minibatches alone (weight 0; G still runs and cannot reach D). Each
# run's score is the final evaluation's classifier_accuracy in its metrics.jsonl: D's test
# accuracy as a 10-class classifier on the 10,000 Fashion-MNIST test images, the same number
# `agon eval --metrics classifier` prints. Prints a table (mean +- std over the draws, sample
# std) and the command lines. Results: bench/out/semi-supervised/.
#
# ITERATIONS (default 3000), WIDTH (model.dcgan.width, default 64), SEEDS (label draws, default
# "1 2 3"), CONFIGS (default both) and OUT (default bench/out/semi-supervised): the full sweep is
# the defaults, 12 runs of 3,000 iterations at width 64 (hours on a 2-core CPU); a reduced one,
# ITERATIONS=400 WIDTH=32, took about 2 min a run on a shared 2-core EPYC. Accuracy does not
# depend on timing: load from other work changes how long, not what.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/bench/out/semi-supervised}"
rm -rf "$out" && mkdir -p "$out/runs"
iterations="${ITERATIONS:-3000}"
width="${WIDTH:-64}"
seeds="${SEEDS:-1 2 3}"
configs="${CONFIGS:-fashion-mnist-semi-supervised fashion-mnist-semi-supervised-1000}"
./agon --version >/dev/null # builds target/agon.jar when needed, outside the runs
# One jar for the whole sweep: an edit of the sources meanwhile cannot rebuild it between runs.
cp target/agon.jar "$out/agon.jar"
{
  echo "# Semi-supervised vs supervised-only, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(lscpu | sed -n 's/^CPU(s): *//p') CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- iterations $iterations, width $width, label draws (data.label-seed): $seeds"
  echo
  for conf in $configs; do
    for s in $seeds; do
      for w in 1 0; do
        run="$out/runs/$conf-s$s-w$w"
        cmd=(./agon train -c "config/$conf.conf" --run "$run" --quiet
          --set "data.label-seed=$s" --set "objective.unsupervised-weight=$w"
          --set "model.dcgan.width=$width" --set "schedule.iterations=$iterations"
          --set "eval.every-steps=0" --set "eval.metrics=[]")
        echo "    ${cmd[*]}" | sed "s|$root/||g" >>"$out/commands.txt"
        AGON_JAR="$out/agon.jar" "${cmd[@]}" >"$run.log" 2>&1 || {
          echo "run failed: $run (see $run.log)" >&2
          exit 1
        }
      done
    done
  done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  python3 - "$out/runs" <<'PY'
import glob, json, os, re, statistics, sys
acc = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "metrics.jsonl"))):
    m = re.match(r"(.*)-s(\d+)-w(\d)$", os.path.basename(os.path.dirname(f)))
    final = [j for j in map(json.loads, open(f)) if j.get("event") == "eval" and j.get("final")]
    if not final or "classifier_accuracy" not in final[-1]:
        sys.exit(f"{f}: no final classifier_accuracy")
    acc.setdefault((m[1], m[3]), {})[m[2]] = final[-1]["classifier_accuracy"]
def ms(xs):
    sd = statistics.stdev(xs) if len(xs) > 1 else float("nan")
    return f"{100 * statistics.mean(xs):.1f} ± {100 * sd:.1f}"
print("D's test accuracy (%) on the 10,000 Fashion-MNIST test images, mean ± sample std over the"
      " label draws; difference = semi-supervised - baseline, paired by draw\n")
print("| labels | draws | semi-supervised (w = 1) | supervised-only (w = 0) | difference |")
print("|---|---:|---:|---:|---:|")
for conf, n in (("fashion-mnist-semi-supervised", "100"), ("fashion-mnist-semi-supervised-1000", "1,000")):
    if (conf, "1") not in acc:
        continue
    ssl, base = acc[(conf, "1")], acc[(conf, "0")]
    draws = sorted(ssl)
    print(f"| {n} | {len(draws)} | {ms([ssl[d] for d in draws])} | {ms([base[d] for d in draws])}"
          f" | {ms([ssl[d] - base[d] for d in draws])} |")
print("\nper run (config, weight: label seed: accuracy):")
for (conf, w), v in sorted(acc.items()):
    print(f"- {conf} w={w}: " + ", ".join(f"{d}: {100 * x:.1f}" for d, x in sorted(v.items())))
PY
  echo
  echo "commands:"
  echo
  cat "$out/commands.txt"
} | tee "$out/report.md"
