package io.taskgate.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.state.NewTask;
import io.taskgate.state.TaskStore;
import io.taskgate.support.Postgres;
import io.taskgate.task.ClaimedTask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The heartbeat of running tasks on a real PostgreSQL: an hour-long task keeps its lease only if
 * every renewal lands. A renewal that skipped a row (PostgreSQL skips rows another transaction
 * holds, RENEW_LEASES_POSTGRES) is tried again on the next beat, not a third of the lease later.
 * No Spring context.
 */
class RunningTasksTest {

  static final ObjectMapper JSON = new ObjectMapper();
  // a beat every 100 ms; a lease of a minute is renewed every 20 s when all goes well
  static final Duration LEASE = Duration.ofMinutes(1);
  static HikariDataSource pool;
  static JdbcClient jdbc;
  static TaskStore store;
  static TaskgateProperties properties;
  /** What each of the heartbeat's renewals renewed, in order. */
  static final List<Integer> renewals = new CopyOnWriteArrayList<>();

  RunningTasks running;

  @BeforeAll
  static void store() {
    pool = Postgres.migratedPool("taskgate_heartbeat_test", 3);
    jdbc = JdbcClient.create(pool);
    properties = new Binder(new MapConfigurationPropertySource(Map.of(
            "taskgate.broker", "database",
            "taskgate.roles", "worker",
            "taskgate.worker.lease", LEASE.toString(),
            "taskgate.worker.heartbeat-interval", "100ms")))
        .bindOrCreate("taskgate", TaskgateProperties.class);
    store = new TaskStore(jdbc, JSON, new TransactionTemplate(new DataSourceTransactionManager(pool)),
        pool, properties, new SimpleMeterRegistry(), Duration.ofSeconds(5), 1, Duration.ZERO) {
      @Override
      public int renewLeases(String owner, Collection<UUID> ids, Duration lease) {
        int renewed = super.renewLeases(owner, ids, lease);
        renewals.add(renewed);
        return renewed;
      }
    };
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @AfterEach
  void stopHeartbeat() {
    if (running != null) {
      running.destroy();
    }
  }

  @Test
  void a_lease_renewal_that_skipped_a_locked_row_is_tried_again_on_the_next_beat() throws Exception {
    running = new RunningTasks(store, new WorkerIdentity(), properties);
    UUID id = UUID.randomUUID();
    store.create(new NewTask(id, "capture", JSON.createObjectNode(), 0, 3, null, null));
    // a lease shorter than the heartbeat's (a minute): its renewal shows as a later expiry
    ClaimedTask task = store.claimById(id, running.owner(), Duration.ofSeconds(10)).orElseThrow();
    Instant claimedUntil = leaseExpiresAt(id);

    try (Connection other = pool.getConnection()) {
      other.setAutoCommit(false);
      try (PreparedStatement lock = other.prepareStatement("SELECT id FROM task WHERE id = ? FOR UPDATE")) {
        lock.setObject(1, id);
        lock.executeQuery().close();
      }
      // the heartbeat's first renewal is due on its first beat with a run (none renewed before);
      // while another transaction holds the row, renewals skip it
      RunningTasks.Run run = running.start(task, Duration.ofHours(1));
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> renewals.contains(0));
        assertThat(leaseExpiresAt(id)).isEqualTo(claimedUntil);
        other.rollback();

        // the next beat renews it for a whole lease; had the skipped renewal counted, the next
        // would come a third of the lease (20 s) later
        await().atMost(Duration.ofSeconds(5))
            .until(() -> leaseExpiresAt(id).isAfter(claimedUntil.plus(Duration.ofSeconds(30))));
        assertThat(run.isCancelled()).isFalse();
      } finally {
        running.finish(run); // the run's thread is this one: no stop may leave it interrupted
      }
    }
  }

  static Instant leaseExpiresAt(UUID id) {
    return jdbc.sql("SELECT lease_expires_at FROM task WHERE id = :id").param("id", id)
        .query(OffsetDateTime.class).single().toInstant();
  }
}
