package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov, "Dropout: A Simple
 * Way to Prevent Neural Networks from Overfitting", JMLR 15, 2014), as in the discriminator of
 * Goodfellow et al., "Generative Adversarial Nets", NIPS 2014, and PyTorch's {@code nn.Dropout}: in
 * training mode every element is kept with probability {@code 1 - p} and scaled by {@code 1/(1 -
 * p)}, else zeroed; in evaluation mode (and for {@code p = 0}) the layer is the identity.
 *
 * <p>Reproducible masks: element {@code k} (c-order over {@code [B, shape...]}) is kept iff {@code
 * u_k >= p}, where {@code u} is {@link Noise#uniform} drawn in DOUBLE with the keys {@code
 * (ctx.seed(), NOISE_STREAM_BASE + stream, ctx.noiseIndex())}. The mask is therefore a pure
 * function of the context, the layer's {@code stream}, the batch size and the element position, and
 * does not depend on the dtype, the thread or earlier calls. Give every dropout layer of a network
 * a different {@code stream} (its index in the network, say), and every forward pass whose masks
 * should differ a different noise index; two forwards with the same context and batch size draw the
 * same mask.
 *
 * <p>Two kernels ({@link KernelChoice}) draw the mask. The Java one (the CPU default) is the rule
 * above, over a host copy. The ND4J one (the default off the CPU backend; no host copies) seeds
 * ND4J's native counter-based generator with {@link Seeds#mix}{@code (ctx.seed(), NOISE_STREAM_BASE
 * + stream, ctx.noiseIndex())} and draws a Bernoulli({@code 1 - p}) DOUBLE array on the backend:
 * again a pure function of those keys, the batch size and the position (so reproducible run to run
 * and across a resume, and the same for FLOAT and DOUBLE), but a different mask from the Java
 * kernel's, and possibly from another backend's generator: runs on it are bit-identical to
 * themselves, not to the Java kernel.
 *
 * <p>Any per-sample shape ({@code [F]} or {@code [C, H, W]}), FLOAT or DOUBLE (the input's dtype).
 * No parameters. Backward and {@link #jvp} multiply by the mask of the last forward (the mask is
 * fixed, so the layer is piecewise linear in its input).
 */
public final class Dropout implements Layer {
  /**
   * Offset of the noise streams of dropout masks, so that they never coincide with the small stream
   * numbers of {@link dev.agon.tensor.Seeds} under the same seed ("DROP" in ASCII, shifted).
   */
  public static final long NOISE_STREAM_BASE = 0x44524F50L << 32;

  /** How many batch sizes keep their buffers at the same time. */
  public static final int MAX_BATCH_SIZES = 4;

  private final double p;
  private final double scale;
  private final long stream;
  private final long[] shape;
  private final long features;
  private final KernelChoice kernel;
  private Random rng; // ND4J kernel: reseeded for every mask

  private final Map<Long, Buffers> buffersByKey =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Buffers> eldest) {
          return size() > MAX_BATCH_SIZES;
        }
      };

  private Buffers last;
  private boolean lastMasked;

  private final class Buffers {
    final int batch;
    final DataType dtype;
    final INDArray out;
    final INDArray mask;
    final INDArray dx;
    final INDArray tangent;
    final INDArray tangentDx;
    final INDArray uniform; // DOUBLE
    final double[] values;
    long maskSeed;
    long maskIndex;
    boolean maskValid;

    Buffers(int batch, DataType dtype) {
      this.batch = batch;
      this.dtype = dtype;
      long[] s = withBatch(batch);
      out = Nd4j.create(dtype, s);
      mask = Nd4j.create(dtype, s);
      dx = Nd4j.create(dtype, s);
      tangent = Nd4j.create(dtype, s);
      tangentDx = Nd4j.create(dtype, s);
      uniform = Nd4j.create(DataType.DOUBLE, s);
      values =
          kernel == KernelChoice.HOST_LOOP ? new double[Math.toIntExact(batch * features)] : null;
    }
  }

  /**
   * @param p drop probability in {@code [0, 1)}
   * @param stream this layer's noise stream, distinct among the network's dropout layers
   * @param shape per-sample shape, e.g. {@code 784} or {@code 64, 8, 8}
   */
  public Dropout(double p, long stream, long... shape) {
    this(p, stream, KernelChoice.forBackend(), shape);
  }

  /** Like {@link #Dropout(double, long, long...)} on the given kernel. */
  public Dropout(double p, long stream, KernelChoice kernel, long... shape) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (!(p >= 0.0 && p < 1.0)) {
      throw new IllegalArgumentException("p must be in [0, 1), got " + p);
    }
    if (shape.length == 0) {
      throw new IllegalArgumentException("shape must have at least one dimension");
    }
    long n = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("bad shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    this.p = p;
    this.scale = 1.0 / (1.0 - p);
    this.stream = stream;
    this.shape = shape.clone();
    this.features = n;
  }

  public double p() {
    return p;
  }

  public long stream() {
    return stream;
  }

  @Override
  public long[] inputShape() {
    return shape.clone();
  }

  @Override
  public long[] outputShape() {
    return shape.clone();
  }

  private long[] withBatch(int batch) {
    long[] s = new long[shape.length + 1];
    s[0] = batch;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    checkShape(x, -1, "x");
    Buffers buf = buffers((int) x.size(0), x.dataType());
    lastMasked = ctx.training() && p > 0.0;
    if (lastMasked) {
      fillMask(buf, ctx.seed(), ctx.noiseIndex());
      Nd4j.exec(new MulOp(x, buf.mask, buf.out));
    } else {
      buf.out.assign(x);
    }
    last = buf;
    return buf.out;
  }

  /**
   * Writes the mask (values 0 or 1/(1-p)) for the keys into {@code buf.mask}, unless it is there.
   */
  private void fillMask(Buffers buf, long seed, long index) {
    if (buf.maskValid && buf.maskSeed == seed && buf.maskIndex == index) {
      return;
    }
    buf.maskSeed = seed;
    buf.maskIndex = index;
    buf.maskValid = true;
    if (kernel == KernelChoice.ND4J_OPS) {
      long key = Seeds.mix(seed, NOISE_STREAM_BASE + stream, index);
      if (rng == null) {
        rng = Nd4j.getRandomFactory().getNewRandomInstance(key);
      }
      rng.setSeed(key);
      Nd4j.getExecutioner().exec(new BernoulliDistribution(buf.uniform, 1.0 - p), rng);
      buf.mask.assign(buf.uniform).muli(scale);
      return;
    }
    Noise.uniform(buf.uniform, seed, NOISE_STREAM_BASE + stream, index);
    double[] v = buf.values;
    DenseAccess.read(buf.uniform, v);
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] >= p ? scale : 0.0;
    }
    DenseAccess.write(buf.mask, v);
  }

  /**
   * The mask of the last forward ({@code [B, shape...]}, values 0 or {@code 1/(1-p)}), or {@code
   * null} when it was the identity (evaluation mode or {@code p = 0}). A live buffer.
   */
  public INDArray lastMask() {
    return last != null && lastMasked ? last.mask : null;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = requireForward();
    checkShape(dOut, buf.batch, "dOut");
    if (!inputGrad) {
      return null;
    }
    return applyMask(dOut, buf, buf.dx);
  }

  private INDArray applyMask(INDArray g, Buffers buf, INDArray into) {
    if (lastMasked) {
      Nd4j.exec(new MulOp(g, buf.mask, into));
    } else {
      into.assign(g);
    }
    return into;
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }

  /** {@code mask * v} with the mask of the last forward ({@code v} in evaluation mode). */
  @Override
  public INDArray jvp(INDArray v) {
    Buffers buf = requireForward();
    checkShape(v, buf.batch, "v");
    return applyMask(v, buf, buf.tangent);
  }

  /** No parameters; returns {@code mask * dT} when {@code inputGrad}. */
  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = requireForward();
    checkShape(dT, buf.batch, "dT");
    return inputGrad ? applyMask(dT, buf, buf.tangentDx) : null;
  }

  private Buffers requireForward() {
    if (last == null) {
      throw new IllegalStateException("no forward pass to differentiate");
    }
    return last;
  }

  private void checkShape(INDArray a, int batch, String what) {
    long[] s = a.shape();
    boolean ok = s.length == shape.length + 1 && s[0] >= 1 && (batch < 0 || s[0] == batch);
    for (int d = 0; ok && d < shape.length; d++) {
      ok = s[d + 1] == shape[d];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "expected "
              + what
              + " [B"
              + (batch >= 0 ? "=" + batch : "")
              + ", "
              + Arrays.toString(shape).replaceAll("[\\[\\]]", "")
              + "], got "
              + Arrays.toString(s));
    }
    DataType t = a.dataType();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw new IllegalArgumentException(what + " must be FLOAT or DOUBLE, got " + t);
    }
    if (last != null && batch >= 0 && t != last.dtype) {
      throw new IllegalArgumentException("expected " + last.dtype + " " + what + ", got " + t);
    }
  }

  private Buffers buffers(int batch, DataType dtype) {
    long key = 2L * batch + (dtype == DataType.FLOAT ? 1 : 0);
    Buffers b = buffersByKey.get(key);
    if (b == null) {
      b = new Buffers(batch, dtype);
      buffersByKey.put(key, b);
    }
    return b;
  }
}
