package dev.agon.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A subscriber in a child JVM, on this JVM's embedded driver, is killed with SIGKILL: the next send
 * (4 MiB, far more than the 512 KiB IPC window) fails with a typed failure within its 2 s send
 * timeout plus slack, counted, instead of waiting forever on the dead subscriber's position.
 */
class KilledSubscriberTest {
  @TempDir Path dir;

  @Test
  void aKilledSubscriberMakesThePublisherFailWithinItsTimeout() throws Exception {
    TransportSettings s =
        Polling.settings(dir)
            .withSizes(1 << 20, 64 << 10, 8 << 20)
            .withTimeouts(1_000, 2_000, 5_000);
    try (Transport t = Transport.start(s);
        TensorPublisher pub = t.publisher(Endpoint.ipc(), 41, 5, Polling.token(4))) {
      Process child = start(t.aeronDir(), dir.resolve("child.out"));
      try {
        Await.until(Duration.ofSeconds(40), pub::isConnected, "the child's subscriber to connect");
        new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child gone").isTrue();

        var tensor = Nd4j.zeros(DataType.FLOAT, 1 << 20);
        long start = System.nanoTime();
        assertThatThrownBy(() -> pub.send(FrameKind.D_SNAPSHOT, 1, 1, tensor))
            .isInstanceOfSatisfying(
                TransportException.class,
                e -> {
                  assertThat(e.reason()).isIn(Failure.SEND_TIMEOUT, Failure.NOT_CONNECTED);
                  assertThat(pub.counters().failures(e.reason())).isEqualTo(1);
                });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("ms until the failure").isLessThan(2_000 + 3_000);
      } finally {
        child.destroyForcibly();
      }
    }
  }

  private static Process start(String aeronDir, Path out) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("--add-opens");
    cmd.add("java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SubscriberProcess.class.getName());
    cmd.add(aeronDir);
    cmd.add("41");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }
}
