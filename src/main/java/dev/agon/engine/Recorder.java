package dev.agon.engine;

import dev.agon.engine.serialization.CborSerializable;
import dev.agon.eval.CollapseIndicators;
import dev.agon.eval.JsdBound;
import dev.agon.eval.ModeMetrics;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Turns step and evaluation reports into the run's offline record ({@code metrics.jsonl}, one JSON
 * object per update or evaluation) and the console's one-line progress display. Runs on the
 * blocking-I/O dispatcher, so file writes never stall the Coordinator or the tensor-owning actors.
 */
public final class Recorder extends AbstractBehavior<Recorder.Command> {
  public sealed interface Command extends CborSerializable {}

  public record Record(Messages.Report report) implements Command {}

  /** Flushes the file and the progress line, then replies. */
  public record Flush(ActorRef<Flushed> replyTo) implements Command {}

  public record Flushed() implements CborSerializable {}

  /**
   * Writes out and fsyncs {@code metrics.jsonl}, then replies with its length: every record told
   * before this is durable, and the offset is where a resume from a checkpoint captured now cuts
   * the log back to ({@link MetricsLog}). Costs one fsync; sent once per checkpoint.
   */
  public record Sync(ActorRef<Synced> replyTo) implements Command {}

  /** The log's length in bytes after a {@link Sync} (-1: no file). */
  public record Synced(long offset) implements CborSerializable {}

  /**
   * Where the records go.
   *
   * @param metricsFile the JSON-lines file, or null for none
   * @param console progress display target, or null for none
   * @param interactive redraw one line with '\r' (a terminal) instead of printing a new line
   * @param progressIntervalMs minimum time between progress updates (×20 when not interactive)
   * @param metrics meters to keep up to date through a {@link Metrics} child, or null for none
   * @param settings the engine's settings (batch size for the sample counters), or null
   */
  public record Options(
      String runName,
      Path metricsFile,
      PrintStream console,
      boolean interactive,
      long progressIntervalMs,
      long iterations,
      TrainingMetrics metrics,
      EngineSettings settings) {
    public Options(
        String runName,
        Path metricsFile,
        PrintStream console,
        boolean interactive,
        long progressIntervalMs,
        long iterations) {
      this(runName, metricsFile, console, interactive, progressIntervalMs, iterations, null, null);
    }
  }

  private final Options options;
  private final MetricsLog.Writer out;
  private final long startNanos = System.nanoTime();
  private long lastPrintNanos = startNanos;
  private long lastPrintStep;
  private double lastLossD = Double.NaN;
  private double lastDReal = Double.NaN;
  private double lastDFake = Double.NaN;
  private Messages.GStepReport lastG;
  private int lineWidth;
  private final ActorRef<Metrics.Command> metrics;

  public static Behavior<Command> create(Options options) {
    return Behaviors.setup(ctx -> new Recorder(ctx, options));
  }

