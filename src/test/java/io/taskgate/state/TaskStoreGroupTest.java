package io.taskgate.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.support.Postgres;
import io.taskgate.task.ClaimedTask;
import io.taskgate.task.TaskStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On PostgreSQL the claims and the run outcomes of worker threads that write at the same time share
 * one statement (GroupCommit). Those statements must treat each task exactly as the one-task
 * statements did: here they are called directly with several tasks, on a real PostgreSQL schema
 * with a broker configured (so outbox rows are written). No Spring context.
 */
class TaskStoreGroupTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String OWNER = "worker-1";
  static HikariDataSource pool;
  static JdbcClient jdbc;
  static TaskStore store;
  static TaskgateProperties properties;

  @BeforeAll
  static void store() {
    pool = Postgres.migratedPool("taskgate_group_test", 2);
    jdbc = JdbcClient.create(pool);
    properties = new Binder(new MapConfigurationPropertySource(
            Map.of("taskgate.broker", "rabbitmq", "taskgate.roles", "api,worker")))
        .bindOrCreate("taskgate", TaskgateProperties.class);
    store = store(Duration.ofSeconds(5), Duration.ZERO);
  }

  static TaskStore store(Duration publishGrace, Duration submitLinger) {
    return new TaskStore(jdbc, JSON, new TransactionTemplate(new DataSourceTransactionManager(pool)),
        pool, properties, new SimpleMeterRegistry(), publishGrace, 1, submitLinger);
  }

  @Test
  void with_a_submit_linger_submissions_that_arrive_together_wait_for_it() throws Exception {
    Duration linger = Duration.ofSeconds(3);
    TaskStore lingering = store(Duration.ofSeconds(5), linger);
    int n = 8;
    ExecutorService callers = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<StoredTask>> created = new ArrayList<>();
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        NewTask task = new NewTask(UUID.randomUUID(), "echo", JSON.createObjectNode().put("n", i), 0, 3,
            null, null);
        ids.add(task.id());
        created.add(callers.submit(() -> {
          go.await();
          return lingering.create(task);
        }));
      }
      long start = System.nanoTime();
      go.countDown();
      for (Future<StoredTask> f : created) {
        assertThat(f.get(30, TimeUnit.SECONDS).task().status()).isEqualTo(TaskStatus.PENDING);
      }
      // released together, they are a stream: one of them lingered (without the linger: well
      // under a second)
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(linger);
      assertThat(jdbc.sql("SELECT count(*) FROM task WHERE id IN (:ids)").param("ids", ids)
          .query(Integer.class).single()).isEqualTo(n);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void a_negative_publish_grace_or_submit_linger_is_refused_naming_its_property() {
    // not an error about some derived value further down (the relay's linger, a group commit)
    assertThatThrownBy(() -> store(Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("taskgate.outbox.publish-grace must not be negative: PT-1S");
    assertThatThrownBy(() -> store(Duration.ofSeconds(5), Duration.ofMillis(-2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("taskgate.store.submit-linger must not be negative: PT-0.002S");
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  @Test
  void submissions_stored_together_each_get_their_own_row_and_outbox_row() {
    NewTask plain = new NewTask(UUID.randomUUID(), "echo", JSON.createObjectNode().put("n", 1), 0, 3,
        null, null);
    NewTask urgent = new NewTask(UUID.randomUUID(), "sleep", JSON.createObjectNode().put("n", 2), 7, 5,
        "http://receiver.example/hook", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    List<StoredTask> stored = store.createAll(List.of(plain, urgent));

    assertThat(stored).extracting(s -> s.task().id()).containsExactly(plain.id(), urgent.id());
    assertThat(row(urgent.id())).containsEntry("type", "sleep").containsEntry("status", "PENDING")
        .containsEntry("priority", 7).containsEntry("max_attempts", 5).containsEntry("input", "{\"n\":2}")
        .containsEntry("callback_url", "http://receiver.example/hook")
        .containsEntry("traceparent", urgent.traceparent());
    assertThat(row(plain.id())).containsEntry("type", "echo").containsEntry("input", "{\"n\":1}")
        .containsEntry("callback_url", null);
    for (StoredTask s : stored) {
      // the id the relay deletes after publishing it from memory is this task's own outbox row
      assertThat(jdbc.sql("SELECT task_id FROM outbox WHERE id = :id").param("id", s.outboxRow())
          .query(UUID.class).single()).isEqualTo(s.task().id());
      assertThat(s.task().createdAt()).isEqualTo(
          ((java.sql.Timestamp) row(s.task().id()).get("created_at")).toInstant());
    }
  }

  @Test
  void claims_made_together_claim_each_waiting_task_once() {
    UUID a = pending(null);
    UUID b = pending(null);
    UUID running = pending(null);
    store.claimById(running, "worker-2", Duration.ofSeconds(30));

    List<Optional<ClaimedTask>> claims = store.claimAll(List.of(
        claim(a), claim(b), claim(a), claim(running), claim(UUID.randomUUID())));

    assertThat(claims.get(0)).hasValueSatisfying(t -> {
      assertThat(t.id()).isEqualTo(a);
      assertThat(t.attempt()).isEqualTo(1);
      assertThat(t.leaseOwner()).isEqualTo(OWNER);
      assertThat(t.input().path("task").asText()).isEqualTo(a.toString());
    });
    assertThat(claims.get(1)).hasValueSatisfying(t -> assertThat(t.id()).isEqualTo(b));
    assertThat(claims.get(2)).as("the same message twice: one claim").isEmpty();
    assertThat(claims.get(3)).as("another worker's running task").isEmpty();
    assertThat(claims.get(4)).as("an unknown task").isEmpty();
    assertThat(status(a)).isEqualTo("RUNNING");
    assertThat(jdbc.sql("SELECT lease_owner FROM task WHERE id = :id").param("id", running)
        .query(String.class).single()).isEqualTo("worker-2");
  }

  @Test
  void outcomes_written_together_each_apply_to_their_own_run() {
    UUID succeeds = pending("http://receiver.example/hook");
    UUID fails = pending(null);
    UUID retries = pending(null);
    UUID cancelled = pending(null);
    UUID lost = pending(null);
    List<ClaimedTask> runs = store.claimAll(List.of(claim(succeeds), claim(fails), claim(retries),
        claim(cancelled), claim(lost))).stream().map(Optional::orElseThrow).toList();
    jdbc.sql("UPDATE task SET cancel_requested = TRUE WHERE id = :id").param("id", cancelled).update();
    // a failure or a retry leaves the result column alone (only a success writes it)
    jdbc.sql("UPDATE task SET result = '\"earlier\"' WHERE id = :id").param("id", fails).update();
    ClaimedTask lostLease = new ClaimedTask(lost, "echo", null, 1, 3, null, "worker-2");
    Instant retryAt = SqlSupport.now().plus(1, ChronoUnit.HOURS);

    List<Boolean> applied = store.recordOutcomes(List.of(
        new TaskStore.Outcome(runs.get(0), TaskStatus.SUCCEEDED, "{\"ok\":1}", null, null, null),
        new TaskStore.Outcome(runs.get(1), TaskStatus.FAILED, null, "boom", "it broke", null),
        new TaskStore.Outcome(runs.get(2), TaskStatus.PENDING, null, "flaky", "try again", retryAt),
        new TaskStore.Outcome(runs.get(3), TaskStatus.SUCCEEDED, "{\"ok\":2}", null, null, null),
        new TaskStore.Outcome(lostLease, TaskStatus.SUCCEEDED, "{\"ok\":3}", null, null, null)));

    assertThat(applied).containsExactly(true, true, true, false, false);
    // what a caller does with "not applied": cancel if a cancellation was requested, else nothing
    assertThat(store.succeed(runs.get(3), JSON.createObjectNode())).isEqualTo(TaskStatus.CANCELLED);
    assertThat(store.succeed(lostLease, JSON.createObjectNode())).isNull();
    Map<String, Object> done = row(succeeds);
    assertThat(done).containsEntry("status", "SUCCEEDED").containsEntry("result", "{\"ok\":1}")
        .containsEntry("lease_owner", null);
    assertThat(done.get("finished_at")).isNotNull();
    assertThat(row(fails)).containsEntry("status", "FAILED").containsEntry("error_type", "boom")
        .containsEntry("error_message", "it broke").containsEntry("result", "\"earlier\"");
    Map<String, Object> retry = row(retries);
    assertThat(retry).containsEntry("status", "PENDING").containsEntry("error_type", "flaky")
        .containsEntry("finished_at", null).containsEntry("attempts", 1);
    assertThat(((java.sql.Timestamp) retry.get("run_at")).toInstant()).isEqualTo(retryAt);
    assertThat(row(cancelled)).containsEntry("status", "CANCELLED").containsEntry("result", null);
    assertThat(row(lost)).containsEntry("status", "RUNNING").containsEntry("lease_owner", OWNER);
    // what commits with each outcome: the completion event or the retry's message, the callback
    assertThat(outbox(succeeds)).containsExactly("event");
    assertThat(outbox(fails)).containsExactly("event");
    assertThat(outbox(retries)).containsExactly("task");
    assertThat(jdbc.sql("SELECT max(available_at) FROM outbox WHERE task_id = :id AND kind = 'task'")
        .param("id", retries).query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(retryAt);
    assertThat(outbox(lost)).isEmpty();
    assertThat(jdbc.sql("SELECT event_type FROM callback_delivery WHERE task_id = :id")
        .param("id", succeeds).query(String.class).list()).containsExactly("task.succeeded");
  }

  @Test
  void a_run_named_twice_in_one_group_applies_once() {
    UUID id = pending(null);
    ClaimedTask run = store.claimById(id, OWNER, Duration.ofSeconds(30)).orElseThrow();
    TaskStore.Outcome success = new TaskStore.Outcome(run, TaskStatus.SUCCEEDED, "1", null, null, null);

    List<Boolean> applied = store.recordOutcomes(List.of(success, success));

    assertThat(applied).containsExactlyInAnyOrder(true, false);
    assertThat(outbox(id)).containsExactly("event");
  }

  // A worker's heartbeat extends the leases of all its runs in one UPDATE while groups of their
  // outcomes are written. If it waited for rows in another order than the group locks them, the two
  // would wait on each other and PostgreSQL would abort one as a deadlock. The collision is a
  // matter of timing, so the test makes many: the heartbeat before 24bbb6a (table order) and the one
  // of 24bbb6a (id order, but waiting) each failed it in 3 of 3 runs; a pass alone proves little.
  @Test
  void outcomes_written_while_the_heartbeat_renews_the_same_runs_do_not_deadlock() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          ids.add(pending(null));
        }
        List<ClaimedTask> runs = store.claimAll(ids.stream().map(TaskStoreGroupTest::claim).toList())
            .stream().map(Optional::orElseThrow).toList();
        // handed over against the heartbeat's order: the store has to put them in order itself
        List<TaskStore.Outcome> outcomes = runs.stream()
            .sorted(Comparator.comparing((ClaimedTask r) -> r.id().toString()).reversed())
            .map(r -> new TaskStore.Outcome(r, TaskStatus.SUCCEEDED, "1", null, null, null))
            .toList();
        AtomicBoolean written = new AtomicBoolean();
        CountDownLatch beating = new CountDownLatch(1);
        Future<?> heartbeat = threads.submit(() -> {
          // the heartbeat is renewing all 300 leases, again and again, before the outcomes start
          while (!written.get() && !Thread.currentThread().isInterrupted()) {
            if (store.renewLeases(OWNER, ids, Duration.ofSeconds(30)) == 300) {
              beating.countDown();
            }
          }
          return null;
        });
        Future<List<Boolean>> applied = threads.submit(() -> {
          assertThat(beating.await(30, TimeUnit.SECONDS)).as("the heartbeat renewed the leases").isTrue();
          return store.recordOutcomes(outcomes);
        });
        try {
          assertThat(applied.get(60, TimeUnit.SECONDS)).hasSize(300).containsOnly(true);
        } finally {
          written.set(true);
        }
        heartbeat.get(30, TimeUnit.SECONDS);
        assertThat(ids).allSatisfy(id -> assertThat(status(id)).isEqualTo("SUCCEEDED"));
      }
    } finally {
      threads.shutdownNow();
    }
  }

  // The heartbeat skips a row another transaction holds rather than wait for it (see above). A run
  // that writes its progress as often as the heartbeat beats can hold its row at every renewal: a
  // live run then lost its lease and the reaper gave its task back (KafkaWorkerLifecycleIT failed
  // so in one clean-clone CI run). A run's own guarded writes extend its lease themselves.
  @Test
  void a_run_that_writes_its_progress_keeps_its_lease_when_the_heartbeat_skips_its_row()
      throws Exception {
    UUID id = pending(null);
    ClaimedTask run = store.claimById(id, OWNER, Duration.ofSeconds(2)).orElseThrow();
    OffsetDateTime claimedUntil = leaseExpiresAt(id);
    try (Connection other = pool.getConnection()) {
      other.setAutoCommit(false);
      try (PreparedStatement write =
          other.prepareStatement("UPDATE task SET progress_percent = 10 WHERE id = ?")) {
        write.setObject(1, id);
        write.executeUpdate();
      }
      assertThat(store.renewLeases(OWNER, List.of(id), Duration.ofMinutes(5)))
          .as("renewals while the row is locked").isZero();
      other.rollback();
    }
    assertThat(leaseExpiresAt(id)).isEqualTo(claimedUntil);

    assertThat(store.progress(run, Duration.ofMinutes(5), 50, "half way")).isTrue();
    assertThat(leaseExpiresAt(id)).isAfter(OffsetDateTime.now().plusMinutes(4));
    assertThat(store.checkpoint(run, Duration.ofMinutes(10), JSON.createObjectNode().put("page", 3)))
        .isTrue();
    assertThat(leaseExpiresAt(id)).isAfter(OffsetDateTime.now().plusMinutes(9));

    // a write by a run that no longer holds the task extends nothing
    ClaimedTask stale = new ClaimedTask(run.id(), run.type(), run.input(), run.attempt(),
        run.maxAttempts(), run.checkpoint(), "worker-2");
    OffsetDateTime before = leaseExpiresAt(id);
    assertThat(store.progress(stale, Duration.ofHours(1), 60, "not mine")).isFalse();
    assertThat(leaseExpiresAt(id)).isEqualTo(before);
  }

  static OffsetDateTime leaseExpiresAt(UUID id) {
    return jdbc.sql("SELECT lease_expires_at FROM task WHERE id = :id")
        .param("id", id).query(OffsetDateTime.class).single();
  }

  static TaskStore.ClaimRequest claim(UUID id) {
    return new TaskStore.ClaimRequest(id, OWNER, Duration.ofSeconds(30));
  }

  static UUID pending(String callbackUrl) {
    UUID id = UUID.randomUUID();
    store.create(new NewTask(id, "echo", JSON.createObjectNode().put("task", id.toString()), 0, 3,
        callbackUrl, null));
    return id;
  }

  static String status(UUID id) {
    return (String) row(id).get("status");
  }

  static Map<String, Object> row(UUID id) {
    return jdbc.sql("SELECT * FROM task WHERE id = :id").param("id", id).query().singleRow();
  }

  /** The kinds of the task's outbox rows other than its submission's (due after the 5 s grace). */
  static List<String> outbox(UUID id) {
    return jdbc.sql("SELECT kind FROM outbox WHERE task_id = :id"
            + " AND NOT (kind = 'task' AND available_at <= created_at + interval '1 minute')")
        .param("id", id).query(String.class).list();
  }
}
