package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.BestCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of generated bad inputs (malformed configs, IDX files, damaged checkpoints): every case
 * must end within a time limit with exit status 2 and {@code error:} lines on stderr, never a stack
 * trace, and must leave no partial output (no run directory for bad configs and data, no samples
 * file and no change to the run directory for a damaged checkpoint).
 */
class BadInputCorpusTest {
  @TempDir static Path shared;
  static Path good;

  /** The good run's settings beside config/ring.conf; a resume of it repeats them. */
  static final List<String> GOOD =
      List.of(
          "schedule.batch-size=8",
          "stabilizers.historical-averaging.generator-weight=0.1",
          "stabilizers.generator-ema.enabled=true",
          "eval.samples=50");

  /** One short run whose checkpoint every checkpoint case damages a copy of. */
  @BeforeAll
  static void trainOnce() {
    good = shared.resolve("good");
    List<String> sets = new ArrayList<>(GOOD);
    sets.add("schedule.iterations=3");
    CliRunner r = CliRunner.train(good, "config/ring.conf", sets.toArray(String[]::new));
    assertThat(r.status()).as(r.err()).isZero();
  }

  /**
   * {@code agon train --config config/ring.conf --run d/run --quiet} and {@code args}: each one
   * that starts with {@code --} as it is, each other one as {@code --set} of that key=value.
   */
  static String[] ringTrain(Path d, List<String> args) {
    List<String> cmd =
        new ArrayList<>(
            List.of("train", "--config", "config/ring.conf", "--run", d.resolve("run").toString()));
    cmd.add("--quiet");
    for (String a : args) {
      if (!a.startsWith("--")) {
        cmd.add("--set");
      }
      cmd.add(a);
    }
    return cmd.toArray(String[]::new);
  }

  /** The good run's settings, then {@code more}. */
  static List<String> good(String... more) {
    List<String> all = new ArrayList<>(GOOD);
    all.addAll(List.of(more));
    return all;
  }

  record Case(String name, String kind, Object input) {
    @Override
    public String toString() {
      return kind + ": " + name;
    }
  }

  static Stream<Arguments> corpus() {
    List<Case> cases = new ArrayList<>();
    configs(cases);
    idx(cases);
    checkpoints(cases);
    runDirectories(cases);
    impossibleConfigs(cases);
    outputs(cases);
    tokenFiles(cases);
    configChanges(cases);
    checkpointChoice(cases);
    bestStep(cases);
    ctlArguments(cases);
    nodes(cases);
    flagValues(cases);
    distributedRuns(cases);
    udpDataPlane(cases);
    ctlStatus(cases);
    jvmOptions(cases);
    serviceRolesOverUdp(cases);
    convergence(cases);
    spectralNorm(cases);
    labels(cases);
    semiSupervised(cases);
    infoGan(cases);
    conditional(cases);
    packing(cases);
    return cases.stream().map(c -> Arguments.of(c));
  }

  /**
   * Hostile cases of the data-loader and evaluator roles over UDP (issue 14): their nodes' data
   * ports, and where an evaluator node writes its plots ({@code --plots}, on its own host). All
   * refused before the node joins, except the unreachable seed (after the 2 s join timeout), which
   * must not have created the plots directory.
   */
  private static void serviceRolesOverUdp(List<Case> cases) {
    String udp = "cluster.transport=udp";
    cli(
        cases,
        "udp data-loader node with its data port in use",
        d -> {},
        d ->
            node(
                "--set",
                udp,
                "--role",
                "data-loader",
                "--data-port",
                Integer.toString(heldUdpPort())));
    cli(
        cases,
        "udp evaluator node with a data port that is no number",
        d -> {},
        d ->
            node(
                "--set", udp, "--role", "evaluator", "--plots", d.toString(), "--data-port", "-1"));
    cli(
        cases,
        "udp evaluator node with eval.plots and no --plots",
        d -> {},
        d -> node("--set", udp, "--role", "evaluator"));
    cli(
        cases,
        "udp evaluator node whose --plots is a regular file",
        d -> write(d.resolve("plots"), new byte[] {'x'}),
        d -> node("--set", udp, "--role", "evaluator", "--plots", d.resolve("plots").toString()));
    cli(
        cases,
        "--plots on a generator node",
        d -> {},
        d -> node("--set", udp, "--role", "generator", "--plots", d.resolve("plots").toString()));
    cli(
        cases,
        "--plots on an evaluator node over ipc",
        d -> {},
        d -> node("--role", "evaluator", "--plots", d.resolve("plots").toString()));
    cli(
        cases,
        "--plots on the coordinator node holding the evaluator",
        d -> {},
        d ->
            node(
                "--set",
                udp,
                "--role",
                "coordinator,evaluator",
                "--plots",
                d.resolve("plots").toString(),
                "--run",
                d.resolve("run").toString()));
    cli(
        cases,
        "udp evaluator node with --plots and an unreachable seed",
        d -> {},
        d -> node("--set", udp, "--role", "evaluator", "--plots", d.resolve("plots").toString()));
  }

  /** Hostile cases of gradient penalties, learning-rate schedules and packing (issue 17). */
  private static void convergence(List<Case> cases) {
    String[][] located = {
      // text of bad.conf, where the error must point: "line: key"
      {"objective.r1-gamma = -1", "1: objective.r1-gamma"},
      {"objective.r2-gamma = 1e400", "1: objective.r2-gamma"},
      {"objective.r1-gamma = NaN", "1: objective.r1-gamma"},
      {"objective.lazy-every = 0", "1: objective.lazy-every"},
      {"objective.lazy-every = 8", "1: objective.lazy-every"},
      // the default D (dcgan) has batch norm; goodfellow2014's has dropout; ring's is tanh
      {"objective.r1-gamma = 10", "1: objective.r1-gamma"},
      {"model.architecture = goodfellow2014\nobjective.r2-gamma = 1", "2: objective.r2-gamma"},
      {
        "include \"" + Path.of("config/ring.conf").toAbsolutePath() + "\"\nobjective.r1-gamma = 1",
        "2: objective.r1-gamma"
      },
      {"optim.generator.schedule.kind = exponential", "1: optim.generator.schedule.kind"},
      {"optim.generator.schedule = cosine", "1: optim.generator.schedule"},
      {"optim.generator.schedule.kind = linear", "1: optim.generator.schedule.kind"},
      {
        "optim.discriminator.schedule { kind = step, floor = 1 }",
        "1: optim.discriminator.schedule.floor"
      },
      {"optim.generator.schedule.floor = -1", "1: optim.generator.schedule.floor"},
      {
        "optim.generator.schedule { kind = step, factor = 0 }", "1: optim.generator.schedule.factor"
      },
      {
        "optim.generator.schedule { kind = step, factor = 1.5 }",
        "1: optim.generator.schedule.factor"
      },
      {"optim.generator.schedule { kind = step, every = 0 }", "1: optim.generator.schedule.every"},
      {
        "optim.generator.schedule { kind = cosine, updates = -5 }",
        "1: optim.generator.schedule.updates"
      },
      {"optim.generator.schedule.every = 10", "1: optim.generator.schedule.every"},
      {
        "stabilizers.historical-averaging.window = -1", "1: stabilizers.historical-averaging.window"
      },
      {
        "stabilizers.historical-averaging.window = two",
        "1: stabilizers.historical-averaging.window"
      },
      {
        "stabilizers.historical-averaging.window = 2.5",
        "1: stabilizers.historical-averaging.window"
      },
      {
        "stabilizers.historical-averaging.window = [3]",
        "1: stabilizers.historical-averaging.window"
      },
      {
        "stabilizers.historical-averaging.window = 1e30",
        "1: stabilizers.historical-averaging.window"
      },
      // the 2014 recipe (item 6): momentum ramps and the released network choices
      {
        "optim.generator { type = sgd, momentum = 0.5, momentum-ramp { to = 1.0, updates = 5 } }",
        "1: optim.generator.momentum-ramp.to"
      },
      {
        "optim.generator { type = sgd, momentum-ramp { to = -0.1, updates = 5 } }",
        "1: optim.generator.momentum-ramp.to"
      },
      {
        "optim.generator { type = sgd, momentum-ramp.to = 0.7 }",
        "1: optim.generator.momentum-ramp.to"
      },
      {
        "optim.generator { type = sgd, momentum-ramp.start = 10 }",
        "1: optim.generator.momentum-ramp.start"
      },
      {
        "optim.generator.momentum-ramp { to = 0.7, updates = 5 }",
        "1: optim.generator.momentum-ramp.updates"
      },
      {
        "optim.discriminator { type = sgd, momentum = 0.5, nesterov = true,"
            + " momentum-ramp { to = 0, updates = 5 } }",
        "1: optim.discriminator.momentum-ramp.to"
      },
      {
        "optim.discriminator { type = sgd, momentum-ramp { to = 0.7, updates = -5 } }",
        "1: optim.discriminator.momentum-ramp.updates"
      },
      {
        "optim.discriminator { type = sgd, momentum-ramp { to = 0.7, updates = 1e30 } }",
        "1: optim.discriminator.momentum-ramp.updates"
      },
      {"optim.generator { type = sgd, momentum-ramp = 0.7 }", "1: optim.generator.momentum-ramp"},
      {
        "model.goodfellow2014.generator-init-range = -0.05",
        "1: model.goodfellow2014.generator-init-range"
      },
      {
        "model.goodfellow2014.discriminator-init-range = 11",
        "1: model.goodfellow2014.discriminator-init-range"
      },
      {
        "model.goodfellow2014.generator-init-range = wide",
        "1: model.goodfellow2014.generator-init-range"
      },
      {"model.goodfellow2014.unit-pixels = maybe", "1: model.goodfellow2014.unit-pixels"},
      {
        "model.goodfellow2014.output-bias-from-data = true",
        "1: model.goodfellow2014.output-bias-from-data"
      },
      {
        "include \""
            + Path.of("config/ring.conf").toAbsolutePath()
            + "\"\nmodel.architecture = goodfellow2014\n"
            + "model.goodfellow2014 { unit-pixels = true, output-bias-from-data = true }",
        "3: model.goodfellow2014.output-bias-from-data"
      },
    };
    located(cases, located);
    // The good run averages G: a new window on resume changes what its kept mean becomes, so it
    // needs --allow-config-change like any other trained-with value.
    cli(
        cases,
        "resume with a new historical-averaging window, without --allow-config-change",
        goodRun(),
        d ->
            ringTrain(
                d,
                good(
                    "schedule.iterations=5",
                    "metrics.enabled=false",
                    "stabilizers.historical-averaging.window=5")));
  }

