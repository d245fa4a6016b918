package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Includes resolve relative to the including file however the experiment file was named, and one
 * that names no file is refused; numbers beyond a double's range are config problems.
 */
class IncludeAndRangeTest {
  @TempDir Path dir;

  @Test
  void aMisspelledIncludeIsRefusedNamingTheFileAndLine() throws Exception {
    Path file = Problems.write(dir, "exp.conf", "schedule.k = 1", "include \"bsae.conf\"");
    Files.writeString(dir.resolve("base.conf"), "schedule.k = 2\n");
    List<String> problems = Problems.of(file);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith(file + ":2: ").contains("bsae.conf");
  }

  @Test
  void aMissingIncludeInAnIncludedFileNamesThatFile() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    Path file = Problems.write(dir, "exp.conf", "include \"sub/base.conf\"");
    Path base = Problems.write(sub, "base.conf", "", "", "include \"nothing-here.conf\"");
    List<String> problems = Problems.of(file);
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith(base + ":3: ").contains("nothing-here.conf");
  }

  @Test
  void includesResolveRelativeToTheIncludingFile() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    Path file = Problems.write(dir, "exp.conf", "include \"sub/base.conf\"");
    Problems.write(sub, "base.conf", "include \"k.conf\"", "schedule.staleness = 2");
    Problems.write(sub, "k.conf", "schedule.k = 3");
    AgonConfig c = ConfigLoader.load(java.util.Optional.of(file), List.of()).config();
    assertThat(c.schedule().k()).isEqualTo(3);
    assertThat(c.schedule().staleness()).isEqualTo(2);
  }

  /**
   * {@code -c exp.conf} and {@code -c ./exp.conf} are the same file, so they include the same: the
   * CLI in a child JVM whose working directory holds the file, since a test cannot change its own.
   */
  @Test
  void aBareFileNameIncludesAsItsPathDoes() throws Exception {
    Problems.write(dir, "exp.conf", "include \"base.conf\"");
    Problems.write(dir, "base.conf", "schedule.k = 0");
    for (String name : List.of("exp.conf", "./exp.conf", dir.resolve("exp.conf").toString())) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("dev.agon.cli.Main");
      cmd.addAll(List.of("config", "check", name));
      Path err = Files.createTempFile(dir, "err", ".txt");
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String stderr = Files.readString(err);
      assertThat(p.exitValue()).as(name + ": " + stderr).isEqualTo(2);
      assertThat(stderr).as(name).contains("base.conf:1: schedule.k: ");
    }
  }

  @Test
  void aNumberBeyondADoubleIsAProblemNamingTheKeyAndWhereItCameFrom() throws Exception {
    assertThat(Problems.of(null, "optim.generator.lr=1e400"))
        .singleElement()
        .asString()
        .startsWith("--set optim.generator.lr=1e400: optim.generator.lr: ")
        .contains("out of range");
    Path file = Problems.write(dir, "exp.conf", "", "data.ring.radius = 1e999");
    assertThat(Problems.of(file))
        .singleElement()
        .asString()
        .startsWith(file + ":2: data.ring.radius: ")
        .contains("out of range");
  }
}
