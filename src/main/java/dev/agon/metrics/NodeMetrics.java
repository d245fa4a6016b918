package dev.agon.metrics;

import dev.agon.transport.DropReason;
import dev.agon.transport.Failure;
import dev.agon.transport.TransportCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one {@code agon node} process ({@link Meters#NODE_ALL}): cluster membership, role
 * placement, and the transport counters of the streams bound to it, every family labelled {@code
 * run}, {@code experiment}, {@code node} and {@code role}. Gauges and counters read their sources
 * (the cluster state, a membership snapshot, {@link TransportCounters}) at scrape time, so the
 * writers pay nothing; a scrape renders at most ten times a second, as {@link TrainingMetrics}'s.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Cell> roleUp = new HashMap<>();
  private final Map<String, Meter.Id> placement = new HashMap<>();
  private final Map<String, Timer> snapshotLatency = new HashMap<>();
  private final Map<String, Streams> publishers = new HashMap<>();
  private final Map<String, Streams> subscribers = new HashMap<>();
  private final Map<String, TrainingMetrics.Scrape> rendered = new HashMap<>();
  private final Map<String, Long> renderedNanos = new HashMap<>();

  /**
   * @param run the run directory's name (label {@code run})
   * @param experiment the configured {@code run.name} (label {@code experiment})
   * @param node this node's cluster address, host:port (label {@code node})
   * @param roles this node's roles, comma-separated (label {@code role})
   * @param version Agon's version, for {@code agon_build_info}
   * @param roleLabels when this node keeps the membership book (the coordinator): every role of the
   *     run, each exported by {@link Meters#CLUSTER_ROLE_UP} (0 until {@link #placement} places
   *     it); empty on the other nodes
   * @param membersUp the members Up as this node sees them, read at scrape time
   */
  public NodeMetrics(
      String run,
      String experiment,
      String node,
      String roles,
      String version,
      List<String> roleLabels,
      DoubleSupplier membersUp) {
    registry
        .config()
        .commonTags("run", run, "experiment", experiment, Meters.NODE, node, Meters.ROLE, roles);
    gauge(
        Meters.BUILD_INFO,
        Tags.of(
            "version",
            version,
            "java_version",
            System.getProperty("java.version", "?"),
            "nd4j_variant",
            Meters.nd4jVariant()),
        () -> 1);
    gauge(Meters.RUN_INFO, Tags.empty(), () -> 1);
    gauge(Meters.CLUSTER_MEMBERS_UP, Tags.empty(), membersUp);
    for (String r : roleLabels) {
      Cell c = new Cell(0);
      roleUp.put(r, c);
      gauge(Meters.CLUSTER_ROLE_UP, Tags.of(Meters.CLUSTER_ROLE, r), c::get);
    }
    for (String kind : Meters.SNAPSHOT_KINDS) {
      snapshotLatency.put(
          kind,
          Timer.builder(Meters.SNAPSHOT_LATENCY.name())
              .description(Meters.SNAPSHOT_LATENCY.description())
              .tags(Meters.KIND, kind)
              .serviceLevelObjectives(
                  Arrays.stream(Meters.SNAPSHOT_BUCKETS_SECONDS)
                      .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                      .toArray(Duration[]::new))
              .publishPercentileHistogram(false)
              .register(registry));
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * The membership book's current placement, role label to holding member (host:port): sets each
   * role's up gauge and keeps one placement series per held role (a moved role's old series is
   * removed, so Prometheus sees it end). Called by the book's actor on each change (a few per run).
   */
  public void placement(Map<String, String> holders) {
    synchronized (rendered) {
      place(holders);
      rendered.clear(); // the next scrape shows the change
    }
  }

  private void place(Map<String, String> holders) {
    roleUp.forEach((r, c) -> c.set(holders.containsKey(r) ? 1 : 0));
    placement
        .entrySet()
        .removeIf(
            e -> {
              String member = e.getValue().getTag(Meters.MEMBER);
              if (member.equals(holders.get(e.getKey()))) {
                return false;
              }
              registry.remove(e.getValue());
              return true;
            });
    holders.forEach(
        (role, member) ->
            placement.computeIfAbsent(
                role,
                r ->
                    gauge(
                        Meters.CLUSTER_ROLE_PLACEMENT,
                        Tags.of(Meters.CLUSTER_ROLE, r, Meters.MEMBER, member),
                        () -> 1)));
  }

  /**
   * Exports a publisher's counters as stream {@code stream}: bytes, frames, waits, failures. A
   * stream opened again (a relaunch after a restart or a pause) adds its counters to the ones
   * before, so the exported counters never go back. Each publisher's counters are kept for the
   * node's life: a few hundred bytes per launch.
   */
  public void publisher(String stream, TransportCounters c) {
    streams(publishers, stream, this::exportPublisher).add(c);
  }

  private void exportPublisher(Tags t, Streams s) {
    counter(Meters.TRANSPORT_SENT, t, s, TransportCounters::bytesSent);
    counter(Meters.TRANSPORT_FRAMES_SENT, t, s, TransportCounters::framesSent);
    counter(Meters.TRANSPORT_BACK_PRESSURE, t, s, TransportCounters::backPressureWaits);
    for (Failure f : Failure.values()) {
      counter(
          Meters.TRANSPORT_SEND_FAILURES, t.and(Meters.REASON, label(f)), s, x -> x.failures(f));
    }
  }

  /**
   * Exports a subscriber's counters as stream {@code stream}: bytes, frames, drops per reason
   * (added to those of the stream's earlier subscribers, as {@link #publisher}); and records each
   * snapshot it delivers into {@link #snapshotLatency} of the snapshot's kind.
   */
  public void subscriber(String stream, TransportCounters c) {
    c.onSnapshotLatency(
        (kind, micros) -> snapshotLatency(kind).record(micros, TimeUnit.MICROSECONDS));
    streams(subscribers, stream, this::exportSubscriber).add(c);
  }

  private void exportSubscriber(Tags t, Streams s) {
    counter(Meters.TRANSPORT_RECEIVED, t, s, TransportCounters::bytesReceived);
    counter(Meters.TRANSPORT_FRAMES_RECEIVED, t, s, TransportCounters::framesReceived);
    for (DropReason r : DropReason.values()) {
      counter(Meters.TRANSPORT_DROPPED, t.and(Meters.REASON, label(r)), s, x -> x.drops(r));
    }
  }

  /** The counters of every publisher (or subscriber) a stream has had, summed at scrape time. */
  private static final class Streams {
    private final List<TransportCounters> all = new CopyOnWriteArrayList<>();

    void add(TransportCounters c) {
      all.add(c);
    }

    double sum(ToDoubleFunction<TransportCounters> read) {
      double total = 0;
      for (TransportCounters c : all) {
        total += read.applyAsDouble(c);
      }
      return total;
    }
  }

  private Streams streams(
      Map<String, Streams> of, String stream, BiConsumer<Tags, Streams> export) {
    synchronized (of) {
      Streams s = of.get(stream);
      if (s == null) {
        s = new Streams();
        of.put(stream, s);
        export.accept(Tags.of(Meters.STREAM, stream), s);
      }
      return s;
    }
  }

  /**
   * The latency histogram of snapshot kind {@code kind} (one of {@link Meters#SNAPSHOT_KINDS}), for
   * the receiving side to record into.
   */
  public Timer snapshotLatency(String kind) {
    Timer t = snapshotLatency.get(kind);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown snapshot kind " + kind + " (one of " + Meters.SNAPSHOT_KINDS + ")");
    }
    return t;
  }

  /** Prometheus text format 0.0.4 (OpenMetrics when {@code accept} asks for it). */
  public TrainingMetrics.Scrape scrape(String accept) {
    boolean om = accept != null && accept.contains("application/openmetrics-text");
    String type =
        om
            ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
            : "text/plain; version=0.0.4; charset=utf-8";
    synchronized (rendered) {
      long now = System.nanoTime();
      TrainingMetrics.Scrape s = rendered.get(type);
      if (s == null || now - renderedNanos.get(type) >= TrainingMetrics.SCRAPE_REUSE_NANOS) {
        s = new TrainingMetrics.Scrape(type, registry.scrape(type));
        rendered.put(type, s);
        renderedNanos.put(type, now);
      }
      return s;
    }
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private Meter.Id gauge(MeterDef m, Tags tags, DoubleSupplier value) {
    return Gauge.builder(m.name(), value, DoubleSupplier::getAsDouble)
        .strongReference(true)
        .description(m.description())
        .baseUnit(m.unit())
        .tags(tags)
        .register(registry)
        .getId();
  }

  private void counter(MeterDef m, Tags tags, Streams s, ToDoubleFunction<TransportCounters> read) {
    FunctionCounter.builder(m.name(), s, x -> x.sum(read))
        .description(m.description())
        .baseUnit(m.unit())
        .tags(tags)
        .register(registry);
  }

  @Override
  public void close() {
    registry.close();
  }
}
