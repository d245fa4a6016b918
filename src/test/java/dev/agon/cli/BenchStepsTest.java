package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agon bench steps} runs both variants and writes a table and JSON (timings unchecked). */
class BenchStepsTest {
  @TempDir Path tmp;

  @Test
  void ringCaseProducesTableAndJson() throws Exception {
    Path json = tmp.resolve("out/steps.json");
    CliRunner t =
        CliRunner.run(
            "bench",
            "steps",
            "--cases",
            "ring",
            "--warmup",
            "1",
            "--iterations",
            "3",
            "--rounds",
            "2",
            "--json",
            json.toString());
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(t.out()).contains("| case | batch |").contains("| ring | 512 |");
    Config c = ConfigFactory.parseString(Files.readString(json));
    Config ring = c.getConfigList("cases").get(0);
    assertThat(ring.getString("case")).isEqualTo("ring");
    assertThat(ring.getConfigList("plain_rounds")).hasSize(2);
    assertThat(ring.getConfigList("engine_rounds")).hasSize(2);
    assertThat(ring.getDouble("engine.wall_ms_per_iteration")).isPositive();
    assertThat(ring.getDouble("plain.d_step_ms")).isPositive();
    assertThat(ring.getDouble("engine_over_plain")).isPositive();
    // a step allocates small Java objects and ND4J op contexts at least; the table shows them
    assertThat(t.out()).contains("| case | batch | plain heap KiB/iter |");
    assertThat(ring.getDouble("plain.heap_bytes_per_iteration")).isPositive();
    assertThat(ring.getDouble("plain.nd4j_objects_per_iteration")).isPositive();
    assertThat(ring.getDouble("engine.nd4j_objects_per_iteration")).isPositive();
  }

  @Test
  void defaultCaseTrainsTheEmbeddedDefaultExperiment() {
    CliRunner t =
        CliRunner.run(
            "bench",
            "steps",
            "--cases",
            "default",
            "--warmup",
            "1",
            "--iterations",
            "2",
            "--rounds",
            "1");
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(t.out()).contains("| default | 64 |");
  }

  @Test
  void unknownCaseIsAUsageError() {
    CliRunner t = CliRunner.run("bench", "steps", "--cases", "nope");
    assertThat(t.status()).isEqualTo(Main.EXIT_USAGE);
    assertThat(t.err()).contains("unknown case 'nope'");
  }
}
