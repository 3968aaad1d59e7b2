package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;

/** Higher priorities run first (database queue and RabbitMQ; Kafka does not order by priority). */
interface PriorityScenarios extends ApiScenario {

  CamelContext camel();

  /** Waits until every submitted task is where a worker would find it (the broker, or the table). */
  void awaitQueued();

  @Test
  default void a_higher_priority_task_runs_before_earlier_lower_priority_ones() throws Exception {
    camel().getRouteController().stopRoute("worker-ordered-source");
    List<String> low = new ArrayList<>();
    String high;
    try {
      for (int i = 0; i < 5; i++) {
        low.add(api().submitOk("{\"type\":\"ordered\",\"input\":" + i + "}"));
      }
      high = api().submitOk("{\"type\":\"ordered\",\"input\":\"urgent\",\"priority\":9}");
      awaitQueued();
    } finally {
      camel().getRouteController().startRoute("worker-ordered-source");
    }
    awaitStatus(high, "SUCCEEDED");
    low.forEach(id -> awaitStatus(id, "SUCCEEDED"));
    Instant highStarted = Instant.parse(api().task(high).path("startedAt").asText());
    for (String id : low) {
      assertThat(highStarted).isBefore(Instant.parse(api().task(id).path("startedAt").asText()));
    }
  }

  @Test
  default void a_priority_outside_0_to_9_is_a_bad_request() {
    long stored = storedTasks();
    assertThat(api().submit("{\"type\":\"echo\",\"priority\":10}").status()).isEqualTo(400);
    assertThat(api().submit("{\"type\":\"echo\",\"priority\":-1}").status()).isEqualTo(400);
    assertThat(api().submit("{\"type\":\"echo\",\"priority\":\"high\"}").status()).isEqualTo(400);
    assertThat(storedTasks()).isEqualTo(stored);
  }

  /** Polls until {@code check} holds (used by awaitQueued implementations). */
  static void until(java.util.concurrent.Callable<Boolean> check) {
    await().atMost(TIMEOUT).until(check);
  }
}
