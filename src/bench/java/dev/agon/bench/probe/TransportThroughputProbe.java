/*
 * Snapshot throughput of dev.agon.transport over Aeron IPC and UDP loopback against a plain memcpy
 * of the same bytes in the same run (goal: IPC >= 50% of memcpy). One embedded media driver
 * (SHARED threading, backoff idle), 64 MiB terms, 4 MiB chunks; a publisher thread sends REPEATS
 * snapshots of MB megabytes (after one untimed warm-up), the main thread polls, reassembles and
 * touches nothing else; throughput = bytes delivered / time from the first send to the last
 * delivery. UDP runs twice: Aeron's socket buffers and 4 MiB ones (capped by net.core.[rw]mem_max).
 *
 * Run: java --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp target/agon.jar
 *      src/bench/java/dev/agon/bench/probe/TransportThroughputProbe.java [MB REPEATS [CASES
 *      [CHUNK_KIB [cpu]]]]  (50 10 ipc,udp,udp-4m 4096; CASES: the transport cases to run;
 *      cpu: after each line, a "BENCH transport-cpu" line with the CPU time per snapshot of the
 *      memcpy thread, or of the sending and the polling thread (the driver's thread not counted),
 *      which load from other processes inflates far less than wall time)
 * (one file, so Java's source launcher runs it without a build of the tests;
 * TransportProbeSmokeTest runs one small step of it).
 */
package dev.agon.bench.probe;

import dev.agon.transport.Dtype;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

public class TransportThroughputProbe {
  static boolean cpu;
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    String cases = args.length > 2 ? args[2] : "ipc,udp,udp-4m";
    int chunkKib = args.length > 3 ? Integer.parseInt(args[3]) : 4096;
    cpu = args.length > 4 && args[4].equals("cpu");
    run(System.out, mb, repeats, List.of(cases.split(",")), chunkKib << 10);
  }

  /** Prints one line per case: memcpy, ipc, udp, udp with 4 MiB socket buffers. */
  public static void run(PrintStream out, int mb, int repeats) throws Exception {
    run(out, mb, repeats, List.of("ipc", "udp", "udp-4m"), 4 << 20);
  }

  /** memcpy, then the named transport {@code cases}, with chunks of {@code chunk} bytes. */
  public static void run(PrintStream out, int mb, int repeats, List<String> cases, int chunk)
      throws Exception {
    int bytes = mb * 1_000_000 / 4 * 4;
    ByteBuffer src = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < bytes / 4; i++) {
      src.putFloat(4 * i, i);
    }
    double memcpy = memcpyMbPerS(src, repeats);
    line(out, "memcpy", mb, repeats, memcpy, memcpy);
    Path dir = Files.createTempDirectory("agon-transport-probe");
    TransportSettings s =
        TransportSettings.defaults()
            .withDriver(TransportSettings.DriverMode.EMBEDDED, dir)
            .withSizes(64 << 20, chunk, 1L << 30);
    try {
      try (Transport t = Transport.start(s)) {
        if (cases.contains("ipc")) {
          line(out, "ipc", mb, repeats, sendMbPerS(t, Endpoint.ipc(), 1, src, repeats), memcpy);
        }
        if (cases.contains("udp")) {
          line(out, "udp", mb, repeats, sendMbPerS(t, loopback(), 2, src, repeats), memcpy);
        }
      }
      if (cases.contains("udp-4m")) {
        try (Transport t = Transport.start(s.withSocketBufferBytes(4 << 20))) {
          line(out, "udp-4m", mb, repeats, sendMbPerS(t, loopback(), 3, src, repeats), memcpy);
        }
      }
    } finally {
      dev.agon.util.DurableFiles.deleteTree(dir); // also after a failed case: no leftovers in /tmp
    }
  }

  static double memcpyMbPerS(ByteBuffer src, int repeats) {
    int n = src.capacity();
    UnsafeBuffer from = new UnsafeBuffer(src);
    UnsafeBuffer to = new UnsafeBuffer(ByteBuffer.allocateDirect(n));
    to.putBytes(0, from, 0, n); // warm-up, and the destination's pages faulted in
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    for (int r = 0; r < repeats; r++) {
      to.putBytes(0, from, 0, n);
    }
    long cpuNs = THREADS.getCurrentThreadCpuTime() - cpuStart;
    double mbs = mbPerS((long) n * repeats, System.nanoTime() - start);
    cpuLine("memcpy", cpuNs / repeats, 0);
    return mbs;
  }

  static double sendMbPerS(Transport t, Endpoint at, int stream, ByteBuffer src, int repeats)
      throws Exception {
    byte[] token = new byte[32];
    long[] shape = {src.capacity() / 4};
    AtomicLong delivered = new AtomicLong();
    try (TensorSubscriber sub =
            t.subscriber(at, stream, 1, token, m -> delivered.incrementAndGet());
        TensorPublisher pub = t.publisher(at, stream, 1, token)) {
      BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
      long start = 0;
      long sendCpuNs = 0;
      long pollCpuNs = 0;
      for (int round = 0; round < 2; round++) {
        int n = round == 0 ? 1 : repeats; // round 0: the untimed warm-up
        long target = delivered.get() + n;
        start = System.nanoTime();
        long pollCpuStart = THREADS.getCurrentThreadCpuTime();
        CompletableFuture<Long> sending =
            CompletableFuture.supplyAsync(
                () -> {
                  long cpuStart = THREADS.getCurrentThreadCpuTime();
                  for (int r = 0; r < n; r++) {
                    pub.send(FrameKind.G_SNAPSHOT, r, r, Dtype.FLOAT32, shape, src.duplicate());
                  }
                  return THREADS.getCurrentThreadCpuTime() - cpuStart;
                });
        while (delivered.get() < target) {
          if (sending.isCompletedExceptionally()) {
            sending.join();
          }
          idle.idle(sub.poll(64));
        }
        pollCpuNs = THREADS.getCurrentThreadCpuTime() - pollCpuStart;
        sendCpuNs = sending.join();
      }
      double mbs = mbPerS((long) src.capacity() * repeats, System.nanoTime() - start);
      cpuLine(at.isIpc() ? "ipc" : "udp", sendCpuNs / repeats, pollCpuNs / repeats);
      return mbs;
    }
  }

  static Endpoint loopback() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return Endpoint.loopback(s.getLocalPort());
    }
  }

  /** With "cpu": CPU ms per snapshot of the sending (or memcpy) thread and the polling thread. */
  static void cpuLine(String name, long sendNs, long pollNs) {
    if (cpu) {
      System.out.println(
          String.format(
              Locale.ROOT,
              "BENCH transport-cpu %-7s %8.2f ms send %8.2f ms poll per snapshot",
              name,
              sendNs / 1e6,
              pollNs / 1e6));
    }
  }

  static double mbPerS(long bytes, long ns) {
    return bytes / 1e6 / (ns / 1e9);
  }

  static void line(PrintStream out, String name, int mb, int repeats, double mbs, double memcpy) {
    out.println(
        String.format(
            Locale.ROOT,
            "BENCH transport %-7s %d MB x %d  %10.1f MB/s  %6.1f%% of memcpy",
            name,
            mb,
            repeats,
            mbs,
            100 * mbs / memcpy));
  }
}
