#!/usr/bin/env bash
# ND4J native builds compared (README "Threads and backends"): the default experiment's DCGAN
# steps (dev.agon.bench.DcganStepBench, batch 64: D and G forward+backward, wall and the thread's
# CPU time) and the ring MLP's plain-loop steps (`agon bench steps --cases ring`, wall; and that
# JVM's CPU seconds, /usr/bin/time), per variant, alternating variants within each round, one
# OpenMP thread, OpenBLAS kernels as ./agon picks them. Each run is a fresh JVM started the way
# ./agon starts that variant (tools/nd4j-variant.sh). Results: bench/out/variants/.
# VARIANTS (default "default onednn-avx512"), ROUNDS (default 3). About 1 min per round and
# variant on an idle 2-core EPYC; CPU times are the figures to read on a shared machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/bench/out/variants"
rm -rf "$out" && mkdir -p "$out"
variants="${VARIANTS:-default onednn-avx512}"
rounds="${ROUNDS:-3}"
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
./agon --version >/dev/null # builds target/agon.jar when needed, outside the measurements
# shellcheck source=../tools/coretype.sh
. tools/coretype.sh
# shellcheck source=../tools/nd4j-variant.sh
. tools/nd4j-variant.sh
{
  echo "# ND4J variants, $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
  echo
  echo "- host: $(lscpu | sed -n 's/^CPU(s): *//p') CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-}"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq 1 "$rounds"); do
    for v in $variants; do
      agon_nd4j_variant_resolve "$root/target" "$v" || exit 2
      # shellcheck disable=SC2206
      jvm=(java -Xmx2g $AGON_ND4J_JVM_FLAGS -cp "target/agon.jar${AGON_ND4J_NATIVE_JAR:+:$AGON_ND4J_NATIVE_JAR}")
      "${jvm[@]}" dev.agon.bench.DcganStepBench --batches 64 --warmup 5 --iterations 20 \
        --json "$out/dcgan-$v-$r.json" >/dev/null 2>>"$out/bench.log"
      /usr/bin/time -o "$out/ringcpu-$v-$r.txt" -f "%U %S" \
        "${jvm[@]}" dev.agon.cli.Main bench steps --cases ring --rounds 1 \
        --json "$out/ring-$v-$r.json" >/dev/null 2>>"$out/bench.log"
    done
  done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
d = sys.argv[1]
rows = {}
def add(v, k, x):
    rows.setdefault(v, {}).setdefault(k, []).append(x)
for f in sorted(glob.glob(os.path.join(d, "*-*-*.*"))):
    kind, rest = os.path.basename(f).rsplit(".", 1)[0].split("-", 1)
    v = rest.rsplit("-", 1)[0]
    if kind == "dcgan":
        r = json.load(open(f))["rows"][0]
        add(v, "dcgan", (r["d_ms"], r["g_ms"], r["d_cpu_ms"], r["g_cpu_ms"]))
    elif kind == "ring":
        p = json.load(open(f))["cases"][0]["plain"]
        add(v, "ring", (p["d_step_ms"], p["g_step_ms"]))
    elif kind == "ringcpu":
        u, s = open(f).read().split()[-2:]
        add(v, "ringcpu", (float(u) + float(s),))
print("ms (s for the ring JVM's CPU), median over rounds (fastest round). DCGAN: batch 64,"
      " D and G forward+backward, wall and thread CPU time; ring: plain loop's D and G steps"
      " (optimizer included), wall; ring JVM: user+sys CPU seconds of the whole"
      " `agon bench steps --cases ring --rounds 1` process\n")
print("| variant | rounds | DCGAN D wall | DCGAN G wall | DCGAN D CPU | DCGAN G CPU | ring D wall | ring G wall | ring JVM CPU s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for v in rows:
    def m(k, i):
        xs = [x[i] for x in rows[v][k]]
        return f"{statistics.median(xs):.1f} ({min(xs):.1f})"
    print(f"| {v} | {len(rows[v]['dcgan'])} | {m('dcgan', 0)} | {m('dcgan', 1)} | {m('dcgan', 2)} | {m('dcgan', 3)}"
          f" | {m('ring', 0)} | {m('ring', 1)} | {m('ringcpu', 0)} |")
PY
} | tee "$out/report.md"
