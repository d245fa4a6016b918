package dev.agon.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What decides the rounding of this process's floats besides the code and the seed: the ND4J
 * release and native build, the CPU's vector extensions (oneDNN and OpenBLAS pick kernels by them
 * at run time), the OpenBLAS kernel forced by {@code OPENBLAS_CORETYPE} and the OpenMP thread
 * count. A seeded synchronous run is bit-identical only between processes that agree on all of
 * them. Checkpoints record it, so that a resume on other numerics is said rather than silently
 * breaking "a resumed run continues exactly as an uninterrupted one". Reading it costs a file read
 * and a few property lookups; it is read once per process.
 */
public final class Numerics {
  private Numerics() {}

  /** Key of the ND4J native build ({@link Nd4jVariant#requested()}). */
  public static final String BUILD = "nd4j_build";

  /** Key of the CPU's widest vector extension. */
  public static final String CPU = "cpu";

  private static volatile Map<String, String> current;

  /**
   * This process's numerics as ordered key/value strings: {@code nd4j} (release), {@value #BUILD},
   * {@code conv_kernels} (the {@code agon.nn.conv} override of {@code nn.ConvKernels}), {@value
   * #CPU} ({@code avx512}, {@code avx2}, {@code sse} or the architecture), {@code
   * openblas_coretype} ({@code auto} when unset) and {@code omp_threads}. Loads the ND4J backend.
   */
  public static Map<String, String> current() {
    Map<String, String> m = current;
    if (m == null) {
      m = new LinkedHashMap<>();
      m.put("nd4j", nd4jRelease());
      m.put(BUILD, Nd4jVariant.requested());
      m.put("conv_kernels", System.getProperty("agon.nn.conv", "auto").strip());
      m.put(CPU, cpu());
      String core = System.getenv("OPENBLAS_CORETYPE");
      m.put("openblas_coretype", core == null || core.isBlank() ? "auto" : core.strip());
      m.put("omp_threads", Integer.toString(Nd4j.getEnvironment().maxThreads()));
      m = Collections.unmodifiableMap(m);
      current = m;
    }
    return m;
  }

  /**
   * The keys in which {@code recorded} differs from {@code now}, as {@code "key old -> new"}; keys
   * only one side has count too (a newer Agon may record more). Empty when {@code recorded} is
   * empty: a checkpoint from before numerics were recorded gives nothing to compare.
   */
  public static List<String> differences(Map<String, String> recorded, Map<String, String> now) {
    List<String> out = new ArrayList<>();
    if (recorded.isEmpty()) {
      return out;
    }
    Map<String, String> keys = new LinkedHashMap<>(now);
    recorded.forEach(keys::putIfAbsent);
    for (String k : keys.keySet()) {
      String was = recorded.getOrDefault(k, "(unrecorded)");
      String is = now.getOrDefault(k, "(unrecorded)");
      if (!was.equals(is)) {
        out.add(printable(k) + " " + printable(was) + " -> " + printable(is));
      }
    }
    return out;
  }

  /**
   * {@code s} as one short line: a manifest is a file anyone can edit, and the warning quoting it
   * must stay one line on the terminal. Control characters become '?', and past 64 characters the
   * rest is cut to "...".
   */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 64; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.length() < s.length() ? b + "..." : b.toString();
  }

  /**
   * The warning for resuming {@code checkpoint} under other numerics, or null when they agree (or
   * the checkpoint recorded none).
   */
  public static String resumeWarning(
      String checkpoint, Map<String, String> recorded, Map<String, String> now) {
    List<String> diff = differences(recorded, now);
    if (diff.isEmpty()) {
      return null;
    }
    String build = recorded.get(BUILD);
    // only a build ./agon knows is worth naming
    boolean sameBuild =
        build == null || build.equals(now.get(BUILD)) || !Nd4jVariant.BUILDS.contains(build);
    return "checkpoint "
        + checkpoint
        + " was computed with other numerics ("
        + String.join("; ", diff)
        + "): training continues from it, but may not be bit-identical to an uninterrupted run"
        + (sameBuild
            ? "; resume with the checkpoint's settings for that"
            : "; AGON_ND4J_VARIANT=" + build + " resumes on its build");
  }

  /** The nd4j-native release from its Maven metadata (kept in the shaded jar), or "unknown". */
  private static String nd4jRelease() {
    try (InputStream in =
        Numerics.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-native/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The widest vector extension /proc/cpuinfo lists, or the JVM's architecture elsewhere. */
  private static String cpu() {
    try {
      String flags = "";
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          flags = " " + line.substring(line.indexOf(':') + 1).strip() + " ";
          break;
        }
      }
      if (flags.contains(" avx512f ")) {
        return "avx512";
      }
      if (flags.contains(" avx2 ")) {
        return "avx2";
      }
      if (!flags.isBlank()) {
        return "sse";
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or unreadable: the architecture is all we know
    }
    return System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
  }
}
