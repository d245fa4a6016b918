package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.data.ImageDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-feature cache: hits, keys that follow content, damaged and unwritable files. */
class ReferenceTest {
  @TempDir Path tmp;

  private static ImageDataset images(String name, long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] px = new byte[n * 28 * 28];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) r.nextInt(256);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 10;
    }
    return ImageDataset.ofUint8(name, px, n, 1, 28, 28, labels);
  }

  @Test
  void secondUseReadsTheCacheAndGetsTheSameFeaturesAndStatistics() {
    Classifier c = Classifier.create(3);
    ImageDataset data = images("a", 1, 40);
    Reference.Loaded first = Reference.cached(c, data, tmp);
    assertThat(first.source()).isEqualTo(Reference.Source.COMPUTED);
    assertThat(first.file()).exists();
    Reference.Loaded second = Reference.cached(c, data, tmp);
    assertThat(second.source()).isEqualTo(Reference.Source.CACHE);
    Reference a = first.reference();
    Reference b = second.reference();
    assertThat(b.featureRows()).isDeepEqualTo(a.featureRows());
    assertThat(b.classCounts()).containsExactly(a.classCounts());
    assertThat(b.stats().mean()).containsExactly(a.stats().mean());
    assertThat(b.stats().covariance()).isDeepEqualTo(a.stats().covariance());
    assertThat(b.name()).isEqualTo("a");
    assertThat(b.count()).isEqualTo(40);
    assertThat(b.dimension()).isEqualTo(Classifier.FEATURES);
    // and they are the classifier's features of the data
    assertThat(a.featureRows()[7])
        .containsExactly(
            ImageMetrics.rows(c.features(data))[7], org.assertj.core.data.Offset.offset(0.0));
  }

  @Test
  void keyFollowsContentNotNames() {
    Classifier c = Classifier.create(3);
    ImageDataset data = images("a", 1, 40);
    String key = Reference.key(c, data);
    assertThat(Reference.key(c, images("renamed", 1, 40))).isEqualTo(key);
    assertThat(Reference.key(c, images("a", 2, 40))).isNotEqualTo(key);
    assertThat(Reference.key(c, images("a", 1, 39))).isNotEqualTo(key);
    assertThat(Reference.key(Classifier.create(4), data)).isNotEqualTo(key);
    Classifier moved = Classifier.create(3);
    moved.network().params().putScalar(0, moved.network().params().getDouble(0) + 1e-3);
    assertThat(Reference.key(moved, data)).isNotEqualTo(key);
  }

  @Test
  void aChangedClassifierNeverReadsTheOldCache() {
    ImageDataset data = images("a", 1, 30);
    Reference.cached(Classifier.create(3), data, tmp);
    Reference.Loaded other = Reference.cached(Classifier.create(4), data, tmp);
    assertThat(other.source()).isEqualTo(Reference.Source.COMPUTED);
    assertThat(other.reference().featureRows())
        .isDeepEqualTo(Reference.compute(Classifier.create(4), data).featureRows());
  }

  @Test
  void aDamagedFileIsRebuiltNotRead() throws Exception {
    Classifier c = Classifier.create(3);
    ImageDataset data = images("a", 1, 30);
    Path file = Reference.cached(c, data, tmp).file();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);
    Reference.Loaded again = Reference.cached(c, data, tmp);
    assertThat(again.source()).isEqualTo(Reference.Source.REPLACED_DAMAGED);
    assertThat(again.reference().featureRows())
        .isDeepEqualTo(Reference.compute(c, data).featureRows());
    assertThat(Reference.cached(c, data, tmp).source()).isEqualTo(Reference.Source.CACHE);
    // truncated
    Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 100));
    assertThat(Reference.cached(c, data, tmp).source())
        .isEqualTo(Reference.Source.REPLACED_DAMAGED);
    try (var s = Files.list(tmp)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".tmp-"))).isEmpty();
    }
  }

  @Test
  void anUnwritableCacheStillGivesTheReference() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Classifier c = Classifier.create(3);
    ImageDataset data = images("a", 1, 20);
    Reference.Loaded r = Reference.cached(c, data, blocker.resolve("cache"));
    assertThat(r.file()).isNull();
    assertThat(r.reference().count()).isEqualTo(20);
  }
}
