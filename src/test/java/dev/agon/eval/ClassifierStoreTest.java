package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.data.ImageDataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ClassifierStoreTest {
  @TempDir Path tmp;

  static ClassifierStore.Metadata meta(double acc) {
    return new ClassifierStore.Metadata(
        "toy", "train", 64, "test", 64, acc, 1.5, 0.1, 10, 1, 16, 1e-3, 6, 0.25, 5, "agon test");
  }

  /** A classifier trained a few steps, so parameters and BN running statistics are not initial. */
  static Classifier trained() {
    ImageDataset data = ClassifierTest.toy(32);
    Classifier c = Classifier.create(11);
    ClassifierTrainer t = new ClassifierTrainer(c, data, 2, 1e-3, 16);
    for (int s = 0; s < 3; s++) {
      t.step(s);
    }
    return c;
  }

  @Test
  void roundTripGivesIdenticalProbabilitiesAndMetadata() throws Exception {
    Classifier c = trained();
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(c, meta(0.75), dir, false);
    ImageDataset data = ClassifierTest.toy(20);
    INDArray before = c.probabilities(data);
    ClassifierStore.Loaded l = ClassifierStore.load(dir);
    assertThat(l.metadata()).isEqualTo(meta(0.75));
    assertThat(l.classifier().probabilities(data).ravel().toFloatVector())
        .containsExactly(before.ravel().toFloatVector());
    assertThat(l.classifier().features(data).ravel().toFloatVector())
        .containsExactly(c.features(data).ravel().toFloatVector());
    String manifest = Files.readString(dir.resolve(ClassifierStore.MANIFEST));
    assertThat(manifest).contains(Classifier.ARCHITECTURE).contains(Classifier.LAYERS.get(7));
    assertThat(Files.size(dir.resolve(ClassifierStore.PARAMS))).isEqualTo(4 * 436_394L);
  }

  @Test
  void refusesToOverwriteUnlessAskedThenReplaces() throws Exception {
    Classifier c = trained();
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(c, meta(0.5), dir, false);
    assertThatThrownBy(() -> ClassifierStore.save(c, meta(0.6), dir, false))
        .hasMessageContaining("already exists");
    ClassifierStore.save(c, meta(0.6), dir, true);
    assertThat(ClassifierStore.metadata(dir).testAccuracy()).isEqualTo(0.6);
    try (var s = Files.list(tmp)) {
      assertThat(s).containsExactly(dir); // no temporary or old directories left behind
    }
  }

  @Test
  void flippedByteInATensorFileIsRejectedNamingTheFile() throws Exception {
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(trained(), meta(0.5), dir, false);
    for (String name : new String[] {ClassifierStore.PARAMS, ClassifierStore.STATE}) {
      Path f = dir.resolve(name);
      byte[] b = Files.readAllBytes(f);
      b[b.length / 2] ^= 0x04;
      Files.write(f, b);
      assertThatThrownBy(() -> ClassifierStore.load(dir))
          .isInstanceOf(ClassifierFileException.class)
          .hasMessageContaining(name)
          .hasMessageContaining("SHA-256 mismatch");
      b[b.length / 2] ^= 0x04;
      Files.write(f, b);
    }
    ClassifierStore.load(dir); // restored: loads again
  }

  @Test
  void truncatedFileWrongFormatAndWrongArchitectureAreRejected() throws Exception {
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(trained(), meta(0.5), dir, false);
    Path m = dir.resolve(ClassifierStore.MANIFEST);
    String manifest = Files.readString(m);

    Path state = dir.resolve(ClassifierStore.STATE);
    byte[] b = Files.readAllBytes(state);
    Files.write(state, java.util.Arrays.copyOf(b, b.length - 4));
    assertThatThrownBy(() -> ClassifierStore.load(dir))
        .isInstanceOf(ClassifierFileException.class)
        .hasMessageContaining(ClassifierStore.STATE)
        .hasMessageContaining("bytes");
    Files.write(state, b);

    Files.writeString(m, manifest.replace("\"format\":1", "\"format\":2"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ClassifierStore.load(dir))
        .isInstanceOf(ClassifierFileException.class)
        .hasMessageContaining("format 2");

    Files.writeString(
        m, manifest.replace(Classifier.ARCHITECTURE, "other-cnn"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ClassifierStore.load(dir))
        .isInstanceOf(ClassifierFileException.class)
        .hasMessageContaining("other-cnn");

    Files.writeString(
        m, manifest.replace("linear(128->10", "linear(128->11"), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ClassifierStore.load(dir))
        .isInstanceOf(ClassifierFileException.class)
        .hasMessageContaining("layer list");

    Files.delete(m);
    assertThatThrownBy(() -> ClassifierStore.load(dir))
        .isInstanceOf(ClassifierFileException.class)
        .hasMessageContaining("no manifest.json");
  }
}
