package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.config.ConfigLoader;
import dev.agon.config.ConfigReference;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agon config show|keys} as a user runs them: {@link Main#main} in a child JVM, so what is
 * checked is what reaches the real standard output before {@code System.exit} (CliRunner's
 * autoflush writers would hide output that is never flushed). The output is checked against what
 * the README's "Configuration reference" says.
 */
class ConfigCommandTest {
  @TempDir Path tmp;

  record Agon(int status, String out, String err) {}

  /** {@code agon args} through {@code Main.main} in a child JVM on the test's classpath. */
  private Agon agon(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.agon.cli.Main");
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("agon " + String.join(" ", args) + " hung for 120 s");
    }
    return new Agon(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String readme() throws IOException {
    return Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
  }

  /** The README's reference block, without its marker lines. */
  private static String readmeReference() throws IOException {
    String readme = readme();
    int begin = readme.indexOf(ConfigReference.BEGIN);
    int end = readme.indexOf(ConfigReference.END);
    assertThat(begin).as("README reference block").isPositive().isLessThan(end);
    return readme.substring(begin + ConfigReference.BEGIN.length() + 1, end);
  }

  /** Key -> default cell of each row of the README's reference table, in order. */
  private static Map<String, String> readmeDefaults() throws IOException {
    Pattern row = Pattern.compile("^\\| `([^`]+)` \\| [^|]+ \\| `([^`]*)` \\|");
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String line : readmeReference().lines().toList()) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        defaults.put(m.group(1), m.group(2));
      }
    }
    return defaults;
  }

  @Test
  void configKeysPrintsTheReadmeReference() throws Exception {
    Agon r = agon("config", "keys");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(readmeReference()).isEqualTo(ConfigReference.markdown());
  }

  @Test
  void configShowPrintsTheResolvedDefaultsTheReadmeDocuments() throws Exception {
    Agon r = agon("config", "show");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    // The resolved configuration, byte for byte what a run saves as config.conf.
    assertThat(r.out())
        .isEqualTo(ConfigLoader.load(Optional.empty(), List.of()).rendered())
        .contains("name = \"fashion-mnist-dcgan\"");
    // Every key of the README's reference, with the default the README gives it, and no other.
    Config shown = ConfigFactory.parseString(r.out());
    Map<String, String> defaults = readmeDefaults();
    assertThat(defaults).as("README reference rows").isNotEmpty();
    Map<String, Object> expected = new LinkedHashMap<>();
    Map<String, Object> actual = new LinkedHashMap<>();
    for (var e : defaults.entrySet()) {
      expected.put(e.getKey(), normal(ConfigFactory.parseString("v = " + e.getValue()), "v"));
      actual.put(e.getKey(), shown.hasPath(e.getKey()) ? normal(shown, e.getKey()) : "(missing)");
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(shown.entrySet()).hasSize(defaults.size());
  }

  @Test
  void configShowPrintsFileAndOverrides() throws Exception {
    Agon r = agon("config", "show", "-c", "config/ring.conf", "--set", "schedule.k=3");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).as("printed config").isNotBlank();
    Config shown = ConfigFactory.parseString(r.out());
    assertThat(shown.getString("data.kind")).isEqualTo("ring");
    assertThat(shown.getInt("schedule.k")).isEqualTo(3);
  }

  /** A value compared by meaning: numbers by value (1e-3 = 0.001), lists element by element. */
  private static Object normal(Config c, String key) {
    return normal(c.getValue(key).unwrapped());
  }

  private static Object normal(Object v) {
    if (v instanceof Number n) {
      return new BigDecimal(n.toString()).stripTrailingZeros();
    }
    if (v instanceof List<?> l) {
      return l.stream().map(ConfigCommandTest::normal).toList();
    }
    return v;
  }

  @Test
  void subcommandsAnswerHelp() {
    for (String sub : new String[] {"check", "show", "keys"}) {
      CliRunner r = CliRunner.run("config", sub, "--help");
      assertThat(r.status()).as(sub + ": " + r.err()).isZero();
      assertThat(r.out()).as(sub).startsWith("Usage: agon config " + sub);
      assertThat(r.err()).as(sub).isEmpty();
    }
  }

  @Test
  void trainHelpNamesTheDefaultExperiment() {
    CliRunner r = CliRunner.run("train", "--help");
    assertThat(r.status()).isZero();
    String defaultName = ConfigLoader.load(Optional.empty(), List.of()).config().run().name();
    assertThat(defaultName).isEqualTo("fashion-mnist-dcgan");
    String help = r.out().replaceAll("\\s+", " ");
    assertThat(help).contains("Without options: " + defaultName).doesNotContain("ring experiment");
  }
}
