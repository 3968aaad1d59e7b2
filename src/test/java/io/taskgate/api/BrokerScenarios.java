package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskgate.support.CallbackReceiver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a broker adds: duplicates are harmless, poison is dead-lettered, events are published. */
interface BrokerScenarios extends ApiScenario {

  /** A message as a test sees it on the broker: headers (as strings) and body. */
  record BrokerMessage(Map<String, String> headers, String body) {}

  CallbackReceiver receiver();

  /** Publishes a raw task message to the queue / topic of {@code type}. */
  void publishTaskMessage(String type, Map<String, String> headers, String body) throws Exception;

  /** Messages that arrived on the dead-letter destination of {@code type} within {@code wait}. */
  List<BrokerMessage> deadLetters(String type, Duration wait) throws Exception;

  /** Starts listening to completion events; returns what arrived so far on each call. */
  java.util.function.Supplier<List<BrokerMessage>> listenToEvents() throws Exception;

  /** Outbox rows (messages not yet published) of one task. */
  long outboxRows(String taskId);

  /** Stores a task without handing it to the outbox relay (the API died after the commit). */
  String storeWithoutHandOver(String type);

  @Test
  default void a_submission_is_published_right_after_its_commit_without_waiting_for_the_outbox_grace() {
    double handedOver = published("hand-over", "task");
    String id = api().submitOk("{\"type\":\"echo\",\"input\":\"at once\"}");
    // its outbox row becomes due for the polling take only after taskgate.outbox.publish-grace
    // (5 s): the API published the message itself and deleted the row well before that
    await().atMost(Duration.ofSeconds(3)).until(() -> outboxRows(id) == 0);
    awaitStatus(id, "SUCCEEDED");
    // as operators see it: the message went the hand-over's way (counted once confirmed)
    await().atMost(TIMEOUT).until(() -> published("hand-over", "task") > handedOver);
  }

  /**
   * Messages the outbox relay published by {@code path} and {@code kind}, as Prometheus shows
   * them (taskgate_outbox_published_total); 0 before the first.
   */
  private double published(String path, String kind) {
    return api().get("/actuator/metrics/taskgate.outbox.published?tag=path:" + path + "&tag=kind:" + kind)
        .json().path("measurements").path(0).path("value").asDouble();
  }

  @Test
  default void completion_events_are_published_while_submissions_keep_coming() throws Exception {
    var events = listenToEvents();
    // ends after a second, when the stream below is well under way
    String id = api().submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":1}}");
    AtomicBoolean streaming = new AtomicBoolean(true);
    AtomicInteger accepted = new AtomicInteger();
    ExecutorService submitters = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < 8; i++) {
        submitters.execute(() -> {
          while (streaming.get()) {
            api().submitOk("{\"type\":\"echo\",\"input\":\"stream\"}");
            accepted.incrementAndGet();
          }
        });
      }
      // the relay's hand-overs (the tasks just submitted) fill every batch from now on (the test
      // contexts run taskgate.outbox.batch-size=2); the completion event still goes out meanwhile
      await().atMost(TIMEOUT).until(() -> events.get().stream().anyMatch(e -> id.equals(e.headers().get("ce_subject"))));
      int atEvent = accepted.get();
      assertThat(atEvent).as("submissions accepted before the event").isGreaterThan(100);
      await().atMost(TIMEOUT).until(() -> accepted.get() > atEvent + 20);
    } finally {
      streaming.set(false);
      submitters.shutdown();
      assertThat(submitters.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    // the stream's tasks all run before the next scenario: its relay has caught up then
    await().atMost(TIMEOUT).until(() -> api().get("/api/v1/tasks?type=echo&status=PENDING&limit=1")
        .json().path("items").isEmpty());
  }

  @Test
  default void a_task_stored_but_never_handed_to_the_relay_is_published_after_the_grace() {
    String id = storeWithoutHandOver("echo");
    assertThat(outboxRows(id)).isEqualTo(1);
    // nobody publishes it from memory: the polling take does, once the grace is over
    JsonNode done = awaitStatus(id, "SUCCEEDED");
    assertThat(done.path("attempts").asInt()).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> outboxRows(id) == 0);
  }

  private static Map<String, String> taskHeaders(String id, String type) {
    Map<String, String> headers = new HashMap<>();
    headers.put("ce_specversion", "1.0");
    headers.put("ce_id", id);
    headers.put("ce_source", "/taskgate");
    headers.put("ce_type", type);
    headers.put("ce_taskgateformat", "1");
    return headers;
  }

  @Test
  default void a_task_message_delivered_several_times_runs_once_and_calls_back_once() throws Exception {
    String path = "/hooks/duplicate/" + UUID.randomUUID();
    String id = api().submitOk("{\"type\":\"echo\",\"input\":\"once\",\"callbackUrl\":\"" + receiver().url(path) + "\"}");
    String body = "{\"taskId\":\"" + id + "\"}";
    publishTaskMessage("echo", taskHeaders(id, "echo"), body);
    publishTaskMessage("echo", taskHeaders(id, "echo"), body);
    JsonNode done = awaitStatus(id, "SUCCEEDED");
    // and once more after it finished
    publishTaskMessage("echo", taskHeaders(id, "echo"), body);
    assertThat(done.path("attempts").asInt()).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> receiver().received(path).size() >= 1);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> receiver().received(path).size() == 1);
    assertThat(api().task(id).path("attempts").asInt()).isEqualTo(1);
    assertThat(api().task(id).path("finishedAt").asText()).isEqualTo(done.path("finishedAt").asText());
  }

  @Test
  default void a_poison_message_is_dead_lettered_and_its_task_failed() throws Exception {
    // a task nobody consumes, named by an unreadable message on the echo queue
    String id = api().submitOk("{\"type\":\"parked\",\"input\":{}}");
    publishTaskMessage("echo", taskHeaders(id, "echo"), "this is not JSON");

    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.path("error").path("type").asText()).isEqualTo("poison-message");
    List<BrokerMessage> dead = deadLetters("echo", TIMEOUT);
    assertThat(dead).anySatisfy(m -> {
      assertThat(m.headers().get("ce_id")).isEqualTo(id);
      assertThat(m.body()).isEqualTo("this is not JSON");
    });
  }

  @Test
  default void a_finished_task_publishes_a_completion_cloud_event_with_the_trace_context() throws Exception {
    var events = listenToEvents();
    double taken = published("take", "event");
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    var response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + "/api/v1/tasks"))
            .header("Content-Type", "application/json")
            .header("traceparent", traceparent)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"echo\",\"input\":{\"e\":1}}"))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(202);
    String id = new ObjectMapper().readTree(response.body()).path("id").asText();

    await().atMost(TIMEOUT).until(() -> events.get().stream().anyMatch(e -> id.equals(e.headers().get("ce_subject"))));
    BrokerMessage event = events.get().stream().filter(e -> id.equals(e.headers().get("ce_subject"))).findFirst().orElseThrow();
    assertThat(event.headers()).containsEntry("ce_type", "io.taskgate.task.succeeded")
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_source", "/taskgate")
        .containsEntry("traceparent", traceparent);
    JsonNode data = new ObjectMapper().readTree(event.body());
    assertThat(data.path("id").asText()).isEqualTo(id);
    assertThat(data.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(data.path("result").path("e").asInt()).isEqualTo(1);
    // events go out in the polling take's batches (counted once confirmed: maybe after delivery)
    await().atMost(TIMEOUT).until(() -> published("take", "event") > taken);
  }

  String baseUrl();
}
