package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.train.Schedule;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The Coordinator's admission arithmetic, driven by a simulated pair of players. */
class AdmissionTest {
  /**
   * Two players that make every admitted update they can, D first, each on the version the schedule
   * prescribes: what the actors do, without actors. Tracks the admissions it has been told of.
   */
  private static final class Players {
    final Admission a;
    long dAdmitted;
    long gAdmitted;

    Players(Admission a) {
      this.a = a;
      dAdmitted = a.dDone();
      gAdmitted = a.gDone();
    }

    void admit() {
      Admission.Admitted x = a.admit();
      x.d().ifPresent(d -> dAdmitted = d);
      x.g().ifPresent(g -> gAdmitted = g);
    }

    /** Runs admitted updates until none can run; returns how many ran. */
    int runAll() {
      int n = 0;
      while (true) {
        Schedule s = a.schedule();
        long d = a.dDone() + 1;
        long g = a.gDone() + 1;
        if (d <= dAdmitted && s.generatorVersionFor(d) <= a.gDone()) {
          a.dStepDone(d, s.generatorVersionFor(d));
        } else if (g <= gAdmitted && s.discriminatorVersionFor(g) <= a.dDone()) {
          a.gStepDone(g, s.discriminatorVersionFor(g));
        } else {
          return n;
        }
        n++;
      }
    }

    /** Admits and runs until nothing more is admitted (the horizon is reached). */
    void drive() {
      do {
        admit();
      } while (runAll() > 0);
    }
  }

  @Test
  void admitsWhatTheStalenessBoundAllowsAndNothingTwice() {
    Admission a = new Admission(new Schedule(2, 1, 10), 0, 10, 0, 0);
    Admission.Admitted first = a.admit();
    // s = 1: D may run k * (s + 1) updates ahead of G; G update 1 trains on D version 2 + ... .
    assertThat(first.d()).hasValue(4);
    assertThat(first.g()).hasValue(a.schedule().lastAdmissibleGStep(4));
    Admission.Admitted again = a.admit();
    assertThat(again.d()).isEmpty();
    assertThat(again.g()).isEmpty();
  }

  @Test
  void aWholeRunCompletesWithEveryUpdateOnItsPrescribedVersion() {
    Admission a = new Admission(new Schedule(3, 2, 7), 0, 7, 0, 0);
    Players p = new Players(a);
    p.drive();
    assertThat(a.complete()).isTrue();
    assertThat(a.gDone()).isEqualTo(7);
    assertThat(a.dDone()).isEqualTo(21);
    assertThat(a.horizon()).isEqualTo(new Admission.Horizon(7, Admission.Limit.END));
  }

  @Test
  void gIsNotAdmittedPastAVersionToEvaluateBeforeItsReport() {
    // Staleness 3 lets G run ahead; an evaluation due every 4 G updates holds it at 4, 8, ...
    Admission free = new Admission(new Schedule(1, 3, 10), 0, 10, 0, 0);
    assertThat(free.admit().g().getAsLong()).isGreaterThan(4);
    Admission a = new Admission(new Schedule(1, 3, 10), 0, 10, 0, 0);
    a.evaluateEvery(4);
    Players p = new Players(a);
    p.admit();
    assertThat(p.gAdmitted).isEqualTo(4);
    p.runAll();
    assertThat(a.gDone()).isEqualTo(4);
    p.admit(); // after G's report of 4: on to 8
    assertThat(p.gAdmitted).isEqualTo(8);
    p.drive();
    assertThat(a.complete()).isTrue();
  }

