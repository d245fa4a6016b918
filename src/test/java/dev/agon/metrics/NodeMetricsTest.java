package dev.agon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.testing.Await;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.StreamObserver;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportCounters;
import dev.agon.transport.TransportSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** An agon node's meters: families, labels, role placement and real transport counters. */
class NodeMetricsTest {
  private static final String COORD = "127.0.0.1:25520";

  private static NodeMetrics coordinator() {
    return new NodeMetrics(
        "ring", "ring", COORD, "coordinator,data-loader", "v1", List.of(roles()), () -> 3);
  }

  private static String[] roles() {
    return new String[] {"coordinator", "data-loader", "generator", "discriminator", "evaluator"};
  }

  @Test
  void everyNodeFamilyHasHelpTypeAndTheNodeLabels() {
    try (NodeMetrics m = coordinator()) {
      m.publisher("fake-batch", new TransportCounters());
      m.subscriber("real-batch", new TransportCounters());
      m.placement(Map.of("coordinator", COORD));
      String text = m.scrape(null).body();
      for (MeterDef def : Meters.NODE_ALL) {
        assertThat(text).as(def.name()).contains("# HELP " + def.prometheusName() + " ");
        assertThat(text).as(def.name()).contains("# TYPE " + def.prometheusName() + " ");
      }
      List<String> agon = text.lines().filter(l -> l.startsWith("agon_")).toList();
      assertThat(agon).isNotEmpty();
      assertThat(agon)
          .allSatisfy(
              l ->
                  assertThat(l)
                      .contains("node=\"" + COORD + "\"")
                      .contains("role=\"coordinator,data-loader\"")
                      .contains("run=\"ring\""));
      assertThat(value(text, "agon_cluster_members_up", "")).isEqualTo(3.0);
      assertThat(value(text, "agon_run_info", "")).isEqualTo(1.0);
    }
  }

  @Test
  void nodeMetersAreUniqueAndUseOnlyTheirDeclaredLabels() {
    Set<String> names = new HashSet<>();
    for (MeterDef m : Meters.ALL) {
      names.add(m.prometheusName());
    }
    for (MeterDef m : Meters.NODE_ALL) {
      assertThat(m.name()).startsWith("agon.");
      assertThat(names.add(m.prometheusName())).as(m.prometheusName()).isTrue();
      assertThat(m.labels()).isSubsetOf("cluster_role", "member", "stream", "reason", "kind");
    }
  }

  @Test
  void rolesUpAndPlacementFollowTheMembershipBook() {
    try (NodeMetrics m = coordinator()) {
      String text = m.scrape(null).body();
      for (String r : roles()) {
        assertThat(value(text, "agon_cluster_role_up", "cluster_role=\"" + r + "\"")).isZero();
      }
      m.placement(Map.of("coordinator", COORD, "generator", "127.0.0.1:4001"));
      text = m.scrape(null).body();
      assertThat(value(text, "agon_cluster_role_up", "cluster_role=\"generator\"")).isEqualTo(1);
      assertThat(value(text, "agon_cluster_role_up", "cluster_role=\"discriminator\"")).isZero();
      assertThat(
              value(
                  text,
                  "agon_cluster_role_placement",
                  "cluster_role=\"generator\"",
                  "member=\"127.0.0.1:4001\""))
          .isEqualTo(1);

      // The generator node was replaced: the old series ends, the new one starts.
      m.placement(Map.of("coordinator", COORD, "generator", "127.0.0.1:4002"));
      text = m.scrape(null).body();
      assertThat(text).doesNotContain("member=\"127.0.0.1:4001\"");
      assertThat(
              value(
                  text,
                  "agon_cluster_role_placement",
                  "cluster_role=\"generator\"",
                  "member=\"127.0.0.1:4002\""))
          .isEqualTo(1);

      // Gone: up 0, no placement.
      m.placement(Map.of("coordinator", COORD));
      text = m.scrape(null).body();
      assertThat(value(text, "agon_cluster_role_up", "cluster_role=\"generator\"")).isZero();
      assertThat(text).doesNotContain("cluster_role=\"generator\",experiment=\"ring\",member=");
    }
  }

  @Test
  void aWorkerExportsNoRoleGauges() {
    try (NodeMetrics m =
        new NodeMetrics("ring", "ring", "127.0.0.1:4001", "generator", "v1", List.of(), () -> 3)) {
      m.placement(Map.of("generator", "127.0.0.1:4001")); // never called on a worker; harmless
      assertThat(m.scrape(null).body()).doesNotContain("agon_cluster_role_up{");
    }
  }

