package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agon ctl} against a real training run: checkpoint, schedule, stop. */
class CtlCommandTest {
  @TempDir Path tmp;

  @Test
  void ctlCheckpointsChangesTheScheduleAndStopsARunningRun() throws Exception {
    Path run = tmp.resolve("ctl");
    CompletableFuture<CliRunner> training = startRun(run);
    Path port = run.resolve("http.port");
    HttpClient http = HttpClient.newHttpClient();

    CliRunner cp = CliRunner.run("ctl", "checkpoint", "--run", run.toString());
    assertThat(cp.status()).as(cp.err()).isZero();
    assertThat(cp.out()).contains("\"outcome\":\"accepted\"");
    try (var dirs = Files.list(run.resolve("checkpoints"))) {
      assertThat(dirs.filter(d -> d.getFileName().toString().matches("\\d{10}"))).isNotEmpty();
    }

    CliRunner k = CliRunner.run("ctl", "schedule", "--run", run.toString(), "--k", "2");
    assertThat(k.status()).as(k.err()).isZero();
    // The change applies at the end of the iteration in flight; a stop that lands first ends the
    // run at that same iteration, before it. Wait until the gauge shows it applied.
    URI scrape = URI.create("http://127.0.0.1:" + Files.readString(port).trim() + "/metrics");
    Pattern applied = Pattern.compile("(?m)^agon_schedule_k(\\{[^}]*\\})? 2(\\.0)?$");
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(20),
        () ->
            applied
                .matcher(
                    http.send(
                            HttpRequest.newBuilder(scrape).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body())
                .find(),
        "agon_schedule_k 2 on /metrics");
    CliRunner none = CliRunner.run("ctl", "schedule", "--run", run.toString());
    assertThat(none.status()).isEqualTo(2);
    assertThat(none.err()).contains("schedule needs at least one of");
    CliRunner bad = CliRunner.run("ctl", "schedule", "--run", run.toString(), "--k", "0");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.errLines()).containsExactly("error: --k must be in [1, 1000] (got 0)");

    CliRunner avg =
        CliRunner.run(
            "ctl",
            "averaging",
            "--run",
            run.toString(),
            "--network",
            "discriminator",
            "--weight",
            "0.01");
    assertThat(avg.status()).as(avg.err()).isZero();
    assertThat(avg.out()).contains("\"outcome\":\"accepted\"");
    // The weight applies from D's next update; a stop that lands first ends the run before it
    // (no record, correctly). Wait until D's averaging penalty shows on /metrics.
    dev.agon.testing.Await.until(
        java.time.Duration.ofSeconds(60),
        () -> averagingPenalty(http, scrape) > 0,
        "D's historical-averaging penalty above 0 on /metrics");

