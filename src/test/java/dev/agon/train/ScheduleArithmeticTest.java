package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The schedule's arithmetic against brute force over small schedules. */
class ScheduleArithmeticTest {
  @Test
  void fakesPartitionTheDUpdatesAndSnapshotsAreExactlyThoseUsed() {
    for (int k = 1; k <= 4; k++) {
      for (int s = 0; s <= 6; s++) {
        Schedule sc = new Schedule(k, s, 9);
        long covered = 0;
        for (long v = 0; v <= 9; v++) {
          long[] r = sc.fakesOfVersion(v);
          for (long n = r[0]; n <= r[1]; n++) {
            assertThat(n).isEqualTo(++covered);
            assertThat(sc.generatorVersionFor(n)).isEqualTo(v);
          }
        }
        assertThat(covered).isEqualTo(sc.dUpdates());
        Set<Long> used = new HashSet<>();
        for (long i = 1; i <= 9; i++) {
          used.add(sc.discriminatorVersionFor(i));
        }
        for (long v = 0; v <= sc.dUpdates(); v++) {
          assertThat(sc.discriminatorVersionUsed(v))
              .as("k=%d s=%d v=%d", k, s, v)
              .isEqualTo(used.contains(v));
        }
        for (long g = 0; g <= 9; g++) {
          long last = sc.lastAdmissibleDStep(g);
          assertThat(last == sc.dUpdates() || sc.generatorVersionFor(last + 1) > g).isTrue();
          assertThat(sc.generatorVersionFor(last)).isLessThanOrEqualTo(g);
        }
        for (long d = 0; d <= sc.dUpdates(); d++) {
          long last = sc.lastAdmissibleGStep(d);
          assertThat(last == 9 || sc.discriminatorVersionFor(last + 1) > d).isTrue();
          assertThat(last == 0 || sc.discriminatorVersionFor(last) <= d).isTrue();
        }
      }
    }
  }

  @Test
  void stalenessZeroIsAlgorithmOne() {
    Schedule sc = new Schedule(3, 0, 5);
    assertThat(sc.generatorVersionFor(1)).isZero();
    assertThat(sc.generatorVersionFor(3)).isZero();
    assertThat(sc.generatorVersionFor(4)).isEqualTo(1);
    assertThat(sc.discriminatorVersionFor(2)).isEqualTo(6);
  }
}
