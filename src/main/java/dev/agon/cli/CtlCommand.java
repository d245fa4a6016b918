package dev.agon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agon.config.RuntimeLimits;
import dev.agon.web.AgonRoutes;
import dev.agon.web.ControlRoutes;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code agon ctl}: the command-line client of a running run's control API. Finds the run's port in
 * {@code DIR/http.port} (or takes {@code --url}), sends one POST and prints the run's answer;
 * {@code status} GETs {@code /api/status} and prints its state in a few lines.
 */
@CommandLine.Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    description =
        "Control a running run: pause, resume, checkpoint, stop, schedule (change k, the"
            + " staleness bound or the learning rates) or averaging (change a network's"
            + " historical-averaging weight and start); status prints its state (and, while an"
            + " agon node run waits for a lost node's role, the role and since when).")
final class CtlCommand implements Callable<Integer> {
  static final List<String> ACTIONS =
      List.of("pause", "resume", "checkpoint", "stop", "schedule", "averaging", "status");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "ACTION",
      description = "pause, resume, checkpoint, stop, schedule, averaging or status.")
  String action;

  @Option(names = "--run", paramLabel = "DIR", description = "The run directory (reads http.port).")
  Path run;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "The run's HTTP endpoint, e.g. http://host:9464 (instead of --run).")
  String url;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Bearer token file (default: the AGON_CONTROL_TOKEN environment variable).")
  Path tokenFile;

  @Option(names = "--k", description = "schedule: D updates per G update.")
  Integer k;

  @Option(names = "--staleness", description = "schedule: the staleness bound s.")
  Integer staleness;

  @Option(names = "--generator-lr", description = "schedule: G's learning rate.")
  Double generatorLr;

  @Option(names = "--discriminator-lr", description = "schedule: D's learning rate.")
  Double discriminatorLr;

  @Option(
      names = "--network",
      paramLabel = "NETWORK",
      description = "averaging: generator or discriminator.")
  String network;

  @Option(
      names = "--weight",
      paramLabel = "W",
      description = "averaging: the historical-averaging weight (0: off).")
  Double weight;

  @Option(
      names = "--start",
      paramLabel = "N",
      description = "averaging: the G update the averages start from (default 0).")
  Long start;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!ACTIONS.contains(action)) {
      throw new Main.UserException(
          "unknown action '" + action + "'; known: " + String.join(", ", ACTIONS));
    }
    if ((run == null) == (url == null)) {
      throw new Main.UserException("give exactly one of --run DIR and --url URL");
    }
    // The config's bounds, checked here so a bad flag is named before the run is looked for.
    check("--k", k, RuntimeLimits.K);
    check("--staleness", staleness, RuntimeLimits.STALENESS);
    check("--generator-lr", generatorLr, RuntimeLimits.LEARNING_RATE);
    check("--discriminator-lr", discriminatorLr, RuntimeLimits.LEARNING_RATE);
    check("--weight", weight, RuntimeLimits.AVERAGING_WEIGHT);
    check("--start", start, RuntimeLimits.AVERAGING_START);
    if (network != null && !ControlRoutes.NETWORKS.contains(network)) {
      throw new Main.UserException(
          "--network must be generator or discriminator, got '" + network + "'");
    }
    List<String> scheduling = new ArrayList<>();
    add(scheduling, "k", k);
    add(scheduling, "staleness", staleness);
    add(scheduling, "generator-lr", generatorLr);
    add(scheduling, "discriminator-lr", discriminatorLr);
    List<String> averaging = new ArrayList<>();
    add(averaging, "network", network);
    add(averaging, "weight", weight);
    add(averaging, "start", start);
    if (action.equals("schedule") && scheduling.isEmpty()) {
      throw new Main.UserException(
          "schedule needs at least one of --k, --staleness, --generator-lr, --discriminator-lr");
    }
    if (action.equals("averaging") && (network == null || weight == null)) {
      throw new Main.UserException("averaging needs --network and --weight");
    }
    if (!action.equals("schedule") && !scheduling.isEmpty()) {
      throw new Main.UserException("--k, --staleness and the learning rates go with schedule only");
    }
    if (!action.equals("averaging") && !averaging.isEmpty()) {
      throw new Main.UserException("--network, --weight and --start go with averaging only");
    }
    if (action.equals("status")) {
      return status();
    }
    List<String> form = action.equals("schedule") ? scheduling : averaging;
    URI target = URI.create(base() + "/api/control/" + action);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(target)
            .timeout(Duration.ofMinutes(3))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form)));
    HttpResponse<String> r = send(req, target);
    spec.commandLine().getOut().print(r.body());
    spec.commandLine().getOut().flush();
    if (r.statusCode() == 200) {
      return 0;
    }
    // 409: refused by the run, 500: accepted but failed (a checkpoint not written); both exit 1.
    boolean byRun = r.statusCode() == 409 || r.statusCode() == 500;
    spec.commandLine()
        .getErr()
        .println(
            "error: "
                + action
                + (r.statusCode() == 500 ? " failed" : " refused")
                + " (HTTP "
                + r.statusCode()
                + ")");
    return byRun ? 1 : 2;
  }

  /**
   * {@code status}: the run's state, its progress and, while an {@code agon node} run waits for a
   * lost node's role, that role and since when (from {@code /api/status}; one GET).
   */
  private int status() throws IOException, InterruptedException {
    URI target = URI.create(base() + "/api/status");
    HttpResponse<String> r =
        send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30)).GET(), target);
    if (r.statusCode() != 200) {
      spec.commandLine()
          .getErr()
          .println("error: " + target + " answered HTTP " + r.statusCode() + " (is it a run?)");
      return 2;
    }
    JsonNode s;
    try {
      s = new ObjectMapper().readTree(r.body());
    } catch (IOException e) {
      throw new Main.UserException(target + " answered no status JSON: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "run %s: %s, G update %d%s, D update %d%n",
        s.path("run").asText("?"),
        s.path("state").asText("?"),
        s.path("g_steps").asLong(),
        s.path("iterations").isNumber() ? " of " + s.path("iterations").asLong() : "",
        s.path("d_steps").asLong());
    List<String> roles = new ArrayList<>();
    s.path("waiting_for_roles").forEach(n -> roles.add(n.asText()));
    if (!roles.isEmpty()) {
      double since = s.path("waiting_since_s").asDouble(Double.NaN);
      out.printf(
          Locale.ROOT,
          "waiting for role %s since %s: its node was lost; start a node with that role (agon"
              + " node --role %s), or agon ctl stop%n",
          String.join(", ", roles),
          Double.isFinite(since) ? Instant.ofEpochMilli((long) (since * 1e3)).toString() : "?",
          String.join(",", roles));
    }
    out.flush();
    return 0;
  }

  /** Sends {@code req} (with the bearer token, if any); a refused connection is bad input. */
  private HttpResponse<String> send(HttpRequest.Builder req, URI target)
      throws IOException, InterruptedException {
    String token = token();
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    try {
      return HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .build()
          .send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new Main.UserException("no run answers at " + target + " (is it running?)");
    }
  }

  private static void check(String flag, Number value, RuntimeLimits.Range range) {
    String bad = value == null ? null : range.violation(flag, value.doubleValue());
    if (bad != null) {
      throw new Main.UserException(bad);
    }
  }

  private static void add(List<String> form, String key, Object value) {
    if (value != null) {
      form.add(key + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
    }
  }

  private String base() throws IOException {
    if (url != null) {
      String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      if (!u.toLowerCase(Locale.ROOT).startsWith("http://")
          && !u.toLowerCase(Locale.ROOT).startsWith("https://")) {
        throw new Main.UserException("--url must start with http:// or https://, got " + url);
      }
      return u;
    }
    try {
      String port = Files.readString(run.resolve("http.port")).trim();
      int p = Integer.parseInt(port);
      String base = "http://127.0.0.1:" + p;
      requireServes(base, p);
      return base;
    } catch (NoSuchFileException | NumberFormatException e) {
      throw new Main.UserException(
          run + " has no http.port: the run is not running or serves no HTTP endpoint");
    }
  }

  /**
   * Refuses unless the endpoint at {@code base} serves {@link #run}: http.port outlives a killed or
   * finished run, and its port may belong to another run by now (one GET of /api/status).
   */
  private void requireServes(String base, int port) throws IOException {
    URI target = URI.create(base + "/api/status");
    String served;
    try {
      HttpResponse<String> r =
          send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30)).GET(), target);
      served =
          r.statusCode() == 200
              ? new ObjectMapper().readTree(r.body()).path("run_dir_id").asText("")
              : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking " + target, e);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      served = "";
    }
    if (!served.equals(AgonRoutes.runDirId(run))) {
      throw new Main.UserException(
          run
              + " is not running: its http.port ("
              + port
              + ") is served by "
              + (served.isEmpty() ? "something that is not an Agon run" : "another run")
              + " (give --url to address that endpoint)");
    }
  }

  private String token() throws IOException {
    if (tokenFile != null) {
      String t = Files.readString(tokenFile).lines().findFirst().orElse("").strip();
      if (t.isEmpty()) {
        throw new Main.UserException(tokenFile + " holds no token");
      }
      return t;
    }
    String env = System.getenv("AGON_CONTROL_TOKEN");
    return env == null || env.isBlank() ? null : env.strip();
  }
}
