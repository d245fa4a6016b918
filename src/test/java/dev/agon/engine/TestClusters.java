package dev.agon.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;

/** Actor-system configs for tests that form a Pekko Cluster inside one JVM. */
final class TestClusters {
  private TestClusters() {}

  /**
   * A cluster member over Artery TCP on loopback at a free port, joining {@code seed} (null: none,
   * the caller joins itself), with no downing provider (as agon node: members are downed by hand),
   * on the engine's Pekko config; {@code extra} settings win.
   */
  static Config member(Address seed, Map<String, Object> extra) {
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.actor.provider", "cluster");
    m.put("pekko.remote.artery.transport", "tcp");
    m.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
    m.put("pekko.remote.artery.canonical.port", 0);
    m.put("pekko.cluster.downing-provider-class", "");
    m.put("pekko.cluster.jmx.enabled", "off");
    m.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    m.put("pekko.jvm-shutdown-hooks", "off");
    // The engine-serialized test execution turns on serialize-creators, whose check fails on
    // Pekko Cluster's own system actors (heartbeatReceiver); the messages stay checked.
    m.put("pekko.actor.serialize-creators", "off");
    if (seed != null) {
      m.put(
          "pekko.cluster.seed-nodes",
          List.of("pekko://agon@" + seed.getHost().get() + ":" + seed.getPort().get()));
    }
    m.putAll(extra);
    return ConfigFactory.parseMap(m).withFallback(TrainRun.pekkoConfig()).resolve();
  }
}
