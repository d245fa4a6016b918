package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./agon} launcher, run from a copy of it whose {@code mvn} and {@code java} are
 * stand-ins on PATH: the stand-in build takes a while and logs when it starts and ends, so two
 * launchers started at once on stale sources show whether their builds overlap (two Maven builds
 * writing one target/agon.jar corrupt it).
 */
class LauncherTest {
  @TempDir Path tmp;

  @Test
  void twoLaunchersOnStaleSourcesBuildOnceAndBothRun() throws Exception {
    Path root = tmp.resolve("agon");
    Files.createDirectories(root.resolve("tools"));
    Files.createDirectories(root.resolve("src/main"));
    Files.copy(Path.of("agon"), root.resolve("agon"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(Path.of("tools/coretype.sh"), root.resolve("tools/coretype.sh"));
    Files.copy(Path.of("tools/nd4j-variant.sh"), root.resolve("tools/nd4j-variant.sh"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.writeString(root.resolve("src/main/Source.java"), "class Source {}");
    Path log = tmp.resolve("build.log");
    Path bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    // A build that takes a second (the work simulated) and writes the jar in two steps.
    script(
        bin.resolve("mvn"),
        "echo start >> " + log,
        "mkdir -p target",
        "printf half > target/agon.jar",
        "sleep 1",
        "printf jar > target/agon.jar",
        "echo end >> " + log);
    // A JVM that prints the jar it was given.
    script(bin.resolve("java"), "while [ \"$1\" != -jar ]; do shift; done", "cat \"$2\"");

    List<Process> launchers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder pb = new ProcessBuilder(root.resolve("agon").toString(), "--version");
      pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
      pb.environment().remove("AGON_JAR");
      pb.redirectErrorStream(true);
      launchers.add(pb.start());
    }
    for (Process p : launchers) {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.exitValue()).as(out).isZero();
      // Each ran the finished jar, not the half-written one.
      assertThat(out).endsWith("jar").doesNotContain("half");
    }
    assertThat(Files.readAllLines(log))
        .as("one build at a time, and the second launcher finds the jar fresh")
        .containsExactly("start", "end");
  }

  private static void script(Path file, String... lines) throws Exception {
    Files.writeString(file, "#!/usr/bin/env bash\nset -eu\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
