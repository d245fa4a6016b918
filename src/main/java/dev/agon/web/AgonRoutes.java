package dev.agon.web;

import com.sun.net.httpserver.HttpExchange;
import dev.agon.config.Player;
import dev.agon.metrics.LossHistory;
import dev.agon.metrics.Meters;
import dev.agon.metrics.NodeMetrics;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The daemon's read-only routes: {@code /metrics} (Prometheus text or OpenMetrics by the Accept
 * header), {@code /-/healthy} (the process answers), {@code /-/ready} (training is running), the
 * status page {@code /}, {@code /api/status} (JSON) and {@code /samples/latest.png}. Everything is
 * read from {@link TrainingMetrics} holders and the run directory; nothing asks an actor.
 */
public final class AgonRoutes {
  private AgonRoutes() {}

  private static final String[] STATES = {
    "starting", "running", "finishing", "finished", "failed", "waiting-for-role", "restarting"
  };

  /**
   * An {@code agon node}'s routes: {@code /metrics} (its {@link NodeMetrics}) and {@code
   * /-/healthy}. The status page, samples and control API belong to the run's coordinator.
   */
  public static void installNode(WebServer server, NodeMetrics metrics) {
    server
        .route(
            "/metrics",
            "GET",
            ex -> {
              TrainingMetrics.Scrape s = metrics.scrape(ex.getRequestHeaders().getFirst("Accept"));
              WebServer.send(ex, 200, s.contentType(), s.body());
            })
        .route("/-/healthy", "GET", ex -> plain(ex, 200, "Agon node is healthy.\n"));
  }

  public static void install(WebServer server, TrainingMetrics metrics, Path runDir) {
    server
        .route(
            "/metrics",
            "GET",
            ex -> {
              TrainingMetrics.Scrape s = metrics.scrape(ex.getRequestHeaders().getFirst("Accept"));
              WebServer.send(ex, 200, s.contentType(), s.body());
            })
        .route("/-/healthy", "GET", ex -> plain(ex, 200, "Agon is healthy.\n"))
        // Browsers ask for it; "no content" keeps their consoles free of 404 errors.
        .route("/favicon.ico", "GET", ex -> WebServer.send(ex, 204, "image/x-icon", new byte[0]))
        .route(
            "/-/ready",
            "GET",
            ex -> {
              boolean ready = metrics.state() == Meters.STATE_RUNNING;
              plain(ex, ready ? 200 : 503, ready ? "Agon is ready.\n" : "Agon is not training.\n");
            })
        .route(
            "/api/status",
            "GET",
            ex -> {
              ex.getResponseHeaders().set("Cache-Control", "no-store");
              WebServer.send(ex, 200, "application/json", statusJson(metrics, runDir));
            })
        .route(
            "/samples/latest.png",
            "GET",
            ex -> {
              ex.getResponseHeaders().set("Cache-Control", "no-store");
              byte[] png;
              try {
                png = Files.readAllBytes(runDir.resolve("samples").resolve("latest.png"));
              } catch (NoSuchFileException e) {
                plain(ex, 404, "no samples yet\n");
                return;
              }
              WebServer.send(ex, 200, "image/png", png);
            })
        .route(
            "/",
            "GET",
            ex -> {
              ex.getResponseHeaders().set("Cache-Control", "no-store");
              // Nothing external, no scripts: the page works offline and behind any proxy.
              ex.getResponseHeaders()
                  .set(
                      "Content-Security-Policy",
                      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'");
              WebServer.send(ex, 200, "text/html; charset=utf-8", StatusPage.html(metrics, runDir));
            });
  }

  private static void plain(HttpExchange ex, int status, String body) throws IOException {
    WebServer.send(ex, status, "text/plain; charset=utf-8", body);
  }

  static String stateName(int code) {
    return code >= 0 && code < STATES.length ? STATES[code] : "unknown";
  }

  /**
   * Which run directory an endpoint serves, without naming it: the SHA-256 (hex) of the directory's
   * real path. {@code agon ctl --run DIR} compares it with DIR's before it sends anything, since a
   * stale http.port may point at a port another run serves now.
   */
  public static String runDirId(Path runDir) {
    Path p = runDir.toAbsolutePath().normalize();
    try {
      p = p.toRealPath();
    } catch (IOException gone) {
      // a directory that no longer resolves keeps its normalised absolute path
    }
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(p.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The status as one JSON object; NaN (not known yet) is null. */
  static String statusJson(TrainingMetrics m, Path runDir) {
    Json j =
        Json.object()
            .put("run", m.run())
            .put("experiment", m.experiment())
            .put("state", stateName(m.state()))
            .put("g_steps", m.steps(Player.GENERATOR.label()))
            .put("d_steps", m.steps(Player.DISCRIMINATOR.label()));
    // A node-lost pause (agon node): the roles waited for and since when; [] and null otherwise.
    TrainingMetrics.Waiting w = m.waiting();
    StringBuilder roles = new StringBuilder("[");
    for (String r : w == null ? List.<String>of() : w.roles()) {
      roles.append(roles.length() == 1 ? "" : ",").append(Json.quote(r));
    }
    j.putRaw("waiting_for_roles", roles.append(']').toString());
    num(j, "waiting_since_s", w == null ? Double.NaN : w.sinceMillis() / 1e3);
    num(j, "iterations", m.iterationsTarget());
    num(j, "g_steps_per_second", m.generatorStepsPerSecond());
    num(j, "loss_d", m.loss(Player.DISCRIMINATOR.label()));
    num(j, "loss_g", m.loss(Player.GENERATOR.label()));
    num(j, "d_real", m.discriminatorReal());
    num(j, "d_fake", m.discriminatorFake());
    num(j, "last_step_time_s", m.lastStepSeconds(Player.GENERATOR.label()));
    num(j, "start_time_s", m.runStartSeconds());
    Json eval = Json.object();
    for (Map.Entry<String, Double> e : m.evalValues().entrySet()) {
      num(eval, e.getKey(), e.getValue());
    }
    j.putRaw("eval", eval.end());
    j.put(
        "sample", Files.exists(runDir.resolve("samples/latest.png")) ? "/samples/latest.png" : "");
    j.put("run_dir_id", runDirId(runDir));
    StringBuilder curve = new StringBuilder("[");
    List<LossHistory.Point> points = m.history().points();
    for (int i = 0; i < points.size(); i++) {
      LossHistory.Point p = points.get(i);
      Json pj = Json.object().put("step", p.step());
      num(pj, "loss_d", p.lossD());
      num(pj, "loss_g", p.lossG());
      curve.append(i == 0 ? "" : ",").append(pj.end());
    }
    j.putRaw("loss_curve", curve.append(']').toString());
    return j.end();
  }

  static Json num(Json j, String key, double v) {
    return Double.isFinite(v) ? j.put(key, v) : j.putRaw(key, "null");
  }

  static String fmt(double v, String pattern) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : "–";
  }
}
