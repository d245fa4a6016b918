package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.metrics.TrainingMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that misbehave at the socket level: requests that never finish arriving, bodies
 * announced larger than the server takes, request lines that are not HTTP. Health, metrics and the
 * control API must keep answering while they are held, and the server must cut them itself.
 */
class HostileConnectionsTest {
  /** The liveness bound: an answer this late is a frozen server, not a slow one. */
  private static final Duration ANSWER = Duration.ofSeconds(1);

  /** How long the server may take to cut a held connection (its request deadline plus slack). */
  private static final Duration CUT = Duration.ofSeconds(15);

  @TempDir Path runDir;
  private TrainingMetrics metrics;
  private WebServer server;
  private final ControlRoutesTest.FakeControl control = new ControlRoutesTest.FakeControl();
  private final List<Socket> held = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(ANSWER).build();

  @BeforeEach
  void start() throws Exception {
    metrics = new TrainingMetrics("r", "exp", "test", () -> 0);
    server = WebServer.start("127.0.0.1", 0);
    AgonRoutes.install(server, metrics, runDir);
    ControlRoutes.install(server, control, "127.0.0.1", null, 5000);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : held) {
      s.close();
    }
    server.close();
    metrics.close();
  }

  private void restart(WebServer.Limits limits) throws IOException {
    server.close();
    server = WebServer.start("127.0.0.1", 0, limits);
    AgonRoutes.install(server, metrics, runDir);
    ControlRoutes.install(server, control, "127.0.0.1", null, 5000);
  }

  /** Waits (up to 5 s) for {@code condition}; a server that never gets there fails the test. */
  private static void await(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - end).as("waiting for " + what).isNegative();
      LockSupport.parkNanos(5_000_000); // poll every 5 ms, leaving the server the CPU
    }
  }

  /** A connection that sent {@code text} and then holds still. */
  private Socket hold(String text) throws IOException {
    return hold("127.0.0.1", text);
  }

  /** A connection from the loopback address {@code from} that sent {@code text}. */
  private Socket hold(String from, String text) throws IOException {
    Socket s = new Socket();
    held.add(s);
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) ANSWER.toMillis());
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(ANSWER)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status line the server answers on {@code s} within {@code within}. */
  private static String statusLine(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    InputStream in = s.getInputStream();
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\r' && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }

  /** Whether the server closed {@code s} within {@code within} (EOF or reset, not a timeout). */
  private static boolean closedByServer(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (in.read() != -1) {
        // Whatever the server says before it closes (a 408, say) is fine.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  @Test
  void healthMetricsAndStopAnswerWhileSlowClientsHoldConnections() throws Exception {
    String slowBody =
        "POST /api/control/stop HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 500\r\n\r\nk=";
    List<Socket> slow =
        List.of(
            hold(slowBody),
            hold(slowBody),
            hold("POST /api/cont"), // half a request line
            hold("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/")); // half the headers

    assertThat(send("GET", "/-/healthy").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/metrics").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/api/control/stop").statusCode()).isEqualTo(200);
    assertThat(control.calls).as("only the complete stop reached the run").containsExactly("stop");

    for (Socket s : slow) {
      assertThat(closedByServer(s, CUT)).as("the server cut a held connection").isTrue();
    }
    assertThat(control.calls).containsExactly("stop");
    assertThat(send("GET", "/-/healthy").statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyAnnouncedFarTooLargeIsRefusedAtOnce() throws Exception {
    Socket s =
        hold(
            "POST /api/control/stop HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 1000000000000\r\n\r\nk=");
    assertThat(statusLine(s, ANSWER)).startsWith("HTTP/1.1 413 ");
    assertThat(control.calls).isEmpty();
  }

  @Test
  void aRequestLineThatIsNotHttpIsABadRequest() throws Exception {
    for (String line : List.of("GARBAGE\r\n\r\n", "GET /metrics\r\n\r\n")) {
      assertThat(statusLine(hold(line), ANSWER)).as(line).startsWith("HTTP/1.1 400 ");
    }
    assertThat(send("GET", "/-/healthy").statusCode()).isEqualTo(200);
  }

  @Test
  void oneAddressGets503PastItsCapWhileAnotherIsServed() throws Exception {
    restart(new WebServer.Limits(8, 2, Duration.ofSeconds(5)));
    String slowBody = "POST /api/control/stop HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nk";
    hold(slowBody);
    hold(slowBody);
    InetAddress local = InetAddress.getByName("127.0.0.1");
    await("two requests from 127.0.0.1", () -> server.requestsFrom(local) == 2);

    HttpResponse<String> third = send("GET", "/-/healthy");
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.body()).contains("too many requests from this address");
    String healthy = "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assertThat(statusLine(hold("127.0.0.2", healthy), ANSWER)).startsWith("HTTP/1.1 200 ");
    assertThat(control.calls).isEmpty();
  }

  @Test
  void aConnectionBeyondTheTotalCapIsClosedAtOnceUntilTheHeldOnesAreCut() throws Exception {
    restart(new WebServer.Limits(3, 8, Duration.ofSeconds(2)));
    List<Socket> slow =
        List.of(hold("GET /met"), hold("GET /metrics HTTP/1.1\r\n"), hold("POST /api/con"));
    await("three busy threads", () -> server.busyThreads() == 3);

    String healthy = "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assertThat(closedByServer(hold(healthy), ANSWER)).as("closed unserved").isTrue();
    for (Socket s : slow) {
      assertThat(closedByServer(s, CUT)).as("cut after the 2 s deadline").isTrue();
    }
    await("no busy thread", () -> server.busyThreads() == 0);
    assertThat(send("GET", "/-/healthy").statusCode()).isEqualTo(200);
  }
}
