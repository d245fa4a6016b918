/*
 * The 784-d MLP GAN step in ND4J SameDiff, for comparison with Agon's hand-written forward and
 * backward (agon bench steps) and PyTorch (torch_steps.py). Same networks and optimiser:
 * G 100->256->512->1024->784 (leaky ReLU 0.2, tanh out), D 784->512->256->1 (leaky ReLU 0.2),
 * PyTorch-default init, Adam 2e-4 / 0.5 / 0.999 / 1e-8 for both. D step: one fit on the [2B, 784]
 * batch (real rows, then fakes made beforehand from fresh noise) with BCE-with-logits, label 1 =
 * real. G step: D's current weights copied into the G graph, where they are constants, then one
 * fit of mean softplus(-D(G(z))) on fresh noise (non-saturating), so D gets no gradient.
 * Real data is synthetic uniform noise in [-1, 1): a timing benchmark only.
 *
 * Run: OMP_WAIT_POLICY=PASSIVE java -cp target/agon.jar
 *      src/bench/java/dev/agon/bench/probe/SameDiffMlpProbe.java
 *      [warmup iterations batch...]   (defaults: 10 40 64 256)
 * (one file, so Java's source launcher runs it without a build of the tests; ProbesSmokeTest runs
 * one step of it).
 */
package dev.agon.bench.probe;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

public class SameDiffMlpProbe {
  static final int[] G = {100, 256, 512, 1024, 784};
  static final int[] D = {784, 512, 256, 1};

  /**
   * Dense layers in {@code sd}; D's layers are constants named d*, so only G trains in G's graph.
   */
  static SDVariable mlp(
      SameDiff sd, SDVariable x, int[] sizes, String p, boolean trainable, boolean tanhOut) {
    SDVariable h = x;
    for (int l = 0; l + 1 < sizes.length; l++) {
      double bound = 1 / Math.sqrt(sizes[l]);
      INDArray w = Nd4j.rand(DataType.FLOAT, sizes[l], sizes[l + 1]).muli(2 * bound).subi(bound);
      INDArray b = Nd4j.rand(DataType.FLOAT, sizes[l + 1]).muli(2 * bound).subi(bound);
      SDVariable wv = trainable ? sd.var(p + "w" + l, w) : sd.constant(p + "w" + l, w);
      SDVariable bv = trainable ? sd.var(p + "b" + l, b) : sd.constant(p + "b" + l, b);
      h = sd.nn.linear(h, wv, bv);
      boolean last = l + 2 == sizes.length;
      h = !last ? sd.nn.leakyRelu(h, 0.2) : tanhOut ? sd.nn.tanh(h) : h;
    }
    return h;
  }

  static double medianMs(List<Long> ns) {
    long[] s = ns.stream().mapToLong(Long::longValue).sorted().toArray();
    int n = s.length;
    return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
  }

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int[] batches =
        args.length > 2
            ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {64, 256};
    run(System.out, warmup, iterations, batches);
  }

  /** Prints the table to {@code out}: a header line, then one row per batch size. */
  public static void run(PrintStream out, int warmup, int iterations, int... batches) {
    // SameDiff M2.1 prints a line per op to System.out when it builds a gradient graph.
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      table(out, warmup, iterations, batches);
    } finally {
      System.setOut(stdout);
    }
  }

  private static void table(PrintStream out, int warmup, int iterations, int[] batches) {
    Nd4j.getRandom().setSeed(1);
    out.printf(
        Locale.ROOT,
        "SameDiff probe: ND4J %s, %d warm-up + %d measured steps%n%n",
        Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor"),
        warmup,
        iterations);
    out.println("| case | batch | SameDiff D ms | SameDiff G ms | D loss | G loss |");
    out.println("|---|---:|---:|---:|---:|---:|");
    for (int b : batches) {
      // D graph: x [2B, 784] -> logit, BCE-with-logits against labels (1 = real).
      SameDiff dsd = SameDiff.create();
      SDVariable x = dsd.placeHolder("x", DataType.FLOAT, -1, 784);
      SDVariable y = dsd.placeHolder("y", DataType.FLOAT, -1, 1);
      SDVariable dLogit = mlp(dsd, x, D, "d", true, false);
      dsd.loss.sigmoidCrossEntropy("loss", y, dLogit, null);
      dsd.setLossVariables("loss");
      dsd.setTrainingConfig(
          TrainingConfig.builder()
              .updater(new Adam(2e-4, 0.5, 0.999, 1e-8))
              .dataSetFeatureMapping("x")
              .dataSetLabelMapping("y")
              .build());
      // G graph: z -> G -> D (constants) -> mean softplus(-logit).
      SameDiff gsd = SameDiff.create();
      SDVariable z = gsd.placeHolder("z", DataType.FLOAT, -1, 100);
      SDVariable fake = mlp(gsd, z, G, "g", true, true).rename("fake");
      SDVariable gLogit = mlp(gsd, fake, D, "d", false, false);
      gsd.nn.softplus(gLogit.neg()).mean("loss");
      gsd.setLossVariables("loss");
      gsd.setTrainingConfig(
          TrainingConfig.builder()
              .updater(new Adam(2e-4, 0.5, 0.999, 1e-8))
              .dataSetFeatureMapping("z")
              .markLabelsUnused()
              .build());

      INDArray labels =
          Nd4j.vstack(Nd4j.ones(DataType.FLOAT, b, 1), Nd4j.zeros(DataType.FLOAT, b, 1));
      List<Long> dNs = new ArrayList<>();
      List<Long> gNs = new ArrayList<>();
      double dLoss = Double.NaN;
      double gLoss = Double.NaN;
      for (int i = 1; i <= warmup + iterations; i++) {
        INDArray real = Nd4j.rand(DataType.FLOAT, b, 784).muli(2).subi(1);
        INDArray fakes =
            gsd.output(Map.of("z", Nd4j.randn(DataType.FLOAT, b, 100)), "fake").get("fake");
        INDArray both = Nd4j.vstack(real, fakes);
        long t1 = System.nanoTime();
        dsd.fit(new MultiDataSet(new INDArray[] {both}, new INDArray[] {labels}));
        long t2 = System.nanoTime();
        for (int l = 0; l + 1 < D.length; l++) {
          gsd.getArrForVarName("dw" + l).assign(dsd.getArrForVarName("dw" + l));
          gsd.getArrForVarName("db" + l).assign(dsd.getArrForVarName("db" + l));
        }
        gsd.fit(
            new MultiDataSet(new INDArray[] {Nd4j.randn(DataType.FLOAT, b, 100)}, new INDArray[0]));
        long t3 = System.nanoTime();
        if (i > warmup) {
          dNs.add(t2 - t1);
          gNs.add(t3 - t2);
        }
        if (i == warmup + iterations) {
          dLoss = dsd.output(Map.of("x", both, "y", labels), "loss").get("loss").getDouble(0);
          gLoss =
              gsd.output(Map.of("z", Nd4j.randn(DataType.FLOAT, b, 100)), "loss")
                  .get("loss")
                  .getDouble(0);
        }
      }
      out.printf(
          Locale.ROOT,
          "| mlp784-b%d | %d | %.2f | %.2f | %.4f | %.4f |%n",
          b,
          b,
          medianMs(dNs),
          medianMs(gNs),
          dLoss,
          gLoss);
    }
  }
}
