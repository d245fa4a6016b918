package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * objective.kind = semi-supervised (issue 16): what it accepts, and what it refuses at which key.
 */
class SemiSupervisedConfigTest {
  private static final Path RING = Path.of("config", "ring.conf");

  /** The default experiment (DCGAN on Fashion-MNIST's test split) with {@code overrides}. */
  private static List<String> problems(String... overrides) {
    return Problems.of(null, overrides);
  }

  @Test
  void theDefaultExperimentTakesIt() {
    AgonConfig c =
        ConfigLoader.load(
                Optional.empty(), List.of("objective.kind=semi-supervised", "data.labels=all"))
            .config();
    assertThat(c.objective().kind()).isEqualTo(ObjectiveKind.SEMI_SUPERVISED);
    assertThat(c.objective().classes()).isEqualTo(10);
    assertThat(
            ConfigLoader.load(
                    Optional.empty(),
                    List.of(
                        "objective.kind=semi-supervised", "data.labels=all", "objective.classes=7"))
                .config()
                .objective()
                .classes())
        .isEqualTo(7);
  }

  @Test
  void unlabelledDataIsRefusedAtDataKind() {
    assertThat(Problems.of(RING, "objective.kind=semi-supervised"))
        .singleElement()
        .asString()
        .contains(
            "data.kind: objective.kind = semi-supervised needs a labelled image data set"
                + " (fashion-mnist, mnist, idx or image-folder), got ring");
  }

  @Test
  void noLabelsAreRefusedWhereTheKindIsSet() {
    assertThat(problems("objective.kind=semi-supervised"))
        .singleElement()
        .asString()
        .startsWith(
            "--set objective.kind=semi-supervised: objective.kind: semi-supervised trains D's"
                + " classifier on labelled examples: set data.labels");
  }

  @Test
  void minimaxGeneratorIsRefusedAtItsKey() {
    assertThat(
            problems(
                "objective.kind=semi-supervised", "data.labels=all", "objective.generator=minimax"))
        .containsExactly(
            "--set objective.generator=minimax: objective.generator: must be non-saturating with"
                + " kind = semi-supervised (or train G by stabilizers.feature-matching)");
  }

  @Test
  void zeroCentredPenaltiesAreRefused() {
    assertThat(
            problems("objective.kind=semi-supervised", "data.labels=all", "objective.r2-gamma=1"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("--set objective.r2-gamma=1: objective.r2-gamma:")
                    .contains("cannot be combined with kind = semi-supervised"));
  }

  @Test
  void classesOutsideTheKindOrRangeAreRefused() {
    assertThat(problems("objective.classes=5"))
        .containsExactly(
            "--set objective.classes=5: objective.classes: only applies to kind = semi-supervised"
                + " or model.conditional = true");
    assertThat(problems("objective.kind=semi-supervised", "data.labels=all", "objective.classes=1"))
        .singleElement()
        .asString()
        .startsWith("--set objective.classes=1: objective.classes:");
  }

  @Test
  void unsupervisedWeightIsSemiSupervisedOnlyAndInZeroToOne() {
    assertThat(
            ConfigLoader.load(
                    Optional.empty(),
                    List.of(
                        "objective.kind=semi-supervised",
                        "data.labels=all",
                        "objective.unsupervised-weight=0"))
                .config()
                .objective()
                .unsupervisedWeight())
        .isZero();
    assertThat(problems("objective.unsupervised-weight=0"))
        .containsExactly(
            "--set objective.unsupervised-weight=0: objective.unsupervised-weight: only applies to"
                + " kind = semi-supervised");
    for (String w : new String[] {"-0.5", "1.5"}) {
      assertThat(
              problems(
                  "objective.kind=semi-supervised",
                  "data.labels=all",
                  "objective.unsupervised-weight=" + w))
          .singleElement()
          .asString()
          .startsWith(
              "--set objective.unsupervised-weight=" + w + ": objective.unsupervised-weight:");
    }
  }
}
