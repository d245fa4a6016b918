package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.Player;
import dev.agon.web.Control;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The control API while a run waits for a lost node's role or out a restart's backoff: no actor
 * system runs, so every request but stop is answered at once (not left to time out); stop is taken.
 */
class EngineControlTest {
  private final List<String> stops = new ArrayList<>();
  private final EngineControl control =
      new EngineControl(() -> null, stops::add, () -> "discriminator", () -> false);

  @Test
  void whileWaitingForARoleOnlyStopIsTaken() throws Exception {
    List<Function<Control, CompletionStage<Control.Reply>>> refused =
        List.of(
            Control::pause,
            Control::resume,
            Control::checkpoint,
            c ->
                c.schedule(
                    OptionalInt.of(2),
                    OptionalInt.empty(),
                    OptionalDouble.empty(),
                    OptionalDouble.empty()),
            c -> c.averaging(Player.GENERATOR, 0.1, 0));
    for (Function<Control, CompletionStage<Control.Reply>> call : refused) {
      Control.Reply r = call.apply(control).toCompletableFuture().get();
      assertThat(r.outcome()).isEqualTo(Control.Outcome.REFUSED);
      assertThat(r.message()).contains("waits for role discriminator", "only stop");
    }
    assertThat(stops).isEmpty();

    Control.Reply stop = control.stop("ctl").toCompletableFuture().get();
    assertThat(stop.outcome()).isEqualTo(Control.Outcome.ACCEPTED);
    assertThat(stop.message()).contains("waits for role discriminator", "ends now");
    assertThat(stops).containsExactly("ctl");
  }

  /**
   * During a restart's backoff the system is the failed one: every request but stop fails at once
   * (503) naming the restart; stop is taken and says it ends now.
   */
  @Test
  void duringARestartsBackoffOnlyStopIsTaken() throws Exception {
    List<String> stopped = new ArrayList<>();
    EngineControl backoff = new EngineControl(() -> null, stopped::add, () -> null, () -> true);
    assertThat(backoff.pause().toCompletableFuture())
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("restarting");
    assertThat(backoff.checkpoint().toCompletableFuture())
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("restart's backoff");
    assertThat(stopped).isEmpty();

    Control.Reply stop = backoff.stop("ctl").toCompletableFuture().get();
    assertThat(stop.outcome()).isEqualTo(Control.Outcome.ACCEPTED);
    assertThat(stop.message()).contains("restart's backoff", "ends now");
    assertThat(stopped).containsExactly("ctl");
  }
}
