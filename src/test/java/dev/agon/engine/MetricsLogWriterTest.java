package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one writer of metrics.jsonl: the Recorder's buffered lines and TrainRun's appended ones. */
class MetricsLogWriterTest {
  @Test
  void syncWritesOutTheBufferAndAnswersTheLogsLength(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("metrics.jsonl");
    MetricsLog.append(log, "{\"event\":\"run_start\"}");
    try (MetricsLog.Writer w = new MetricsLog.Writer(log)) {
      w.write("{\"event\":\"d_step\",\"step\":1}");
      assertThat(Files.readAllLines(log)).hasSize(1); // still buffered
      long offset = w.sync();
      assertThat(offset).isEqualTo(Files.size(log));
      assertThat(Files.readAllLines(log))
          .containsExactly("{\"event\":\"run_start\"}", "{\"event\":\"d_step\",\"step\":1}");
    }
    MetricsLog.append(log, "{\"event\":\"restart\"}");
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).endsWith("{\"event\":\"restart\"}\n");
  }
}