  private Recorder(ActorContext<Command> ctx, Options options) throws IOException {
    super(ctx);
    this.options = options;
    this.out = options.metricsFile() == null ? null : new MetricsLog.Writer(options.metricsFile());
    this.metrics =
        options.metrics() == null
            ? null
            : ctx.spawn(Metrics.create(options.metrics(), options.settings()), "metrics");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Record.class, this::onRecord)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(Sync.class, this::onSync)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onRecord(Record r) {
    if (metrics != null) {
      Metrics.sent(options.metrics());
      metrics.tell(new Metrics.Observe(r.report()));
    }
    if (r.report() instanceof Messages.DStepReport d) {
      write(dStep(d));
      lastLossD = d.loss().loss();
      lastDReal = d.loss().meanDReal();
      lastDFake = d.loss().meanDFake();
    } else if (r.report() instanceof Messages.ScheduleEvent e) {
      Json j =
          Json.object()
              .put("event", EventKind.SCHEDULE_CHANGE.wire())
              .put("change", e.change().wire())
              .put("k", e.k())
              .put("staleness", e.staleness());
      if (e.gStep() >= 0) {
        j.put("from_g_step", e.gStep());
      }
      if (e.dStep() >= 0) {
        j.put("from_d_step", e.dStep());
      }
      if (e.change().isLearningRate()) {
        j.put("lr", e.value());
      } else if (e.change().isAveraging()) {
        j.put("weight", e.value()).put("start", e.start());
      }
      write(j.put("time_ms", e.timeMillis()).end());
    } else if (r.report() instanceof Messages.GStepReport g) {
      Json line =
          Json.object()
              .put("event", EventKind.G_STEP.wire())
              .put("step", g.step())
              .put("d_version_used", g.discriminatorVersionUsed())
              .put("staleness", g.staleness())
              .put("loss_g", g.loss().loss())
              .put("penalty_g", g.penalty())
              .put("grad_norm", g.gradNorm())
              .put("lr", g.lr())
              .put("d_fake", g.loss().meanDFake())
              .put("ms", g.nanos() / 1e6)
              .put("time_ms", g.endMillis());
      if (!Double.isNaN(g.info())) {
        line.put("info_g", g.info());
      }
      write(line.end());
      lastG = g;
      maybePrint(false);
    } else if (r.report() instanceof Messages.EvalReport e) {
      write(eval(e));
    } else if (r.report() instanceof Messages.EngineEvent e) {
      write(
          Json.object()
              .put("event", e.event().wire())
              .put("g_step", e.gStep())
              .put("d_step", e.dStep())
              .put("detail", e.detail())
              .put("count", e.count())
              .put("ms", e.nanos() / 1e6)
              .put("time_ms", e.timeMillis())
              .end());
    }
    return this;
  }

  /**
   * The {@code d_step} line of {@code d}; the semi-supervised objective's two loss terms ({@code
   * loss_d_supervised}, {@code loss_d_unsupervised}) only where the objective has them, so the
   * other objectives' lines stay as they were.
   */
  static String dStep(Messages.DStepReport d) {
    Json j =
        Json.object()
            .put("event", EventKind.D_STEP.wire())
            .put("step", d.step())
            .put("g_version_used", d.generatorVersionUsed())
            .put("staleness", d.staleness())
            .put("real_batch", d.realIndex())
            .put("loss_d", d.loss().loss())
            .put("penalty_d", d.penalty())
            .put("grad_norm", d.gradNorm())
            .put("lr", d.lr())
            .put("d_accuracy", d.loss().accuracy())
            .put("d_real", d.loss().meanDReal())
            .put("d_fake", d.loss().meanDFake());
    if (!Double.isNaN(d.loss().supervised())) {
      j.put("loss_d_supervised", d.loss().supervised())
          .put("loss_d_unsupervised", d.loss().unsupervised());
    }
    if (!Double.isNaN(d.info())) {
      j.put("info_d", d.info()); // InfoGAN runs only: other runs' lines stay as they were
    }
    return j.put("ms", d.nanos() / 1e6).put("time_ms", d.endMillis()).end();
  }

  /** The {@code eval} event of an evaluation during the run. */
  static String eval(Messages.EvalReport e) {
    return evalLine(e, false);
  }

