package dev.agon.nn;

import java.io.PrintStream;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Timings of the Goodfellow 2014 / Salimans 2016 layers' forward+backward (median and p90), FLOAT
 * and DOUBLE, one "BENCH" line each on stdout. Run after {@code mvn -B -o -q -DskipTests package}:
 * {@code java -cp target/agon.jar:target/test-classes dev.agon.nn.GanLayersBench [WARMUP RUNS]}
 * (default 20 60). ProbesSmokeTest runs it with one run.
 */
public final class GanLayersBench {
  private final PrintStream out;
  private final int warmup;
  private final int runs;

  private GanLayersBench(PrintStream out, int warmup, int runs) {
    this.out = out;
    this.warmup = warmup;
    this.runs = runs;
  }

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    run(System.out, warmup, runs);
  }

  /** Prints every measurement to {@code out}, over {@code runs} runs after warm-up. */
  public static void run(PrintStream out, int warmup, int runs) {
    new GanLayersBench(out, warmup, runs).all();
  }

  private void report(String what, Runnable r) {
    for (int i = 0; i < warmup; i++) {
      r.run();
    }
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    out.printf("BENCH %-62s median %8.3f ms  p90 %8.3f ms%n", what, t[runs / 2], t[runs * 9 / 10]);
  }

  private void forwardBackward(String what, Layer layer, DataType t, long[] in) {
    SingleLayerHarness h = SingleLayerHarness.of(layer, t, 1);
    INDArray x = SingleLayerHarness.gaussian(t, 1, in);
    long[] outShape = SingleLayerHarness.batchShape((int) in[0], layer.outputShape());
    INDArray r = SingleLayerHarness.gaussian(t, 2, outShape);
    report(
        what + " " + t,
        () -> {
          h.layer.forward(x, SingleLayerHarness.TRAIN);
          h.layer.backward(r, true, true, false);
        });
  }

  private void vbn(String what, DataType t, long... shape) {
    VirtualBatchNorm layer = new VirtualBatchNorm(shape);
    SingleLayerHarness h = SingleLayerHarness.of(layer, t, 1);
    layer.setReference(SingleLayerHarness.gaussian(t, 3, SingleLayerHarness.batchShape(64, shape)));
    INDArray x = SingleLayerHarness.gaussian(t, 1, SingleLayerHarness.batchShape(64, shape));
    INDArray r = SingleLayerHarness.gaussian(t, 2, SingleLayerHarness.batchShape(64, shape));
    report(
        what + " " + t,
        () -> {
          h.layer.forward(x, SingleLayerHarness.TRAIN);
          h.layer.backward(r, true, true, false);
        });
  }

  private void all() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      forwardBackward(
          "MinibatchDiscrimination A=128 B=100 C=5 batch 64 fwd+bwd",
          new MinibatchDiscrimination(128, 100, 5),
          t,
          new long[] {64, 128});
      forwardBackward(
          "MinibatchDiscrimination A=128 B=100 C=5 batch 128 fwd+bwd",
          new MinibatchDiscrimination(128, 100, 5),
          t,
          new long[] {128, 128});
      forwardBackward(
          "Maxout 784 -> 240x5 batch 64 fwd+bwd", new Maxout(784, 240, 5), t, new long[] {64, 784});
      forwardBackward(
          "Dropout p=0.5 784 batch 64 fwd+bwd", new Dropout(0.5, 0, 784), t, new long[] {64, 784});
      vbn("VirtualBatchNorm [256, 4, 4] ref 64 batch 64 fwd+bwd", t, 256, 4, 4);
      vbn("VirtualBatchNorm [1200] ref 64 batch 64 fwd+bwd", t, 1200);
    }
  }
}
