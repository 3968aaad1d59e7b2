import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Taskgate load generator (JDK only, run as `java bench/LoadGen.java ...`).
 *
 *   burst BASE N CONCURRENCY [callbacks]  submit N no-op echo tasks over HTTP, C in flight, then wait
 *                                         until all are SUCCEEDED; prints one JSON line
 *   collect BASE                          after tasks were submitted by another client (wrk): wait
 *                                         until none is PENDING or RUNNING, then report the
 *                                         end-to-end rate and latencies from the tasks' timestamps
 *   rate BASE RATE SECONDS CONNECTIONS    open-loop submissions at a fixed rate, evenly spaced (one
 *                                         every 1/RATE s), over up to CONNECTIONS keep-alive
 *                                         connections; each latency counts from the submission's
 *                                         scheduled time, so a slow answer delays no later
 *                                         measurement (no coordinated omission); prints one JSON line
 *
 * Submit latency: client time of each POST. End-to-end latency: the task's finishedAt minus its
 * createdAt (both stamped by Taskgate, same clock). End-to-end rate: N / (last finishedAt - time the
 * first submit was sent).
 */
public class LoadGen {

  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  static final Pattern ITEM = Pattern.compile(
      "\"createdAt\":\"([^\"]+)\".*?\"finishedAt\":\"([^\"]+)\"");
  static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String base = args[1];
    if (mode.equals("burst")) {
      burst(base, Integer.parseInt(args[2]), Integer.parseInt(args[3]), args.length > 4 && args[4].equals("callbacks"));
    } else if (mode.equals("rate")) {
      rate(base, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    } else {
      collect(base);
    }
  }

