package dev.agon.cli;

import dev.agon.bench.StepsBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agon bench}: performance measurements. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Performance benchmarks.",
    subcommands = {BenchCommand.Steps.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code agon bench steps}: D/G step times and the engine's overhead over the plain loop. */
  @Command(
      name = "steps",
      mixinStandardHelpOptions = true,
      description = {
        "Median D-step and G-step times and wall time per iteration (k = 1) of the plain",
        "single-threaded loop and of the actor engine (staleness 0), measured back to back in",
        "this JVM, alternating for --rounds rounds; engine/plain is the engine's overhead."
      })
  static final class Steps implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--cases",
        split = ",",
        paramLabel = "CASE",
        description = "Cases to run, comma-separated (default: ${DEFAULT-VALUE}).",
        defaultValue = "ring,mlp784-b64,mlp784-b256,default")
    List<String> cases = new ArrayList<>();

    @Option(
        names = "--warmup",
        paramLabel = "N",
        description =
            "Unmeasured iterations at the start of every run (default: ${DEFAULT-VALUE}).",
        defaultValue = "10")
    int warmup;

    @Option(
        names = "--iterations",
        paramLabel = "N",
        description = "Measured iterations per run (default: ${DEFAULT-VALUE}).",
        defaultValue = "50")
    int iterations;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description =
            "Plain/engine pairs per case; the table shows medians over rounds"
                + " (default: ${DEFAULT-VALUE}).",
        defaultValue = "3")
    int rounds;

    @Option(
        names = "--staleness",
        split = ",",
        paramLabel = "S",
        description =
            "Also run the engine with these staleness bounds (>= 1), e.g. 1,2: G updates per"
                + " second beside the synchronous engine's.")
    List<Integer> staleness = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Override
    public Integer call() throws IOException, InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (warmup < 1 || iterations < 1 || rounds < 1) {
        throw new Main.UserException("--warmup, --iterations and --rounds must be >= 1");
      }
      if (staleness.stream().anyMatch(x -> x < 1 || x > 100)) {
        throw new Main.UserException("--staleness values must be in [1, 100]");
      }
      for (String c : cases) {
        if (!StepsBench.caseNames().contains(c)) {
          throw new Main.UserException(
              "unknown case '" + c + "'; known: " + String.join(", ", StepsBench.caseNames()));
        }
      }
      Map<String, String> env = environment();
      out.println("agon bench steps: " + env);
      out.flush();
      StepsBench bench = new StepsBench(warmup, iterations, rounds);
      List<StepsBench.CaseResult> results = new ArrayList<>();
      for (String c : cases) {
        results.add(
            bench.run(
                c,
                line -> {
                  err.println(line);
                  err.flush();
                },
                staleness));
      }
      out.println();
      out.printf(
          "k = 1, staleness 0; %d warm-up + %d measured iterations per run, %d rounds"
              + " (plain, engine alternating); medians over rounds%n%n",
          warmup, iterations, rounds);
      out.print(StepsBench.markdown(results));
      out.printf("%nAllocated per iteration (measured iterations), medians over rounds%n%n");
      out.print(StepsBench.allocationMarkdown(results));
      if (!staleness.isEmpty()) {
        out.printf("%nG updates per second (k = 1), medians over rounds%n%n");
        out.print(StepsBench.throughputMarkdown(results));
      }
      out.flush();
      if (json != null) {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(json, bench.json(results, env) + "\n", StandardCharsets.UTF_8);
      }
      return 0;
    }

    private static Map<String, String> environment() {
      Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
      Map<String, String> m = new LinkedHashMap<>();
      m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      m.put("max_heap_mib", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
      m.put("nd4j_backend", String.valueOf(p.get("backend")));
      m.put("blas_vendor", String.valueOf(p.get("blas.vendor")));
      m.put("blas_threads", String.valueOf(p.get("blas.threads")));
      m.put("omp_threads", String.valueOf(p.get("omp.threads")));
      m.put("cores", String.valueOf(p.get("cores")));
      m.put("OMP_WAIT_POLICY", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
      return m;
    }
  }
}
