package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebServerTest {
  @TempDir Path runDir;
  private TrainingMetrics metrics;
  private WebServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    metrics = new TrainingMetrics("r", "exp", "test", () -> 0);
    server = WebServer.start("127.0.0.1", 0);
    AgonRoutes.install(server, metrics, runDir);
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void metricsNegotiatesTextOrOpenMetrics() throws Exception {
    HttpResponse<byte[]> plain = get("/metrics");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    assertThat(text(plain)).contains("# HELP agon_training_state ");
    HttpResponse<byte[]> om =
        get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
    assertThat(om.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(text(om)).endsWith("# EOF\n");
  }

  @Test
  void healthyAlwaysReadyOnlyWhileTraining() throws Exception {
    assertThat(get("/-/healthy").statusCode()).isEqualTo(200);
    assertThat(get("/-/ready").statusCode()).isEqualTo(503);
    metrics.state(Meters.STATE_RUNNING);
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
    metrics.state(Meters.STATE_FINISHED);
    assertThat(get("/-/ready").statusCode()).isEqualTo(503);
  }

  @Test
  void latestSampleIsServedUncached() throws Exception {
    assertThat(get("/samples/latest.png").statusCode()).isEqualTo(404);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    Files.createDirectories(runDir.resolve("samples"));
    Files.write(runDir.resolve("samples/latest.png"), png);
    HttpResponse<byte[]> r = get("/samples/latest.png");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(png);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
  }

  @Test
  void statusJsonAndPageShowTheRun() throws Exception {
    metrics.configured(1000, 1, 0, 1e-3, 1e-4);
    metrics.state(Meters.STATE_RUNNING);
    for (int s = 1; s <= 20; s++) {
      metrics.step("discriminator", s, 1.0 / s, 0, 1_000_000, System.currentTimeMillis(), 2, 0);
      metrics.step("generator", s, 2.0 / s, 0, 1_000_000, System.currentTimeMillis(), 1, 0);
    }
    metrics.evalValue(Meters.EVAL_MODES, 7);
    String json = text(get("/api/status"));
    assertThat(json)
        .startsWith("{\"run\":\"r\",\"experiment\":\"exp\",\"state\":\"running\"")
        .contains("\"g_steps\":20")
        // which directory it serves, as agon ctl --run checks it, without naming it
        .contains("\"run_dir_id\":\"" + AgonRoutes.runDirId(runDir) + "\"")
        .doesNotContain(runDir.toString())
        .contains("\"iterations\":1000.0")
        .contains("\"agon_eval_modes_captured\":7.0")
        .contains("\"agon_eval_fid\":null")
        .contains("\"loss_curve\":[{\"step\":1,");
    HttpResponse<byte[]> page = get("/");
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'");
    assertThat(text(page))
        .contains("<svg id=\"loss\"")
        .contains("<polyline")
        .contains("No sample grid yet")
        .doesNotContain("<script")
        .doesNotContain("<link")
        .doesNotContainPattern("(src|href)=\"(https?:)?//");
  }

  /**
   * A node-lost pause (agon node): state waiting-for-role, the role and since when on /api/status
   * and the page, agon_run_waiting_for_roles 1 on /metrics, not ready; all gone once it ends.
   */
  @Test
  void aNodeLostPauseShowsItsRoleAndSinceWhenUntilItEnds() throws Exception {
    metrics.state(Meters.STATE_RUNNING);
    assertThat(text(get("/api/status")))
        .contains("\"waiting_for_roles\":[]", "\"waiting_since_s\":null");
    assertThat(text(get("/metrics")))
        .containsPattern("(?m)^agon_run_waiting_for_roles\\{.*\\} 0\\.0$");

    long since = 1_700_000_000_000L;
    metrics.waiting(new TrainingMetrics.Waiting(List.of("discriminator"), since));
    String json = text(get("/api/status"));
    assertThat(json)
        .contains("\"state\":\"waiting-for-role\"")
        .contains("\"waiting_for_roles\":[\"discriminator\"]")
        .containsPattern("\"waiting_since_s\":1\\.7(E9|0+E9|00000000\\.0)[,}]");
    metricsShow(
        "(?m)^agon_run_waiting_for_roles\\{.*\\} 1\\.0$",
        "(?m)^agon_training_state\\{.*\\} 5\\.0$");
    assertThat(get("/-/ready").statusCode()).isEqualTo(503);
    assertThat(text(get("/")))
        .contains("waiting-for-role")
        .contains("role discriminator since " + Instant.ofEpochMilli(since));

    metrics.waiting(null);
    assertThat(text(get("/api/status")))
        .contains("\"state\":\"starting\"", "\"waiting_for_roles\":[]")
        .contains("\"waiting_since_s\":null");
    metricsShow("(?m)^agon_run_waiting_for_roles\\{.*\\} 0\\.0$");
    assertThat(text(get("/"))).doesNotContain("waiting");
  }

  /**
   * Waits until /metrics matches every pattern: a scrape is reused for up to {@link
   * TrainingMetrics#SCRAPE_REUSE_NANOS} (100 ms), so one right after a change may be the one
   * before.
   */
  private void metricsShow(String... patterns) {
    Await.until(
        Duration.ofSeconds(5),
        Duration.ofMillis(20),
        () -> {
          String body = text(get("/metrics"));
          for (String p : patterns) {
            if (!Pattern.compile(p).matcher(body).find()) {
              return false;
            }
          }
          return true;
        },
        "/metrics shows " + List.of(patterns));
  }

  @Test
  void unknownPathsAndMethods() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    HttpResponse<Void> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void furtherRoutesCanBeAdded() throws Exception {
    server.route("/api/ping", "GET", ex -> WebServer.send(ex, 200, "text/plain", "pong"));
    assertThat(text(get("/api/ping"))).isEqualTo("pong");
  }
}
