package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** alerts/agon.rules.yml is valid and its promtool unit tests pass. */
class AlertRulesTest {
  private static final String INSTALL = "apt-get install prometheus (Debian), or see .ci/run";

  @Test
  void rulesAreValid() throws Exception {
    String promtool = Tools.require("promtool", INSTALL).toString();
    Tools.Result r = Tools.run(60, promtool, "check", "rules", "alerts/agon.rules.yml");
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 11 rules found");
  }

  @Test
  void ruleUnitTestsPass() throws Exception {
    String promtool = Tools.require("promtool", INSTALL).toString();
    Tools.Result r = Tools.run(120, promtool, "test", "rules", "alerts/agon.rules.test.yml");
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }
}
