package dev.agon.web;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal Chrome DevTools Protocol client over the JDK's WebSocket: enough to load a page in
 * headless Chromium, collect its console errors, evaluate an expression and take a screenshot.
 */
final class Cdp implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private final Process browser;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<ConfigObject>> pending = new ConcurrentHashMap<>();
  private final BlockingQueue<ConfigObject> events = new LinkedBlockingQueue<>();

  /** Console errors, uncaught exceptions and failed loads seen so far. */
  final List<String> errors = new CopyOnWriteArrayList<>();

  private Cdp(Process browser, WebSocket socket) {
    this.browser = browser;
    this.socket = socket;
  }

  static ConfigObject parse(String json) {
    return ConfigFactory.parseString(
            json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON))
        .root();
  }

  /** Starts headless Chromium and attaches to a fresh blank tab. */
  static Cdp launch(Path chromium, Path profile) throws Exception {
    Process p =
        new ProcessBuilder(
                chromium.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String ws = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StringBuilder log = new StringBuilder();
    for (String line;
        ws == null && System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
      log.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        ws = m.group(1);
      }
    }
    if (ws == null) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not start:\n" + log);
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                out.transferTo(java.io.Writer.nullWriter());
              } catch (java.io.IOException ignored) {
                // browser gone
              }
            });
    drain.setDaemon(true);
    drain.start();
    URI browserUri = URI.create(ws);
    HttpClient http = HttpClient.newHttpClient();
    String created =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://" + browserUri.getAuthority() + "/json/new?about:blank"))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String pageWs = parse(created).toConfig().getString("webSocketDebuggerUrl");
    Cdp[] self = new Cdp[1];
    WebSocket socket =
        http.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(30))
            .buildAsync(URI.create(pageWs), new Listener(self))
            .get(30, TimeUnit.SECONDS);
    self[0] = new Cdp(p, socket);
    return self[0];
  }

  private static final class Listener implements WebSocket.Listener {
    private final Cdp[] owner;
    private final StringBuilder buffer = new StringBuilder();

    Listener(Cdp[] owner) {
      this.owner = owner;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String msg = buffer.toString();
        buffer.setLength(0);
        while (owner[0] == null) {
          Thread.onSpinWait();
        }
        owner[0].onMessage(parse(msg));
      }
      ws.request(1);
      return null;
    }
  }

  private void onMessage(ConfigObject m) {
    ConfigValue id = m.get("id");
    if (id != null) {
      CompletableFuture<ConfigObject> f = pending.remove(((Number) id.unwrapped()).intValue());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    String method = (String) m.get("method").unwrapped();
    var params = m.toConfig();
    switch (method) {
      case "Runtime.consoleAPICalled" -> {
        String type = params.getString("params.type");
        if (type.equals("error") || type.equals("assert")) {
          errors.add("console." + type + ": " + params.getValue("params.args").render());
        }
      }
      case "Runtime.exceptionThrown" ->
          errors.add("exception: " + params.getValue("params.exceptionDetails").render());
      case "Log.entryAdded" -> {
        if (params.getString("params.entry.level").equals("error")) {
          errors.add("log: " + params.getString("params.entry.text"));
        }
      }
      default -> {}
    }
    events.add(m);
  }

  /** Sends a command; {@code params} is a JSON object literal. Returns its result object. */
  ConfigObject call(String method, String params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<ConfigObject> f = new CompletableFuture<>();
    pending.put(id, f);
    socket
        .sendText(
            "{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
        .get(30, TimeUnit.SECONDS);
    ConfigObject reply = f.get(60, TimeUnit.SECONDS);
    if (reply.containsKey("error")) {
      throw new IllegalStateException(method + ": " + reply.get("error").render());
    }
    return (ConfigObject) reply.get("result");
  }

  /** Waits for an event named {@code method}, dropping others. */
  void await(String method, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ConfigObject e = events.poll(100, TimeUnit.MILLISECONDS);
      if (e != null && method.equals(e.get("method").unwrapped())) {
        return;
      }
    }
    throw new IllegalStateException("no " + method + " within " + timeout);
  }

  @Override
  public void close() {
    socket.abort();
    browser.destroy();
    try {
      if (!browser.waitFor(10, TimeUnit.SECONDS)) {
        browser.destroyForcibly();
      }
    } catch (InterruptedException e) {
      browser.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
