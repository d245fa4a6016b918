package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.agon.metrics.NodeMetrics;
import dev.agon.testing.Await;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Cluster row and the role alert against live nodes: two {@code agon node} JVMs (coordinator
 * with data-loader and evaluator; generator; the discriminator left out on purpose) serve {@code
 * --metrics-port 0}, and, standing in for a node whose actors send tensors (not wired yet), this
 * JVM serves a {@link NodeMetrics} bound to a real Aeron IPC stream. A real Prometheus scrapes all
 * three every second; then every node-only dashboard query must return a series, the role alert's
 * expression must name exactly the missing discriminator, the placement must name the generator
 * node's address, and promtool must find nothing wrong with the node's agon_* families. About a
 * minute on a loaded 2-core machine (two JVM starts, 12 scrapes).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterObservabilityTest {
  private static final String APT = "apt-get install prometheus (Debian), see .ci/run";
  private static final Duration START = Duration.ofSeconds(120);
  private static final Pattern METRICS_URL =
      Pattern.compile("agon node: metrics http://127\\.0\\.0\\.1:(\\d+)/metrics");

  private Path tmp;
  private final List<Process> nodes = new ArrayList<>();
  private String seed;
  private String generatorNode;
  private int coordinatorMetrics;
  private Process prometheus;
  private int promPort;
  private Transport transport;
  private TensorSubscriber sub;
  private TensorPublisher pub;
  private NodeMetrics standIn;
  private WebServer standInServer;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startNodesAndPrometheus(@TempDir Path dir) throws Exception {
    tmp = dir;
    Path prom = Tools.require("prometheus", APT);
    int port = freePort();
    seed = "127.0.0.1:" + port;
    Path coordinator =
        node(
            "coordinator",
            "--role",
            "coordinator,data-loader,evaluator",
            "--port",
            Integer.toString(port));
    Path generator = node("generator", "--role", "generator");
    coordinatorMetrics = metricsPort(coordinator);
    int generatorMetrics = metricsPort(generator);
    Await.until(
        START,
        Duration.ofMillis(100),
        () -> Files.readString(generator).contains("agon node: generator at "),
        "the generator node's address");
    Matcher at =
        Pattern.compile("generator at (127\\.0\\.0\\.1:\\d+)").matcher(Files.readString(generator));
    assertThat(at.find()).isTrue();
    generatorNode = at.group(1);

    int standInPort = startStandIn();

    promPort = freePort();
    Path conf = tmp.resolve("prometheus.yml");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "rule_files:",
            "  - " + Path.of("alerts", "agon.rules.yml").toAbsolutePath(),
            "scrape_configs:",
            "  - job_name: agon",
            "    static_configs:",
            "      - targets: ['127.0.0.1:"
                + coordinatorMetrics
                + "', '127.0.0.1:"
                + generatorMetrics
                + "', '127.0.0.1:"
                + standInPort
                + "']",
            ""));
    prometheus =
        new ProcessBuilder(
                prom.toString(),
                "--config.file=" + conf,
                "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("prometheus.log").toFile())
            .start();
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(250),
        () -> get(promUrl("/-/ready")).statusCode() == 200,
        "Prometheus ready");
    // Enough scrapes of every target for rate() over 10 s, and the generator placed.
    Await.until(
        START,
        Duration.ofMillis(250),
        () ->
            !query("count(count_over_time(agon_run_info[1m]) >= 12) == 3").isEmpty()
                && !query("agon_cluster_role_placement{cluster_role=\"generator\"}").isEmpty(),
        "12 scrapes of three nodes and the generator placed");
  }

  /**
   * This JVM as a node that sends snapshots: an IPC stream bound to its meters, which record the
   * snapshots' latency from their frames.
   */
  private int startStandIn() throws Exception {
    transport =
        Transport.start(
            TransportSettings.defaults()
                .withDriver(TransportSettings.DriverMode.EMBEDDED, tmp)
                .withSizes(64 * 1024, 4096, 1 << 20));
    byte[] token = new byte[32];
    new Random(3).nextBytes(token);
    AtomicInteger delivered = new AtomicInteger();
    sub = transport.subscriber(Endpoint.ipc(), 9, 1, token, t -> delivered.incrementAndGet());
    pub = transport.publisher(Endpoint.ipc(), 9, 1, token);
    standIn =
        new NodeMetrics(
            "ring", "ring", "127.0.0.1:1", "discriminator-stand-in", "test", List.of(), () -> 3);
    standIn.publisher("d-snapshot", pub.counters());
    standIn.subscriber("d-snapshot", sub.counters());
    for (int i = 1; i <= 3; i++) {
      pub.send(FrameKind.D_SNAPSHOT, i, i, Nd4j.rand(50, 50));
      int want = i;
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            sub.poll(16);
            return delivered.get() == want;
          },
          "snapshot " + i + " delivered");
    }
    standInServer = WebServer.start("127.0.0.1", 0);
    AgonRoutes.installNode(standInServer, standIn);
    return standInServer.port();
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    for (Process p : nodes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (standInServer != null) {
      standInServer.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {pub, sub, transport, standIn}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void everyClusterPanelQueryReturnsASeries() throws Exception {
    Map<String, String> exprs = ObservabilityIntegrationTest.dashboardExpressions();
    exprs.values().removeIf(e -> !ObservabilityIntegrationTest.nodeOnly(e));
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(9);
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, String> e : exprs.entrySet()) {
      String q = e.getValue().replace("$__rate_interval", "10s").replace("$run", "ring");
      if (query(q).isEmpty()) {
        empty.add(e.getKey() + ": " + q);
      }
    }
    assertThat(empty).as("Cluster panel queries with no series").isEmpty();
    // Bytes flowed on the stand-in's stream: the rate panel is not just zeros.
    assertThat(
            query(
                "agon_transport_sent_bytes_total{stream=\"d-snapshot\"} > 30000"
                    + " and agon_transport_received_bytes_total > 30000"))
        .hasSize(1);
    // The latency panels read what the subscriber recorded from the frames' send times.
    assertThat(query("agon_transport_snapshot_latency_seconds_count{kind=\"d-snapshot\"} == 3"))
        .hasSize(1);
  }

  @Test
  void theRoleAlertExpressionNamesTheMissingRoleOnly() throws Exception {
    List<String> exprs = new ArrayList<>(ObservabilityIntegrationTest.alertExpressions());
    exprs.removeIf(e -> !ObservabilityIntegrationTest.nodeOnly(e));
    assertThat(exprs).hasSize(1);
    List<ConfigValue> firing = query(exprs.get(0));
    assertThat(firing).hasSize(1);
    ConfigObject metric = (ConfigObject) ((ConfigObject) firing.get(0)).get("metric");
    assertThat(metric.get("cluster_role").unwrapped()).isEqualTo("discriminator");
    assertThat(metric.get("node").unwrapped()).isEqualTo(seed);
    String rules = get(promUrl("/api/v1/rules")).body();
    assertThat(rules).contains("AgonClusterRoleMissing").doesNotContain("\"health\":\"err");
  }

  @Test
  void placementNamesTheNodeHoldingEachRole() throws Exception {
    List<ConfigValue> gen = query("agon_cluster_role_placement{cluster_role=\"generator\"}");
    assertThat(gen).hasSize(1);
    ConfigObject metric = (ConfigObject) ((ConfigObject) gen.get(0)).get("metric");
    assertThat(metric.get("member").unwrapped()).isEqualTo(generatorNode);
    assertThat(query("agon_cluster_role_placement{member=\"" + seed + "\"}")).hasSize(3);
    assertThat(value(query("sum(agon_cluster_role_up)"))).isEqualTo("4");
    assertThat(value(query("max(agon_cluster_members_up{role=\"generator\"})"))).isEqualTo("2");
  }

  @Test
  void promtoolFindsNothingWrongWithTheNodeFamilies() throws Exception {
    Path promtool = Tools.require("promtool", APT);
    String body = get("http://127.0.0.1:" + coordinatorMetrics + "/metrics").body();
    List<String> agon = body.lines().filter(l -> l.startsWith("agon_")).toList();
    assertThat(agon)
        .isNotEmpty()
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("node=\"" + seed + "\"")
                    .contains("role=\"coordinator,data-loader,evaluator\""));
    for (String scrape :
        List.of(body, get("http://127.0.0.1:" + standInServer.port() + "/metrics").body())) {
      Path f = Files.createTempFile(tmp, "scrape", ".txt");
      Files.writeString(f, scrape);
      Process p =
          new ProcessBuilder(promtool.toString(), "check", "metrics")
              .redirectErrorStream(true)
              .redirectInput(f.toFile())
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out.lines().filter(l -> l.startsWith("agon_"))).as(out).isEmpty();
    }
  }

  private Path node(String tag, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.agon.cli.Main");
    cmd.add("node");
    cmd.addAll(List.of("--config", "config/ring.conf", "--seed", seed, "--metrics-port", "0"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--set", "cluster.join-timeout-seconds=60"));
    cmd.addAll(List.of("--set", "cluster.roles-timeout-seconds=3600"));
    Path out = tmp.resolve(tag + ".out");
    nodes.add(
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(tmp.resolve(tag + ".err").toFile())
            .start());
    return out;
  }

  private static int metricsPort(Path out) {
    int[] port = new int[1];
    Await.until(
        START,
        Duration.ofMillis(100),
        () -> {
          Matcher m = METRICS_URL.matcher(Files.readString(out));
          if (m.find()) {
            port[0] = Integer.parseInt(m.group(1));
            return true;
          }
          return false;
        },
        "the metrics URL in " + out);
    return port[0];
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private String promUrl(String path) {
    return "http://127.0.0.1:" + promPort + path;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of a one-series result. */
  private static String value(List<ConfigValue> result) {
    assertThat(result).hasSize(1);
    ConfigList v = (ConfigList) ((ConfigObject) result.get(0)).get("value");
    return (String) v.get(1).unwrapped();
  }

  /** Instant query now: the result vector; throws on errors. */
  private List<ConfigValue> query(String promql) throws Exception {
    HttpResponse<String> r =
        get(promUrl("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    ConfigObject body = Cdp.parse(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.get("status").unwrapped())) {
      throw new AssertionError("query failed: " + promql + "\n" + r.body());
    }
    ConfigObject data = (ConfigObject) body.get("data");
    if ("scalar".equals(data.get("resultType").unwrapped())) {
      return List.of(data.get("result"));
    }
    return new ArrayList<>((ConfigList) data.get("result"));
  }
}
