package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.Datasets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** D's test accuracy as a classifier, on the Fashion-MNIST split the run does not train on. */
class ClassifierProbeTest {
  private static AgonConfig config(String... overrides) {
    return ConfigLoader.load(Optional.empty(), List.of(overrides)).config();
  }

  @Test
  void onlySemiSupervisedRunsOnFashionMnistHaveOne() {
    assertThat(ClassifierProbe.unavailable(config())).get().asString().contains("semi-supervised");
    assertThat(
            ClassifierProbe.unavailable(
                config(
                    "objective.kind=semi-supervised",
                    "data.labels=all",
                    "data.kind=mnist",
                    "data.path=\"data/mnist\"")))
        .get()
        .asString()
        .contains("Fashion-MNIST's splits; this run's data is mnist");
    assertThat(
            ClassifierProbe.unavailable(
                config("objective.kind=semi-supervised", "data.labels=all")))
        .isEmpty();
  }

  @Test
  void aDThatAlwaysSaysClassThreeScoresTheShareOfClassThree() {
    // An MLP D with zero weights outputs its last layer's bias (the last K parameters): logits
    // 5 for class 3 and 0 elsewhere, so every image is class 3. Trained on the training split,
    // so the held-out images are the embedded test split's first 300.
    AgonConfig c =
        config(
            "objective.kind=semi-supervised",
            "data.labels=all",
            "model.architecture=mlp",
            "data.split=train",
            "schedule.batch-size=64");
    ClassifierProbe probe =
        ClassifierProbe.create(c, new long[] {784}, 300); // an MLP sees flat images
    assertThat(probe.count()).isEqualTo(300);
    INDArray params = org.nd4j.linalg.factory.Nd4j.zeros(1, probe.numParams());
    params.putScalar(probe.numParams() - 10 + 3, 5.0);
    int[] labels = Datasets.standard().load("fashion-mnist", "test", Optional.empty()).labels();
    long threes = java.util.Arrays.stream(labels, 0, 300).filter(y -> y == 3).count();
    assertThat(threes).isPositive().isLessThan(300);
    assertThat(probe.accuracy(params)).isEqualTo(threes / 300.0);
  }
}
