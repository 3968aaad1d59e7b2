package io.taskgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskgate.support.ApiClient;
import io.taskgate.support.Postgres;
import io.taskgate.support.TaskgateProcess;
import io.taskgate.support.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under a running Taskgate (a TCP proxy between them is cut): callers get a
 * prompt 503 problem they may retry, not a 500 after half a minute; the API reports not-ready; and
 * once the database is back, the tasks accepted before the outage all finish.
 */
class DatabaseOutageIT {

  @Test
  void while_the_database_is_unreachable_requests_get_503_and_nothing_accepted_is_lost() throws Exception {
    URI pg = URI.create(Postgres.URL.substring("jdbc:".length()));
    String schema = "taskgate_db_outage_test";
    Postgres.freshSchema(schema);
    try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort());
        TaskgateProcess app = TaskgateProcess.start("db-outage", List.of(
            "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getPath()
                + "?currentSchema=" + schema,
            "--spring.datasource.username=" + Postgres.USER,
            "--taskgate.worker.types=sleep",
            "--taskgate.worker.lease=3s",
            "--taskgate.maintenance.reaper-period-ms=500"))) {
      ApiClient api = new ApiClient(app.baseUrl());
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":2}}"));
      }
      await().atMost(Duration.ofSeconds(20))
          .until(() -> accepted.stream().allMatch(id -> api.status(id).equals("RUNNING")));

      long outageStart = System.nanoTime();
      long outageEnd;
      proxy.cut();
      try {
        ApiClient.Response refused = api.submit("{\"type\":\"sleep\",\"input\":{\"seconds\":1}}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.json().path("type").asText()).isEqualTo("urn:problem-type:taskgate:unavailable");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        // the pool's connections are gone now: a request waits for a new one, within Hikari's
        // connection-timeout (5 s here, 30 s by default)
        long start = System.nanoTime();
        assertThat(api.get("/api/v1/tasks/" + accepted.get(0)).status()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> api.get("/actuator/health/readiness").status() == 503);
        // a crowd of callers during the outage: each gets its 503
        ExecutorService callers = Executors.newFixedThreadPool(20);
        try {
          List<CompletableFuture<Integer>> crowd = IntStream.range(0, 20)
              .mapToObj(i -> CompletableFuture.supplyAsync(
                  () -> api.get("/api/v1/tasks/" + accepted.get(0)).status(), callers))
              .toList();
          assertThat(crowd).allSatisfy(status -> assertThat(status.get()).isEqualTo(503));
        } finally {
          callers.shutdownNow();
        }
      } finally {
        proxy.restore();
        outageEnd = System.nanoTime();
      }

      // their outcomes could not be written during the outage: the reaper hands them out again
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> accepted.stream().allMatch(id -> api.status(id).equals("SUCCEEDED")));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> api.get("/actuator/health/readiness").status() == 200);
      String after = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":1}}");
      await().atMost(Duration.ofSeconds(30)).until(() -> api.status(after).equals("SUCCEEDED"));
      // an outage is not a bug: the API logged its refusals, and the background rounds (callbacks,
      // lease reaper) each failed round, as warnings, not as an ERROR with a stack trace (a worker whose task's outcome could not be written does log an ERROR)
      List<String> errors = Stream.of(app.output().split("\n(?=\\d{4}-\\d{2}-\\d{2}T)"))
          .filter(entry -> entry.contains(" ERROR "))
          .toList();
      assertThat(errors).noneMatch(entry -> entry.contains("HttpResponses"));
      // 22 refused requests: the log holds the first refusal and at most one line per 10 s after
      // it (the last, with the count not yet logged, at a successful request 10 s after the one
      // before), not a line per request; together those lines count every refusal, once
      long outageSeconds = Duration.ofNanos(outageEnd - outageStart).toSeconds();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
          .until(() -> api.status(after).equals("SUCCEEDED") && refusalsCounted(app.output()) == 22);
      assertThat(app.output().lines().filter(line -> line.contains("refused (503)")))
          .hasSizeBetween(2, 3 + (int) (outageSeconds / 10));
      assertThat(errors).noneMatch(entry -> entry.contains("callback-dispatch"));
      assertThat(errors).noneMatch(entry -> entry.contains("maintenance-"));
      assertThat(app.output()).contains("the state store is unreachable, the next round retries");

      // an outage that ends with a shutdown: two refusals back to back (the second, at least,
      // within 10 s of a line, only counted), then the process stops before any request succeeds;
      // its log still counts them
      proxy.cut();
      try {
        assertThat(api.get("/api/v1/tasks/" + after).status()).isEqualTo(503);
        assertThat(api.get("/api/v1/tasks/" + after).status()).isEqualTo(503);
      } finally {
        proxy.restore();
      }
      app.sigterm();
      assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(refusalsCounted(app.output())).isEqualTo(24);
    }
  }

  private static final Pattern MORE_REFUSED = Pattern.compile("(\\d+) more refused");

  /** The refusals the API's log lines account for: one per WARN line, plus the counts they carry. */
  static long refusalsCounted(String log) {
    return log.lines()
        .filter(line -> line.contains("refused (503)"))
        .mapToLong(line -> {
          Matcher more = MORE_REFUSED.matcher(line);
          return (line.contains("request refused") ? 1 : 0) + (more.find() ? Long.parseLong(more.group(1)) : 0);
        })
        .sum();
  }
}
