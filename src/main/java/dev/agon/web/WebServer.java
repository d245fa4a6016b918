package dev.agon.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server on the JDK's {@code com.sun.net.httpserver}: exact-path routes, each with the
 * methods it accepts. Agon's read-only routes are installed by {@link AgonRoutes}; control routes
 * (pause, checkpoint, stop) are further {@link #route} calls. Requests run on a pool of their own,
 * so a slow client or a scrape never runs on an actor's thread.
 *
 * <p>Slow and hostile clients. The JDK server reads a request's line and headers on the thread that
 * will run its handler, with blocking reads and no deadline, so each client that sends half a
 * request holds a thread for as long as it likes. Three limits keep the server answering:
 *
 * <ul>
 *   <li>A bounded pool ({@link Limits#threads}) with no queue: a connection that finds every thread
 *       busy is closed at once, instead of waiting behind held ones (the total cap).
 *   <li>A request deadline ({@link Limits#requestDeadline}): a request whose line, headers and body
 *       have not all arrived by then is cut. A watchdog interrupts the thread reading it; the JDK
 *       reads through an interruptible channel, so the interrupt closes the connection and frees
 *       the thread. The handler then runs on the buffered body (at most {@value #MAX_BODY_BYTES}
 *       bytes, more is refused 413 before any of it is read), so only the reading is timed, never a
 *       handler waiting for the run.
 *   <li>A cap per client address ({@link Limits#perAddress}) on requests between their headers and
 *       their answer: one more is answered 503 at once. A client that trickles its headers is not
 *       counted yet (its address is unknown until they arrive); the pool and the deadline bound
 *       what it can hold.
 * </ul>
 *
 * This keeps the JDK server and its HTTP parsing and sets none of its JVM-wide {@code
 * sun.net.httpserver.*} properties, which are read once per JVM and would be lost if another server
 * came first.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

  /** Largest request body read; one announced or found larger is answered 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * The server's limits. Constants rather than config keys: requests to Agon are a few hundred
   * bytes from Prometheus, a browser and agon ctl, which these leave ample room.
   *
   * @param threads requests served at once; one more connection is closed unserved
   * @param perAddress requests of one client address past their headers at once; one more is 503
   * @param requestDeadline time from a request's first byte to its last one; later, it is cut
   */
  record Limits(int threads, int perAddress, Duration requestDeadline) {
    /**
     * 32 threads (their stacks are the cost: 32 × 1 MiB reserved at most, created on demand and
     * ended after a minute idle); 8 per address (a browser loads the page, its image and favicon in
     * parallel, Prometheus and agon ctl may come from the same host); 5 s to send a request that
     * fits in one packet.
     */
    static final Limits DEFAULT = new Limits(32, 8, Duration.ofSeconds(5));
  }

  /** Handles one request; may throw, which answers 500. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private record Route(String methods, Handler handler) {}

  /** Where a request stands: its reading timed, then handled; or cut by the watchdog. */
  private enum State {
    READING,
    HANDLING,
    CUT,
    DONE
  }

  /**
   * One request's reading, watched by the watchdog: {@code READING} until its body is buffered,
   * then {@code HANDLING}; {@code CUT} once the watchdog interrupted it. Synchronized so an
   * interrupt is never delivered after the thread moved on to another request.
   */
  private static final class Request {
    private final Thread thread = Thread.currentThread();
    private final long deadlineNanos;
    private State state = State.READING;

    Request(Duration deadline) {
      deadlineNanos = System.nanoTime() + deadline.toNanos();
    }

    /** Cuts the request if it is still being read past its deadline. */
    synchronized boolean cutIfLate(long now) {
      if (state == State.READING && now - deadlineNanos > 0) {
        state = State.CUT;
        thread.interrupt();
        return true;
      }
      return false;
    }

    /** Ends the timed part; false if the request was cut. */
    synchronized boolean read() {
      if (state == State.READING) {
        state = State.HANDLING;
      }
      return state == State.HANDLING;
    }

    synchronized void done() {
      state = State.DONE;
    }
  }

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService watchdog;
  private final Limits limits;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final Set<Request> reading = ConcurrentHashMap.newKeySet();
  private final ThreadLocal<Request> current = new ThreadLocal<>();
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

  private WebServer(HttpServer server, Limits limits) {
    this.server = server;
    this.limits = limits;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            0,
            limits.threads(),
            1,
            TimeUnit.MINUTES,
            new SynchronousQueue<>(),
            r -> daemon(r, "agon-http-" + n.incrementAndGet()));
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "agon-http-watchdog"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Binds {@code host:port} (port 0: any free port) and starts serving. */
  public static WebServer start(String host, int port) throws IOException {
    return start(host, port, Limits.DEFAULT);
  }

  static WebServer start(String host, int port, Limits limits) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
    WebServer w = new WebServer(s, limits);
    s.createContext("/", w::dispatch);
    // A rejected task makes the JDK close that connection: the total cap.
    s.setExecutor(w::serve);
    // A tenth of the deadline: a late request is cut at most 10% after it.
    long tick = Math.max(10, limits.requestDeadline().toMillis() / 10);
    w.watchdog.scheduleWithFixedDelay(w::cutLateRequests, tick, tick, TimeUnit.MILLISECONDS);
    s.start();
    return w;
  }

  /** Runs the JDK's task for one request (its reading, then {@link #dispatch}) on the pool. */
  private void serve(Runnable task) {
    executor.execute(
        () -> {
          Request r = new Request(limits.requestDeadline());
          reading.add(r);
          current.set(r);
          try {
            task.run();
          } finally {
            r.done();
            reading.remove(r);
            current.remove();
            Thread.interrupted(); // a cut's interrupt must not reach the next request
          }
        });
  }

  private void cutLateRequests() {
    long now = System.nanoTime();
    for (Request r : reading) {
      if (r.cutIfLate(now)) {
        reading.remove(r);
        LOG.debug("cut a request not read within {}", limits.requestDeadline());
      }
    }
  }

  /** Threads serving a request now (for tests that wait for held connections to be taken up). */
  int busyThreads() {
    return executor.getActiveCount();
  }

  /** Requests of {@code client} past their headers now (for tests, like {@link #busyThreads}). */
  int requestsFrom(InetAddress client) {
    return perAddress.getOrDefault(client, 0);
  }

  /**
   * Serves {@code path} (exact match) with {@code handler} for the listed methods, e.g. "GET" or
   * "POST"; GET routes also answer HEAD. A later call for the same path replaces the route.
   */
  public WebServer route(String path, String methods, Handler handler) {
    routes.put(path, new Route(methods, handler));
    return this;
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public String host() {
    return server.getAddress().getHostString();
  }

  private void dispatch(HttpExchange ex) throws IOException {
    InetAddress client = ex.getRemoteAddress().getAddress();
    int fromClient = perAddress.merge(client, 1, Integer::sum);
    try (ex) {
      if (fromClient > limits.perAddress()) {
        LOG.debug("503 to {}: {} requests at once", client, fromClient);
        ex.getResponseHeaders().set("Connection", "close");
        send(ex, 503, TEXT, "too many requests from this address at once\n");
        return;
      }
      byte[] body = body(ex);
      Request reader = current.get();
      if (body == null || (reader != null && !reader.read())) {
        return; // refused (413) or cut by the watchdog
      }
      ex.setStreams(new ByteArrayInputStream(body), null);
      route(ex);
    } finally {
      perAddress.computeIfPresent(client, (k, v) -> v == 1 ? null : v - 1);
    }
  }

  /**
   * The whole request body, or null when it was refused (413, announced or found larger than
   * {@value #MAX_BODY_BYTES} bytes) or the connection failed (cut by the watchdog, reset).
   */
  private static byte[] body(HttpExchange ex) throws IOException {
    // The JDK has checked that Content-Length is one non-negative long.
    String announced = ex.getRequestHeaders().getFirst("Content-Length");
    byte[] body = null;
    if (announced == null || Long.parseLong(announced.trim()) <= MAX_BODY_BYTES) {
      try {
        body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
      } catch (IOException e) {
        LOG.debug("{} {}: body not read: {}", ex.getRequestMethod(), ex.getRequestURI(), e);
        return null;
      }
    }
    if (body == null || body.length > MAX_BODY_BYTES) {
      ex.getResponseHeaders().set("Connection", "close");
      send(ex, 413, TEXT, "request body larger than " + MAX_BODY_BYTES + " bytes\n");
      return null;
    }
    return body;
  }

  private void route(HttpExchange ex) throws IOException {
    Route r = routes.get(ex.getRequestURI().getPath());
    if (r == null) {
      send(ex, 404, TEXT, "not found\n");
      return;
    }
    String method = ex.getRequestMethod();
    boolean allowed =
        r.methods().contains(method) || (method.equals("HEAD") && r.methods().contains("GET"));
    if (!allowed) {
      ex.getResponseHeaders().set("Allow", r.methods());
      send(ex, 405, TEXT, "method not allowed\n");
      return;
    }
    try {
      r.handler().handle(ex);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} {} failed: {}", method, ex.getRequestURI(), e.toString());
      try {
        send(ex, 500, TEXT, "internal error\n");
      } catch (IOException | RuntimeException ignored) {
        // Headers were already sent; the connection closes.
      }
    }
  }

  private static final String TEXT = "text/plain; charset=utf-8";

  /** Sends a complete response (no body for HEAD). */
  public static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops accepting, waits up to a second for requests in flight, and frees the threads. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    watchdog.shutdownNow();
  }
}
