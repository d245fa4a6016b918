package dev.agon.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which token file modes {@link TokenFile} warns about, and what the warning says. */
class TokenFileModeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "rw-------, ",
    "r--------, ",
    "rw-r-----, 0640",
    "rw----r--, 0604",
    "rw-r--r--, 0644",
    "rwxrwxrwx, 0777"
  })
  void groupOrOthersReadingIsWarnedAboutWithTheMode(String perms, String mode) throws Exception {
    Path f = Files.writeString(dir.resolve("token"), "  s3cret \r\nsecond line\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    List<String> warnings = new ArrayList<>();
    assertThat(TokenFile.read(f, warnings::add)).isEqualTo("s3cret");
    if (mode == null) {
      assertThat(warnings).isEmpty();
    } else {
      assertThat(warnings)
          .containsExactly(
              f
                  + " is readable by group or others (mode "
                  + mode
                  + "): they can control the run; chmod 600 "
                  + f);
    }
  }
}
