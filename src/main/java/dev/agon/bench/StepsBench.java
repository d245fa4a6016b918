package dev.agon.bench;

import dev.agon.engine.Coordinator;
import dev.agon.engine.EngineSettings;
import dev.agon.engine.Messages;
import dev.agon.engine.Recorder;
import dev.agon.engine.TrainRun;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import dev.agon.train.PlainLoop;
import dev.agon.train.Schedule;
import dev.agon.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code agon bench steps}: per case, the plain single-threaded loop and the actor engine
 * (staleness 0, k = 1) are run back to back in this JVM, alternating for several rounds so that a
 * change in machine load hits both. Each run builds fresh trainers, does {@code warmup} iterations
 * that are not measured, then {@code iterations} measured ones.
 *
 * <p>Measured per run: the median D step and G step (the {@code step} calls of the trainers: the
 * plain loop times them itself, the engine takes the {@code nanos} of its step reports) and the
 * wall time per iteration, from the end of iteration {@code warmup} to the end of the last one,
 * divided by {@code iterations}. An iteration is one D update (with its real batch and its fakes)
 * and one G update. Per case the table shows the median over rounds of each figure.
 */
public final class StepsBench {
  /**
   * Median D and G step and wall time per iteration of one run (or over runs), in ms, and what an
   * iteration allocated over the measured iterations: Java heap bytes and ND4J objects ({@link
   * Allocations}).
   */
  public record Timing(
      double dStepMs,
      double gStepMs,
      double wallMsPerIteration,
      double heapBytesPerIteration,
      double nd4jObjectsPerIteration) {
    String json() {
      return Json.object()
          .put("d_step_ms", dStepMs)
          .put("g_step_ms", gStepMs)
          .put("wall_ms_per_iteration", wallMsPerIteration)
          .put("heap_bytes_per_iteration", heapBytesPerIteration)
          .put("nd4j_objects_per_iteration", nd4jObjectsPerIteration)
          .end();
    }
  }

  /**
   * One case: every round of both variants and their medians; {@code stale} holds the engine with
   * staleness s ≥ 1 (median over rounds), by s.
   */
  public record CaseResult(
      String name,
      String description,
      int batchSize,
      List<Timing> plainRounds,
      List<Timing> engineRounds,
      Timing plain,
      Timing engine,
      Map<Integer, Timing> stale) {
    /** Engine wall time per iteration over the plain loop's: the engine's overhead. */
    public double ratio() {
      return engine.wallMsPerIteration() / plain.wallMsPerIteration();
    }
  }

  private final int warmup;
  private final int iterations;
  private final int rounds;

  public StepsBench(int warmup, int iterations, int rounds) {
    if (warmup < 1 || iterations < 1 || rounds < 1) {
      throw new IllegalArgumentException("warmup, iterations and rounds must be >= 1");
    }
    this.warmup = warmup;
    this.iterations = iterations;
    this.rounds = rounds;
  }

  public static List<String> caseNames() {
    return List.copyOf(StepCase.all().keySet());
  }

  /** Runs case {@code name} with the synchronous engine only. */
  public CaseResult run(String name, java.util.function.Consumer<String> progress)
      throws InterruptedException {
    return run(name, progress, List.of());
  }

