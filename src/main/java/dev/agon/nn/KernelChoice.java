package dev.agon.nn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How a layer, objective or optimizer that has two kernels (Adam, {@link BatchNorm}, {@link
 * Maxout}, {@link Dropout}, {@link MinibatchDiscrimination}, {@link VirtualBatchNorm}, the
 * objectives, feature matching, the historical average and the WGAN-GP penalty) computes: ND4J ops
 * the backend runs (no host copies), or Java loops over host copies (on the CPU backend mostly the
 * faster; BENCHMARKS.md "Native batch norm and Adam" and "Native maxout, dropout and objectives").
 * Both give the same results (Adam and maxout the same bits, the others within rounding; dropout
 * draws other, equally reproducible masks).
 */
public enum KernelChoice {
  /** ND4J ops: the arrays never leave the backend. */
  ND4J_OPS,
  /** Java loops over host views: on the CPU backend the fastest, on a device a round trip. */
  HOST_LOOP;

  /** The JVM property that forces a kernel: {@code nd4j} or {@code host}. */
  public static final String PROPERTY = "agon.nn.kernels";

  /**
   * The faster kernel for the loaded ND4J backend (measured on CPU; assumed on devices), unless
   * {@value #PROPERTY} says otherwise (for benchmarks and the zero-copy check on CPU).
   */
  public static KernelChoice forBackend() {
    String forced = System.getProperty(PROPERTY);
    if (forced != null) {
      KernelChoice k = parse(forced);
      if (k == null) {
        throw new IllegalArgumentException(problem());
      }
      return k;
    }
    return Nd4j.getEnvironment().isCPU() ? HOST_LOOP : ND4J_OPS;
  }

  /**
   * {@link #ND4J_OPS} on every backend unless {@value #PROPERTY} says otherwise: for a layer whose
   * ND4J kernel measured faster on CPU too and gives the same bits ({@link Maxout}).
   */
  static KernelChoice opsUnlessForced() {
    return System.getProperty(PROPERTY) == null ? ND4J_OPS : forBackend();
  }

  /** Why {@value #PROPERTY} is unusable, or null: the CLI refuses it before a run starts. */
  public static String problem() {
    String forced = System.getProperty(PROPERTY);
    return forced == null || parse(forced) != null
        ? null
        : "JVM option -D" + PROPERTY + " must be nd4j or host, got '" + forced + "'";
  }

  private static KernelChoice parse(String s) {
    return switch (s) {
      case "nd4j" -> ND4J_OPS;
      case "host" -> HOST_LOOP;
      default -> null;
    };
  }
}
