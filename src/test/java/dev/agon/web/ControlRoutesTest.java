package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.Player;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The control API over real HTTP: actions, validation, hostile requests and authentication. */
class ControlRoutesTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Records every call; answers {@code reply} (or the future {@code next} when set). */
  static final class FakeControl implements Control {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile Reply reply = new Reply(Control.Outcome.ACCEPTED, 7, "ok");
    volatile CompletableFuture<Reply> next;

    private CompletionStage<Reply> answer(String call) {
      calls.add(call);
      return next != null ? next : CompletableFuture.completedFuture(reply);
    }

    @Override
    public CompletionStage<Reply> pause() {
      return answer("pause");
    }

    @Override
    public CompletionStage<Reply> resume() {
      return answer("resume");
    }

    @Override
    public CompletionStage<Reply> checkpoint() {
      return answer("checkpoint");
    }

    @Override
    public CompletionStage<Reply> stop(String reason) {
      return answer("stop");
    }

    @Override
    public CompletionStage<Reply> schedule(
        OptionalInt k, OptionalInt s, OptionalDouble lrG, OptionalDouble lrD) {
      return answer("schedule k=" + k + " s=" + s + " g=" + lrG + " d=" + lrD);
    }

    @Override
    public CompletionStage<Reply> averaging(Player network, double weight, long start) {
      return answer("averaging " + network.label() + " " + weight + " " + start);
    }
  }

  private WebServer server;
  private final FakeControl control = new FakeControl();

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private void start(String host, String token, long timeoutMs) throws Exception {
    server = WebServer.start(host, 0);
    ControlRoutes.install(server, control, host, token, timeoutMs);
  }

  private HttpResponse<String> post(String pathAndQuery, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void eachActionReachesTheRunAndItsAnswerComesBack() throws Exception {
    start("127.0.0.1", null, 5000);
    for (String a : List.of("pause", "resume", "checkpoint", "stop")) {
      HttpResponse<String> r = post("/api/control/" + a, "");
      assertThat(r.statusCode()).as(a).isEqualTo(200);
      assertThat(r.body())
          .startsWith("{\"accepted\":true,\"outcome\":\"accepted\",\"iteration\":7,");
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
    HttpResponse<String> s =
        post(
            "/api/control/schedule?k=3",
            "staleness=1&generator-lr=1e-4",
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(control.calls)
        .containsExactly(
            "pause",
            "resume",
            "checkpoint",
            "stop",
            "schedule k=OptionalInt[3] s=OptionalInt[1] g=OptionalDouble[1.0E-4]"
                + " d=OptionalDouble.empty");
  }

  @Test
  void refusalsTimeoutsAndAMissingRunHaveTheirOwnStatus() throws Exception {
    start("127.0.0.1", null, 300);
    control.reply = new Control.Reply(Control.Outcome.REFUSED, -1, "the run is stopping");
    HttpResponse<String> refused = post("/api/control/pause", "");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body())
        .isEqualTo(
            "{\"accepted\":false,\"outcome\":\"refused\",\"iteration\":null,"
                + "\"message\":\"the run is stopping\"}\n");
    control.reply = new Control.Reply(Control.Outcome.FAILED, 12, "checkpoint failed: disk full");
    HttpResponse<String> failed = post("/api/control/checkpoint", "");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.body())
        .startsWith("{\"accepted\":false,\"outcome\":\"failed\",\"iteration\":12,");
    control.next = CompletableFuture.failedFuture(new IllegalStateException("the run is starting"));
    assertThat(post("/api/control/pause", "").statusCode()).isEqualTo(503);
    control.next = new CompletableFuture<>();
    HttpResponse<String> slow = post("/api/control/checkpoint", "");
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(slow.body()).contains("did not answer within 300 ms");
  }

  /**
   * Defect 5: the API had limits of its own (k, s up to 1,000,000; learning rates up to 10). The
   * bounds are the config's: the largest k and s it declares reach the run, as does any finite
   * positive learning rate (the config declares no upper bound for one).
   */
  @Test
  void theConfigsBoundsAreTheLimits() throws Exception {
    start("127.0.0.1", null, 5000);
    HttpResponse<String> r = post("/api/control/schedule?k=1000&staleness=100&generator-lr=20", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(control.calls)
        .containsExactly(
            "schedule k=OptionalInt[1000] s=OptionalInt[100] g=OptionalDouble[20.0]"
                + " d=OptionalDouble.empty");
  }

  /** Defect 4: historical averaging is a run-time control, so the API must reach it. */
  @Test
  void averagingIsReachable() throws Exception {
    start("127.0.0.1", null, 5000);
    HttpResponse<String> r =
        post(
            "/api/control/averaging?network=discriminator",
            "weight=0.01&start=5",
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(post("/api/control/averaging?network=generator&weight=0", "").statusCode())
        .isEqualTo(200);
    assertThat(control.calls)
        .containsExactly("averaging discriminator 0.01 5", "averaging generator 0.0 0");
  }

  @Test
  void averagingNeedsTheTokenLikeEveryAction() throws Exception {
    start("0.0.0.0", "s3cret-token", 5000);
    String path = "/api/control/averaging?network=generator&weight=0.1";
    assertThat(post(path, "").statusCode()).isEqualTo(401);
    assertThat(post(path, "", "Authorization", "Bearer nope").statusCode()).isEqualTo(401);
    assertThat(control.calls).isEmpty();
    assertThat(post(path, "", "Authorization", "Bearer s3cret-token").statusCode()).isEqualTo(200);
    assertThat(control.calls).containsExactly("averaging generator 0.1 0");
  }

  static Stream<Arguments> hostile() {
    String form = "application/x-www-form-urlencoded";
    return Stream.of(
        Arguments.of("/api/control/schedule?k=0", "", null, 400, "k must be in [1"),
        Arguments.of("/api/control/schedule?k=-1", "", null, 400, "k must be in [1"),
        Arguments.of("/api/control/schedule?k=abc", "", null, 400, "must be an integer"),
        Arguments.of("/api/control/schedule?k=99999999999", "", null, 400, "must be an integer"),
        Arguments.of("/api/control/schedule?k=1.5", "", null, 400, "must be an integer"),
        Arguments.of("/api/control/schedule?staleness=-1", "", null, 400, "staleness must be"),
        // The config's declared bounds (schedule.k in [1, 1000], schedule.staleness in [0, 100]).
        Arguments.of("/api/control/schedule?k=1001", "", null, 400, "k must be in [1, 1000]"),
        Arguments.of(
            "/api/control/schedule?staleness=101", "", null, 400, "staleness must be in [0, 100]"),
        Arguments.of(
            "/api/control/schedule?generator-lr=NaN", "", null, 400, "generator-lr must be finite"),
        Arguments.of("/api/control/schedule?generator-lr=-1", "", null, 400, "and > 0 (got -1)"),
        Arguments.of("/api/control/schedule?generator-lr=0", "", null, 400, "and > 0 (got 0)"),
        Arguments.of("/api/control/schedule?discriminator-lr=1e400", "", null, 400, "finite"),
        Arguments.of("/api/control/schedule?generator-lr=1e-3x", "", null, 400, "a number"),
        Arguments.of("/api/control/schedule?discriminator-lr=", "", null, 400, "a number"),
        Arguments.of("/api/control/schedule", "", null, 400, "give at least one of"),
        Arguments.of("/api/control/schedule?k=1&k=2", "", null, 400, "given twice"),
        Arguments.of("/api/control/schedule?k=1", "k=2", form, 400, "given twice"),
        Arguments.of("/api/control/schedule?colour=blue", "", null, 400, "unknown parameter"),
        Arguments.of("/api/control/schedule", "k=%zz", form, 400, "malformed"),
        Arguments.of("/api/control/schedule?%00=1", "", null, 400, "unknown parameter '?'"),
        Arguments.of("/api/control/schedule", "k=2", "text/plain", 400, "form-urlencoded"),
        Arguments.of("/api/control/schedule", "k=2", null, 400, "form-urlencoded"),
        Arguments.of(
            "/api/control/schedule", "k=" + "1".repeat(2000), form, 413, "larger than 1024"),
        Arguments.of("/api/control/averaging?weight=0.1", "", null, 400, "give network"),
        Arguments.of(
            "/api/control/averaging?network=critic&weight=0.1",
            "",
            null,
            400,
            "network must be generator or discriminator, got 'critic'"),
        Arguments.of(
            "/api/control/averaging?network=Generator&weight=0.1", "", null, 400, "network must"),
        Arguments.of("/api/control/averaging?network=generator", "", null, 400, "give weight"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=-0.5",
            "",
            null,
            400,
            "weight must be finite and >= 0 (got -0.5)"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=NaN", "", null, 400, "weight must be"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=1e400", "", null, 400, "finite"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=x", "", null, 400, "a number"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=0.1&start=-1",
            "",
            null,
            400,
            "start must be >= 0 (got -1)"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=0.1&start=1.5",
            "",
            null,
            400,
            "start must be an integer"),
        Arguments.of(
            "/api/control/averaging?network=generator&weight=0.1&lambda=2",
            "",
            null,
            400,
            "unknown parameter"),
        Arguments.of("/api/control/pause?now=1", "", null, 400, "takes none"),
        Arguments.of("/api/control/pause", "x=1", form, 400, "takes none"),
        Arguments.of("/api/control/pause/", "", null, 404, "not found"),
        Arguments.of("/api/control/", "", null, 404, "not found"),
        Arguments.of("/api/control/../control/pause", "", null, 404, "not found"),
        Arguments.of("/api/control/PAUSE", "", null, 404, "not found"),
        Arguments.of("/api/control/shutdown", "", null, 404, "not found"));
  }

  @ParameterizedTest
  @MethodSource("hostile")
  void hostileRequestsAreRefusedAndNeverReachTheRun(
      String path, String body, String type, int status, String message) throws Exception {
    start("127.0.0.1", null, 5000);
    HttpResponse<String> r =
        type == null ? post(path, body) : post(path, body, "Content-Type", type);
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.body()).contains(message);
    assertThat(control.calls).isEmpty();
  }

  @Test
  void getIsNotAControlRequest() throws Exception {
    start("127.0.0.1", null, 5000);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/control/stop"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(control.calls).isEmpty();
  }

  @Test
  void beyondLoopbackWithoutATokenEverythingIsRefused() throws Exception {
    start("0.0.0.0", null, 5000);
    HttpResponse<String> r = post("/api/control/stop", "");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("needs a bearer token");
    assertThat(control.calls).isEmpty();
  }

  @Test
  void beyondLoopbackOnlyTheRightBearerTokenGetsThrough() throws Exception {
    start("0.0.0.0", "s3cret-token", 5000);
    assertThat(post("/api/control/stop", "").statusCode()).isEqualTo(401);
    HttpResponse<String> wrong = post("/api/control/stop", "", "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(post("/api/control/stop", "", "Authorization", "Bearer s3cret").statusCode())
        .isEqualTo(401);
    assertThat(
            post("/api/control/stop", "", "Authorization", "Bearer s3cret-token-and-more")
                .statusCode())
        .isEqualTo(401);
    assertThat(post("/api/control/stop", "", "Authorization", "Basic s3cret-token").statusCode())
        .isEqualTo(401);
    assertThat(control.calls).isEmpty();
    assertThat(post("/api/control/stop", "", "Authorization", "Bearer s3cret-token").statusCode())
        .isEqualTo(200);
    assertThat(control.calls).containsExactly("stop");
  }

  @Test
  void aConfiguredTokenIsRequiredOnLoopbackToo() throws Exception {
    start("127.0.0.1", "t", 5000);
    assertThat(post("/api/control/pause", "").statusCode()).isEqualTo(401);
    assertThat(post("/api/control/pause", "", "Authorization", "Bearer t").statusCode())
        .isEqualTo(200);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() throws Exception {
    // RFC 9110 11.1: the authentication scheme is a case-insensitive token.
    start("0.0.0.0", "s3cret-token", 5000);
    for (String scheme : List.of("bearer", "BEARER", "bEaReR")) {
      assertThat(
              post("/api/control/pause", "", "Authorization", scheme + " s3cret-token")
                  .statusCode())
          .as(scheme)
          .isEqualTo(200);
      assertThat(post("/api/control/pause", "", "Authorization", scheme + " nope").statusCode())
          .as(scheme + " with a wrong token")
          .isEqualTo(401);
    }
    assertThat(post("/api/control/pause", "", "Authorization", "bearers3cret-token").statusCode())
        .isEqualTo(401);
    assertThat(control.calls).containsExactly("pause", "pause", "pause");
  }

  @Test
  void loopbackNamesAreRecognised() {
    assertThat(ControlRoutes.loopback("127.0.0.1")).isTrue();
    assertThat(ControlRoutes.loopback("localhost")).isTrue();
    assertThat(ControlRoutes.loopback("::1")).isTrue();
    assertThat(ControlRoutes.loopback("0.0.0.0")).isFalse();
    assertThat(ControlRoutes.loopback("no-such-host.invalid")).isFalse();
  }
}
