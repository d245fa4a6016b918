package dev.agon.eval;

import dev.agon.data.ImageDataset;
import dev.agon.util.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real side of the image metrics under one classifier: the penultimate features of every image
 * of a data set, their Gaussian fit (FID's reference statistics) and the data's class histogram.
 * Computing it costs one classifier pass over the data set (about half a minute for 60,000
 * Fashion-MNIST images on one core), so {@link #cached} keeps it in a file keyed by {@link #key}:
 * the classifier's and the data set's content fingerprints. A changed classifier or changed data
 * make a new key, so a stale cache is never read; a damaged file fails its checksum and is rebuilt.
 *
 * <p>File {@code <key>.ref}, little-endian: the 8 ASCII bytes {@code AGONRF01}; the key (int32
 * length + UTF-8); the data set's name (likewise); int32 N, int32 D, N·D float32 features
 * (row-major); int32 K, K float64 class counts; {@link GaussianStats#write}'s form; then the
 * SHA-256 (32 bytes) of everything before it.
 */
public final class Reference {
  private static final byte[] MAGIC = "AGONRF01".getBytes(StandardCharsets.US_ASCII);

  private final String key;
  private final String name;
  private final int count;
  private final int dimension;
  private final float[] features;
  private final double[] classCounts;
  private final GaussianStats stats;

  private Reference(
      String key,
      String name,
      int count,
      int dimension,
      float[] features,
      double[] classCounts,
      GaussianStats stats) {
    this.key = key;
    this.name = name;
    this.count = count;
    this.dimension = dimension;
    this.features = features;
    this.classCounts = classCounts;
    this.stats = stats;
  }

  /** A reference and where it came from. */
  public record Loaded(Reference reference, Path file, Source source) {}

  /** Whether {@link #cached} read the file, built a missing one, or replaced a damaged one. */
  public enum Source {
    CACHE,
    COMPUTED,
    REPLACED_DAMAGED
  }

  /** {@code $XDG_CACHE_HOME/agon/reference}, or {@code ~/.cache/agon/reference}. */
  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("agon").resolve("reference");
  }

  /** Computes the reference of {@code data} under {@code classifier} (no file involved). */
  public static Reference compute(Classifier classifier, ImageDataset data) {
    INDArray f = classifier.features(data);
    int n = data.size();
    int d = (int) f.size(1);
    float[] flat = dev.agon.tensor.Tensors.toFloats(f);
    return new Reference(
        key(classifier, data),
        data.name(),
        n,
        d,
        flat,
        ImageMetrics.histogram(data),
        GaussianStats.of(flat, d));
  }

  /**
   * The reference of {@code data} under {@code classifier} from {@code cacheDir/<key>.ref}, or
   * computed and written there (atomically: temp file, fsync, rename) when the file is missing or
   * damaged. A cache that cannot be written is not an error: the computed reference is returned and
   * the failure is left to the caller's log through {@link Loaded#file()} being null.
   */
  public static Loaded cached(Classifier classifier, ImageDataset data, Path cacheDir) {
    String key = key(classifier, data);
    Path file = cacheDir.resolve(key + ".ref");
    Source source = Source.COMPUTED;
    try {
      Reference r = read(file);
      if (r.key.equals(key)) {
        return new Loaded(r, file, Source.CACHE);
      }
      source = Source.REPLACED_DAMAGED;
    } catch (NoSuchFileException e) {
      // first use of this classifier on this data
    } catch (IOException e) {
      source = Source.REPLACED_DAMAGED;
    }
    Reference r = compute(classifier, data);
    try {
      r.write(file);
      return new Loaded(r, file, source);
    } catch (IOException e) {
      return new Loaded(r, null, source);
    }
  }

  /**
   * The cache key: SHA-256 of the format tag, the classifier's {@link Classifier#fingerprint} and
   * the data set's {@link ImageDataset#fingerprint} (content, not name or path).
   */
  public static String key(Classifier classifier, ImageDataset data) {
    String text =
        "agon-reference-v1\n" + classifier.fingerprint() + "\n" + data.fingerprint() + "\n";
    return DurableFiles.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The cache key this reference was made under. */
  public String key() {
    return key;
  }

  /** Name of the data set the features came from. */
  public String name() {
    return name;
  }

  /** Number of real images N. */
  public int count() {
    return count;
  }

  /** Feature dimension D. */
  public int dimension() {
    return dimension;
  }

  /** The features as N rows of doubles (a fresh copy, N·D·8 bytes). */
  public double[][] featureRows() {
    double[][] rows = new double[count][dimension];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < dimension; j++) {
        rows[i][j] = features[i * dimension + j];
      }
    }
    return rows;
  }

  /** Class counts of the data's labels (uniform when it has none). */
  public double[] classCounts() {
    return classCounts.clone();
  }

  /** Mean and covariance of the features: FID's reference statistics. */
  public GaussianStats stats() {
    return stats;
  }

  private void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    java.io.ByteArrayOutputStream statsBytes = new java.io.ByteArrayOutputStream();
    stats.write(statsBytes);
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    int body =
        MAGIC.length
            + 4
            + keyBytes.length
            + 4
            + nameBytes.length
            + 8
            + 4 * features.length
            + 4
            + 8 * classCounts.length
            + statsBytes.size();
    ByteBuffer b = ByteBuffer.allocate(body + 32).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(keyBytes.length).put(keyBytes).putInt(nameBytes.length).put(nameBytes);
    b.putInt(count).putInt(dimension);
    b.asFloatBuffer().put(features);
    b.position(b.position() + 4 * features.length);
    b.putInt(classCounts.length);
    for (double v : classCounts) {
      b.putDouble(v);
    }
    b.put(statsBytes.toByteArray());
    b.put(digest(b.array(), body));
    Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".ref");
    try {
      Files.delete(tmp);
      DurableFiles.writeSynced(tmp, b.array());
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      DurableFiles.fsyncDir(file.getParent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads a reference file, checking its checksum and every length against the file's size. */
  static Reference read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < MAGIC.length + 32) {
      throw new IOException(file + ": too short for a reference file");
    }
    int body = all.length - 32;
    if (!Arrays.equals(digest(all, body), Arrays.copyOfRange(all, body, all.length))) {
      throw new IOException(file + ": checksum mismatch");
    }
    ByteBuffer b = ByteBuffer.wrap(all, 0, body).order(ByteOrder.LITTLE_ENDIAN);
    try {
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + ": not a reference file");
      }
      String key = string(b);
      String name = string(b);
      int n = b.getInt();
      int d = b.getInt();
      if (n < 1 || d < 1 || (long) n * d * 4 > b.remaining()) {
        throw new IOException(file + ": implausible shape [" + n + ", " + d + "]");
      }
      float[] features = new float[n * d];
      b.asFloatBuffer().get(features);
      b.position(b.position() + 4 * features.length);
      int k = b.getInt();
      if (k < 1 || 8L * k > b.remaining()) {
        throw new IOException(file + ": implausible class count " + k);
      }
      double[] counts = new double[k];
      for (int i = 0; i < k; i++) {
        counts[i] = b.getDouble();
      }
      GaussianStats stats =
          GaussianStats.read(
              new java.io.ByteArrayInputStream(all, b.position(), body - b.position()));
      if (stats.dimension() != d) {
        throw new IOException(file + ": statistics of dimension " + stats.dimension() + " != " + d);
      }
      return new Reference(key, name, n, d, features, counts, stats);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException(file + ": truncated", e);
    }
  }

  private static String string(ByteBuffer b) throws IOException {
    int len = b.getInt();
    if (len < 0 || len > 4096 || len > b.remaining()) {
      throw new IOException("implausible string length " + len);
    }
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static byte[] digest(byte[] bytes, int length) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      md.update(bytes, 0, length);
      return md.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
