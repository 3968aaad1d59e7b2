package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskgate.support.CallbackReceiver;
import io.taskgate.support.StandardWebhooks;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Completion callbacks as a consumer sees them: signed, complete, retried until delivered. */
interface CallbackScenarios extends ApiScenario {

  ObjectMapper JSON = new ObjectMapper();

  CallbackReceiver receiver();

  /** The receiver is shared by the H2 and PostgreSQL runs: each scenario gets its own path. */
  private static String unique(String path) {
    return path + "/" + java.util.UUID.randomUUID();
  }

  private String submitWithCallback(String type, String input, String path) {
    return api().submitOk("{\"type\":\"" + type + "\",\"input\":" + input
        + ",\"callbackUrl\":\"" + receiver().url(path) + "\"}");
  }

  private List<CallbackReceiver.Received> awaitCallbacks(String path, int count) {
    await().atMost(TIMEOUT).until(() -> receiver().received(path).size() >= count);
    return receiver().received(path);
  }

  private JsonNode awaitCallbackStatus(String id, String status) {
    await().atMost(TIMEOUT).until(() -> api().task(id).path("callback").path("status").asText(), status::equals);
    return api().task(id);
  }

  @Test
  default void a_succeeded_task_calls_back_with_a_signed_standard_webhook() throws Exception {
    String path = unique("/hooks/succeeded");
    String id = submitWithCallback("echo", "{\"page\":7}", path);
    assertThat(api().task(id).path("callback").path("status").asText()).isIn("PENDING", "DELIVERED");

    CallbackReceiver.Received hook = awaitCallbacks(path, 1).get(0);
    assertThat(hook.header("content-type")).startsWith("application/json");
    assertThat(StandardWebhooks.verify(SECRET, hook.header("webhook-id"), hook.header("webhook-timestamp"),
        hook.body(), hook.header("webhook-signature"))).isTrue();
    long sentAt = Long.parseLong(hook.header("webhook-timestamp"));
    assertThat(Math.abs(Instant.now().getEpochSecond() - sentAt)).isLessThan(60);

    JsonNode payload = JSON.readTree(hook.body());
    assertThat(payload.path("type").asText()).isEqualTo("task.succeeded");
    JsonNode data = payload.path("data");
    assertThat(data.path("id").asText()).isEqualTo(id);
    assertThat(data.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(data.path("result").path("page").asInt()).isEqualTo(7);
    assertThat(payload.path("timestamp").asText()).isEqualTo(data.path("finishedAt").asText());

    JsonNode view = awaitCallbackStatus(id, "DELIVERED");
    assertThat(view.path("callback").path("url").asText()).isEqualTo(receiver().url(path));
    assertThat(view.path("callback").path("attempts").asInt()).isEqualTo(1);
    assertThat(view.path("callback").path("lastError").isNull()).isTrue();
    // a tampered body does not verify
    assertThat(StandardWebhooks.verify(SECRET, hook.header("webhook-id"), hook.header("webhook-timestamp"),
        hook.body().replace("7", "8"), hook.header("webhook-signature"))).isFalse();
  }

  @Test
  default void a_callback_answered_with_500_is_retried_with_the_same_webhook_id() throws Exception {
    String path = unique("/hooks/flaky");
    receiver().answer(path, 500, 302);
    String id = submitWithCallback("echo", "1", path);

    List<CallbackReceiver.Received> hooks = awaitCallbacks(path, 3);
    JsonNode view = awaitCallbackStatus(id, "DELIVERED");
    assertThat(view.path("callback").path("attempts").asInt()).isEqualTo(3);
    assertThat(hooks).extracting(h -> h.header("webhook-id")).containsOnly(hooks.get(0).header("webhook-id"));
    assertThat(hooks).extracting(CallbackReceiver.Received::body).containsOnly(hooks.get(0).body());
    for (CallbackReceiver.Received hook : hooks) {
      assertThat(StandardWebhooks.verify(SECRET, hook.header("webhook-id"), hook.header("webhook-timestamp"),
          hook.body(), hook.header("webhook-signature"))).isTrue();
    }
  }

  @Test
  default void a_callback_answered_with_410_gone_is_not_retried() {
    String path = unique("/hooks/gone");
    receiver().answer(path, 410);
    String id = submitWithCallback("echo", "2", path);

    JsonNode view = awaitCallbackStatus(id, "FAILED");
    assertThat(view.path("callback").path("attempts").asInt()).isEqualTo(1);
    assertThat(view.path("callback").path("lastError").asText()).contains("410");
    // the task list shows the callback as the task's own view does (its SQL looks it up apart)
    JsonNode listed = api().get("/api/v1/tasks?type=echo&status=SUCCEEDED&limit=20").json().path("items");
    assertThat(listed).filteredOn(item -> item.path("id").asText().equals(id)).singleElement()
        .satisfies(item -> assertThat(item.path("callback")).isEqualTo(view.path("callback")));
    // the retry schedule of these tests is well under 3 s: nothing more arrives
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> receiver().received(path).size() == 1);
  }

  @Test
  default void a_receiver_that_is_down_at_first_gets_the_callback_when_it_comes_up() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String id = api().submitOk("{\"type\":\"echo\",\"input\":3,\"callbackUrl\":\"http://127.0.0.1:" + port + "/late\"}");
    await().atMost(TIMEOUT).until(() -> api().task(id).path("callback").path("attempts").asInt() >= 1);
    JsonNode waiting = api().task(id);
    assertThat(waiting.path("callback").path("status").asText()).isEqualTo("PENDING");
    assertThat(waiting.path("callback").path("lastError").asText()).isNotBlank();

    try (CallbackReceiver late = new CallbackReceiver(port)) {
      await().atMost(TIMEOUT).until(() -> late.received("/late").size() == 1);
      assertThat(awaitCallbackStatus(id, "DELIVERED").path("callback").path("attempts").asInt())
          .isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  default void failed_and_cancelled_tasks_call_back_with_their_event() throws Exception {
    String failedPath = unique("/hooks/failed");
    String cancelledPath = unique("/hooks/cancelled");
    String failed = submitWithCallback("fail", "{}", failedPath);
    JsonNode failedHook = JSON.readTree(awaitCallbacks(failedPath, 1).get(0).body());
    assertThat(failedHook.path("type").asText()).isEqualTo("task.failed");
    assertThat(failedHook.path("data").path("id").asText()).isEqualTo(failed);
    assertThat(failedHook.path("data").path("attempts").asInt()).isEqualTo(3);
    assertThat(failedHook.path("data").path("error").path("type").asText()).isEqualTo("example-failure");

    String running = submitWithCallback("sleep", "{\"seconds\":30}", cancelledPath);
    awaitStatus(running, "RUNNING");
    assertThat(api().delete("/api/v1/tasks/" + running).status()).isEqualTo(202);
    JsonNode cancelledHook = JSON.readTree(awaitCallbacks(cancelledPath, 1).get(0).body());
    assertThat(cancelledHook.path("type").asText()).isEqualTo("task.cancelled");
    assertThat(cancelledHook.path("data").path("status").asText()).isEqualTo("CANCELLED");
    // exactly one callback per terminal event
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> receiver().received(cancelledPath).size() == 1
            && receiver().received(failedPath).size() == 1);
  }

  @Test
  default void a_task_without_callback_has_no_callback_member() {
    String id = api().submitOk("{\"type\":\"echo\"}");
    JsonNode view = awaitStatus(id, "SUCCEEDED");
    assertThat(view.has("callback")).isTrue();
    assertThat(view.get("callback").isNull()).isTrue();
  }
}
