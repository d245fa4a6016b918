package dev.agon.nn;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Timings of the Goodfellow 2014 / Salimans 2016 layers (medians, not assertions). Run with {@code
 * mvn -B -o -q test -Dtest=GanLayersBench -Dagon.bench=true}; results go to stdout.
 */
@EnabledIfSystemProperty(named = "agon.bench", matches = "true")
class GanLayersBench {
  private static final int WARMUP = 20;
  private static final int RUNS = 60;

  private static void report(String what, Runnable r) {
    for (int i = 0; i < WARMUP; i++) {
      r.run();
    }
    double[] t = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    System.out.printf(
        "BENCH %-62s median %8.3f ms  p90 %8.3f ms%n", what, t[RUNS / 2], t[RUNS * 9 / 10]);
  }

  private static void forwardBackward(String what, Layer layer, DataType t, long[] in) {
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

  private static void vbn(String what, DataType t, long... shape) {
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

  @Test
  void run() {
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
