package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenderTest {

  private static final List<String> UNUSUAL =
      List.of(
          "run.dir=\"a \\\"quoted\\\" dir\\\\x\"",
          "seed=-9223372036854775808",
          "data.ring.std=0.1e-6",
          "data.grid.spacing=0.30000000000000004",
          "model.generator.leaky-slope=-0.0",
          "model.generator.hidden=[1, 2, 3]",
          "model.discriminator.activation=leaky-relu",
          "optim.generator={type=sgd, lr=123456.789, momentum=0.9, nesterov=true}",
          "schedule.iterations=9007199254740993");

  @Test
  void renderedDefaultsAreSortedHoconWithoutComments() {
    String rendered = ConfigLoader.load(Optional.empty(), List.of()).rendered();
    assertThat(rendered)
        .startsWith("checkpoint {\n  best-metric = none\n  every-seconds = 600\n")
        .contains(
            "}\ndata {\n  channels = 1\n  download = false\n  grid {\n    side = 5\n"
                + "    spacing = 2.0\n    std = 0.05\n  }\n")
        .contains("  generator {\n    activation = tanh\n    hidden = [128, 128]\n")
        .contains("    eps = 1e-8\n    lr = 0.0002\n")
        .contains("run {\n  dir = \"runs\"\n  name = \"fashion-mnist-dcgan\"\n}\n")
        .contains("\nseed = 1\nstabilizers {\n")
        .doesNotContain("#", "//");
    List<String> topLevel = new ArrayList<>();
    rendered.lines().filter(l -> !l.startsWith(" ") && !l.equals("}")).forEach(topLevel::add);
    assertThat(topLevel).isSorted();
  }

  @Test
  void roundTripGivesAnEqualRecordAndIdenticalText() {
    for (List<String> overrides : List.of(List.<String>of(), UNUSUAL)) {
      LoadedConfig loaded = ConfigLoader.load(Optional.empty(), overrides);
      LoadedConfig again = ConfigLoader.parseResolved(loaded.rendered(), "saved.conf");
      assertThat(again.config()).isEqualTo(loaded.config());
      assertThat(again.rendered()).isEqualTo(loaded.rendered());
    }
    AgonConfig unusual = ConfigLoader.load(Optional.empty(), UNUSUAL).config();
    assertThat(unusual.run().dir()).isEqualTo("a \"quoted\" dir\\x");
    assertThat(unusual.seed()).isEqualTo(Long.MIN_VALUE);
    assertThat(unusual.data().ring().std()).isEqualTo(1e-7);
    // HOCON reads -0.0 as the integer 0; a quoted "-0.0" is normalised to 0.0 as well.
    assertThat(unusual.model().generator().leakySlope()).isEqualTo(0.0);
    double quoted =
        ConfigLoader.load(Optional.empty(), List.of("model.generator.leaky-slope=\"-0.0\""))
            .config()
            .model()
            .generator()
            .leakySlope();
    assertThat(Double.doubleToRawLongBits(quoted)).isEqualTo(Double.doubleToRawLongBits(0.0));
    assertThat(unusual.schedule().iterations()).isEqualTo(9007199254740993L);
  }

  @Test
  void renderedIsStable() {
    Path ring = Path.of("config", "ring.conf");
    String a = ConfigLoader.load(Optional.of(ring), List.of()).rendered();
    String b = ConfigLoader.load(Optional.of(ring), List.of()).rendered();
    String fromDefaults = ConfigLoader.load(Optional.empty(), List.of()).rendered();
    assertThat(a).isEqualTo(b).isNotEqualTo(fromDefaults);
    String unusual1 = ConfigLoader.load(Optional.empty(), UNUSUAL).rendered();
    String unusual2 = ConfigLoader.load(Optional.empty(), UNUSUAL).rendered();
    assertThat(unusual1).isEqualTo(unusual2).isNotEqualTo(a);
  }

  @Test
  void parseResolvedValidatesAndAddsNoDefaults() {
    String rendered = ConfigLoader.load(Optional.empty(), List.of()).rendered();
    String broken =
        rendered
            .replace("  k = 1\n", "  k = 0\n")
            .replaceFirst("(?m)^seed = 1\n", "") // the line, not data.label-seed's
            .replace("  name", "  nam");
    int kLine = broken.lines().toList().indexOf("  k = 0") + 1;
    int namLine = broken.lines().toList().indexOf("  nam = \"fashion-mnist-dcgan\"") + 1;
    int runLine = broken.lines().toList().indexOf("run {") + 1;
    assertThat(Problems.ofResolved(broken, "runs/ring/config.conf"))
        .containsExactly(
            "runs/ring/config.conf:" + namLine + ": run.nam: unknown key (did you mean run.name?)",
            "runs/ring/config.conf:" + runLine + ": run.name: missing key",
            "runs/ring/config.conf:1: seed: missing key",
            "runs/ring/config.conf:" + kLine + ": schedule.k: must be >= 1 (got 0)");
    assertThat(Problems.ofResolved("run {", "saved.conf"))
        .containsExactly(
            "saved.conf:1: syntax error: unexpected end of file (a '}' or ']' missing?)");
  }
}
