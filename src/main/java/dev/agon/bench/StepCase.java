package dev.agon.bench;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.BatchSource;
import dev.agon.nn.Activation;
import dev.agon.nn.Adam;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Seeds;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One workload of {@code agon bench steps}: how to build a fresh (data, G trainer, D trainer)
 * triple. Every supplier builds new state, so the plain loop and the engine start from the same
 * initial parameters and each actor builds its part on its own thread.
 */
record StepCase(
    String name,
    String description,
    int batchSize,
    int prefetch,
    Supplier<BatchSource> data,
    Supplier<GeneratorTrainer> generator,
    Supplier<DiscriminatorTrainer> discriminator) {

  static final long SEED = 1;

  /** The known cases, by name, in their default order. */
  static Map<String, Supplier<StepCase>> all() {
    Map<String, Supplier<StepCase>> m = new LinkedHashMap<>();
    m.put("ring", StepCase::ring);
    m.put("mlp784-b64", () -> mlp784(64));
    m.put("mlp784-b256", () -> mlp784(256));
    m.put("default", StepCase::defaultExperiment);
    return m;
  }

  /**
   * The ring experiment exactly as {@code agon train --config config/ring.conf} builds it (run from
   * the project root).
   */
  static StepCase ring() {
    AgonConfig c =
        ConfigLoader.load(Optional.of(java.nio.file.Path.of("config", "ring.conf")), List.of())
            .config();
    int dims = Factory.data(c).dims();
    return fromConfig(
        "ring",
        "ring defaults: G "
            + c.model().latentDim()
            + "->"
            + c.model().generator().hidden()
            + "->"
            + dims
            + ", D "
            + dims
            + "->"
            + c.model().discriminator().hidden()
            + "->1, 8-mode ring data",
        c,
        new long[] {dims});
  }

  /**
   * The embedded default experiment exactly as {@code agon train} builds it with no config file
   * (the 32x32 DCGAN on the Fashion-MNIST test split shipped with Agon, found from any directory):
   * networks, optimizers, loss and data; no evaluation, checkpoints or metrics.
   */
  static StepCase defaultExperiment() {
    AgonConfig c = ConfigLoader.load(Optional.empty(), List.of()).config();
    long[] shape = Factory.data(c).sampleShape();
    return fromConfig(
        "default",
        "embedded default: "
            + c.run().name()
            + ", "
            + c.model().architecture()
            + " width "
            + c.model().dcgan().width()
            + ", "
            + c.data().imageSize()
            + "x"
            + c.data().imageSize()
            + " images",
        c,
        shape);
  }

  /** The experiment of {@code c} (data, trainers, batch size, prefetch) as {@code agon train}. */
  private static StepCase fromConfig(
      String name, String description, AgonConfig c, long[] sampleShape) {
    return new StepCase(
        name,
        description,
        c.schedule().batchSize(),
        c.data().prefetch(),
        () -> Factory.data(c),
        () -> GeneratorTrainer.create(c, sampleShape),
        () -> DiscriminatorTrainer.create(c, sampleShape));
  }

  /**
   * The 784-d MLP GAN of the notes' SameDiff/PyTorch table: G 100->256->512->1024->784 (leaky ReLU
   * 0.2, tanh out), D 784->512->256->1 (leaky ReLU 0.2), Adam 2e-4 / beta1 0.5 for both,
   * non-saturating G loss, synthetic uniform data (a timing benchmark only).
   */
  static StepCase mlp784(int batchSize) {
    MlpSpec gSpec =
        new MlpSpec(100, List.of(256, 512, 1024), 784, Activation.LEAKY_RELU, Activation.TANH, 0.2);
    MlpSpec dSpec =
        new MlpSpec(784, List.of(512, 256), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);
    Supplier<GeneratorTrainer> g =
        () -> {
          Mlp net = Mlp.create(gSpec, Seeds.mix(SEED, Seeds.STREAM_INIT, 0), DataType.FLOAT);
          Mlp replica = Mlp.create(dSpec, 0, DataType.FLOAT);
          return new GeneratorTrainer(net, replica, adam(net), nonSaturating(), SEED);
        };
    Supplier<DiscriminatorTrainer> d =
        () -> {
          Mlp net = Mlp.create(dSpec, Seeds.mix(SEED, Seeds.STREAM_INIT, 1), DataType.FLOAT);
          return new DiscriminatorTrainer(net, adam(net), nonSaturating());
        };
    return new StepCase(
        "mlp784-b" + batchSize,
        "G 100->256->512->1024->784, D 784->512->256->1, synthetic uniform 784-d data",
        batchSize,
        4,
        () -> new UniformSource(784, SEED),
        g,
        d);
  }

  private static Adam adam(Mlp net) {
    return new Adam(net.numParams(), net.dtype(), 2e-4, 0.5, 0.999, 1e-8);
  }

  private static StandardGan nonSaturating() {
    return new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);
  }
}