  @Test
  void aReportTheScheduleForbidsIsRefused() {
    Admission a = new Admission(new Schedule(2, 0, 5), 0, 5, 0, 0);
    a.admit(); // D through 2, G through 1
    assertThatThrownBy(() -> a.dStepDone(2, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("schedule violated: D update 2 not admitted");
    a.dStepDone(1, 0);
    a.dStepDone(2, 0);
    assertThatThrownBy(() -> a.gStepDone(1, 1))
        .hasMessage("schedule violated: G update 1 used D version 1");
    assertThatThrownBy(() -> a.dStepDone(3, 1))
        .hasMessage("schedule violated: D update 3 not admitted");
  }

  @Test
  void aPauseStopsAdmissionsAtTheFrontierUntilResumed() {
    Admission a = new Admission(new Schedule(2, 1, 10), 0, 10, 0, 0);
    Players p = new Players(a);
    p.admit();
    long at = a.pause();
    assertThat(at).isEqualTo(a.frontier()).isEqualTo(2); // D through 4 = iteration 2
    assertThat(a.pause()).as("a second pause keeps the first").isEqualTo(2);
    p.drive();
    assertThat(a.gDone()).isEqualTo(2);
    assertThat(a.dDone()).isEqualTo(4);
    assertThat(a.horizon()).isEqualTo(new Admission.Horizon(2, Admission.Limit.PAUSE));
    a.resume();
    assertThat(a.pausedAt()).isEmpty();
    p.drive();
    assertThat(a.complete()).isTrue();
  }

  @Test
  void aChangeStartsItsSegmentAtItsBarrier() {
    Admission a = new Admission(new Schedule(1, 0, 6), 0, 6, 0, 0);
    Players p = new Players(a);
    p.admit();
    Admission.Change c = a.requestChange(OptionalInt.of(3), OptionalInt.empty());
    assertThat(c).isEqualTo(new Admission.Change(1, 3, 0));
    // A second request before the barrier keeps the first one's k.
    assertThat(a.requestChange(OptionalInt.empty(), OptionalInt.of(1)))
        .isEqualTo(new Admission.Change(1, 3, 1));
    p.drive();
    assertThat(a.horizon().limit()).isEqualTo(Admission.Limit.BARRIER);
    assertThat(a.atBarrier()).isTrue();
    Schedule s = a.startSegment();
    assertThat(s).isEqualTo(new Schedule(3, 1, 6, 1, 1));
    assertThat(a.segment()).isEqualTo(1);
    assertThat(a.pendingChange()).isEmpty();
    p.drive();
    assertThat(a.complete()).isTrue();
    assertThat(a.dDone()).isEqualTo(1 + 3 * 5);
  }

  @Test
  void aChangeTooLateToApplyIsRecognised() {
    Admission a = new Admission(new Schedule(1, 0, 2), 0, 2, 0, 0);
    Players p = new Players(a);
    p.drive(); // s = 0, k = 1: admissions run to the end
    assertThat(a.tooLateForChange()).isTrue();
  }

  @Test
  void checkpointsComeAtMultiplesOfTheIntervalOrAtTheFrontierWhenAskedFor() {
    Admission a = new Admission(new Schedule(1, 0, 10), 0, 10, 0, 0);
    Players p = new Players(a);
    a.planCheckpoint(4);
    assertThat(a.checkpointAt()).hasValue(4);
    p.drive();
    assertThat(a.atCheckpoint()).isTrue();
    assertThat(a.horizon()).isEqualTo(new Admission.Horizon(4, Admission.Limit.CHECKPOINT));
    a.planCheckpoint(4);
    assertThat(a.checkpointAt()).hasValue(8);
    p.admit();
    a.checkpointSoon(); // frontier: iteration 5 is admitted
    assertThat(a.checkpointAt()).hasValue(5);
    a.planCheckpoint(0);
    assertThat(a.checkpointAt()).isEmpty();
  }

  @Test
  void aStopFinishesTheAdmittedIterationsEvenWhenPaused() {
    Admission a = new Admission(new Schedule(2, 1, 10), 0, 10, 0, 0);
    Players p = new Players(a);
    p.admit();
    a.pause();
    assertThat(a.stop()).isEqualTo(2);
    assertThat(a.pausedAt()).isEmpty();
    p.drive();
    assertThat(a.complete()).isTrue();
    assertThat(a.gDone()).isEqualTo(2);
  }

  @Test
  void aResumedRunCountsFromItsStartState() {
    Schedule s = new Schedule(2, 0, 10).changedAt(3, 6, 1, 0);
    Admission a = new Admission(s, 1, 10, 3, 6);
    assertThat(a.frontier()).isEqualTo(3);
    Admission.Admitted x = a.admit();
    assertThat(x.d()).isEqualTo(OptionalLong.of(7));
    assertThat(x.g()).isEqualTo(OptionalLong.of(4));
  }

  /**
   * A checkpoint asked for at any moment (ctl checkpoint, the time-based one) is reached: whatever
   * was admitted when it was asked for, the players come to rest exactly at its iteration. With
   * staleness s >= 1, G may be admitted past the last iteration with an admitted D update.
   */
  @Test
  void aCheckpointAskedForAtAnyMomentIsReachedForEveryKAndStaleness() {
    for (int k = 1; k <= 3; k++) {
      for (int s = 0; s <= 3; s++) {
        for (int ran = 0; ran <= 12; ran++) {
          Admission a = new Admission(new Schedule(k, s, 50), 0, 50, 0, 0);
          Players p = new Players(a);
          p.admit();
          // Some of the admitted updates have run when the checkpoint is asked for.
          for (int n = 0; n < ran && stepOne(p); n++) {}
          a.checkpointSoon();
          long at = a.checkpointAt().getAsLong();
          p.drive();
          assertThat(a.atCheckpoint())
              .as(
                  "k=%d s=%d after %d updates: checkpoint at %d, players at G %d / D %d",
                  k, s, ran, at, a.gDone(), a.dDone())
              .isTrue();
        }
      }
    }
  }

  /** Runs one admitted update if one can run (D first, as Players does). */
  private static boolean stepOne(Players p) {
    Admission a = p.a;
    Schedule s = a.schedule();
    long d = a.dDone() + 1;
    long g = a.gDone() + 1;
    if (d <= p.dAdmitted && s.generatorVersionFor(d) <= a.gDone()) {
      a.dStepDone(d, s.generatorVersionFor(d));
      return true;
    }
    if (g <= p.gAdmitted && s.discriminatorVersionFor(g) <= a.dDone()) {
      a.gStepDone(g, s.discriminatorVersionFor(g));
      return true;
    }
    return false;
  }
}
