package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Evaluator's scorer measures the semi-supervised D as a classifier on the split the run does
 * not train on, from the D snapshot it is handed; other runs, and evaluations without a D, have no
 * accuracy.
 */
class ImageScorerClassifierTest {
  @TempDir Path dir;

  private static AgonConfig config(String... more) {
    List<String> o =
        new java.util.ArrayList<>(
            List.of(
                "data.split=train",
                "model.dcgan.width=8",
                "eval.metrics=[]",
                "eval.plots=false",
                "eval.jsd=false",
                "eval.samples=200"));
    o.addAll(List.of(more));
    return ConfigLoader.load(Optional.empty(), o).config();
  }

  @Test
  void semiSupervisedScoresCarryDsTestAccuracy() throws Exception {
    AgonConfig c = config("objective.kind=semi-supervised", "data.labels=all");
    ImageScorer scorer = new ImageScorer(c, dir);
    assertThat(scorer.describe()).contains("D's classifier accuracy on 200 held-out images");
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, new long[] {1, 28, 28});
    GeneratorTrainer g = GeneratorTrainer.create(c, new long[] {1, 28, 28});
    INDArray dParams = d.snapshot();
    Scorer.Score s = scorer.score(1, false, g.params(), dParams);
    double expected = ClassifierProbe.create(c, new long[] {1, 28, 28}, 200).accuracy(dParams);
    assertThat(s.classifierAccuracy()).isEqualTo(expected).isBetween(0.0, 1.0);
    assertThat(scorer.score(1, false, g.params(), null).classifierAccuracy()).isNull();
  }

  @Test
  void otherObjectivesHaveNone() throws Exception {
    AgonConfig c = config();
    ImageScorer scorer = new ImageScorer(c, dir);
    assertThat(scorer.describe()).doesNotContain("classifier accuracy");
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, new long[] {1, 28, 28});
    GeneratorTrainer g = GeneratorTrainer.create(c, new long[] {1, 28, 28});
    assertThat(scorer.score(1, false, g.params(), d.snapshot()).classifierAccuracy()).isNull();
  }
}
