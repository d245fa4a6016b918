package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.config.ConfigProblemException;
import dev.agon.config.Problem;
import dev.agon.nn.ConvKernels;
import dev.agon.nn.KernelChoice;
import dev.agon.util.Nd4jVariant;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Set;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code agon} command line. */
@Command(
    name = "agon",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Actor-based asynchronous GAN training engine.",
    subcommands = {
      TrainCommand.class,
      SampleCommand.class,
      ConfigCommand.class,
      BenchCommand.class,
      ClassifierCommand.class,
      EvalCommand.class,
      CtlCommand.class,
      NodeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status of bad input: a config problem, a missing file, a bad argument. */
  public static final int EXIT_USAGE = 2;

  /** Exit status of an internal failure (details in the run's agon.log). */
  public static final int EXIT_FAILURE = 1;

  /**
   * Exit status of a run that gave up: it diverged or an actor failed more often than {@code guard}
   * allows. Restarting it as it is would fail again, so supervisors should not.
   */
  public static final int EXIT_GAVE_UP = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Commands that compute with ND4J; the others (config, ctl, help, --version) never load it. */
  private static final Set<String> ND4J_COMMANDS =
      Set.of("train", "sample", "bench", "classifier", "eval", "node");

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int status;
    try {
      String problem = args.length > 0 && ND4J_COMMANDS.contains(args[0]) ? nd4jProblem() : null;
      if (problem != null) {
        err.println("error: " + problem);
        status = EXIT_USAGE;
      } else {
        status = execute(args, out, err);
      }
    } finally {
      // Autoflush covers println only: a command that ends with print() (config show, keys)
      // would otherwise lose its output to System.exit.
      out.flush();
      err.flush();
    }
    System.exit(status);
  }

  /** Runs the command line with the given streams and returns the exit status. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    // The kernel-choosing JVM options, before any command: a typo exits 2 here instead of failing
    // inside an actor (or, for config check, passing unnoticed).
    String jvmOption = ConvKernels.propertyProblem();
    if (jvmOption == null) {
      jvmOption = KernelChoice.problem();
    }
    if (jvmOption != null) {
      err.println("error: " + jvmOption);
      err.flush();
      return EXIT_USAGE;
    }
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    // A flag or value picocli cannot parse: one error line naming the help to read, no usage dump.
    cl.setParameterExceptionHandler(
        (e, unused) -> {
          CommandLine c = e.getCommandLine();
          c.getErr()
              .println(
                  "error: "
                      + e.getMessage()
                      + " (see: "
                      + c.getCommandSpec().qualifiedName(" ")
                      + " --help)");
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter w = commandLine.getErr();
          if (e instanceof ConfigProblemException p) {
            for (Problem problem : p.problems()) {
              w.println("error: " + problem.line());
            }
            return EXIT_USAGE;
          }
          String usage = usageMessage(e);
          if (usage != null) {
            w.println("error: " + usage);
            return EXIT_USAGE;
          }
          LoggerFactory.getLogger(Main.class).error("command failed", e);
          w.println("error: " + e.getMessage());
          return EXIT_FAILURE;
        });
    return cl.execute(args);
  }

  /**
   * Loads ND4J's native build now, before the command writes anything, and says why it is not the
   * variant {@code ./agon} asked for (or cannot load at all), or null. The commands that call this
   * load ND4J anyway, so it costs nothing extra (about 0.35 s; the first start of a build unpacks
   * it into ~/.javacpp/cache, about 2 s).
   */
  private static String nd4jProblem() {
    String variant = Nd4jVariant.requested();
    try {
      Nd4j.getExecutioner(); // loads the backend: JavaCPP picks the build here
      return Nd4jVariant.problem(
          variant, NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo());
    } catch (LinkageError | RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return "ND4J variant "
          + variant
          + " cannot load ("
          + root
          + "); choose another with AGON_ND4J_VARIANT=default|onednn|onednn-avx2|onednn-avx512|onednn-auto";
    }
  }

  /** The one-line message of an error the user can fix, or null for an internal failure. */
  private static String usageMessage(Exception e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof UserException
        || t instanceof CheckpointException
        || t instanceof dev.agon.data.DatasetException
        || t instanceof dev.agon.util.WriteFailedException) {
      return t.getMessage();
    }
    if (t instanceof NoSuchFileException n) {
      return "file not found: " + n.getFile();
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Bad input the user can fix: reported as one line, exit status 2. */
  public static final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"agon " + (v == null ? "(development build)" : v)};
    }
  }
}
