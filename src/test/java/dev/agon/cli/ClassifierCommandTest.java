package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.eval.Classifier;
import dev.agon.eval.ClassifierStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierCommandTest {
  @TempDir Path tmp;

  @Test
  void infoPrintsTheMetadataAndVerifies() throws Exception {
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(
        Classifier.create(1),
        new ClassifierStore.Metadata(
            "fashion-mnist",
            "train",
            60000,
            "test",
            10000,
            0.9234,
            9.1,
            0.05,
            10,
            7,
            128,
            1e-3,
            0,
            0.2,
            1,
            "agon classifier train --epochs 7 --seed 1 --out clf"),
        dir,
        false);
    CliRunner r = CliRunner.run("classifier", "info", dir.toString(), "--verify");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(Classifier.ARCHITECTURE)
        .contains("test accuracy:  0.9234")
        .contains("9.100 +- 0.050")
        .contains("--epochs 7 --seed 1")
        .contains("verified");
  }

  @Test
  void infoOnACorruptOrMissingDirectoryIsBadInput() throws Exception {
    Path dir = tmp.resolve("clf");
    ClassifierStore.save(
        Classifier.create(1),
        new ClassifierStore.Metadata(
            "x", "train", 1, "test", 1, 0.5, 1, 0, 10, 1, 128, 1e-3, 0, 0.2, 1, "c"),
        dir,
        false);
    Path params = dir.resolve(ClassifierStore.PARAMS);
    byte[] b = Files.readAllBytes(params);
    b[100] ^= 1;
    Files.write(params, b);
    CliRunner r = CliRunner.run("classifier", "info", dir.toString(), "--verify");
    assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("params.f32").contains("SHA-256 mismatch");
    CliRunner missing = CliRunner.run("classifier", "info", tmp.resolve("nope").toString());
    assertThat(missing.status()).isEqualTo(Main.EXIT_USAGE);
    assertThat(missing.err()).contains("no manifest.json");
  }

  @Test
  void trainRefusesAnExistingDirectoryAndZeroEpochs() throws Exception {
    Files.createDirectories(tmp.resolve("taken"));
    CliRunner r = CliRunner.run("classifier", "train", "--out", tmp.resolve("taken").toString());
    assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err()).contains("already exists");
    CliRunner z =
        CliRunner.run("classifier", "train", "--epochs", "0", "--out", tmp.resolve("n").toString());
    assertThat(z.status()).isEqualTo(Main.EXIT_USAGE);
    assertThat(z.err()).contains("--epochs must be >= 1");
  }
}
