package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskgate.support.ApiClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A caller whose submit timed out retries with the same Idempotency-Key and gets the same task. */
interface IdempotencyScenarios extends ApiScenario {

  int port();

  private HttpResponse<String> submit(String key, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port() + "/api/v1/tasks"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String id(HttpResponse<String> response) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("id").asText();
  }

  @Test
  default void the_same_key_and_request_returns_the_same_task() throws Exception {
    String key = "order-" + UUID.randomUUID();
    HttpResponse<String> first = submit(key, "{\"type\":\"echo\",\"input\":{\"a\":1,\"b\":2}}");
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    long stored = storedTasks();

    // the same request with members in another order and the key as a structured-field string
    HttpResponse<String> again = submit("\"" + key + "\"", "{\"input\":{\"b\":2,\"a\":1},\"type\":\"echo\"}");
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(id(again)).isEqualTo(id(first));
    assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(storedTasks()).isEqualTo(stored);
    // the replay shows the task as it is now
    awaitStatus(id(first), "SUCCEEDED");
    assertThat(submit(key, "{\"type\":\"echo\",\"input\":{\"a\":1,\"b\":2}}").body()).contains("SUCCEEDED");
  }

  @Test
  default void the_same_key_with_another_request_is_refused() throws Exception {
    String key = "k-" + UUID.randomUUID();
    assertThat(submit(key, "{\"type\":\"echo\",\"input\":1}").statusCode()).isEqualTo(202);
    long stored = storedTasks();
    HttpResponse<String> other = submit(key, "{\"type\":\"echo\",\"input\":2}");
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/problem+json"));
    assertThat(storedTasks()).isEqualTo(stored);
  }

  @Test
  default void a_key_longer_than_255_characters_is_a_bad_request() throws Exception {
    long stored = storedTasks();
    assertThat(submit("k".repeat(256), "{\"type\":\"echo\"}").statusCode()).isEqualTo(400);
    assertThat(submit("\"\"", "{\"type\":\"echo\"}").statusCode()).isEqualTo(400);
    assertThat(submit("k".repeat(255), "{\"type\":\"echo\"}").statusCode()).isEqualTo(202);
    assertThat(storedTasks()).isEqualTo(stored + 1);
  }

  @Test
  default void concurrent_submissions_with_one_key_create_one_task() throws Exception {
    String key = "race-" + UUID.randomUUID();
    long stored = storedTasks();
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        answers.add(pool.submit(() -> {
          start.await();
          return submit(key, "{\"type\":\"echo\",\"input\":\"same\"}");
        }));
      }
      start.countDown();
      Set<String> ids = new java.util.HashSet<>();
      int replayed = 0;
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        ids.add(id(response));
        replayed += response.headers().firstValue("Idempotent-Replayed").isPresent() ? 1 : 0;
      }
      assertThat(ids).hasSize(1);
      assertThat(replayed).isEqualTo(threads - 1);
      assertThat(storedTasks()).isEqualTo(stored + 1);
    } finally {
      pool.shutdownNow();
    }
  }
}
