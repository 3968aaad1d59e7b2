package io.taskgate.ingress;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskgate.broker.OutboxRelay;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.queue.TaskSignals;
import io.taskgate.state.CancelOutcome;
import io.taskgate.state.IdempotencyKeys;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;
import io.taskgate.state.NewTask;
import io.taskgate.state.PageCursor;
import io.taskgate.state.StoredTask;
import io.taskgate.state.TaskStore;
import io.taskgate.task.Task;
import io.taskgate.task.TaskFinishes;
import io.taskgate.task.TaskIds;
import io.taskgate.task.TaskStatus;
import io.taskgate.task.TaskType;
import io.taskgate.task.TaskTypeRegistry;
import io.taskgate.worker.RunningTasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/** What the REST operations do, called from the {@code ingress-*} routes. */
@Component
public class TaskService {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  static final int MAX_WAIT_SECONDS = 60;

  private final TaskStore store;
  private final TaskTypeRegistry types;
  private final TaskSignals signals;
  private final RunningTasks running;
  private final ObjectMapper json;
  private final Duration longPollCheck;
  private final IdempotencyKeys keys;
  private final TransactionTemplate tx;
  private final Duration keyTtl;
  private final TaskFinishes finishes;
  private final OutboxRelay relay;

  /** Idempotency keys are scoped per caller; until callers authenticate there is one scope. */
  static final String CALLER_SCOPE = "anonymous";

  public TaskService(TaskStore store, TaskTypeRegistry types, TaskSignals signals,
      RunningTasks running, ObjectMapper json, TaskgateProperties properties, IdempotencyKeys keys,
      TransactionTemplate tx, TaskFinishes finishes, OutboxRelay relay) {
    this.finishes = finishes;
    this.relay = relay;
    this.keys = keys;
    this.tx = tx;
    this.keyTtl = properties.idempotency().ttl();
    this.store = store;
    this.types = types;
    this.signals = signals;
    this.running = running;
    this.json = json;
    this.longPollCheck = properties.maintenance().longPollCheck();
  }

  /**
   * Stores a new task — or, for an Idempotency-Key seen before with the same request, returns the
   * task that key created ({@code replayed}). The same key with another request is a 422.
   */
  public Submitted submit(SubmitTaskRequest request) throws InterruptedException {
    TaskType type = types.get(request.type());
    NewTask task = new NewTask(TaskIds.next(), type.name(), request.input(), request.priority(),
        type.maxAttempts(), request.callbackUrl(), request.traceparent());
    if (request.idempotencyKey() == null) {
      StoredTask created = store.create(task);
      signals.signal(type.name());
      relay.publishSoon(created);
      return new Submitted(TaskView.of(created.task()), false);
    }
    try {
      StoredTask created = tx.execute(s -> {
        keys.insert(CALLER_SCOPE, request.idempotencyKey(), request.requestHash(), task.id(), keyTtl);
        return store.create(task);
      });
      signals.signal(type.name());
      relay.publishSoon(created); // committed now
      return new Submitted(TaskView.of(created.task()), false);
    } catch (DuplicateKeyException e) {
      return replay(request);
    }
  }

