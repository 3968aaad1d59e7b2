package io.taskgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.state.TaskStore;
import io.taskgate.task.ClaimedTask;
import io.taskgate.task.TaskFinishes;
import io.taskgate.task.TaskStatus;
import io.taskgate.task.TaskType;
import io.taskgate.task.TaskTypeRegistry;
import io.taskgate.worker.RunningTasks.Run;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Runs one claimed task: calls its handler under a timeout, with a heartbeat, and records the
 * outcome. At-least-once: the task is marked done only after its handler returned. Used by the
 * {@code task-worker} route template as bean {@code taskRunner}.
 */
@Component("taskRunner")
public class TaskRunner {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  private final TaskTypeRegistry types;
  private final TaskHandlers handlers;
  private final RunningTasks running;
  private final TaskStore store;
  private final OneShotMode oneShot;
  private final TaskFinishes finishes;
  private final WorkerGate gate;

  public TaskRunner(TaskTypeRegistry types, TaskHandlers handlers, RunningTasks running, TaskStore store,
      OneShotMode oneShot, TaskFinishes finishes, WorkerGate gate) {
    this.finishes = finishes;
    this.gate = gate;
    this.oneShot = oneShot;
    this.types = types;
    this.handlers = handlers;
    this.running = running;
    this.store = store;
  }

  /** Returns the status the task has after this run (null when this run no longer owned it). */
  public TaskStatus run(ClaimedTask task) {
    oneShot.taskStarted();
    TaskType type = types.get(task.type());
    MDC.put("taskId", task.id().toString());
    MDC.put("taskType", task.type());
    Run run = running.start(task, type.timeout());
    JsonNode result = null;
    Throwable failure = null;
    try {
      if (gate.isShuttingDown()) {
        // claimed as the shutdown began: WorkerShutdown may have seen no run in flight and let
        // Camel stop, which would interrupt this handler and count the attempt as failed (seen in
        // DatabaseWorkerLifecycleIT). Registered above before this check, and WorkerShutdown
        // closes the gate before it counts the runs: one of the two always sees the other.
        run.stop(Run.Reason.SHUTDOWN);
        failure = new IllegalStateException("not started: this worker is shutting down");
      } else {
        result = handlers.forType(type).handle(task.input(), run);
      }
    } catch (Throwable e) {
      failure = e;
    } finally {
      running.finish(run);
    }
    boolean recorded = false;
    try {
      TaskStatus outcome = record(task, type, run, result, failure);
      recorded = true;
      if (outcome != null && outcome.isTerminal()) {
        finishes.finished(task.id()); // a long-polling GET in this process answers now
      }
      log.debug("task {} attempt {} -> {}", task.id(), task.attempt(), outcome);
      return outcome;
    } finally {
      MDC.remove("taskId");
      MDC.remove("taskType");
      oneShot.taskFinished(recorded);
    }
  }

  private TaskStatus record(ClaimedTask task, TaskType type, Run run, JsonNode result, Throwable failure) {
    Run.Reason stop = run.stopReason();
    if (stop == Run.Reason.LEASE_LOST) {
      log.warn("task {} attempt {}: lease lost, outcome discarded", task.id(), task.attempt());
      return null;
    }
    if (stop == Run.Reason.CANCELLED) {
      return store.cancelRun(task);
    }
    if (failure == null) {
      return store.succeed(task, result);
    }
    if (stop == Run.Reason.SHUTDOWN) {
      // the handler stopped because this worker is shutting down: give the task back unharmed
      return store.requeue(task) ? TaskStatus.PENDING : null;
    }
    String errorType;
    String message;
    boolean retryable;
    if (stop == Run.Reason.TIMEOUT) {
      errorType = "timeout";
      message = "the handler did not finish within " + type.timeout().toSeconds() + " s";
      retryable = true;
    } else if (failure instanceof TaskFailure f) {
      errorType = f.type();
      message = f.getMessage();
      retryable = f.retryable();
    } else {
      errorType = failure.getClass().getSimpleName();
      message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
      retryable = true;
    }
    if (retryable && task.attempt() < task.maxAttempts()) {
      log.info("task {} attempt {}/{} failed ({}), will retry: {}",
          task.id(), task.attempt(), task.maxAttempts(), errorType, message);
      return store.retry(task, errorType, message, Instant.now().plus(type.retryDelay(task.attempt())));
    }
    log.info("task {} failed after attempt {} ({}): {}", task.id(), task.attempt(), errorType, message);
    return store.fail(task, errorType, message);
  }
}
