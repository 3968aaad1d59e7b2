package io.taskgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.support.ApiClient;
import io.taskgate.support.TaskgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedded default as the README's quick start runs it (no datasource setting: an H2 file under
 * {@code ./data}, the database queue, both roles in one process), stopped by SIGTERM. The
 * PostgreSQL and broker variants are in {@link WorkerLifecycleIT}.
 */
class EmbeddedShutdownIT {

  @Test
  void sigterm_lets_a_task_in_flight_finish_on_the_embedded_default() throws Exception {
    Path dir = Files.createTempDirectory("taskgate-embedded");
    String id;
    try (TaskgateProcess app =
        TaskgateProcess.start("embedded-drain", List.of("--taskgate.worker.types=sleep"), dir)) {
      ApiClient api = new ApiClient(app.baseUrl());
      id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":4}}");
      await().atMost(Duration.ofSeconds(20)).until(() -> api.status(id).equals("RUNNING"));
      app.sigterm();
      assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
      // H2 closes its database in a JVM shutdown hook of its own unless told not to: that hook ran
      // beside Spring's drain, and the task's outcome (and the callback dispatcher) then found the
      // database closed
      assertThat(app.output().lines().filter(line -> line.contains(" ERROR ")))
          .as("ERROR lines of a process that drained cleanly").isEmpty();
    }
    try (TaskgateProcess again =
        TaskgateProcess.start("embedded-drain-after", List.of("--taskgate.roles=api"), dir)) {
      JsonNode task = new ApiClient(again.baseUrl()).task(id);
      assertThat(task.path("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(task.path("attempts").asInt()).isEqualTo(1);
    }
  }
}