  /**
   * Runs case {@code name}: per round the plain loop, the synchronous engine and the engine with
   * each staleness in {@code staleness} (values ≥ 1); {@code progress} gets a line per run.
   */
  public CaseResult run(
      String name, java.util.function.Consumer<String> progress, List<Integer> staleness)
      throws InterruptedException {
    Supplier<StepCase> s = StepCase.all().get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown case " + name + "; known: " + caseNames());
    }
    StepCase c = s.get();
    List<Timing> plain = new ArrayList<>();
    List<Timing> engine = new ArrayList<>();
    Map<Integer, List<Timing>> stale = new java.util.TreeMap<>();
    for (int r = 1; r <= rounds; r++) {
      plain.add(plain(c));
      progress.accept(line(name, r, "plain", plain.get(plain.size() - 1)));
      engine.add(engine(c, 0));
      progress.accept(line(name, r, "engine", engine.get(engine.size() - 1)));
      for (int lag : staleness) {
        Timing t = engine(c, lag);
        stale.computeIfAbsent(lag, x -> new ArrayList<>()).add(t);
        progress.accept(line(name, r, "s=" + lag, t));
      }
    }
    Map<Integer, Timing> staleMedians = new java.util.TreeMap<>();
    stale.forEach((lag, ts) -> staleMedians.put(lag, median(ts)));
    return new CaseResult(
        name,
        c.description(),
        c.batchSize(),
        plain,
        engine,
        median(plain),
        median(engine),
        staleMedians);
  }

  private static String line(String name, int round, String variant, Timing t) {
    return String.format(
        Locale.ROOT,
        "%s round %d %-6s: D %.2f ms, G %.2f ms, %.2f ms/iteration",
        name,
        round,
        variant,
        t.dStepMs(),
        t.gStepMs(),
        t.wallMsPerIteration());
  }

  /**
   * {@link PlainLoop#run} with k = 1 and a listener that keeps the step times and the end time of
   * each iteration (the loop times its own step calls).
   */
  private Timing plain(StepCase c) {
    long[] dNanos = new long[iterations];
    long[] gNanos = new long[iterations];
    long[] end = new long[warmup + iterations + 1];
    Allocations[] alloc = new Allocations[2];
    PlainLoop.run(
        c.generator().get(),
        c.discriminator().get(),
        c.data().get(),
        new Schedule(1, 0, warmup + iterations),
        c.batchSize(),
        warmup + iterations,
        new PlainLoop.Listener() {
          @Override
          public void dStep(long n, DLoss loss, long nanos) {
            if (n > warmup) {
              dNanos[(int) (n - warmup - 1)] = nanos;
            }
          }

          @Override
          public void gStep(long i, GLoss loss, long nanos) {
            end[(int) i] = System.nanoTime();
            if (i > warmup) {
              gNanos[(int) (i - warmup - 1)] = nanos;
            }
            if (i == warmup) {
              alloc[0] = Allocations.now();
              end[(int) i] = System.nanoTime(); // the reading is no part of the next iteration
            } else if (i == warmup + iterations) {
              alloc[1] = Allocations.now();
            }
          }
        });
    double wall = (end[warmup + iterations] - end[warmup]) / 1e6 / iterations;
    return timing(dNanos, gNanos, wall, alloc);
  }

  /**
   * The actor engine as {@code agon train} runs it (same Coordinator, actors, dispatchers and Pekko
   * settings), with a recorder that only keeps step times and the arrival time of each G report.
   */
  private Timing engine(StepCase c, int staleness) throws InterruptedException {
    int total = warmup + iterations;
    long[] gArrival = new long[total + 1];
    long[] dNanos = new long[iterations];
    long[] gNanos = new long[iterations];
    Allocations[] alloc = new Allocations[2];
    Behavior<Recorder.Command> recorder =
        Behaviors.receiveMessage(
            m -> {
              if (m instanceof Recorder.Record r) {
                if (r.report() instanceof Messages.GStepReport g) {
                  gArrival[(int) g.step()] = System.nanoTime();
                  if (g.step() == warmup || g.step() == total) {
                    alloc[g.step() == warmup ? 0 : 1] = Allocations.now();
                  }
                  if (g.step() > warmup) {
                    gNanos[(int) (g.step() - warmup - 1)] = g.nanos();
                  }
                } else if (r.report() instanceof Messages.DStepReport d && d.step() > warmup) {
                  dNanos[(int) (d.step() - warmup - 1)] = d.nanos();
                }
              } else if (m instanceof Recorder.Flush f) {
                f.replyTo().tell(new Recorder.Flushed());
              }
              return Behaviors.same();
            });
    EngineSettings settings = new EngineSettings(1, staleness, total, c.batchSize(), c.prefetch());
    Coordinator.Parts parts =
        new Coordinator.Parts(c.data(), c.generator(), c.discriminator(), recorder);
    ActorSystem<Coordinator.Command> system =
        ActorSystem.create(
            Coordinator.create(settings, parts), "agon-bench", TrainRun.pekkoConfig());
    CompletableFuture<Coordinator.Finished> finished = TrainRun.start(system, "");
    Coordinator.Finished f;
    try {
      f = finished.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("engine run failed: " + e.getCause().getMessage(), e);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
    if (f.gSteps() != total || f.dSteps() != total) {
      throw new IllegalStateException(
          "engine stopped early: " + f.gSteps() + " G, " + f.dSteps() + " D updates");
    }
    double wall = (gArrival[total] - gArrival[warmup]) / 1e6 / iterations;
    return timing(dNanos, gNanos, wall, alloc);
  }

  private Timing timing(long[] dNanos, long[] gNanos, double wallMs, Allocations[] alloc) {
    double[] perIteration = alloc[1].perUnitSince(alloc[0], iterations);
    return new Timing(medianMs(dNanos), medianMs(gNanos), wallMs, perIteration[0], perIteration[1]);
  }

  private static double medianMs(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int n = s.length;
    double m = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    return m / 1e6;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  private static Timing median(List<Timing> ts) {
    return new Timing(
        median(ts.stream().mapToDouble(Timing::dStepMs).toArray()),
        median(ts.stream().mapToDouble(Timing::gStepMs).toArray()),
        median(ts.stream().mapToDouble(Timing::wallMsPerIteration).toArray()),
        median(ts.stream().mapToDouble(Timing::heapBytesPerIteration).toArray()),
        median(ts.stream().mapToDouble(Timing::nd4jObjectsPerIteration).toArray()));
  }

  /** The results as a Markdown table. */
  public static String markdown(List<CaseResult> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| case | batch | plain D ms | plain G ms | plain ms/iter"
            + " | engine D ms | engine G ms | engine ms/iter | engine/plain |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (CaseResult r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f |%n",
              r.name(),
              r.batchSize(),
              r.plain().dStepMs(),
              r.plain().gStepMs(),
              r.plain().wallMsPerIteration(),
              r.engine().dStepMs(),
              r.engine().gStepMs(),
              r.engine().wallMsPerIteration(),
              r.ratio()));
    }
    return sb.toString();
  }

  /**
   * What one iteration allocates (medians over rounds) in the plain loop and the synchronous
   * engine, as a Markdown table: Java heap KiB and ND4J objects ({@link Allocations}).
   */
  public static String allocationMarkdown(List<CaseResult> results) {
    StringBuilder sb =
        new StringBuilder(
            "| case | batch | plain heap KiB/iter | plain ND4J objects/iter"
                + " | engine heap KiB/iter | engine ND4J objects/iter |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    for (CaseResult r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n",
              r.name(),
              r.batchSize(),
              r.plain().heapBytesPerIteration() / 1024,
              r.plain().nd4jObjectsPerIteration(),
              r.engine().heapBytesPerIteration() / 1024,
              r.engine().nd4jObjectsPerIteration()));
    }
    return sb.toString();
  }

  /**
   * G updates per second of the plain loop, the synchronous engine and each staleness, with each
   * engine's speed-up over the synchronous one, as a Markdown table.
   */
  public static String throughputMarkdown(List<CaseResult> results) {
    java.util.SortedSet<Integer> ss = new java.util.TreeSet<>();
    results.forEach(r -> ss.addAll(r.stale().keySet()));
    StringBuilder sb = new StringBuilder("| case | batch | plain it/s | engine s=0 it/s |");
    ss.forEach(s -> sb.append(" s=").append(s).append(" it/s | s=").append(s).append(" / s=0 |"));
    sb.append("\n|---|---:|---:|---:|");
    ss.forEach(s -> sb.append("---:|---:|"));
    sb.append('\n');
    for (CaseResult r : results) {
      double sync = 1000 / r.engine().wallMsPerIteration();
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.1f | %.1f |",
              r.name(),
              r.batchSize(),
              1000 / r.plain().wallMsPerIteration(),
              sync));
      for (int s : ss) {
        Timing t = r.stale().get(s);
        double v = t == null ? Double.NaN : 1000 / t.wallMsPerIteration();
        sb.append(String.format(Locale.ROOT, " %.1f | %.2f |", v, v / sync));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The results and the settings that produced them, as one JSON object. */
  public String json(List<CaseResult> results, Map<String, String> environment) {
    Json env = Json.object();
    environment.forEach(env::put);
    String cases =
        results.stream()
            .map(
                r ->
                    Json.object()
                        .put("case", r.name())
                        .put("description", r.description())
                        .put("batch_size", r.batchSize())
                        .putRaw("plain", r.plain().json())
                        .putRaw("engine", r.engine().json())
                        .put("engine_over_plain", r.ratio())
                        .putRaw("plain_rounds", array(r.plainRounds()))
                        .putRaw("engine_rounds", array(r.engineRounds()))
                        .putRaw("stale", staleJson(r.stale()))
                        .end())
            .collect(Collectors.joining(",", "[", "]"));
    return Json.object()
        .put("benchmark", "steps")
        .put("k", 1)
        .put("staleness", 0)
        .put("warmup", warmup)
        .put("iterations", iterations)
        .put("rounds", rounds)
        .putRaw("environment", env.end())
        .putRaw("cases", cases)
        .end();
  }

  private static String staleJson(Map<Integer, Timing> stale) {
    Json j = Json.object();
    stale.forEach((s, t) -> j.putRaw(Integer.toString(s), t.json()));
    return j.end();
  }

  private static String array(List<Timing> ts) {
    return ts.stream().map(Timing::json).collect(Collectors.joining(",", "[", "]"));
  }
}
