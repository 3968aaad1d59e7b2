package io.taskgate.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.task.ClaimedTask;
import io.taskgate.task.Task;
import io.taskgate.task.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The task table. Every status change is a conditional UPDATE on the current status (and, for a
 * run, on its lease owner and attempt number), after {@link TaskStatus#requireTransition} approved
 * it: the database decides races, never the caller's memory.
 */
@Repository
public class TaskStore {

  private static final String TASK_COLUMNS =
      "t.id, t.type, t.status, t.priority, t.input, t.result, t.error_type, t.error_message,"
          + " t.progress_percent, t.progress_message, t.attempts, t.max_attempts, t.cancel_requested,"
          + " t.created_at, t.updated_at, t.started_at, t.finished_at, t.callback_url, t.traceparent";
  private static final String DELIVERY_COLUMNS =
      "d.status AS callback_status, d.attempts AS callback_attempts, d.last_error AS callback_last_error";
  private static final String SELECT_TASK = "SELECT " + TASK_COLUMNS + ", " + DELIVERY_COLUMNS
      + " FROM task t LEFT JOIN callback_delivery d ON d.task_id = t.id";

  // A page of the list, newest first, reads its page on PostgreSQL (TaskListPlansTest; timings in
  // bench/RESULTS.md run 12). The cursor is a row comparison: the backward scan of
  // task_created_idx (created_at, id) starts there; as an OR of the two columns it was only a
  // filter, and page k read pages 1..k again. The page is cut before callback_delivery is looked
  // up, through a LATERAL subquery the planner cannot flatten: as a join, with statistics that
  // underestimated callback_delivery, the planner hashed all of it for one page. H2 has no
  // LATERAL and runs small. Still up to the statistics: a status filter over a backlog they do
  // not know yet sorts every match. The null filters fold away in the custom plan of each
  // execution (PostgresPlanMode).
  static String listSql(boolean postgres, boolean afterCursor) {
    return "SELECT t.*, " + DELIVERY_COLUMNS
        + " FROM (SELECT " + TASK_COLUMNS + " FROM task t"
        + "        WHERE (CAST(:type AS VARCHAR(100)) IS NULL OR t.type = :type)"
        + "          AND (CAST(:status AS VARCHAR(16)) IS NULL OR t.status = :status)"
        + (afterCursor ? " AND (t.created_at, t.id) < (:afterAt, :afterId)" : "")
        + "        ORDER BY t.created_at DESC, t.id DESC LIMIT :limit) t"
        + (postgres
            ? " LEFT JOIN LATERAL (SELECT d.status, d.attempts, d.last_error FROM callback_delivery d"
                + "  WHERE d.task_id = t.id OFFSET 0) d ON TRUE"
            : " LEFT JOIN callback_delivery d ON d.task_id = t.id")
        + " ORDER BY t.created_at DESC, t.id DESC";
  }

  // A terminal transition and its callback delivery commit together: written in the same
  // transaction, right after the UPDATE that finished the task.
  private static final String RECORD_DELIVERY =
      """
      INSERT INTO callback_delivery (task_id, event_type, url, status, attempts, next_attempt_at,
                                     created_at, updated_at)
      SELECT id, CASE status WHEN 'SUCCEEDED' THEN 'task.succeeded' WHEN 'FAILED' THEN 'task.failed'
                             ELSE 'task.cancelled' END,
             callback_url, 'PENDING', 0, :now, :now, :now
        FROM task
       WHERE id = :id AND callback_url IS NOT NULL AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
      """;

  // PostgreSQL: one statement claims up to :max rows; SKIP LOCKED lets competing workers pass by.
  private static final String CLAIM_POSTGRES =
      """
      UPDATE task t SET status = 'RUNNING', attempts = t.attempts + 1, lease_owner = :owner,
             lease_expires_at = :until, started_at = COALESCE(t.started_at, :now), updated_at = :now,
             progress_percent = NULL, progress_message = NULL, version = t.version + 1
        FROM (SELECT id FROM task
               WHERE type = :type AND status = 'PENDING' AND run_at <= :now
               ORDER BY priority DESC, run_at, created_at
               LIMIT :max FOR UPDATE SKIP LOCKED) c
       WHERE t.id = c.id
      RETURNING t.id, t.type, t.input, t.attempts, t.max_attempts, t.checkpoint, t.lease_owner
      """;

  // H2 (embedded, one process): pick candidates, then compare-and-set each on its version.
  private static final String CLAIM_CANDIDATES =
      """
      SELECT id, version FROM task
       WHERE type = :type AND status = 'PENDING' AND run_at <= :now
       ORDER BY priority DESC, run_at, created_at
       LIMIT :max
      """;
  private static final String CLAIM_ONE =
      """
      UPDATE task SET status = 'RUNNING', attempts = attempts + 1, lease_owner = :owner,
             lease_expires_at = :until, started_at = COALESCE(started_at, :now), updated_at = :now,
             progress_percent = NULL, progress_message = NULL, version = version + 1
       WHERE id = :id AND status = 'PENDING' AND version = :version
      """;
  private static final String CLAIMED_COLUMNS =
      "id, type, input, attempts, max_attempts, checkpoint, lease_owner";
  private static final String CLAIMED_ROWS =
      "SELECT " + CLAIMED_COLUMNS + " FROM task WHERE id IN (:ids)";
  // Statements that name their task(s) by id test the status as "(status = 'X') IS TRUE", so that
  // PostgreSQL can only find the rows through the primary key. A plain "status = 'PENDING'" (or
  // 'RUNNING') lets the planner use the partial claim (lease) index, whose predicate it implies,
  // and while that index's statistics say "empty" (created on an empty table, or analyzed when the
  // queue was empty: every idle moment of a queue) the planner preferred it, so every claim read
  // the whole backlog: 5 ms at 3,000 PENDING, a drain that slowed as the queue grew (bench/RESULTS.md).
  // TaskStorePlansTest recreates that state and checks the plans of CLAIM_BY_ID, RUN_GUARD,
  // RENEW_LEASES_POSTGRES and the grouped CLAIM_BY_IDS_POSTGRES and RUN_OUTCOMES_POSTGRES.
  private static final String IS_RUNNING = "(status = 'RUNNING') IS TRUE";
  private static final String PENDING_BY_ID = "id = :id AND (status = 'PENDING') IS TRUE";
  private static final String RUNNING_BY_ID = "id = :id AND " + IS_RUNNING;
  // a broker message names its task: only a due PENDING task is claimed (H2; PostgreSQL claims
  // several at once with CLAIM_BY_IDS_POSTGRES)
  static final String CLAIM_BY_ID =
      """
      UPDATE task SET status = 'RUNNING', attempts = attempts + 1, lease_owner = :owner,
             lease_expires_at = :until, started_at = COALESCE(started_at, :now), updated_at = :now,
             progress_percent = NULL, progress_message = NULL, version = version + 1
       WHERE %s AND run_at <= :now
      """.formatted(PENDING_BY_ID);

  // PostgreSQL: the claims of several broker messages in one statement (GroupCommit); each returned
  // row is a task this worker now runs. Reaches each task through the primary key (TaskStorePlansTest).
  static final String CLAIM_BY_IDS_POSTGRES =
      """
      UPDATE task SET status = 'RUNNING', attempts = attempts + 1, lease_owner = :owner,
             lease_expires_at = :until, started_at = COALESCE(started_at, :now), updated_at = :now,
             progress_percent = NULL, progress_message = NULL, version = version + 1
        FROM unnest(CAST(:ids AS uuid[])) AS c(id)
       WHERE task.id = c.id AND (task.status = 'PENDING') IS TRUE AND task.run_at <= :now
      RETURNING task.id, task.type, task.input, task.attempts, task.max_attempts, task.checkpoint,
                task.lease_owner
      """;

  // PostgreSQL: the outcomes of several runs in one statement (GroupCommit), so one plan, one round
  // trip and one commit for all of them: the guarded UPDATE (RUN_GUARD per run: still RUNNING, same
  // lease owner and attempt, no cancellation requested), the callback delivery of each terminal
  // outcome and the outbox row (the completion event, or the retry's task message, due when the
  // retry is). Data-modifying WITH clauses run exactly once, all or nothing. Returns the positions
  // (1-based) of the runs whose outcome applied.
  static final String RUN_OUTCOMES_POSTGRES =
      """
      WITH t AS (
             UPDATE task
                SET status = v.status,
                    result = CASE WHEN v.status = 'SUCCEEDED' THEN v.result ELSE task.result END,
                    error_type = v.error_type, error_message = v.error_message,
                    run_at = COALESCE(v.run_at, task.run_at),
                    finished_at = CASE WHEN v.status = 'PENDING' THEN task.finished_at ELSE :now END,
                    updated_at = :now, lease_owner = NULL, lease_expires_at = NULL,
                    version = task.version + 1
               FROM unnest(CAST(:ids AS uuid[]), CAST(:owners AS text[]), CAST(:attempts AS int[]),
                           CAST(:statuses AS text[]), CAST(:results AS text[]),
                           CAST(:errorTypes AS text[]), CAST(:messages AS text[]),
                           CAST(:runAts AS timestamptz[])) WITH ORDINALITY
                    AS v(id, owner, attempt, status, result, error_type, error_message, run_at, i)
              WHERE task.id = v.id AND (task.status = 'RUNNING') IS TRUE
                AND task.lease_owner = v.owner AND task.attempts = v.attempt
                AND task.cancel_requested = FALSE
             RETURNING task.id, task.status, task.callback_url, task.run_at, v.i),
           d AS (INSERT INTO callback_delivery (task_id, event_type, url, status, attempts,
                                               next_attempt_at, created_at, updated_at)
                 SELECT id, CASE status WHEN 'SUCCEEDED' THEN 'task.succeeded'
                                        WHEN 'FAILED' THEN 'task.failed' ELSE 'task.cancelled' END,
                        callback_url, 'PENDING', 0, :now, :now, :now
                   FROM t
                  WHERE callback_url IS NOT NULL AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
                 RETURNING task_id),
           o AS (INSERT INTO outbox (kind, task_id, available_at, created_at)
                 SELECT CASE status WHEN 'PENDING' THEN 'task' ELSE 'event' END, id,
                        CASE status WHEN 'PENDING' THEN run_at ELSE :now END, :now
                   FROM t WHERE :outbox
                 RETURNING task_id)
      SELECT i FROM t
      """;

  // a worker's heartbeat: the leases of all its running tasks in one statement (H2)
  static final String RENEW_LEASES =
      "UPDATE task SET lease_expires_at = :until WHERE id IN (:ids) AND " + IS_RUNNING
          + " AND lease_owner = :owner";

  // PostgreSQL: the same, skipping the rows another transaction holds. Those are runs whose outcome
  // is being written (their lease no longer matters) or a run's own progress or checkpoint write,
  // which extends the lease itself (RUN_WRITE_SET); the heartbeat retries the rows it skipped on
  // its next beat. A heartbeat that waited could deadlock with a group of outcomes. The plain
  // UPDATE ... WHERE id IN (...) locks rows in the table's order (a bitmap scan). A group of
  // outcomes locks them in array (id) order, or in the table's order when PostgreSQL joins the
  // arrays by hash (EXPLAIN at 300 runs). Both happened in TaskStoreGroupTest: "deadlock detected".
  static final String RENEW_LEASES_POSTGRES =
      """
      WITH mine AS (
        SELECT id FROM task
         WHERE id = ANY (CAST(:ids AS uuid[])) AND %s AND lease_owner = :owner
           FOR NO KEY UPDATE SKIP LOCKED)
      UPDATE task SET lease_expires_at = :until FROM mine WHERE task.id = mine.id
      """.formatted(IS_RUNNING);

  // Guard of every write made by a run: still RUNNING, still this worker's lease, same attempt.
  static final String RUN_GUARD =
      " WHERE " + RUNNING_BY_ID + " AND lease_owner = :owner AND attempts = :attempt";
  private static final String NOT_CANCELLED = " AND cancel_requested = FALSE";

  // A run's own writes (progress, checkpoint) also extend its lease: the guard proves the run is
  // alive and still owns the task, and on PostgreSQL the heartbeat skips a row such a write holds
  // locked (RENEW_LEASES_POSTGRES), so a handler that reports progress as often as the heartbeat
  // beats must not lose its lease to the skips.
  private static final String RUN_WRITE_SET = " updated_at = :now, lease_expires_at = :until";

  private final JdbcClient jdbc;
  private final ObjectMapper json;
  private final TransactionTemplate tx;
  private final boolean postgres;
  // the list's statements for this database: the first page, and a page after a cursor
  private final String listFirst;
  private final String listAfter;
  /** With a broker, state changes that need a message write an outbox row in their transaction. */
  private final boolean outbox;
  /**
   * A broker on PostgreSQL: how long a submit's outbox row waits for the API's own publication
   * (right after the commit, see OutboxRelay#publishSoon) before the polling relay takes it; zero
   * when submissions are left to the polling relay.
   */
  private final Duration publishGrace;
  /**
   * PostgreSQL: submissions, and the claims and run outcomes of worker threads, grouped per
   * statement. Submissions have {@code taskgate.store.submit-lanes} (2) statements in flight at
   * once: with one, every submission that arrived while a statement ran waited for it to end, and a
   * burst was accepted ~20 % slower (bench/RESULTS.md run 25). Claims and outcomes keep one each.
   * With {@code taskgate.store.submit-linger} (off by default) submissions in a stream wait that
   * long for company: fewer commits, a later answer (bench/RESULTS.md run 30).
   */
  private final GroupCommit<NewTask, StoredTask> submissions;
  /** Submissions less than this apart are a stream, which {@code taskgate.store.submit-linger} groups. */
  static final Duration SUBMIT_STREAM_GAP = Duration.ofMillis(2);
  private final GroupCommit<ClaimRequest, Optional<ClaimedTask>> claims;
  private final GroupCommit<Outcome, Boolean> outcomes;

  public TaskStore(JdbcClient jdbc, ObjectMapper json, TransactionTemplate tx, DataSource dataSource,
      TaskgateProperties properties, MeterRegistry meters,
      @Value("${taskgate.outbox.publish-grace:5s}") Duration publishGrace,
      @Value("${taskgate.store.submit-lanes:2}") int submitLanes,
      @Value("${taskgate.store.submit-linger:0ms}") Duration submitLinger) {
    notNegative("taskgate.outbox.publish-grace", publishGrace);
    notNegative("taskgate.store.submit-linger", submitLinger);
    this.jdbc = jdbc;
    this.json = json;
    this.tx = tx;
    this.postgres = SqlSupport.isPostgres(dataSource);
    this.listFirst = listSql(postgres, false);
    this.listAfter = listSql(postgres, true);
    this.outbox = !"database".equals(properties.broker());
    this.publishGrace = outbox && postgres && properties.isApi() ? publishGrace : Duration.ZERO;
    this.submissions = new GroupCommit<>("submit", meters, submitLanes, submitLinger,
        SUBMIT_STREAM_GAP, this::createAll);
    this.claims = new GroupCommit<>("claim", meters, this::claimAll);
    this.outcomes = new GroupCommit<>("outcome", meters, this::recordOutcomes);
  }

  private static void notNegative(String property, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(property + " must not be negative: " + value);
    }
  }

  public static Instant now() {
    return SqlSupport.now();
  }

  /** How long a submit's outbox row waits for the API's own publication; zero: no such wait. */
  public Duration publishGrace() {
    return publishGrace;
  }

  // ---------------------------------------------------------------- create and read

  /**
   * Stores a PENDING task (and, with a broker, its outbox row) in the caller's transaction or its
   * own. Hand the result to the relay only once that transaction committed.
   */
  public StoredTask create(NewTask task) {
    if (postgres) {
      // submissions that arrive together share one statement (in a caller's transaction: alone, in it)
      return submissions.write(task);
    }
    Instant now = now();
    if (outbox) {
      tx.executeWithoutResult(s -> {
        insert(task, now, INSERT_TASK).update();
        outbox("task", task.id(), now);
      });
    } else {
      insert(task, now, INSERT_TASK).update();
    }
    return stored(task, now, null);
  }

  /**
   * PostgreSQL: several submissions in one statement, one round trip and one commit (their own
   * transaction or the caller's); with a broker, each task's outbox row in the same statement, due
   * for the polling relay only after the publish grace.
   */
  List<StoredTask> createAll(List<NewTask> tasks) {
    Instant now = now();
    int n = tasks.size();
    Object[][] columns = new Object[7][n];
    for (int i = 0; i < n; i++) {
      NewTask t = tasks.get(i);
      columns[0][i] = t.id();
      columns[1][i] = t.type();
      columns[2][i] = t.priority();
      columns[3][i] = write(t.input());
      columns[4][i] = t.maxAttempts();
      columns[5][i] = t.callbackUrl();
      columns[6][i] = t.traceparent();
    }
    JdbcClient.StatementSpec insert = arrays(
            jdbc.sql(outbox ? INSERT_TASKS_AND_OUTBOX_POSTGRES : INSERT_TASKS_POSTGRES),
            List.of("ids", "types", "priorities", "inputs", "maxAttempts", "callbackUrls", "traceparents"),
            columns)
        .param("now", ts(now));
    Map<UUID, Long> outboxRows = new HashMap<>();
    if (outbox) {
      insert.param("outboxAt", ts(now.plus(publishGrace)))
          .query((rs, row) -> Map.entry(rs.getObject("task_id", UUID.class), rs.getLong("id")))
          .list()
          .forEach(row -> outboxRows.put(row.getKey(), row.getValue()));
    } else {
      insert.update();
    }
    List<StoredTask> stored = new ArrayList<>(n);
    for (NewTask t : tasks) {
      stored.add(stored(t, now, publishGrace.isZero() ? null : outboxRows.get(t.id())));
    }
    return stored;
  }

  /** Binds each column of a grouped statement as the text[] parameter of the same position's name. */
  private static JdbcClient.StatementSpec arrays(JdbcClient.StatementSpec statement, List<String> names,
      Object[][] columns) {
    for (int i = 0; i < names.size(); i++) {
      statement = statement.param(names.get(i), SqlSupport.textArray(columns[i]));
    }
    return statement;
  }

  /** Exactly what was stored (timestamps are cut to what the database keeps): no read back. */
  private static StoredTask stored(NewTask task, Instant now, Long outboxRow) {
    Task.CallbackState callback = task.callbackUrl() == null
        ? null : new Task.CallbackState(task.callbackUrl(), "PENDING", 0, null);
    return new StoredTask(new Task(task.id(), task.type(), TaskStatus.PENDING, task.priority(),
        task.input(), null, null, null, null, null, 0, task.maxAttempts(), false, now, now, null, null,
        callback, task.traceparent()), outboxRow);
  }

  private static final String INSERT_TASK =
      """
      INSERT INTO task (id, type, status, priority, input, attempts, max_attempts, run_at,
                        created_at, updated_at, version, callback_url, traceparent)
      VALUES (:id, :type, 'PENDING', :priority, :input, 0, :maxAttempts, :now, :now, :now, 0,
              :callbackUrl, :traceparent)
      """;
  // PostgreSQL: several submissions (GroupCommit), one row per element of the arrays
  static final String INSERT_TASKS_POSTGRES =
      """
      INSERT INTO task (id, type, status, priority, input, attempts, max_attempts, run_at,
                        created_at, updated_at, version, callback_url, traceparent)
      SELECT id, type, 'PENDING', priority, input, 0, max_attempts, :now, :now, :now, 0,
             callback_url, traceparent
        FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]), CAST(:priorities AS int[]),
                    CAST(:inputs AS text[]), CAST(:maxAttempts AS int[]),
                    CAST(:callbackUrls AS text[]), CAST(:traceparents AS text[]))
             AS s(id, type, priority, input, max_attempts, callback_url, traceparent)
      """;
  // PostgreSQL with a broker: the tasks and their outbox rows in one statement (instead of BEGIN /
  // INSERT / INSERT / COMMIT per task); returns each task's outbox row id
  static final String INSERT_TASKS_AND_OUTBOX_POSTGRES =
      "WITH t AS (" + INSERT_TASKS_POSTGRES + " RETURNING id)"
          + " INSERT INTO outbox (kind, task_id, available_at, created_at)"
          + " SELECT 'task', id, :outboxAt, :now FROM t RETURNING task_id, id";

  private JdbcClient.StatementSpec insert(NewTask task, Instant now, String sql) {
    return jdbc.sql(sql)
        .param("callbackUrl", task.callbackUrl())
        .param("traceparent", task.traceparent())
        .param("id", task.id())
        .param("type", task.type())
        .param("priority", task.priority())
        .param("input", write(task.input()))
        .param("maxAttempts", task.maxAttempts())
        .param("now", ts(now));
  }

  private void outbox(String kind, UUID taskId, Instant availableAt) {
    if (!outbox) {
      return;
    }
    jdbc.sql("INSERT INTO outbox (kind, task_id, available_at, created_at)"
            + " VALUES (:kind, :taskId, :at, :now)")
        .param("kind", kind)
        .param("taskId", taskId)
        .param("at", ts(availableAt))
        .param("now", ts(now()))
        .update();
  }

  public Optional<Task> find(UUID id) {
    return jdbc.sql(SELECT_TASK + " WHERE t.id = :id")
        .param("id", id)
        .query(this::mapTask)
        .optional();
  }

  /** The tasks of these ids that exist, in no particular order (one round trip). */
  public List<Task> findAll(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(SELECT_TASK + " WHERE t.id IN (:ids)").param("ids", ids).query(this::mapTask).list();
  }

  /** Newest first; {@code after} is the cursor of the previous page or null. */
  public List<Task> list(String type, TaskStatus status, PageCursor after, int limit) {
    var statement = jdbc.sql(after == null ? listFirst : listAfter)
        .param("type", type)
        .param("status", status == null ? null : status.name())
        .param("limit", limit);
    if (after != null) {
      statement = statement.param("afterAt", ts(after.createdAt())).param("afterId", after.id());
    }
    return statement.query(this::mapTask).list();
  }

  // ---------------------------------------------------------------- the database queue

  /** Claims up to {@code max} due PENDING tasks of a type for {@code owner}, with a lease. */
  public List<ClaimedTask> claim(String type, String owner, int max, Duration lease) {
    Instant now = now();
    if (postgres) {
      return jdbc.sql(CLAIM_POSTGRES)
          .param("owner", owner)
          .param("until", ts(now.plus(lease)))
          .param("now", ts(now))
          .param("type", type)
          .param("max", max)
          .query(this::mapClaimed)
          .list();
    }
    synchronized (this) {
      List<UUID> claimed = new ArrayList<>();
      List<Object[]> candidates =
          jdbc.sql(CLAIM_CANDIDATES)
              .param("type", type)
              .param("now", ts(now))
              .param("max", max)
              .query((rs, n) -> new Object[] {rs.getObject("id", UUID.class), rs.getLong("version")})
              .list();
      for (Object[] candidate : candidates) {
        int updated =
            jdbc.sql(CLAIM_ONE)
                .param("owner", owner)
                .param("until", ts(now.plus(lease)))
                .param("now", ts(now))
                .param("id", candidate[0])
                .param("version", candidate[1])
                .update();
        if (updated == 1) {
          claimed.add((UUID) candidate[0]);
        }
      }
      if (claimed.isEmpty()) {
        return List.of();
      }
      return jdbc.sql(CLAIMED_ROWS).param("ids", claimed).query(this::mapClaimed).list();
    }
  }

  /** Extends the lease of the given running tasks of {@code owner}. */
  public int renewLeases(String owner, Collection<UUID> ids, Duration lease) {
    if (ids.isEmpty()) {
      return 0;
    }
    return jdbc.sql(postgres ? RENEW_LEASES_POSTGRES : RENEW_LEASES)
        .param("until", ts(now().plus(lease)))
        .param("ids", postgres ? SqlSupport.textArray(ids.toArray()) : ids)
        .param("owner", owner)
        .update();
  }

  public List<LeaseState> leaseStates(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            "SELECT id, status, lease_owner, attempts, cancel_requested FROM task WHERE id IN (:ids)")
        .param("ids", ids)
        .query(
            (rs, n) ->
                new LeaseState(
                    rs.getObject("id", UUID.class),
                    TaskStatus.valueOf(rs.getString("status")),
                    rs.getString("lease_owner"),
                    rs.getInt("attempts"),
                    rs.getBoolean("cancel_requested"),
                    0))
        .list();
  }

  // ---------------------------------------------------------------- what a run records

  public boolean progress(ClaimedTask run, Duration lease, Integer percent, String message) {
    return runWrite(
        run,
        lease,
        "UPDATE task SET progress_percent = :percent, progress_message = :message,"
            + RUN_WRITE_SET
            + RUN_GUARD,
        "percent",
        percent,
        "message",
        message);
  }

  public boolean checkpoint(ClaimedTask run, Duration lease, JsonNode state) {
    return runWrite(
        run,
        lease,
        "UPDATE task SET checkpoint = :checkpoint," + RUN_WRITE_SET + RUN_GUARD,
        "checkpoint",
        write(state),
        null,
        null);
  }

  private boolean runWrite(
      ClaimedTask run, Duration lease, String sql, String k1, Object v1, String k2, Object v2) {
    Instant now = now();
    return params(jdbc.sql(sql), run, now, null, k1, v1, k2, v2)
            .param("until", ts(now.plus(lease)))
            .update()
        == 1;
  }

  /** RUNNING -> SUCCEEDED, unless a cancellation was requested meanwhile (then CANCELLED). */
  public TaskStatus succeed(ClaimedTask run, JsonNode result) {
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.SUCCEEDED);
    return runOutcome(new Outcome(run, TaskStatus.SUCCEEDED, write(result), null, null, null),
        "UPDATE task SET status = 'SUCCEEDED', result = :result, error_type = NULL,"
            + " error_message = NULL, finished_at = :now, updated_at = :now,"
            + " lease_owner = NULL, lease_expires_at = NULL, version = version + 1");
  }

  /** RUNNING -> FAILED for good. */
  public TaskStatus fail(ClaimedTask run, String errorType, String message) {
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.FAILED);
    return runOutcome(new Outcome(run, TaskStatus.FAILED, null, errorType, truncate(message), null),
        "UPDATE task SET status = 'FAILED', error_type = :errorType, error_message = :message,"
            + " finished_at = :now, updated_at = :now, lease_owner = NULL,"
            + " lease_expires_at = NULL, version = version + 1");
  }

  /** RUNNING -> PENDING, due again at {@code runAt}; the attempt counts. */
  public TaskStatus retry(ClaimedTask run, String errorType, String message, Instant runAt) {
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.PENDING);
    return runOutcome(new Outcome(run, TaskStatus.PENDING, null, errorType, truncate(message), runAt),
        "UPDATE task SET status = 'PENDING', error_type = :errorType, error_message = :message,"
            + " run_at = :runAt, updated_at = :now, lease_owner = NULL,"
            + " lease_expires_at = NULL, version = version + 1");
  }

  /** A run's outcome: the status it moves its task to, with the columns that status sets. */
  record Outcome(ClaimedTask run, TaskStatus status, String result, String errorType, String message,
                 Instant runAt) {}

  /**
   * Records a run's outcome with what must commit with it: a terminal outcome's callback delivery
   * and completion event, or a retry's task message (published when the retry is due). When the
   * guarded update does not apply because a cancellation was requested meanwhile, cancels instead.
   * On PostgreSQL the outcomes of runs that finish at the same time share one statement.
   */
  private TaskStatus runOutcome(Outcome o, String h2Update) {
    if (postgres) {
      // not applied: a cancellation was requested meanwhile (or the run lost its lease); the
      // caller cancels after its group, so that group never waits for (or fails with) that
      return outcomes.write(o) ? o.status() : cancelRun(o.run());
    }
    return tx.execute(s -> finished(o.run(), o.status(), o.runAt(), params(
            jdbc.sql(h2Update + RUN_GUARD + NOT_CANCELLED), o.run(), now(), o.runAt(),
            "result", o.result(), "errorType", o.errorType())
        .param("message", o.message())
        .update() == 1));
  }

  /**
   * PostgreSQL: several runs' outcomes in one statement; returns, per run, whether its outcome
   * applied (each run is told by its position, so a run named twice applies once).
   */
  List<Boolean> recordOutcomes(List<Outcome> runs) {
    int n = runs.size();
    // the arrays in id order (PostgreSQL's uuid order is the order of the text form): a plan that
    // follows the arrays locks the rows in that order. A hash join does not, which is why the
    // heartbeat skips locked rows rather than wait for them (RENEW_LEASES_POSTGRES).
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> runs.get(i).run().id().toString()));
    Object[][] columns = new Object[8][n];
    for (int k = 0; k < n; k++) {
      Outcome o = runs.get(order.get(k));
      columns[0][k] = o.run().id();
      columns[1][k] = o.run().leaseOwner();
      columns[2][k] = o.run().attempt();
      columns[3][k] = o.status().name();
      columns[4][k] = o.result();
      columns[5][k] = o.errorType();
      columns[6][k] = o.message();
      columns[7][k] = o.runAt() == null ? null : ts(o.runAt()).toString();
    }
    List<Integer> appliedPositions = arrays(jdbc.sql(RUN_OUTCOMES_POSTGRES),
            List.of("ids", "owners", "attempts", "statuses", "results", "errorTypes", "messages", "runAts"),
            columns)
        .param("now", ts(now()))
        .param("outbox", outbox)
        .query(Integer.class)
        .list();
    List<Boolean> applied = new ArrayList<>(Collections.nCopies(n, false));
    for (int position : appliedPositions) {
      applied.set(order.get(position - 1), true); // WITH ORDINALITY counts from 1
    }
    return applied;
  }

  /** RUNNING -> PENDING without counting the attempt: the worker stops and gives the task back. */
  public boolean requeue(ClaimedTask run) {
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.PENDING);
    return Boolean.TRUE.equals(tx.execute(s -> requeued(run, runUpdate(
        run,
        "UPDATE task SET status = 'PENDING', attempts = attempts - 1, run_at = :now,"
            + " updated_at = :now, lease_owner = NULL, lease_expires_at = NULL, version = version + 1"
            + RUN_GUARD
            + NOT_CANCELLED,
        null,
        null,
        null,
        null))));
  }

  private boolean requeued(ClaimedTask run, boolean applied) {
    if (applied) {
      outbox("task", run.id(), now());
    }
    return applied;
  }

  /**
   * Claims one task by id for a worker that received its broker message: only a due PENDING task
   * is claimed; empty for a duplicate, late or early message (the task is running, finished,
   * cancelled, or waiting for its retry).
   */
  public Optional<ClaimedTask> claimById(UUID id, String owner, Duration lease) {
    if (postgres) {
      // messages that arrive together share one statement, which returns the rows it claimed
      return claims.write(new ClaimRequest(id, owner, lease));
    }
    Instant now = now();
    int claimed = jdbc.sql(CLAIM_BY_ID)
        .param("owner", owner)
        .param("until", ts(now.plus(lease)))
        .param("now", ts(now))
        .param("id", id)
        .update();
    if (claimed == 0) {
      return Optional.empty();
    }
    return jdbc.sql(CLAIMED_ROWS).param("ids", List.of(id)).query(this::mapClaimed).optional();
  }

  /** A broker message's claim: its task, for this worker and this long. */
  record ClaimRequest(UUID id, String owner, Duration lease) {}

  /**
   * PostgreSQL: several messages' claims, one statement per worker identity and lease (in practice
   * one); a task named twice is claimed once, for the first request that names it.
   */
  List<Optional<ClaimedTask>> claimAll(List<ClaimRequest> requests) {
    Map<UUID, ClaimedTask> claimed = new HashMap<>();
    Map<List<Object>, List<ClaimRequest>> groups = new LinkedHashMap<>();
    for (ClaimRequest r : requests) {
      groups.computeIfAbsent(List.of(r.owner(), r.lease()), k -> new ArrayList<>()).add(r);
    }
    Instant now = now();
    for (List<ClaimRequest> group : groups.values()) {
      ClaimRequest first = group.get(0);
      jdbc.sql(CLAIM_BY_IDS_POSTGRES)
          .param("owner", first.owner())
          .param("until", ts(now.plus(first.lease())))
          .param("now", ts(now))
          // in id order (the text form sorts as PostgreSQL sorts uuids): two processes claiming
          // the same tasks (a redelivered message) lock their rows in the same order
          .param("ids", SqlSupport.textArray(
              group.stream().map(r -> r.id().toString()).sorted().toArray()))
          .query(this::mapClaimed)
          .list()
          .forEach(task -> claimed.put(task.id(), task));
    }
    List<Optional<ClaimedTask>> results = new ArrayList<>(requests.size());
    for (ClaimRequest r : requests) {
      results.add(Optional.ofNullable(claimed.remove(r.id())));
    }
    return results;
  }

  /** Marks a task FAILED whose broker message was poison (unreadable), unless it already finished. */
  public boolean failPoisoned(UUID id, String message) {
    TaskStatus.requireTransition(TaskStatus.PENDING, TaskStatus.FAILED);
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.FAILED);
    return Boolean.TRUE.equals(tx.execute(s -> {
      Instant now = now();
      int failed = jdbc.sql(
              "UPDATE task SET status = 'FAILED', error_type = 'poison-message', error_message = :message,"
                  + " finished_at = :now, updated_at = :now, lease_owner = NULL, lease_expires_at = NULL,"
                  + " version = version + 1 WHERE id = :id AND status IN ('PENDING', 'RUNNING')")
          .param("message", truncate(message))
          .param("now", ts(now))
          .param("id", id)
          .update();
      if (failed == 1) {
        recordDelivery(id);
      }
      return failed == 1;
    }));
  }

  /** RUNNING -> CANCELLED; returns the status the task has afterwards as far as this run knows. */
  public TaskStatus cancelRun(ClaimedTask run) {
    TaskStatus.requireTransition(TaskStatus.RUNNING, TaskStatus.CANCELLED);
    return tx.execute(s -> {
      boolean done =
          runUpdate(
              run,
              "UPDATE task SET status = 'CANCELLED', finished_at = :now, updated_at = :now,"
                  + " lease_owner = NULL, lease_expires_at = NULL, version = version + 1"
                  + RUN_GUARD,
              null,
              null,
              null,
              null);
      if (!done) {
        return null;
      }
      recordDelivery(run.id());
      return TaskStatus.CANCELLED;
    });
  }

  /**
   * After a guarded run update (which did not apply when a cancellation was requested meanwhile):
   * records the callback delivery of a terminal outcome, or cancels the task instead.
   */
  private TaskStatus finished(ClaimedTask run, TaskStatus outcome, Instant runAt, boolean applied) {
    if (!applied) {
      return cancelRun(run);
    }
    if (outcome.isTerminal()) {
      recordDelivery(run.id());
    } else {
      outbox("task", run.id(), runAt); // published when the retry is due
    }
    return outcome;
  }

  /** The terminal transition's callback delivery and, with a broker, its completion event. */
  private void recordDelivery(UUID taskId) {
    jdbc.sql(RECORD_DELIVERY).param("id", taskId).param("now", ts(now())).update();
    outbox("event", taskId, now());
  }

  private boolean runUpdate(ClaimedTask run, String sql, String k1, Object v1, String k2, Object v2) {
    return runUpdateAt(run, sql, null, k1, v1, k2, v2);
  }

  private boolean runUpdateAt(
      ClaimedTask run, String sql, Instant runAt, String k1, Object v1, String k2, Object v2) {
    return params(jdbc.sql(sql), run, now(), runAt, k1, v1, k2, v2).update() == 1;
  }

  private static JdbcClient.StatementSpec params(JdbcClient.StatementSpec statement, ClaimedTask run,
      Instant now, Instant runAt, String k1, Object v1, String k2, Object v2) {
    statement = statement
        .param("id", run.id())
        .param("owner", run.leaseOwner())
        .param("attempt", run.attempt())
        .param("now", ts(now));
    if (runAt != null) {
      statement = statement.param("runAt", ts(runAt));
    }
    if (k1 != null) {
      statement = statement.param(k1, v1);
    }
    if (k2 != null) {
      statement = statement.param(k2, v2);
    }
    return statement;
  }

  // ---------------------------------------------------------------- cancellation by the caller

  public CancelOutcome requestCancel(UUID id) {
    return tx.execute(
        status -> {
          // a task can move RUNNING -> PENDING (retry) between our two updates: try again then
          for (int round = 0; round < 3; round++) {
            Instant now = now();
            TaskStatus.requireTransition(TaskStatus.PENDING, TaskStatus.CANCELLED);
            int cancelled =
                jdbc.sql(
                        "UPDATE task SET status = 'CANCELLED', finished_at = :now, updated_at = :now,"
                            + " version = version + 1 WHERE " + PENDING_BY_ID)
                    .param("now", ts(now))
                    .param("id", id)
                    .update();
            if (cancelled == 1) {
              recordDelivery(id);
              return CancelOutcome.CANCELLED;
            }
            int requested =
                jdbc.sql(
                        "UPDATE task SET cancel_requested = TRUE, updated_at = :now,"
                            + " version = version + 1 WHERE " + RUNNING_BY_ID)
                    .param("now", ts(now))
                    .param("id", id)
                    .update();
            if (requested == 1) {
              return CancelOutcome.REQUESTED;
            }
            Optional<Task> task = find(id);
            if (task.isEmpty()) {
              return CancelOutcome.NOT_FOUND;
            }
            if (task.get().status().isTerminal()) {
              return CancelOutcome.ALREADY_FINISHED;
            }
          }
          throw new IllegalStateException("task " + id + " kept changing while being cancelled");
        });
  }

  // ---------------------------------------------------------------- background duties (api role)

  /**
   * Recovers RUNNING tasks whose lease expired (their worker died): requeued while attempts remain,
   * FAILED when not, CANCELLED when a cancellation was requested. Each task moves with its own
   * conditional UPDATE (still RUNNING, same lease owner, same attempt), so several replicas can run
   * this at once and only one of them moves a given task.
   */
  public ReapResult reapExpiredLeases() {
    Instant now = now();
    List<LeaseState> expired =
        jdbc.sql(
                "SELECT id, status, lease_owner, attempts, cancel_requested, max_attempts FROM task"
                    + " WHERE status = 'RUNNING' AND lease_expires_at < :now"
                    + " ORDER BY lease_expires_at LIMIT 500")
            .param("now", ts(now))
            .query(
                (rs, n) ->
                    new LeaseState(
                        rs.getObject("id", UUID.class),
                        TaskStatus.RUNNING,
                        rs.getString("lease_owner"),
                        rs.getInt("attempts"),
                        rs.getBoolean("cancel_requested"),
                        rs.getInt("max_attempts")))
            .list();
    int requeued = 0;
    int failed = 0;
    int cancelled = 0;
    for (LeaseState task : expired) {
      ClaimedTask run =
          new ClaimedTask(task.id(), null, null, task.attempts(), task.maxAttempts(), null, task.leaseOwner());
      if (task.cancelRequested()) {
        cancelled += cancelRun(run) == TaskStatus.CANCELLED ? 1 : 0;
      } else if (task.attempts() >= task.maxAttempts()) {
        failed += fail(run, "worker-lost",
            "the worker stopped without finishing (lease expired) and no attempts are left")
            == TaskStatus.FAILED ? 1 : 0;
      } else {
        requeued += retry(run, "worker-lost",
            "the worker stopped without finishing (lease expired); requeued", now)
            == TaskStatus.PENDING ? 1 : 0;
      }
    }
    return new ReapResult(requeued, failed, cancelled);
  }

  public int deleteFinishedBefore(Instant cutoff) {
    return jdbc.sql(
            "DELETE FROM task WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')"
                + " AND finished_at < :cutoff")
        .param("cutoff", ts(cutoff))
        .update();
  }

  // ---------------------------------------------------------------- mapping

  private Task mapTask(ResultSet rs, int row) throws SQLException {
    return new Task(
        rs.getObject("id", UUID.class),
        rs.getString("type"),
        TaskStatus.valueOf(rs.getString("status")),
        rs.getInt("priority"),
        read(rs.getString("input")),
        read(rs.getString("result")),
        rs.getString("error_type"),
        rs.getString("error_message"),
        (Integer) rs.getObject("progress_percent", Integer.class),
        rs.getString("progress_message"),
        rs.getInt("attempts"),
        rs.getInt("max_attempts"),
        rs.getBoolean("cancel_requested"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        callback(rs),
        rs.getString("traceparent"));
  }

  private static Task.CallbackState callback(ResultSet rs) throws SQLException {
    String url = rs.getString("callback_url");
    if (url == null) {
      return null;
    }
    String status = rs.getString("callback_status");
    return new Task.CallbackState(url, status == null ? "PENDING" : status,
        rs.getInt("callback_attempts"), rs.getString("callback_last_error"));
  }

  private ClaimedTask mapClaimed(ResultSet rs, int row) throws SQLException {
    return new ClaimedTask(
        rs.getObject("id", UUID.class),
        rs.getString("type"),
        read(rs.getString("input")),
        rs.getInt("attempts"),
        rs.getInt("max_attempts"),
        read(rs.getString("checkpoint")),
        rs.getString("lease_owner"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime ts(Instant instant) {
    return SqlSupport.ts(instant);
  }

  private static String truncate(String message) {
    if (message == null) {
      return null;
    }
    return message.length() > 4000 ? message.substring(0, 4000) : message;
  }

  private String write(JsonNode node) {
    if (node == null) {
      return null;
    }
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private JsonNode read(String text) {
    if (text == null) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is unreadable", e);
    }
  }
}
