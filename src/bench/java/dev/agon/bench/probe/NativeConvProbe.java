/*
 * Agon's convolution layers (ConvKernels.JAVA: Java im2col/col2im around one GEMM) against
 * libnd4j's native conv2d / conv2d_bp / deconv2d / deconv2d_bp ops, called directly, at the
 * DCGAN 28x28 shapes (Dcgan.discriminator(1, 28, 64), Dcgan.generator(100, 1, 28, 64)), FLOAT.
 * Per case and batch: forward and backward (parameter and input gradients) of both, alternating
 * within each iteration; medians after warm-up. Before timing it checks the native ops' layouts
 * against the Java layer (weights in PyTorch's layouts: conv2d wFormat 1 = [O, C, k, k], deconv2d
 * wFormat 1 = [C, O, k, k]) and prints the max abs difference of output, input, weight and bias
 * gradients in FLOAT and DOUBLE.
 *
 * Run on the build to measure (the oneDNN one: mvn -Dnd4j.classifier=linux-x86_64-onednn-avx512
 * dependency:build-classpath -Dmdep.outputFile=cp.txt):
 *   OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE java -cp target/classes:$(cat cp.txt)
 *       src/bench/java/dev/agon/bench/probe/NativeConvProbe.java [warmup iterations batch...]
 *   (defaults: 5 20 64 128; one file, so Java's source launcher runs it without a test build)
 */
package dev.agon.bench.probe;

import dev.agon.nn.Conv2d;
import dev.agon.nn.ConvKernels;
import dev.agon.nn.ConvTranspose2d;
import dev.agon.nn.Init;
import dev.agon.nn.Layer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

public class NativeConvProbe {
  /** One layer of the DCGAN: transposed or not, channels in/out, input size, k4 with s/p. */
  record Case(
      String name, boolean transposed, int c, int size, int o, int s, int p, boolean bias) {}

  static final Case[] CASES = {
    new Case("D conv 1->64 28->14", false, 1, 28, 64, 2, 1, true),
    new Case("D conv 64->128 14->7", false, 64, 14, 128, 2, 1, false),
    new Case("G convT 128->64 7->14", true, 128, 7, 64, 2, 1, false),
    new Case("G convT 64->1 14->28", true, 64, 14, 1, 2, 1, true),
  };

  static final int K = 4;

  /** The Java layer and the native ops on the same parameter vector. */
  static final class Pair {
    final Case c;
    final Layer layer;
    final INDArray params;
    final INDArray grads;
    final INDArray w4; // the layer's weight as the 4-d view the op reads
    final INDArray bias; // [O] view or null
    final INDArray x;
    final INDArray dy;
    final INDArray y;
    final INDArray dx;
    final INDArray dw;
    final INDArray db;