  /** A bad experiment file and where its error must point ({@code bad.conf:LINE: key: }). */
  record LocatedConfig(String text, String located) {}

  /** One located-config case per {text, "LINE: key"} pair of {@code located}. */
  private static void located(List<Case> cases, String[][] located) {
    for (String[] c : located) {
      cases.add(
          new Case(
              c[0].replace("\n", " \\n "),
              "located-config",
              new LocatedConfig(c[0], "bad.conf:" + c[1] + ": ")));
    }
  }

  /** Experiment-file texts, each a config case named by its text on one line. */
  private static void configTexts(List<Case> cases, String[] texts) {
    for (String t : texts) {
      cases.add(new Case(t.replace("\n", " \\n "), "config", t));
    }
  }

  /**
   * A resume of the good run with {@code sets} added, even with --allow-config-change: a model key
   * the checkpoint's networks were not built with, refused.
   */
  private static void addedOnResume(List<Case> cases, String what, String... sets) {
    cli(
        cases,
        what + " added on resume",
        goodRun(),
        d ->
            ringTrain(
                d,
                good(
                    Stream.concat(
                            Stream.of(
                                "--allow-config-change",
                                "schedule.iterations=5",
                                "metrics.enabled=false"),
                            Stream.of(sets))
                        .toArray(String[]::new))));
  }

  /** {@link #configCase}, and every refusal names the file, line and key. */
  private void locatedConfigCase(LocatedConfig c) throws Exception {
    configCase(c.text());
    Path f = dir.resolve("bad.conf");
    CliRunner r = run("train", "--config", f.toString(), "--run", dir.resolve("run").toString());
    assertThat(r.err()).contains(c.located());
    assertThat(dir.resolve("run")).doesNotExist();
  }

  // Issue 16: one section per part, each filled by the commit that adds the part's keys.

  /**
   * Hostile cases of spectral normalization (issue 16): {@code model.spectral-norm} of a wrong
   * type, and switched on when resuming a run (its u, v are network state the checkpoint lacks),
   * even with --allow-config-change.
   */
  private static void spectralNorm(List<Case> cases) {
    String[][] located = {
      {"model.spectral-norm = 1", "1: model.spectral-norm"},
      {"model.spectral-norm = \"maybe\"", "1: model.spectral-norm"},
      {"model.spectral-norm = [true]", "1: model.spectral-norm"},
      {"model.spectral-norm { enabled = true }", "1: model.spectral-norm"},
      {"model.spectral-norm = null", "1: model.spectral-norm"},
    };
    located(cases, located);
    cli(
        cases,
        "resume with model.spectral-norm switched on",
        goodRun(),
        d -> ringTrain(d, good("schedule.iterations=6", "model.spectral-norm=true")));
    cli(
        cases,
        "resume with model.spectral-norm switched on and --allow-config-change",
        goodRun(),
        d ->
            ringTrain(
                d,
                good(
                    "schedule.iterations=6", "model.spectral-norm=true", "--allow-config-change")));
    cli(
        cases,
        "--set model.spectral-norm=sometimes",
        d -> {},
        d -> ringTrain(d, good("model.spectral-norm=sometimes")));
  }

  /**
   * Hostile cases of labelled data, {@code data.labels} (issue 16): values of the wrong type or
   * range and labels on a 2-D mixture, refused at their line; data sets without labels or with a
   * class smaller than N, refused naming data.labels (and the class) before a run directory exists;
   * a resume that changes the label draw.
   */
  private static void labels(List<Case> cases) {
    String ring = "include \"" + Path.of("config/ring.conf").toAbsolutePath() + "\"\n";
    String[][] located = {
      {"data.labels = 0", "1: data.labels"},
      {"data.labels = -5", "1: data.labels"},
      {"data.labels = 2.5", "1: data.labels"},
      {"data.labels = 99999999999", "1: data.labels"},
      {"data.labels = lots", "1: data.labels"},
      {"data.labels = \"\"", "1: data.labels"},
      {"data.labels = [10]", "1: data.labels"},
      {"data.labels { n = 10 }", "1: data.labels"},
      {"data.labels = null", "1: data.labels"},
      {"data.label-seed = first", "1: data.label-seed"},
      {"data.label-seed = 1.5", "1: data.label-seed"},
      {ring + "data.labels = all", "2: data.labels"},
      {ring + "data.kind = grid\ndata.labels = 10", "3: data.labels"},
    };
    located(cases, located);
    byte[] images = idx(0x803, 20, 28, 28, 20 * 784);
    byte[] tenEach = new byte[8 + 20];
    ByteBuffer.wrap(tenEach).putInt(0x801).putInt(20);
    for (int i = 0; i < 20; i++) {
      tenEach[8 + i] = (byte) (i % 2);
    }
    labelsData(
        cases,
        "idx without a labels file",
        d -> writeMaking(d.resolve("idx/t10k-images-idx3-ubyte"), images),
        "idx",
        "idx",
        "2",
        "data.labels = 2 needs labels, but idx/test has none");
    labelsData(
        cases,
        "idx labels per class above what a class holds",
        d -> {
          writeMaking(d.resolve("idx/t10k-images-idx3-ubyte"), images);
          writeMaking(d.resolve("idx/t10k-labels-idx1-ubyte"), tenEach);
        },
        "idx",
        "idx",
        "11",
        "data.labels = 11 per class is more than class 0 of idx/test holds (10 images");
    labelsData(
        cases,
        "npy has no labels",
        d -> npy(d.resolve("x.npy"), new long[] {8, 1, 28, 28}),
        "npy",
        "x.npy",
        "all",
        "data.labels = all needs labels");
    labelsData(
        cases,
        "image folder without class subfolders",
        d -> {
          for (int i = 0; i < 4; i++) {
            png(d.resolve("folder/" + i + ".png"));
          }
        },
        "image-folder",
        "folder",
        "1",
        "data.labels = 1 needs labels");
    labelsData(
        cases,
        "image folder with a class smaller than N",
        d -> {
          for (int i = 0; i < 3; i++) {
            png(d.resolve("folder/a/" + i + ".png"));
          }
          png(d.resolve("folder/b/0.png"));
        },
        "image-folder",
        "folder",
        "2",
        "more than class 1 of");
    cli(
        cases,
        "resume with another data.label-seed",
        goodRun(),
        d -> ringTrain(d, good("data.label-seed=2")));
  }

  /**
   * {@code agon train} on data of {@code kind} at {@code dir/path} (made by {@code setup}) with
   * {@code data.labels = labels}: exit 2, nothing written, and stderr contains {@code named}.
   */
  private static void labelsData(
      List<Case> cases,
      String name,
      Consumer<Path> setup,
      String kind,
      String path,
      String labels,
      String named) {
    CliCase c =
        new CliCase(
            setup,
            d ->
                new String[] {
                  "train",
                  "--run",
                  d.resolve("run").toString(),
                  "--quiet",
                  "--set",
                  "data.kind=" + kind,
                  "--set",
                  "data.path=\"" + d.resolve(path) + "\"",
                  "--set",
                  "data.image-size=8",
                  "--set",
                  "data.labels=" + labels
                });
    cases.add(new Case(name, "labels-data", new LabelsDataCase(c, named)));
  }

  /** A labels case: a {@link CliCase} whose error must contain {@code named}. */
  record LabelsDataCase(CliCase cli, String named) {}

