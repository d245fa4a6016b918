package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The classifier shipped under data/classifiers loads, verifies and classifies real images. */
class ShippedClassifierTest {
  static final Path SHIPPED = Path.of("data", "classifiers", "fashion-mnist-cnn");

  @Test
  void shippedClassifierLoadsAndClassifiesTheFirst500TestImages() {
    ClassifierStore.Loaded l = ClassifierStore.load(SHIPPED);
    ImageDataset test = Datasets.standard().load("fashion-mnist", "test", Optional.empty());
    int[] first = IntStream.range(0, 500).toArray();
    var probs = l.classifier().probabilities(test.batch(first));
    double acc = Classifier.accuracy(probs, Arrays.copyOf(test.labels(), 500));
    assertThat(acc).isGreaterThanOrEqualTo(0.9);
    assertThat(l.metadata().dataset()).isEqualTo("fashion-mnist");
    assertThat(l.metadata().trainSize()).isEqualTo(60_000);
    assertThat(l.metadata().testSize()).isEqualTo(10_000);
  }
}
