package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OutputFiles}: all outputs or none, never a temporary file left behind. */
class OutputFilesTest {
  @TempDir Path dir;

  /** The file names in the directory, sorted. */
  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFailureMidwayLeavesNeitherOutputNorTemporaryFile() throws IOException {
    Files.writeString(dir.resolve("b.png"), "old");
    OutputFiles o =
        new OutputFiles().add("--out", dir.resolve("a.npy")).add("--png", dir.resolve("b.png"));
    assertThatThrownBy(
            () -> {
              try {
                o.write("--out", f -> Files.writeString(f, "new a"));
                o.write(
                    "--png",
                    f -> {
                      Files.writeString(f, "half");
                      throw new IOException("No space left on device");
                    });
                o.commit();
              } finally {
                o.discard();
              }
            })
        .isInstanceOf(Main.UserException.class)
        .hasMessageContaining("--png " + dir.resolve("b.png"))
        .hasMessageContaining("No space left on device");
    assertThat(names()).containsExactly("b.png");
    assertThat(Files.readString(dir.resolve("b.png"))).isEqualTo("old");
  }

  @Test
  void committedOutputsReplaceTheTargetsAndLeaveNoTemporaryFile() throws IOException {
    Files.writeString(dir.resolve("b.png"), "old");
    OutputFiles o =
        new OutputFiles().add("--out", dir.resolve("a.npy")).add("--png", dir.resolve("b.png"));
    try {
      o.write("--out", f -> Files.writeString(f, "new a"));
      o.write("--png", f -> Files.writeString(f, "new b"));
      o.commit();
    } finally {
      o.discard();
    }
    assertThat(names()).containsExactly("a.npy", "b.png");
    assertThat(Files.readString(dir.resolve("a.npy"))).isEqualTo("new a");
    assertThat(Files.readString(dir.resolve("b.png"))).isEqualTo("new b");
  }

  @Test
  void aPathThatCannotBeWrittenIsRefusedBeforeAnythingIsCreated() throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    assertThatThrownBy(() -> new OutputFiles().add("--out", dir.resolve("sub")))
        .hasMessage("--out " + dir.resolve("sub") + ": is a directory; give a file name");
    assertThatThrownBy(() -> new OutputFiles().add("--png", dir.resolve("none/x.png")))
        .hasMessage(
            "--png " + dir.resolve("none/x.png") + ": " + dir.resolve("none") + " does not exist");
    assertThatThrownBy(
            () -> new OutputFiles().add("--out", dir.resolve("x")).add("--png", dir.resolve("./x")))
        .hasMessageContaining("the same file as --out");
    assertThat(names()).containsExactly("sub");
  }
}
