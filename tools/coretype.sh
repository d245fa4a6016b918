# Sourced by ./agon and the bench scripts (bash): picks OpenBLAS's kernels the way the CPU allows.
# ND4J's OpenBLAS (0.3.19) does not know CPUs newer than it and falls back to its generic
# Prescott kernels, 2-3x slower GEMMs on a current Xeon (measured, BENCHMARKS.md "DCGAN"). Unless
# the caller set OPENBLAS_CORETYPE: SKYLAKEX where /proc/cpuinfo shows AVX-512 F/BW/DQ/VL,
# HASWELL where it shows AVX2 and FMA, else OpenBLAS's own choice. Forcing SKYLAKEX on a CPU
# without AVX-512 dies with SIGILL, hence the check.

# Prints the kernel family this CPU runs best (SKYLAKEX, HASWELL), or nothing. AGON_CPUINFO
# replaces /proc/cpuinfo (tests fake CPUs with it).
agon_coretype() {
  local cpuinfo="${AGON_CPUINFO:-/proc/cpuinfo}" flags
  [ -r "$cpuinfo" ] || return 0
  flags=" $(grep -m1 '^flags' "$cpuinfo") "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* ]]; then
    echo SKYLAKEX
  elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then
    echo HASWELL
  fi
}

if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  agon_detected_coretype="$(agon_coretype)"
  if [ -n "$agon_detected_coretype" ]; then
    export OPENBLAS_CORETYPE="$agon_detected_coretype"
  fi
  unset agon_detected_coretype
fi
