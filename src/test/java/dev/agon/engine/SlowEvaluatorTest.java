package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.tensor.Tensors;
import dev.agon.train.Scorer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An Evaluator far slower than training (150 ms per score, an evaluation due after every G update)
 * must not hold training back: the run takes about as long as without it, at most one evaluation is
 * in flight (the others are skipped and counted), the newest snapshot is scored, and training
 * computes exactly what it computes without an Evaluator.
 */
class SlowEvaluatorTest extends ActorKitTest {
  static final long SCORE_MS = 150;

  static Scorer slowScorer() {
    return (step, ema, params, discriminator) -> {
      try {
        Thread.sleep(SCORE_MS); // the slow work simulated, not a synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Scorer.Score(0, null, null, null, null, null);
    };
  }

  @Test
  void slowEvaluatorLeavesTrainingAlone() {
    AgonConfig c = TestConfigs.smallRing("schedule.iterations=300", "schedule.batch-size=32");
    EngineSettings s = TrainRun.settings(c);
    new EngineHarness().run(kit, c, s); // warm-up: JIT, native libraries

    long t0 = System.nanoTime();
    Coordinator.Finished plain = new EngineHarness().run(kit, c, s);
    double plainS = (System.nanoTime() - t0) / 1e9;

    EngineHarness h = new EngineHarness();
    long t1 = System.nanoTime();
    Coordinator.Finished evaluated =
        h.run(
            kit,
            c,
            s,
            StepHook.NONE,
            new Coordinator.Evaluation(SlowEvaluatorTest::slowScorer, 1, 0));
    double evaluatedS = (System.nanoTime() - t1) / 1e9;

    List<Messages.EvalReport> evals =
        h.reports.stream()
            .filter(r -> r instanceof Messages.EvalReport)
            .map(r -> (Messages.EvalReport) r)
            .toList();
    long skipped = evals.stream().mapToLong(Messages.EvalReport::skipped).sum();
    System.out.printf(
        "slow evaluator: %.2f s without, %.2f s with; %d evaluations, %d skipped%n",
        plainS, evaluatedS, evals.size(), skipped);

    // Throughput: the same within noise (generous bound for a shared 2-core machine).
    assertThat(evaluatedS).isLessThan(1.5 * plainS + 1.0);
    // Bounded backlog: one evaluation at a time, so no more than the time allows.
    assertThat((long) evals.size()).isLessThanOrEqualTo((long) (evaluatedS * 1000 / SCORE_MS) + 2);
    assertThat(skipped).isPositive();
    assertThat(evals.size() + skipped).isLessThanOrEqualTo(300);
    long last = 0;
    for (Messages.EvalReport e : evals) {
      assertThat(e.step()).isGreaterThan(last).isEqualTo(e.gVersion());
      last = e.step();
    }
    // Evaluation only reads snapshots: training is bit for bit the same.
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(evaluated.generatorParams()), Tensors.toFloats(plain.generatorParams()));
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(evaluated.discriminatorParams()),
        Tensors.toFloats(plain.discriminatorParams()));
  }
}
