package dev.agon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.config.Player;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetersTest {
  private static TrainingMetrics metrics() {
    return new TrainingMetrics("r-1", "ring", "test", () -> 1234);
  }

  /** On a clock the test drives, for what is measured over time. */
  private static TrainingMetrics metrics(AtomicLong nanos) {
    return new TrainingMetrics("r-1", "ring", "test", () -> 1234, nanos::get);
  }

  /** Every player has its network label, in the enum's order. */
  @Test
  void theNetworkLabelsAreThePlayersLabels() {
    assertThat(Meters.NETWORKS).containsExactlyElementsOf(Player.labels());
  }

  @Test
  void everyMeterHasADescriptionAndAUniquePrometheusName() {
    Set<String> names = new HashSet<>();
    for (MeterDef m : Meters.ALL) {
      assertThat(m.description()).as(m.name()).isNotBlank();
      assertThat(m.name()).as(m.name()).startsWith("agon.");
      assertThat(names.add(m.prometheusName())).as(m.prometheusName()).isTrue();
      assertThat(m.labels()).isSubsetOf("network", "term", "actor", "gpu");
    }
  }

  @Test
  void theFirstScrapeHasEveryFamilyWithHelpAndType() {
    try (TrainingMetrics m = metrics()) {
      String text = m.scrape(null).body();
      for (MeterDef def : Meters.ALL) {
        String family = def.prometheusName();
        assertThat(text).as(family).contains("# HELP " + family + " ");
        assertThat(text).as(family).contains("# TYPE " + family + " ");
      }
      assertThat(text)
          .contains("agon_build_info{experiment=\"ring\",java_version=")
          .contains("agon_nd4j_memory_bytes{experiment=\"ring\",gpu=\"host\",run=\"r-1\"} 1234")
          .contains("agon_eval_inception_score{experiment=\"ring\",run=\"r-1\"} NaN")
          .contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void stepsUpdateCountersGaugesAndTheExplicitBuckets() {
    try (TrainingMetrics m = metrics()) {
      m.state(Meters.STATE_RUNNING);
      m.step("discriminator", 1, -3.5, 0.25, 4_000_000, 1_000_000, 128, 0);
      m.step("generator", 1, Double.NaN, 0, 30_000_000, 2_000_000, 64, 1);
      m.evalValue(Meters.EVAL_IS, 3.0);
      m.evalValue(Meters.EVAL_IS, 2.0);
      String text = m.scrape(null).body();
      String net = "{experiment=\"ring\",network=\"discriminator\",run=\"r-1\"";
      // Negative losses (WGAN) survive: gauges, not summaries.
      assertThat(text)
          .contains("agon_loss" + net + ",term=\"total\"} -3.5")
          .contains("agon_loss" + net + ",term=\"averaging\"} 0.25")
          .contains("agon_optimizer_steps_total" + net + "} 1.0")
          .contains("agon_samples_consumed_total" + net + "} 128.0")
          .contains("agon_last_step_timestamp_seconds" + net + "} 1000.0")
          .contains("agon_step_duration_seconds_bucket" + net + ",le=\"0.005\"} 1")
          .contains("agon_step_duration_seconds_bucket" + net + ",le=\"0.0025\"} 0")
          .contains(
              "agon_loss_nonfinite_total{experiment=\"ring\",network=\"generator\",run=\"r-1\"}"
                  + " 1.0")
          .contains("agon_eval_inception_score{experiment=\"ring\",run=\"r-1\"} 2.0")
          .contains("agon_eval_inception_score_best{experiment=\"ring\",run=\"r-1\"} 3.0")
          .contains("agon_training_state{experiment=\"ring\",run=\"r-1\"} 1.0");
      long buckets =
          text.lines().filter(l -> l.startsWith("agon_step_duration_seconds_bucket" + net)).count();
      assertThat(buckets).isEqualTo(Meters.STEP_BUCKETS_SECONDS.length + 1);
    }
  }

  @Test
  void openMetricsByContentNegotiation() {
    try (TrainingMetrics m = metrics()) {
      TrainingMetrics.Scrape om =
          m.scrape("application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
      assertThat(om.contentType()).startsWith("application/openmetrics-text");
      assertThat(om.body()).endsWith("# EOF\n");
      assertThat(m.scrape("text/plain").contentType()).startsWith("text/plain; version=0.0.4");
    }
  }

  @Test
  void lossHistoryStaysBoundedAndSpansTheRun() {
    LossHistory h = new LossHistory();
    for (long s = 1; s <= 100_000; s++) {
      h.add(s, 1, 2);
    }
    assertThat(h.points()).hasSizeLessThan(LossHistory.CAPACITY);
    assertThat(h.points().get(h.points().size() - 1).step()).isGreaterThan(90_000);
    assertThat(h.points().get(0).step()).isLessThan(1000);
  }

  @Test
  void stepRateIsMeasuredWhileStepsArriveFasterThanItsResolution() {
    AtomicLong clock = new AtomicLong(5_000_000_000L);
    try (TrainingMetrics m = metrics(clock)) {
      assertThat(m.generatorStepsPerSecond()).isNaN();
      // 100 steps 10 ms apart: far closer than the rate's ~300 ms points, exactly 100 steps/s.
      for (int s = 1; s <= 100; s++) {
        m.step("generator", s, 0, 0, 1, 0, 1, 0);
        clock.addAndGet(10_000_000L);
      }
      assertThat(m.generatorStepsPerSecond()).isCloseTo(100.0, within(1e-9));
      // A run that stalls for longer than the window reports 0, not its old rate.
      clock.addAndGet(10_000_000_001L);
      assertThat(m.generatorStepsPerSecond()).isZero();
    }
  }

  @Test
  void scrapesWithinTheReuseWindowShareOneRendering() {
    AtomicLong clock = new AtomicLong(5_000_000_000L);
    try (TrainingMetrics m = metrics(clock)) {
      TrainingMetrics.Scrape first = m.scrape(null);
      m.step("generator", 1, 0.5, 0, 1, 0, 1, 0);
      clock.addAndGet(TrainingMetrics.SCRAPE_REUSE_NANOS - 1);
      assertThat(m.scrape(null)).isSameAs(first);
      // The other format has a rendering of its own.
      assertThat(m.scrape("application/openmetrics-text").contentType())
          .startsWith("application/openmetrics-text");
      clock.addAndGet(1);
      TrainingMetrics.Scrape fresh = m.scrape(null);
      assertThat(fresh).isNotSameAs(first);
      String steps =
          "agon_optimizer_steps_total{experiment=\"ring\",network=\"generator\",run=\"r-1\"}";
      assertThat(first.body()).contains(steps + " 0.0");
      assertThat(fresh.body()).contains(steps + " 1.0");
    }
  }
}
