package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.agon.config.ConfigLoader;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.TrainRun;
import dev.agon.testing.Await;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole observability path against a live run: a ring training run serves /metrics, a real
 * Prometheus (Debian's) scrapes it every second with the alert rules loaded, and then every PromQL
 * expression of dashboards/*.json (variables substituted) must return at least one series and every
 * alert expression must evaluate; promtool finds nothing to say about the agon_* families; headless
 * Chromium renders the status page with no console errors and the sample grid loaded (screenshot
 * kept in target/status-page.png).
 *
 * <p>Image-only meters (IS, FID, ...) exist from the first scrape with the value NaN, so their
 * panels return a series on this 2-D run too (a NaN sample is a sample to Prometheus).
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIntegrationTest {
  private static final String APT = "apt-get install prometheus chromium (Debian), see .ci/run";

  private Path tmp;
  private TrainRun run;
  private String runName;
  private int port;
  private Process prometheus;
  private int promPort;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startRunAndPrometheus(@TempDir Path dir) throws Exception {
    tmp = dir;
    Path prom = Tools.require("prometheus", APT);
    Path runDir = tmp.resolve("obs-ring");
    runName = runDir.getFileName().toString();
    LoadedConfig cfg =
        ConfigLoader.load(
            Optional.of(Path.of("config", "ring.conf")),
            List.of(
                // Long enough to outlive the checks; stopped in @AfterAll.
                "schedule.iterations=1000000",
                "eval.every-steps=100",
                "eval.samples=500",
                "metrics.port=0"));
    run = TrainRun.start(cfg, runDir, null, false, false);
    Path portFile = runDir.resolve("http.port");
    waitFor(() -> Files.exists(portFile), Duration.ofSeconds(60), "http.port");
    port = Integer.parseInt(Files.readString(portFile).trim());

    try (ServerSocket s = new ServerSocket(0)) {
      promPort = s.getLocalPort();
    }
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
            "      - targets: ['127.0.0.1:" + port + "']",
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
    waitFor(() -> get(promUrl("/-/ready")).statusCode() == 200, Duration.ofSeconds(60), "ready");
    // Enough scrapes for rate() over the dashboards' window, and an evaluation behind us.
    waitFor(
        () ->
            !query("count_over_time(agon_training_state[1m]) >= 12").isEmpty()
                && !query("agon_evaluations_total > 0").isEmpty()
                && Files.exists(runDir.resolve("samples/latest.png")),
        Duration.ofSeconds(180),
        "12 scrapes and an evaluation");
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (run != null) {
      run.stop("test over");
      run.await();
    }
  }

  @Test
  void everyDashboardQueryReturnsASeries() throws Exception {
    Map<String, String> exprs = dashboardExpressions();
    exprs.values().removeIf(ObservabilityIntegrationTest::nodeOnly); // ClusterObservabilityTest
    assertThat(exprs).hasSizeGreaterThan(40);
    List<String> empty = new ArrayList<>();
    for (Map.Entry<String, String> e : exprs.entrySet()) {
      String q = substitute(e.getValue());
      if (query(q).isEmpty()) {
        empty.add(e.getKey() + ": " + q);
      }
    }
    assertThat(empty).as("panel queries with no series").isEmpty();
  }

  @Test
  void everyAlertExpressionEvaluatesOnMetricsThatExist() throws Exception {
    List<String> exprs = new ArrayList<>(alertExpressions());
    exprs.removeIf(ObservabilityIntegrationTest::nodeOnly); // ClusterObservabilityTest
    assertThat(exprs).hasSize(10);
    Set<String> names = new LinkedHashSet<>();
    for (String expr : exprs) {
      query(expr); // throws unless Prometheus accepts and evaluates it
      Matcher m = Pattern.compile("\\b(agon_\\w+|jvm_\\w+|up)\\b").matcher(expr);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (query("count({__name__=\"" + name + "\"})").isEmpty()) {
        missing.add(name);
      }
    }
    assertThat(missing).as("metrics the alert rules use but the run does not export").isEmpty();
    String rules = get(promUrl("/api/v1/rules")).body();
    assertThat(rules).contains("\"health\":\"ok\"").doesNotContain("\"health\":\"err");
  }

  @Test
  void promtoolFindsNothingWrongWithTheAgonFamilies() throws Exception {
    Path promtool = Tools.require("promtool", APT);
    Path scrape = tmp.resolve("scrape.txt");
    Files.writeString(scrape, get("http://127.0.0.1:" + port + "/metrics").body());
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .redirectInput(scrape.toFile())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // JVM and process binders follow Micrometer's names (promtool has opinions on a few);
    // Agon's own families must be clean.
    assertThat(out.lines().filter(l -> l.startsWith("agon_"))).as(out).isEmpty();
    assertThat(Files.readString(scrape)).contains("agon_optimizer_steps_total{");
  }

  @Test
  void statusPageRendersInChromiumWithTheSampleGrid() throws Exception {
    Path chromium = Tools.require("chromium", APT);
    try (Cdp cdp = Cdp.launch(chromium, tmp.resolve("chromium-profile"))) {
      cdp.call("Runtime.enable", "{}");
      cdp.call("Log.enable", "{}");
      cdp.call("Page.enable", "{}");
      cdp.call("Page.navigate", "{\"url\":\"http://127.0.0.1:" + port + "/\"}");
      cdp.await("Page.loadEventFired", Duration.ofSeconds(60));
      ConfigObject r =
          cdp.call(
              "Runtime.evaluate",
              "{\"returnByValue\":true,\"expression\":\"JSON.stringify({"
                  + "img: (document.getElementById('sample') || {}).naturalWidth || 0,"
                  + "complete: !!(document.getElementById('sample') || {}).complete,"
                  + "lines: document.querySelectorAll('svg#loss polyline').length,"
                  + "title: document.title})\"}");
      String value = r.toConfig().getString("result.value");
      ConfigObject page = Cdp.parse(value);
      assertThat(((Number) page.get("img").unwrapped()).intValue()).as(value).isPositive();
      assertThat(page.get("complete").unwrapped()).isEqualTo(true);
      assertThat(((Number) page.get("lines").unwrapped()).intValue()).isEqualTo(2);
      assertThat((String) page.get("title").unwrapped()).contains(runName);
      ConfigObject shot = cdp.call("Page.captureScreenshot", "{\"format\":\"png\"}");
      byte[] png = Base64.getDecoder().decode((String) shot.get("data").unwrapped());
      Path target = Path.of("target", "status-page.png");
      Files.createDirectories(target.getParent());
      Files.write(target, png);
      assertThat(png.length).isGreaterThan(10_000);
      assertThat(cdp.errors).as("console errors").isEmpty();
    }
  }

  // Dashboards and rules.

  /**
   * Whether {@code expr} reads families only an {@code agon node} exports (cluster membership,
   * transport): a one-JVM run has none; ClusterObservabilityTest checks those against nodes.
   */
  static boolean nodeOnly(String expr) {
    return Pattern.compile("\\bagon_(cluster|transport)_").matcher(expr).find();
  }

  /** Every target expression of every panel (rows included), keyed by file and panel title. */
  static Map<String, String> dashboardExpressions() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("dashboards"), "*.json")) {
      for (Path f : files) {
        ConfigObject d = Cdp.parse(Files.readString(f));
        collect(f.getFileName().toString(), (ConfigList) d.get("panels"), out);
      }
    }
    return out;
  }

  private static void collect(String file, ConfigList panels, Map<String, String> out) {
    for (ConfigValue v : panels) {
      ConfigObject p = (ConfigObject) v;
      if (p.get("panels") instanceof ConfigList nested) {
        collect(file, nested, out);
      }
      if (p.get("targets") instanceof ConfigList targets) {
        for (ConfigValue t : targets) {
          ConfigValue expr = ((ConfigObject) t).get("expr");
          String ref = (String) ((ConfigObject) t).get("refId").unwrapped();
          out.put(
              file + " / " + p.get("title").unwrapped() + " / " + ref, (String) expr.unwrapped());
        }
      }
    }
  }

  private String substitute(String expr) {
    return expr.replace("$__rate_interval", "10s")
        .replace("${instance}", "127.0.0.1:" + port)
        .replace("$instance", "127.0.0.1:" + port)
        .replace("${run}", runName)
        .replace("$run", runName)
        .replace("${experiment}", "ring")
        .replace("$experiment", "ring");
  }

  /** The expr of every rule in alerts/agon.rules.yml (one-line or a '|' block). */
  static List<String> alertExpressions() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("alerts", "agon.rules.yml"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      String t = l.strip();
      if (!t.startsWith("expr:")) {
        continue;
      }
      String rest = t.substring(5).strip();
      if (!rest.equals("|")) {
        out.add(rest);
        continue;
      }
      int indent = l.indexOf("expr:");
      StringBuilder b = new StringBuilder();
      while (i + 1 < lines.size()
          && (lines.get(i + 1).isBlank()
              || lines.get(i + 1).indexOf(lines.get(i + 1).strip()) > indent)) {
        b.append(lines.get(++i).strip()).append('\n');
      }
      out.add(b.toString().strip());
    }
    return out;
  }

  // Prometheus' HTTP API.

  private String promUrl(String path) {
    return "http://127.0.0.1:" + promPort + path;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Instant query now: the result vector (a scalar counts as one series); throws on errors. */
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

  /** Polls {@code c} every 250 ms (each check is a request) until it holds or the timeout. */
  private static void waitFor(Await.Check c, Duration timeout, String what) {
    Await.until(timeout, Duration.ofMillis(250), c, what);
  }
}
