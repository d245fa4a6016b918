package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM property {@code agon.nn.kernels} (README "Threads and backends") with a value other than
 * {@code host} or {@code nd4j} is bad input: {@code agon train} refuses it before the run starts,
 * with one {@code error:} line naming the property, exit 2, and no run directory.
 */
class KernelPropertyTest {
  @TempDir Path dir;

  @Test
  void anUnknownKernelIsRefusedBeforeTheRunStarts() throws Exception {
    Path run = dir.resolve("run");
    TrainProcess p =
        TrainProcess.start(
            run, "kernels", List.of("-Dagon.nn.kernels=fast"), List.of("schedule.iterations=3"));
    int status = p.waitFor(120);
    List<String> err = Files.readAllLines(p.stderr);
    assertThat(status).as("exit status; stderr: %s", err).isEqualTo(2);
    assertThat(err).hasSize(1);
    assertThat(err.get(0)).startsWith("error: ").contains("agon.nn.kernels").contains("fast");
    assertThat(run).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      // only the child's own stdout/stderr files beside the run directory
      assertThat(files.map(f -> f.getFileName().toString()))
          .allMatch(n -> n.startsWith("run-kernels."));
    }
  }
}
