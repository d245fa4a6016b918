package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A stand-in that loses its node names the lost ROLE as the membership book spells it ({@code agon
 * node --role}), since the pause waits for a node with that role: a role spelled otherwise would
 * never come back, and the run would wait forever.
 */
class RemotePlayerRoleTest {
  @Test
  void aLostNodeIsNamedByItsRoleLabel() {
    assertThat(RemotePlayer.role("Generator")).isEqualTo("generator");
    assertThat(RemotePlayer.role("Discriminator")).isEqualTo("discriminator");
    assertThat(RemotePlayer.role("DataLoader")).isEqualTo("data-loader");
    assertThat(RemotePlayer.role("Evaluator")).isEqualTo("evaluator");
  }
}
