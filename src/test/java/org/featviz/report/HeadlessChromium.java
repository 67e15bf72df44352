package org.featviz.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chromium without a display, driven over the DevTools protocol (a WebSocket from java.net.http,
 * JSON through Gson): open a page, evaluate expressions in it, take a screenshot, and collect
 * everything the page reports as an error (uncaught exceptions, console.error and console.assert,
 * and the browser's own error log entries such as a resource that failed to load).
 *
 * <p>Each instance runs its own browser with a fresh profile in {@code profile} and on a port the
 * system chooses; {@link #close} ends the browser and every process it started, also when a call
 * timed out, and a JVM shutdown hook does the same if the test JVM ends first. Every wait is
 * bounded by the instance's timeout.
 */
public final class HeadlessChromium implements AutoCloseable {
  /** Debian's chromium; CI installs the package. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private final Process process;
  private final Thread reaper;
  private final Duration timeout;
  private final WebSocket socket;
  private final String session;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Map<String, List<CountDownLatch>> awaited = new ConcurrentHashMap<>();
  private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

  private HeadlessChromium(Process process, Thread reaper, Duration timeout, URI browser)
      throws IOException {
    this.process = process;
    this.reaper = reaper;
    this.timeout = timeout;
    try {
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(timeout)
              .buildAsync(browser, new Receiver())
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String target =
          call(null, "Target.createTarget", object("url", "about:blank"))
              .get("targetId")
              .getAsString();
      JsonObject attach = object("targetId", target);
      attach.addProperty("flatten", true);
      session = call(null, "Target.attachToTarget", attach).get("sessionId").getAsString();
      for (String domain : List.of("Runtime", "Log", "Page")) send(domain + ".enable", null);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new IOException("cannot connect to chromium's DevTools at " + browser, e);
    }
  }

  /**
   * Starts chromium headless with a fresh profile in {@code profile} (an empty folder); every later
   * wait of this instance is bounded by {@code timeout}.
   */
  public static HeadlessChromium start(Path profile, Duration timeout) throws IOException {
    List<String> argv =
        List.of(
            BINARY.toString(),
            "--headless",
            "--remote-debugging-port=0", // the system chooses; chromium writes it to the profile
            "--user-data-dir=" + profile,
            // The sandbox needs user namespaces, which containers and root (CI) often lack; the
            // pages are the test's own files.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            "about:blank");
    Path log = profile.resolveSibling(profile.getFileName() + ".log");
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    Thread reaper = new Thread(() -> kill(p), "kill chromium " + p.pid());
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + timeout.toNanos();
      List<String> lines = List.of();
      while (lines.size() < 2) {
        if (!p.isAlive())
          throw new IOException("chromium exited (" + p.exitValue() + "): " + tail(log));
        if (System.nanoTime() > deadline)
          throw new IOException(
              "chromium did not open DevTools within " + timeout + ": " + tail(log));
        Thread.sleep(50);
        if (Files.exists(portFile)) lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
      }
      URI browser = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
      return new HeadlessChromium(p, reaper, timeout, browser);
    } catch (IOException | InterruptedException | RuntimeException e) {
      kill(p);
      Runtime.getRuntime().removeShutdownHook(reaper);
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  /** Opens {@code url} and waits for its load event. */
  public void open(String url) throws IOException {
    CountDownLatch loaded = await("Page.loadEventFired");
    JsonObject r = send("Page.navigate", object("url", url));
    if (r.has("errorText"))
      throw new IOException("cannot open " + url + ": " + r.get("errorText").getAsString());
    waitFor(loaded, "the load event of " + url);
  }

  /**
   * The value of a JavaScript expression in the page (a promise is awaited), as JSON; an exception
   * in it fails with its description.
   */
  public JsonElement evaluate(String expression) throws IOException {
    JsonObject params = object("expression", expression);
    params.addProperty("returnByValue", true);
    params.addProperty("awaitPromise", true);
    JsonObject r = send("Runtime.evaluate", params);
    if (r.has("exceptionDetails")) {
      JsonObject d = r.getAsJsonObject("exceptionDetails");
      String what =
          d.has("exception") && d.getAsJsonObject("exception").has("description")
              ? d.getAsJsonObject("exception").get("description").getAsString()
              : d.get("text").getAsString();
      throw new IOException("evaluating " + expression + ": " + what);
    }
    JsonObject result = r.getAsJsonObject("result");
    return result.has("value") ? result.get("value") : com.google.gson.JsonNull.INSTANCE;
  }

  /**
   * The natural widths of the images {@code selector} matches, each loaded (even one marked lazy
   * and off screen) and decoded first; fails where one cannot be.
   */
  public List<Integer> imageWidths(String selector) throws IOException {
    String q = new com.google.gson.Gson().toJson(selector);
    JsonElement w =
        evaluate(
            "Promise.all([...document.querySelectorAll("
                + q
                + ")].map(i => { i.loading = 'eager'; return i.decode().then(() => i.naturalWidth);"
                + " }))");
    return w.getAsJsonArray().asList().stream().map(JsonElement::getAsInt).toList();
  }

  /** A PNG of the viewport, {@code width} x {@code height} CSS pixels. */
  public byte[] screenshot(int width, int height) throws IOException {
    JsonObject metrics = new JsonObject();
    metrics.addProperty("width", width);
    metrics.addProperty("height", height);
    metrics.addProperty("deviceScaleFactor", 1);
    metrics.addProperty("mobile", false);
    send("Emulation.setDeviceMetricsOverride", metrics);
    String data = send("Page.captureScreenshot", object("format", "png")).get("data").getAsString();
    return Base64.getDecoder().decode(data);
  }

  /** What the page reported as errors so far, one line each. */
  public List<String> errors() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  /** A command to the page's session; its result. */
  private JsonObject send(String method, JsonObject params) throws IOException {
    return call(session, method, params);
  }

  private JsonObject call(String sessionId, String method, JsonObject params) throws IOException {
    int id = ids.incrementAndGet();
    JsonObject message = new JsonObject();
    message.addProperty("id", id);
    message.addProperty("method", method);
    if (params != null) message.add("params", params);
    if (sessionId != null) message.addProperty("sessionId", sessionId);
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      socket.sendText(message.toString(), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      JsonObject r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (r.has("error")) throw new IOException(method + ": " + r.get("error"));
      return r.has("result") ? r.getAsJsonObject("result") : new JsonObject();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(method + " interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(method + ": no answer within " + timeout, e);
    } finally {
      pending.remove(id);
    }
  }

  private CountDownLatch await(String event) {
    CountDownLatch l = new CountDownLatch(1);
    awaited.computeIfAbsent(event, e -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(l);
    return l;
  }

  private void waitFor(CountDownLatch latch, String what) throws IOException {
    try {
      if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS))
        throw new IOException("no " + what + " within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for " + what, e);
    }
  }

  /** Messages from the browser: answers to calls, and the events the page's errors come as. */
  private final class Receiver implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        receive(JsonParser.parseString(text).getAsJsonObject());
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
  }

  private void receive(JsonObject m) {
    if (m.has("id")) {
      CompletableFuture<JsonObject> f = pending.get(m.get("id").getAsInt());
      if (f != null) f.complete(m);
      return;
    }
    String method = m.has("method") ? m.get("method").getAsString() : "";
    JsonObject p = m.has("params") ? m.getAsJsonObject("params") : new JsonObject();
    switch (method) {
      case "Runtime.exceptionThrown" -> {
        JsonObject d = p.getAsJsonObject("exceptionDetails");
        String description =
            d.has("exception") && d.getAsJsonObject("exception").has("description")
                ? d.getAsJsonObject("exception").get("description").getAsString()
                : d.get("text").getAsString();
        errors.add("exception: " + description);
      }
      case "Runtime.consoleAPICalled" -> {
        String type = p.get("type").getAsString();
        if (type.equals("error") || type.equals("assert"))
          errors.add("console." + type + ": " + p.get("args"));
      }
      case "Log.entryAdded" -> {
        JsonObject e = p.getAsJsonObject("entry");
        if (e.get("level").getAsString().equals("error")) {
          errors.add(
              "log ("
                  + e.get("source").getAsString()
                  + "): "
                  + e.get("text").getAsString()
                  + (e.has("url") ? " " + e.get("url").getAsString() : ""));
        }
      }
      default -> {}
    }
    List<CountDownLatch> waiting = awaited.remove(method);
    if (waiting != null) waiting.forEach(CountDownLatch::countDown);
  }

  private static JsonObject object(String key, String value) {
    JsonObject o = new JsonObject();
    o.addProperty(key, value);
    return o;
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log);
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Ends the browser's processes, children first, and waits for them (a few seconds at most). */
  private static void kill(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!p.waitFor(3, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(
        c -> {
          if (c.isAlive()) c.destroyForcibly();
        });
  }

  @Override
  public void close() {
    try {
      socket.abort();
    } finally {
      kill(process);
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }
}
