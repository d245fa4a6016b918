package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.Player;
import dev.agon.engine.Messages.ScheduleEvent.Change;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The enums of metrics.jsonl spell exactly the strings the file has always had. */
class EventKindTest {
  @Test
  void eventKindsKeepTheirWireNames() {
    assertThat(Arrays.stream(EventKind.values()).map(EventKind::wire))
        .containsExactly(
            "run_start",
            "d_step",
            "g_step",
            "schedule_change",
            "eval",
            "checkpoint",
            "checkpoint_failed",
            "pause",
            "resume",
            "resumed_from",
            "rollback",
            "restart",
            "node_lost",
            "node_back");
    for (EventKind k : EventKind.values()) {
      assertThat(EventKind.parse(k.wire())).contains(k);
    }
    assertThat(EventKind.parse("RUN_START")).isEmpty();
    assertThat(EventKind.parse("nonsense")).isEmpty();
  }

  @Test
  void changesKeepTheirWireNamesAndPlayers() {
    assertThat(Change.SCHEDULE.wire()).isEqualTo("schedule");
    assertThat(Change.SCHEDULE.player()).isNull();
    for (Player p : Player.values()) {
      assertThat(Change.learningRate(p).wire()).isEqualTo(p.label() + "_lr");
      assertThat(Change.averaging(p).wire()).isEqualTo(p.label() + "_averaging");
      assertThat(Change.learningRate(p).player()).isEqualTo(p);
      assertThat(Change.averaging(p).player()).isEqualTo(p);
      assertThat(Change.learningRate(p).isLearningRate()).isTrue();
      assertThat(Change.averaging(p).isAveraging()).isTrue();
    }
  }
}
