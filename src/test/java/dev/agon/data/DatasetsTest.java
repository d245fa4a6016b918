package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  @Test
  void shippedTestSplitHasTenThousandBalancedImagesInMinusOneOne() {
    ImageDataset d = Datasets.standard().load("fashion-mnist", "test", Optional.empty());
    assertThat(d.name()).isEqualTo("fashion-mnist/test");
    assertThat(d.shape()).containsExactly(10_000, 1, 28, 28);
    int[] counts = new int[10];
    for (int l : d.labels()) {
      assertThat(l).isBetween(0, 9);
      counts[l]++;
    }
    assertThat(counts).containsOnly(1000);
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    float[] all = d.batch(java.util.stream.IntStream.range(0, 10_000).toArray()).data().asFloat();
    for (float v : all) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).isEqualTo(-1f);
    assertThat(max).isEqualTo(1f);
  }

  @Test
  void idxByPathReadsTheStandardNamesRawOrGzipped() throws IOException {
    Files.write(
        dir.resolve("train-images-idx3-ubyte.gz"), Idx.gzip(Idx.images(3, 2, 2, Idx.ramp(12))));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.labels(5, 6, 7));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), Idx.images(1, 2, 2, Idx.ramp(4)));
    Datasets none = new Datasets(List.of(), dir.resolve("no-debian"), dir.resolve("no-cache"));
    ImageDataset train = none.load("mnist", "train", Optional.of(dir));
    assertThat(train.name()).isEqualTo("mnist/train");
    assertThat(train.shape()).containsExactly(3, 1, 2, 2);
    assertThat(train.labels()).containsExactly(5, 6, 7);
    ImageDataset test = none.load("idx", "test", Optional.of(dir));
    assertThat(test.size()).isEqualTo(1);
    assertThat(test.hasLabels()).isFalse();
    assertThat(none.load("fashion-mnist", "train", Optional.of(dir)).size()).isEqualTo(3);
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> none.load("mnist", "train", Optional.of(empty)))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            "mnist (train split): "
                + empty
                + " holds no train-images-idx3-ubyte or train-images-idx3-ubyte.gz");
    assertThatThrownBy(() -> none.load("mnist", "train", Optional.empty()))
        .hasMessageContaining("mnist: no path given");
  }

  @Test
  void fashionMnistIsLookedForInDebiansDirectoryThenTheDownloadCache() throws IOException {
    Path debian = dir.resolve("debian");
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Datasets ds = new Datasets(List.of(dir.resolve("root")), debian, cache);
    assertThatThrownBy(() -> ds.load("fashion-mnist", "train", Optional.empty()))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(
            "fashion-mnist (train split) not found: looked for"
                + " train-images-idx3-ubyte[.gz] in "
                + debian
                + " (Debian's dataset-fashion-mnist), "
                + cache
                + " (downloads)")
        .hasMessageContaining("apt-get install dataset-fashion-mnist")
        .hasMessageContaining("--download");
    assertThatThrownBy(() -> ds.load("fashion-mnist", "test", Optional.empty()))
        .hasMessageContaining(
            dir.resolve("root").resolve("data/fashion-mnist") + " (shipped copy)");

    Files.write(
        cache.resolve("train-images-idx3-ubyte.gz"), Idx.gzip(Idx.images(2, 1, 1, new byte[2])));
    assertThat(ds.load("fashion-mnist", "train", Optional.empty()).size()).isEqualTo(2);
    Files.createDirectories(debian);
    Files.write(
        debian.resolve("train-images-idx3-ubyte.gz"), Idx.gzip(Idx.images(4, 1, 1, new byte[4])));
    assertThat(ds.load("fashion-mnist", "train", Optional.empty()).size()).isEqualTo(4);
  }

  @Test
  void unknownNamesAndSplitsAreNamed() {
    Datasets ds = Datasets.standard();
    assertThatThrownBy(() -> ds.load("cifar", "train", Optional.empty()))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("unknown data set 'cifar'; known: fashion-mnist, mnist, idx, npy");
    assertThatThrownBy(() -> ds.load("fashion-mnist", "val", Optional.empty()))
        .hasMessage("unknown split 'val'; use train or test");
    assertThat(Datasets.projectRoots()).contains(Path.of("").toAbsolutePath());
  }
}
