package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.BestMetric;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Disk trouble and retention: a write that fails half-way leaves no temporary directory and the
 * previous checkpoint intact; failures are counted and answered at once; the state is retried after
 * a doubling wait and a newer one replaces it; retention keeps the newest N and the best.
 */
class CheckpointerTest extends ActorKitTest {
  @TempDir Path run;

  private static final String CONFIG = "seed = 1\n";

  private ActorRef<Checkpointer.Command> checkpointer(int keepLast, BestMetric best) {
    return kit.spawn(
        Checkpointer.create(
            new Checkpointer.Options(
                run,
                CONFIG,
                CheckpointStore.sha256(CONFIG.getBytes(StandardCharsets.UTF_8)),
                keepLast,
                best,
                Duration.ofSeconds(2),
                best != BestMetric.NONE)));
  }

  private static Map<String, INDArray> tensors(String... names) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, Nd4j.linspace(DataType.FLOAT, 1, 6, 1).reshape(2, 3));
    }
    return m;
  }

  private static Checkpointer.Write write(
      long step, Map<String, INDArray> t, ActorRef<Checkpointer.Written> probe) {
    return new Checkpointer.Write(step, step, t, Map.of("engine.g_done", "" + step), false, probe);
  }

  private long temporaryDirs() throws Exception {
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
    }
  }

  @Test
  void aFailedWriteKeepsTheLastGoodCheckpointAndIsRetriedWithBackoff() throws Exception {
    TestProbe<Checkpointer.Written> probe = kit.createTestProbe();
    ActorRef<Checkpointer.Command> c = checkpointer(3, BestMetric.NONE);
    c.tell(write(10, tensors("generator", "discriminator"), probe.ref()));
    Checkpointer.Written ok = probe.receiveMessage();
    assertThat(ok.ok()).isTrue();

    // The second tensor cannot be written (no such directory): the write fails half-way.
    c.tell(write(20, tensors("generator", "no-such-dir/discriminator"), probe.ref()));
    Checkpointer.Written failed = probe.receiveMessage();
    assertThat(failed.ok()).isFalse();
    assertThat(failed.failures()).isEqualTo(1);
    assertThat(failed.error()).contains("no-such-dir");
    assertThat(temporaryDirs()).isZero();
    assertThat(CheckpointStore.latestValid(run, w -> {}).orElseThrow().step()).isEqualTo(10);

    // Retried after one second, failing again; the wait doubles.
    Checkpointer.Written retried = probe.receiveMessage(Duration.ofSeconds(5));
    assertThat(retried.step()).isEqualTo(20);
    assertThat(retried.failures()).isEqualTo(2);

    // A newer state replaces the one waiting and is written when the wait ends.
    c.tell(write(30, tensors("generator", "discriminator"), probe.ref()));
    assertThat(probe.receiveMessage().error()).contains("waiting to retry");
    Checkpointer.Written later = probe.receiveMessage(Duration.ofSeconds(5));
    assertThat(later.ok()).isTrue();
    assertThat(later.step()).isEqualTo(30);
    assertThat(CheckpointStore.list(run))
        .containsExactly(CheckpointStore.dirOf(run, 30), CheckpointStore.dirOf(run, 10));
  }

  @Test
  void anUnwritableRunDirectoryFailsEveryWriteWithoutStoppingTheWriter() throws Exception {
    Files.writeString(run.resolve("checkpoints"), "not a directory");
    TestProbe<Checkpointer.Written> probe = kit.createTestProbe();
    ActorRef<Checkpointer.Command> c = checkpointer(3, BestMetric.NONE);
    c.tell(new Checkpointer.Write(5, 5, tensors("generator"), Map.of(), true, probe.ref()));
    Checkpointer.Written w = probe.receiveMessage();
    assertThat(w.ok()).isFalse();
    assertThat(w.last()).isTrue();
    assertThat(w.failures()).isEqualTo(1);
    probe.expectNoMessage(Duration.ofMillis(1500)); // the final write is not retried
  }

  @Test
  void retentionKeepsTheNewestAndTheBest() throws Exception {
    TestProbe<Checkpointer.Written> probe = kit.createTestProbe();
    ActorRef<Checkpointer.Command> c = checkpointer(2, BestMetric.REVERSE_KL);
    for (long step = 1; step <= 5; step++) {
      c.tell(write(step, tensors("generator"), probe.ref()));
      assertThat(probe.receiveMessage().ok()).isTrue();
      c.tell(new Checkpointer.Metric(step, step == 2 ? 0.01 : 1.0 + step));
    }
    c.tell(write(6, tensors("generator"), probe.ref()));
    assertThat(probe.receiveMessage().ok()).isTrue();
    assertThat(CheckpointStore.list(run))
        .containsExactly(
            CheckpointStore.dirOf(run, 6),
            CheckpointStore.dirOf(run, 5),
            CheckpointStore.dirOf(run, 2));
    assertThat(Files.readString(run.resolve("checkpoints/best.json"))).contains("\"step\":2");
  }

  /**
   * An evaluation reports after later checkpoints were written (the Evaluator scores off the
   * training path, slower than checkpoints come when they are frequent): the checkpoint it scored
   * must still be there to become the best. Retention holds every checkpoint newer than the newest
   * reported evaluation, then prunes it once an evaluation has passed it; the run's final write
   * prunes without holding.
   */
  @Test
  void aCheckpointIsKeptUntilItsEvaluationCanNoLongerArrive() throws Exception {
    TestProbe<Checkpointer.Written> probe = kit.createTestProbe();
    ActorRef<Checkpointer.Command> c = checkpointer(1, BestMetric.HIGH_QUALITY);
    for (long step = 10; step <= 30; step += 10) {
      c.tell(write(step, tensors("generator"), probe.ref()));
      assertThat(probe.receiveMessage().ok()).isTrue();
    }
    c.tell(new Checkpointer.Metric(10, 0.5));
    c.tell(new Checkpointer.Metric(20, 0.1));
    c.tell(write(40, tensors("generator"), probe.ref()));
    assertThat(probe.receiveMessage().ok()).isTrue();
    // 40 the newest, 30 not evaluated yet, 10 the best; 20 was evaluated and is neither.
    assertThat(CheckpointStore.list(run))
        .containsExactly(
            CheckpointStore.dirOf(run, 40),
            CheckpointStore.dirOf(run, 30),
            CheckpointStore.dirOf(run, 10));
    assertThat(Files.readString(run.resolve("checkpoints/best.json"))).contains("\"step\":10");
    c.tell(write(50, tensors("generator"), probe.ref()));
    assertThat(probe.receiveMessage().ok()).isTrue();
    c.tell(new Checkpointer.Write(60, 60, tensors("generator"), Map.of(), true, probe.ref()));
    assertThat(probe.receiveMessage().ok()).isTrue();
    assertThat(CheckpointStore.list(run))
        .containsExactly(CheckpointStore.dirOf(run, 60), CheckpointStore.dirOf(run, 10));
  }
}
