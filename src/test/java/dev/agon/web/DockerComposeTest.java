package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  /**
   * Profile "cluster": coordinator, generator and discriminator nodes that could join one cluster
   * (one seed, the same config and --set values, so one config hash), each serving /metrics with
   * /dev/shm sized for Aeron and in the profile only; Prometheus finds them by name; the
   * coordinator trains into the runs volume and restarts on failure with the same --run.
   */
  @Test
  void clusterProfileRunsThreeNodesThatCanJoinOneCluster() throws Exception {
    String compose =
        Tools.require("docker-compose", "apt-get install docker-compose (Debian)").toString();
    Tools.Result r =
        Tools.run(
            120, compose, "-f", "docker/docker-compose.yml", "--profile", "cluster", "config");
    assertThat(r.status()).as(r.output()).isZero();
    Set<List<String>> shared = new HashSet<>();
    for (String role : List.of("coordinator", "generator", "discriminator")) {
      String block = service(r.output(), role);
      assertThat(block).as(role).contains("profiles:\n    - cluster\n", "shm_size: 256m\n");
      List<String> cmd = command(block);
      assertThat(cmd.get(0)).isEqualTo("node");
      assertThat(cmd.get(cmd.indexOf("--role") + 1)).startsWith(role);
      assertThat(cmd.get(cmd.indexOf("--host") + 1)).isEqualTo(role);
      assertThat(cmd.get(cmd.indexOf("--seed") + 1)).isEqualTo("coordinator:25520");
      assertThat(cmd).contains("--metrics-port");
      List<String> config = new ArrayList<>();
      for (int i = 0; i < cmd.size() - 1; i++) {
        if (cmd.get(i).equals("--set") || cmd.get(i).equals("--config")) {
          config.add(cmd.get(i) + " " + cmd.get(i + 1));
        }
      }
      assertThat(config).as(role).contains("--set metrics.host=0.0.0.0");
      shared.add(config);
    }
    assertThat(shared).as("one config hash: the same --config and --set on every node").hasSize(1);
    // The coordinator trains into the runs volume, over UDP (containers share no /dev/shm), and
    // its supervisor (restart: on-failure) restarts it with the same --run.
    String coordinator = service(r.output(), "coordinator");
    List<String> cmd = command(coordinator);
    assertThat(cmd.get(cmd.indexOf("--run") + 1)).isEqualTo("/runs/cluster");
    assertThat(cmd).contains("cluster.transport=udp");
    assertThat(coordinator).contains("runs:/runs", "restart: on-failure");
    assertThat(service(r.output(), "trainer")).doesNotContain("profiles:");
    assertThat(Files.readString(Path.of("docker", "prometheus.yml")))
        .contains("names: [coordinator, generator, discriminator]");
  }

  /** A service's block of a resolved compose file (its lines indented under it). */
  private static String service(String config, String name) {
    int start = config.indexOf("\n  " + name + ":\n");
    assertThat(start).as("service " + name).isNotNegative();
    StringBuilder b = new StringBuilder();
    for (String l : config.substring(start + 1).lines().skip(1).toList()) {
      if (!l.startsWith("    ")) {
        break;
      }
      b.append(l).append('\n');
    }
    return b.toString();
  }

  /** The {@code command:} list of a service block. */
  private static List<String> command(String block) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String l : block.lines().toList()) {
      if (l.equals("    command:")) {
        in = true;
      } else if (in && l.startsWith("    - ")) {
        out.add(l.substring(6).replaceAll("^'(.*)'$", "$1"));
      } else if (in) {
        break;
      }
    }
    return out;
  }
}
