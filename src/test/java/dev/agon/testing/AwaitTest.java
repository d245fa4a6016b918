package dev.agon.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void untilReturnsOnceTheConditionHoldsAndFailsNamingItAtTheDeadline() {
    AtomicInteger polls = new AtomicInteger();
    Await.until(Duration.ofSeconds(10), () -> polls.incrementAndGet() >= 3, "three polls");
    assertThat(polls).hasValue(3);

    assertThatThrownBy(() -> Await.until(Duration.ofMillis(50), () -> false, "the impossible"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the impossible");
  }

  @Test
  void holdsFailsAtTheFirstPollWhereTheConditionBreaks() {
    AtomicInteger polls = new AtomicInteger();
    assertThatThrownBy(
            () -> Await.holds(Duration.ofSeconds(10), () -> polls.incrementAndGet() < 3, "calm"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("calm");
    assertThat(polls).hasValue(3);

    Await.holds(Duration.ofMillis(30), () -> true, "always");
  }
}
