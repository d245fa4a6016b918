package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The client's book of the Evaluator's one credit. */
class EvaluatorCreditTest {
  @Test
  void sendsAtOnceWithCreditAndOnlyTheNewestAfterwards() {
    Evaluator.Credit c = new Evaluator.Credit();
    assertThat(c.held()).isFalse();
    assertThat(c.ready()).as("nothing due yet").isFalse();
    assertThat(c.due()).isTrue();
    assertThat(c.take()).isZero();
    assertThat(c.held()).isFalse();

    // Busy: three evaluations fall due; one waits, two are skipped.
    assertThat(c.due()).isFalse();
    assertThat(c.due()).isFalse();
    assertThat(c.due()).isFalse();
    assertThat(c.ready()).isTrue();
    assertThat(c.take()).isEqualTo(2);

    // The count restarts after each snapshot sent.
    assertThat(c.due()).isFalse();
    assertThat(c.ready()).isTrue();
    assertThat(c.take()).isZero();
  }

  @Test
  void aSnapshotNeedsACredit() {
    Evaluator.Credit c = new Evaluator.Credit();
    assertThatThrownBy(c::take).isInstanceOf(IllegalStateException.class);
    c.ready();
    c.take();
    assertThatThrownBy(c::take).isInstanceOf(IllegalStateException.class);
  }
}
