package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.web.AgonRoutes;
import dev.agon.web.WebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agon ctl status} against a run's status API (its routes over real meters, no training):
 * the state and progress, and while an agon node run waits for a lost node's role, the role and
 * since when.
 */
class CtlStatusTest {
  @TempDir Path runDir;
  private TrainingMetrics metrics;
  private WebServer server;

  @BeforeEach
  void start() throws Exception {
    metrics = new TrainingMetrics("r", "exp", "test", () -> 0);
    metrics.configured(100, 1, 0, 1e-3, 1e-3);
    server = WebServer.start("127.0.0.1", 0);
    AgonRoutes.install(server, metrics, runDir);
    Files.writeString(runDir.resolve("http.port"), server.port() + "\n");
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  @Test
  void statusPrintsTheStateAndProgress() {
    metrics.state(Meters.STATE_RUNNING);
    metrics.step("generator", 7, 1.0, 0, 1_000_000, System.currentTimeMillis(), 64, 0);
    CliRunner r = CliRunner.run("ctl", "status", "--run", runDir.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("run r: running, G update 7 of 100, D update 0\n");
  }

  @Test
  void statusNamesTheRoleARunWaitsForAndSinceWhen() {
    long since = 1_700_000_000_000L;
    metrics.waiting(new TrainingMetrics.Waiting(List.of("data-loader"), since));
    CliRunner r =
        CliRunner.run("ctl", "status", "--url", "http://127.0.0.1:" + server.port() + "/");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("run r: waiting-for-role, G update 0 of 100, D update 0\n")
        .contains(
            "waiting for role data-loader since "
                + Instant.ofEpochMilli(since)
                + ": its node was lost; start a node with that role (agon node --role"
                + " data-loader), or agon ctl stop");
  }

  @Test
  void statusOfARunThatServesNothingIsBadInput() throws Exception {
    Files.delete(runDir.resolve("http.port"));
    CliRunner r = CliRunner.run("ctl", "status", "--run", runDir.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().startsWith("error: ").contains("http.port");
    CliRunner flag = CliRunner.run("ctl", "status", "--run", runDir.toString(), "--k", "2");
    assertThat(flag.status()).isEqualTo(2);
    assertThat(flag.errLines())
        .containsExactly("error: --k, --staleness and the learning rates go with schedule only");
  }
}
