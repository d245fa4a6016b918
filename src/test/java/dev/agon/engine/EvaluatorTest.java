package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.config.AgonConfig;
import dev.agon.eval.JsdBound;
import dev.agon.eval.ModeMetrics;
import dev.agon.testing.Await;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.ModeScorer;
import dev.agon.train.Scorer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Evaluator scores snapshots on its own thread, under one credit, never holding back its
 * client.
 */
class EvaluatorTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final long SLOW_MS = 300;

  static ActorTestKit kit;

  @TempDir Path runDir;

  // A wide ring (σ 0.25) so that the untrained generator already lands samples on some modes.
  final AgonConfig config =
      TestConfigs.smallRing("eval.samples=2000", "data.ring.std=0.25", "seed=11");

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(TrainRun.pekkoConfig());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  ActorRef<Evaluator.Command> spawn(
      Supplier<Scorer> scorer,
      ActorRef<Evaluator.Ready> client,
      ActorRef<Messages.EvalReport> reports) {
    return kit.spawn(
        Evaluator.create(scorer, client, reports),
        "evaluator-" + System.nanoTime(),
        DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
  }

  INDArray params() {
    return GeneratorTrainer.create(config, 2).snapshot();
  }

  @Test
  void scoresASnapshotLikeScoringItDirectlyAndDrawsIt() throws IOException {
    INDArray params = params();
    TestProbe<Evaluator.Ready> ready = kit.createTestProbe();
    TestProbe<Messages.EvalReport> reports = kit.createTestProbe();
    ActorRef<Evaluator.Command> evaluator =
        spawn(() -> ModeScorer.create(config, runDir), ready.getRef(), reports.getRef());

    ready.expectMessageClass(Evaluator.Ready.class, WAIT);
    INDArray d = DiscriminatorTrainer.create(config, 2).snapshot();
    evaluator.tell(new Evaluator.Evaluate(42, 42, false, params, d, 42, 0));
    Messages.EvalReport r = reports.expectMessageClass(Messages.EvalReport.class, WAIT);
    ready.expectMessageClass(Evaluator.Ready.class, WAIT);

    assertThat(r.gVersion()).isEqualTo(42);
    assertThat(r.step()).isEqualTo(42);
    assertThat(r.ema()).isFalse();
    assertThat(r.skipped()).isZero();
    assertThat(r.nanos()).isPositive();
    assertThat(r.score().samples()).isEqualTo(2000);
    Scorer.Score directScore = new ModeScorer(config, null).score(42, false, params, d);
    ModeMetrics.Result direct = directScore.modes();
    assertThat(r.score().modes()).usingRecursiveComparison().isEqualTo(direct);
    // The JSD bound of the D it was given: 2000 fresh held-out samples against the 2000 fakes.
    JsdBound.Result jsd = r.score().jsd();
    assertThat(jsd).isEqualTo(directScore.jsd());
    assertThat(jsd.realCount()).isEqualTo(2000);
    assertThat(jsd.fakeCount()).isEqualTo(2000);
    assertThat(jsd.jsdLowerBound()).isLessThanOrEqualTo(Math.log(2));
    assertThat(direct.modes()).isPositive();
    assertThat(direct.highQualityFraction()).isPositive();

    Path png = runDir.resolve("samples/step-0000042.png");
    assertThat(r.score().plot()).isEqualTo(png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(ModeScorer.PLOT_PX);
    assertThat(Files.readAllBytes(runDir.resolve("samples/latest.png")))
        .isEqualTo(Files.readAllBytes(png));

    // The Recorder's eval event: TrainRun's keys, plus step, ema and the flow-control counters.
    Config json = ConfigFactory.parseString(Recorder.eval(r));
    assertThat(json.getString("event")).isEqualTo("eval");
    assertThat(json.getLong("g_version")).isEqualTo(42);
    assertThat(json.getLong("step")).isEqualTo(42);
    assertThat(json.getBoolean("ema")).isFalse();
    assertThat(json.getInt("samples")).isEqualTo(2000);
    assertThat(json.getInt("modes")).isEqualTo(direct.modes());
    assertThat(json.getInt("total_modes")).isEqualTo(8);
    assertThat(json.getDouble("high_quality")).isEqualTo(direct.highQualityFraction());
    assertThat(json.getDouble("reverse_kl")).isEqualTo(direct.reverseKl());
    assertThat(json.getLong("skipped")).isZero();
    assertThat(json.getLong("time_ms")).isEqualTo(r.endMillis());
    assertThat(json.getDouble("jsd_lower_bound")).isEqualTo(jsd.jsdLowerBound());
    assertThat(json.getDouble("jsd_value")).isEqualTo(jsd.value());
    assertThat(json.getLong("jsd_d_version")).isEqualTo(42);

    // G-EMA snapshots get their own file names.
    // Without a D (G's first evaluation after a start), no bound.
    evaluator.tell(new Evaluator.Evaluate(43, 43, true, params, null, -1, 0));
    Messages.EvalReport ema = reports.expectMessageClass(Messages.EvalReport.class, WAIT);
    assertThat(ema.score().plot()).isEqualTo(runDir.resolve("samples/step-0000043-ema.png"));
    assertThat(ema.score().jsd()).isNull();
    assertThat(Recorder.eval(ema)).doesNotContain("jsd");
    ready.expectMessageClass(Evaluator.Ready.class, WAIT);
    assertThat(runDir.resolve("samples/latest-ema.png")).isRegularFile();

    kit.stop(evaluator, WAIT);
    assertNoTempFiles();
  }

  /** The training side's stand-in: a fast timer, evaluations falling due, the credit protocol. */
  sealed interface ClientMsg {}

  enum Tick implements ClientMsg {
    INSTANCE
  }

  record GotReady(Evaluator.Ready ready) implements ClientMsg {}

  record GotReport(Messages.EvalReport report) implements ClientMsg {}

  record Sent(long step, long ticks, int outstanding) {}

  record Received(long step, long ticks, long skipped) {}

  /** Ticks every 5 ms; an evaluation falls due every 4 ticks, for the snapshot of that tick. */
  final class Client {
    final AtomicLong ticks = new AtomicLong();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final INDArray params = params();

    Behavior<ClientMsg> create(Supplier<Scorer> scorer) {
      return Behaviors.setup(
          ctx ->
              Behaviors.withTimers(
                  timers -> {
                    timers.startTimerAtFixedRate(Tick.INSTANCE, Duration.ofMillis(5));
                    // A child: stopping the client waits for the evaluation in progress.
                    ActorRef<Evaluator.Command> evaluator =
                        ctx.spawn(
                            Evaluator.create(
                                scorer,
                                ctx.messageAdapter(Evaluator.Ready.class, GotReady::new),
                                ctx.messageAdapter(Messages.EvalReport.class, GotReport::new)),
                            "evaluator",
                            DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
                    Evaluator.Credit credit = new Evaluator.Credit();
                    Runnable send =
                        () -> {
                          long step = ticks.get() / 4;
                          sent.add(new Sent(step, ticks.get(), sent.size() - received.size()));
                          evaluator.tell(
                              new Evaluator.Evaluate(
                                  step, step, false, params, null, -1, credit.take()));
                        };
                    return Behaviors.receive(ClientMsg.class)
                        .onMessageEquals(
                            Tick.INSTANCE,
                            () -> {
                              if (ticks.incrementAndGet() % 4 == 0 && credit.due()) {
                                send.run();
                              }
                              return Behaviors.same();
                            })
                        .onMessage(
                            GotReady.class,
                            m -> {
                              if (credit.ready()) {
                                send.run();
                              }
                              return Behaviors.same();
                            })
                        .onMessage(
                            GotReport.class,
                            m -> {
                              Messages.EvalReport r = m.report();
                              received.add(new Received(r.step(), ticks.get(), r.skipped()));
                              return Behaviors.same();
                            })
                        .build();
                  }));
    }
  }

  /**
   * Sleeps {@link #SLOW_MS} before scoring and records how far the client's ticks got meanwhile.
   */
  static Scorer slow(Scorer inner, AtomicLong ticks, List<long[]> during) {
    return new Scorer() {
      @Override
      public Score score(long step, boolean ema, INDArray params, INDArray discriminator)
          throws IOException {
        long before = ticks.get();
        try {
          Thread.sleep(SLOW_MS); // the slow work simulated, not a synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        during.add(new long[] {before, ticks.get()});
        return inner.score(step, ema, params, discriminator);
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  @Test
  void aSlowEvaluatorNeverHoldsBackItsClientAndScoresTheNewestSnapshot() throws Exception {
    Client client = new Client();
    List<long[]> during = new CopyOnWriteArrayList<>();
    ActorRef<ClientMsg> ref =
        kit.spawn(
            client.create(() -> slow(ModeScorer.create(config, runDir), client.ticks, during)));
    Await.until(WAIT, () -> client.received.size() >= 4, "four evaluations reported");
    kit.stop(ref, WAIT);
    List<Sent> sent = new ArrayList<>(client.sent);
    List<Received> received = new ArrayList<>(client.received);
    assertThat(received).hasSizeGreaterThanOrEqualTo(4);

    // One snapshot in flight at most: each was sent only after the previous one was reported.
    assertThat(sent).allSatisfy(s -> assertThat(s.outstanding()).isZero());
    // Every snapshot sent is scored, in order, and each was the newest when sent: the step of
    // the tick it was sent at.
    for (int i = 0; i < received.size(); i++) {
      assertThat(received.get(i).step()).isEqualTo(sent.get(i).step());
      assertThat(sent.get(i).step()).isEqualTo(sent.get(i).ticks() / 4);
    }
    // Evaluations fell due every 20 ms while each took ≥ 300 ms: most were skipped, and counted.
    long skipped = received.stream().mapToLong(Received::skipped).sum();
    assertThat(skipped).isGreaterThanOrEqualTo(5);
    // Each report accounts for the evaluations due since the previous one: skipped + 1.
    for (int i = 1; i < received.size(); i++) {
      long due = received.get(i).step() - received.get(i - 1).step();
      assertThat(received.get(i).skipped()).isEqualTo(due - 1);
    }
    // The client's handling kept going while the Evaluator slept (5 ms ticks, 300 ms sleeps): a
    // client blocked by the Evaluator would tick not once. At least one tick, not the 60 an idle
    // machine gives: on a loaded one the client's thread may get only a few slices in 300 ms.
    // (The evaluations reported before the client stopped; its ticks stop with it.)
    assertThat(during.subList(0, received.size()))
        .allSatisfy(d -> assertThat(d[1] - d[0]).isPositive());
    assertNoTempFiles();
  }

  @Test
  void snapshotsSentWithoutCreditReplaceThePendingOneAndTheNewestIsScored() throws Exception {
    AtomicLong none = new AtomicLong();
    List<long[]> during = new CopyOnWriteArrayList<>();
    TestProbe<Evaluator.Ready> ready = kit.createTestProbe();
    TestProbe<Messages.EvalReport> reports = kit.createTestProbe();
    ActorRef<Evaluator.Command> evaluator =
        spawn(
            () -> slow(ModeScorer.create(config, runDir), none, during),
            ready.getRef(),
            reports.getRef());
    ready.expectMessageClass(Evaluator.Ready.class, WAIT);
    INDArray params = params();
    int n = 6;
    for (long step = 1; step <= n; step++) {
      evaluator.tell(new Evaluator.Evaluate(step, step, false, params, null, -1, 0));
    }
    // Whatever the interleaving, the last report is of the newest snapshot.
    List<Messages.EvalReport> got = new ArrayList<>();
    while (got.isEmpty() || got.get(got.size() - 1).step() != n) {
      got.add(reports.expectMessageClass(Messages.EvalReport.class, WAIT));
    }
    TestProbe<Evaluator.Stats> stats = kit.createTestProbe();
    evaluator.tell(new Evaluator.GetStats(stats.getRef()));
    Evaluator.Stats s = stats.expectMessageClass(Evaluator.Stats.class, WAIT);

    // maxPending is the length of what the Evaluator held unscored: six snapshots sent while one
    // is scored for 300 ms would make it up to 6 in an Evaluator that queued instead of replacing.
    assertThat(s.maxPending()).as("snapshots held unscored at once").isEqualTo(1);
    assertThat(got).extracting(Messages.EvalReport::step).isSorted();
    assertThat(got.size()).isLessThan(n);
    assertThat(s.evaluated()).isEqualTo(got.size());
    assertThat(s.evaluated() + s.skipped()).isEqualTo(n);
    assertThat(s.replaced()).isEqualTo(s.skipped());
    assertThat(got.stream().mapToLong(Messages.EvalReport::skipped).sum()).isEqualTo(s.skipped());
    assertThat(s.failed()).isZero();
    reports.expectNoMessage(Duration.ofMillis(2 * SLOW_MS));

    kit.stop(evaluator, WAIT);
    assertNoTempFiles();
  }

  void assertNoTempFiles() throws IOException {
    Path samples = runDir.resolve("samples");
    try (Stream<Path> files = Files.list(samples)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names).isNotEmpty().noneMatch(f -> f.startsWith(".") || f.contains("tmp"));
    }
  }
}
