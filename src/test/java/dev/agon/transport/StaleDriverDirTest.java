package dev.agon.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with kill -9 cannot delete its embedded driver's directory (each holds its terms:
 * hundreds of MB of /dev/shm, 4 GB had piled up on a test machine). The next embedded driver on the
 * host sweeps such leftovers: directories whose owning process is gone and whose driver has not
 * beaten its heartbeat; it leaves every other directory alone.
 */
class StaleDriverDirTest {
  @TempDir Path shm;

  @Test
  void anEmbeddedDriverDeletesTheDirectoriesOfDeadProcessesOnly() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long dead = p.pid();
    Path stale = Files.createDirectories(shm.resolve("agon-aeron-" + dead + "-123/driver"));
    Files.writeString(stale.resolve("cnc.dat"), "not a live driver");
    old(stale.getParent());
    Path live =
        Files.createDirectories(shm.resolve("agon-aeron-" + ProcessHandle.current().pid() + "-9"));
    old(live);
    Path foreign = Files.createDirectories(shm.resolve("agon-aeron-123456789")); // no pid in it
    old(foreign);
    Path other = Files.createDirectories(shm.resolve("somebody-else-" + dead + "-1"));
    old(other);

    try (Transport t =
        Transport.start(
            TransportSettings.defaults().withDriver(TransportSettings.DriverMode.EMBEDDED, shm))) {
      assertThat(stale.getParent()).as("a dead process's directory").doesNotExist();
      assertThat(live).as("this process's").exists();
      assertThat(foreign).as("a name without a pid").exists();
      assertThat(other).as("not Agon's").exists();
      assertThat(Path.of(t.aeronDir()).getParent().getFileName().toString())
          .startsWith("agon-aeron-" + ProcessHandle.current().pid() + "-");
    }
  }

  /** Dates {@code dir} a minute back: a directory younger than that may be a driver starting. */
  private static void old(Path dir) throws Exception {
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minusSeconds(120)));
  }
}
