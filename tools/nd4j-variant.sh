# Sourced by ./agon and bench/variants.sh (bash, after tools/coretype.sh): which ND4J native build
# runs. agon.jar carries the plain build ("default"); the oneDNN builds are jars in native/ next
# to agon.jar (pom.xml copies them to target/native/). The chosen one goes on the class path and
# JavaCPP loads it as the platform extension named by org.bytedeco.javacpp.platform.extension
# (with a oneDNN jar on the class path and no extension set, JavaCPP picks one itself, so only
# the chosen jar is ever there). Each build unpacks about 400 MB into ~/.javacpp/cache on its
# first start.
#
# AGON_ND4J_VARIANT picks one: default, onednn (any x86-64), onednn-avx2 (AVX2 and FMA),
# onednn-avx512 (AVX-512 F/BW/DQ/VL), onednn-auto (the best of those three for this CPU), or, when
# unset or empty, agon_nd4j_variant_auto's: the oneDNN build for this CPU where its jar is beside
# agon.jar, else the plain build. Everything is checked here, before the JVM starts: an unknown
# name, a build this CPU cannot run (SIGILL otherwise) or a chosen build whose jar is missing is
# one `error:` line and status 2.

agon_nd4j_variants="default onednn onednn-avx2 onednn-avx512"

# Prints the oneDNN build this CPU runs best, from the flags tools/coretype.sh reads.
agon_nd4j_onednn_for_cpu() {
  case "$(agon_coretype)" in
    SKYLAKEX) echo onednn-avx512 ;;
    HASWELL) echo onednn-avx2 ;;
    *) echo onednn ;;
  esac
}

# Prints the variant ./agon runs when none is chosen: the oneDNN build for this CPU. Measured
# against the plain build (BENCHMARKS.md "ND4J builds", "Soak"): faster DCGAN steps on AVX-512
# and AVX2, the ring no slower, and a smaller resident set, its convolutions keeping no Java
# copies of their columns.
agon_nd4j_variant_auto() {
  agon_nd4j_onednn_for_cpu
}

# Resolves variant $2 (empty: auto) for the agon.jar in directory $1 (empty: skip the check that
# its jar is there, for a jar not built yet): sets AGON_ND4J_VARIANT_CHOSEN, AGON_ND4J_JVM_FLAGS
# (the system property that loads it) and AGON_ND4J_NATIVE_JAR (the jar to put on the class path
# after agon.jar), both empty for the plain build, and returns 0; or prints one `error:` line to
# stderr and returns 2. Costs a grep of /proc/cpuinfo.
agon_nd4j_variant_resolve() {
  local dir="$1" v="${2:-auto}" family jar how auto=0
  how="choose another with AGON_ND4J_VARIANT=default|onednn|onednn-avx2|onednn-avx512|onednn-auto, or unset it"
  if [ "$v" = auto ]; then
    auto=1
    v="$(agon_nd4j_variant_auto)"
  fi
  [ "$v" = onednn-auto ] && v="$(agon_nd4j_onednn_for_cpu)"
  if [[ " $agon_nd4j_variants " != *" $v "* ]]; then
    echo "error: AGON_ND4J_VARIANT=$v: unknown ND4J variant; $how" >&2
    return 2
  fi
  family="$(agon_coretype)"
  case "$v" in
    onednn-avx512)
      if [ "$family" != SKYLAKEX ]; then
        echo "error: AGON_ND4J_VARIANT=$v: this CPU lacks AVX-512 (avx512f/bw/dq/vl in /proc/cpuinfo); $how" >&2
        return 2
      fi
      ;;
    onednn-avx2)
      if [ "$family" != SKYLAKEX ] && [ "$family" != HASWELL ]; then
        echo "error: AGON_ND4J_VARIANT=$v: this CPU lacks AVX2 and FMA (/proc/cpuinfo); $how" >&2
        return 2
      fi
      ;;
  esac
  AGON_ND4J_VARIANT_CHOSEN="$v"
  AGON_ND4J_JVM_FLAGS=""
  AGON_ND4J_NATIVE_JAR=""
  if [ "$v" != default ]; then
    jar="$dir/native/nd4j-native-linux-x86_64-$v.jar"
    if [ -n "$dir" ] && [ ! -f "$jar" ]; then
      if [ "$auto" = 1 ]; then
        # Nobody chose it: run the plain build in agon.jar (a jar copied without native/).
        AGON_ND4J_VARIANT_CHOSEN=default
        return 0
      fi
      echo "error: AGON_ND4J_VARIANT=$v: $jar is missing (mvn package puts it there); $how" >&2
      return 2
    fi
    # JavaCPP loads libnd4j from the jar whose resources carry this extension; the JVM checks at
    # start that it did (dev.agon.util.Nd4jVariant), since JavaCPP falls back silently.
    AGON_ND4J_JVM_FLAGS="-Dorg.bytedeco.javacpp.platform.extension=-$v"
    AGON_ND4J_NATIVE_JAR="$jar"
  fi
}
