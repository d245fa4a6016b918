package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.GuardConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The decisions TrainRun takes after a failed run, without an actor system. */
class RecoveryPolicyTest {
  private final RecoveryPolicy policy = new RecoveryPolicy(new GuardConfig(2, 0.5, 3));
  private static final RecoveryPolicy.Counts NONE = new RecoveryPolicy.Counts(0, 0);

  @Test
  void anActorFailureRestartsAfterADoublingBackoffUntilTheLimit() {
    RecoveryPolicy.Counts c = NONE;
    Duration[] waits = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)};
    for (int i = 0; i < 3; i++) {
      RecoveryPolicy.Decision d = policy.decide(false, "boom", c, false);
      assertThat(d.action()).isEqualTo(RecoveryPolicy.Action.RESTART);
      assertThat(d.event()).isEqualTo(EventKind.RESTART);
      assertThat(d.count()).isEqualTo(i + 1);
      assertThat(d.max()).isEqualTo(3);
      assertThat(d.backoff()).isEqualTo(waits[i]);
      c = d.counts();
    }
    RecoveryPolicy.Decision last = policy.decide(false, "boom", c, false);
    assertThat(last.action()).isEqualTo(RecoveryPolicy.Action.GIVE_UP);
    assertThat(last.count()).isEqualTo(4);
    assertThat(last.event()).isEqualTo(EventKind.RESTART);
    assertThat(last.counts()).isEqualTo(new RecoveryPolicy.Counts(0, 4));
  }

  @Test
  void theBackoffDoublesFromOneSecondAndStopsAtThirty() {
    assertThat(RecoveryPolicy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(RecoveryPolicy.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(RecoveryPolicy.backoff(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(RecoveryPolicy.backoff(40)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aDivergenceRollsBackWithoutWaitingAndCountsApartFromRestarts() {
    RecoveryPolicy.Decision d =
        policy.decide(true, "loss is NaN", new RecoveryPolicy.Counts(1, 2), false);
    assertThat(d.action()).isEqualTo(RecoveryPolicy.Action.ROLLBACK);
    assertThat(d.event()).isEqualTo(EventKind.ROLLBACK);
    assertThat(d.count()).isEqualTo(2);
    assertThat(d.max()).isEqualTo(2);
    assertThat(d.backoff()).isEqualTo(Duration.ZERO);
    assertThat(d.counts()).isEqualTo(new RecoveryPolicy.Counts(2, 2));
    assertThat(policy.decide(true, "loss is NaN", d.counts(), false).action())
        .isEqualTo(RecoveryPolicy.Action.GIVE_UP);
  }

  @Test
  void aLostNodePausesWithoutCountingEvenAtTheRestartLimit() {
    RecoveryPolicy.Counts atLimit = new RecoveryPolicy.Counts(1, 3);
    RecoveryPolicy.Decision d = policy.lost(atLimit, 5, false);
    assertThat(d.action()).isEqualTo(RecoveryPolicy.Action.PAUSE);
    assertThat(d.event()).isEqualTo(EventKind.NODE_LOST);
    assertThat(d.count()).isEqualTo(5);
    assertThat(d.counts()).isEqualTo(atLimit);
    assertThat(d.backoff()).isEqualTo(Duration.ZERO);
    // a stop asked for ends the run instead of waiting for the node
    assertThat(policy.lost(atLimit, 6, true).action()).isEqualTo(RecoveryPolicy.Action.GIVE_UP);
  }

  @Test
  void repeatedRollbacksToOnePointScaleTheLearningRatesGeometrically() {
    assertThat(policy.lrScale(1)).isEqualTo(0.5);
    assertThat(policy.lrScale(3)).isEqualTo(0.125);
  }

  @Test
  void aRequestedStopGivesUpInsteadOfStartingAgain() {
    assertThat(policy.decide(false, "boom", NONE, true).action())
        .isEqualTo(RecoveryPolicy.Action.GIVE_UP);
    assertThat(policy.decide(true, "NaN", NONE, true).action())
        .isEqualTo(RecoveryPolicy.Action.GIVE_UP);
  }

  @Test
  void aFullDiskEndsTheRunWhateverTheCounts() {
    String enospc = "writing checkpoint: No space left on device";
    assertThat(policy.decide(false, enospc, NONE, false).action())
        .isEqualTo(RecoveryPolicy.Action.DISK_FULL);
    assertThat(policy.decide(true, enospc, NONE, false).action())
        .isEqualTo(RecoveryPolicy.Action.DISK_FULL);
  }

  @Test
  void aPolicyWithNoRestartsGivesUpAtTheFirstFailure() {
    RecoveryPolicy none = new RecoveryPolicy(new GuardConfig(0, 0.5, 0));
    assertThat(none.decide(false, "boom", NONE, false).action())
        .isEqualTo(RecoveryPolicy.Action.GIVE_UP);
    assertThat(none.decide(true, "NaN", NONE, false).action())
        .isEqualTo(RecoveryPolicy.Action.GIVE_UP);
  }
}
