#!/usr/bin/env bash
# Training throughput with /metrics scraped 100 times a second vs not scraped, in one run: a
# ring run trains while bench/python/scrape.py alternates 10-second phases of no scraping and of
# scraping at 100 Hz, then compares G updates per second (from the run's metrics.jsonl) between
# the two kinds of phase. Alternating inside one run cancels JVM warm-up and slow drifts in the
# machine's load, which separate runs would confound with the effect.
# Usage: bench/scrape.sh [ITERATIONS] [HZ] [extra --set KEY=VALUE ...]
# SCRAPE_PATH=/-/healthy scrapes that instead: the cost of the client and the HTTP round trip
# alone, the control for /metrics.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
iterations="${1:-8000}"
hz="${2:-100}"
shift $(( $# > 2 ? 2 : $# ))
run="$(mktemp -d)/scrape-bench"
./agon --version >/dev/null
echo "# ${SCRAPE_PATH:-/metrics} scraped at ${hz} Hz vs not, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ./agon train --config config/ring.conf --set schedule.iterations=${iterations} --set metrics.port=0 $*"
./agon train --config config/ring.conf --run "$run" --quiet \
  --set "schedule.iterations=${iterations}" --set metrics.port=0 "$@" >/dev/null &
train=$!
python3 bench/python/scrape.py "$run" --hz "$hz" --path "${SCRAPE_PATH:-/metrics}"
wait "$train"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$(dirname "$run")"
