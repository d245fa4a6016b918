package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The players' wire names are those of the existing files and APIs, and parse back exactly. */
class PlayerTest {
  @Test
  void labelsAreTheWireNamesAndParseBack() {
    assertThat(Player.GENERATOR.label()).isEqualTo("generator");
    assertThat(Player.DISCRIMINATOR.label()).isEqualTo("discriminator");
    assertThat(Player.labels()).containsExactly("generator", "discriminator");
    for (Player p : Player.values()) {
      assertThat(Player.parse(p.label())).isEqualTo(p);
      assertThat(p.other()).isNotEqualTo(p);
    }
  }

  @Test
  void parseRefusesOtherSpellings() {
    for (String bad : new String[] {"critic", "Generator", "GENERATOR", "", " generator"}) {
      assertThatThrownBy(() -> Player.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("generator or discriminator");
    }
    assertThatThrownBy(() -> Player.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
