package dev.agon.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.LoadedConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ModeMetrics;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.ImageScorer;
import dev.agon.train.ModeScorer;
import dev.agon.train.Scorer;
import dev.agon.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One {@code agon train}: prepares the run directory, starts the actor system with the Coordinator
 * as guardian, waits for the run to finish or be stopped, then writes the final checkpoint and
 * scores the generator.
 */
public final class TrainRun {
  /** What a finished run produced. */
  public record Result(
      Path runDir, Coordinator.Finished finished, Path checkpoint, ModeMetrics.Result modes) {}

  /** The ask's timeout: the longest a run may last (Pekko's scheduler caps delays at ~248 d). */
  private static final Duration MAX_RUN = Duration.ofDays(200);

  private final LoadedConfig loaded;
  private final Path runDir;
  private final ActorSystem<Coordinator.Command> system;
  private final CompletableFuture<Coordinator.Finished> finished;
  private final Observability observability;

  private TrainRun(LoadedConfig loaded, Path runDir, PrintStream console, boolean interactive)
      throws IOException {
    this.loaded = loaded;
    this.runDir = runDir;
    AgonConfig c = loaded.config();
    Files.createDirectories(runDir);
    Files.writeString(runDir.resolve("config.conf"), loaded.rendered(), StandardCharsets.UTF_8);
    Path metrics = runDir.resolve("metrics.jsonl");
    appendLine(
        metrics,
        Json.object()
            .put("event", "run_start")
            .put("run", c.run().name())
            .put("config_sha256", configHash())
            .put("time_ms", System.currentTimeMillis())
            .end());
    EngineSettings settings = settings(c);
    BatchSource data = Factory.data(c); // fails here, before any actor starts, on bad data
    this.observability = Observability.start(c, runDir, console);
    long[] shape = data.sampleShape();
    boolean mixture = data instanceof Mixture2d;
    boolean evaluate =
        scoresAtAll(c, mixture) && (c.eval().everySteps() > 0 || c.eval().everySeconds() > 0);
    Coordinator.Parts parts =
        new Coordinator.Parts(
            observability.metrics() == null
                ? () -> Factory.data(c)
                : () -> new MeteredBatchSource(Factory.data(c), observability.metrics()),
            () -> GeneratorTrainer.create(c, shape),
            () -> DiscriminatorTrainer.create(c, shape),
            Recorder.create(
                new Recorder.Options(
                    c.run().name(),
                    metrics,
                    console,
                    interactive,
                    c.log().progressIntervalMs(),
                    settings.iterations(),
                    observability.metrics(),
                    settings)),
            StepHook.NONE,
            evaluate
                ? new Coordinator.Evaluation(
                    mixture
                        ? () -> ModeScorer.create(c, runDir)
                        : () -> ImageScorer.create(c, runDir),
                    c.eval().everySteps(),
                    c.eval().everySeconds())
                : null);
    this.system = ActorSystem.create(Coordinator.create(settings, parts), "agon", pekkoConfig());
    this.finished = start(system, "; see " + runDir.resolve("agon.log"));
    observability.running();
  }

  /**
   * Starts the Coordinator guarding {@code system}; the future completes with the run's outcome, or
   * fails when the system stops without one (a bug, or a failed actor), with {@code hint} appended
   * to the message.
   */
  public static CompletableFuture<Coordinator.Finished> start(
      ActorSystem<Coordinator.Command> system, String hint) {
    CompletableFuture<Coordinator.Finished> f =
        AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
                system, Coordinator.Start::new, MAX_RUN, system.scheduler())
            .toCompletableFuture();
    system
        .getWhenTerminated()
        .thenRun(
            () ->
                f.completeExceptionally(
                    new IllegalStateException(
                        "the actor system stopped before the run finished" + hint)));
    return f;
  }

  /** Starts a run in {@code runDir} (created if needed). */
  public static TrainRun start(
      LoadedConfig loaded, Path runDir, PrintStream console, boolean interactive)
      throws IOException {
    return new TrainRun(loaded, runDir, console, interactive);
  }

  public static EngineSettings settings(AgonConfig c) {
    return new EngineSettings(
        c.schedule().k(),
        c.schedule().staleness(),
        c.schedule().iterations(),
        c.schedule().batchSize(),
        c.data().prefetch());
  }

  /** Pekko's settings for a run: this package's pekko.conf over Pekko's defaults. */
  public static Config pekkoConfig() {
    return ConfigFactory.parseResources(TrainRun.class, "pekko.conf")
        .withFallback(ConfigFactory.load());
  }

  /** Asks the run to finish its current iteration and stop; {@link #await} then returns. */
  public void stop(String reason) {
    system.tell(new Coordinator.Stop(reason));
  }

  public Path runDir() {
    return runDir;
  }

  /** Waits for the run, writes the final checkpoint and the final evaluation. */
  public Result await() throws IOException, InterruptedException {
    Coordinator.Finished f;
    try {
      f = finished.get();
    } catch (ExecutionException e) {
      system.terminate();
      observability.close(false);
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      system.getWhenTerminated().toCompletableFuture().join();
    }
    try {
      return finish(f);
    } catch (IOException | RuntimeException e) {
      observability.close(false);
      throw e;
    }
  }

  private Result finish(Coordinator.Finished f) throws IOException {
    long checkpointStart = System.nanoTime();
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    tensors.put("generator", f.generatorParams());
    tensors.put("discriminator", f.discriminatorParams());
    if (f.generatorEma() != null) {
      tensors.put("generator_ema", f.generatorEma());
    }
    Path checkpoint = CheckpointStore.write(runDir, f.gSteps(), configHash(), tensors);
    observability.checkpointWritten(System.nanoTime() - checkpointStart);
    ModeMetrics.Result modes = null;
    AgonConfig c = loaded.config();
    boolean mixture = Factory.data(c) instanceof Mixture2d;
    if (scoresAtAll(c, mixture)) {
      // The Evaluator's scorer, on the weights sampling uses (the EMA when the run kept one).
      boolean ema = f.generatorEma() != null;
      Scorer scorer = mixture ? new ModeScorer(c, runDir) : new ImageScorer(c, runDir);
      Scorer.Score score =
          scorer.score(f.gSteps(), ema, ema ? f.generatorEma() : f.generatorParams());
      modes = score.modes();
      Json line =
          Json.object()
              .put("event", "eval")
              .put("step", f.gSteps())
              .put("g_version", f.gSteps())
              .put("ema", ema)
              .put("final", true)
              .put("samples", score.samples());
      if (modes != null) {
        line.put("modes", modes.modes())
            .put("total_modes", modes.totalModes())
            .put("high_quality", modes.highQualityFraction())
            .put("reverse_kl", modes.reverseKl());
      }
      if (score.images() != null) {
        score.images().putInto(line, true);
      }
      if (score.plot() != null) {
        line.put("plot", score.plot().getFileName().toString());
      }
      appendLine(
          runDir.resolve("metrics.jsonl"), line.put("time_ms", System.currentTimeMillis()).end());
    }
    observability.close(true);
    return new Result(runDir, f, checkpoint, modes);
  }

  /** Whether evaluations produce anything: mode metrics, image metrics or sample plots. */
  private static boolean scoresAtAll(AgonConfig c, boolean mixture) {
    return mixture
        || c.eval().plots()
        || (!c.eval().metrics().isEmpty() && ImageScorer.classifierDir(c).isPresent());
  }

  private String configHash() {
    return CheckpointStore.sha256(loaded.rendered().getBytes(StandardCharsets.UTF_8));
  }

  private static void appendLine(Path file, String line) throws IOException {
    Files.writeString(
        file,
        line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
