package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * dashboards/*.json against Grafana's dashboard model from the npm package @grafana/schema
 * (tools/dashboard-check: a TypeScript type check plus unique panel ids, schemaVersion 39 and no
 * deprecated panel types). The npm packages are installed by .ci/run ({@code npm ci}).
 */
class DashboardSchemaTest {
  private static final Path TOOL = Path.of("tools", "dashboard-check");

  @Test
  void dashboardsMatchGrafanasSchema() throws Exception {
    String node = Tools.require("node", "apt-get install nodejs npm").toString();
    Tools.requireFile(
        TOOL.resolve("node_modules/@grafana/schema/package.json"),
        "run 'npm ci' in tools/dashboard-check");
    Tools.Result r =
        Tools.run(120, node, TOOL.resolve("check-dashboards.mjs").toString(), "dashboards");
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("2 dashboards, 0 problems");
  }
}
