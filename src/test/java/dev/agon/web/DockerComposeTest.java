package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml is a valid compose file (the images cannot be built or pulled here) and
 * wires the pieces this repository provides: rules, dashboards, datasource.
 */
class DockerComposeTest {
  @Test
  void composeFileIsValid() throws Exception {
    String compose =
        Tools.require("docker-compose", "apt-get install docker-compose (Debian)").toString();
    Tools.Result r = Tools.run(120, compose, "-f", "docker/docker-compose.yml", "config", "-q");
    assertThat(r.status()).as(r.output()).isZero();
  }

  @Test
  void composeProvisionsRulesDashboardsAndTheDatasource() throws Exception {
    String compose = Files.readString(Path.of("docker", "docker-compose.yml"));
    assertThat(compose)
        .contains("../alerts:/etc/prometheus/rules:ro")
        .contains("../dashboards:/var/lib/grafana/dashboards:ro")
        .contains("./grafana/provisioning:/etc/grafana/provisioning:ro");
    assertThat(Files.readString(Path.of("docker", "prometheus.yml")))
        .contains("/etc/prometheus/rules/agon.rules.yml")
        .contains("job_name: agon");
    assertThat(Path.of("docker", "grafana", "provisioning", "datasources", "prometheus.yml"))
        .isRegularFile();
    assertThat(Path.of("docker", "grafana", "provisioning", "dashboards", "agon.yml"))
        .isRegularFile();
  }
}
