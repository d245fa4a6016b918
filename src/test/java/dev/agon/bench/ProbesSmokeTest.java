package dev.agon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.bench.probe.NativeConvProbe;
import dev.agon.bench.probe.SameDiffMlpProbe;
import dev.agon.bench.probe.TorchParity;
import dev.agon.nn.GanLayersBench;
import dev.agon.nn.NumericsBench;
import dev.agon.tensor.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

  /** SameDiffMlpProbe prints its Markdown table: one row per batch size, four numbers each. */
  @Test
  void sameDiffMlpProbePrintsARowPerBatchSize() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SameDiffMlpProbe.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0, 1, 2);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(lines.get(0)).startsWith("SameDiff probe: ND4J ");
    assertThat(lines).hasSize(5);
    assertThat(lines.get(2)).startsWith("| case | batch |");
    assertThat(lines.get(4)).matches("\\| mlp784-b2 \\| 2( \\| " + NUMBER + "){4} \\|");
  }

  /** NumericsBench: 22 timings (noise, optimizers, two MLP GANs, the loss) and 3 context lines. */
  @Test
  void numericsBenchPrintsEveryMeasurement() {
    List<String> lines = lines(out -> NumericsBench.run(out, 0, 1));
    assertThat(lines).hasSize(25).allMatch(l -> l.startsWith("BENCH "));
    assertThat(lines).filteredOn(l -> l.matches("BENCH .+ +" + NUMBER + " ms")).hasSize(22);
  }

  /** GanLayersBench: six layers' forward+backward in FLOAT and in DOUBLE, median and p90 each. */
  @Test
  void ganLayersBenchPrintsSixLayersPerType() {
    List<String> lines = lines(out -> GanLayersBench.run(out, 0, 1));
    String timing = "BENCH .* (FLOAT|DOUBLE) +median +" + NUMBER + " ms  p90 +" + NUMBER + " ms";
    assertThat(lines).hasSize(12).allMatch(l -> l.matches(timing));
    assertThat(lines).filteredOn(l -> l.contains(" FLOAT ")).hasSize(6);
  }

  /**
   * NativeConvProbe: the native ops read PyTorch's weight layouts (its differences to the Java
   * layers are rounding: below 1e-4 in FLOAT, 1e-12 in DOUBLE), then a timing row per layer.
   */
  @Test
  void nativeConvProbeFindsTheOpsEqualToTheLayersAndTimesEachLayer() {
    List<String> lines = lines(out -> NativeConvProbe.run(out, 0, 1, 2));

    assertThat(lines).hasSize(19);
    List<String> diffs = lines.subList(4, 12);
    for (String row : diffs) {
      double bound = row.contains("| DOUBLE |") ? 1e-12 : 1e-4;
      String[] cells = row.split("\\|");
      for (int i = 3; i <= 6; i++) {
        String cell = cells[i].trim();
        if (!cell.equals("-")) {
          assertThat(Double.parseDouble(cell)).as(row).isLessThan(bound);
        }
      }
    }
    assertThat(lines.subList(15, 19))
        .allMatch(l -> l.matches("\\| [DG] conv.* \\| 2( \\| " + NUMBER + "){6} \\|"));
  }

  private static final String NUMBER = "[0-9]+\\.[0-9]+";

  private static List<String> lines(java.util.function.Consumer<PrintStream> probe) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    probe.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
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
