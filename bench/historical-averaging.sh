#!/usr/bin/env bash
# Historical averaging (Salimans et al. 2016, Sec. 3.3) over a grid of weights and start
# updates on a 2-D experiment: one bench/quality.sh variant per setting, the same weight on
# both players, scored like the plain rows (modes, % high quality, reverse KL).
# Usage: [WEIGHTS="1e-5 1e-4"] [STARTS="0 10000"] [WINDOWS=0] [SEEDS="1 2 3"] [PARALLEL=2] \
#        [EXPERIMENT=grid] bench/historical-averaging.sh [--set ...]
# WINDOWS: stabilizers.historical-averaging.window values (0: the mean over every version).
# Variants go to bench/out/quality/ha-WEIGHT-sSTART[-wWINDOW]/; each table is printed as it
# completes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
weights="${WEIGHTS:-1e-5 1e-4}"
starts="${STARTS:-0 10000}"
windows="${WINDOWS:-0}"
seeds="${SEEDS:-1 2 3}"
parallel="${PARALLEL:-2}"
experiment="${EXPERIMENT:-grid}"
for w in $weights; do
  for s in $starts; do
    for n in $windows; do
      label="ha-$w-s$s"
      if [ "$n" != 0 ]; then label="$label-w$n"; fi
      LABEL="$label" "$root/bench/quality.sh" "$experiment" "$seeds" "$parallel" \
        --set stabilizers.historical-averaging.generator-weight="$w" \
        --set stabilizers.historical-averaging.discriminator-weight="$w" \
        --set stabilizers.historical-averaging.start="$s" \
        --set stabilizers.historical-averaging.window="$n" "$@"
    done
  done
done
