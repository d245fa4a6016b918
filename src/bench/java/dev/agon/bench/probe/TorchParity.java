package dev.agon.bench.probe;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.BatchSource;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Npy;
import dev.agon.tensor.Seeds;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exports the ring experiment's initial weights and the inputs of its first N iterations (real
 * batches, the noise of the fakes and of the G step) as NPY files, runs those N iterations with
 * Agon's trainers (the code the actors run) and exports the final weights;
 * bench/python/torch_parity.py replays the same inputs in PyTorch and compares.
 *
 * <p>Usage: java -cp target/agon.jar src/bench/java/dev/agon/bench/probe/TorchParity.java N OUT_DIR
 * [CONFIG] (CONFIG: config/ring.conf, the 2-D MLP GAN bench/python/torch_parity.py builds; the
 * embedded default is the Fashion-MNIST DCGAN, which it does not). Writes g0, d0, real/zf/zg 1..N,
 * g1, d1 as NPY and prints one "step i lossD x lossG y" line per iteration.
 */
public class TorchParity {
  static Path out;

  static void save(String name, INDArray a) throws Exception {
    Npy.writeFloat32(out.resolve(name + ".npy"), Tensors.toFloats(a), a.shape());
  }

  public static void main(String[] args) throws Exception {
    int steps = Integer.parseInt(args[0]);
    out = Files.createDirectories(Path.of(args[1]));
    Path config = Path.of(args.length > 2 ? args[2] : "config/ring.conf");
    AgonConfig c = ConfigLoader.load(Optional.of(config), List.of()).config();
    int b = c.schedule().batchSize();
    GeneratorTrainer g = GeneratorTrainer.create(c, 2);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, 2);
    save("g0", g.params());
    save("d0", d.params());
    BatchSource data = Factory.data(c);
    for (int i = 1; i <= steps; i++) {
      INDArray real = data.batch(i - 1, b).x();
      INDArray zf = Nd4j.create(DataType.FLOAT, b, c.model().latentDim());
      INDArray zg = Nd4j.create(DataType.FLOAT, b, c.model().latentDim());
      Noise.gaussian(zf, c.seed(), Seeds.STREAM_FAKES_FOR_D, i);
      Noise.gaussian(zg, c.seed(), Seeds.STREAM_G_STEP, i);
      save("real" + i, real);
      save("zf" + i, zf);
      save("zg" + i, zg);
      var dl = d.step(real, g.fakes(i, b));
      var gl = g.step(i, d.params(), b);
      System.out.println("step " + i + " lossD " + dl.loss() + " lossG " + gl.loss());
    }
    save("g1", g.params());
    save("d1", d.params());
  }
}