    CliRunner stop = CliRunner.run("ctl", "stop", "--run", run.toString());
    assertThat(stop.status()).as(stop.err()).isZero();
    CliRunner t = training.get(120, TimeUnit.SECONDS);
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(Files.readString(run.resolve("metrics.jsonl")))
        .contains("\"change\":\"schedule\"")
        .contains("\"change\":\"discriminator_averaging\"")
        .contains("\"k\":2");
  }

  /**
   * Defect 1: a checkpoint that cannot be written (a file stands where its directory must go) was
   * answered as accepted. The control API must answer non-2xx, {@code agon ctl checkpoint} exit 1,
   * the run go on, and the checkpoint before it stay as it was.
   */
  @Test
  void aCheckpointThatFailsToWriteIsReportedAsFailedAndTheRunGoesOn() throws Exception {
    Path run = tmp.resolve("failing");
    CompletableFuture<CliRunner> training = startRun(run);
    CliRunner first = CliRunner.run("ctl", "checkpoint", "--run", run.toString());
    assertThat(first.status()).as(first.err()).isZero();
    Path previous;
    try (var dirs = Files.list(run.resolve("checkpoints"))) {
      previous =
          dirs.filter(d -> d.getFileName().toString().matches("\\d{10}")).findFirst().orElseThrow();
    }
    byte[] manifest = Files.readAllBytes(previous.resolve(CheckpointStore.MANIFEST));

    CliRunner paused = CliRunner.run("ctl", "pause", "--run", run.toString());
    assertThat(paused.status()).as(paused.err()).isZero();
    long at = pausedIteration(paused);
    Path blocked = CheckpointStore.dirOf(run, at);
    if (!Files.exists(blocked)) {
      Files.writeString(blocked, "not a directory"); // the write of checkpoint `at` must fail
    }
    HttpResponse<String> api =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base(run) + "/api/control/checkpoint"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode() / 100).as(api.statusCode() + " " + api.body()).isNotEqualTo(2);
    assertThat(api.statusCode()).as(api.body()).isEqualTo(500);
    assertThat(api.body()).contains("\"outcome\":\"failed\"");
    CliRunner failed = CliRunner.run("ctl", "checkpoint", "--run", run.toString());
    assertThat(failed.status()).as(failed.out() + failed.err()).isEqualTo(1);
    assertThat(failed.errLines()).allMatch(l -> l.startsWith("error: "));

    assertThat(CliRunner.run("ctl", "resume", "--run", run.toString()).status()).isZero();
    Await.until(
        Duration.ofSeconds(90),
        Duration.ofMillis(20),
        () -> {
          assertThat(training.isDone()).as("the run ended after the failed checkpoint").isFalse();
          return generatorSteps(run) > at;
        },
        "G updates after the failed checkpoint at " + at);
    assertThat(CliRunner.run("ctl", "stop", "--run", run.toString()).status()).isZero();
    CliRunner t = training.get(120, TimeUnit.SECONDS);
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(Files.readAllBytes(previous.resolve(CheckpointStore.MANIFEST)))
        .as("the previous checkpoint is untouched")
        .isEqualTo(manifest);
    assertThat(CheckpointStore.read(previous).engine()).containsKey("engine.g_done");
  }

  /**
   * A finished (or killed) run leaves its http.port behind, and the port may be served by another
   * run later. {@code agon ctl --run OLD} must refuse (exit 2, nothing sent) rather than pause,
   * checkpoint or stop the run that now listens there: a bench run on the same machine was stopped
   * and checkpointed by the bad-input corpus's ctl cases aimed at a copied run directory.
   */
  @Test
  void ctlRefusesARunDirectoryWhosePortAnotherRunNowServes() throws Exception {
    Path live = tmp.resolve("live");
    CompletableFuture<CliRunner> training = startRun(live);
    Path old = tmp.resolve("old");
    Files.createDirectories(old);
    Files.copy(live.resolve("http.port"), old.resolve("http.port"));

    for (String action : new String[] {"checkpoint", "pause", "stop", "status"}) {
      CliRunner r = CliRunner.run("ctl", action, "--run", old.toString());
      assertThat(r.status()).as(action + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.errLines())
          .as(action)
          .singleElement()
          .asString()
          .startsWith("error: " + old + " is not running: its http.port (");
      assertThat(r.out()).as(action).isEmpty();
    }
    assertThat(live.resolve("checkpoints")).doesNotExist();
    assertThat(training.isDone()).as("the live run was not stopped").isFalse();
    CliRunner own = CliRunner.run("ctl", "checkpoint", "--run", live.toString());
    assertThat(own.status()).as(own.err()).isZero();
    assertThat(CliRunner.run("ctl", "stop", "--run", live.toString()).status()).isZero();
    assertThat(training.get(120, TimeUnit.SECONDS).status()).isZero();
  }

  /** Starts a long ring run with an HTTP endpoint and waits until it takes control requests. */
  private static CompletableFuture<CliRunner> startRun(Path run) throws Exception {
    CompletableFuture<CliRunner> training =
        CompletableFuture.supplyAsync(
            () ->
                CliRunner.train(
                    run,
                    "config/ring.conf",
                    "schedule.iterations=100000000",
                    "metrics.port=0",
                    "checkpoint.every-steps=0",
                    "checkpoint.every-seconds=0",
                    "eval.every-steps=0"));
    Path port = run.resolve("http.port");
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> {
          assertThat(training.isDone()).as("the run ended before it served").isFalse();
          return Files.exists(port);
        },
        "the run's port file");
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create(base(run) + "/-/ready");
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () ->
            http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200,
        "/-/ready answers 200");
    return training;
  }

  private static String base(Path run) throws java.io.IOException {
    return "http://127.0.0.1:" + Files.readString(run.resolve("http.port")).trim();
  }

  /** G updates made so far, from the run's /metrics. */
  private static long generatorSteps(Path run) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base(run) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    var m =
        Pattern.compile(
                "(?m)^agon_optimizer_steps_total\\{[^}]*network=\"generator\"[^}]*\\} ([0-9.eE+]+)$")
            .matcher(body);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  /** The iteration at whose end a {@code ctl pause} left the run: the reply's field. */
  private static long pausedIteration(CliRunner paused) {
    var m = Pattern.compile("\"iteration\":(\\d+)").matcher(paused.out());
    assertThat(m.find()).as(paused.out()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /**
   * Defect 5: out-of-bounds values are refused by ctl itself, naming the flag and the config's
   * bound, before it looks for the run (there is none here).
   */
  @Test
  void ctlRefusesValuesOutsideTheConfigsBoundsNamingTheFlag() {
    String[][] cases = {
      {"--k", "1001", "--k must be in [1, 1000] (got 1001)"},
      {"--k", "0", "--k must be in [1, 1000] (got 0)"},
      {"--staleness", "101", "--staleness must be in [0, 100] (got 101)"},
      {"--generator-lr", "0", "--generator-lr must be finite and > 0 (got 0)"},
      {"--discriminator-lr", "NaN", "--discriminator-lr must be finite and > 0 (got NaN)"},
    };
    for (String[] c : cases) {
      CliRunner r = CliRunner.run("ctl", "schedule", "--run", tmp.toString(), c[0], c[1]);
      assertThat(r.status()).as(r.err()).isEqualTo(2);
      assertThat(r.errLines()).as(c[0]).containsExactly("error: " + c[2]);
    }
  }

  /** Defect 4: {@code agon ctl averaging} exists and checks its flags before it looks for a run. */
  @Test
  void ctlAveragingChecksItsFlags() {
    CliRunner ok =
        CliRunner.run(
            "ctl",
            "averaging",
            "--run",
            tmp.toString(),
            "--network",
            "generator",
            "--weight",
            "0.1");
    assertThat(ok.status()).isEqualTo(2);
    assertThat(ok.errLines()).singleElement().asString().contains("has no http.port");
    CliRunner bad =
        CliRunner.run(
            "ctl",
            "averaging",
            "--run",
            tmp.toString(),
            "--network",
            "generator",
            "--weight",
            "-1");
    assertThat(bad.errLines()).containsExactly("error: --weight must be finite and >= 0 (got -1)");
  }

  @Test
  void ctlNeedsARunningRunAndAKnownAction() {
    CliRunner none = CliRunner.run("ctl", "pause", "--run", tmp.toString());
    assertThat(none.status()).isEqualTo(2);
    assertThat(none.err()).contains("has no http.port");
    CliRunner unknown = CliRunner.run("ctl", "explode", "--run", tmp.toString());
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown action 'explode'");
  }

  /** D's historical-averaging penalty as /metrics shows it; 0 when absent. */
  private static double averagingPenalty(HttpClient http, URI scrape) {
    String body;
    try {
      body =
          http.send(HttpRequest.newBuilder(scrape).build(), HttpResponse.BodyHandlers.ofString())
              .body();
    } catch (java.io.IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    return body.lines()
        .filter(l -> l.startsWith("agon_loss{"))
        .filter(l -> l.contains("network=\"discriminator\"") && l.contains("term=\"averaging\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .filter(Double::isFinite)
        .max()
        .orElse(0);
  }
}
