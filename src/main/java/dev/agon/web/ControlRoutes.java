package dev.agon.web;

import com.sun.net.httpserver.HttpExchange;
import dev.agon.config.Player;
import dev.agon.config.RuntimeLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The control API: {@code POST /api/control/pause}, {@code resume}, {@code checkpoint}, {@code
 * stop}, {@code schedule} (parameters {@code k}, {@code staleness}, {@code generator-lr}, {@code
 * discriminator-lr}) and {@code averaging} ({@code network} generator or discriminator, {@code
 * weight}, optional {@code start}, default 0), parameters in the query string or a form body.
 * Answers JSON {@code {"accepted": ..., "outcome": "accepted"|"refused"|"failed", "iteration": N or
 * null, "message": ...}} (the message is for people): 200 accepted, 409 refused by the run, 500
 * failed (a checkpoint not written), 400 invalid input (a value outside the config's declared
 * bounds, {@link RuntimeLimits}, included), 401 without the right bearer token, 403 when a token is
 * required and none is configured, 413 for a body over {@value #MAX_BODY_BYTES} bytes, 503 while
 * the run restarts, 504 when it does not answer in time.
 *
 * <p>Authentication: a server bound to a loopback address takes requests without a token unless one
 * is configured; bound to any other address it requires {@code Authorization: Bearer TOKEN} (the
 * scheme in any case), the token compared in constant time ({@link MessageDigest#isEqual}), and
 * refuses everything when no token is configured.
 */
public final class ControlRoutes {
  /** Largest request body read (form parameters are short). */
  public static final int MAX_BODY_BYTES = 1024;

  private static final Set<String> SCHEDULE_KEYS =
      Set.of("k", "staleness", "generator-lr", "discriminator-lr");

  private static final Set<String> AVERAGING_KEYS = Set.of("network", "weight", "start");

  /** The networks {@code averaging} names. */
  public static final List<String> NETWORKS = Player.labels();

  private final Control control;
  private final byte[] token;
  private final boolean tokenRequired;
  private final long timeoutMs;

  private ControlRoutes(Control control, byte[] token, boolean tokenRequired, long timeoutMs) {
    this.control = control;
    this.token = token;
    this.tokenRequired = tokenRequired;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Installs the control routes on {@code server}. {@code token}: the bearer token, or null for
   * none; required whenever set, and always when {@code host} is not a loopback address. {@code
   * timeoutMs}: how long a request waits for the run's answer (a checkpoint may take a while).
   */
  public static void install(
      WebServer server, Control control, String host, String token, long timeoutMs) {
    boolean required = token != null || !loopback(host);
    ControlRoutes r =
        new ControlRoutes(
            control,
            token == null ? null : token.getBytes(StandardCharsets.UTF_8),
            required,
            timeoutMs);
    server.route("/api/control/pause", "POST", ex -> r.handle(ex, Set.of(), p -> control.pause()));
    server.route(
        "/api/control/resume", "POST", ex -> r.handle(ex, Set.of(), p -> control.resume()));
    server.route(
        "/api/control/checkpoint", "POST", ex -> r.handle(ex, Set.of(), p -> control.checkpoint()));
    server.route(
        "/api/control/stop",
        "POST",
        ex -> r.handle(ex, Set.of(), p -> control.stop("stop requested over the control API")));
    server.route("/api/control/schedule", "POST", ex -> r.handle(ex, SCHEDULE_KEYS, r::schedule));
    server.route(
        "/api/control/averaging", "POST", ex -> r.handle(ex, AVERAGING_KEYS, r::averaging));
  }

  /** Whether {@code host} names only loopback addresses (an unresolvable name does not). */
  static boolean loopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A request that the input does not allow; answered 400 with its message. */
  private static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @FunctionalInterface
  private interface Action {
    CompletionStage<Control.Reply> apply(Map<String, String> params) throws BadRequest;
  }

  private void handle(HttpExchange ex, Set<String> allowed, Action action) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (tokenRequired) {
      if (token == null) {
        reply(ex, 403, false, "the control API needs a bearer token when bound beyond loopback");
        return;
      }
      if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        reply(ex, 401, false, "missing or wrong bearer token");
        return;
      }
    }
    Control.Reply r;
    try {
      Map<String, String> params = params(ex, allowed);
      r = action.apply(params).toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (BadRequest e) {
      reply(ex, e.status, false, e.getMessage());
      return;
    } catch (TimeoutException e) {
      reply(ex, 504, false, "the run did not answer within " + timeoutMs + " ms");
      return;
    } catch (ExecutionException e) {
      reply(ex, 503, false, "the run cannot answer now: " + e.getCause().getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(ex, 503, false, "interrupted");
      return;
    }
    int status =
        switch (r.outcome()) {
          case ACCEPTED -> 200;
          case REFUSED -> 409;
          case FAILED -> 500;
        };
    send(ex, status, r.outcome(), r.iteration(), r.message());
  }

  /** {@code Bearer TOKEN}, the scheme in any case (RFC 9110 11.1: it is case-insensitive). */
  private boolean authorized(String header) {
    String scheme = "Bearer ";
    if (header == null || !header.regionMatches(true, 0, scheme, 0, scheme.length())) {
      return false;
    }
    byte[] given = header.substring(scheme.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  /** The query string's and a form body's parameters; each known, each given once. */
  private static Map<String, String> params(HttpExchange ex, Set<String> allowed)
      throws IOException, BadRequest {
    Map<String, String> out = new LinkedHashMap<>();
    parse(ex.getRequestURI().getRawQuery(), allowed, out);
    byte[] body = readBody(ex.getRequestBody());
    if (body.length > 0) {
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
        throw new BadRequest(400, "a body must be application/x-www-form-urlencoded");
      }
      try {
        parse(
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(body))
                .toString(),
            allowed,
            out);
      } catch (CharacterCodingException e) {
        throw new BadRequest(400, "the body is not UTF-8");
      }
    }
    return out;
  }

  private static byte[] readBody(InputStream in) throws IOException, BadRequest {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new BadRequest(413, "body larger than " + MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  private static void parse(String raw, Set<String> allowed, Map<String, String> out)
      throws BadRequest {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new BadRequest(400, "malformed parameter encoding");
      }
      if (!allowed.contains(key)) {
        throw new BadRequest(
            400,
            "unknown parameter '"
                + printable(key)
                + "'"
                + (allowed.isEmpty() ? "; this action takes none" : "; known: " + allowed));
      }
      if (out.put(key, value) != null) {
        throw new BadRequest(400, "parameter '" + key + "' given twice");
      }
    }
  }

  private CompletionStage<Control.Reply> schedule(Map<String, String> p) throws BadRequest {
    if (p.isEmpty()) {
      throw new BadRequest(400, "give at least one of " + SCHEDULE_KEYS);
    }
    OptionalInt k = integer(p, "k", RuntimeLimits.K);
    OptionalInt s = integer(p, "staleness", RuntimeLimits.STALENESS);
    OptionalDouble lrG = number(p, "generator-lr", RuntimeLimits.LEARNING_RATE);
    OptionalDouble lrD = number(p, "discriminator-lr", RuntimeLimits.LEARNING_RATE);
    return control.schedule(k, s, lrG, lrD);
  }

  private CompletionStage<Control.Reply> averaging(Map<String, String> p) throws BadRequest {
    String network = p.get("network");
    if (network == null || !NETWORKS.contains(network)) {
      throw new BadRequest(
          400,
          network == null
              ? "give network (generator or discriminator)"
              : "network must be generator or discriminator, got '" + printable(network) + "'");
    }
    if (!p.containsKey("weight")) {
      throw new BadRequest(400, "give weight (the historical-averaging weight; 0: off)");
    }
    double weight = number(p, "weight", RuntimeLimits.AVERAGING_WEIGHT).getAsDouble();
    long start = 0;
    String v = p.get("start");
    if (v != null) {
      try {
        start = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new BadRequest(400, "start must be an integer, got '" + printable(v) + "'");
      }
      String bad = RuntimeLimits.AVERAGING_START.violation("start", start);
      if (bad != null) {
        throw new BadRequest(400, bad);
      }
    }
    return control.averaging(Player.parse(network), weight, start);
  }

  /** {@code key}'s integer, refused (400) outside the config's bounds {@code range}. */
  private static OptionalInt integer(Map<String, String> p, String key, RuntimeLimits.Range range)
      throws BadRequest {
    String v = p.get(key);
    if (v == null) {
      return OptionalInt.empty();
    }
    int i;
    try {
      i = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadRequest(400, key + " must be an integer, got '" + printable(v) + "'");
    }
    String bad = range.violation(key, i);
    if (bad != null) {
      throw new BadRequest(400, bad);
    }
    return OptionalInt.of(i);
  }

  /** {@code key}'s number, refused (400) outside the config's bounds {@code range}. */
  private static OptionalDouble number(Map<String, String> p, String key, RuntimeLimits.Range range)
      throws BadRequest {
    String v = p.get(key);
    if (v == null) {
      return OptionalDouble.empty();
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new BadRequest(400, key + " must be a number, got '" + printable(v) + "'");
    }
    String bad = range.violation(key, d);
    if (bad != null) {
      throw new BadRequest(400, bad);
    }
    return OptionalDouble.of(d);
  }

  /** At most 40 characters of {@code s}, control characters replaced, for error messages. */
  private static String printable(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  /** An answer of the routes themselves (bad input, authentication, timeouts): refused. */
  private static void reply(HttpExchange ex, int status, boolean accepted, String message)
      throws IOException {
    send(ex, status, accepted ? Control.Outcome.ACCEPTED : Control.Outcome.REFUSED, -1, message);
  }

  private static void send(
      HttpExchange ex, int status, Control.Outcome outcome, long iteration, String message)
      throws IOException {
    WebServer.send(
        ex,
        status,
        "application/json; charset=utf-8",
        "{\"accepted\":"
            + (outcome == Control.Outcome.ACCEPTED)
            + ",\"outcome\":\""
            + outcome.name().toLowerCase(java.util.Locale.ROOT)
            + "\",\"iteration\":"
            + (iteration < 0 ? "null" : Long.toString(iteration))
            + ",\"message\":"
            + dev.agon.util.Json.quote(message == null ? "" : message)
            + "}\n");
  }
}
