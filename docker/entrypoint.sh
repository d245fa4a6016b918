#!/usr/bin/env bash
# The image's entry point: AGON_ND4J_VARIANT as ./agon reads it (tools/nd4j-variant.sh), checked
# before the JVM starts (an unknown variant, one the CPU cannot run or whose jar the image lacks:
# one `error:` line, exit 2), then java with JAVA_OPTS. The image ships the plain build only
# (README "Threads and backends"), so unset it runs that; the oneDNN jars put in
# /opt/agon/native/ are then run as ./agon runs them (unset: the one for this CPU).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)" # /opt/agon in the image
# agon_coretype only: the image leaves OpenBLAS's kernel choice (OPENBLAS_CORETYPE) as it was.
had_coretype="${OPENBLAS_CORETYPE+set}"
# shellcheck source=../tools/coretype.sh
. "$here/tools/coretype.sh"
[ -n "$had_coretype" ] || unset OPENBLAS_CORETYPE
# shellcheck source=../tools/nd4j-variant.sh
. "$here/tools/nd4j-variant.sh"
agon_nd4j_variant_resolve "$here" "${AGON_ND4J_VARIANT:-}" || exit 2
main=(-jar "$here/agon.jar")
[ -z "$AGON_ND4J_NATIVE_JAR" ] || main=(-cp "$here/agon.jar:$AGON_ND4J_NATIVE_JAR" dev.agon.cli.Main)
# shellcheck disable=SC2086
exec java $JAVA_OPTS $AGON_ND4J_JVM_FLAGS -Djava.awt.headless=true "${main[@]}" "$@"
