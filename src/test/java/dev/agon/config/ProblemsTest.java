package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of problem, with its exact line. Fixture files are written so lines are known. */
class ProblemsTest {
  @TempDir Path dir;

  private Path file(String... lines) throws IOException {
    return Problems.write(dir, "exp.conf", lines);
  }

  @Test
  void unknownKeyWithDidYouMean() throws IOException {
    Path f = file("schedule {", "  k = 2", "  bach-size = 64", "}");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":3: schedule.bach-size: unknown key (did you mean schedule.batch-size?)");
  }

  @Test
  void unknownKeyVariantsSuggestTheKebabKey() throws IOException {
    Path f =
        file(
            "schedule.batchSize = 64",
            "schedule.batch_size = 64",
            "model.LATENT_DIM = 3",
            "optim.generator.lR = 0.1");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":3: model.LATENT_DIM: unknown key (did you mean model.latent-dim?)",
            f + ":4: optim.generator.lR: unknown key (did you mean optim.generator.lr?)",
            f + ":1: schedule.batchSize: unknown key (did you mean schedule.batch-size?)",
            f + ":2: schedule.batch_size: unknown key (did you mean schedule.batch-size?)");
  }

  @Test
  void unknownKeyWithoutCloseMatchListsTheKnownKeys() throws IOException {
    Path f = file("seed = 3", "colour = blue", "eval { samples = 10, x = 1 }");
    assertThat(Problems.of(f))
        .containsExactly(
            f
                + ":2: colour: unknown key (known keys: run, seed, data, model, objective, optim,"
                + " schedule, stabilizers, eval, log, metrics, checkpoint, guard, devices, cluster)",
            f
                + ":3: eval.x: unknown key (known keys: samples, every-steps, every-seconds, plots, metrics, jsd, classifier, reference-cache)");
  }

  @Test
  void wrongTypes() throws IOException {
    Path f =
        file(
            "schedule {",
            "  k = three",
            "  iterations = [1]",
            "  batch-size = 2.5",
            "}",
            "data.ring.radius = wide",
            "optim.generator.nesterov = maybe",
            "run.name = [a]",
            "eval = 3",
            "log.progress-interval-ms = null",
            "data.prefetch { a = 1 }");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":8: run.name: expected a string, got a list",
            f + ":6: data.ring.radius: expected a number, got string \"wide\"",
            f + ":11: data.prefetch: expected an integer, got an object",
            f
                + ":7: optim.generator.nesterov: expected a boolean (true or false), got string"
                + " \"maybe\"",
            f + ":2: schedule.k: expected an integer, got string \"three\"",
            f + ":3: schedule.iterations: expected an integer, got a list",
            f + ":4: schedule.batch-size: expected an integer, got number 2.5",
            f + ":9: eval: expected an object, got number 3",
            f + ":10: log.progress-interval-ms: expected an integer, got null");
  }

  @Test
  void integerOverflow() throws IOException {
    Path f = file("schedule.k = 3000000000", "seed = 99999999999999999999");
    assertThat(Problems.of(f))
        .containsExactly(
            f
                + ":2: seed: integer overflow: 99999999999999999999 is outside"
                + " [-9223372036854775808, 9223372036854775807]",
            f
                + ":1: schedule.k: integer overflow: 3000000000 is outside [-2147483648, 2147483647]");
  }

  @Test
  void badEnumValueListsTheAllowedValues() throws IOException {
    Path f =
        file(
            "data.kind = rings",
            "model.generator.activation = LEAKY_RELU",
            "optim.generator.type = 1");
    assertThat(Problems.of(f))
        .containsExactly(
            f
                + ":1: data.kind: expected one of ring, grid, fashion-mnist, mnist, idx, image-folder, npy, got string \"rings\" (did you mean ring?)",
            f
                + ":2: model.generator.activation: expected one of identity, tanh, relu, leaky-relu,"
                + " sigmoid, got string \"LEAKY_RELU\" (did you mean leaky-relu?)",
            f + ":3: optim.generator.type: expected one of adam, sgd, got number 1");
  }

  @Test
  void listElementsAreCheckedOneByOne() throws IOException {
    Path f = file("model.generator.hidden = [", "  64,", "  x,", "  0", "]");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":3: model.generator.hidden[1]: expected an integer, got string \"x\"",
            f + ":4: model.generator.hidden[2]: must be >= 1 (got 0)");
    Path g = file("model.discriminator.hidden = []");
    assertThat(Problems.of(g))
        .containsExactly(g + ":1: model.discriminator.hidden: must not be empty");
  }

  @Test
  void anOverrideOfAnUnknownSectionIsLocatedAtItsSetFlag() {
    // The unknown key is a section the override creates on its way to the value (http.port: the
    // metrics section's port under another name), not the value itself.
    assertThat(Problems.of(null, "http.port=0", "model.dcgan.widht=8", "eval.x.y=1"))
        .containsExactly(
            "--set http.port=0: http: unknown key (known keys: run, seed, data, model, objective,"
                + " optim, schedule, stabilizers, eval, log, metrics, checkpoint, guard, devices,"
                + " cluster)",
            "--set model.dcgan.widht=8: model.dcgan.widht: unknown key (did you mean"
                + " model.dcgan.width?)",
            "--set eval.x.y=1: eval.x: unknown key (known keys: samples, every-steps,"
                + " every-seconds, plots, metrics, jsd, classifier, reference-cache)");
  }

  @Test
  void outOfRange() throws IOException {
    assertThat(Problems.of(null, "schedule.batch-size=0"))
        .containsExactly("--set schedule.batch-size=0: schedule.batch-size: must be >= 1 (got 0)");
    Path f =
        file(
            "data.prefetch = 65",
            "data.ring.std = 0",
            "model.generator.leaky-slope = 1.0",
            "optim.discriminator.beta2 = -0.1",
            "run.name = \"my run\"",
            "run.dir = \"\"",
            "log.progress-interval-ms = 49");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":5: run.name: must match [A-Za-z0-9._-]+ (got \"my run\")",
            f + ":6: run.dir: must not be empty",
            f + ":2: data.ring.std: must be > 0 (got 0.0)",
            f + ":1: data.prefetch: must be <= 64 (got 65)",
            f + ":3: model.generator.leaky-slope: must be < 1 (got 1.0)",
            f + ":4: optim.discriminator.beta2: must be >= 0 (got -0.1)",
            f + ":7: log.progress-interval-ms: must be >= 50 (got 49)");
  }

  @Test
  void crossFieldChecks() throws IOException {
    Path f =
        file(
            "optim.generator {",
            "  nesterov = true",
            "  momentum = 0.9",
            "}",
            "optim.discriminator { type = sgd, nesterov = true }");
    assertThat(Problems.of(f))
        .containsExactly(
            f + ":3: optim.generator.momentum: only applies to type = sgd (type is adam)",
            f + ":2: optim.generator.nesterov: only applies to type = sgd (type is adam)",
            f + ":5: optim.discriminator.nesterov: needs momentum > 0");
    assertThat(Problems.of(null, "optim.generator.nesterov=true"))
        .containsExactly(
            "--set optim.generator.nesterov=true: optim.generator.nesterov: only applies to type"
                + " = sgd (type is adam)");
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.conf");
    assertThat(Problems.of(missing)).containsExactly(missing + ": file not found");
    assertThat(Problems.of(dir)).containsExactly(dir + ": not a regular file");
  }

  @Test
  void syntaxErrorsAreShortAndLocated() throws IOException {
    Path f = file("schedule {", "  k = 2", "  batch-size = }", "}");
    assertThat(Problems.of(f))
        .containsExactly(f + ":3: syntax error: expecting a value but got wrong token: '}'");
    Path g = file("schedule {", "  k = 2");
    assertThat(Problems.of(g))
        .containsExactly(g + ":3: syntax error: unexpected end of file (a '}' or ']' missing?)");
    Path h = file("seed = 1", "eval.samples = ${nowhere}");
    assertThat(Problems.of(h))
        .containsExactly(h + ":2: substitution error: ${nowhere} is not defined");
  }

  @Test
  void malformedOverrides() {
    assertThat(
            Problems.of(
                null,
                "schedule.k",
                "=3",
                "schedule.k=",
                "a..b=1",
                "schedule.k=1, seed=2",
                "model.generator.hidden=[64,"))
        .containsExactly(
            "--set schedule.k: expected key=value",
            "--set =3: expected key=value",
            "--set schedule.k=: expected key=value",
            "--set a..b=1: invalid key \"a..b\"",
            "--set schedule.k=1, seed=2: schedule.k: expected a single value after '='",
            "--set model.generator.hidden=[64,: syntax error: unexpected end of file (a '}' or"
                + " ']' missing?)");
  }

  @Test
  void allProblemsOfAllLayersAreReported() throws IOException {
    Path f =
        file(
            "schedule {",
            "  k = 0",
            "  bach-size = 64",
            "}",
            "data.kind = circle",
            "model.generator.hidden = [64, -1]");
    assertThat(Problems.of(f, "eval.samples=0", "optim.generator.lr=0"))
        .containsExactly(
            f
                + ":5: data.kind: expected one of ring, grid, fashion-mnist, mnist, idx, image-folder, npy, got string \"circle\"",
            f + ":6: model.generator.hidden[1]: must be >= 1 (got -1)",
            "--set optim.generator.lr=0: optim.generator.lr: must be > 0 (got 0.0)",
            f + ":3: schedule.bach-size: unknown key (did you mean schedule.batch-size?)",
            f + ":2: schedule.k: must be >= 1 (got 0)",
            "--set eval.samples=0: eval.samples: must be >= 1 (got 0)");
  }

  @Test
  void parseProblemsOfSeveralLayersAreReportedTogether() {
    Path missing = dir.resolve("missing.conf");
    assertThat(Problems.of(missing, "oops", "schedule.k=2"))
        .containsExactly(missing + ": file not found", "--set oops: expected key=value");
  }
}
