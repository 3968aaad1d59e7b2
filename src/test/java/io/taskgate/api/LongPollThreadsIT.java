package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskgate.support.ApiClient;
import io.taskgate.support.TaskgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests run on the servlet container's threads (io.taskgate.ingress.InlineHttpEngine), except
 * long-polls: callers waiting for a task must not hold the threads submissions need. Here Tomcat
 * has 4 threads and 8 callers long-poll one task; a submission is still answered at once, and the
 * long-polls answer as soon as their task ends.
 */
class LongPollThreadsIT {

  @Test
  void long_polls_do_not_hold_the_threads_submissions_need() throws Exception {
    Path h2 = Files.createTempDirectory("taskgate-longpoll-h2");
    List<String> args = List.of(
        "--spring.datasource.url=jdbc:h2:file:" + h2.resolve("taskgate")
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0"
            + ";DB_CLOSE_ON_EXIT=FALSE",
        // no worker: the task stays PENDING until it is cancelled
        "--taskgate.roles=api",
        "--server.tomcat.threads.max=4",
        "--server.tomcat.threads.min-spare=1");
    // 8 long-polling callers and 1 submitting one
    ExecutorService callers = Executors.newFixedThreadPool(9);
    try (TaskgateProcess app = TaskgateProcess.start("longpoll-threads", args)) {
      ApiClient api = new ApiClient(app.baseUrl());
      String waitedFor = api.submitOk("{\"type\":\"echo\",\"input\":\"waited for\"}");
      List<CompletableFuture<ApiClient.Response>> polls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        polls.add(CompletableFuture.supplyAsync(
            () -> api.get("/api/v1/tasks/" + waitedFor + "?waitSeconds=60"), callers));
      }
      // all 8 are waiting, on the executor's threads (twice the container's)
      await().atMost(Duration.ofSeconds(30)).until(() -> activeLongPolls(api) == 8);

      CompletableFuture<ApiClient.Response> submit = CompletableFuture.supplyAsync(
          () -> api.submit("{\"type\":\"echo\",\"input\":\"meanwhile\"}"), callers);
      // far less than the long-polls' 60 s: the container's threads are free
      assertThat(submit.get(20, TimeUnit.SECONDS).status()).isEqualTo(202);
      assertThat(polls).allMatch(poll -> !poll.isDone());

      assertThat(api.delete("/api/v1/tasks/" + waitedFor).status()).isEqualTo(200);
      for (CompletableFuture<ApiClient.Response> poll : polls) {
        ApiClient.Response answer = poll.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("CANCELLED");
      }
    } finally {
      callers.shutdownNow();
    }
  }

  /** Threads of Spring's task executor (the long-polls' executor) busy now. */
  private static int activeLongPolls(ApiClient api) {
    ApiClient.Response r = api.get("/actuator/metrics/executor.active?tag=name:applicationTaskExecutor");
    assertThat(r.status()).isEqualTo(200);
    return r.json().path("measurements").path(0).path("value").asInt();
  }
}
