package dev.agon.nn;

import java.util.Locale;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Which kernels compute {@link Conv2d} and {@link ConvTranspose2d}: Agon's plain-Java im2col/col2im
 * around one GEMM, or libnd4j's native {@code conv2d}/{@code conv2d_bp}/{@code deconv2d}/{@code
 * deconv2d_bp} custom ops. Both compute the same function from the same flat parameters; they
 * differ in speed (BENCHMARKS.md "Native convolutions", DCGAN 28x28 shapes, one thread): on ND4J's
 * oneDNN builds ({@code linux-x86_64-onednn*}) the native ops are faster for the channel-rich
 * layers (64 -> 128 conv, 128 -> 64 transposed conv) and slower for the one-channel ends (1 -> 64
 * conv, 64 -> 1 transposed conv); on the default build they are slower for every layer, forward and
 * backward together (backward 3-5x). {@link #forLayer} chooses accordingly.
 */
public enum ConvKernels {
  /** im2col/col2im in Java ({@link Kernels}) and one {@code Nd4j.gemm} per product. */
  JAVA,
  /** libnd4j's conv2d/deconv2d ops and their {@code _bp} ops (oneDNN kernels where built in). */
  NATIVE;

  /**
   * JVM system property overriding {@link #forLayer} for every layer: {@code java} or {@code
   * native} (for checks of one path on any build, e.g. the finite-difference tests); unset or
   * {@code auto}: chosen as measured.
   */
  public static final String PROPERTY = "agon.nn.conv";

  /**
   * Fewest input and output channels for which the native ops pay on oneDNN: measured at 1 (slower)
   * and 64 (faster), so a conservative cut between them.
   */
  static final int MIN_NATIVE_CHANNELS = 16;

  private static volatile Boolean onednn;

  /**
   * The kernels for a layer with these channel counts: {@link #NATIVE} when the loaded libnd4j was
   * built with oneDNN ({@code HAVE_ONEDNN} in its build info, read once per JVM), ND4J may use its
   * platform helpers and both counts are at least {@value #MIN_NATIVE_CHANNELS}; else {@link
   * #JAVA}. {@link #PROPERTY} overrides.
   */
  public static ConvKernels forLayer(long inChannels, long outChannels) {
    String forced = property();
    switch (forced) {
      case "java":
        return JAVA;
      case "native":
        return NATIVE;
      case "auto":
        break;
      default:
        throw new IllegalArgumentException(propertyProblem());
    }
    boolean channelRich = Math.min(inChannels, outChannels) >= MIN_NATIVE_CHANNELS;
    return channelRich && oneDnnLoaded() ? NATIVE : JAVA;
  }

  /**
   * The one-line complaint about {@link #PROPERTY}'s value, or null when it is unset or valid (the
   * CLI checks it before any command, so a typo exits 2 instead of failing inside an actor).
   */
  public static String propertyProblem() {
    String v = property();
    if (v.equals("java") || v.equals("native") || v.equals("auto")) {
      return null;
    }
    return "JVM option -D"
        + PROPERTY
        + " must be java, native or auto, got '"
        + System.getProperty(PROPERTY)
        + "'";
  }

  private static String property() {
    return System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
  }

  /** Whether the loaded libnd4j has oneDNN and ND4J lets its ops use it. */
  public static boolean oneDnnLoaded() {
    Boolean b = onednn;
    if (b == null) {
      // Nd4j first: it loads the backend, which NativeOpsHolder needs initialised.
      b =
          Nd4j.getEnvironment().helpersAllowed()
              && NativeOpsHolder.getInstance()
                  .getDeviceNativeOps()
                  .buildInfo()
                  .contains("HAVE_ONEDNN");
      onednn = b;
    }
    return b;
  }
}