  private Submitted replay(SubmitTaskRequest request) throws InterruptedException {
    // the winner of a race may not have committed yet: its row shows up within moments
    for (int i = 0; i < 100; i++) {
      Optional<IdempotencyKeys.Entry> entry = keys.find(CALLER_SCOPE, request.idempotencyKey());
      if (entry.isPresent()) {
        if (!entry.get().requestHash().equals(request.requestHash())) {
          throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
              "This Idempotency-Key was used for a different request; use a new key for a new task");
        }
        Optional<Task> task = store.find(entry.get().taskId());
        if (task.isPresent()) {
          return new Submitted(TaskView.of(task.get()), true);
        }
      }
      Thread.sleep(20);
    }
    throw new ProblemException(409, "idempotency-key-conflict", "Idempotency-Key conflict",
        "Another request with this Idempotency-Key is still being processed; retry shortly");
  }

  public TaskView get(@Header("id") String id, @Header("waitSeconds") String waitSeconds)
      throws InterruptedException {
    int wait = waitSeconds == null ? 0 : intParam("waitSeconds", waitSeconds, 0, MAX_WAIT_SECONDS);
    UUID taskId = parseId(id);
    if (wait == 0) {
      return TaskView.of(store.find(taskId).orElseThrow(() -> notFound(id)));
    }
    Instant deadline = Instant.now().plusSeconds(wait);
    CountDownLatch finished = finishes.register(taskId); // before the read: no finish goes unseen
    try {
      Task task = store.find(taskId).orElseThrow(() -> notFound(id));
      while (!task.status().isTerminal() && Instant.now().isBefore(deadline)) {
        // woken at once when a worker of this process finishes it; else re-read now and then
        finishes.await(finished, Duration.ofMillis(Math.min(longPollCheck.toMillis(),
            Math.max(1, Duration.between(Instant.now(), deadline).toMillis()))));
        task = store.find(taskId).orElseThrow(() -> notFound(id));
      }
      return TaskView.of(task);
    } finally {
      finishes.unregister(taskId, finished);
    }
  }

  /** Returns the task view and whether it is CANCELLED already (200) or only requested (202). */
  public CancelResult cancel(@Header("id") String id) {
    UUID taskId = parseId(id);
    CancelOutcome outcome = store.requestCancel(taskId);
    return switch (outcome) {
      case NOT_FOUND -> throw notFound(id);
      case ALREADY_FINISHED -> throw new ProblemException(409, "task-finished", "Task already finished",
          "Task " + id + " has already finished and cannot be cancelled");
      case CANCELLED -> {
        finishes.finished(taskId);
        yield new CancelResult(200, view(taskId));
      }
      case REQUESTED -> {
        running.cancelLocally(taskId);
        yield new CancelResult(202, view(taskId));
      }
    };
  }

  public ObjectNode list(@Header("type") String type, @Header("status") String status,
      @Header("limit") String limit, @Header("cursor") String cursor) {
    TaskStatus statusFilter = null;
    if (status != null && !status.isEmpty()) {
      statusFilter = TaskStatus.parse(status).orElseThrow(() -> ProblemException.badRequest(
          "Unknown status '" + status + "'", List.of(new Problem.FieldError("status",
              "one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED"))));
    }
    int pageSize = limit == null ? DEFAULT_LIMIT : intParam("limit", limit, 1, MAX_LIMIT);
    PageCursor after = null;
    if (cursor != null && !cursor.isEmpty()) {
      after = PageCursor.decode(cursor).orElseThrow(() -> ProblemException.badRequest(
          "Invalid cursor", List.of(new Problem.FieldError("cursor", "use nextCursor of a previous page"))));
    }
    List<Task> page = store.list(type == null || type.isEmpty() ? null : type, statusFilter, after,
        pageSize + 1);
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("items");
    page.stream().limit(pageSize).forEach(task -> {
      ObjectNode item = json.valueToTree(TaskView.of(task));
      item.remove("result");
      items.add(item);
    });
    Task last = page.size() > pageSize ? page.get(pageSize - 1) : null;
    body.put("nextCursor", last == null ? null : new PageCursor(last.createdAt(), last.id()).encode());
    return body;
  }

  public ObjectNode taskTypes() {
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("items");
    for (TaskType type : types.all()) {
      ObjectNode item = items.addObject();
      item.put("name", type.name());
      item.put("mode", type.mode().wireName());
      item.put("concurrency", type.concurrency());
      item.put("timeoutSeconds", type.timeout().toSeconds());
      item.put("maxAttempts", type.maxAttempts());
      item.set("inputSchema", type.inputSchema() == null ? json.nullNode() : type.inputSchema());
    }
    return body;
  }

  private TaskView view(UUID id) {
    return store.find(id).map(TaskView::of).orElseThrow(() -> notFound(id.toString()));
  }

  private static UUID parseId(String id) {
    try {
      return Optional.ofNullable(id).map(UUID::fromString).orElseThrow(() -> notFound(id));
    } catch (IllegalArgumentException e) {
      throw notFound(id);
    }
  }

  private static ProblemException notFound(String id) {
    return ProblemException.notFound("No task with id '" + id + "'");
  }

  private static int intParam(String name, String value, int min, int max) {
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badRequest("Invalid " + name + " '" + value + "'",
        List.of(new Problem.FieldError(name, "an integer from " + min + " to " + max)));
  }

  /** A submission's answer: the task, and whether it was created earlier for the same key. */
  public record Submitted(TaskView task, boolean replayed) {}

  /** A cancellation's answer: 200 when done, 202 when the running handler was asked to stop. */
  public record CancelResult(int status, TaskView task) {}
}
