package dev.agon.util;

import java.util.List;

/**
 * The ND4J native build this JVM runs: {@code default}, the plain build inside agon.jar, or a
 * oneDNN build ({@code onednn}, {@code onednn-avx2}, {@code onednn-avx512}) from a jar beside it,
 * which {@code ./agon} selects through JavaCPP's platform extension (tools/nd4j-variant.sh; README
 * "Threads and backends"). JavaCPP falls back to the plain build without a word when the chosen
 * build's jar is not on the class path, so {@link #problem} compares what was asked for with what
 * libnd4j reports it was built with.
 */
public final class Nd4jVariant {
  private Nd4jVariant() {}

  /** JavaCPP's system property: a suffix of the platform whose native libraries load first. */
  public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

  /** The builds {@code ./agon} ships and can be asked for by name. */
  public static final List<String> BUILDS =
      List.of("default", "onednn", "onednn-avx2", "onednn-avx512");

  /** The marker libnd4j's build information carries when built with oneDNN. */
  static final String ONEDNN_MARKER = "HAVE_ONEDNN";

  /** The variant this JVM was asked to load, from {@link #EXTENSION_PROPERTY}; no cost. */
  public static String requested() {
    String ext = System.getProperty(EXTENSION_PROPERTY, "").strip();
    return ext.isEmpty() ? "default" : ext.startsWith("-") ? ext.substring(1) : ext;
  }

  /**
   * Why the loaded build is not {@code variant}, given libnd4j's build information ({@code
   * NativeOps.buildInfo()}), or null when it is: a oneDNN variant must carry {@link
   * #ONEDNN_MARKER}, the default must not.
   */
  public static String problem(String variant, String buildInfo) {
    boolean onednn = buildInfo != null && buildInfo.contains(ONEDNN_MARKER);
    if (variant.startsWith("onednn") == onednn) {
      return null;
    }
    return "ND4J variant "
        + variant
        + " did not load (libnd4j reports a build "
        + (onednn ? "with" : "without")
        + " oneDNN; JavaCPP falls back to the plain build when the variant's jar is not on the"
        + " class path or its libraries do not load); run through ./agon, which checks the jar,"
        + " or choose another with"
        + " AGON_ND4J_VARIANT="
        + String.join("|", BUILDS)
        + "|onednn-auto";
  }
}
