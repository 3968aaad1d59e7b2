package io.taskgate.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import io.taskgate.state.SqlSupport;
import org.springframework.stereotype.Repository;

/**
 * The outbox table (rows are written by the state store with the change that needs a message).
 * Rows are claimed by one relay at a time and deleted once the broker confirmed them.
 */
@Repository
class Outbox {

  // PostgreSQL: take due rows by deleting them, in a transaction the relay keeps open until the
  // broker confirmed their messages (rollback puts them back). One write per row instead of a
  // claim UPDATE plus a DELETE; SKIP LOCKED lets another relay take other rows meanwhile.
  // Reads only the rows it takes, whatever the statistics say (OutboxPlansTest): the due rows in
  // the order of outbox_due_idx, then each by its primary key. The earlier form, a join with
  // "(claim_expires_at IS NULL OR ...)" in it (a condition that is always true here: only H2's
  // claim sets that column), read the whole outbox for each batch of 200 — a hash join over a
  // sequential scan, plus a sort of every due row when the statistics said "empty" — 9 to 31 ms
  // per take with 50,000 rows waiting instead of 0.5 ms, so a relay that fell behind during a
  // submit flood drained its backlog ever slower (bench/RESULTS.md run 9).
  static final String TAKE_POSTGRES =
      """
      DELETE FROM outbox
       WHERE id = ANY(ARRAY(SELECT id FROM outbox WHERE available_at <= :now
                             ORDER BY available_at, id LIMIT :max FOR UPDATE SKIP LOCKED))
      RETURNING id, kind, task_id
      """;

  private final JdbcClient jdbc;
  private final boolean postgres;

  Outbox(JdbcClient jdbc, DataSource dataSource) {
    this.jdbc = jdbc;
    this.postgres = SqlSupport.isPostgres(dataSource);
  }

  /** H2 (no take): claims due rows one conditional UPDATE each; delete or retryLater follow. */
  List<OutboxRow> claim(String owner, int max, Duration claimFor) {
    Instant now = SqlSupport.now();
    List<Long> due = jdbc.sql("SELECT id FROM outbox WHERE available_at <= :now"
            + " AND (claim_expires_at IS NULL OR claim_expires_at < :now) ORDER BY available_at, id LIMIT :max")
        .param("now", ts(now)).param("max", max)
        .query(Long.class).list();
    List<Long> claimed = new ArrayList<>();
    for (Long id : due) {
      int won = jdbc.sql("UPDATE outbox SET claimed_by = :owner, claim_expires_at = :until,"
              + " attempts = attempts + 1 WHERE id = :id"
              + " AND (claim_expires_at IS NULL OR claim_expires_at < :now)")
          .param("owner", owner).param("until", ts(now.plus(claimFor))).param("now", ts(now))
          .param("id", id).update();
      if (won == 1) {
        claimed.add(id);
      }
    }
    if (claimed.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT id, kind, task_id FROM outbox WHERE id IN (:ids) ORDER BY id")
        .param("ids", claimed)
        .query((rs, n) -> new OutboxRow(rs.getLong("id"), rs.getString("kind"),
            rs.getObject("task_id", UUID.class)))
        .list();
  }

  /** True when {@link #take} is available (PostgreSQL); H2 uses claim, delete and retryLater. */
  boolean canTake() {
    return postgres;
  }

  /** Deletes and returns up to {@code max} due rows; call it in the transaction that waits for the broker. */
  List<OutboxRow> take(int max) {
    return jdbc.sql(TAKE_POSTGRES)
        .param("now", ts(SqlSupport.now())).param("max", max)
        .query((rs, n) -> new OutboxRow(rs.getLong("id"), rs.getString("kind"),
            rs.getObject("task_id", UUID.class)))
        .list();
  }

  /** Published (the broker confirmed) or moot: gone for good. */
  void delete(Collection<Long> ids, String owner) {
    if (!ids.isEmpty()) {
      jdbc.sql("DELETE FROM outbox WHERE id IN (:ids) AND claimed_by = :owner")
          .param("ids", ids).param("owner", owner).update();
    }
  }

  /** Published by the API right after the submit (see OutboxRelay#publishSoon): these rows only. */
  void deleteByIds(Collection<Long> ids) {
    if (!ids.isEmpty()) {
      jdbc.sql("DELETE FROM outbox WHERE id IN (:ids)").param("ids", ids).update();
    }
  }

  /** Not confirmed: try again after {@code delay}. */
  void retryLater(Collection<Long> ids, String owner, Duration delay) {
    if (!ids.isEmpty()) {
      jdbc.sql("UPDATE outbox SET claim_expires_at = :at WHERE id IN (:ids) AND claimed_by = :owner")
          .param("at", ts(Instant.now().plus(delay))).param("ids", ids).param("owner", owner).update();
    }
  }

  long pending() {
    return jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
  }

  private static java.time.OffsetDateTime ts(Instant instant) {
    return SqlSupport.ts(instant);
  }
}
