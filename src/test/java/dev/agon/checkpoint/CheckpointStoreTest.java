package dev.agon.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointStoreTest {
  @TempDir Path run;

  Map<String, INDArray> tensors() {
    Map<String, INDArray> t = new LinkedHashMap<>();
    t.put(
        "generator",
        Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, DataType.FLOAT));
    t.put("discriminator", Nd4j.create(new float[] {-1.5f, 7}, new long[] {1, 2}, DataType.FLOAT));
    return t;
  }

  @Test
  void roundTripKeepsValuesShapesAndStep() throws Exception {
    Path dir = CheckpointStore.write(run, 42, "abc", tensors());
    assertThat(CheckpointStore.latest(run)).contains(dir);
    CheckpointStore.Checkpoint c = CheckpointStore.read(dir);
    assertThat(c.step()).isEqualTo(42);
    assertThat(c.configSha256()).isEqualTo("abc");
    assertThat(c.tensors().get("generator").shape()).containsExactly(2, 3);
    assertThat(Tensors.toFloats(c.tensors().get("generator"))).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(Tensors.toFloats(c.tensors().get("discriminator"))).containsExactly(-1.5f, 7);
  }

  @Test
  void latestIgnoresTemporaryAndIncompleteDirectories() throws Exception {
    Path first = CheckpointStore.write(run, 10, "h", tensors());
    Files.createDirectories(run.resolve("checkpoints/.tmp-20-123"));
    Files.createDirectories(run.resolve("checkpoints/0000000030")); // no manifest: torn
    assertThat(CheckpointStore.latest(run)).contains(first);
  }

  @Test
  void flippedByteIsDetected() throws Exception {
    Path dir = CheckpointStore.write(run, 1, "h", tensors());
    Path f = dir.resolve("generator.f32");
    byte[] b = Files.readAllBytes(f);
    b[5] ^= 0x10;
    Files.write(f, b);
    assertThatThrownBy(() -> CheckpointStore.read(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("generator.f32")
        .hasMessageContaining("SHA-256 mismatch");
  }

  @Test
  void missingTensorFileAndTruncatedManifestAreDetected() throws Exception {
    Path dir = CheckpointStore.write(run, 1, "h", tensors());
    Files.delete(dir.resolve("discriminator.f32"));
    assertThatThrownBy(() -> CheckpointStore.read(dir))
        .hasMessageContaining("discriminator.f32: missing");
    Path dir2 = CheckpointStore.write(run, 2, "h", tensors());
    Files.writeString(dir2.resolve("manifest.json"), "{\"format\": 1, \"tens");
    assertThatThrownBy(() -> CheckpointStore.read(dir2))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("manifest");
  }

  @Test
  void existingStepIsNeverOverwritten() throws IOException {
    CheckpointStore.write(run, 5, "h", tensors());
    assertThatThrownBy(() -> CheckpointStore.write(run, 5, "h", tensors()))
        .hasMessageContaining("already exists");
  }

  @Test
  void formatTwoKeepsDoublesEngineStateAndConfigExactly() throws Exception {
    Map<String, INDArray> t = tensors();
    double[] mean = {Math.PI, -1e-300, Double.MIN_VALUE, 1.0 / 3};
    t.put("generator_history", Nd4j.create(mean, new long[] {1, 4}, DataType.DOUBLE));
    String config = "seed = 1\n";
    String sha = CheckpointStore.sha256(config.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Map<String, String> engine = Map.of("generator.lr", Double.toString(0.1 + 0.2), "x.y", "7");
    Path dir = CheckpointStore.write(run, 3, sha, t, engine, config);
    CheckpointStore.Checkpoint c = CheckpointStore.read(dir);
    assertThat(c.tensors().get("generator_history").dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(c.tensors().get("generator_history").toDoubleVector()).containsExactly(mean);
    assertThat(c.engine()).isEqualTo(engine);
    assertThat(Double.parseDouble(c.engine().get("generator.lr"))).isEqualTo(0.1 + 0.2);
    assertThat(c.config()).isEqualTo(config);
    Files.writeString(dir.resolve(CheckpointStore.CONFIG_FILE), "seed = 2\n");
    assertThatThrownBy(() -> CheckpointStore.read(dir)).hasMessageContaining("config.conf");
    assertThat(CheckpointStore.latestValid(run, w -> {})).isEmpty();
  }
}
