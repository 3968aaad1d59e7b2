package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.maintenance.AutovacuumCheck;
import io.taskgate.support.Postgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same scenarios on the machine's PostgreSQL (a fresh schema per run). */
class PostgresTaskApiTest extends TaskApiScenarios implements PriorityScenarios {

  @Autowired AutovacuumCheck autovacuum;
  @Autowired JdbcClient jdbc;

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_api_test", registry);
  }

  @Test
  void a_task_table_postgres_will_not_vacuum_is_reported_at_start_up() {
    boolean serverWide = jdbc.sql("SELECT current_setting('autovacuum')").query(String.class).single().equals("on");
    jdbc.sql("ALTER TABLE task SET (autovacuum_enabled = false)").update();
    try {
      // a server with autovacuum off is reported as such (this machine's); else the table itself
      assertThat(autovacuum.findings()).containsExactly(serverWide
          ? "autovacuum is disabled on table task" : "PostgreSQL runs with autovacuum = off");
    } finally {
      jdbc.sql("ALTER TABLE task RESET (autovacuum_enabled)").update();
    }
    if (serverWide) {
      assertThat(autovacuum.findings()).isEmpty();
    }
  }

  @Test
  void operators_see_how_many_rows_each_shared_statement_wrote() {
    String id = api.submitOk("{\"type\":\"echo\",\"input\":\"metered\"}");
    awaitStatus(id, "SUCCEEDED");

    // group commit (TaskStore): one sample per statement, tagged with the statement it shared (the
    // database queue claims in batches of its own; a broker's claims by id are tagged "claim");
    // Prometheus shows the same meter as taskgate_store_group_size_rows
    for (String statement : new String[] {"submit", "outcome"}) {
      JsonNode meter = api.get("/actuator/metrics/taskgate.store.group.size?tag=statement:" + statement).json();
      assertThat(meter.path("baseUnit").asText()).isEqualTo("rows");
      java.util.Map<String, Double> values = new java.util.HashMap<>();
      meter.path("measurements").forEach(m -> values.put(m.path("statistic").asText(), m.path("value").asDouble()));
      assertThat(values.get("COUNT")).as(statement + " statements").isGreaterThanOrEqualTo(1);
      assertThat(values.get("MAX")).as(statement + " rows in one").isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void every_statement_is_planned_for_the_table_sizes_of_the_moment() {
    // queue tables swing between empty and a large backlog: a cached generic plan made while the
    // task table was small (seq scan + sort) made every batch claim read the whole backlog
    assertThat(jdbc.sql("SHOW plan_cache_mode").query(String.class).single()).isEqualTo("force_custom_plan");
  }
}
