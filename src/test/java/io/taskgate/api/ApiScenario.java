package io.taskgate.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.support.ApiClient;
import java.time.Duration;

/** What scenario interfaces need from the running test application. */
interface ApiScenario {

  Duration TIMEOUT = Duration.ofSeconds(30);
  /** The signing secret the test application runs with (see TaskApiScenarios). */
  String SECRET = "whsec_dGFza2dhdGUtdGVzdC1zaWduaW5nLXNlY3JldA==";

  ApiClient api();

  long storedTasks();

  default JsonNode awaitStatus(String id, String status) {
    await().atMost(TIMEOUT).until(() -> api().status(id), status::equals);
    return api().task(id);
  }
}
