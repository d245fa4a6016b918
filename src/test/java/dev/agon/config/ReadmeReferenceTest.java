package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's key reference equal to {@link ConfigReference#markdown()}. To regenerate the
 * block: {@code mvn -B -o -q test -Dtest=ReadmeReferenceTest -Dagon.updateReadme=true}, or run
 * {@link ConfigReference#main} with the README path.
 */
class ReadmeReferenceTest {
  private static final Path README = Path.of("README.md");

  @Test
  void readmeBlockEqualsTheGeneratedReference() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    if (Boolean.getBoolean("agon.updateReadme")) {
      readme = ConfigReference.replaceBlock(readme, ConfigReference.markdown());
      Files.writeString(README, readme, StandardCharsets.UTF_8);
    }
    assertThat(ConfigReference.block(readme))
        .as("README.md config reference is stale; rerun with -Dagon.updateReadme=true")
        .isEqualTo(ConfigReference.markdown());
  }

  @Test
  void referenceListsEveryKeyWithTypeDefaultAndConstraint() {
    String md = ConfigReference.markdown();
    assertThat(md.lines().filter(l -> l.startsWith("| `"))).hasSize(137);
    assertThat(md)
        .contains("| `schedule.batch-size` | int | `64` | in [1, 65536] | ")
        .contains(
            "| `model.generator.hidden` | list of int | `[128, 128]` | non-empty; each >= 1 | ")
        .contains("| `optim.generator.beta1` | double | `0.5` | in [0, 1) | ")
        .contains("| `data.ring.std` | double | `0.01` | > 0 | ")
        .contains(
            "| `data.kind` | enum | `fashion-mnist` | one of `ring`, `grid`, `fashion-mnist`,"
                + " `mnist`, `idx`, `image-folder`, `npy` | ")
        .contains(
            "| `run.name` | string | `\"fashion-mnist-dcgan\"` | non-empty; matches `[A-Za-z0-9._-]+` | ");
  }

  @Test
  void replaceBlockKeepsTheSurroundingText() {
    String readme =
        "intro\n" + ConfigReference.BEGIN + "\nold\n" + ConfigReference.END + "\noutro\n";
    String updated = ConfigReference.replaceBlock(readme, "new\n");
    assertThat(updated)
        .isEqualTo(
            "intro\n" + ConfigReference.BEGIN + "\nnew\n" + ConfigReference.END + "\noutro\n");
    assertThat(ConfigReference.block(updated)).isEqualTo("new\n");
  }
}
