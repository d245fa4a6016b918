package dev.agon.nn;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code c = alpha op(a) op(b) + beta c} into a preallocated {@code c}: libnd4j's matmul op run
 * through one reused op context per thread, and on oneDNN builds with OpenBLAS instead of oneDNN's
 * matmul except for narrow outputs (at most {@value #MAX_ONEDNN_ROWS} rows, or one column).
 * Measured on one AVX2 core (BENCHMARKS.md "Tanh on oneDNN's kernel and matrix products by shape"):
 * oneDNN's matmul takes up to 1.8× OpenBLAS's time on the MLP and DCGAN layer shapes (256×512 by
 * 512×1024: 6.1 against 3.3 ms; 64×100 by 100×8192: 2.3 against 1.7) and 2.6× on tiny ones (26
 * against 10 µs), but less on few output rows (1×256 by 256×784: 45 against 110 µs) and on one
 * output column (512×128 by 128×1: 36 against 62 µs). The reused context also saves {@code
 * Nd4j.gemm}'s per-call one (9.8 against 13.6 µs for a 4×4 product on the plain build, where the
 * results are the same bits).
 */
final class Gemm {
  private Gemm() {}

  /**
   * Most output rows for which oneDNN's matmul is used: OpenBLAS's sgemm is slow on few rows (the
   * bias gradients, 1 × B by B × n, and first-layer weight gradients of 2-D data), measured faster
   * in oneDNN up to 16 rows and slower from 64.
   */
  static final int MAX_ONEDNN_ROWS = 16;

  /** Per thread: a context with oneDNN's helpers refused, and one with them allowed. */
  private static final ThreadLocal<OpContext[]> CONTEXTS =
      ThreadLocal.withInitial(
          () -> {
            OpContext blas = Nd4j.getExecutioner().buildContext();
            blas.allowHelpers(false);
            OpContext helpers = Nd4j.getExecutioner().buildContext();
            return new OpContext[] {blas, helpers};
          });

  /** As {@code Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta)}. */
  static void gemm(
      INDArray a,
      INDArray b,
      INDArray c,
      boolean transposeA,
      boolean transposeB,
      double alpha,
      double beta) {
    Mmul op =
        new Mmul(
            a,
            b,
            c,
            alpha,
            beta,
            MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build());
    boolean narrow =
        c.rank() == 2
            && (c.size(0) <= MAX_ONEDNN_ROWS || c.size(1) == 1)
            && ConvKernels.oneDnnLoaded();
    OpContext ctx = CONTEXTS.get()[narrow ? 1 : 0];
    ctx.setInputArrays(a, b);
    ctx.setOutputArrays(c);
    ctx.setTArguments(op.tArgs());
    ctx.setIArguments(op.iArgs());
    Nd4j.getExecutioner().exec(op, ctx);
  }
}
