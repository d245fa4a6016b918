package dev.agon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.bench.probe.TorchParity;
import dev.agon.tensor.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny step of each benchmark probe in src/bench/java, so that a change that breaks a probe or
 * the recipe BENCHMARKS.md gives for it fails here. Asserts the shape of what each prints or
 * writes, never a time.
 */
class ProbesSmokeTest {
  @TempDir Path dir;

  /**
   * TorchParity exports what bench/python/torch_parity.py replays: the ring MLPs (G 256-128-128-2,
   * D 2-128-128-1, flat parameters), batch 512 of 2-D reals, 256-d noise.
   */
  @Test
  void torchParityExportsTheRingExperimentForTorchParityPy() throws Exception {
    String printed = stdoutOf(() -> TorchParity.main(new String[] {"1", dir.toString()}));

    long g = 256 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2;
    long d = 2 * 128 + 128 + 128 * 128 + 128 + 128 + 1;
    assertThat(size("g0")).isEqualTo(g);
    assertThat(size("g1")).isEqualTo(g);
    assertThat(size("d0")).isEqualTo(d);
    assertThat(size("d1")).isEqualTo(d);
    assertThat(Npy.readFloat32(dir.resolve("real1.npy")).shape()).containsExactly(512, 2);
    assertThat(Npy.readFloat32(dir.resolve("zf1.npy")).shape()).containsExactly(512, 256);
    assertThat(Npy.readFloat32(dir.resolve("zg1.npy")).shape()).containsExactly(512, 256);
    assertThat(printed).matches("step 1 lossD [0-9.E-]+ lossG [0-9.E-]+\\R");
  }

  private long size(String name) throws IOException {
    return Npy.readFloat32(dir.resolve(name + ".npy")).data().length;
  }

  interface Body {
    void run() throws Exception;
  }

  /** What {@code body} prints to System.out (restored after). */
  static String stdoutOf(Body body) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
