package io.taskgate.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The idempotency_key table. Its primary key (scope, key) decides races: of two requests with one
 * key, only one INSERT succeeds; the other sees the winner's row once it is committed.
 */
@Repository
public class IdempotencyKeys {

  /** What a key was first used for. */
  public record Entry(String requestHash, UUID taskId) {}

  private final JdbcClient jdbc;

  public IdempotencyKeys(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Inserts the key; throws DuplicateKeyException when it is taken. Run it in the task's transaction. */
  public void insert(String scope, String key, String requestHash, UUID taskId, Duration ttl) {
    Instant now = SqlSupport.now();
    // an expired key is free again
    jdbc.sql("DELETE FROM idempotency_key WHERE scope = :scope AND idem_key = :key AND expires_at < :now")
        .param("scope", scope).param("key", key).param("now", SqlSupport.ts(now))
        .update();
    jdbc.sql("INSERT INTO idempotency_key (scope, idem_key, request_hash, task_id, created_at, expires_at)"
            + " VALUES (:scope, :key, :hash, :taskId, :now, :expires)")
        .param("scope", scope).param("key", key).param("hash", requestHash).param("taskId", taskId)
        .param("now", SqlSupport.ts(now))
        .param("expires", SqlSupport.ts(now.plus(ttl)))
        .update();
  }

  public Optional<Entry> find(String scope, String key) {
    return jdbc.sql("SELECT request_hash, task_id FROM idempotency_key WHERE scope = :scope AND idem_key = :key")
        .param("scope", scope).param("key", key)
        .query((rs, n) -> new Entry(rs.getString("request_hash"), rs.getObject("task_id", UUID.class)))
        .optional();
  }

  public int deleteExpired() {
    return jdbc.sql("DELETE FROM idempotency_key WHERE expires_at < :now")
        .param("now", SqlSupport.ts(SqlSupport.now()))
        .update();
  }
}
