package io.taskgate.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.support.Plans;
import io.taskgate.support.Postgres;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A page of {@code GET /api/v1/tasks} on PostgreSQL reads its page: not the pages before it, not
 * the callbacks of other tasks. The tasks' statistics are current; the callbacks' are from before
 * the first callback was sent (an idle table analyzed empty). The API asks for one row more than
 * the page (limit 51 for a page of 50) to know whether another page follows. Which rows a page
 * holds is for the API scenarios, except for tasks created in the same instant (here, also on H2,
 * whose list SQL differs). No Spring context: Flyway's schema, ANALYZE, EXPLAIN ANALYZE.
 */
class TaskListPlansTest {

  static final String SCHEMA = "taskgate_list_plans_test";
  static final int FINISHED = 6_000;
  static final int PENDING = 3_000;
  static SingleConnectionDataSource connection;
  static NamedParameterJdbcTemplate jdbc;

  @BeforeAll
  static void finishedTasksWithCallbacksThenABacklog() {
    connection = Postgres.migratedSchema(SCHEMA);
    jdbc = new NamedParameterJdbcTemplate(connection);
    jdbc.getJdbcTemplate().execute("ANALYZE callback_delivery"); // no callback sent yet
    jdbc.update("""
        INSERT INTO task (id, type, status, max_attempts, run_at, created_at, updated_at, finished_at,
                          callback_url)
        SELECT gen_random_uuid(), 'echo', 'SUCCEEDED', 3, now(),
               now() - interval '1 hour' + g * interval '1 millisecond', now(), now(), 'http://127.0.0.1:9/hook'
          FROM generate_series(1, :n) g
        """, Map.of("n", FINISHED));
    jdbc.update("""
        INSERT INTO callback_delivery (task_id, event_type, url, status, attempts, next_attempt_at,
                                       created_at, updated_at, delivered_at)
        SELECT id, 'task.succeeded', callback_url, 'DELIVERED', 1, now(), now(), now(), now() FROM task
        """, Map.of());
    jdbc.update("""
        INSERT INTO task (id, type, status, max_attempts, run_at, created_at, updated_at)
        SELECT gen_random_uuid(), 'echo', 'PENDING', 3, now(), now() + g * interval '1 millisecond', now()
          FROM generate_series(1, :n) g
        """, Map.of("n", PENDING));
    jdbc.getJdbcTemplate().execute("ANALYZE task");
  }

  @AfterAll
  static void close() {
    connection.destroy();
  }

  @ParameterizedTest
  @CsvSource({"51, 2000", "51, 7000", "501, 4000"})
  void a_page_after_a_cursor_reads_that_page_not_the_pages_before_it(int limit, int depth) {
    Map<String, Object> cursor = jdbc.queryForMap(
        "SELECT created_at, id FROM task ORDER BY created_at DESC, id DESC OFFSET :skip LIMIT 1",
        Map.of("skip", depth - 1));
    Map<String, Object> params = params(null, limit);
    params.put("afterAt", ((Timestamp) cursor.get("created_at")).toInstant().atOffset(ZoneOffset.UTC));
    params.put("afterId", cursor.get("id"));

    JsonNode plan = Plans.explainAnalyze(jdbc, TaskStore.listSql(true, true), params);

    assertThat(Plans.rowsRead(plan, "task")).as("rows of task read%n%s", plan.toPrettyString())
        .isLessThanOrEqualTo(limit);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "SUCCEEDED", "PENDING"})
  void the_callbacks_of_a_page_are_read_for_its_tasks_only(String status) {
    int limit = 51;
    JsonNode plan = Plans.explainAnalyze(jdbc, TaskStore.listSql(true, false),
        params(status.isEmpty() ? null : status, limit));

    assertThat(Plans.rowsRead(plan, "callback_delivery"))
        .as("rows of callback_delivery read%n%s", plan.toPrettyString())
        .isLessThanOrEqualTo(limit);
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "h2"})
  void tasks_created_in_the_same_instant_are_paged_by_id_without_a_gap_or_a_repeat(String database) {
    boolean postgres = database.equals("postgresql");
    SingleConnectionDataSource h2 = postgres ? null : h2();
    NamedParameterJdbcTemplate db = postgres ? jdbc : new NamedParameterJdbcTemplate(h2);
    try {
      // one group commit stamps all its tasks with the same created_at
      OffsetDateTime instant = OffsetDateTime.parse("2100-01-01T00:00:00Z");
      for (int i = 0; i < 3; i++) {
        db.update("""
            INSERT INTO task (id, type, status, max_attempts, run_at, created_at, updated_at)
            VALUES (:id, 'same-instant', 'PENDING', 3, :at, :at, :at)
            """, Map.of("id", UUID.randomUUID(), "at", instant));
      }
      List<UUID> newestFirst = db.queryForList(
          "SELECT id FROM task WHERE type = 'same-instant' ORDER BY id DESC", Map.of(), UUID.class);

      List<UUID> paged = new ArrayList<>();
      Map<String, Object> params = params(null, 1);
      params.put("type", "same-instant");
      RowMapper<UUID> id = (rs, row) -> rs.getObject("id", UUID.class);
      List<UUID> page = db.query(TaskStore.listSql(postgres, false), params, id);
      while (!page.isEmpty() && paged.size() < 10) { // a cursor that repeated a row would loop
        paged.addAll(page);
        params.put("afterAt", instant);
        params.put("afterId", page.get(0));
        page = db.query(TaskStore.listSql(postgres, true), params, id);
      }

      assertThat(paged).hasSize(3).containsExactlyElementsOf(newestFirst);
    } finally {
      if (h2 != null) {
        h2.destroy();
      }
    }
  }

  /** An empty in-memory H2 with Taskgate's tables, in the mode the application runs it. */
  private static SingleConnectionDataSource h2() {
    String url = "jdbc:h2:mem:taskgate_list_test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    SingleConnectionDataSource h2 = new SingleConnectionDataSource(url, "sa", "", true);
    Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
    return h2;
  }

  private static Map<String, Object> params(String status, int limit) {
    Map<String, Object> params = new HashMap<>();
    params.put("type", null);
    params.put("status", status);
    params.put("limit", limit);
    return params;
  }
}
