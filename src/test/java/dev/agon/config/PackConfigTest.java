package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** model.pack (PacGAN, issue 17): its range, the batch it must divide, what it is refused with. */
class PackConfigTest {
  private static AgonConfig load(String... overrides) {
    return ConfigLoader.load(java.util.Optional.empty(), java.util.List.of(overrides)).config();
  }

  @Test
  void thePackMustDivideTheBatchAndStayInRange() {
    assertThat(Problems.of(null, "model.pack=3"))
        .containsExactly(
            "--set model.pack=3: model.pack: schedule.batch-size must be a multiple of model.pack"
                + " (packs are all real or all fake): got batch-size 64 and pack 3");
    assertThat(Problems.of(null, "model.pack=0"))
        .containsExactly("--set model.pack=0: model.pack: must be >= 1 (got 0)");
    assertThat(Problems.of(null, "model.pack=65"))
        .containsExactly("--set model.pack=65: model.pack: must be <= 64 (got 65)");
    assertThat(load("model.pack=4").model().pack()).isEqualTo(4);
    assertThat(load("model.pack=1", "schedule.batch-size=7").model().pack()).isEqualTo(1);
  }

  @Test
  void whatReadsDPerSampleIsRefusedNamingThePack() {
    String[][] refused = {
      {"objective.kind=wgan-gp", "objective.kind = wgan-gp (its penalty is per sample)"},
      {"objective.r1-gamma=1", "objective.r1-gamma / r2-gamma (they are per sample)"},
      {"stabilizers.feature-matching.enabled=true", "stabilizers.feature-matching"},
      {"model.infogan.categorical=10", "model.infogan codes"},
    };
    for (String[] r : refused) {
      assertThat(
              Problems.of(null, "model.pack=2", "model.dcgan.discriminator-batch-norm=false", r[0]))
          .as(r[0])
          .anySatisfy(
              p ->
                  assertThat(p)
                      .startsWith("--set model.pack=2: model.pack: packing cannot be combined with")
                      .contains(r[1]));
    }
  }
}
