package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AGON_ND4J_VARIANT} in the {@code ./agon} launcher (tools/nd4j-variant.sh), run from a copy
 * with a stand-in {@code java} on PATH that prints its arguments, against a pinned jar ({@code
 * AGON_JAR}) with the oneDNN jars beside it in native/, and a fake /proc/cpuinfo ({@code
 * AGON_CPUINFO}). Bad input is refused before any JVM starts: exit 2, one {@code error:} line
 * naming the variant and how to choose another, nothing written.
 */
class Nd4jVariantLauncherTest {
  private static final String AVX512 =
      "flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl\n";
  private static final String AVX2 = "flags\t\t: fpu sse sse2 avx avx2 fma\n";
  private static final String SSE = "flags\t\t: fpu sse sse2\n";

  @TempDir Path tmp;
  private Path root;
  private Path dist;
  private Path bin;

  @BeforeEach
  void launcherCopy() throws IOException {
    root = tmp.resolve("agon");
    Files.createDirectories(root.resolve("tools"));
    Files.copy(Path.of("agon"), root.resolve("agon"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String f : new String[] {"coretype.sh", "nd4j-variant.sh"}) {
      Files.copy(Path.of("tools", f), root.resolve("tools").resolve(f));
    }
    dist = tmp.resolve("dist");
    Files.createDirectories(dist.resolve("native"));
    Files.writeString(dist.resolve("agon.jar"), "jar");
    for (String v : new String[] {"onednn", "onednn-avx2", "onednn-avx512"}) {
      Files.writeString(dist.resolve("native/nd4j-native-linux-x86_64-" + v + ".jar"), v);
    }
    bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/usr/bin/env bash\necho \"java $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String[] cpu : new String[][] {{"avx512", AVX512}, {"avx2", AVX2}, {"sse", SSE}}) {
      Files.writeString(tmp.resolve("cpuinfo-" + cpu[0]), cpu[1]);
    }
  }

  private record Run(int status, String stdout, String stderr) {}

  private Run launch(String variant, String cpu) throws Exception {
    return launch(variant, cpu, null);
  }

