package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metrics.token-file} as {@code agon train} reads it: what it refuses and warns about. */
class TokenFileTest {
  @TempDir Path dir;

  private CliRunner train(Path token) {
    return CliRunner.train(
        dir.resolve("run"),
        "config/ring.conf",
        "schedule.iterations=1",
        "schedule.batch-size=8",
        "eval.samples=50",
        "metrics.port=0",
        "metrics.token-file=\"" + token + "\"");
  }

  @Test
  void anEmptyTokenFileIsOneErrorNamingTheKeyAndTheFile() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "");
    CliRunner r = train(token);
    assertThat(r.status()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("error: metrics.token-file: " + token + ": ");
    assertThat(dir.resolve("run")).as("no run directory").doesNotExist();
  }

  @Test
  void aTokenFileOthersCanReadIsUsedWithAWarningNamingItAndItsMode() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    CliRunner r = train(token);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(Files.readString(dir.resolve("run/agon.log")))
        .contains("WARN")
        .contains("metrics.token-file " + token + " is readable by group or others (mode 0644)");
  }
}
