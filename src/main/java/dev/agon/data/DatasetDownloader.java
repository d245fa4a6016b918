package dev.agon.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Opt-in download of the four Fashion-MNIST files into a cache directory, for the training split
 * where Debian's package is not installed. Nothing in Agon downloads unless asked.
 *
 * <p>Each file is fetched from {@code base URL + file name} into a temporary file in the cache
 * directory, verified, and only then renamed into place (an atomic rename in the same directory),
 * so the cache never holds a partial or unverified file under a real name; a failed file is deleted
 * and reported. A file already present and verified is not fetched again (a present file that fails
 * verification is fetched again and replaced).
 *
 * <p>Verification: the pinned SHA-256 are of the <em>decompressed</em> IDX content, not of the gzip
 * files, and a file is verified by inflating it and hashing the result. The gzip bytes of a given
 * data set differ between distributions (Debian's recompressed files differ from the upstream
 * downloads, whose gzip hashes could not be checked offline), while the IDX content is the data
 * itself. The hashes were computed from Debian's {@code dataset-fashion-mnist} files; the
 * test-split ones are also those of the files shipped in {@code data/fashion-mnist}. Cost: one
 * download plus one inflation per file (the train images, 26 MB compressed, take about half a
 * second to verify).
 */
public final class DatasetDownloader {
  /** The official Fashion-MNIST mirror (Zalando Research's bucket). */
  public static final URI FASHION_MNIST_MIRROR =
      URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

  /** SHA-256 of the decompressed content of each Fashion-MNIST file, by file name. */
  public static final Map<String, String> FASHION_MNIST_SHA256 =
      Map.of(
          "train-images-idx3-ubyte.gz",
          "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
          "train-labels-idx1-ubyte.gz",
          "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
          "t10k-images-idx3-ubyte.gz",
          "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
          "t10k-labels-idx1-ubyte.gz",
          "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

  private final URI base;
  private final Path dir;
  private final Map<String, String> pinned;
  private final HttpClient http;

  /**
   * Fashion-MNIST from {@code baseUrl} (normally {@link #FASHION_MNIST_MIRROR}; a trailing slash is
   * added if missing) into {@code cacheDir} (normally {@link #defaultCacheDir()}), created when
   * needed.
   */
  public DatasetDownloader(URI baseUrl, Path cacheDir) {
    this(baseUrl, cacheDir, FASHION_MNIST_SHA256);
  }

  /** Any set of files with their pinned decompressed-content SHA-256 (lower-case hex). */
  DatasetDownloader(URI baseUrl, Path cacheDir, Map<String, String> pinned) {
    String b = baseUrl.toString();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    this.dir = cacheDir;
    this.pinned = Map.copyOf(pinned);
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  /** {@code ~/.cache/agon/datasets/fashion-mnist} of the current user. */
  public static Path defaultCacheDir() {
    return Path.of(System.getProperty("user.home"), ".cache", "agon", "datasets", "fashion-mnist");
  }

  public Path cacheDir() {
    return dir;
  }

  /** What one call did: the cache directory, the files fetched and those already in place. */
  public record Report(Path dir, List<String> downloaded, List<String> present) {
    public Report {
      downloaded = List.copyOf(downloaded);
      present = List.copyOf(present);
    }
  }

  /** Makes sure all four files are in the cache directory. */
  public Report download() {
    return fetch(
        List.of(
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz"));
  }

  /** Makes sure the images and labels of {@code split} ("train" or "test") are there. */
  public Report download(String split) {
    String prefix = Datasets.filePrefix(split);
    return fetch(List.of(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz"));
  }

  /** Makes sure the named files (keys of the pinned table) are in place, in the given order. */
  public Report fetch(List<String> names) {
    for (String n : names) {
      if (!pinned.containsKey(n)) {
        throw new IllegalArgumentException(n + " has no pinned SHA-256; known: " + pinned.keySet());
      }
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DatasetException(dir + ": cannot create the download directory: " + e, e);
    }
    List<String> downloaded = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (String n : names) {
      Path target = dir.resolve(n);
      if (Files.isRegularFile(target) && pinned.get(n).equals(tryContentSha256(target))) {
        present.add(n);
      } else {
        fetchOne(n, target);
        downloaded.add(n);
      }
    }
    return new Report(dir, downloaded, present);
  }

  private void fetchOne(String name, Path target) {
    URI url = base.resolve(name);
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + name + ".", ".part");
      HttpResponse<Path> r =
          http.send(
              HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET().build(),
              HttpResponse.BodyHandlers.ofFile(tmp));
      if (r.statusCode() != 200) {
        throw new DatasetException(
            url + ": HTTP " + r.statusCode() + "; nothing was written to " + dir);
      }
      String want = pinned.get(name);
      String got;
      try {
        got = contentSha256(tmp);
      } catch (IOException e) {
        throw new DatasetException(
            url + ": the download is not valid gzip data (" + e.getMessage() + "); discarded", e);
      }
      if (!want.equals(got)) {
        throw new DatasetException(
            url
                + ": SHA-256 of the decompressed content is "
                + got
                + ", expected "
                + want
                + "; the download is corrupt or not the expected file, and was discarded");
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetException(url + ": download interrupted", e);
    } catch (IOException e) {
      throw new DatasetException(url + ": download failed: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // Best effort: a leftover .part file has no real name and is never read.
        }
      }
    }
  }

  /** SHA-256 (lower-case hex) of the inflated content of a gzip file. */
  static String contentSha256(Path gzipFile) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (InputStream in =
        new DigestInputStream(new GZIPInputStream(Files.newInputStream(gzipFile), 1 << 16), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String tryContentSha256(Path file) {
    try {
      return contentSha256(file);
    } catch (IOException e) {
      return null;
    }
  }
}
