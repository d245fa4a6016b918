package dev.agon.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.agon.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint written before a key existed has no value for it. Where the resuming config leaves
 * the key at its embedded default the run computes what it computed before, so the resume is not a
 * config change; any other value is one.
 */
class ConfigChangesTest {
  /**
   * The keys issue 17 added (R1/R2, learning-rate schedules) and issue 16's unsupervised weight.
   */
  private static final List<String> NEW =
      List.of(
          "objective.r1-gamma",
          "objective.r2-gamma",
          "objective.lazy-every",
          "objective.unsupervised-weight",
          "optim.generator.schedule",
          "optim.discriminator.schedule");

  private static String rendered(String... overrides) {
    return ConfigLoader.load(Optional.of(Path.of("config", "ring.conf")), List.of(overrides))
        .rendered();
  }

  /** {@code text} as a checkpoint written before {@link #NEW} existed would hold it. */
  private static String withoutNewKeys(String text) {
    Config c = ConfigFactory.parseString(text);
    for (String k : NEW) {
      c = c.withoutPath(k);
    }
    return c.root().render(ConfigRenderOptions.concise());
  }

  @Test
  void keysAbsentFromAnOlderCheckpointAtTheirDefaultsAreNoChange() {
    String now = rendered();
    assertThat(ConfigChanges.between(withoutNewKeys(now), now, ConfigLoader.renderedDefaults()))
        .isEmpty();
  }

  @Test
  void keysAbsentFromAnOlderCheckpointSetOtherwiseAreChanges() {
    String old = withoutNewKeys(rendered());
    assertThat(
            ConfigChanges.between(
                old,
                rendered(
                    "objective.r1-gamma=10",
                    "model.discriminator.activation=relu",
                    "optim.generator.schedule.kind=cosine",
                    "optim.generator.schedule.updates=100"),
                ConfigLoader.renderedDefaults()))
        .containsExactly(
            "model.discriminator.activation: \"tanh\" -> \"relu\"",
            "objective.r1-gamma: (none) -> 10",
            "optim.generator.schedule.kind: (none) -> \"cosine\"",
            "optim.generator.schedule.updates: (none) -> 100");
  }
}
