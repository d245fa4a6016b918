package dev.agon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** InfoGAN's per-update term reaches Prometheus per network, NaN until reported. */
class InfoGanMeterTest {
  @Test
  void theInfoLossGaugeFollowsEachNetworksLastUpdate() {
    // A driven clock: a real one let the second scrape reuse the first's text when both fell in
    // one reuse window (TrainingMetrics.SCRAPE_REUSE_NANOS), as a warm JVM in CI made them.
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    try (TrainingMetrics m = new TrainingMetrics("r-1", "ring", "test", () -> 1234, nanos::get)) {
      String before = m.scrape(null).body();
      String g = "agon_infogan_loss{experiment=\"ring\",network=\"generator\",run=\"r-1\"}";
      String d = "agon_infogan_loss{experiment=\"ring\",network=\"discriminator\",run=\"r-1\"}";
      assertThat(before).contains(g + " NaN").contains(d + " NaN");
      m.infoLoss("generator", 2.5);
      m.infoLoss("discriminator", 1.75);
      nanos.addAndGet(TrainingMetrics.SCRAPE_REUSE_NANOS);
      String after = m.scrape(null).body();
      assertThat(after).contains(g + " 2.5").contains(d + " 1.75");
    }
  }
}
