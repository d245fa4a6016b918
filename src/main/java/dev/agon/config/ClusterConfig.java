package dev.agon.config;

/**
 * Membership of a run spread over several JVMs ({@code agon node}): how long a node waits to join,
 * how long the coordinator waits for every role, how fast a silent node counts as gone, and
 * transport security. Ignored by {@code agon train} (one JVM). Addresses are per node and so
 * command-line flags ({@code --host}, {@code --port}, {@code --seed}), not keys.
 */
public record ClusterConfig(
    @Doc(
            "How long a node tries to join through its seed and be welcomed by the coordinator"
                + " before it gives up with exit status 2 (seconds).")
        @Min(1)
        @Max(3600)
        int joinTimeoutSeconds,
    @Doc(
            "How long the coordinator node waits for a node of every role the run needs before it"
                + " gives up with exit status 2, naming the missing roles (seconds).")
        @Min(1)
        @Max(86400)
        int rolesTimeoutSeconds,
    @Doc("Interval between failure-detector heartbeats to each member (milliseconds).")
        @Min(100)
        @Max(60000)
        int heartbeatIntervalMs,
    @Doc(
            "A member silent for about this long is unreachable: the coordinator reports its roles"
                + " gone and removes it; a restarted node rejoins (milliseconds, more than"
                + " heartbeat-interval-ms).")
        @Min(500)
        @Max(600000)
        int acceptableHeartbeatPauseMs,
    @Doc(
            "Allow a node to bind beyond loopback (--host) without TLS; traffic and membership are"
                + " then open to the network.")
        boolean allowInsecure,
    @Doc(
            "How tensors travel between nodes: ipc (Aeron IPC through the coordinator node's media"
                + " driver, every node on one host) or udp (each node embeds its own media driver"
                + " and receives on its --host and --data-port: nodes on several hosts).")
        DataTransport transport,
    @Doc("TLS between nodes (Artery tls-tcp), required beyond loopback.") TlsConfig tls)
    implements CrossFieldCheck {

  @Override
  public void crossCheck(Violations violations) {
    if (acceptableHeartbeatPauseMs <= heartbeatIntervalMs) {
      violations.reject(
          "acceptableHeartbeatPauseMs",
          "must be more than heartbeat-interval-ms ("
              + heartbeatIntervalMs
              + "), got "
              + acceptableHeartbeatPauseMs);
    }
  }

  /**
   * Key material of Artery's {@code tls-tcp} transport, PEM files as Pekko's rotating-keys engine
   * reads them (re-read when they change, so certificates can be rotated without a restart).
   */
  public record TlsConfig(
      @Doc("Encrypt and authenticate node-to-node traffic with TLS 1.3 (mutual, CA-checked).")
          boolean enabled,
      @Doc("PEM file of this node's private key; required with tls.enabled.") String keyFile,
      @Doc("PEM file of this node's certificate for key-file; required with tls.enabled.")
          String certFile,
      @Doc("PEM file of the CA certificate every node's certificate must chain to.")
          String caCertFile)
      implements CrossFieldCheck {

    @Override
    public void crossCheck(Violations violations) {
      if (!enabled) {
        return;
      }
      String[][] files = {{"keyFile", keyFile}, {"certFile", certFile}, {"caCertFile", caCertFile}};
      for (String[] f : files) {
        if (f[1].isEmpty()) {
          violations.reject(f[0], "must name a PEM file when tls.enabled = true");
        }
      }
    }
  }
}
