package dev.agon.transport;

import java.util.Objects;

/**
 * Where a stream flows: {@code aeron:ipc} between processes of one media driver, or UDP unicast to
 * the subscriber's host and port (loopback by default). Turns into the Aeron channel strings of the
 * publication (which sets the term length and socket buffers) and of the subscription.
 *
 * @param host UDP host the subscriber binds; null for IPC
 * @param port UDP port the subscriber binds; 0 for IPC
 */
public record Endpoint(String host, int port) {
  public Endpoint {
    if (host == null ? port != 0 : port < 1 || port > 65535 || host.isBlank()) {
      throw new IllegalArgumentException("a UDP endpoint needs a host and a port in 1..65535");
    }
  }

  public static Endpoint ipc() {
    return new Endpoint(null, 0);
  }

  public static Endpoint udp(String host, int port) {
    return new Endpoint(Objects.requireNonNull(host, "host"), port);
  }

  /** UDP on 127.0.0.1: nothing beyond this host can send or receive. */
  public static Endpoint loopback(int port) {
    return udp("127.0.0.1", port);
  }

  public boolean isIpc() {
    return host == null;
  }

  String subscriptionChannel(TransportSettings s) {
    return isIpc() ? "aeron:ipc" : "aeron:udp?endpoint=" + host + ":" + port + sockets(s, false);
  }

  String publicationChannel(TransportSettings s) {
    String term = "term-length=" + s.termLengthBytes();
    return isIpc()
        ? "aeron:ipc?" + term + "|mtu=" + ipcMtu(s.termLengthBytes())
        : "aeron:udp?endpoint=" + host + ":" + port + "|" + term + sockets(s, true);
  }

  /** Aeron's largest MTU (its UDP payload bound, a multiple of the 32-byte frame alignment). */
  static final int MAX_MTU_BYTES = 65_504;

  /**
   * The MTU of an IPC publication: Aeron's largest, or term/8 for terms under 512 KiB (Aeron's
   * bound). Over IPC the MTU is only the fragment size in the term (no network), and a large one
   * lets the publisher write a whole chunk with one claim (see {@link TensorPublisher}) and the
   * subscriber read it in one fragment: 1/47 of the fragments of Aeron's 1,408-byte default.
   */
  static int ipcMtu(int termLengthBytes) {
    return Math.min(MAX_MTU_BYTES, termLengthBytes / 8);
  }

  private static String sockets(TransportSettings s, boolean publication) {
    int b = s.socketBufferBytes();
    if (b == 0) {
      return "";
    }
    return publication ? "|so-sndbuf=" + b : "|so-rcvbuf=" + b + "|rcv-wnd=" + b;
  }

  @Override
  public String toString() {
    return isIpc() ? "aeron:ipc" : host + ":" + port;
  }
}
