package dev.agon.nn;

import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Timings of the numerics kernels (medians): GEMM as a load indicator, noise, optimizer steps, MLP
 * forward/backward and full D/G steps, the D loss as a Java loop vs ND4J ops. One "BENCH" line per
 * measurement on stdout. Run after {@code mvn -B -o -q -DskipTests package}: {@code
 * OMP_WAIT_POLICY=PASSIVE java -cp target/agon.jar:target/test-classes dev.agon.nn.NumericsBench
 * [WARMUP RUNS]} (default 30 100). ProbesSmokeTest runs it with one run.
 */
public final class NumericsBench {
  private final PrintStream out;
  private final int warmup;
  private final int runs;

  private NumericsBench(PrintStream out, int warmup, int runs) {
    this.out = out;
    this.warmup = warmup;
    this.runs = runs;
  }

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    run(System.out, warmup, runs);
  }

  /** Prints every measurement to {@code out}, each the median of {@code runs} after warm-up. */
  public static void run(PrintStream out, int warmup, int runs) {
    new NumericsBench(out, warmup, runs).all();
  }

  private double medianMs(Runnable r) {
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
    return t[runs / 2];
  }

  private void report(String what, Runnable r) {
    out.printf("BENCH %-62s %8.3f ms%n", what, medianMs(r));
  }

  private static INDArray noise(long rows, long cols, long index) {
    INDArray a = Nd4j.create(DataType.FLOAT, rows, cols);
    Noise.gaussian(a, 1, 0, index);
    return a;
  }

  private void all() {
    INDArray a = noise(1024, 1024, 10);
    INDArray b = noise(1024, 1024, 11);
    INDArray c = Nd4j.create(DataType.FLOAT, 1024, 1024);
    double gemmMs = medianMs(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
    out.printf(
        "BENCH reference: float gemm 1024^3 %.3f ms = %.0f GFLOP/s (machine load indicator)%n",
        gemmMs, 2.0 * 1024 * 1024 * 1024 / (gemmMs * 1e6));
    INDArray z512 = Nd4j.create(DataType.FLOAT, 512, 256);
    long[] counter = {0};
    report("Noise.gaussian [512,256] float", () -> Noise.gaussian(z512, 1, 2, counter[0]++));
    report("Noise.uniform  [512,256] float", () -> Noise.uniform(z512, 1, 2, counter[0]++));

    Adam adam = new Adam(533_000, DataType.FLOAT, 2e-4, 0.5, 0.999, 1e-8);
    INDArray p = noise(1, 533_000, 1);
    INDArray g = noise(1, 533_000, 2).muli(1e-3);
    report("Adam step, 533,000 float params", () -> adam.step(p, g));
    SgdMomentum sgd = new SgdMomentum(533_000, DataType.FLOAT, 1e-3, 0.9, true);
    report("SGD Nesterov step, 533,000 float params", () -> sgd.step(p, g));

    gan(
        "ring",
        512,
        new MlpSpec(256, List.of(128, 128), 2, Activation.TANH, Activation.IDENTITY, 0),
        new MlpSpec(2, List.of(128, 128), 1, Activation.TANH, Activation.IDENTITY, 0));
    gan(
        "784-d",
        64,
        new MlpSpec(100, List.of(256, 512, 1024), 784, Activation.LEAKY_RELU, Activation.TANH, 0.2),
        new MlpSpec(784, List.of(512, 256), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2));

    lossLoopVersusNd4j(512);
    lossLoopVersusNd4j(64);
  }

  private void gan(String name, int batch, MlpSpec gSpec, MlpSpec dSpec) {
    Mlp gen = Mlp.create(gSpec, 1, DataType.FLOAT);
    Mlp disc = Mlp.create(dSpec, 2, DataType.FLOAT);
    out.printf(
        "BENCH %s: G %d params, D %d params, batch %d%n",
        name, gen.numParams(), disc.numParams(), batch);
    INDArray z = noise(batch, gSpec.inputDim(), 3);
    INDArray real = noise(batch, dSpec.inputDim(), 4);
    INDArray dOutG = noise(batch, gSpec.outputDim(), 5);
    INDArray dOutD = noise(batch, 1, 6);
    report(name + " G forward", () -> gen.forward(z));
    report(
        name + " G forward+backward (param grads)",
        () -> {
          gen.forward(z);
          gen.backward(dOutG, true, false);
        });
    report(name + " D forward", () -> disc.forward(real));
    report(
        name + " D forward+backward (param grads)",
        () -> {
          disc.forward(real);
          disc.backward(dOutD, true, false);
        });
    report(
        name + " D forward+backward (input grad only, frozen D)",
        () -> {
          disc.forward(real);
          disc.backward(dOutD, false, true);
        });

    StandardGan objective = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);
    Adam adamG = new Adam(gen.numParams(), DataType.FLOAT, 2e-4, 0.5, 0.999, 1e-8);
    Adam adamD = new Adam(disc.numParams(), DataType.FLOAT, 2e-4, 0.5, 0.999, 1e-8);
    INDArray both = Nd4j.create(DataType.FLOAT, 2L * batch, dSpec.inputDim());
    INDArray realRows = both.get(NDArrayIndex.interval(0, batch), NDArrayIndex.all());
    INDArray fakeRows = both.get(NDArrayIndex.interval(batch, 2 * batch), NDArrayIndex.all());
    realRows.assign(real);
    INDArray gradLogits = Nd4j.create(DataType.FLOAT, 2L * batch, 1);
    INDArray gradReal = gradLogits.get(NDArrayIndex.interval(0, batch), NDArrayIndex.all());
    INDArray gradFake = gradLogits.get(NDArrayIndex.interval(batch, 2 * batch), NDArrayIndex.all());
    INDArray gGrad = Nd4j.create(DataType.FLOAT, batch, 1);
    long[] step = {0};
    report(
        name + " full D step (noise, G fwd, D fwd+bwd on 2B rows, loss, Adam)",
        () -> {
          Noise.gaussian(z, 7, 0, step[0]++);
          fakeRows.assign(gen.forward(z));
          INDArray logits = disc.forward(both);
          objective.discriminator(
              logits.get(NDArrayIndex.interval(0, batch), NDArrayIndex.all()),
              logits.get(NDArrayIndex.interval(batch, 2 * batch), NDArrayIndex.all()),
              gradReal,
              gradFake);
          disc.backward(gradLogits, true, false);
          adamD.step(disc.params(), disc.grads());
        });
    report(
        name + " full G step (noise, G fwd, frozen D fwd+bwd, loss, G bwd, Adam)",
        () -> {
          Noise.gaussian(z, 7, 1, step[0]++);
          INDArray logits = disc.forward(gen.forward(z));
          objective.generator(logits, gGrad);
          gen.backward(disc.backward(gGrad, false, true), true, false);
          adamG.step(gen.params(), gen.grads());
        });
  }

  /** The D loss as a Java loop (what StandardGan does) against a chain of ND4J ops. */
  private void lossLoopVersusNd4j(int batch) {
    StandardGan objective = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);
    INDArray real = noise(batch, 1, 8).muli(3);
    INDArray fake = noise(batch, 1, 9).muli(3);
    INDArray gr = Nd4j.create(DataType.FLOAT, batch, 1);
    INDArray gf = Nd4j.create(DataType.FLOAT, batch, 1);
    INDArray sr = Nd4j.create(DataType.FLOAT, batch, 1);
    INDArray sf = Nd4j.create(DataType.FLOAT, batch, 1);
    report(
        "D loss B=" + batch + ", Java loop (StandardGan)",
        () -> objective.discriminator(real, fake, gr, gf));
    report(
        "D loss B=" + batch + ", ND4J ops (comparison only)",
        () -> {
          // softplus(-l) = max(-l,0) + log1p(exp(-|l|)), sigmoid, gradients, means
          INDArray a = Transforms.abs(real).negi();
          Transforms.exp(a, false);
          Transforms.log(a.addi(1.0), false);
          double lr = a.addi(Transforms.max(real.neg(), 0.0, false)).meanNumber().doubleValue();
          INDArray b = Transforms.abs(fake).negi();
          Transforms.exp(b, false);
          Transforms.log(b.addi(1.0), false);
          double lf = b.addi(Transforms.max(fake, 0.0)).meanNumber().doubleValue();
          Nd4j.exec(new Sigmoid(real, sr));
          double dr = sr.meanNumber().doubleValue();
          gr.assign(sr).subi(1.0).divi(batch);
          Nd4j.exec(new Sigmoid(fake, sf));
          double df = sf.meanNumber().doubleValue();
          gf.assign(sf).divi(batch);
          if (lr + lf + dr + df == 42) {
            out.print(""); // keeps the results live
          }
        });
  }
}