  /**
   * An {@code eval} line: the Evaluator's during the run, or ({@code last}) the final one TrainRun
   * writes after it, which adds {@code final} and the protocol of each metric and has no skips.
   */
  static String evalLine(Messages.EvalReport e, boolean last) {
    Json j =
        Json.object()
            .put("event", EventKind.EVAL.wire())
            .put("step", e.step())
            .put("g_version", e.gVersion())
            .put("ema", e.ema());
    if (last) {
      j.put("final", true);
    }
    j.put("samples", e.score().samples());
    ModeMetrics.Result m = e.score().modes();
    if (m != null) {
      j.put("modes", m.modes())
          .put("total_modes", m.totalModes())
          .put("high_quality", m.highQualityFraction())
          .put("reverse_kl", m.reverseKl());
    }
    if (e.score().images() != null) {
      e.score().images().putInto(j, last);
    }
    CollapseIndicators.FeatureResult pixels = e.score().pixels();
    if (pixels != null) {
      j.put("pixel_duplicate_ratio", pixels.duplicateRatio())
          .put("pixel_distance_ratio", pixels.distanceRatio());
      if (last) {
        j.put(
            "protocol_pixel_collapse",
            "pixel space, "
                + pixels.fakeUsed()
                + " generated against "
                + pixels.realUsed()
                + " real images (seeded); near-duplicate below the real 1st-percentile"
                + " nearest-neighbour distance");
      }
    }
    JsdBound.Result jsd = e.score().jsd();
    if (jsd != null) {
      j.put("jsd_lower_bound", jsd.jsdLowerBound())
          .put("jsd_value", jsd.value())
          .put("jsd_d_version", e.dVersion());
      if (last) {
        j.put("protocol_jsd", jsd.protocol());
      }
    }
    if (e.score().classifierAccuracy() != null) {
      j.put("classifier_accuracy", e.score().classifierAccuracy().doubleValue())
          .put("classifier_d_version", e.dVersion());
    }
    if (e.score().plot() != null) {
      j.put("plot", e.score().plot().getFileName().toString());
    }
    if (!last) {
      j.put("skipped", e.skipped());
    }
    return j.put("ms", e.nanos() / 1e6).put("time_ms", e.endMillis()).end();
  }

  private Behavior<Command> onFlush(Flush f) {
    if (metrics != null) {
      Metrics.sent(options.metrics());
      metrics.tell(new Metrics.Finishing());
    }
    maybePrint(true);
    if (options.console() != null && options.interactive() && lineWidth > 0) {
      options.console().println();
      lineWidth = 0;
    }
    flushFile();
    f.replyTo().tell(new Flushed());
    return this;
  }

  private Behavior<Command> onSync(Sync s) {
    long offset = -1;
    if (out != null) {
      try {
        offset = out.sync();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    s.replyTo().tell(new Synced(offset));
    return this;
  }

  private Behavior<Command> onPostStop() {
    flushFile();
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        getContext().getLog().warn("closing metrics file failed: {}", e.toString());
      }
    }
    return this;
  }

  private void write(String line) {
    if (out != null) {
      out.write(line);
    }
  }

  private void flushFile() {
    if (out != null) {
      out.flush();
    }
  }

  private void maybePrint(boolean force) {
    if (options.console() == null || lastG == null) {
      return;
    }
    long now = System.nanoTime();
    long interval = options.progressIntervalMs() * (options.interactive() ? 1 : 20) * 1_000_000L;
    if (!force && now - lastPrintNanos < interval) {
      return;
    }
    long step = lastG.step();
    double windowS = Math.max(1e-9, (now - lastPrintNanos) / 1e9);
    double rate = (step - lastPrintStep) / windowS;
    double overall = step / Math.max(1e-9, (now - startNanos) / 1e9);
    long remaining = options.iterations() - step;
    String line =
        String.format(
            Locale.ROOT,
            "[%s] step %d/%d  %.1f it/s  loss D %.4f G %.4f  D(x) %.3f D(G(z)) %.3f  ETA %s",
            options.runName(),
            step,
            options.iterations(),
            force ? overall : rate,
            lastLossD,
            lastG.loss().loss(),
            lastDReal,
            lastDFake,
            eta(overall > 0 ? remaining / overall : Double.NaN));
    if (options.interactive()) {
      String padded =
          line.length() < lineWidth ? line + " ".repeat(lineWidth - line.length()) : line;
      options.console().print("\r" + padded);
      options.console().flush();
      lineWidth = line.length();
    } else {
      options.console().println(line);
    }
    lastPrintNanos = now;
    lastPrintStep = step;
    flushFile();
  }

  private static String eta(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
