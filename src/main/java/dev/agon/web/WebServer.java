package dev.agon.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server on the JDK's {@code com.sun.net.httpserver}: exact-path routes, each with the
 * methods it accepts. Agon's read-only routes are installed by {@link AgonRoutes}; control routes
 * (pause, checkpoint, stop) are further {@link #route} calls. Requests run on two daemon threads of
 * their own, so a slow client or a scrape never runs on an actor's thread.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

  /** Handles one request; may throw, which answers 500. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private record Route(String methods, Handler handler) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  private WebServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Binds {@code host:port} (port 0: any free port) and starts serving. */
  public static WebServer start(String host, int port) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
    AtomicInteger n = new AtomicInteger();
    ExecutorService ex =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "agon-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    WebServer w = new WebServer(s, ex);
    s.createContext("/", w::dispatch);
    s.setExecutor(ex);
    s.start();
    return w;
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
    try (ex) {
      Route r = routes.get(ex.getRequestURI().getPath());
      if (r == null) {
        send(ex, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      String method = ex.getRequestMethod();
      boolean allowed =
          r.methods().contains(method) || (method.equals("HEAD") && r.methods().contains("GET"));
      if (!allowed) {
        ex.getResponseHeaders().set("Allow", r.methods());
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      try {
        r.handler().handle(ex);
      } catch (IOException | RuntimeException e) {
        LOG.warn("{} {} failed: {}", method, ex.getRequestURI(), e.toString());
        try {
          send(ex, 500, "text/plain; charset=utf-8", "internal error\n");
        } catch (IOException | RuntimeException ignored) {
          // Headers were already sent; the connection closes.
        }
      }
    }
  }

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
  }
}
