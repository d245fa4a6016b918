package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MetricsLog#recover}: what stays of metrics.jsonl when a run restarts at a checkpoint. */
class MetricsLogTest {
  @TempDir Path dir;

  static final String START = "{\"event\":\"run_start\",\"run\":\"r\"}";
  static final String G1 = "{\"event\":\"g_step\",\"step\":1,\"ms\":1.0}";
  static final String D1 = "{\"event\":\"d_step\",\"step\":1,\"ms\":1.0}";
  static final String G2 = "{\"event\":\"g_step\",\"step\":2,\"ms\":1.0}";
  static final String D2 = "{\"event\":\"d_step\",\"step\":2,\"ms\":1.0}";

  /** The log up to the capture point of a checkpoint at G update 1. */
  static final String HEAD = START + "\n" + D1 + "\n" + G1 + "\n";

  static final long OFFSET = HEAD.getBytes(StandardCharsets.UTF_8).length;

  private Path log(String text) throws Exception {
    Path f = dir.resolve("metrics.jsonl");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aTornLastLineIsCutOff() throws Exception {
    Path f = log(HEAD + "{\"event\":\"d_step\",\"st");
    MetricsLog.Recovery r = MetricsLog.recover(f, OFFSET, 1);
    assertThat(Files.readString(f)).isEqualTo(HEAD);
    assertThat(r.cutBytes()).isEqualTo(21);
    assertThat(r.warning()).isNull();
  }

  @Test
  void updatesPastTheCheckpointGoAndWhatItHoldsStays() throws Exception {
    String evalOfOne = "{\"event\":\"eval\",\"step\":1,\"g_version\":1,\"samples\":5}";
    String evalOfTwo = "{\"event\":\"eval\",\"step\":2,\"g_version\":2,\"samples\":5}";
    String written = "{\"event\":\"checkpoint\",\"g_step\":1,\"d_step\":1,\"detail\":\"x\"}";
    String later = "{\"event\":\"checkpoint\",\"g_step\":2,\"d_step\":2,\"detail\":\"y\"}";
    String pause = "{\"event\":\"pause\",\"g_step\":2,\"d_step\":-1}";
    String restart = "{\"event\":\"restart\",\"g_step\":2,\"d_step\":2,\"detail\":\"boom\"}";
    Path f =
        log(
            HEAD
                + String.join(
                    "\n",
                    List.of(D2, written, evalOfOne, G2, evalOfTwo, later, pause, START, restart))
                + "\n{\"event\":\"g_st");
    MetricsLog.Recovery r = MetricsLog.recover(f, OFFSET, 1);
    assertThat(Files.readAllLines(f))
        .containsExactly(START, D1, G1, written, evalOfOne, START, restart);
    assertThat(r.droppedLines()).isEqualTo(5);
  }

  @Test
  void aStartFromTheInitialStateDropsEveryUpdateButKeepsTheLifecycle() throws Exception {
    Path f = log(HEAD + D2 + "\n");
    MetricsLog.recover(f, 0, 0);
    assertThat(Files.readAllLines(f)).containsExactly(START);
  }

  @Test
  void withoutARecordedOffsetOnlyATornTailGoes() throws Exception {
    Path f = log(HEAD + D2 + "\n" + "{\"ev");
    MetricsLog.Recovery r = MetricsLog.recover(f, -1, 1);
    assertThat(Files.readString(f)).isEqualTo(HEAD + D2 + "\n");
    assertThat(r.warning()).isNull();
  }

  @Test
  void anOffsetThisLogCannotHaveIsNotTrusted() throws Exception {
    for (long offset : new long[] {OFFSET - 3, OFFSET + 10_000}) {
      Path f = log(HEAD + D2 + "\n" + "{\"ev");
      MetricsLog.Recovery r = MetricsLog.recover(f, offset, 1);
      assertThat(Files.readString(f)).isEqualTo(HEAD + D2 + "\n");
      assertThat(r.warning()).contains("does not match the checkpoint of G update 1");
    }
  }

  @Test
  void aLogThatFitsIsLeftAsItIs() throws Exception {
    Path f = log(HEAD);
    assertThat(MetricsLog.recover(f, OFFSET, 1).changed()).isFalse();
    assertThat(Files.readString(f)).isEqualTo(HEAD);
    assertThat(MetricsLog.recover(dir.resolve("none.jsonl"), 0, 0).changed()).isFalse();
    assertThat(dir.resolve("none.jsonl")).doesNotExist();
  }
}
