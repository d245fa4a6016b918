#!/usr/bin/env bash
# DCGAN 28x28 forward+backward times, Agon (dev.agon.bench.DcganStepBench) against PyTorch
# (bench/python/torch_dcgan.py), same architecture, FLOAT, batch 64 and 128, 1 and 2 threads. Runs are
# alternated (Agon on each ND4J build, then PyTorch, per thread count, per round) so that a change
# in machine load hits both; the table shows the median over rounds of each run's median. Results: bench/out/dcgan/.
#
#   bench/dcgan.sh [ROUNDS]            (default 3)
#
# Environment: THREADS (default "1 2"), BATCHES (default 64,128), ITERATIONS (default 20),
# WARMUP (default 5), CORETYPES (default "default" and the family ./agon picks for this CPU,
# tools/coretype.sh: SKYLAKEX with AVX-512, HASWELL with AVX2): OpenBLAS kernels to run with,
# "default" meaning OPENBLAS_CORETYPE unset. OpenBLAS 0.3.19 (ND4J's) and Debian's do not know CPUs
# newer than they are and fall back to the generic Prescott kernels (check with OPENBLAS_VERBOSE=2):
# on an Emerald Rapids VM sgemm ran 3x slower so; SKYLAKEX selects the AVX-512 kernels (SIGILL on
# a CPU without AVX-512), HASWELL AVX2.
# VARIANTS (default "default" and the oneDNN build for this CPU, tools/nd4j-variant.sh): the ND4J
# native builds Agon runs on, each started as ./agon starts it with AGON_ND4J_VARIANT (the
# oneDNN builds run the channel-rich convolutions as libnd4j ops, nn.ConvKernels).
# Both sides link OpenBLAS (PyTorch's convolutions run in oneDNN and do not use it; its
# transposed convolution and linear layers do).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/out/dcgan"
mkdir -p "$out"
cd "$root"
rounds="${1:-3}"
threads="${THREADS:-1 2}"
batches="${BATCHES:-64,128}"
iterations="${ITERATIONS:-20}"
warmup="${WARMUP:-5}"
# shellcheck source=../tools/coretype.sh
. tools/coretype.sh
# shellcheck source=../tools/nd4j-variant.sh
. tools/nd4j-variant.sh
coretypes="${CORETYPES:-default $(agon_coretype)}"
variants="${VARIANTS:-default $(agon_nd4j_onednn_for_cpu)}"
py=/usr/bin/python3 # Debian's python: torch 1.13, OpenBLAS via libopenblas0-pthread
export OMP_WAIT_POLICY=PASSIVE

./agon --version >/dev/null # builds target/agon.jar when needed, outside the measurements
rm -f "$out"/run-*.json "$out"/run_*.json

run() { # coretype impl threads round; impl: torch, or agon:VARIANT
  local ct="$1" impl="$2" t="$3" r="$4" f="$out/run_$1_${2/:/=}_t$3_r$4.json"
  local env=(env -u OPENBLAS_CORETYPE OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$t" MKL_NUM_THREADS="$t")
  [ "$ct" = default ] || env+=(OPENBLAS_CORETYPE="$ct")
  if [ "${impl%%:*}" = agon ]; then
    agon_nd4j_variant_resolve "$root/target" "${impl#agon:}" || exit 2
    # shellcheck disable=SC2086 # the flags are one word or none
    "${env[@]}" java -Xmx2g $AGON_ND4J_JVM_FLAGS \
      -cp "target/agon.jar${AGON_ND4J_NATIVE_JAR:+:$AGON_ND4J_NATIVE_JAR}" \
      dev.agon.bench.DcganStepBench --batches "$batches" \
      --warmup "$warmup" --iterations "$iterations" --json "$f" 2>>"$out/agon.log" >/dev/null
  else
    "${env[@]}" "$py" bench/python/torch_dcgan.py --threads "$t" --batches "$batches" --warmup "$warmup" \
      --iterations "$iterations" --json "$f" 2>>"$out/torch.log" >/dev/null
  fi
}

{
  echo "# DCGAN 28x28 step times, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -1); torch: $("$py" -c 'import torch; print(torch.__version__)')"
  echo "- OMP_WAIT_POLICY=$OMP_WAIT_POLICY; $rounds rounds x ($warmup warm-up + $iterations measured iterations) per run; ND4J builds: $variants"
  for r in $(seq 1 "$rounds"); do
    for ct in $coretypes; do
      for t in $threads; do
        for v in $variants; do
          run "$ct" "agon:$v" "$t" "$r"
        done
        run "$ct" torch "$t" "$r"
      done
    done
  done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  "$py" - "$out" <<'PY'
import glob, json, os, statistics, sys
rows = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "run_*.json"))):
    _, ct, impl, t, _r = os.path.basename(f)[:-5].split("_")
    for row in json.load(open(f))["rows"]:
        key = (ct, int(row["batch"]), int(t[1:]))
        rows.setdefault(key, {}).setdefault(impl, []).append((row["d_ms"], row["g_ms"]))
print("median ms over rounds (D: forward+backward on a real and a fake batch; G: forward+backward through D)\n")
print("| OpenBLAS core | batch | threads | ND4J build | Agon D | PyTorch D | Agon G | PyTorch G | D Agon/PyTorch | G Agon/PyTorch |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
for (ct, b, t) in sorted(rows):
    v = rows[(ct, b, t)]
    med = lambda impl, i: statistics.median(x[i] for x in v[impl]) if impl in v else float("nan")
    pd, pg = med("torch", 0), med("torch", 1)
    for impl in sorted(k for k in v if k.startswith("agon=")):
        ad, ag = med(impl, 0), med(impl, 1)
        print(f"| {ct} | {b} | {t} | {impl[5:]} | {ad:.1f} | {pd:.1f} | {ag:.1f} | {pg:.1f} | {ad / pd:.2f} | {ag / pg:.2f} |")
PY
} | tee "$out/report.md"
