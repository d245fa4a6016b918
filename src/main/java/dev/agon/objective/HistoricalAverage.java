package dev.agon.objective;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The historical-averaging cost term of Salimans et al., "Improved Techniques for Training GANs",
 * NeurIPS 2016, Sec. 3.3, for one network: {@code lambda * ||theta - mean||^2}, where {@code mean}
 * is the average of the network's past parameter versions.
 *
 * <p><b>Definition.</b> The owner (the trainer of that network) calls {@link #apply} once per
 * active update, with {@code theta} the parameters the update's gradient was evaluated at (the
 * version before the optimizer step). Let {@code theta[1..t]} be the versions passed to the earlier
 * {@code apply} calls. The call
 *
 * <ol>
 *   <li>returns the penalty {@code lambda * ||theta - m_t||^2} with {@code m_t = (1/t) sum_i
 *       theta[i]}: the past only, the current version excluded; 0 while {@code t = 0};
 *   <li>adds its gradient {@code 2 lambda (theta - m_t)} into the network's flat gradient (nothing
 *       while {@code t = 0} or {@code lambda = 0}, so the gradient stays bit for bit what it was);
 *   <li>folds {@code theta} into the mean incrementally, {@code m_{t+1} = m_t + (theta - m_t) /
 *       (t+1)}; no history is stored.
 * </ol>
 *
 * <p><b>Window.</b> With a {@link #window()} {@code W > 0} the fold divides by {@code min(t+1, W)}
 * instead: the exact mean while fewer than {@code W} versions are in, then an exponential moving
 * average with decay {@code 1 - 1/W}, whose versions have a mean age of about {@code W}. Old
 * versions thus fade instead of pulling forever; an exact sliding window would hold {@code W}
 * copies of the parameters, this costs nothing beyond the mean and keeps the state (mean, count)
 * and the checkpoint as they are. {@code W = 0} is the paper's mean over every version.
 *
 * <p><b>Start and weight.</b> An update is active when its generator iteration is at least {@link
 * #start()} ({@link #isActive}); the owner skips inactive updates entirely (no penalty, nothing
 * accumulated), so with a fixed start the mean is over the versions seen since the start. {@code
 * lambda} and {@code start} belong to the Coordinator's policy and may be changed between updates;
 * a change applies from the next update. Changing either keeps the accumulated mean ({@link #reset}
 * clears it): the history is not stored, so versions cannot be added or removed afterwards.
 *
 * <p><b>Numerics.</b> Each {@link #apply} is one fused Java loop over the direct buffers of the
 * flat arrays (parameters, gradient, mean). The mean is held in DOUBLE even for a FLOAT network: in
 * float, {@code (theta - m)/t} falls under half an ulp of {@code m} after some thousands of
 * versions and the mean would stop moving. The penalty is summed in double; the gradient term is
 * computed in double and rounded once to the network's type. With {@link KernelChoice#ND4J_OPS}
 * (the default off the CPU backend) the same arithmetic runs as ND4J ops on a DOUBLE difference
 * array (no host copies; the penalty read as one {@link DenseAccess#scalar}, summed in another
 * order, so within rounding of the loop's; gradient and mean the loop's values).
 *
 * <p>Not thread-safe: one owner (the trainer's thread). Other parties change the policy through a
 * message to that owner.
 */
public final class HistoricalAverage {
  private final long numParams;
  private final INDArray mean;
  private final KernelChoice kernel;
  private long count;
  private double weight;
  private long start;
  private long window;

  /**
   * The average to use after a policy change from the next update on: {@code current} with the new
   * weight and start (keeping its mean and window), or a new empty one over {@code numParams}
   * parameters with window {@code window} when there was none and {@code weight > 0}; null while
   * averaging stays off.
   */
  public static HistoricalAverage withPolicy(
      HistoricalAverage current, long numParams, double weight, long start, long window) {
    if (current == null) {
      if (weight == 0) {
        return null;
      }
      HistoricalAverage created = new HistoricalAverage(numParams, weight, start);
      created.window(window);
      return created;
    }
    current.weight(weight);
    current.start(start);
    return current;
  }

  /**
   * One update's averaging: when {@code average} exists and is active at {@code iteration}, {@link
   * #apply} to the parameters and gradient and return the penalty; else 0, touching nothing.
   */
  public static double applyIfActive(
      HistoricalAverage average, long iteration, INDArray params, INDArray grads) {
    return average != null && average.isActive(iteration) ? average.apply(params, grads) : 0.0;
  }

  /**
   * An empty average over {@code numParams} parameters.
   *
   * @param weight {@code lambda}, at least 0
   * @param start the first generator iteration (G update index) whose updates are active
   */
  public HistoricalAverage(long numParams, double weight, long start) {
    this(numParams, weight, start, KernelChoice.forBackend());
  }

  /** Like {@link #HistoricalAverage(long, double, long)} on the given kernel. */
  public HistoricalAverage(long numParams, double weight, long start, KernelChoice kernel) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (numParams <= 0 || numParams > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("numParams must be in [1, 2^31): " + numParams);
    }
    this.numParams = numParams;
    this.mean = Nd4j.create(DataType.DOUBLE, 1, numParams);
    weight(weight);
    start(start);
  }

  public long numParams() {
    return numParams;
  }

  /** {@code lambda}. */
  public double weight() {
    return weight;
  }

  /** Sets {@code lambda} (finite, at least 0) from the next update on. */
  public void weight(double lambda) {
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("weight must be finite and >= 0: " + lambda);
    }
    this.weight = lambda;
  }

  /** The first generator iteration whose updates are active. */
  public long start() {
    return start;
  }

  /** Sets the first active generator iteration (at least 0) from the next update on. */
  public void start(long iteration) {
    if (iteration < 0) {
      throw new IllegalArgumentException("start must be >= 0: " + iteration);
    }
    this.start = iteration;
  }

  /** {@code W}: 0 for the mean over every version since the start, else the window (see above). */
  public long window() {
    return window;
  }

  /** Sets the window {@code W} (at least 0; 0: every version) from the next fold on. */
  public void window(long versions) {
    if (versions < 0) {
      throw new IllegalArgumentException("window must be >= 0: " + versions);
    }
    this.window = versions;
  }

  /** Whether updates of generator iteration {@code iteration} (1-based) are active. */
  public boolean isActive(long iteration) {
    return iteration >= start;
  }

  /** Number of past versions in the mean ({@code t}). */
  public long count() {
    return count;
  }

  /**
   * The mean of the past versions, DOUBLE {@code [1, numParams]}; live, not a copy ({@code dup()}
   * it to snapshot). Meaningful only while {@link #count()} is positive. With {@link #count()}, the
   * whole state for a checkpoint.
   */
  public INDArray state() {
    return mean;
  }

  /** Copies {@code mean} ({@code numParams} values, any float type) in and sets the count. */
  public void restore(INDArray newMean, long newCount) {
    if (newMean.length() != numParams) {
      throw new IllegalArgumentException(
          "expected a mean of " + numParams + " values, got " + newMean.length());
    }
    if (newCount < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + newCount);
    }
    mean.assign(newMean.reshape('c', 1, numParams));
    count = newCount;
  }

  /** Forgets every past version: the next {@link #apply} has penalty 0. */
  public void reset() {
    count = 0;
    mean.assign(0.0);
  }

  /** The penalty {@code lambda ||theta - mean||^2} (0 without past versions); changes nothing. */
  public double penalty(INDArray theta) {
    check(theta, null);
    if (count == 0 || weight == 0) {
      return 0.0;
    }
    return weight * pass(theta, null, false);
  }

  /**
   * Adds the gradient {@code 2 lambda (theta - mean)} into {@code grad} (nothing without past
   * versions or with {@code lambda = 0}); changes no state of this object.
   */
  public void addGradient(INDArray theta, INDArray grad) {
    check(theta, grad);
    if (count > 0 && weight != 0) {
      pass(theta, grad, false);
    }
  }

  /**
   * One active update, fused: returns the penalty of {@code theta} against the past versions, adds
   * its gradient into {@code grad} (the network's flat gradient, same type and length as {@code
   * theta}) and then folds {@code theta} into the mean. Equivalent to {@link #penalty}, {@link
   * #addGradient} and {@link #observe} in that order, in one pass.
   */
  public double apply(INDArray theta, INDArray grad) {
    check(theta, grad);
    double penalty = 0.0;
    if (count == 0) {
      copyIn(theta);
    } else {
      penalty = weight * pass(theta, weight != 0 ? grad : null, true);
    }
    count++;
    return penalty;
  }

  /** Folds {@code theta} into the mean as the newest past version (no penalty, no gradient). */
  public void observe(INDArray theta) {
    check(theta, null);
    if (count == 0) {
      copyIn(theta);
    } else {
      pass(theta, null, true);
    }
    count++;
  }

  private void copyIn(INDArray theta) {
    mean.assign(theta.reshape('c', 1, numParams));
  }

  private void check(INDArray theta, INDArray grad) {
    if (theta.length() != numParams) {
      throw new IllegalArgumentException(
          "expected " + numParams + " parameters, got " + theta.length());
    }
    if (grad != null && (grad.length() != numParams || grad.dataType() != theta.dataType())) {
      throw new IllegalArgumentException(
          "gradient must match the parameters: "
              + grad.dataType()
              + " "
              + grad.length()
              + " vs "
              + theta.dataType()
              + " "
              + numParams);
    }
  }

  /**
   * The fused loop: returns {@code ||theta - mean||^2}; when {@code grad} is not null adds {@code 2
   * lambda (theta - mean)} into it; when {@code fold} moves the mean by {@code (theta - mean) /
   * divisor()}.
   */
  private double pass(INDArray theta, INDArray grad, boolean fold) {
    if (kernel == KernelChoice.ND4J_OPS) {
      return passOps(theta, grad, fold);
    }
    DoubleBuffer m = DenseAccess.doubleBuffer(mean);
    double inv = 1.0 / divisor();
    double twoLambda = 2.0 * weight;
    int n = (int) numParams;
    double sum = 0.0;
    if (theta.dataType() == DataType.FLOAT) {
      FloatBuffer p = DenseAccess.floatBuffer(theta);
      FloatBuffer g = grad == null ? null : DenseAccess.floatBuffer(grad);
      for (int i = 0; i < n; i++) {
        double mi = m.get(i);
        double d = p.get(i) - mi;
        sum += d * d;
        if (g != null) {
          g.put(i, g.get(i) + (float) (twoLambda * d));
        }
        if (fold) {
          m.put(i, mi + d * inv);
        }
      }
    } else {
      DoubleBuffer p = DenseAccess.doubleBuffer(theta);
      DoubleBuffer g = grad == null ? null : DenseAccess.doubleBuffer(grad);
      for (int i = 0; i < n; i++) {
        double mi = m.get(i);
        double d = p.get(i) - mi;
        sum += d * d;
        if (g != null) {
          g.put(i, g.get(i) + twoLambda * d);
        }
        if (fold) {
          m.put(i, mi + d * inv);
        }
      }
    }
    return sum;
  }

  /** What the next fold divides by: {@code count + 1}, capped at the window when there is one. */
  private double divisor() {
    return window > 0 ? Math.min(count + 1, window) : count + 1;
  }

  /** {@link #pass} as ND4J ops: {@code d = theta - mean} in DOUBLE, then its three uses. */
  private double passOps(INDArray theta, INDArray grad, boolean fold) {
    INDArray t = theta.reshape('c', 1, numParams);
    INDArray d =
        t.dataType() == DataType.DOUBLE ? t.sub(mean) : t.castTo(DataType.DOUBLE).subi(mean);
    double sum = DenseAccess.scalar(d.mul(d).sum());
    if (grad != null) {
      INDArray step = d.mul(2.0 * weight).castTo(grad.dataType()); // rounded once, as the loop
      grad.addi(step.reshape('c', grad.shape()));
    }
    if (fold) {
      mean.addi(d.muli(1.0 / divisor()));
    }
    return sum;
  }
}
