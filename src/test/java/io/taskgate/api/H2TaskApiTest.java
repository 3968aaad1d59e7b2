package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** The scenarios on the embedded default: H2 as state store and queue. */
@TestPropertySource(properties = {
    "spring.datasource.url=jdbc:h2:mem:taskgate-api;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
})
class H2TaskApiTest extends TaskApiScenarios implements PriorityScenarios {

  @Test
  void operators_see_one_route_timer_per_ingress_and_worker_route() {
    String id = api.submitOk("{\"type\":\"echo\",\"input\":\"timed\"}");
    awaitStatus(id, "SUCCEEDED");

    // README, operators: camel_route_policy_seconds per routeId, the ingress-* and worker-* routes;
    // no copy for the whole context and none for the REST DSL's rest-* routes, which only call
    // their ingress-* route (application.yaml, camel.metrics.route-policy-*)
    JsonNode meter = api.get("/actuator/metrics/camel.route.policy").json();
    assertThat(tagValues(meter, "routeId"))
        .contains("ingress-submit-task", "worker-echo")
        .noneMatch(routeId -> routeId.startsWith("rest-"));
    assertThat(tagValues(meter, "eventType")).containsExactly("route");
  }

  private static List<String> tagValues(JsonNode meter, String tag) {
    List<String> values = new ArrayList<>();
    meter.path("availableTags").forEach(t -> {
      if (t.path("tag").asText().equals(tag)) {
        t.path("values").forEach(v -> values.add(v.asText()));
      }
    });
    return values;
  }
}
