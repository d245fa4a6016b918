#!/usr/bin/env bash
# Quality of the 2-D experiments over seeds: trains each experiment with each seed through
# ./agon train, exports 2,500 samples with ./agon sample and prints the VEEGAN/PacGAN metric
# (modes captured, % high quality, reverse KL) as a Markdown table.
# Usage: [LABEL=name] bench/quality.sh [EXPERIMENTS] [SEEDS] [PARALLEL] [EXTRA --set ARGS...]
#   e.g. bench/quality.sh "ring grid" "1 2 3" 2
#        LABEL=s1 bench/quality.sh "ring grid" "1 2 3" 2 --set schedule.staleness=1
# Runs go to bench/out/quality/LABEL/ (default LABEL: base). Results depend only on the
# configuration and seed, so runs in parallel score exactly as runs alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
experiments="${1:-ring grid}"
seeds="${2:-1 2 3}"
parallel="${3:-2}"
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
label="${LABEL:-base}"
out="$root/bench/out/quality/$label"
mkdir -p "$out"
cd "$root"
# Build once, then pin a private copy: edits to the sources during the runs change nothing.
./agon --version >/dev/null
cp target/agon.jar "$out/agon.jar"
export AGON_JAR="$out/agon.jar"
jobs=()
for e in $experiments; do
  for s in $seeds; do
    jobs+=("$e $s")
  done
done
run_one() {
  local e=$1 s=$2 dir="$out/$1-seed$2"
  rm -rf "$dir"
  ./agon train --quiet --config "config/$e.conf" --set seed="$s" --run "$dir" "${extra[@]}" \
    > "$dir.train.log" 2>&1
  ./agon sample --run "$dir" --n 2500 --out "$dir.npy" --png "$dir.png" > "$dir.sample.log"
}
i=0
for j in "${jobs[@]}"; do
  run_one $j &
  i=$((i + 1))
  if (( i % parallel == 0 )); then wait; fi
done
wait
echo "| experiment | variant | seed | modes | high quality | reverse KL | wall s |"
echo "|---|---|---:|---:|---:|---:|---:|"
for j in "${jobs[@]}"; do
  set -- $j
  dir="$out/$1-seed$2"
  line=$(tail -1 "$dir.sample.log")
  wall=$(/usr/bin/python3 -c "
import json
ev=[json.loads(l) for l in open('$dir/metrics.jsonl')]
t=[e['time_ms'] for e in ev if 'time_ms' in e]
print(round((t[-1]-t[0])/1000))")
  echo "$line" | sed -E "s#modes ([0-9]+)/([0-9]+), high-quality ([0-9.]+)%, reverse KL ([0-9.a-zA-Z]+)#| $1 | $label | $2 | \1/\2 | \3% | \4 | $wall |#"
done