  private void labelsDataCase(LabelsDataCase c) throws Exception {
    c.cli().setup().accept(dir);
    List<String> before = contents(dir);
    CliRunner r = run(c.cli().args().apply(dir));
    assertCleanError(r);
    assertThat(r.err()).contains(c.named());
    assertThat(contents(dir)).as("nothing written or changed").isEqualTo(before);
  }

  /** {@code b} written to {@code p}, parent directories made. */
  private static void writeMaking(Path p, byte[] b) {
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** An 8x8 grey PNG at {@code p} (parent directories made). */
  private static void png(Path p) {
    try {
      Files.createDirectories(p.getParent());
      java.awt.image.BufferedImage img =
          new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      javax.imageio.ImageIO.write(img, "png", p.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Hostile cases of the semi-supervised K+1 discriminator (issue 16). */
  private static void semiSupervised(List<Case> cases) {
    String[] texts = {
      "objective.kind = semi-supervised\ndata.kind = ring\nmodel.architecture = mlp",
      "objective.kind = semi-supervised\ndata.kind = npy\ndata.path = \"x.npy\"",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.generator = minimax",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.r1-gamma = 1",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.classes = 1",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.classes = 1001",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.classes = ten",
      "objective.kind = semi-supervised\nobjective.classes = 2.5",
      "objective.kind = semi-supervised\ndata.labels = all\nmodel.infogan.categorical = 10",
      "objective.kind = semi-supervised",
      "objective.kind = semi-supervised\ndata.labels = none",
      "objective.classes = 5",
      "objective.kind = semisupervised",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.unsupervised-weight = -1",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.unsupervised-weight = 2",
      "objective.kind = semi-supervised\ndata.labels = all\nobjective.unsupervised-weight = none",
      "objective.unsupervised-weight = 0",
    };
    configTexts(cases, texts);
    // a data set with more classes than D has logits, found when the data are opened
    byte[] images = idx(0x803, 20, 28, 28, 20 * 784);
    byte[] fourClasses = new byte[8 + 20];
    ByteBuffer.wrap(fourClasses).putInt(0x801).putInt(20);
    for (int i = 0; i < 20; i++) {
      fourClasses[8 + i] = (byte) (i % 4);
    }
    CliCase moreClasses =
        new CliCase(
            d -> {
              writeMaking(d.resolve("idx/t10k-images-idx3-ubyte"), images);
              writeMaking(d.resolve("idx/t10k-labels-idx1-ubyte"), fourClasses);
            },
            d ->
                new String[] {
                  "train",
                  "--run",
                  d.resolve("run").toString(),
                  "--quiet",
                  "--set",
                  "data.kind=idx",
                  "--set",
                  "data.path=\"" + d.resolve("idx") + "\"",
                  "--set",
                  "data.labels=all",
                  "--set",
                  "objective.kind=semi-supervised",
                  "--set",
                  "objective.classes=3"
                });
    cases.add(
        new Case(
            "idx with four classes for objective.classes = 3",
            "labels-data",
            new LabelsDataCase(moreClasses, "objective.classes = 3: idx/test has class 3")));
    // D's classifier accuracy of a run whose D is no classifier (the ring run's one logit)
    cli(
        cases,
        "eval --metrics classifier of a gan run",
        goodRun(),
        d -> new String[] {"eval", "--run", d.resolve("run") + "", "--metrics", "classifier"});
  }

  /**
   * Hostile cases of InfoGAN codes (issue 16): bad sizes and weights, and the combinations that
   * treat D's output as one logit, each refused at load time before a run directory exists; a
   * resume that adds codes to a run trained without them (its G and D would change shape).
   */
  private static void infoGan(List<Case> cases) {
    String k = "model.infogan.categorical=";
    String[][] refused = {
      {k + "-1"},
      {k + "1"},
      {k + "1025"},
      {k + "ten"},
      {k + "[10]"},
      {"model.infogan.continuous=-2"},
      {"model.infogan.continuous=2000"},
      {"model.infogan=3"},
      {k + "10", "model.infogan.weight=-1"},
      {k + "10", "model.infogan.weight=NaN"},
      {k + "10", "model.infogan.weight=1e9"},
      {k + "10", "model.infogan.weight=0"},
      {"model.infogan.colour=red"},
      {k + "10", "objective.kind=wgan-gp", "model.dcgan.discriminator-batch-norm=false"},
      {
        "model.infogan.continuous=2",
        "objective.r1-gamma=1",
        "model.dcgan.discriminator-batch-norm=false"
      },
      {k + "10", "stabilizers.feature-matching.enabled=true"},
      {k + "10", "stabilizers.virtual-batch-norm.enabled=true"},
      {k + "4", "model.architecture=mlp", "data.kind=ring", "model.discriminator.output=sigmoid"},
    };
    for (String[] sets : refused) {
      cli(cases, "infogan " + String.join(" ", sets), d -> {}, d -> train(d, List.of(sets)));
    }
    addedOnResume(cases, "infogan codes", k + "4");
    cli(
        cases,
        "eval --metrics codes of a run without InfoGAN codes",
        goodRun(),
        d -> args("eval", "--metrics", "codes", "--run", d));
  }

  /**
   * Hostile cases of the class-conditional model (issue 16): a data set without labels or with some
   * unlabelled, the combinations that read or differentiate D's output without the class, wrong
   * types; each refused at load time naming model.conditional (or the key at fault).
   */
  private static void conditional(List<Case> cases) {
    String on = "model.conditional = true\n";
    String all = on + "data.labels = all\n";
    String[] texts = {
      "model.conditional = yes please",
      "model.conditional = 1.5",
      "model.conditional = [true]",
      "model.conditional { on = true }",
      on,
      on + "data.labels = none",
      on + "data.labels = 10",
      on + "data.kind = ring\nmodel.architecture = mlp",
      on + "data.kind = npy\ndata.path = \"x.npy\"\ndata.labels = all",
      all + "objective.kind = semi-supervised",
      all + "objective.kind = wgan-gp\nmodel.dcgan.discriminator-batch-norm = false",
      all + "objective.r1-gamma = 1\nmodel.dcgan.discriminator-batch-norm = false",
      all + "model.infogan.categorical = 10",
      all + "stabilizers.feature-matching.enabled = true",
      all + "stabilizers.virtual-batch-norm.enabled = true",
      all + "model.architecture = goodfellow2014",
      all + "model.architecture = mlp\nmodel.discriminator.output = sigmoid",
      all + "objective.classes = 1",
      all + "objective.classes = 1001",
      "objective.classes = 5\ndata.labels = all",
    };
    configTexts(cases, texts);
    addedOnResume(cases, "conditional", "model.conditional=true");
    for (String m : new String[] {"class-accuracy", "class-accuracy,codes", "is,class-accuracy"}) {
      cli(
          cases,
          "eval --metrics " + m + " of an unconditional run",
          goodRun(),
          d -> args("eval", "--metrics", m, "--run", d));
    }
    cli(
        cases,
        "eval --metrics class-accuracy with --real",
        goodRun(),
        d -> new String[] {"eval", "--metrics", "class-accuracy", "--real", "test:train"});
    for (String c : new String[] {"0", "-1", "ten"}) {
      cli(
          cases,
          "sample --class " + c + " of an unconditional run",
          goodRun(),
          d ->
              new String[] {
                "sample",
                "--class",
                c,
                "--out",
                d.resolve("x.npy").toString(),
                "--run",
                d.resolve("run").toString()
              });
    }
  }

  /**
   * Hostile cases of packing (PacGAN, issue 17): model.pack of a wrong type or out of range, a
   * batch that does not split into packs, and every combination that reads or differentiates D per
   * sample; refused at load time naming model.pack (or the key at fault), on resume too, and `agon
   * eval --metrics jsd` of a packed run.
   */
  private static void packing(List<Case> cases) {
    String on = "model.pack = 2\n";
    String[] texts = {
      "model.pack = 0",
      "model.pack = 65",
      "model.pack = -2",
      "model.pack = two",
      "model.pack = 2.5",
      "model.pack = [2]",
      "model.pack = 3",
      "model.pack = 64\nschedule.batch-size = 96",
      on + "objective.kind = wgan-gp\nmodel.dcgan.discriminator-batch-norm = false",
      on + "objective.r2-gamma = 1\nmodel.dcgan.discriminator-batch-norm = false",
      on + "objective.kind = semi-supervised\ndata.labels = 10",
      on + "model.conditional = true\ndata.labels = all",
      on + "model.infogan.continuous = 2",
      on + "stabilizers.feature-matching.enabled = true",
    };
    configTexts(cases, texts);
    addedOnResume(cases, "pack", "model.pack=2");
    cli(
        cases,
        "eval --metrics jsd of a packed run",
        packedRun(),
        d -> args("eval", "--metrics", "jsd", "--run", d));
  }

  // --- malformed configs: text of an experiment file, checked and trained ---

  private static void configs(List<Case> cases) {
    String[] texts = {
      "schedule.k = true",
      "{",
      "}",
      "schedule {",
      "schedule.k = ",
      "schedule.k = three",
      "schedule.k = 0",
      "schedule.k = -1",
      "schedule.k = 1.5",
      "schedule.k = 99999999999999999999",
      "schedule.staleness = -1",
      "schedule.batch-size = 0",
      "schedule.batch-size = [64]",
      "schedule.iterations = 0",
      "schedule = 3",
      "seed = \"abc\"",
      "seed = 1.5",
      "run.name = \"\"",
      "run.name = \"a/b\"",
      "run.name = \"../escape\"",
      "run = [1, 2]",
      "data.kind = nonsense",
      "data.kind = [ring]",
      "data.ring.modes = 0",
      "data.ring.std = -1",
      "data.prefetch = 0",
      "model.latent-dim = 0",
      "model.architecture = transformer",
      "model.generator.hidden = [0]",
      "model.generator.hidden = [a, b]",
      "model.generator.activation = swish",
      "optim.generator.lr = 0",
      "optim.generator.lr = -1e-3",
      "optim.generator.lr = NaN",
      "optim.generator.beta1 = 1",
      "optim.generator.type = rmsprop",
      "objective.kind = vae",
      "eval.samples = 0",
      "log.progress-interval-ms = 1",
      "checkpoint.every-steps = -1",
      "checkpoint.keep-last = 0",
      "checkpoint.best-metric = inception",
      "eval.metrics = [is, inception]",
      "eval.metrics = fid",
      "metrics.port = 70000",
      "metrics.host = \"\"",
      "checkpoint.retry-max-seconds = 0",
      "guard.lr-scale = 0",
      "guard.lr-scale = 2",
      "guard.max-rollbacks = -1",
      "guard.max-restarts = x",
      "colour = blue",
      "schedule.bach-size = 64",
      "include \"no-such-file-anywhere.conf\"\nschedule.k = 0",
      "a = ${undefined.reference}",
      "\u0000\u0001\u0002garbage\u00ff",
      "stabilizers.virtual-batch-norm.reference-size = 0",
      "objective.kind = wgan-gp\nstabilizers.minibatch-discrimination.enabled = true",
      "optim.generator.lr = 1e400",
      "data.ring.radius = 1e999",
      "data.ring.radius = \"1e999\"",
      "include \"no-such-file-anywhere.conf\"\nschedule.k = 1",
      "include \"no-such-file-anywhere\"",
    };
    for (String t : texts) {
      cases.add(new Case(t.replace("\n", " \\n ").replace("\u0000", "NUL"), "config", t));
    }
  }

  // --- malformed IDX files: (image bytes, label bytes) for data.kind = mnist ---

  private static byte[] idx(int magic, int... dimsThenFill) {
    return idxWith(magic, dimsThenFill.length - 1, dimsThenFill);
  }

  /** Magic, {@code ndim} dimensions, then {@code fill} payload bytes (last array element). */
  private static byte[] idxWith(int magic, int ndim, int[] values) {
    int fill = values[values.length - 1];
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * ndim + Math.max(0, fill));
    b.putInt(magic);
    for (int i = 0; i < ndim; i++) {
      b.putInt(values[i]);
    }
    return b.array();
  }

  private static void idx(List<Case> cases) {
    byte[] labels = idx(0x801, 2, 2);
    byte[] images = idx(0x803, 2, 28, 28, 2 * 784);
    Object[][] pairs = {
      {"empty image file", new byte[0], labels},
      {"three bytes", new byte[] {0, 0, 8}, labels},
      {"bad magic", idx(0x12345678, 2, 28, 28, 2 * 784), labels},
      {"float element type", idx(0x80D, 2, 28, 28, 2 * 784 * 4), labels},
      {"two dimensions", idx(0x802, 2, 784, 2 * 784), labels},
      {"zero dimensions", idx(0x800, 0), labels},
      {"truncated pixels", idx(0x803, 2, 28, 28, 784), labels},
      {"zero images", idx(0x803, 0, 28, 28, 0), labels},
      {"negative count", idx(0x803, -1, 28, 28, 0), labels},
      {"huge count", idx(0x803, Integer.MAX_VALUE, 28, 28, 784), labels},
      {"huge width", idx(0x803, 2, 28, Integer.MAX_VALUE, 784), labels},
      {"zero width", idx(0x803, 2, 28, 0, 0), labels},
      {"header only", idx(0x803, 2, 28, 28, 0), labels},
      {"labels empty", images, new byte[0]},
      {"labels bad magic", images, idx(0x803, 2, 2)},
      {"labels too few", images, idx(0x801, 1, 1)},
      {"labels truncated", images, idx(0x801, 2, 1)},
      {"labels count mismatch", images, idx(0x801, 3, 3)},
      {"labels negative count", images, idx(0x801, -2, 0)},
      {"images are text", "hello world, not an idx file".getBytes(StandardCharsets.UTF_8), labels},
      {"images are a directory", "DIR", labels},
    };
    for (Object[] p : pairs) {
      cases.add(new Case((String) p[0], "idx", new Object[] {p[1], p[2]}));
    }
  }

  // --- command lines against a prepared directory: exit 2, clean error, the directory unchanged
  // ---

  /**
   * {@code setup} prepares the case's temporary directory (a run copied from {@link #good}, a file
   * where a directory belongs, ...); {@code args} is the command line given that directory. The
   * command must end with a clean error and leave every file under the directory as setup left it.
   */
  record CliCase(Consumer<Path> setup, java.util.function.Function<Path, String[]> args) {}

  private static void cli(
      List<Case> cases,
      String name,
      Consumer<Path> setup,
      java.util.function.Function<Path, String[]> args) {
    cases.add(new Case(name, "cli", new CliCase(setup, args)));
  }

  /** A copy of the good run at {@code dir/run}. */
  static Consumer<Path> goodRun() {
    return d -> {
      try {
        copyTree(good, d.resolve("run"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /** A finished ring run whose D judges packs of 2 (model.pack = 2): 3 iterations. */
  static Consumer<Path> packedRun() {
    return d -> {
      List<String> sets = new ArrayList<>(GOOD);
      sets.addAll(List.of("schedule.iterations=3", "model.pack=2"));
      CliRunner r =
          CliRunner.train(d.resolve("run"), "config/ring.conf", sets.toArray(String[]::new));
      assertThat(r.status()).as(r.err()).isZero();
    };
  }

  /** Run directories that cannot be trained into: held by another process, a file, a full disk. */
  private static void runDirectories(List<Case> cases) {
    cli(cases, "run directory locked by another agon train", goodRun().andThen(held()), train());
    cli(cases, "--run is a regular file", d -> write(d.resolve("run"), new byte[] {'x'}), train());
    cli(
        cases,
        "--run below a regular file",
        d -> write(d.resolve("run"), new byte[] {'x'}),
        d -> train().apply(d.resolve("run")));
    // A full disk without root: the file the run would write is a symlink to /dev/full, where
    // every write fails with ENOSPC ("No space left on device") as on a full file system.
    for (String file : List.of("agon.lock", "agon.log", "metrics.jsonl")) {
      cli(cases, "full disk at start: writing " + file, onDevFull(file), train());
      cli(
          cases,
          "full disk at resume: writing " + file,
          goodRun().andThen(onDevFull(file)),
          resume());
    }
  }

  /** {@code agon train} of a short ring run into {@code dir/run}. */
  private static java.util.function.Function<Path, String[]> train() {
    return d -> ringTrain(d, List.of("schedule.iterations=6", "eval.samples=50"));
  }

  /** {@code agon train} resuming the copy of the good run in {@code dir/run} for 3 more updates. */
  private static java.util.function.Function<Path, String[]> resume() {
    return d -> ringTrain(d, good("schedule.iterations=6"));
  }

  /** Lock channels the test JVM holds for the cases of a run directory in use. */
  private static final List<java.nio.channels.FileChannel> HELD = new ArrayList<>();

  /** {@code dir/run/agon.lock} held by the test JVM, naming another holder as agon does. */
  private static Consumer<Path> held() {
    return d -> {
      try {
        Path lock = d.resolve("run").resolve("agon.lock");
        Files.writeString(lock, "4242@elsewhere 2026-01-01T00:00:00Z\n");
        var ch =
            java.nio.channels.FileChannel.open(
                lock,
                java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
        HELD.add(ch);
        assertThat(ch.tryLock()).isNotNull();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @org.junit.jupiter.api.AfterAll
  static void releaseHeld() throws IOException {
    for (var ch : HELD) {
      ch.close();
    }
  }

  /** {@code dir/run/file} is a symlink to /dev/full (the run directory created if needed). */
  private static Consumer<Path> onDevFull(String file) {
    return d -> {
      try {
        Path link = Files.createDirectories(d.resolve("run")).resolve(file);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("/dev/full"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /** Configs that parse but cannot train: sizes and shapes checked before the actors start. */
  private static void impossibleConfigs(List<Case> cases) {
    String[][] sets = {
      // name, then --set overrides of the default experiment (DCGAN on Fashion-MNIST's test split)
      {"latent-dim 2e9", "model.latent-dim=2000000000"},
      // Far beyond any test heap (about 300 GB of parameters; 200 GB of activations), so the
      // cases stay impossible when the tests run with more than -Xmx2g.
      {
        "latent-dim whose networks outgrow the heap",
        "model.latent-dim=65536",
        "model.dcgan.width=1024"
      },
      {
        "one batch's activations outgrow the heap",
        "schedule.batch-size=8192",
        "model.dcgan.width=1024"
      },
      {"batch larger than fashion-mnist's 10,000 test images", "schedule.batch-size=20000"},
      {"dcgan on 2-D ring data", "data.kind=ring"},
      {
        "dcgan on 12-pixel image-folder images",
        "data.kind=image-folder",
        "data.path=\"no-images-needed\"",
        "data.image-size=12"
      },
      {
        "goodfellow2014 latent-dim 2e9",
        "model.architecture=goodfellow2014",
        "model.latent-dim=2000000000"
      },
      {
        "mlp latent-dim 2e9",
        "model.architecture=mlp",
        "data.kind=ring",
        "model.latent-dim=2000000000"
      },
      {"a device the CPU backend lacks", "devices.generator=1"},
      {"an impossible device index", "devices.evaluator=64"},
      {"a negative device index", "devices.discriminator=-1"},
    };
    for (String[] s : sets) {
      cli(cases, s[0], d -> {}, d -> train(d, List.of(s).subList(1, s.length)));
    }
    Object[][] npy = {
      // name, [N, H, W] of a float32 .npy data set, --set overrides
      {"batch larger than a 20-image npy", new long[] {20, 8, 8}, "schedule.batch-size=64"},
      {"dcgan on 3x3 images", new long[] {20, 3, 3}, "schedule.batch-size=4"},
      {"dcgan on 12x12 images", new long[] {20, 12, 12}, "schedule.batch-size=4"},
      {"dcgan on 8x16 images", new long[] {20, 8, 16}, "schedule.batch-size=4"},
    };
    for (Object[] c : npy) {
      long[] shape = (long[]) c[1];
      cli(
          cases,
          (String) c[0],
          d -> npy(d.resolve("data.npy"), shape),
          d ->
              train(
                  d,
                  List.of(
                      "data.kind=npy",
                      "data.path=\"" + d.resolve("data.npy") + "\"",
                      (String) c[2])));
    }
    String[][] headers = {
      // name, the .npy header's dict: sizes whose byte count no long holds
      {
        "npy whose shape's byte count overflows a long",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647, 3), }"
      },
      {
        "npy whose item size overflows",
        "{'descr': '<f99999999999', 'fortran_order': False, 'shape': (4, 8, 8), }"
      },
      {
        "npy whose count times item size overflows",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"
      },
    };
    for (String[] h : headers) {
      cli(
          cases,
          h[0],
          d -> write(d.resolve("data.npy"), rawNpy(h[1], 16)),
          d -> train(d, List.of("data.kind=npy", "data.path=\"" + d.resolve("data.npy") + "\"")));
    }
    cli(
        cases,
        "idx file with 0 images",
        d -> {
          mkdir(d.resolve("idx"));
          write(d.resolve("idx/t10k-images-idx3-ubyte"), idx(0x803, 0, 28, 28, 0));
          write(d.resolve("idx/t10k-labels-idx1-ubyte"), idx(0x801, 0, 0));
        },
        d -> train(d, List.of("data.kind=idx", "data.path=\"" + d.resolve("idx") + "\"")));
  }

  /** {@code agon train --run dir/run --quiet --set s...}: the run directory must not appear. */
  private static String[] train(Path d, List<String> sets) {
    List<String> args = new ArrayList<>(List.of("train", "--run", d.resolve("run").toString()));
    args.add("--quiet");
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return args.toArray(String[]::new);
  }

  /** An .npy file (format 1.0) with header {@code dict} followed by {@code dataBytes} zeros. */
  private static byte[] rawNpy(String dict, int dataBytes) {
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(10 + header.length() + dataBytes)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length());
    b.put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return b.array();
  }

  /** A float32 .npy of {@code shape} with values in [-1, 1]. */
  private static void npy(Path file, long[] shape) {
    int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i % 7) / 3f - 1;
    }
    try {
      dev.agon.tensor.Npy.writeFloat32(file, v, shape);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Outputs of sample/eval that cannot be written: checked before anything is written. */
  private static void outputs(List<Case> cases) {
    Object[][] lines = {
      // name, setup beyond the good run, the sample options after --run dir/run
      {
        "--png into a missing directory after a good --out",
        null,
        new String[] {"--n", "10", "--out", "s.npy", "--png", "missing/s.png"}
      },
      {
        "--out into a missing directory before a good --png",
        null,
        new String[] {"--n", "10", "--out", "missing/s.npy", "--png", "s.png"}
      },
      {"--out is a directory", "dir:outdir", new String[] {"--n", "10", "--out", "outdir"}},
      {
        "--png is a directory",
        "dir:outdir",
        new String[] {"--n", "10", "--out", "s.npy", "--png", "outdir"}
      },
      {
        "--out is a read-only file",
        "readonly-file:ro.npy",
        new String[] {"--n", "10", "--out", "ro.npy"}
      },
      {
        "--out in a read-only directory",
        "readonly-dir:ro",
        new String[] {"--n", "10", "--png", "s.png", "--out", "ro/s.npy"}
      },
      {"--out under a file", null, new String[] {"--n", "10", "--out", "run/config.conf/s.npy"}},
      {
        "--out and --png the same file",
        null,
        new String[] {"--n", "10", "--out", "s.out", "--png", "s.out"}
      },
      {"--n 2000000000", null, new String[] {"--n", "2000000000", "--out", "s.npy"}},
      {"--n 2000000000 png only", null, new String[] {"--n", "2000000000", "--png", "s.png"}},
    };
    for (Object[] l : lines) {
      String extra = (String) l[1];
      String[] options = (String[]) l[2];
      cli(
          cases,
          "sample " + l[0],
          d -> {
            goodRun().accept(d);
            if (extra != null) {
              prepare(d, extra);
            }
          },
          d -> {
            List<String> args = new ArrayList<>(List.of("sample", "--run", d + "/run"));
            for (int i = 0; i < options.length; i++) {
              boolean path = options[i].startsWith("--out") || options[i].startsWith("--png");
              args.add(options[i]);
              if (path) {
                args.add(d.resolve(options[++i]).toString());
              }
            }
            return args.toArray(String[]::new);
          });
    }
  }

  /** {@code dir:P}, {@code readonly-file:P} (with content), {@code readonly-dir:P} under d. */
  private static void prepare(Path d, String what) {
    String[] kp = what.split(":", 2);
    Path p = d.resolve(kp[1]);
    try {
      switch (kp[0]) {
        case "dir" -> Files.createDirectories(p);
        case "readonly-file" -> {
          Files.writeString(p, "keep me");
          Files.setPosixFilePermissions(
              p, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        }
        case "readonly-dir" -> {
          Files.createDirectories(p);
          Files.setPosixFilePermissions(
              p, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        default -> throw new IllegalArgumentException(what);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // --- the control API's token file (metrics.token-file): one that gives no token ---

  /**
   * A run whose control API would have no token from {@code metrics.token-file}: refused before a
   * run directory exists (TokenFileTest checks that the error names the key and the file).
   */
  private static void tokenFiles(List<Case> cases) {
    tokenFile(cases, "empty", d -> write(d.resolve("token"), new byte[0]));
    tokenFile(cases, "blank", d -> write(d.resolve("token"), " \t\n\n".getBytes()));
    tokenFile(cases, "blank first line", d -> write(d.resolve("token"), "\nsecret\n".getBytes()));
    tokenFile(cases, "a directory", d -> mkdir(d.resolve("token")));
    tokenFile(cases, "missing", d -> {});
  }

  private static void tokenFile(List<Case> cases, String name, Consumer<Path> setup) {
    cli(
        cases,
        "metrics.token-file " + name,
        setup,
        d ->
            ringTrain(
                d,
                List.of(
                    "schedule.iterations=1",
                    "metrics.port=0",
                    "metrics.token-file=\"" + d.resolve("token") + "\"")));
  }

  // --- config changes a checkpoint cannot be resumed under, even with --allow-config-change ---

  /**
   * A resume of the good run that changes a key naming what the checkpoint's state is (network
   * shapes, data, seed, batch size, optimizer type): refused with the flag, before anything is
   * written. The other keys repeat the good run's, so the refused one is the only change.
   */
  private static void configChanges(List<Case> cases) {
    String[] refused = {
      "seed=7",
      "model.latent-dim=16",
      "model.generator.hidden=[64,64]",
      "data.kind=grid",
      "data.ring.std=0.02",
      "schedule.batch-size=16",
      "optim.generator.type=sgd"
    };
    for (String set : refused) {
      cli(
          cases,
          "resume with --allow-config-change and " + set,
          goodRun(),
          d ->
              ringTrain(
                  d,
                  good(
                      "--allow-config-change",
                      "schedule.iterations=5",
                      "metrics.enabled=false",
                      set)));
    }
  }

  /**
   * Checkpoints that sample/eval must not take: one whose directory name disagrees with its
   * manifest's step, and one --step names explicitly that is corrupt (no fallback then).
   */
  private static void checkpointChoice(List<Case> cases) {
    Consumer<Path> misnamed =
        goodRun()
            .andThen(
                d -> {
                  Path ckpts = d.resolve("run").resolve("checkpoints");
                  try {
                    Files.move(ckpts.resolve("0000000003"), ckpts.resolve("0000000007"));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    cli(
        cases,
        "eval --step of a checkpoint directory named for another step",
        misnamed,
        d -> new String[] {"eval", "--run", d.resolve("run") + "", "--step", "7", "--n", "100"});
    cli(
        cases,
        "sample from a run whose only checkpoint is named for another step",
        misnamed,
        d ->
            new String[] {
              "sample",
              "--run",
              d.resolve("run") + "",
              "--n",
              "10",
              "--out",
              d.resolve("s.npy") + ""
            });
    cli(
        cases,
        "eval --step of a corrupt checkpoint",
        goodRun().andThen(d -> flip("generator.f32", 0).accept(checkpointOf(d))),
        d -> new String[] {"eval", "--run", d.resolve("run") + "", "--step", "3", "--n", "100"});
  }

  /**
   * {@code --step best} and malformed {@code --step}s of sample and eval (issue 17 item 5): a run
   * that kept no best checkpoint, a best.json that is torn, out of range, a directory or names a
   * checkpoint retention deleted, and steps that are not G updates.
   */
  private static void bestStep(List<Case> cases) {
    String[][] bestFiles = {
      {"torn", "{\"step\":"},
      {"with a negative step", "{\"step\":-3,\"metric\":\"fid\",\"value\":1.0}"},
      {"with a value that is NaN", "{\"step\":3,\"metric\":\"fid\",\"value\":\"NaN\"}"},
      {"with a step as text", "{\"step\":\"three\",\"metric\":\"fid\",\"value\":1.0}"},
      {"naming a checkpoint retention deleted", "{\"step\":2,\"metric\":\"fid\",\"value\":1.0}"},
    };
    for (String[] b : bestFiles) {
      Consumer<Path> setup =
          goodRun()
              .andThen(
                  d -> {
                    try {
                      Files.writeString(BestCheckpoint.file(d.resolve("run")), b[1]);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      cli(cases, "sample --step best, best.json " + b[0], setup, d -> sampleAt(d, "best"));
      cli(cases, "eval --step best, best.json " + b[0], setup, d -> evalAt(d, "best"));
    }
    cli(
        cases,
        "sample --step best, best.json a directory",
        goodRun()
            .andThen(
                d -> {
                  try {
                    Files.createDirectory(BestCheckpoint.file(d.resolve("run")));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }),
        d -> sampleAt(d, "best"));
    cli(cases, "sample --step best of a run that kept none", goodRun(), d -> sampleAt(d, "best"));
    cli(cases, "eval --step best of a run that kept none", goodRun(), d -> evalAt(d, "best"));
    // --step names a run's checkpoint: with --real there is none, so it cannot be honoured.
    for (String step : new String[] {"best", "3"}) {
      cli(
          cases,
          "eval --real test:train --step " + step,
          d -> {},
          d -> new String[] {"eval", "--real", "test:train", "--step", step, "--n", "100"});
    }
    for (String step : new String[] {"three", "-1", "3.0", "", "99999999999999999999", "2"}) {
      cli(cases, "sample --step '" + step + "'", goodRun(), d -> sampleAt(d, step));
      cli(cases, "eval --step '" + step + "'", goodRun(), d -> evalAt(d, step));
    }
  }

  private static String[] sampleAt(Path d, String step) {
    return new String[] {
      "sample", "--run", d.resolve("run") + "", "--step", step, "--n", "10", "--out", d + "/s.npy"
    };
  }

  private static String[] evalAt(Path d, String step) {
    return new String[] {
      "eval", "--run", d.resolve("run") + "", "--step", step, "--metrics", "modes"
    };
  }

  private static Path checkpointOf(Path d) {
    return d.resolve("run").resolve("checkpoints").resolve("0000000003");
  }

  // --- damaged checkpoints: a mutation of a copy of a good run's checkpoint directory ---

  private static void checkpoints(List<Case> cases) {
    String[] files = {
      "generator.f32",
      "discriminator.f32",
      "generator_ema.f32",
      "generator_optimizer.f32",
      "discriminator_optimizer.f32",
      "generator_history.f64",
      "config.conf",
      "manifest.json"
    };
    for (String f : files) {
      cases.add(new Case("flip first byte of " + f, "checkpoint", flip(f, 0)));
      cases.add(new Case("flip last byte of " + f, "checkpoint", flip(f, -1)));
      cases.add(new Case("truncate " + f, "checkpoint", truncate(f)));
      cases.add(new Case("delete " + f, "checkpoint", (Consumer<Path>) d -> delete(d.resolve(f))));
      cases.add(new Case("append to " + f, "checkpoint", append(f)));
    }
    String[][] manifests = {
      {"format 99", "\"format\":2", "\"format\":99"},
      {"format text", "\"format\":2", "\"format\":\"two\""},
      {"no tensors", "\"tensors\":[", "\"tensorz\":["},
      {"dtype int8", "\"dtype\":\"float32\"", "\"dtype\":\"int8\""},
      {"path traversal", "\"file\":\"generator.f32\"", "\"file\":\"../../etc/passwd\""},
      {"file is the directory", "\"file\":\"generator.f32\"", "\"file\":\".\""},
      {"negative shape", "\"shape\":[1,", "\"shape\":[-1,"},
      {"huge shape", "\"shape\":[1,", "\"shape\":[4611686018427387904,"},
      {"shape text", "\"shape\":[1,", "\"shape\":[\"x\","},
      {"sha not hex", "\"sha256\":\"", "\"sha256\":\"zz"},
      {"step text", "\"step\":3", "\"step\":\"three\""},
      {"config hash wrong", "\"config_sha256\":\"", "\"config_sha256\":\"0"},
      {"engine not object", "\"engine\":{", "\"engine\":[{"},
    };
    for (String[] m : manifests) {
      cases.add(new Case("manifest " + m[0], "checkpoint", edit(m[1], m[2])));
    }
    cases.add(new Case("manifest is JSON null", "checkpoint", write("manifest.json", "null")));
    cases.add(new Case("manifest is empty", "checkpoint", write("manifest.json", "")));
    cases.add(
        new Case("manifest is binary", "checkpoint", write("manifest.json", "\u0000\u00ff\u0001")));
    cases.add(
        new Case(
            "manifest is a directory",
            "checkpoint",
            (Consumer<Path>)
                d -> {
                  delete(d.resolve("manifest.json"));
                  mkdir(d.resolve("manifest.json"));
                }));
    cases.add(
        new Case(
            "tensor file is a directory",
            "checkpoint",
            (Consumer<Path>)
                d -> {
                  delete(d.resolve("generator.f32"));
                  mkdir(d.resolve("generator.f32"));
                }));
  }

  private static Consumer<Path> flip(String f, int at) {
    return d -> {
      byte[] b = read(d.resolve(f));
      int i = at < 0 ? b.length + at : at;
      b[i] ^= 0x5a;
      write(d.resolve(f), b);
    };
  }

  private static Consumer<Path> truncate(String f) {
    return d -> {
      byte[] b = read(d.resolve(f));
      write(d.resolve(f), java.util.Arrays.copyOf(b, b.length / 2));
    };
  }

  private static Consumer<Path> append(String f) {
    return d -> {
      byte[] b = read(d.resolve(f));
      byte[] c = java.util.Arrays.copyOf(b, b.length + 4);
      write(d.resolve(f), c);
    };
  }

  private static Consumer<Path> edit(String from, String to) {
    return d -> {
      String m = new String(read(d.resolve("manifest.json")), StandardCharsets.UTF_8);
      assertThat(m).as("manifest edit anchor").contains(from);
      write(
          d.resolve("manifest.json"),
          m.replaceFirst(java.util.regex.Pattern.quote(from), to).getBytes(StandardCharsets.UTF_8));
    };
  }

  private static Consumer<Path> write(String f, String text) {
    return d -> write(d.resolve(f), text.getBytes(StandardCharsets.UTF_8));
  }

  // --- agon ctl: values outside the config's bounds, bad names, no run to talk to ---

  /**
   * {@code agon ctl} against a copy of the good run (finished: no http.port): a bad flag is named
   * before the run is looked for; with good flags the missing run is the error. Exit 2 either way.
   */
  private static void ctlArguments(List<Case> cases) {
    String[][] args = {
      {"averaging", "--network", "critic", "--weight", "0.1"},
      {"averaging", "--network", "GENERATOR", "--weight", "0.1"},
      {"averaging", "--network", "generator", "--weight", "-0.1"},
      {"averaging", "--network", "generator", "--weight", "NaN"},
      {"averaging", "--network", "generator", "--weight", "1e400"},
      {"averaging", "--network", "generator", "--weight", "0.1", "--start", "-1"},
      {"averaging", "--network", "generator"},
      {"averaging", "--weight", "0.1"},
      {"pause", "--network", "generator", "--weight", "0.1"},
      {"schedule", "--k", "1001"},
      {"schedule", "--staleness", "101"},
      {"schedule", "--generator-lr", "0"},
      {"averaging", "--network", "generator", "--weight", "0.1"},
      {"checkpoint"},
    };
    for (String[] a : args) {
      cli(cases, "ctl " + String.join(" ", a), goodRun(), d -> ctl(d, a));
    }
    cli(
        cases,
        "ctl averaging with an empty token file",
        goodRun().andThen(d -> write(d.resolve("token"), new byte[0])),
        d ->
            ctl(
                d,
                new String[] {
                  "averaging",
                  "--network",
                  "generator",
                  "--weight",
                  "0.1",
                  "--token-file",
                  d.resolve("token").toString()
                }));
  }

  private static String[] ctl(Path d, String[] a) {
    List<String> out = new ArrayList<>(List.of("ctl", a[0], "--run", d.resolve("run").toString()));
    out.addAll(List.of(a).subList(1, a.length));
    return out.toArray(String[]::new);
  }

  // --- agon node: joins that must be refused (issue 14) ---

  /**
   * {@code agon node} in-process: bad flags, an address that cannot be bound, TLS files that are
   * missing, a seed nobody listens on, and joins the coordinator refuses (config hash, Agon
   * version, a role already taken) or that never complete (a role missing from every node). The
   * coordinators refusing are in-process nodes started once ({@link #coordinator}); waits are cut
   * to a second or two by {@code cluster.*-timeout-seconds}.
   */
  private static void nodes(List<Case> cases) {
    cli(cases, "node with an unknown role", d -> {}, d -> node("--role", "critic"));
    cli(cases, "node with a role named twice", d -> {}, d -> node("--role", "generator,generator"));
    cli(cases, "node with an empty role", d -> {}, d -> node("--role", "generator,"));
    cli(cases, "node with a seed without port", d -> {}, d -> node("--seed", "127.0.0.1"));
    cli(cases, "node --run on a worker", d -> {}, d -> node("--run", d.resolve("run").toString()));
    cli(
        cases,
        "node beyond loopback without TLS",
        d -> {},
        d -> node("--host", "0.0.0.0", "--port", "0"));
    cli(
        cases,
        "node with missing TLS key files",
        d -> {},
        d ->
            node(
                "--set",
                "cluster.tls.enabled=true",
                "--set",
                "cluster.tls.key-file=\"" + d.resolve("node.key") + "\"",
                "--set",
                "cluster.tls.cert-file=\"" + d.resolve("node.crt") + "\"",
                "--set",
                "cluster.tls.ca-cert-file=\"" + d.resolve("ca.crt") + "\""));
    cli(
        cases,
        "node on a port in use",
        d -> {},
        d -> node("--port", Integer.toString(heldPort()), "--seed", "127.0.0.1:" + heldPort()));
    cli(
        cases,
        "node with a metrics port above 65535",
        d -> {},
        d -> node("--metrics-port", "65536"));
    cli(cases, "node with a negative metrics port", d -> {}, d -> node("--metrics-port", "-1"));
    cli(
        cases,
        "node with a metrics port that is no number",
        d -> {},
        d -> node("--metrics-port", "x"));
    cli(
        cases,
        "node with its metrics port in use",
        d -> {},
        d -> node("--metrics-port", Integer.toString(heldPort())));
    cli(
        cases,
        "node whose metrics.host does not resolve",
        d -> {},
        d -> node("--metrics-port", "0", "--set", "metrics.host=no-such-host.invalid"));
    cli(
        cases,
        "node with an unreachable seed",
        d -> {},
        d ->
            node("--seed", "127.0.0.1:" + closedPort(), "--set", "cluster.join-timeout-seconds=1"));
    cli(
        cases,
        "node whose config hash differs from the coordinator's",
        d -> {},
        d -> node("--seed", coordinator(true), "--set", "seed=99"));
    cli(
        cases,
        "node whose Agon version differs from the coordinator's",
        d -> {},
        d -> node("--seed", coordinator(false)));
    cli(cases, "node with a role already taken", d -> {}, d -> node("--seed", coordinator(true)));
    cli(
        cases,
        "coordinator with a role missing from every node",
        d -> {},
        d -> {
          String port = Integer.toString(closedPort());
          return node(
              "--role",
              "coordinator,data-loader,evaluator",
              "--port",
              port,
              "--seed",
              "127.0.0.1:" + port,
              "--set",
              "cluster.roles-timeout-seconds=1");
        });
  }

  /**
   * {@code agon node --config config/ring.conf --role generator --seed 127.0.0.1:1} with a join
   * timeout of 2 s, then {@code more}; a later flag replaces an earlier one of the same name.
   */
  /**
   * {@code agon node --run}: the coordinator node trains once every role is up, wherever each one
   * is; a role on no node ends it after {@code cluster.roles-timeout-seconds} with the run
   * directory untouched.
   */
  private static void distributedRuns(List<Case> cases) {
    cli(
        cases,
        "coordinator node --run with the generator role on no node",
        goodRun(),
        d -> {
          String port = Integer.toString(closedPort());
          return node(
              "--role",
              "coordinator,data-loader,discriminator,evaluator",
              "--port",
              port,
              "--seed",
              "127.0.0.1:" + port,
              "--run",
              d.resolve("run").toString(),
              "--set",
              "cluster.roles-timeout-seconds=1");
        });
  }

  private static String[] node(String... more) {
    java.util.Map<String, String> flags = new java.util.LinkedHashMap<>();
    flags.put("--config", "config/ring.conf");
    flags.put("--role", "generator");
    flags.put("--seed", "127.0.0.1:1");
    List<String> sets = new ArrayList<>(List.of("cluster.join-timeout-seconds=2"));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i].equals("--set")) {
        sets.add(more[i + 1]);
      } else {
        flags.put(more[i], more[i + 1]);
      }
    }
    List<String> cmd = new ArrayList<>(List.of("node"));
    flags.forEach((k, v) -> cmd.addAll(List.of(k, v)));
    sets.forEach(v -> cmd.addAll(List.of("--set", v)));
    return cmd.toArray(String[]::new);
  }

  private static java.net.ServerSocket held;

  /** A loopback port this JVM holds open for the whole run. */
  private static synchronized int heldPort() {
    try {
      if (held == null) {
        held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
      }
      return held.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A loopback port nothing listens on (free a moment ago). */
  private static int closedPort() {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final java.util.Map<Boolean, dev.agon.cluster.ClusterNode> COORDINATORS =
      new java.util.HashMap<>();

  /**
   * The seed address of an in-process coordinator node holding the generator role, with
   * config/ring.conf's hash and this build's version ({@code sameVersion}) or another version.
   */
  private static synchronized String coordinator(boolean sameVersion) {
    dev.agon.cluster.ClusterNode c = COORDINATORS.get(sameVersion);
    if (c == null) {
      dev.agon.config.LoadedConfig ring =
          dev.agon.config.ConfigLoader.load(
              java.util.Optional.of(Path.of("config/ring.conf")),
              List.of("cluster.join-timeout-seconds=2")); // as node() sets it
      c =
          dev.agon.cluster.ClusterNode.start(
              new dev.agon.cluster.NodeSettings(
                  java.util.EnumSet.of(
                      dev.agon.cluster.Role.COORDINATOR, dev.agon.cluster.Role.GENERATOR),
                  "127.0.0.1",
                  0,
                  "127.0.0.1",
                  0,
                  ring.config().cluster(),
                  sameVersion ? NodeCommand.version() : "0.0.1-other",
                  dev.agon.util.DurableFiles.sha256(
                      ring.rendered().getBytes(StandardCharsets.UTF_8)),
                  false),
              line -> {});
      COORDINATORS.put(sameVersion, c);
    }
    return c.address();
  }

  @org.junit.jupiter.api.AfterAll
  static void stopNodes() throws IOException {
    COORDINATORS.values().forEach(dev.agon.cluster.ClusterNode::close);
    if (held != null) {
      held.close();
    }
  }

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void clearErrorNoTraceNoHangNoPartialWrite(Case c) throws Exception {
    switch (c.kind()) {
      case "config" -> configCase((String) c.input());
      case "idx" -> idxCase((Object[]) c.input());
      case "cli" -> cliCase((CliCase) c.input());
      case "located-config" -> locatedConfigCase((LocatedConfig) c.input());
      case "jvm-option" -> jvmOptionCase((JvmOptionCase) c.input());
      case "labels-data" -> labelsDataCase((LabelsDataCase) c.input());
      default -> checkpointCase(c);
    }
  }

  private void configCase(String text) throws Exception {
    Path f = dir.resolve("bad.conf");
    Files.writeString(f, text);
    assertCleanError(run("config", "check", f.toString()));
    Path run = dir.resolve("run");
    assertCleanError(run("train", "--config", f.toString(), "--run", run.toString(), "--quiet"));
    assertThat(run).as("no run directory for a bad config").doesNotExist();
  }

  private void idxCase(Object[] files) throws Exception {
    Path data = Files.createDirectories(dir.resolve("mnist"));
    if ("DIR".equals(files[0])) {
      Files.createDirectories(data.resolve("t10k-images-idx3-ubyte"));
    } else {
      Files.write(data.resolve("t10k-images-idx3-ubyte"), (byte[]) files[0]);
    }
    if (files[1] != null) {
      Files.write(data.resolve("t10k-labels-idx1-ubyte"), (byte[]) files[1]);
    }
    Path run = dir.resolve("run");
    assertCleanError(
        run(
            "train",
            "--run",
            run.toString(),
            "--quiet",
            "--set",
            "data.kind=mnist",
            "--set",
            "data.split=test",
            "--set",
            "data.path=\"" + data + "\""));
    assertThat(run).as("no run directory for bad data").doesNotExist();
  }

  private void cliCase(CliCase c) throws Exception {
    c.setup().accept(dir);
    List<String> before = contents(dir);
    assertCleanError(run(c.args().apply(dir)));
    assertThat(contents(dir)).as("nothing written or changed").isEqualTo(before);
  }

  @SuppressWarnings("unchecked")
  private void checkpointCase(Case c) throws Exception {
    Path run = dir.resolve("run");
    copyTree(good, run);
    Path ckpt;
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      ckpt = s.filter(p -> p.getFileName().toString().matches("\\d+")).findFirst().orElseThrow();
    }
    ((Consumer<Path>) c.input()).accept(ckpt);
    List<String> before = listing(run);
    Path out = dir.resolve("s.npy");
    assertCleanError(run("sample", "--run", run.toString(), "--n", "10", "--out", out.toString()));
    assertThat(out).as("no samples from a damaged checkpoint").doesNotExist();
    assertThat(listing(run)).as("the run directory is untouched").isEqualTo(before);
  }

  private static CliRunner run(String... args) throws Exception {
    CompletableFuture<CliRunner> f = CompletableFuture.supplyAsync(() -> CliRunner.run(args));
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("hung for 60 s: " + String.join(" ", args));
    }
  }

  private static void assertCleanError(CliRunner r) {
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.errLines()).as(r.err()).isNotEmpty().allMatch(l -> l.startsWith("error: "));
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static List<String> listing(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p) + ":" + (Files.isRegularFile(p) ? size(p) : -1))
          .sorted()
          .toList();
    }
  }

  /** Every path under {@code root} with its file's size and content hash. */
  static List<String> contents(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p) + ":" + (Files.isRegularFile(p) ? digest(p) : "dir"))
          .sorted()
          .toList();
    }
  }

  private static String digest(Path p) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
      return Files.size(p) + ":" + java.util.HexFormat.of().formatHex(h);
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      return "unreadable";
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -2;
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void write(Path p, byte[] b) {
    try {
      Files.write(p, b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void mkdir(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static final Duration LIMIT = Duration.ofSeconds(60);

  // --- flag values picocli cannot convert, and flags no command has: one error line, no usage

  private static void flagValues(List<Case> cases) {
    cli(cases, "sample --n not a number", goodRun(), d -> args("sample", "--n", "x", "--run", d));
    cli(cases, "train --quiet=maybe", d -> {}, d -> args("train", "--quiet=maybe", "--run", d));
    cli(cases, "train with an unknown flag", d -> {}, d -> args("train", "--bogus", "--run", d));
    cli(cases, "an unknown command", d -> {}, d -> new String[] {"trian"});
    cli(
        cases,
        "node --port not a number",
        d -> {},
        d -> new String[] {"node", "--role", "generator", "--seed", "127.0.0.1:1", "--port", "x"});
    cli(cases, "ctl pause without --run", d -> {}, d -> new String[] {"ctl", "pause"});
  }

  private static String[] args(String command, String flag, String value, String run, Path d) {
    return new String[] {command, flag, value, run, d.resolve("run").toString()};
  }

  private static String[] args(String command, String flag, String run, Path d) {
    return new String[] {command, flag, run, d.resolve("run").toString()};
  }

  // --- agon node with cluster.transport = udp: the data port (issue 14, UDP between hosts) ---

  /**
   * A node's UDP data port: one that another socket holds, or no port number at all; refused before
   * the node joins anything (the seed is never reached).
   */
  private static void udpDataPlane(List<Case> cases) {
    cli(
        cases,
        "udp node with its data port in use",
        d -> {},
        d ->
            node("--set", "cluster.transport=udp", "--data-port", Integer.toString(heldUdpPort())));
    cli(cases, "node with a data port above 65535", d -> {}, d -> node("--data-port", "65536"));
    cli(cases, "node with a data port that is no number", d -> {}, d -> node("--data-port", "x"));
  }

  private static java.net.DatagramSocket heldUdp;

  /** A UDP port on loopback that this JVM holds for its whole life. */
  private static synchronized int heldUdpPort() {
    try {
      if (heldUdp == null) {
        heldUdp = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
      }
      return heldUdp.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // --- agon ctl status (issue 14, the node-lost pause made observable): no run to ask ---

  /**
   * {@code agon ctl status} with nothing to ask (a finished run: no http.port; nothing listening)
   * or flags of other actions: exit 2, one error line, nothing written.
   */
  private static void ctlStatus(List<Case> cases) {
    cli(cases, "ctl status of a finished run", goodRun(), d -> ctl(d, new String[] {"status"}));
    cli(
        cases,
        "ctl status with a schedule flag",
        goodRun(),
        d -> ctl(d, new String[] {"status", "--k", "2"}));
    cli(
        cases,
        "ctl status with an averaging flag",
        goodRun(),
        d -> ctl(d, new String[] {"status", "--weight", "0.1"}));
    cli(
        cases,
        "ctl status with --run and --url",
        goodRun(),
        d -> ctl(d, new String[] {"status", "--url", "http://127.0.0.1:1"}));
    cli(
        cases,
        "ctl status of a url that is not http",
        d -> {},
        d -> new String[] {"ctl", "status", "--url", "ftp://127.0.0.1:1"});
    cli(
        cases,
        "ctl status of a url where nothing listens",
        d -> {},
        d -> new String[] {"ctl", "status", "--url", "http://127.0.0.1:1"});
  }

  // --- JVM options Agon reads (issue 15: -Dagon.nn.conv and -Dagon.nn.kernels pick kernels) ---

  /**
   * A system property set to {@code value} around one command line (cleared after, so no other case
   * sees it); the run directory must not appear.
   */
  record JvmOptionCase(String property, String value, String[] args) {}

  private static void jvmOptions(List<Case> cases) {
    for (String v : new String[] {"fast", "", "onednn"}) {
      cases.add(
          new Case(
              "-Dagon.nn.conv=" + v + " (train)",
              "jvm-option",
              new JvmOptionCase(
                  "agon.nn.conv", v, new String[] {"train", "--run", "RUN", "--quiet"})));
    }
    cases.add(
        new Case(
            "-Dagon.nn.conv=gpu (config check)",
            "jvm-option",
            new JvmOptionCase(
                "agon.nn.conv",
                "gpu",
                new String[] {"config", "check", "config/fashion-mnist-dcgan.conf"})));
    // -Dagon.nn.kernels picks Adam's and batch norm's kernels (nd4j or host).
    for (String v : new String[] {"fast", "", "HOST"}) {
      cases.add(
          new Case(
              "-Dagon.nn.kernels=" + v + " (train)",
              "jvm-option",
              new JvmOptionCase(
                  "agon.nn.kernels", v, new String[] {"train", "--run", "RUN", "--quiet"})));
    }
    cases.add(
        new Case(
            "-Dagon.nn.kernels=gpu (config check)",
            "jvm-option",
            new JvmOptionCase(
                "agon.nn.kernels",
                "gpu",
                new String[] {"config", "check", "config/fashion-mnist-dcgan.conf"})));
  }

  private void jvmOptionCase(JvmOptionCase c) throws Exception {
    Path run = dir.resolve("run");
    String[] args =
        java.util.Arrays.stream(c.args())
            .map(a -> a.equals("RUN") ? run.toString() : a)
            .toArray(String[]::new);
    String saved = System.getProperty(c.property());
    System.setProperty(c.property(), c.value());
    CliRunner r;
    try {
      r = run(args);
    } finally {
      if (saved == null) {
        System.clearProperty(c.property());
      } else {
        System.setProperty(c.property(), saved);
      }
    }
    assertCleanError(r);
    assertThat(r.err()).contains(c.property());
    assertThat(run).as("no run directory").doesNotExist();
  }
}
