package dev.agon.bench;

import dev.agon.nn.Activation;
import dev.agon.nn.Dropout;
import dev.agon.nn.KernelChoice;
import dev.agon.nn.Layer;
import dev.agon.nn.Maxout;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.objective.GradientPenalty;
import dev.agon.objective.StandardGan;
import dev.agon.objective.Wasserstein;
import dev.agon.tensor.Noise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A probe of the two kernels ({@link KernelChoice}) of maxout, dropout, the objectives and the
 * WGAN-GP penalty (issue 15 item 3), FLOAT, at the shipped experiments' shapes: per case and
 * kernel, the median milliseconds of one call after warm-up, the kernels alternating per round.
 *
 * <ul>
 *   <li>maxout: forward and backward (both gradients), the Goodfellow 2014 D's first layer, 784 to
 *       240 units of 5 pieces, batch 100;
 *   <li>dropout: forward with a fresh mask and backward, [100, 784], p = 0.2;
 *   <li>mbd: minibatch discrimination forward and backward, the Improved-GAN D's (6272 features of
 *       the width-64 DCGAN, 100 kernels of dimension 5), batch 64;
 *   <li>vbn: virtual batch norm over [64, 64, 14, 14] (the Improved-GAN G's second), a reference of
 *       64 set and normalised, then forward and backward, batch 64;
 *   <li>fm: {@link dev.agon.objective.FeatureMatching} G loss on [64, 6272] real and fake features
 *       (the Improved-GAN D's layer -2);
 *   <li>ha: {@link dev.agon.objective.HistoricalAverage#apply} over 1,463,312 parameters (the
 *       default experiment's G) with their gradient;
 *   <li>gan-d / gan-g: {@link StandardGan} D loss over 64 + 64 logits, G loss over 64;
 *   <li>wgan-d: {@link Wasserstein} D loss over 64 + 64;
 *   <li>gp: {@link GradientPenalty#apply} on a 784-256-256-1 leaky-ReLU MLP critic, batch 64
 *       (including the critic's forward, backward and tangent passes, which both kernels share).
 * </ul>
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -cp target/agon.jar dev.agon.bench.LayerKernelsBench [--rounds 3]
 *     [--warmup 5] [--iterations 20] [--cases maxout,dropout,mbd,vbn,fm,ha,gan-d,gan-g,wgan-d,gp]
 * </pre>
 */
public final class LayerKernelsBench {
  private LayerKernelsBench() {}

  private static final DataType F = DataType.FLOAT;

  private static INDArray gaussian(long index, long... shape) {
    INDArray a = Nd4j.create(F, shape);
    Noise.gaussian(a, 5, 9, index);
    return a;
  }

  /** One timed call of a case on a kernel. */
  private interface Call {
    void run(long i);
  }

  private static Call build(String name, KernelChoice k) {
    switch (name) {
      case "maxout" -> {
        Maxout m = new Maxout(784, 240, 5, k);
        INDArray params = Nd4j.create(F, 1, m.numParams());
        m.bind(params, Nd4j.create(F, 1, m.numParams()), null);
        m.initialize(1, 2);
        INDArray x = gaussian(1, 100, 784);
        INDArray g = gaussian(2, 100, 240);
        Layer.Context ctx = new Layer.Context(true, 1, 0);
        return i -> {
          m.forward(x, ctx);
          m.backward(g, true, true, false);
        };
      }
      case "dropout" -> {
        Dropout d = new Dropout(0.2, 0, k, 784);
        INDArray x = gaussian(1, 100, 784);
        return i -> {
          d.forward(x, new Layer.Context(true, 1, i));
          d.backward(x, false, true, false);
        };
      }
      case "mbd" -> {
        dev.agon.nn.MinibatchDiscrimination m =
            new dev.agon.nn.MinibatchDiscrimination(6272, 100, 5, false, k);
        INDArray params = Nd4j.create(F, 1, m.numParams());
        m.bind(params, Nd4j.create(F, 1, m.numParams()), null);
        m.initialize(1, 2);
        INDArray x = gaussian(1, 64, 6272).muli(0.05);
        INDArray g = gaussian(2, 64, 6372);
        Layer.Context ctx = new Layer.Context(true, 1, 0);
        return i -> {
          m.forward(x, ctx);
          m.backward(g, true, true, false);
        };
      }
      case "vbn" -> {
        dev.agon.nn.VirtualBatchNorm v = new dev.agon.nn.VirtualBatchNorm(k, 64, 14, 14);
        v.bind(Nd4j.create(F, 1, 128), Nd4j.create(F, 1, 128), Nd4j.create(F, 1, 129));
        v.initialize(1, 2);
        INDArray ref = gaussian(1, 64, 64, 14, 14);
        INDArray x = gaussian(2, 64, 64, 14, 14);
        Layer.Context ctx = new Layer.Context(true, 1, 0);
        return i -> {
          v.reference(ref);
          v.forward(x, ctx);
          v.backward(x, true, true, false);
        };
      }
      case "fm" -> {
        dev.agon.objective.FeatureMatching fm = new dev.agon.objective.FeatureMatching(1, k);
        INDArray r = gaussian(1, 64, 6272);
        INDArray f = gaussian(2, 64, 6272);
        INDArray g = Nd4j.create(F, 64, 6272);
        return i -> fm.generator(r, f, g);
      }
      case "ha" -> {
        dev.agon.objective.HistoricalAverage h =
            new dev.agon.objective.HistoricalAverage(1_463_312, 1e-4, 0, k);
        INDArray theta = gaussian(1, 1, 1_463_312);
        INDArray grad = Nd4j.create(F, 1, 1_463_312);
        return i -> h.apply(theta, grad);
      }
      case "gan-d", "gan-g" -> {
        StandardGan s = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING, 1.0, k);
        INDArray r = gaussian(1, 64, 1);
        INDArray f = gaussian(2, 64, 1);
        INDArray gr = Nd4j.create(F, 64, 1);
        INDArray gf = Nd4j.create(F, 64, 1);
        return name.equals("gan-d") ? i -> s.discriminator(r, f, gr, gf) : i -> s.generator(f, gf);
      }
      case "wgan-d" -> {
        Wasserstein w = new Wasserstein(k);
        INDArray r = gaussian(1, 64, 1);
        INDArray f = gaussian(2, 64, 1);
        INDArray gr = Nd4j.create(F, 64, 1);
        INDArray gf = Nd4j.create(F, 64, 1);
        return i -> w.discriminator(r, f, gr, gf);
      }
      case "gp" -> {
        Mlp critic =
            Mlp.create(
                new MlpSpec(
                    784, List.of(256, 256), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2),
                3,
                F);
        GradientPenalty gp = new GradientPenalty(10, k);
        INDArray r = gaussian(1, 64, 784);
        INDArray f = gaussian(2, 64, 784);
        INDArray eps = Nd4j.create(F, 64);
        Noise.uniform(eps, 5, 9, 3);
        return i -> gp.apply(critic, r, f, eps);
      }
      default -> throw new IllegalArgumentException("unknown case " + name);
    }
  }

  public static void main(String[] args) {
    int rounds = 3;
    int warmup = 5;
    int iterations = 20;
    List<String> cases =
        List.of("maxout", "dropout", "mbd", "vbn", "fm", "ha", "gan-d", "gan-g", "wgan-d", "gp");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--cases" -> cases = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    KernelChoice[] kernels = {KernelChoice.HOST_LOOP, KernelChoice.ND4J_OPS};
    Map<String, List<Double>> times = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (String c : cases) {
        for (KernelChoice k : kernels) {
          Call call = build(c, k);
          long i = 0;
          for (int w = 0; w < warmup; w++) {
            call.run(i++);
          }
          List<Double> t = times.computeIfAbsent(c + " " + k, x -> new ArrayList<>());
          for (int n = 0; n < iterations; n++) {
            long t0 = System.nanoTime();
            call.run(i++);
            t.add((System.nanoTime() - t0) / 1e6);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%-8s %12s %12s %8s%n", "case", "host ms", "nd4j ms", "ratio");
    for (String c : cases) {
      double h = median(times.get(c + " " + KernelChoice.HOST_LOOP));
      double n = median(times.get(c + " " + KernelChoice.ND4J_OPS));
      System.out.printf(Locale.ROOT, "%-8s %12.4f %12.4f %8.2f%n", c, h, n, n / h);
    }
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
  }
}
