package io.taskgate.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The packaged Taskgate jar running as a separate process, as it runs in production. */
public final class TaskgateProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;
  private final long logStart;

  private TaskgateProcess(Process process, int port, Path log, long logStart) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.logStart = logStart;
  }

  public static TaskgateProcess start(String name, List<String> args) throws IOException {
    TaskgateProcess app = launch(name, args);
    app.awaitReady();
    return app;
  }

  /**
   * Starts in {@code dir} as its working directory, where the embedded default keeps its H2 file
   * ({@code ./data}), and waits until it is ready.
   */
  public static TaskgateProcess start(String name, List<String> args, Path dir) throws IOException {
    TaskgateProcess app = launch(name, args, dir);
    app.awaitReady();
    return app;
  }

  /** Starts without waiting for readiness (a one-shot worker may be gone by then). */
  public static TaskgateProcess launch(String name, List<String> args) throws IOException {
    return launch(name, args, Path.of("."));
  }

  private static TaskgateProcess launch(String name, List<String> args, Path dir) throws IOException {
    String jar = new File(System.getProperty("taskgate.jar", "target/taskgate.jar")).getAbsolutePath();
    if (!new File(jar).isFile()) {
      throw new IllegalStateException("packaged jar " + jar + " is missing: run through mvn verify");
    }
    int port = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-jar", jar,
        "--server.port=" + port));
    command.addAll(args);
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    Process process = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    return new TaskgateProcess(process, port, log, logStart);
  }

  /** What this process printed so far (its log file is shared with earlier runs of the same name). */
  public String output() throws IOException {
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
  }

  public String baseUrl() {
    return "http://localhost:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM, as Kubernetes sends it: the process drains and exits by itself. */
  public void sigterm() {
    process.destroy();
  }

  /** The exit status, waiting at most {@code timeout} for the process to end. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError("Taskgate did not exit within " + timeout);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no drain, nothing flushed. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public void awaitReady() {
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("Taskgate exited with " + process.exitValue() + " (see target/it-logs)");
      }
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness")).build(),
            HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
