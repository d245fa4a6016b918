package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback server that serves the shipped test split (the real pinned hashes). */
class DatasetDownloaderTest {
  private static final String IMAGES = "t10k-images-idx3-ubyte.gz";
  private static final String LABELS = "t10k-labels-idx1-ubyte.gz";

  @TempDir Path dir;
  private HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/fm/",
        exchange -> {
          requests.incrementAndGet();
          String name = exchange.getRequestURI().getPath().substring("/fm/".length());
          byte[] body = files.get(name);
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    server.start();
    Path shipped = Path.of("data", "fashion-mnist");
    files.put(IMAGES, Files.readAllBytes(shipped.resolve(IMAGES)));
    files.put(LABELS, Files.readAllBytes(shipped.resolve(LABELS)));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fm");
  }

  private List<String> cacheContents(Path cache) throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void downloadsVerifiesAndThenSkipsWhatIsInPlace() throws IOException {
    Path cache = dir.resolve("cache");
    DatasetDownloader d = new DatasetDownloader(base(), cache);
    DatasetDownloader.Report r = d.download("test");
    assertThat(r.downloaded()).containsExactly(IMAGES, LABELS);
    assertThat(r.present()).isEmpty();
    assertThat(cacheContents(cache)).containsExactly(IMAGES, LABELS);
    assertThat(requests.get()).isEqualTo(2);

    DatasetDownloader.Report again = d.download("test");
    assertThat(again.downloaded()).isEmpty();
    assertThat(again.present()).containsExactly(IMAGES, LABELS);
    assertThat(requests.get()).isEqualTo(2);

    ImageDataset loaded =
        new Datasets(List.of(), dir.resolve("none"), cache)
            .load("fashion-mnist", "test", java.util.Optional.empty());
    assertThat(loaded.size()).isEqualTo(10_000);
  }

  @Test
  void corruptDownloadIsRejectedAndLeavesNothingBehind() throws IOException {
    byte[] raw;
    try (GZIPInputStream in =
        new GZIPInputStream(new java.io.ByteArrayInputStream(files.get(IMAGES)))) {
      raw = in.readAllBytes();
    }
    raw[5000] ^= 1; // one flipped bit in one pixel: valid gzip, valid IDX, wrong data
    files.put(IMAGES, Idx.gzip(raw));
    Path cache = dir.resolve("cache");
    DatasetDownloader d = new DatasetDownloader(base(), cache);
    assertThatThrownBy(() -> d.download("test"))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(base() + "/" + IMAGES + ": SHA-256 of the decompressed content is ")
        .hasMessageContaining("expected " + DatasetDownloader.FASHION_MNIST_SHA256.get(IMAGES))
        .hasMessageContaining("discarded");
    assertThat(cacheContents(cache)).isEmpty();

    files.put(IMAGES, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> d.download("test")).hasMessageContaining("not valid gzip data");
    assertThat(cacheContents(cache)).isEmpty();
  }

  @Test
  void missingFileIsAnHttpErrorAndACorruptCachedFileIsReplaced() throws IOException {
    Path cache = Files.createDirectories(dir.resolve("cache"));
    DatasetDownloader d = new DatasetDownloader(base(), cache);
    assertThatThrownBy(() -> d.download("train"))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            base() + "/train-images-idx3-ubyte.gz: HTTP 404; nothing was written to " + cache);
    assertThat(cacheContents(cache)).isEmpty();

    Files.write(cache.resolve(IMAGES), Idx.gzip(new byte[] {0, 0, 8, 3}));
    DatasetDownloader.Report r = d.download("test");
    assertThat(r.downloaded()).containsExactly(IMAGES, LABELS);
    assertThat(Files.readAllBytes(cache.resolve(IMAGES))).isEqualTo(files.get(IMAGES));
  }

  @Test
  void defaultsAreTheOfficialMirrorAndTheUserCache() {
    assertThat(DatasetDownloader.FASHION_MNIST_MIRROR.toString())
        .isEqualTo("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    assertThat(DatasetDownloader.defaultCacheDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache/agon/datasets/fashion-mnist"));
    assertThat(DatasetDownloader.FASHION_MNIST_SHA256).hasSize(4);
  }
}