    Pair(Case c, int batch, DataType t) {
      this.c = c;
      long[] in = {c.c, c.size, c.size};
      layer =
          c.transposed
              ? new ConvTranspose2d(in, c.o, K, c.s, c.p, c.bias, Init.PYTORCH, t, ConvKernels.JAVA)
              : new Conv2d(in, c.o, K, c.s, c.p, c.bias, Init.PYTORCH, t, ConvKernels.JAVA);
      params = Nd4j.create(t, 1, layer.numParams());
      grads = Nd4j.create(t, 1, layer.numParams());
      layer.bind(params, grads, null);
      layer.initialize(7, 3);
      if (c.bias) { // PyTorch init draws small biases; make them visible in the comparison
        params
            .get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(
                    layer.numParams() - c.o, layer.numParams()))
            .assign(Nd4j.linspace(-0.5, 0.5, c.o, t));
      }
      long nw = (long) c.c * c.o * K * K;
      INDArray wflat =
          params.get(
              org.nd4j.linalg.indexing.NDArrayIndex.point(0),
              org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nw));
      w4 = c.transposed ? wflat.reshape('c', c.c, c.o, K, K) : wflat.reshape('c', c.o, c.c, K, K);
      bias =
          c.bias
              ? params.get(
                  org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                  org.nd4j.linalg.indexing.NDArrayIndex.interval(nw, nw + c.o))
              : null;
      long[] out = layer.outputShape();
      x = Nd4j.rand(t, batch, c.c, c.size, c.size).subi(0.5);
      dy = Nd4j.rand(t, batch, out[0], out[1], out[2]).subi(0.5);
      y = Nd4j.create(t, batch, out[0], out[1], out[2]);
      dx = Nd4j.create(t, batch, c.c, c.size, c.size);
      dw = Nd4j.create(t, w4.shape());
      db = c.bias ? Nd4j.create(t, c.o) : null;
    }

    int[] iargs() {
      // kH kW sH sW pH pW dH dW paddingMode(0: explicit) dataFormat(0: NCHW) wFormat(1)
      return new int[] {K, K, c.s, c.s, c.p, c.p, 1, 1, 0, 0, 1};
    }

    void nativeForward() {
      DynamicCustomOp.DynamicCustomOpsBuilder b =
          DynamicCustomOp.builder(c.transposed ? "deconv2d" : "conv2d");
      b.addInputs(bias == null ? new INDArray[] {x, w4} : new INDArray[] {x, w4, bias});
      Nd4j.getExecutioner().exec(b.addOutputs(y).addIntegerArguments(iargs()).build());
    }

    void nativeBackward() {
      DynamicCustomOp.DynamicCustomOpsBuilder b =
          DynamicCustomOp.builder(c.transposed ? "deconv2d_bp" : "conv2d_bp");
      b.addInputs(bias == null ? new INDArray[] {x, w4, dy} : new INDArray[] {x, w4, bias, dy});
      b.addOutputs(db == null ? new INDArray[] {dx, dw} : new INDArray[] {dx, dw, db});
      Nd4j.getExecutioner().exec(b.addIntegerArguments(iargs()).build());
    }
  }

  static double median(List<Long> ns) {
    long[] s = ns.stream().mapToLong(Long::longValue).sorted().toArray();
    int n = s.length;
    return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
  }

  static double maxAbs(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE)
        .sub(b.castTo(DataType.DOUBLE).reshape(a.shape()))
        .amaxNumber()
        .doubleValue();
  }

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int[] batches =
        args.length > 2
            ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {64, 128};
    run(System.out, warmup, iterations, batches);
  }

  public static void run(PrintStream out, int warmup, int iterations, int... batches) {
    Nd4j.getRandom().setSeed(1);
    String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
    out.printf(
        Locale.ROOT,
        "native conv probe: libnd4j %s, OMP_NUM_THREADS=%s, %d warm-up + %d measured%n%n",
        info.contains("HAVE_ONEDNN") ? "with oneDNN" : "without oneDNN",
        System.getenv("OMP_NUM_THREADS"),
        warmup,
        iterations);
    out.println("| case | dtype | max abs diff y | dx | dW | db |");
    out.println("|---|---|---:|---:|---:|---:|");
    for (Case c : CASES) {
      for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        Pair p = new Pair(c, 3, t);
        INDArray y = p.layer.forward(p.x, new Layer.Context(true, 0, 0)).dup();
        INDArray dx = p.layer.backward(p.dy, true, true, false).dup();
        p.nativeForward();
        p.nativeBackward();
        long nw = p.dw.length();
        INDArray lw =
            p.grads.get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nw));
        String db =
            c.bias
                ? String.format(
                    Locale.ROOT,
                    "%.2e",
                    maxAbs(
                        p.db,
                        p.grads.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(nw, nw + c.o))))
                : "-";
        out.printf(
            Locale.ROOT,
            "| %s | %s | %.2e | %.2e | %.2e | %s |%n",
            c.name,
            t,
            maxAbs(y, p.y),
            maxAbs(dx, p.dx),
            maxAbs(p.dw, lw),
            db);
      }
    }
    out.println();
    out.println(
        "| case | batch | Java fwd ms | native fwd ms | Java bwd ms | native bwd ms | fwd Java/native | bwd Java/native |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    Layer.Context ctx = new Layer.Context(true, 0, 0);
    for (int batch : batches) {
      for (Case c : CASES) {
        Pair p = new Pair(c, batch, DataType.FLOAT);
        List<Long> jf = new ArrayList<>();
        List<Long> nf = new ArrayList<>();
        List<Long> jb = new ArrayList<>();
        List<Long> nb = new ArrayList<>();
        for (int i = 0; i < warmup + iterations; i++) {
          long t0 = System.nanoTime();
          p.layer.forward(p.x, ctx);
          long t1 = System.nanoTime();
          p.nativeForward();
          long t2 = System.nanoTime();
          p.layer.backward(p.dy, true, true, false);
          long t3 = System.nanoTime();
          p.nativeBackward();
          long t4 = System.nanoTime();
          if (i >= warmup) {
            jf.add(t1 - t0);
            nf.add(t2 - t1);
            jb.add(t3 - t2);
            nb.add(t4 - t3);
          }
        }
        out.printf(
            Locale.ROOT,
            "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
            c.name,
            batch,
            median(jf),
            median(nf),
            median(jb),
            median(nb),
            median(jf) / median(nf),
            median(jb) / median(nb));
      }
    }
  }
}
