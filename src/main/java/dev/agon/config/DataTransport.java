package dev.agon.config;

/**
 * How tensors travel between the nodes of a run ({@code cluster.transport}). HOCON spelling: {@code
 * ipc}, {@code udp}.
 */
public enum DataTransport {
  /** Aeron IPC through the coordinator node's media driver: every node on one host. */
  IPC,
  /**
   * Aeron UDP unicast: each node embeds its own media driver and subscribes on its {@code --host}
   * and {@code --data-port}, so nodes may be on different hosts.
   */
  UDP
}
