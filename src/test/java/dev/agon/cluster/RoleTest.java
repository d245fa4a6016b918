package dev.agon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoleTest {
  @Test
  void labelsAreTheWireNamesAndParseBack() {
    assertThat(Role.labels())
        .containsExactly("coordinator", "data-loader", "generator", "discriminator", "evaluator");
    for (Role r : Role.values()) {
      assertThat(Role.parse(r.label())).isEqualTo(r);
    }
  }

  @Test
  void listsParseInDeclarationOrderAndRefuseUnknownEmptyAndRepeatedRoles() {
    assertThat(Role.parseList("evaluator,coordinator, data-loader"))
        .containsExactly(Role.COORDINATOR, Role.DATA_LOADER, Role.EVALUATOR);
    assertThatThrownBy(() -> Role.parseList("critic"))
        .hasMessage(
            "unknown role 'critic' (one of coordinator, data-loader, generator, discriminator,"
                + " evaluator)");
    assertThatThrownBy(() -> Role.parseList("generator,")).hasMessageContaining("unknown role ''");
    assertThatThrownBy(() -> Role.parseList("generator,generator"))
        .hasMessage("role generator is named twice");
    assertThatThrownBy(() -> Role.parse("DATA_LOADER")).hasMessageContaining("unknown role");
  }
}