  @Test
  void aRealStreamsCountersReachTheScrape(@TempDir Path dir) {
    TransportSettings s =
        TransportSettings.defaults()
            .withDriver(TransportSettings.DriverMode.EMBEDDED, dir)
            .withSizes(64 * 1024, 4096, 1 << 20);
    byte[] token = new byte[32];
    new Random(1).nextBytes(token);
    byte[] wrong = token.clone();
    wrong[0] ^= 1;
    AtomicInteger delivered = new AtomicInteger();
    try (NodeMetrics m = coordinator();
        Transport t = Transport.start(s);
        TensorSubscriber sub =
            t.subscriber(Endpoint.ipc(), 7, 5, token, x -> delivered.incrementAndGet());
        TensorPublisher pub = t.publisher(Endpoint.ipc(), 7, 5, token);
        TensorPublisher forger = t.publisher(Endpoint.ipc(), 7, 5, wrong)) {
      m.publisher("g-snapshot", pub.counters());
      m.subscriber("g-snapshot", sub.counters());
      float[] values = new float[3000]; // 12,000 bytes: 3 chunks of 4,096
      Arrays.fill(values, 0.5f);
      pub.send(FrameKind.G_SNAPSHOT, 1, 1, Nd4j.create(values));
      forger.send(FrameKind.G_SNAPSHOT, 2, 2, Nd4j.create(new float[] {1f}));
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            sub.poll(16);
            return delivered.get() == 1 && sub.counters().dropsTotal() == 1;
          },
          "one tensor delivered and one forged frame dropped");
      String text = m.scrape(null).body();
      String st = "stream=\"g-snapshot\"";
      assertThat(pub.counters().framesSent()).isEqualTo(3);
      assertThat(value(text, "agon_transport_frames_sent_total", st)).isEqualTo(3);
      assertThat(value(text, "agon_transport_sent_bytes_total", st))
          .isEqualTo(pub.counters().bytesSent())
          .isGreaterThan(12_000);
      assertThat(value(text, "agon_transport_frames_received_total", st)).isEqualTo(3);
      assertThat(value(text, "agon_transport_received_bytes_total", st))
          .isEqualTo(sub.counters().bytesReceived());
      assertThat(value(text, "agon_transport_dropped_frames_total", st, "reason=\"wrong-token\""))
          .isEqualTo(1);
      assertThat(value(text, "agon_transport_dropped_frames_total", st, "reason=\"payload-crc\""))
          .isZero();
      assertThat(value(text, "agon_transport_send_failures_total", st, "reason=\"not-connected\""))
          .isZero();
      assertThat(value(text, "agon_transport_backpressure_waits_total", st))
          .isEqualTo(pub.counters().backPressureWaits());
    }
  }

  /**
   * Every stream a Transport opens reaches the meters through the process's {@link StreamObserver}
   * (as {@code agon node} binds it), and a stream opened again (a relaunch) adds to the counters of
   * the one before: exported counters never go back.
   */
  @Test
  void streamsOpenedAgainAddToTheirCounters(@TempDir Path dir) {
    TransportSettings s =
        TransportSettings.defaults()
            .withDriver(TransportSettings.DriverMode.EMBEDDED, dir)
            .withSizes(64 * 1024, 4096, 1 << 20);
    byte[] token = new byte[32];
    new Random(3).nextBytes(token);
    AtomicInteger delivered = new AtomicInteger();
    long sent = 0;
    try (NodeMetrics m = coordinator();
        Transport t = Transport.start(s)) {
      Transport.observe(
          new StreamObserver() {
            @Override
            public void publisherOpened(int streamId, TransportCounters c) {
              m.publisher("s" + streamId, c);
            }

            @Override
            public void subscriberOpened(int streamId, TransportCounters c) {
              m.subscriber("s" + streamId, c);
            }
          });
      for (int launch = 1; launch <= 2; launch++) {
        try (TensorSubscriber sub =
                t.subscriber(Endpoint.ipc(), 9, launch, token, x -> delivered.incrementAndGet());
            TensorPublisher pub = t.publisher(Endpoint.ipc(), 9, launch, token)) {
          pub.send(FrameKind.D_SNAPSHOT, 1, 1, Nd4j.create(new float[3000]));
          int want = launch;
          Await.until(
              Duration.ofSeconds(30),
              () -> {
                sub.poll(16);
                return delivered.get() == want;
              },
              "launch " + launch + "'s snapshot delivered");
          sent += pub.counters().bytesSent();
        }
      }
      String text = m.scrape(null).body();
      assertThat(value(text, "agon_transport_frames_sent_total", "stream=\"s9\"")).isEqualTo(6);
      assertThat(value(text, "agon_transport_sent_bytes_total", "stream=\"s9\""))
          .isEqualTo(sent)
          .isGreaterThan(24_000);
      assertThat(value(text, "agon_transport_frames_received_total", "stream=\"s9\"")).isEqualTo(6);
      assertThat(
              value(text, "agon_transport_snapshot_latency_seconds_count", "kind=\"d-snapshot\""))
          .isEqualTo(2);
    } finally {
      Transport.observe(StreamObserver.NONE);
    }
  }

  /**
   * A snapshot received on a stream bound to the meters lands in the latency histogram of its kind,
   * measured from the frame's send time; a fake batch does not (it is no snapshot).
   */
  @Test
  void aReceivedSnapshotsLatencyLandsInTheHistogram(@TempDir Path dir) {
    TransportSettings s =
        TransportSettings.defaults()
            .withDriver(TransportSettings.DriverMode.EMBEDDED, dir)
            .withSizes(64 * 1024, 4096, 1 << 20);
    byte[] token = new byte[32];
    new Random(2).nextBytes(token);
    AtomicInteger delivered = new AtomicInteger();
    try (NodeMetrics m = coordinator();
        Transport t = Transport.start(s);
        TensorSubscriber sub =
            t.subscriber(Endpoint.ipc(), 8, 5, token, x -> delivered.incrementAndGet());
        TensorPublisher pub = t.publisher(Endpoint.ipc(), 8, 5, token)) {
      m.subscriber("d-snapshot", sub.counters());
      long before = System.nanoTime();
      pub.send(FrameKind.D_SNAPSHOT, 1, 1, Nd4j.create(new float[3000]));
      pub.send(FrameKind.FAKE_BATCH, 1, 1, Nd4j.create(new float[10]));
      Await.until(
          Duration.ofSeconds(30),
          () -> {
            sub.poll(16);
            return delivered.get() == 2;
          },
          "a snapshot and a fake batch delivered");
      double elapsed = (System.nanoTime() - before) / 1e9;
      String text = m.scrape(null).body();
      String family = "agon_transport_snapshot_latency_seconds";
      assertThat(value(text, family + "_count", "kind=\"d-snapshot\"")).isEqualTo(1);
      assertThat(value(text, family + "_sum", "kind=\"d-snapshot\""))
          .isGreaterThanOrEqualTo(0)
          .isLessThanOrEqualTo(elapsed + 0.002); // clocks: epoch micros against nanoTime
      assertThat(value(text, family + "_count", "kind=\"g-snapshot\"")).isZero();
      assertThat(value(text, family + "_count", "kind=\"evaluation-snapshot\"")).isZero();
    }
  }

  @Test
  void snapshotLatencyUsesItsExplicitBuckets() {
    try (NodeMetrics m = coordinator()) {
      m.snapshotLatency("g-snapshot").record(Duration.ofMillis(30));
      String text = m.scrape(null).body();
      String kind = "kind=\"g-snapshot\"";
      String family = "agon_transport_snapshot_latency_seconds_bucket";
      assertThat(value(text, family, kind, "le=\"0.025\"")).isZero();
      assertThat(value(text, family, kind, "le=\"0.05\"")).isEqualTo(1);
      assertThat(value(text, family, "kind=\"d-snapshot\"", "le=\"+Inf\"")).isZero();
      assertThatThrownBy(() -> m.snapshotLatency("fake-batch"))
          .hasMessageContaining("unknown snapshot kind fake-batch");
    }
  }

  /** The value of the one sample of {@code family} whose labels contain every {@code label}. */
  private static double value(String text, String family, String... labels) {
    List<String> hits =
        text.lines()
            .filter(l -> l.startsWith(family + "{"))
            .filter(l -> Arrays.stream(labels).allMatch(l::contains))
            .toList();
    assertThat(hits).as(family + " " + Arrays.toString(labels) + " in\n" + text).hasSize(1);
    String l = hits.get(0);
    return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
  }
}
