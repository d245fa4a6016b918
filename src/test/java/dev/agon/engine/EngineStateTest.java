package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.train.Schedule;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's manifest keys: what is written reads back, under the names resumes depend on. */
class EngineStateTest {
  @Test
  void theStateReadsBackAsWritten() {
    Schedule schedule = new Schedule(2, 1, 50, 0, 0).changedAt(10, 20, 3, 0);
    EngineState s = EngineState.of(12, 26, schedule, 1);
    Map<String, String> m = s.toManifest();
    assertThat(m)
        .containsEntry("engine.g_done", "12")
        .containsEntry("engine.d_done", "26")
        .containsEntry("data.next_batch", "26")
        .containsEntry("schedule.k", "3")
        .containsEntry("schedule.staleness", "0")
        .containsEntry("schedule.origin_g", "10")
        .containsEntry("schedule.origin_d", "20")
        .containsEntry("schedule.segment", "1");
    EngineState back = EngineState.fromManifest(m);
    assertThat(back).isEqualTo(s);
    assertThat(back.schedule(50).dStepsThrough(12))
        .isEqualTo(schedule.dStepsThrough(12))
        .isEqualTo(26);
  }

  /** Checkpoints from before the rename name the segment "schedule.epoch": they still read. */
  @Test
  void theSegmentIsWrittenUnderItsNewKeyAndReadUnderTheOldOneToo() {
    EngineState s = EngineState.of(12, 26, new Schedule(2, 1, 50, 0, 0).changedAt(10, 20, 3, 0), 2);
    Map<String, String> m = new HashMap<>(s.toManifest());
    assertThat(m).doesNotContainKey("schedule.epoch");
    m.put("schedule.epoch", m.remove("schedule.segment"));
    assertThat(EngineState.fromManifest(m)).isEqualTo(s);
    m.remove("schedule.epoch");
    assertThatThrownBy(() -> EngineState.fromManifest(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule.segment");
  }

  @Test
  void aMissingOrMalformedKeyIsRefused() {
    Map<String, String> m =
        new HashMap<>(EngineState.of(1, 1, new Schedule(1, 0, 5, 0, 0), 0).toManifest());
    m.remove("schedule.origin_d");
    assertThatThrownBy(() -> EngineState.fromManifest(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule.origin_d");
    m.put("schedule.origin_d", "x");
    assertThatThrownBy(() -> EngineState.fromManifest(m))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConstantsCarryTheRollbacksAResumeCountsOn() {
    Map<String, String> c = EngineState.constants(2, 7, 64);
    assertThat(c)
        .containsEntry("guard.rollbacks", "2")
        .containsEntry("seed", "7")
        .containsEntry("data.batch_size", "64");
    assertThat(EngineState.rollbacks(c)).isEqualTo(2);
    assertThat(EngineState.rollbacks(Map.of())).isZero();
  }
}
