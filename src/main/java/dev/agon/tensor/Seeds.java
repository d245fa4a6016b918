package dev.agon.tensor;

/**
 * Derives independent 64-bit seeds from (run seed, stream, index). Every random draw of a run is
 * keyed this way, so it does not depend on which thread draws it or on what was drawn before.
 */
public final class Seeds {
  /** Real data batches. */
  public static final long STREAM_DATA = 1;

  /** Noise of the fake batch used by D update n. */
  public static final long STREAM_FAKES_FOR_D = 2;

  /** Noise of G update i. */
  public static final long STREAM_G_STEP = 3;

  /** Noise of exported and evaluated samples. */
  public static final long STREAM_SAMPLES = 4;

  /** Parameter initialisation of the generator (index 0) and discriminator (index 1). */
  public static final long STREAM_INIT = 5;

  /** Interpolation weights of the WGAN-GP gradient penalty of D update n. */
  public static final long STREAM_GRADIENT_PENALTY = 6;

  /** The generator's virtual-batch-norm reference batch (index 0). */
  public static final long STREAM_VBN_REFERENCE = 7;

  /** The draw of data.labels = N examples per class (index: the class), under data.label-seed. */
  public static final long STREAM_LABEL_DRAW = 16;

  /** The order of the labelled minibatches (index: the pass over the labelled set). */
  public static final long STREAM_LABELLED_DATA = 17;

  /**
   * InfoGAN's codes drawn beside the noise of stream {@code s} (fakes for D, G update, samples) use
   * stream {@code CODES + s} with the same index, so either player recomputes them from the keys.
   */
  public static final long CODES = 0x100;

  private Seeds() {}

  /** SplitMix64 finaliser over the three words: a cheap, well-mixed bijection per word. */
  public static long mix(long seed, long stream, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + stream;
    z = fmix(z) ^ (index * 0xBF58476D1CE4E5B9L);
    return fmix(z + 0x9E3779B97F4A7C15L);
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
