package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Algorithm 1's k:1 schedule and the versions each update used, as reported by the actors. */
class ScheduleTest extends ActorKitTest {
  @Test
  void threeDiscriminatorUpdatesPerGeneratorUpdateWithPrescribedVersions() {
    int k = 3;
    AgonConfig c = TestConfigs.smallRing("schedule.k=3", "schedule.iterations=40");
    EngineHarness h = new EngineHarness();
    h.run(kit, c, TrainRun.settings(c));
    List<Messages.Report> reports = h.reports;

    assertThat(reports).hasSize(40 * (k + 1));
    long dSeen = 0;
    long gSeen = 0;
    int dSinceG = 0;
    for (Messages.Report r : reports) {
      if (r instanceof Messages.DStepReport d) {
        dSeen++;
        dSinceG++;
        assertThat(d.step()).isEqualTo(dSeen);
        // D update n trains on fakes of G version floor((n-1)/k) and real batch n-1.
        assertThat(d.generatorVersionUsed()).isEqualTo((d.step() - 1) / k);
        assertThat(d.realIndex()).isEqualTo(d.step() - 1);
        assertThat(dSinceG).isLessThanOrEqualTo(k);
      } else if (r instanceof Messages.GStepReport g) {
        gSeen++;
        assertThat(dSinceG).as("D updates before G update %d", g.step()).isEqualTo(k);
        dSinceG = 0;
        assertThat(g.step()).isEqualTo(gSeen);
        // G update i trains against D version k*i.
        assertThat(g.discriminatorVersionUsed()).isEqualTo(k * g.step());
      }
    }
    assertThat(dSeen).isEqualTo(40L * k);
    assertThat(gSeen).isEqualTo(40);
  }
}
