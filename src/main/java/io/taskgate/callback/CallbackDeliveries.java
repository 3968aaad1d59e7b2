package io.taskgate.callback;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import io.taskgate.state.SqlSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The callback_delivery table. Rows are written by the state store with the terminal transition;
 * this class claims due ones for one api replica at a time and records each attempt's outcome.
 */
@Repository
class CallbackDeliveries {

  private static final String CLAIM_GUARD =
      " WHERE task_id = :id AND status = 'PENDING' AND next_attempt_at <= :now"
          + " AND (claim_expires_at IS NULL OR claim_expires_at < :now)";
  private static final String OWN_GUARD =
      " WHERE task_id = :id AND status = 'PENDING' AND claimed_by = :owner AND attempts = :attempts";

  // PostgreSQL: a round's rows in one statement; SKIP LOCKED lets other replicas take other rows
  private static final String CLAIM_POSTGRES =
      """
      UPDATE callback_delivery d SET claimed_by = :owner, claim_expires_at = :until, updated_at = :now
        FROM (SELECT task_id FROM callback_delivery
               WHERE status = 'PENDING' AND next_attempt_at <= :now
                 AND (claim_expires_at IS NULL OR claim_expires_at < :now)
               ORDER BY next_attempt_at LIMIT :max FOR UPDATE SKIP LOCKED) c
       WHERE d.task_id = c.task_id
      RETURNING d.task_id, d.event_type, d.url, d.attempts
      """;

  private final JdbcClient jdbc;
  private final boolean postgres;

  CallbackDeliveries(JdbcClient jdbc, DataSource dataSource) {
    this.jdbc = jdbc;
    this.postgres = SqlSupport.isPostgres(dataSource);
  }

  /**
   * Claims up to {@code max} due deliveries for {@code owner} until {@code claimFor} from now. On
   * H2 each row is claimed by its own conditional UPDATE: when replicas race, one of them wins each
   * row; on PostgreSQL one UPDATE with FOR UPDATE SKIP LOCKED claims them all.
   */
  List<Delivery> claimDue(String owner, int max, Duration claimFor) {
    Instant now = now();
    if (postgres) {
      return jdbc.sql(CLAIM_POSTGRES)
          .param("owner", owner).param("until", ts(now.plus(claimFor))).param("now", ts(now))
          .param("max", max)
          .query((rs, n) -> new Delivery(rs.getObject("task_id", UUID.class), rs.getString("event_type"),
              rs.getString("url"), rs.getInt("attempts")))
          .list();
    }
    List<UUID> due = jdbc.sql(
            "SELECT task_id FROM callback_delivery WHERE status = 'PENDING' AND next_attempt_at <= :now"
                + " AND (claim_expires_at IS NULL OR claim_expires_at < :now)"
                + " ORDER BY next_attempt_at LIMIT :max")
        .param("now", ts(now))
        .param("max", max)
        .query((rs, n) -> rs.getObject("task_id", UUID.class))
        .list();
    List<UUID> claimed = new ArrayList<>();
    for (UUID id : due) {
      int won = jdbc.sql("UPDATE callback_delivery SET claimed_by = :owner, claim_expires_at = :until,"
              + " updated_at = :now" + CLAIM_GUARD)
          .param("owner", owner)
          .param("until", ts(now.plus(claimFor)))
          .param("now", ts(now))
          .param("id", id)
          .update();
      if (won == 1) {
        claimed.add(id);
      }
    }
    if (claimed.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT task_id, event_type, url, attempts FROM callback_delivery"
            + " WHERE task_id IN (:ids) AND claimed_by = :owner")
        .param("ids", claimed)
        .param("owner", owner)
        .query((rs, n) -> new Delivery(rs.getObject("task_id", UUID.class), rs.getString("event_type"),
            rs.getString("url"), rs.getInt("attempts")))
        .list();
  }

  void delivered(Delivery d, String owner) {
    jdbc.sql("UPDATE callback_delivery SET status = 'DELIVERED', attempts = attempts + 1,"
            + " last_error = NULL, delivered_at = :now, updated_at = :now, claimed_by = NULL,"
            + " claim_expires_at = NULL" + OWN_GUARD)
        .param("now", ts(now())).param("id", d.taskId()).param("owner", owner)
        .param("attempts", d.attempts())
        .update();
  }

  void retryLater(Delivery d, String owner, String error, Instant nextAttempt) {
    jdbc.sql("UPDATE callback_delivery SET attempts = attempts + 1, last_error = :error,"
            + " next_attempt_at = :next, updated_at = :now, claimed_by = NULL, claim_expires_at = NULL"
            + OWN_GUARD)
        .param("error", truncate(error)).param("next", ts(nextAttempt)).param("now", ts(now()))
        .param("id", d.taskId()).param("owner", owner).param("attempts", d.attempts())
        .update();
  }

  void failed(Delivery d, String owner, String error) {
    jdbc.sql("UPDATE callback_delivery SET status = 'FAILED', attempts = attempts + 1,"
            + " last_error = :error, updated_at = :now, claimed_by = NULL, claim_expires_at = NULL"
            + OWN_GUARD)
        .param("error", truncate(error)).param("now", ts(now()))
        .param("id", d.taskId()).param("owner", owner).param("attempts", d.attempts())
        .update();
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
  }

  private static Instant now() {
    return SqlSupport.now();
  }

  private static OffsetDateTime ts(Instant instant) {
    return SqlSupport.ts(instant);
  }
}
