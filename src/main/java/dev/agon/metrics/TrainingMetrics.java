package dev.agon.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The run's meters and the plain holders behind them. One writer (the engine's Metrics actor, plus
 * the run's start and end) sets holders; a scrape reads them: writes cost a volatile store or an
 * atomic add, reads never block the writer, and nothing here ever calls back into the engine. Every
 * meter is registered at construction, with NaN where nothing is known yet, so every series exists
 * from the first scrape (Prometheus keeps NaN samples: panels show "no value yet" instead of "no
 * data").
 */
public final class TrainingMetrics implements AutoCloseable {
  /** A scrape body and its content type. */
  public record Scrape(String contentType, String body) {}

  /** Names of {@code term} on {@link Meters#LOSS}. */
  public enum LossTerm {
    TOTAL,
    AVERAGING;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final String run;
  private final String experiment;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private final Cell state = new Cell(Meters.STATE_STARTING);

  /**
   * A node-lost pause: the roles the run waits for and since when (Unix milliseconds).
   *
   * @param roles role labels ("discriminator"), never empty
   */
  public record Waiting(List<String> roles, long sinceMillis) {
    public Waiting {
      roles = List.copyOf(roles);
    }
  }

  /** The pause in effect, null while the run does not wait for a role. */
  private volatile Waiting waiting;

  private final Cell iterationsTarget = new Cell(Double.NaN);
  private final Cell runStart = new Cell(System.currentTimeMillis() / 1e3);
  private final Map<String, PerNetwork> networks = new LinkedHashMap<>();
  private final Cell dReal = new Cell(Double.NaN);
  private final Cell dFake = new Cell(Double.NaN);
  private final Cell dAccuracy = new Cell(Double.NaN);
  private final Cell k = new Cell(Double.NaN);
  private final Cell stalenessBound = new Cell(Double.NaN);
  private final Map<MeterDef, Cell> eval = new LinkedHashMap<>();
  private final Cell evaluations = new Cell(0);
  private final Cell evaluationsSkipped = new Cell(0);
  private final Cell dataQueue = new Cell(Double.NaN);
  private final Cell dataWait = new Cell(0);
  private final Cell dataPrepared = new Cell(-1);
  private static final int READY_SLOTS = 1024;
  private final AtomicLongArray readyIndex = new AtomicLongArray(READY_SLOTS);
  private final AtomicLongArray readyMillis = new AtomicLongArray(READY_SLOTS);
  private final Map<String, PerActor> actors = new LinkedHashMap<>();
  private final Cell checkpoints = new Cell(0);
  private final Cell checkpointSeconds = new Cell(Double.NaN);
  private final Cell checkpointLast = new Cell(runStart.get());
  private final LossHistory history = new LossHistory();
  private final Rate gRate = new Rate();

  /** Monotonic nanoseconds: the step rate's and the scrape window's clock. */
  private final LongSupplier nanoClock;

  /** Holders of one network's meters. */
  private static final class PerNetwork {
    final Cell steps = new Cell(0);
    final Cell samples = new Cell(0);
    final Cell lastStep = new Cell(Double.NaN);
    final Map<LossTerm, Cell> loss = new EnumMap<>(LossTerm.class);
    final Cell nonFinite = new Cell(0);
    final Cell gradNorm = new Cell(Double.NaN);
    final Cell info = new Cell(Double.NaN);
    final Cell lr = new Cell(Double.NaN);
    final Cell staleness = new Cell(Double.NaN);
    Timer duration;

    PerNetwork() {
      for (LossTerm t : LossTerm.values()) {
        loss.put(t, new Cell(Double.NaN));
      }
    }
  }

  /** Holders of one actor's meters. */
  private static final class PerActor {
    // Only the Metrics actor's mailbox is counted (its senders count their tells); the others'
    // stay NaN, "not measured", rather than a misleading 0.
    final Cell mailbox;
    final Cell messages = new Cell(0);
    final Cell restarts = new Cell(0);

    PerActor(boolean mailboxCounted) {
      mailbox = new Cell(mailboxCounted ? 0 : Double.NaN);
    }
  }

  /**
   * @param run the run directory's name (label {@code run})
   * @param experiment the configured {@code run.name} (label {@code experiment})
   * @param version Agon's version, for {@code agon_build_info}
   * @param hostMemoryBytes off-heap bytes held by ND4J in main memory
   */
  public TrainingMetrics(
      String run, String experiment, String version, DoubleSupplier hostMemoryBytes) {
    this(run, experiment, version, hostMemoryBytes, System::nanoTime);
  }

  /**
   * As above, with the monotonic clock ({@link System#nanoTime()} in production) that the step rate
   * and the scrape reuse window read: tests drive it instead of sleeping.
   */
  TrainingMetrics(
      String run,
      String experiment,
      String version,
      DoubleSupplier hostMemoryBytes,
      LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.run = run;
    this.experiment = experiment;
    registry.config().commonTags("run", run, "experiment", experiment);
    gauge(
        Meters.BUILD_INFO,
        Tags.of(
            "version",
            version,
            "java_version",
            javaVersion(),
            "nd4j_variant",
            Meters.nd4jVariant()),
        () -> 1);
    gauge(Meters.RUN_INFO, Tags.empty(), () -> 1);
    gauge(Meters.RUN_START, Tags.empty(), runStart::get);
    gauge(Meters.TRAINING_STATE, Tags.empty(), state::get);
    gauge(
        Meters.RUN_WAITING_FOR_ROLES,
        Tags.empty(),
        () -> {
          Waiting w = waiting;
          return w == null ? 0 : w.roles().size();
        });
    gauge(Meters.ITERATIONS_TARGET, Tags.empty(), iterationsTarget::get);
    for (String name : Meters.NETWORKS) {
      PerNetwork n = new PerNetwork();
      networks.put(name, n);
      Tags t = Tags.of(Meters.NETWORK, name);
      counter(Meters.OPTIMIZER_STEPS, t, n.steps);
      counter(Meters.SAMPLES_CONSUMED, t, n.samples);
      gauge(Meters.LAST_STEP, t, n.lastStep::get);
      n.duration =
          Timer.builder(Meters.STEP_DURATION.name())
              .description(Meters.STEP_DURATION.description())
              .tags(t)
              .serviceLevelObjectives(
                  Arrays.stream(Meters.STEP_BUCKETS_SECONDS)
                      .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                      .toArray(Duration[]::new))
              .publishPercentileHistogram(false)
              .register(registry);
      for (LossTerm term : LossTerm.values()) {
        gauge(Meters.LOSS, t.and(Meters.TERM, term.label()), n.loss.get(term)::get);
      }
      counter(Meters.NON_FINITE_LOSSES, t, n.nonFinite);
      gauge(Meters.GRADIENT_NORM, t, n.gradNorm::get);
      gauge(Meters.INFO_LOSS, t, n.info::get);
      gauge(Meters.LEARNING_RATE, t, n.lr::get);
      gauge(Meters.STALENESS_OBSERVED, t, n.staleness::get);
    }
    gauge(Meters.D_OUTPUT, Tags.of(Meters.TERM, "real"), dReal::get);
    gauge(Meters.D_OUTPUT, Tags.of(Meters.TERM, "fake"), dFake::get);
    gauge(Meters.D_ACCURACY, Tags.empty(), dAccuracy::get);
    gauge(Meters.SCHEDULE_K, Tags.empty(), k::get);
    gauge(Meters.SCHEDULE_STALENESS, Tags.empty(), stalenessBound::get);
    for (MeterDef m : Meters.ALL) {
      if (m.name().startsWith("agon.eval.")) {
        Cell c = new Cell(Double.NaN);
        eval.put(m, c);
        gauge(m, Tags.empty(), c::get);
      }
    }
    counter(Meters.EVALUATIONS, Tags.empty(), evaluations);
    counter(Meters.EVALUATIONS_SKIPPED, Tags.empty(), evaluationsSkipped);
    gauge(Meters.DATA_QUEUE, Tags.empty(), dataQueue::get);
    counter(Meters.DATA_WAIT, Tags.empty(), dataWait);
    for (String name : Meters.ACTORS) {
      PerActor a = new PerActor(name.equals("metrics"));
      actors.put(name, a);
      Tags t = Tags.of(Meters.ACTOR, name);
      gauge(Meters.ACTOR_MAILBOX, t, a.mailbox::get);
      counter(Meters.ACTOR_MESSAGES, t, a.messages);
      counter(Meters.ACTOR_RESTARTS, t, a.restarts);
    }
    counter(Meters.CHECKPOINTS, Tags.empty(), checkpoints);
    gauge(Meters.CHECKPOINT_DURATION, Tags.empty(), checkpointSeconds::get);
    gauge(Meters.CHECKPOINT_LAST_SUCCESS, Tags.empty(), checkpointLast::get);
    gauge(Meters.ND4J_MEMORY, Tags.of(Meters.GPU, "host"), hostMemoryBytes);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  private static String javaVersion() {
    return System.getProperty("java.version", "unknown");
  }

  private void gauge(MeterDef m, Tags tags, DoubleSupplier value) {
    check(m, MeterDef.Kind.GAUGE);
    // Strong reference: the supplier is a lambda nobody else holds; Micrometer's default weak
    // reference would let it be collected and the gauge read NaN.
    Gauge.builder(m.name(), value, DoubleSupplier::getAsDouble)
        .strongReference(true)
        .description(m.description())
        .baseUnit(m.unit())
        .tags(tags)
        .register(registry);
  }

  private void counter(MeterDef m, Tags tags, Cell value) {
    check(m, MeterDef.Kind.COUNTER);
    FunctionCounter.builder(m.name(), value, Cell::get)
        .description(m.description())
        .baseUnit(m.unit())
        .tags(tags)
        .register(registry);
  }

  private static void check(MeterDef m, MeterDef.Kind kind) {
    if (m.kind() != kind) {
      throw new IllegalArgumentException(m.name() + " is a " + m.kind());
    }
  }

  public String run() {
    return run;
  }

  public String experiment() {
    return experiment;
  }

  /**
   * A rendered scrape is reused for this long: however often and however many clients scrape, the
   * registry is rendered at most ten times a second per format (≈ 0.8 ms of CPU each), so a
   * misconfigured scraper cannot take CPU from training. Prometheus scrapes every few seconds.
   */
  public static final long SCRAPE_REUSE_NANOS = 100_000_000L;

  private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPEN_METRICS =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private final Object renderLock = new Object();
  private volatile Scrape lastText;
  private volatile Scrape lastOpenMetrics;
  private volatile long lastTextNanos;
  private volatile long lastOpenMetricsNanos;

  /** Text format 0.0.4, or OpenMetrics when {@code accept} asks for it. */
  public Scrape scrape(String accept) {
    boolean om = accept != null && accept.contains("application/openmetrics-text");
    long now = nanoClock.getAsLong();
    Scrape s = om ? lastOpenMetrics : lastText;
    if (s != null && now - (om ? lastOpenMetricsNanos : lastTextNanos) < SCRAPE_REUSE_NANOS) {
      return s;
    }
    synchronized (renderLock) {
      // Another request may have rendered while this one waited for the lock.
      s = om ? lastOpenMetrics : lastText;
      now = nanoClock.getAsLong();
      if (s != null && now - (om ? lastOpenMetricsNanos : lastTextNanos) < SCRAPE_REUSE_NANOS) {
        return s;
      }
      String type = om ? OPEN_METRICS : TEXT;
      s = new Scrape(type, registry.scrape(type));
      if (om) {
        lastOpenMetrics = s;
        lastOpenMetricsNanos = now;
      } else {
        lastText = s;
        lastTextNanos = now;
      }
      return s;
    }
  }

  // Writers: called by the engine's Metrics actor (and the run's start and end).

  public void state(int code) {
    state.set(code);
  }

  public int state() {
    return (int) state.get();
  }

  /**
   * The run pauses for a lost node's role ({@code w}, state waiting-for-role) or, with null, stops
   * waiting (state starting until the relaunched run reports running).
   */
  public void waiting(Waiting w) {
    waiting = w;
    state.set(w == null ? Meters.STATE_STARTING : Meters.STATE_WAITING_FOR_ROLE);
  }

  /** The node-lost pause in effect, or null. */
  public Waiting waiting() {
    return waiting;
  }

  public void configured(long iterations, int k, int staleness, double lrG, double lrD) {
    iterationsTarget.set(iterations);
    schedule(k, staleness);
    learningRate(Meters.GENERATOR, lrG);
    learningRate(Meters.DISCRIMINATOR, lrD);
  }

  public void schedule(int k, int staleness) {
    this.k.set(k);
    this.stalenessBound.set(staleness);
  }

  public void learningRate(String network, double lr) {
    networks.get(network).lr.set(lr);
  }

  /**
   * One update of {@code network}: its loss terms, duration, end time, samples it consumed and the
   * staleness it observed.
   */
  public void step(
      String network,
      long step,
      double loss,
      double penalty,
      long nanos,
      long endMillis,
      long samples,
      long staleness) {
    PerNetwork n = networks.get(network);
    n.steps.set(step);
    n.samples.add(samples);
    n.lastStep.set(endMillis / 1e3);
    n.loss.get(LossTerm.TOTAL).set(loss);
    n.loss.get(LossTerm.AVERAGING).set(penalty);
    if (!Double.isFinite(loss)) {
      n.nonFinite.add(1);
    }
    n.staleness.set(staleness);
    n.duration.record(nanos, TimeUnit.NANOSECONDS);
    if (network.equals(Meters.GENERATOR)) {
      gRate.add(nanoClock.getAsLong(), step);
      history.add(step, networks.get(Meters.DISCRIMINATOR).loss.get(LossTerm.TOTAL).get(), loss);
    }
  }

  /** D's accuracy on its last batch (NaN for a critic without a threshold). */
  public void discriminatorAccuracy(double accuracy) {
    dAccuracy.set(accuracy);
  }

  /** InfoGAN's term of {@code network}'s last update (NaN: InfoGAN off). */
  public void infoLoss(String network, double loss) {
    networks.get(network).info.set(loss);
  }

  /** L2 norm of the gradient {@code network}'s last update applied. */
  public void gradientNorm(String network, double norm) {
    networks.get(network).gradNorm.set(norm);
  }

  public void discriminatorOutputs(double real, double fake) {
    dReal.set(real);
    dFake.set(fake);
  }

  /** An evaluation finished: the G step it scored, when, how long it took, skips before it. */
  public void evaluated(long step, long endMillis, long nanos, long skipped) {
    eval.get(Meters.EVAL_STEP).set(step);
    eval.get(Meters.EVAL_TIME).set(endMillis / 1e3);
    eval.get(Meters.EVAL_DURATION).set(nanos / 1e9);
    evaluations.add(1);
    evaluationsSkipped.add(skipped);
  }

  /** One evaluation metric (an {@code agon.eval.*} meter of {@link Meters}). */
  public void evalValue(MeterDef meter, double value) {
    Cell c = eval.get(meter);
    if (c == null) {
      throw new IllegalArgumentException(meter.name() + " is not an evaluation meter");
    }
    c.set(value);
    if (meter == Meters.EVAL_IS) {
      Cell best = eval.get(Meters.EVAL_IS_BEST);
      if (!(best.get() >= value)) {
        best.set(value);
      }
    }
  }

  public double evalValue(MeterDef meter) {
    return eval.get(meter).get();
  }

  /** The data loader finished preparing real batch {@code index} (on its own thread). */
  public void dataPrepared(long index, long millis) {
    int slot = (int) (index % READY_SLOTS);
    readyIndex.set(slot, -1);
    readyMillis.set(slot, millis);
    readyIndex.set(slot, index);
    dataPrepared.set(index);
  }

  /** When batch {@code index} was ready, or −1 when no longer (or not yet) known. */
  public long dataReadyMillis(long index) {
    int slot = (int) (index % READY_SLOTS);
    long millis = readyMillis.get(slot);
    return readyIndex.get(slot) == index ? millis : -1;
  }

  /** Real batches prepared beyond {@code consumedIndex}, the last one a D update trained on. */
  public void dataConsumed(long consumedIndex) {
    dataQueue.set(Math.max(0, dataPrepared.get() - consumedIndex));
  }

  public void dataWait(long millis) {
    dataWait.add(millis / 1e3);
  }

  /** A message handled by (or reported from) {@code actor}. */
  public void actorMessage(String actor) {
    PerActor a = actors.get(actor);
    if (a != null) {
      a.messages.add(1);
    }
  }

  /** Changes {@code actor}'s mailbox count by {@code delta} (tell: +1, handled: −1). */
  public void mailbox(String actor, int delta) {
    PerActor a = actors.get(actor);
    if (a != null) {
      a.mailbox.add(delta);
    }
  }

  public void actorRestarted(String actor) {
    PerActor a = actors.get(actor);
    if (a != null) {
      a.restarts.add(1);
    }
  }

  public void checkpointWritten(long nanos, long endMillis) {
    checkpoints.add(1);
    checkpointSeconds.set(nanos / 1e9);
    checkpointLast.set(endMillis / 1e3);
  }

  // Readers for the status page.

  public long steps(String network) {
    return (long) networks.get(network).steps.get();
  }

  public double loss(String network) {
    return networks.get(network).loss.get(LossTerm.TOTAL).get();
  }

  public double lastStepSeconds(String network) {
    return networks.get(network).lastStep.get();
  }

  public double discriminatorReal() {
    return dReal.get();
  }

  public double discriminatorFake() {
    return dFake.get();
  }

  public double iterationsTarget() {
    return iterationsTarget.get();
  }

  public double runStartSeconds() {
    return runStart.get();
  }

  /** G updates per second over the last ten seconds or so. */
  public double generatorStepsPerSecond() {
    return gRate.perSecond(nanoClock.getAsLong());
  }

  public LossHistory history() {
    return history;
  }

  /** The evaluation gauges by Prometheus name, for /api/status. */
  public Map<String, Double> evalValues() {
    Map<String, Double> out = new LinkedHashMap<>();
    eval.forEach((m, c) -> out.put(m.prometheusName(), c.get()));
    return out;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  /** Steps per second over a sliding window of about ten seconds. */
  private static final class Rate {
    private static final long WINDOW_NANOS = 10_000_000_000L;
    private final long[] times = new long[64];
    private final long[] steps = new long[64];
    private int head;
    private int size;

    synchronized void add(long nanos, long step) {
      int last = (head + size - 1) % 64;
      int before = (head + size - 2) % 64;
      if (size >= 2 && nanos - times[before] < WINDOW_NANOS / 32) {
        // Keep points at least ~300 ms apart: the newest one moves until it is that far from
        // the one before, so 64 slots always span the ten-second window.
        times[last] = nanos;
        steps[last] = step;
        return;
      }
      if (size == 64) {
        head = (head + 1) % 64;
        size--;
      }
      times[(head + size) % 64] = nanos;
      steps[(head + size) % 64] = step;
      size++;
      while (size > 2 && nanos - times[(head + 1) % 64] > WINDOW_NANOS) {
        head = (head + 1) % 64;
        size--;
      }
    }

    synchronized double perSecond(long now) {
      if (size < 2) {
        return Double.NaN;
      }
      int last = (head + size - 1) % 64;
      if (now - times[last] > WINDOW_NANOS) {
        return 0;
      }
      return (steps[last] - steps[head]) / ((times[last] - times[head]) / 1e9);
    }
  }
}
