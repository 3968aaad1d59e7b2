package io.taskgate.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskgate.support.Postgres;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The per-task statements that name their task by id must reach it through the primary key on
 * PostgreSQL, also in the state every idle queue gets into: its partial indexes analyzed while the
 * queue was empty ("no rows"), then a backlog arrives. A plain {@code status = 'PENDING'} guard let
 * the planner pick the partial claim index there and read the whole backlog for each claim (5 ms
 * at 3,000 pending; bench/RESULTS.md run 4). No Spring context: Flyway's schema, ANALYZE, EXPLAIN.
 */
class TaskStorePlansTest {

  static final String SCHEMA = "taskgate_plans_test";
  static final int BACKLOG = 3_000;
  /**
   * Finished tasks kept for the retention period. On a table of only the backlog (6,000 rows) a
   * group of 128 ids (of outcomes: already 32) is cheaper as a sequential scan, and PostgreSQL
   * picks one; from about 60,000 rows on it reaches a group of 128 (echo's concurrency) through
   * the primary key, and on 1,000,000 rows a group of 512 (bench/RESULTS.md run 17).
   */
  static final int HISTORY = 60_000;
  static SingleConnectionDataSource connection;
  static NamedParameterJdbcTemplate jdbc;

  @BeforeAll
  static void backlogAfterAnEmptyAnalyze() {
    connection = Postgres.migratedSchema(SCHEMA);
    jdbc = new NamedParameterJdbcTemplate(connection);
    jdbc.getJdbcTemplate().execute("ANALYZE task"); // the queue was idle: statistics say empty
    for (String status : List.of("PENDING", "RUNNING")) {
      jdbc.update("""
          INSERT INTO task (id, type, status, max_attempts, lease_owner, lease_expires_at, run_at,
                            created_at, updated_at)
          SELECT gen_random_uuid(), 'echo', :status, 3, 'worker-1', now() + interval '30 seconds',
                 now(), now(), now()
            FROM generate_series(1, :n)
          """, Map.of("status", status, "n", BACKLOG));
    }
    jdbc.update("""
        INSERT INTO task (id, type, status, max_attempts, attempts, result, run_at, created_at,
                          updated_at, finished_at)
        SELECT gen_random_uuid(), 'echo', 'SUCCEEDED', 3, 1, '{"echo":1}', now(),
               now() - g * interval '1 second', now(), now()
          FROM generate_series(1, :n) g
        """, Map.of("n", HISTORY));
  }

  @AfterAll
  static void close() {
    connection.destroy();
  }

  @ParameterizedTest
  @CsvSource({"claim-by-id, 1", "run-outcome, 1", "renew-leases, 4", "claim-by-ids, 4", "run-outcomes, 4",
      "renew-leases, 128", "claim-by-ids, 128", "run-outcomes, 128"})
  void a_statement_naming_its_task_uses_the_primary_key_whatever_the_statistics_say(String statement,
      int tasks) {
    String sql = switch (statement) {
      case "claim-by-id" -> TaskStore.CLAIM_BY_ID;
      case "renew-leases" -> TaskStore.RENEW_LEASES_POSTGRES;
      case "claim-by-ids" -> TaskStore.CLAIM_BY_IDS_POSTGRES;
      case "run-outcomes" -> TaskStore.RUN_OUTCOMES_POSTGRES;
      default -> "UPDATE task SET status = 'SUCCEEDED', finished_at = :now, updated_at = :now"
          + TaskStore.RUN_GUARD;
    };
    String status = statement.startsWith("claim-") ? "PENDING" : "RUNNING";
    List<UUID> ids = jdbc.queryForList("SELECT id FROM task WHERE status = :status LIMIT :n",
        Map.of("status", status, "n", tasks), UUID.class);
    UUID id = ids.get(0);
    Map<String, Object> params = new HashMap<>(Map.of("id", id, "owner", "worker-1", "attempt", 0,
        "until", OffsetDateTime.now().plusSeconds(30), "now", OffsetDateTime.now(), "outbox", true));
    // the grouped statements (GroupCommit) name their tasks in arrays, one element per task
    params.put("ids", statement.endsWith("-ids") || statement.endsWith("-outcomes")
        || statement.equals("renew-leases") ? SqlSupport.textArray(ids.toArray()) : ids);
    for (String column : List.of("owners", "attempts", "statuses", "results", "errorTypes", "messages", "runAts")) {
      params.put(column, SqlSupport.textArray(new Object[ids.size()]));
    }

    String plan = String.join("\n", jdbc.queryForList("EXPLAIN " + sql, params, String.class));

    assertThat(plan).contains("task_pkey").doesNotContain("Seq Scan on task")
        .doesNotContain("task_claim_idx").doesNotContain("task_lease_idx");
  }
}
