package dev.agon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.bench.probe.TransportThroughputProbe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One small step of TransportThroughputProbe (1 MB, once per case): it prints its four lines in the
 * shape BENCHMARKS.md quotes. Asserts the shape, never a speed.
 */
class TransportProbeSmokeTest {
  @Test
  void transportProbePrintsMemcpyIpcAndUdpLines() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TransportThroughputProbe.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1, 1);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    String number = "[0-9]+\\.[0-9]";
    assertThat(lines).hasSize(4);
    assertThat(lines)
        .allMatch(
            l ->
                l.matches(
                    "BENCH transport \\S+ +1 MB x 1 +"
                        + number
                        + " MB/s +"
                        + number
                        + "% of memcpy"));
    assertThat(lines.stream().map(l -> l.split(" +")[2]))
        .containsExactly("memcpy", "ipc", "udp", "udp-4m");
  }
}
