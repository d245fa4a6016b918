package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/systemd/agon-node@.service: systemd accepts it, and it runs the node of its instance. */
class SystemdUnitTest {
  private static final Path UNIT = Path.of("deploy", "systemd", "agon-node@.service");

  /**
   * {@code systemd-analyze verify} of an instance (%i expanded): exit 0 and not one warning (it
   * exits 0 on unknown keys and bad values, only warning about them).
   */
  @Test
  void systemdVerifiesAnInstanceWithoutAWarning(@TempDir Path dir) throws Exception {
    String analyze =
        Tools.require("systemd-analyze", "apt-get install systemd (Debian), see .ci/run")
            .toString();
    Path instance = dir.resolve("agon-node@generator.service");
    Files.copy(UNIT, instance);
    Tools.Result r = Tools.run(60, analyze, "verify", instance.toString());
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).as("warnings").isBlank();
  }

  @Test
  void theUnitRunsTheNodeOfItsInstanceAndRestartsOnlyWhatARestartCanFix() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .contains("agon.jar node --role \"%i\"")
        .contains("--seed \"$AGON_SEED\"")
        .contains("--metrics-port \"$AGON_METRICS_PORT\"")
        .contains("EnvironmentFile=/etc/agon/node-%i.env")
        .contains("Restart=on-failure")
        // Exit 2 is bad input (a refused join, a port in use): a restart would fail the same way.
        .contains("RestartPreventExitStatus=2")
        .contains("KillSignal=SIGTERM")
        .contains("ReadWritePaths=/var/lib/agon /dev/shm");
  }
}
