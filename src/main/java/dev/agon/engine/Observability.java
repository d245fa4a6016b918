package dev.agon.engine;

import dev.agon.config.AgonConfig;
import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.web.AgonRoutes;
import dev.agon.web.Control;
import dev.agon.web.ControlRoutes;
import dev.agon.web.TokenFile;
import dev.agon.web.WebServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's meters and HTTP endpoint, from start to the end of the run. When {@code metrics.enabled}
 * is off, or the port cannot be bound, the run trains without them (the endpoint is for watching a
 * run; losing it must not lose the run): {@link #metrics()} is then null or the meters stay
 * unscraped.
 */
final class Observability {
  private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

  private final TrainingMetrics metrics;
  private final WebServer server;

  private Observability(TrainingMetrics metrics, WebServer server) {
    this.metrics = metrics;
    this.server = server;
  }

  /**
   * Resident memory outside the JVM's committed heap and non-heap pools: ND4J's buffers (which
   * JavaCPP's own byte counter does not see on the CPU backend), native libraries and allocator
   * slack. An estimate: committed heap pages not yet touched make it low (exact with
   * -XX:+AlwaysPreTouch). Reads /proc once per call.
   */
  static long hostOffHeapBytes() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    long jvm = mx.getHeapMemoryUsage().getCommitted() + mx.getNonHeapMemoryUsage().getCommitted();
    return Math.max(0, Pointer.physicalBytes() - jvm);
  }

  /**
   * Starts the meters and the endpoint; {@code control} answers the control API (installed when
   * {@code metrics.control}). A token file that cannot be read is an error: the run does not start
   * with an unprotected control API.
   */
  static Observability start(AgonConfig c, Path runDir, PrintStream console, Control control)
      throws IOException {
    if (!c.metrics().enabled()) {
      return new Observability(null, null);
    }
    String token = c.metrics().control() ? token(c) : null;
    String version = TrainRun.class.getPackage().getImplementationVersion();
    TrainingMetrics m =
        new TrainingMetrics(
            runDir.toAbsolutePath().normalize().getFileName().toString(),
            c.run().name(),
            version == null ? "dev" : version,
            Observability::hostOffHeapBytes);
    m.configured(
        c.schedule().iterations(),
        c.schedule().k(),
        c.schedule().staleness(),
        c.optim().generator().lr(),
        c.optim().discriminator().lr());
    WebServer server;
    try {
      server = WebServer.start(c.metrics().host(), c.metrics().port());
    } catch (IOException e) {
      String msg =
          "agon: warning: cannot serve metrics on "
              + c.metrics().host()
              + ":"
              + c.metrics().port()
              + " ("
              + e.getMessage()
              + "); training without the HTTP endpoint (set metrics.port, 0 for any)";
      LOG.warn(msg);
      if (console != null) {
        console.println(msg);
      }
      return new Observability(m, null);
    }
    AgonRoutes.install(server, m, runDir);
    if (c.metrics().control()) {
      ControlRoutes.install(server, control, c.metrics().host(), token, CONTROL_TIMEOUT.toMillis());
    }
    Files.writeString(runDir.resolve("http.port"), server.port() + "\n", StandardCharsets.UTF_8);
    String url = "http://" + hostForUrl(c.metrics().host()) + ":" + server.port() + "/";
    LOG.info("status page {}, metrics {}metrics", url, url);
    if (console != null) {
      console.println("agon: status page " + url + "  (Prometheus: " + url + "metrics)");
    }
    return new Observability(m, server);
  }

  /** How long a control request waits for the run (a checkpoint write included). */
  static final java.time.Duration CONTROL_TIMEOUT = java.time.Duration.ofMinutes(2);

  /**
   * The control API's bearer token: the token file's first line (warned about when others may read
   * it), else the environment's. TrainCommand has refused a file that gives none.
   */
  static String token(AgonConfig c) throws IOException {
    String file = c.metrics().tokenFile();
    if (!file.isBlank()) {
      return TokenFile.read(Path.of(file), w -> LOG.warn("metrics.token-file {}", w));
    }
    String env = System.getenv("AGON_CONTROL_TOKEN");
    return env == null || env.isBlank() ? null : env.strip();
  }

  private static String hostForUrl(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  TrainingMetrics metrics() {
    return metrics;
  }

  void running() {
    if (metrics != null) {
      metrics.state(Meters.STATE_RUNNING);
    }
  }

  /**
   * The run pauses for the lost node's {@code role} since {@code sinceMillis} (Unix ms) or, with
   * null, stops waiting: the status API and {@code agon_run_waiting_for_roles} show it.
   */
  void waiting(String role, long sinceMillis) {
    if (metrics != null) {
      metrics.waiting(
          role == null ? null : new TrainingMetrics.Waiting(java.util.List.of(role), sinceMillis));
    }
  }

  /**
   * The run waits out a restart's backoff (state restarting, /-/ready 503) until the relaunch
   * reports running or the run ends.
   */
  void restarting() {
    if (metrics != null) {
      metrics.state(Meters.STATE_RESTARTING);
    }
  }

  /**
   * The run is being restarted after {@code failure} ("ACTOR failed: ..." or "ACTOR stopped
   * unexpectedly", as the Coordinator words it): counts a restart of that actor.
   */
  void restarted(String failure) {
    if (metrics != null && failure != null) {
      String actor = failure.split(" ", 2)[0];
      if (Meters.ACTORS.contains(actor)) {
        metrics.actorRestarted(actor);
      }
    }
  }

  /** The run ended (well or not): last state, then the endpoint goes away. */
  void close(boolean ok) {
    if (metrics == null) {
      return;
    }
    metrics.state(ok ? Meters.STATE_FINISHED : Meters.STATE_FAILED);
    if (server != null) {
      server.close();
    }
    metrics.close();
  }
}
