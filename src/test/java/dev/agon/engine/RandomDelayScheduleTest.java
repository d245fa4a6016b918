package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine under random delays injected before G and D updates, for many seeds and schedules: it
 * finishes (no deadlock, no lost message), every update is reported once and in order, each used
 * exactly the version the schedule prescribes (so staleness never exceeds s), the k:1 ratio holds
 * over every prefix of the run, and the result is bit-identical to the plain loop.
 */
class RandomDelayScheduleTest extends ActorKitTest {
  static Stream<Arguments> cases() {
    SplittableRandom r = new SplittableRandom(2026);
    return Stream.iterate(1, i -> i + 1)
        .limit(16)
        .map(seed -> Arguments.of(seed, 1 + r.nextInt(3), r.nextInt(4)));
  }

  @ParameterizedTest(name = "seed {0}: k = {1}, s = {2}")
  @MethodSource("cases")
  void scheduleHoldsUnderRandomDelays(int seed, int k, int s) {
    AgonConfig c =
        TestConfigs.smallRing(
            "schedule.k=" + k,
            "schedule.staleness=" + s,
            "schedule.iterations=30",
            "schedule.batch-size=16",
            "seed=" + seed);
    EngineSettings settings = TrainRun.settings(c);
    // Each actor draws its own delays: up to 3 ms before a third of the updates.
    ThreadLocal<SplittableRandom> rng =
        ThreadLocal.withInitial(
            () -> new SplittableRandom(seed * 31L + Thread.currentThread().getId()));
    StepHook delays =
        (actor, step) -> {
          SplittableRandom r = rng.get();
          if (r.nextInt(3) == 0) {
            LockSupport.parkNanos(r.nextLong(3_000_000));
          }
        };
    EngineHarness h = new EngineHarness();
    Coordinator.Finished f = h.run(kit, c, settings, delays);

    assertScheduleHeld(h.reports, settings);
    EngineVsPlainLoopTest.assertMatchesPlainLoop(c, settings, f);
  }

  static void assertScheduleHeld(List<Messages.Report> reports, EngineSettings settings) {
    int k = settings.k();
    int s = settings.staleness();
    long d = 0;
    long g = 0;
    for (Messages.Report r : reports) {
      if (r instanceof Messages.DStepReport dr) {
        assertThat(dr.step()).isEqualTo(++d);
        long algorithm1 = (dr.step() - 1) / k;
        assertThat(dr.generatorVersionUsed()).isEqualTo(Math.max(0, algorithm1 - s));
        assertThat(algorithm1 - dr.generatorVersionUsed()).isBetween(0L, (long) s);
        assertThat(dr.generatorVersionUsed()).isLessThanOrEqualTo(g);
        assertThat(dr.realIndex()).isEqualTo(dr.step() - 1);
      } else if (r instanceof Messages.GStepReport gr) {
        assertThat(gr.step()).isEqualTo(++g);
        long algorithm1 = k * gr.step();
        assertThat(gr.discriminatorVersionUsed()).isEqualTo(Math.max(0, algorithm1 - s));
        assertThat(algorithm1 - gr.discriminatorVersionUsed()).isBetween(0L, (long) s);
        assertThat(gr.discriminatorVersionUsed()).isLessThanOrEqualTo(d);
      }
      // k:1 over every prefix: neither player gets further ahead than the bound allows.
      assertThat(d).isLessThanOrEqualTo(k * (g + s + 1));
      assertThat(g * k).isLessThanOrEqualTo(d + s);
    }
    assertThat(d).isEqualTo(k * settings.iterations());
    assertThat(g).isEqualTo(settings.iterations());
  }
}