  /**
   * The fixed-rate run, one thread: submission i is due at start + i/RATE s and goes out on an idle
   * keep-alive connection (a new one is opened while fewer than CONNECTIONS are open); a selector
   * reads the answers (Taskgate answers with a Content-Length). Each latency counts from the
   * submission's due time, so a slow answer delays no later measurement. The selector's timeout has
   * millisecond resolution: a submission goes out up to ~1 ms after its due time and an answer that
   * arrives while the loop waits for the next due time is read when it wakes, both counted against
   * Taskgate. Until run 27 this was 64 blocking threads fed by a pacing thread, reading each answer
   * a byte per system call: at 1,000/s the client took half a core of the 2 (8.1-8.9 s of CPU per
   * 16 s run; this loop 2.5-2.8 s, bench/RESULTS.md run 27). Before run 10 it was hey's -q, whose
   * workers each tick on their own timer started together: 50 submissions at once every 50 ms,
   * which measured bursts, not a rate.
   */
  static void rate(String base, int rate, int seconds, int connections) throws Exception {
    URI uri = URI.create(base);
    InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
    byte[] body = "{\"type\":\"echo\",\"input\":1}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] request = ("POST /api/v1/tasks HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n"
        + new String(body, java.nio.charset.StandardCharsets.US_ASCII))
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int total = rate * seconds;
    long[] latencies = new long[total];
    int done = 0;
    int failed = 0;
    java.nio.channels.Selector selector = java.nio.channels.Selector.open();
    java.util.ArrayDeque<Connection> idle = new java.util.ArrayDeque<>();
    int open = 0;
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime() + 100_000_000L;
    int next = 0;
    while (done < total) {
      long now = System.nanoTime();
      while (next < total && start + next * interval <= now && (!idle.isEmpty() || open < connections)) {
        Connection c = idle.poll();
        if (c == null) {
          c = new Connection(java.nio.channels.SocketChannel.open(address));
          c.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
          c.channel.configureBlocking(false);
          c.channel.register(selector, java.nio.channels.SelectionKey.OP_READ, c);
          open++;
        }
        c.due = start + next * interval;
        next++;
        if (!c.send(request)) { // the connection broke: a failed submission, the next one reconnects
          latencies[done++] = System.nanoTime() - c.due;
          failed++;
          c.due = 0;
          c.channel.close();
          open--;
        }
      }
      long timeout = 0; // none due, or no connection free: wait for an answer only
      if (next < total && (!idle.isEmpty() || open < connections)) {
        timeout = Math.max(1, (start + next * interval - System.nanoTime() + 999_999) / 1_000_000);
      }
      selector.select(timeout);
      for (java.nio.channels.SelectionKey key : selector.selectedKeys()) {
        Connection c = (Connection) key.attachment();
        int status = c.receive();
        if (status == 0) {
          continue; // the answer is not complete yet
        }
        if (c.due != 0) {
          latencies[done++] = System.nanoTime() - c.due;
          c.due = 0;
          if (status != 202 && status != -202) {
            failed++;
          }
        }
        if (status < 0) { // closed (Tomcat ends a keep-alive connection after 100 requests)
          idle.remove(c); // closed while idle: it is still queued
          c.channel.close();
          open--;
        } else {
          idle.add(c);
        }
      }
      selector.selectedKeys().clear();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < done; i++) {
      ms.add(latencies[i] / 1e6);
    }
    System.out.printf(Locale.ROOT,
        "{\"offered_rate\":%d,\"submit_rate\":%.0f,\"submit_p50_ms\":%.2f,\"submit_p90_ms\":%.2f,"
            + "\"submit_p99_ms\":%.2f,\"submit_max_ms\":%.2f,\"submit_non_2xx\":%d,\"rate_client\":\"LoadGen rate, one thread, %d connections\"}%n",
        rate, done / elapsed, pct(ms, 50), pct(ms, 90), pct(ms, 99), pct(ms, 100), failed, connections);
  }

  /** One keep-alive connection of the fixed-rate run: at most one submission in flight. */
  static final class Connection {
    final java.nio.channels.SocketChannel channel;
    final java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(8192);
    long due; // the due time of the submission in flight, 0 when none

    Connection(java.nio.channels.SocketChannel channel) {
      this.channel = channel;
    }

    /** Writes the request whole (a few hundred bytes into an empty socket buffer); false if broken. */
    boolean send(byte[] request) {
      try {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(request);
        while (out.hasRemaining()) {
          channel.write(out);
        }
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    }

    /**
     * Reads what has arrived. Returns 0 while the answer is incomplete, else its status, negated
     * when the connection ends with it (Connection: close, or closed by the server: -1).
     */
    int receive() {
      int read;
      try {
        read = channel.read(in);
      } catch (java.io.IOException e) {
        read = -1;
      }
      if (read < 0) {
        return -1;
      }
      String head = new String(in.array(), 0, in.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
      int end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        return 0;
      }
      int status = Integer.parseInt(head.substring(9, 12));
      int length = 0;
      boolean close = false;
      for (String line : head.substring(0, end).split("\r\n")) {
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        } else if (line.equalsIgnoreCase("Connection: close")) {
          close = true;
        }
      }
      if (in.position() < end + 4 + length) {
        return 0;
      }
      in.clear(); // one request in flight: nothing of a next answer can follow this one
      return close ? -status : status;
    }
  }

  static void burst(String base, int n, int concurrency, boolean callbacks) throws Exception {
    HttpServer receiver = null;
    AtomicInteger delivered = new AtomicInteger();
    String callback = "";
    if (callbacks) {
      receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
      receiver.createContext("/hook", ex -> {
        ex.getRequestBody().readAllBytes();
        delivered.incrementAndGet();
        ex.sendResponseHeaders(204, -1);
        ex.close();
      });
      receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
      receiver.start();
      callback = ",\"callbackUrl\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"";
    }
    Semaphore inFlight = new Semaphore(concurrency);
    long[] submitNanos = new long[n];
    AtomicInteger failures = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>(n);
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      int index = i;
      long sent = System.nanoTime();
      HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"echo\",\"input\":" + i + callback + "}"))
          .build();
      all.add(HTTP.sendAsync(post, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        submitNanos[index] = System.nanoTime() - sent;
        if (e != null || r.statusCode() != 202) {
          failures.incrementAndGet();
        }
        inFlight.release();
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    double submitSeconds = (System.nanoTime() - t0) / 1e9;
    awaitIdle(base);
    double waitedSeconds = (System.nanoTime() - t0) / 1e9;
    Finished finished = readFinished(base);
    List<Double> e2e = finished.e2eMillis();
    Instant lastFinish = finished.lastFinish();
    int succeeded = e2e.size();
    if (callbacks) {
      long deadline = System.currentTimeMillis() + 120_000;
      while (delivered.get() < n && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
    }
    double callbackSeconds = (System.nanoTime() - t0) / 1e9;
    List<Double> submit = new ArrayList<>(n);
    for (long s : submitNanos) {
      submit.add(s / 1e6);
    }
    double e2eSeconds = Duration.between(start, lastFinish).toNanos() / 1e9;
    System.out.printf(Locale.ROOT,
        "{\"mode\":\"burst\",\"n\":%d,\"concurrency\":%d,\"callbacks\":%b,\"submit_failures\":%d,"
            + "\"succeeded\":%d,\"submit_rate\":%.0f,\"e2e_rate\":%.0f,\"submit_p50_ms\":%.2f,"
            + "\"submit_p99_ms\":%.2f,\"e2e_p50_ms\":%.1f,\"e2e_p99_ms\":%.1f,\"observed_done_s\":%.2f"
            + "%s}%n",
        n, concurrency, callbacks, failures.get(), succeeded, n / submitSeconds, n / e2eSeconds,
        pct(submit, 50), pct(submit, 99), pct(e2e, 50), pct(e2e, 99), waitedSeconds,
        callbacks ? String.format(Locale.ROOT, ",\"callbacks_delivered\":%d,\"callbacks_done_s\":%.2f",
            delivered.get(), callbackSeconds) : "");
    if (receiver != null) {
      receiver.stop(0);
    }
    System.exit(0);
  }

  static void collect(String base) throws Exception {
    awaitIdle(base);
    Finished finished = readFinished(base);
    List<Double> e2e = finished.e2eMillis();
    double seconds = Duration.between(finished.firstCreated(), finished.lastFinish()).toNanos() / 1e9;
    System.out.printf(Locale.ROOT,
        "{\"succeeded\":%d,\"e2e_rate\":%.0f,\"e2e_p50_ms\":%.1f,\"e2e_p99_ms\":%.1f}%n",
        e2e.size(), e2e.size() / seconds, pct(e2e, 50), pct(e2e, 99));
    System.exit(0);
  }

  /** The SUCCEEDED echo tasks: end-to-end latency of each, first creation, last finish. */
  record Finished(List<Double> e2eMillis, Instant firstCreated, Instant lastFinish) {}

  /**
   * How often the drain is checked (BENCH_POLL_MS, 1,000 ms). The end-to-end figures come from the
   * tasks' own timestamps, so a slower poll changes only how soon the next step starts. A faster one
   * costs the machine under test: each check lists PENDING tasks, and while a backlog's statistics
   * are stale PostgreSQL sorts every pending task for it (~13 ms at 40,000). Every 50 ms, as up to
   * run 11, it took 7–13 % off the RabbitMQ floods' end-to-end rate (bench/RESULTS.md run 12).
   */
  static final long POLL_MS = Long.parseLong(System.getenv().getOrDefault("BENCH_POLL_MS", "1000"));

  static void awaitIdle(String base) throws Exception {
    while (count(base, "PENDING") + count(base, "RUNNING") > 0) {
      Thread.sleep(POLL_MS);
    }
  }

  /** Pages through every SUCCEEDED echo task and reads its createdAt / finishedAt. */
  static Finished readFinished(String base) throws Exception {
    List<Double> e2e = new ArrayList<>();
    Instant firstCreated = Instant.MAX;
    Instant lastFinish = Instant.MIN;
    String cursor = null;
    do {
      String page = get(base + "/api/v1/tasks?type=echo&status=SUCCEEDED&limit=500"
          + (cursor == null ? "" : "&cursor=" + cursor));
      for (String item : page.split("\\{\"id\"")) {
        Matcher m = ITEM.matcher(item);
        if (m.find()) {
          Instant created = Instant.parse(m.group(1));
          Instant finished = Instant.parse(m.group(2));
          e2e.add(Duration.between(created, finished).toNanos() / 1e6);
          firstCreated = created.isBefore(firstCreated) ? created : firstCreated;
          lastFinish = finished.isAfter(lastFinish) ? finished : lastFinish;
        }
      }
      Matcher c = CURSOR.matcher(page);
      cursor = c.find() ? c.group(1) : null;
    } while (cursor != null);
    if (e2e.isEmpty()) {
      // nothing to time: say so (the rates below would divide by MAX - MIN and overflow)
      System.err.println("no SUCCEEDED echo task at " + base + ": did the submissions arrive?");
      System.exit(1);
    }
    return new Finished(e2e, firstCreated, lastFinish);
  }

  static int count(String base, String status) throws Exception {
    String page = get(base + "/api/v1/tasks?status=" + status + "&limit=1");
    return page.contains("\"id\"") ? 1 : 0;
  }

  static String get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static double pct(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
