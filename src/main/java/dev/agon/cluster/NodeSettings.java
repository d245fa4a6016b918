package dev.agon.cluster;

import dev.agon.config.ClusterConfig;
import java.util.Set;

/**
 * What one {@code agon node} process is: its roles, its address, the seed it joins through, the
 * run's cluster settings and what it must agree on with the coordinator.
 *
 * @param roles the roles this node hosts
 * @param host address to bind and advertise (127.0.0.1 by default)
 * @param port TCP port; 0 picks a free one (a seed node needs a fixed one)
 * @param seedHost host of the node this one joins through (the coordinator's, usually)
 * @param seedPort port of that node; 0: this node itself (a first node on a port picked at start)
 * @param cluster the run's {@code cluster.*} settings
 * @param version the Agon version this node reports in its {@code Hello}
 * @param configHash SHA-256 of the rendered config, compared with the coordinator's
 * @param exitWhenComplete coordinator only: end with status 0 once every role is up
 */
public record NodeSettings(
    Set<Role> roles,
    String host,
    int port,
    String seedHost,
    int seedPort,
    ClusterConfig cluster,
    String version,
    String configHash,
    boolean exitWhenComplete) {

  /** Whether this node keeps the membership book. */
  public boolean coordinator() {
    return roles.contains(Role.COORDINATOR);
  }
}
