package io.taskgate.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskgate.support.Postgres;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The relay's take on PostgreSQL reads only the rows it takes, also with a backlog in the outbox
 * and statistics from when it was empty (a relay that fell behind during a submit flood). The
 * earlier take read the whole outbox for every batch (bench/RESULTS.md run 9). No Spring context:
 * Flyway's schema, ANALYZE, EXPLAIN, and the statement itself.
 */
class OutboxPlansTest {

  static final String SCHEMA = "taskgate_outbox_plans_test";
  static final int BACKLOG = 20_000;
  static SingleConnectionDataSource connection;
  static NamedParameterJdbcTemplate jdbc;

  @BeforeAll
  static void backlogAfterAnEmptyAnalyze() {
    connection = Postgres.migratedSchema(SCHEMA);
    jdbc = new NamedParameterJdbcTemplate(connection);
    jdbc.getJdbcTemplate().execute("ANALYZE outbox"); // the relay kept up: statistics say empty
    // due rows, oldest first, then rows still within their publish grace
    jdbc.update("""
        INSERT INTO outbox (kind, task_id, available_at, created_at)
        SELECT 'task', gen_random_uuid(), now() - interval '1 hour' + g * interval '1 millisecond', now()
          FROM generate_series(1, :n) g
        """, Map.of("n", BACKLOG));
    jdbc.update("""
        INSERT INTO outbox (kind, task_id, available_at, created_at)
        SELECT 'event', gen_random_uuid(), now() + interval '1 hour', now() FROM generate_series(1, 100)
        """, Map.of());
  }

  @AfterAll
  static void close() {
    connection.destroy();
  }

  static Map<String, Object> params(int max) {
    return Map.of("now", OffsetDateTime.now(), "max", max);
  }

  @Test
  void the_take_reads_the_due_rows_by_index_whatever_the_statistics_say() {
    String plan = String.join("\n", jdbc.queryForList("EXPLAIN " + Outbox.TAKE_POSTGRES, params(200), String.class));

    assertThat(plan).contains("outbox_due_idx").contains("outbox_pkey").doesNotContain("Seq Scan");
  }

  @Test
  void the_take_deletes_and_returns_the_oldest_due_rows_and_leaves_the_rest() {
    long before = jdbc.getJdbcTemplate().queryForObject("SELECT count(*) FROM outbox", Long.class);
    List<Long> oldest = jdbc.queryForList(
        "SELECT id FROM outbox WHERE available_at <= now() ORDER BY available_at, id LIMIT 200", Map.of(), Long.class);

    List<Long> taken = jdbc.query(Outbox.TAKE_POSTGRES, params(200), (rs, n) -> rs.getLong("id"));

    assertThat(taken).containsExactlyInAnyOrderElementsOf(oldest);
    assertThat(jdbc.getJdbcTemplate().queryForObject("SELECT count(*) FROM outbox", Long.class))
        .isEqualTo(before - 200);
    // not yet due (within the publish grace): never taken
    assertThat(jdbc.getJdbcTemplate().queryForObject(
        "SELECT count(*) FROM outbox WHERE available_at > now()", Long.class)).isEqualTo(100);
  }
}
