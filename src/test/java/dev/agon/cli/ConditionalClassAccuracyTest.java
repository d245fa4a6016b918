package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.eval.Classifier;
import dev.agon.eval.ClassifierStore;
import dev.agon.tensor.Npy;
import dev.agon.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code agon eval --metrics class-accuracy} on a conditional run: its per-class numbers are the
 * shipped classifier's labels of exactly the samples {@code agon sample} draws by class, counted
 * against the class each row was generated for.
 */
class ConditionalClassAccuracyTest {
  @TempDir Path tmp;

  @Test
  void perClassAccuracyMatchesTheClassifiersLabelsOfTheClassRows() throws Exception {
    Path run = tmp.resolve("cond");
    CliRunner.trainTiny(run, "config/fashion-mnist-sngan.conf");
    int per = 4;
    int k = Classifier.CLASSES;
    Path grid = tmp.resolve("grid.npy");
    CliRunner s =
        CliRunner.run(
            "sample", "--run", run.toString(), "--n", "" + k * per, "--out", grid.toString());
    assertThat(s.status()).as(s.err()).isZero();
    Npy.Array all = Npy.readFloat32(grid);
    assertThat(all.shape()).containsExactly(k * per, 1, 28, 28);

    // The expected numbers, counted here from the classifier's own labels of the class rows.
    Classifier clf = ClassifierStore.load(ClassifierStore.shipped().orElseThrow()).classifier();
    float[] probs =
        Tensors.toFloats(
            clf.probabilities(Nd4j.create(all.data(), new long[] {k * per, 1, 28, 28}, 'c')));
    double[] expected = new double[k];
    double mean = 0;
    for (int i = 0; i < k * per; i++) {
      int arg = 0;
      for (int j = 1; j < k; j++) {
        if (probs[i * k + j] > probs[i * k + arg]) {
          arg = j;
        }
      }
      if (arg == i / per) {
        expected[i / per] += 1.0 / per;
      }
    }
    for (double e : expected) {
      mean += e / k;
    }

    CliRunner e =
        CliRunner.run(
            "eval", "--run", run.toString(), "--metrics", "class-accuracy", "--n", "" + k * per);
    assertThat(e.status()).as(e.err()).isZero();
    assertThat(e.out()).contains("class accuracy");
    Path json;
    try (var files = Files.walk(run.resolve("checkpoints"))) {
      json = files.filter(f -> f.endsWith("eval.json")).findFirst().orElseThrow();
    }
    Config j = ConfigFactory.parseFile(json.toFile());
    for (int c = 0; c < k; c++) {
      assertThat(j.getDouble("class_accuracy_" + c))
          .as("class " + c)
          .isCloseTo(expected[c], org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(j.getDouble("class_accuracy"))
        .isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
  }
}
