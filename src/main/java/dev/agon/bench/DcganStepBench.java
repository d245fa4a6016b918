package dev.agon.bench;

import dev.agon.nn.Dcgan;
import dev.agon.nn.Layer;
import dev.agon.nn.Sequential;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import dev.agon.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward times of the 28x28 DCGAN ({@link Dcgan#generator}{@code (100, 1, 28, 64)},
 * {@link Dcgan#discriminator}{@code (1, 28, 64)}, FLOAT, training mode), the counterpart of {@code
 * bench/python/torch_dcgan.py}. Per batch size, the median over iterations after warm-up of:
 *
 * <ul>
 *   <li>d: D forward + backward (parameter gradients) on a real batch, then forward + backward
 *       (accumulating) on a fake batch; loss {@code softplus(-l_real).mean() +
 *       softplus(l_fake).mean()}. The fakes are made beforehand, not timed.
 *   <li>g: {@code z -> G -> D -> softplus(-logit).mean()}, backward through D (input gradient only)
 *       and G (parameter gradients).
 * </ul>
 *
 * <p>No optimizer step. Threads: ND4J's OpenMP threads from {@code OMP_NUM_THREADS} (set it, and
 * {@code OMP_WAIT_POLICY=PASSIVE}, before the JVM starts). {@code --profile} also prints the median
 * time of each layer's forward and backward in the G step.
 *
 * <pre>
 * java -cp target/agon.jar dev.agon.bench.DcganStepBench [--batches 64,128] [--warmup 5]
 *     [--iterations 20] [--json FILE] [--profile]
 * </pre>
 */
public final class DcganStepBench {
  private DcganStepBench() {}

  private static final int LATENT = 100;
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws IOException {
    List<Integer> batches = List.of(64, 128);
    int warmup = 5;
    int iterations = 20;
    Path json = null;
    boolean profile = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--batches" ->
            batches = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--profile" -> profile = true;
        default -> {
          System.err.println("unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)");
    Sequential g = Dcgan.generator(LATENT, 1, 28, Dcgan.DEFAULT_WIDTH).build(DataType.FLOAT, 1);
    Sequential d = Dcgan.discriminator(1, 28, Dcgan.DEFAULT_WIDTH).build(DataType.FLOAT, 2);
    List<String> rows = new ArrayList<>();
    for (int batch : batches) {
      double[] ms = run(g, d, batch, warmup, iterations);
      System.out.printf(
          Locale.ROOT,
          "agon threads=%s batch=%d d_ms=%.2f g_ms=%.2f%n",
          threads,
          batch,
          ms[0],
          ms[1]);
      rows.add(
          Json.object()
              .put("batch", batch)
              .put("threads", threads)
              .put("d_ms", ms[0])
              .put("g_ms", ms[1])
              .put("d_cpu_ms", ms[2])
              .put("g_cpu_ms", ms[3])
              .end());
      if (profile) {
        profile(g, d, batch, warmup, iterations);
      }
    }
    if (json != null) {
      String out =
          "{\"benchmark\": \"agon_dcgan\", \"warmup\": "
              + warmup
              + ", \"iterations\": "
              + iterations
              + ", \"rows\": ["
              + String.join(", ", rows)
              + "]}\n";
      Files.writeString(json, out, StandardCharsets.UTF_8);
    }
  }

  /**
   * Median D and G times in ms: wall time, then the calling thread's CPU time. With one OpenMP
   * thread every op runs on the calling thread, so on a shared machine the CPU time shows the work
   * without the waits for a core that inflate the wall time.
   */
  static double[] run(Sequential g, Sequential d, int batch, int warmup, int iterations) {
    INDArray real = Nd4j.create(DataType.FLOAT, batch, 1, 28, 28);
    INDArray z = Nd4j.create(DataType.FLOAT, batch, LATENT);
    INDArray dLogits = Nd4j.create(DataType.FLOAT, batch, 1);
    float[] logits = new float[batch];
    long[] dNs = new long[iterations];
    long[] gNs = new long[iterations];
    long[] dCpuNs = new long[iterations];
    long[] gCpuNs = new long[iterations];
    for (int it = 0; it < warmup + iterations; it++) {
      Noise.uniform(real, 7, 1, it);
      real.muli(2).subi(1);
      Noise.gaussian(z, 7, 2, it);
      INDArray fake = g.forward(z).dup();
      Noise.gaussian(z, 7, 3, it);

      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      lossGrad(d.forward(real), -1, logits, dLogits);
      d.backward(dLogits, true, false, false);
      lossGrad(d.forward(fake), +1, logits, dLogits);
      d.backward(dLogits, true, false, true);
      long t1 = System.nanoTime();
      long c1 = THREADS.getCurrentThreadCpuTime();
      INDArray l = d.forward(g.forward(z));
      lossGrad(l, -1, logits, dLogits);
      INDArray dFake = d.backward(dLogits, false, true);
      g.backward(dFake, true, false);
      long t2 = System.nanoTime();
      long c2 = THREADS.getCurrentThreadCpuTime();
      if (it >= warmup) {
        dNs[it - warmup] = t1 - t0;
        gNs[it - warmup] = t2 - t1;
        dCpuNs[it - warmup] = c1 - c0;
        gCpuNs[it - warmup] = c2 - c1;
      }
    }
    return new double[] {median(dNs), median(gNs), median(dCpuNs), median(gCpuNs)};
  }

  /**
   * Gradient of {@code softplus(sign * l).mean()} w.r.t. the logits: {@code sign sigmoid(sign l) /
   * B}.
   */
  private static void lossGrad(INDArray l, int sign, float[] buf, INDArray out) {
    int b = buf.length;
    DenseAccess.floatBuffer(l).get(0, buf, 0, b);
    for (int i = 0; i < b; i++) {
      double s = sign * buf[i];
      buf[i] = (float) (sign / (1 + Math.exp(-s)) / b);
    }
    DenseAccess.floatBuffer(out).put(0, buf, 0, b);
  }

  private static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    int n = s.length;
    double m = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    return m / 1e6;
  }

  /** Median per-layer times of the G step (G forward, D forward, D input backward, G backward). */
  private static void profile(Sequential g, Sequential d, int batch, int warmup, int iterations) {
    INDArray z = Nd4j.create(DataType.FLOAT, batch, LATENT);
    Layer.Context ctx = new Layer.Context(true, 0, 0);
    int ng = g.numLayers();
    int nd = d.numLayers();
    long[][] gf = new long[ng][iterations];
    long[][] gb = new long[ng][iterations];
    long[][] df = new long[nd][iterations];
    long[][] db = new long[nd][iterations];
    long[][] dp = new long[nd][iterations];
    INDArray dLogits = Nd4j.create(DataType.FLOAT, batch, 1);
    dLogits.assign(1.0 / batch);
    for (int it = 0; it < warmup + iterations; it++) {
      Noise.gaussian(z, 7, 4, it);
      int k = Math.max(0, it - warmup);
      INDArray a = z;
      for (int i = 0; i < ng; i++) {
        long t = System.nanoTime();
        a = g.layer(i).forward(a, ctx);
        gf[i][k] = System.nanoTime() - t;
      }
      for (int i = 0; i < nd; i++) {
        long t = System.nanoTime();
        a = d.layer(i).forward(a, ctx);
        df[i][k] = System.nanoTime() - t;
      }
      INDArray grad = dLogits;
      for (int i = nd - 1; i >= 0; i--) {
        long t = System.nanoTime();
        grad = d.layer(i).backward(grad, false, true, false);
        db[i][k] = System.nanoTime() - t;
      }
      // the D step's backward: parameter gradients, no input gradient below the first layer
      INDArray dg = dLogits;
      for (int i = nd - 1; i >= 0; i--) {
        long t = System.nanoTime();
        dg = d.layer(i).backward(dg, true, i > 0, false);
        dp[i][k] = System.nanoTime() - t;
      }
      for (int i = ng - 1; i >= 0; i--) {
        long t = System.nanoTime();
        grad = g.layer(i).backward(grad, true, i > 0, false);
        gb[i][k] = System.nanoTime() - t;
      }
    }
    System.out.printf(Locale.ROOT, "  profile, batch %d (median ms per layer):%n", batch);
    for (int i = 0; i < ng; i++) {
      System.out.printf(
          Locale.ROOT,
          "    G %d %-16s fwd %7.2f  bwd %7.2f%n",
          i,
          g.layer(i).getClass().getSimpleName(),
          median(gf[i]),
          median(gb[i]));
    }
    for (int i = 0; i < nd; i++) {
      System.out.printf(
          Locale.ROOT,
          "    D %d %-16s fwd %7.2f  bwd(input) %7.2f  bwd(params) %7.2f%n",
          i,
          d.layer(i).getClass().getSimpleName(),
          median(df[i]),
          median(db[i]),
          median(dp[i]));
    }
  }
}
