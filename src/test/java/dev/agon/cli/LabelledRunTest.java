package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with data.labels = N per class: the labelled set is recorded in the run directory, a resume
 * keeps it, and a resume that would draw another one (the data set's labels changed) is refused
 * before anything is written.
 */
class LabelledRunTest {
  @TempDir Path tmp;

  /** 40 IDX images of 28x28 (image i filled with 6i), labels (i + shift) % 4, in {@code dir}. */
  static void idx(Path dir, int shift) throws IOException {
    Files.createDirectories(dir);
    ByteBuffer img = ByteBuffer.allocate(16 + 40 * 784);
    img.putInt(0x803).putInt(40).putInt(28).putInt(28);
    for (int i = 0; i < 40; i++) {
      for (int k = 0; k < 784; k++) {
        img.put((byte) (6 * i));
      }
    }
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), img.array());
    ByteBuffer lab = ByteBuffer.allocate(8 + 40);
    lab.putInt(0x801).putInt(40);
    for (int i = 0; i < 40; i++) {
      lab.put((byte) ((i + shift) % 4));
    }
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), lab.array());
  }

  private static CliRunner train(Path run, Path data, String labels, int iterations) {
    return CliRunner.train(
        run,
        null,
        "data.kind=idx",
        "data.path=\"" + data + "\"",
        "data.labels=" + labels,
        "data.label-seed=5",
        "model.architecture=mlp",
        "model.latent-dim=8",
        "model.generator.hidden=[16]",
        "model.discriminator.hidden=[16]",
        "schedule.batch-size=8",
        "schedule.iterations=" + iterations,
        "eval.every-steps=0",
        "eval.plots=false",
        "eval.samples=50",
        "metrics.enabled=false");
  }

  private static int[] indices(Path run) throws IOException {
    Matcher m =
        Pattern.compile("\"indices\":\\[([0-9,]*)]")
            .matcher(Files.readString(run.resolve("labelled-set.json")));
    assertThat(m.find()).isTrue();
    return Stream.of(m.group(1).split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static List<String> listing(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted().toList()) {
        out.add(
            root.relativize(p)
                + (Files.isRegularFile(p)
                    ? ":" + java.util.Arrays.hashCode(Files.readAllBytes(p))
                    : ""));
      }
    }
    return out;
  }

  @Test
  void theLabelledSetIsRecordedKeptOnResumeAndAnotherDrawIsRefused() throws Exception {
    Path data = tmp.resolve("idx");
    idx(data, 0);
    Path run = tmp.resolve("run");
    CliRunner first = train(run, data, "3", 2);
    assertThat(first.status()).as(first.err()).isZero();
    int[] chosen = indices(run);
    int[] perClass = new int[4];
    for (int i : chosen) {
      perClass[i % 4]++;
    }
    assertThat(perClass).containsExactly(3, 3, 3, 3);
    byte[] record = Files.readAllBytes(run.resolve("labelled-set.json"));

    CliRunner resumed = train(run, data, "3", 3);
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(Files.readAllBytes(run.resolve("labelled-set.json"))).isEqualTo(record);

    // The same config on data whose labels moved: the draw differs from the record.
    idx(data, 1);
    // An in-process command keeps the last data set loaded per data config; one with another
    // config (refused: 20 per class is more than a class holds) makes the next one read the files.
    assertThat(train(tmp.resolve("other"), data, "20", 1).status()).isEqualTo(2);
    List<String> before = listing(run);
    CliRunner refused = train(run, data, "3", 4);
    assertThat(refused.status()).as(refused.err()).isEqualTo(2);
    assertThat(refused.errLines())
        .singleElement()
        .asString()
        .startsWith("error: data.labels: the labelled set drawn now (12 examples) differs")
        .contains("labelled-set.json");
    assertThat(listing(run)).as("nothing written or changed").isEqualTo(before);
  }
}