  private Run launch(String variant, String cpu, String javaOpts) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("agon").toString(), "--version");
    Map<String, String> env = pb.environment();
    if (javaOpts == null) {
      env.remove("AGON_JAVA_OPTS");
    } else {
      env.put("AGON_JAVA_OPTS", javaOpts);
    }
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("AGON_JAR", dist.resolve("agon.jar").toString());
    env.put("AGON_CPUINFO", tmp.resolve("cpuinfo-" + cpu).toString());
    env.remove("OPENBLAS_CORETYPE");
    if (variant == null) {
      env.remove("AGON_ND4J_VARIANT");
    } else {
      env.put("AGON_ND4J_VARIANT", variant);
    }
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
    return new Run(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes()),
        new String(p.getErrorStream().readAllBytes()));
  }

  /** Every file under the temp dir with its size and modification time. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(tmp)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        m.put(
            tmp.relativize(p).toString(),
            Files.isDirectory(p) ? "dir" : Files.size(p) + "@" + Files.getLastModifiedTime(p));
      }
    }
    return m;
  }

  private void refused(String variant, String cpu, String... mentions) throws Exception {
    Map<String, String> before = snapshot();
    Run r = launch(variant, cpu);
    assertThat(r.status()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stdout()).as("no JVM started").isEmpty();
    assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSize(1);
    assertThat(r.stderr())
        .startsWith("error: ")
        .contains("AGON_ND4J_VARIANT=" + variant)
        .contains("AGON_ND4J_VARIANT=default")
        .contains(mentions);
    assertThat(snapshot()).as("nothing written").isEqualTo(before);
  }

  @Test
  void anUnknownVariantIsRefused() throws Exception {
    refused("onednn-avx1024", "avx512", "unknown");
  }

  @Test
  void avx512OnACpuWithoutAvx512IsRefusedBeforeTheJvmStarts() throws Exception {
    refused("onednn-avx512", "avx2", "avx512f");
  }

  @Test
  void avx2OnACpuWithoutAvx2IsRefusedBeforeTheJvmStarts() throws Exception {
    refused("onednn-avx2", "sse", "avx2");
  }

  @Test
  void aVariantWhoseJarIsMissingIsRefused() throws Exception {
    Files.delete(dist.resolve("native/nd4j-native-linux-x86_64-onednn.jar"));
    refused("onednn", "avx512", "native/nd4j-native-linux-x86_64-onednn.jar");
  }

  @Test
  void aChosenVariantReachesTheJvmAsJavaCppsPlatformExtension() throws Exception {
    Run r = launch("onednn-avx512", "avx512");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("-Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512")
        .contains(
            "-cp "
                + dist.resolve("agon.jar")
                + ":"
                + dist.resolve("native/nd4j-native-linux-x86_64-onednn-avx512.jar")
                + " dev.agon.cli.Main --version");
    r = launch("onednn", "sse");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("-Dorg.bytedeco.javacpp.platform.extension=-onednn ");
  }

  @Test
  void onednnAutoPicksTheBestOneDnnBuildForTheCpu() throws Exception {
    for (String[] c :
        new String[][] {{"avx512", "onednn-avx512"}, {"avx2", "onednn-avx2"}, {"sse", "onednn"}}) {
      Run r = launch("onednn-auto", c[0]);
      assertThat(r.status()).as(r.stderr()).isZero();
      assertThat(r.stdout())
          .as(c[0])
          .contains("-Dorg.bytedeco.javacpp.platform.extension=-" + c[1] + " ")
          .contains("native/nd4j-native-linux-x86_64-" + c[1] + ".jar ");
    }
  }

  @Test
  void defaultJvmOptionsTrimTheNativeHeapAndAgonJavaOptsReplacesThem() throws Exception {
    // The plain build's layers keep Java copies: 2 GiB; a oneDNN build's do not: 768 MiB.
    Run r = launch("default", "avx2");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .startsWith(
            "java -Xmx2g -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=10000 ");
    r = launch("onednn-avx2", "avx2");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .startsWith(
            "java -Xmx768m -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=10000 ");
    r = launch("default", "avx2", "-Xmx3g");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout()).startsWith("java -Xmx3g ").doesNotContain("TrimNativeHeap");
  }

  @Test
  void defaultRunsThePlainBuildInTheJar() throws Exception {
    Run r = launch("default", "avx512");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .doesNotContain("platform.extension")
        .doesNotContain("native/")
        .contains("-jar " + dist.resolve("agon.jar"));
  }

  @Test
  void unsetRunsTheOneDnnBuildForTheCpu() throws Exception {
    for (String v : new String[] {null, ""}) {
      for (String[] c :
          new String[][] {
            {"avx512", "onednn-avx512"}, {"avx2", "onednn-avx2"}, {"sse", "onednn"}
          }) {
        Run r = launch(v, c[0]);
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout())
            .as(v + " on " + c[0])
            .contains("-Dorg.bytedeco.javacpp.platform.extension=-" + c[1] + " ")
            .contains("native/nd4j-native-linux-x86_64-" + c[1] + ".jar ");
      }
    }
  }

  @Test
  void unsetWithoutTheOneDnnJarRunsThePlainBuild() throws Exception {
    Files.delete(dist.resolve("native/nd4j-native-linux-x86_64-onednn-avx2.jar"));
    Run r = launch(null, "avx2");
    assertThat(r.status()).as(r.stderr()).isZero();
    assertThat(r.stderr()).isEmpty();
    assertThat(r.stdout())
        .doesNotContain("platform.extension")
        .contains("-jar " + dist.resolve("agon.jar"));
    // chosen by name, a missing jar is still refused
    refused("onednn-avx2", "avx2", "native/nd4j-native-linux-x86_64-onednn-avx2.jar");
  }
}
