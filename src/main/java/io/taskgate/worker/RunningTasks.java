package io.taskgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.state.LeaseState;
import io.taskgate.state.TaskStore;
import io.taskgate.task.ClaimedTask;
import io.taskgate.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The tasks this process is running, and their heartbeat: every {@code taskgate.worker
 * .heartbeat-interval} it reads their rows (cancellation requested? lease lost?) and, every third of
 * the lease, renews all their leases in one statement. Hour-long tasks stay owned as long as their
 * process lives; a killed process stops renewing and the lease reaper takes the tasks back.
 */
@Component
public class RunningTasks implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RunningTasks.class);

  private final Map<UUID, Run> runs = new ConcurrentHashMap<>();
  private final TaskStore store;
  private final String owner;
  private final Duration lease;
  private final ScheduledExecutorService scheduler;
  private volatile Instant lastRenewal = Instant.EPOCH;

  public RunningTasks(TaskStore store, WorkerIdentity identity, TaskgateProperties properties) {
    this.store = store;
    this.owner = identity.id();
    this.lease = properties.worker().lease();
    var timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "taskgate-heartbeat");
              t.setDaemon(true);
              return t;
            });
    // every run schedules its timeout; a finished run's must leave the queue at once, not when
    // it would have fired (thousands of short tasks per second would pile up for the timeout)
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = timers;
    long every = properties.worker().heartbeatInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  public String owner() {
    return owner;
  }

  public Duration lease() {
    return lease;
  }

  Run start(ClaimedTask task, Duration timeout) {
    Run run = new Run(task, Thread.currentThread());
    runs.put(task.id(), run);
    run.timeoutFuture = scheduler.schedule(run::timeout, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return run;
  }

  void finish(Run run) {
    run.finish();
    runs.remove(run.task.id(), run);
  }

  /** Fast path for a cancellation requested through this process's API. */
  public void cancelLocally(UUID id) {
    Run run = runs.get(id);
    if (run != null) {
      run.stop(Run.Reason.CANCELLED);
    }
  }

  /** Asks every running handler to stop after its current step (shutdown). */
  public int stopAll() {
    runs.values().forEach(run -> run.stop(Run.Reason.SHUTDOWN));
    return runs.size();
  }

  /**
   * Gives the tasks whose handlers ignored {@link #stopAll()} back to the queue from here, and
   * interrupts them; whatever they record later is refused (their lease is gone).
   */
  public int giveBackRemaining() {
    int given = 0;
    for (Run run : runs.values()) {
      if (store.requeue(run.task)) {
        given++;
      }
      run.abandon();
    }
    return given;
  }

  public int size() {
    return runs.size();
  }

  private void beat() {
    if (runs.isEmpty()) {
      return;
    }
    try {
      var ids = new ArrayList<>(runs.keySet());
      Instant now = Instant.now();
      if (Duration.between(lastRenewal, now).compareTo(lease.dividedBy(3)) >= 0) {
        int renewed = store.renewLeases(owner, ids, lease);
        // runs that ended meanwhile need no lease; a row skipped (locked by a write) is tried again
        // next beat rather than a third of a lease later, when two skips could cost the lease
        long running = ids.stream().filter(runs::containsKey).count();
        if (renewed >= running) {
          lastRenewal = now;
        } else {
          log.debug("lease renewal: {} of {} run(s) renewed", renewed, running);
        }
      }
      for (LeaseState state : store.leaseStates(ids)) {
        Run run = runs.get(state.id());
        if (run == null) {
          continue;
        }
        if (state.status() != TaskStatus.RUNNING
            || !owner.equals(state.leaseOwner())
            || state.attempts() != run.task.attempt()) {
          run.stop(Run.Reason.LEASE_LOST);
        } else if (state.cancelRequested()) {
          run.stop(Run.Reason.CANCELLED);
        }
      }
    } catch (RuntimeException e) {
      log.warn("heartbeat failed, will retry: {}", e.toString());
    }
  }

  @Override
  public void destroy() {
    scheduler.shutdownNow();
  }

  /** One run of a task in this process; also the handler's {@link TaskContext}. */
  final class Run implements TaskContext {

    enum Reason {
      CANCELLED,
      TIMEOUT,
      LEASE_LOST,
      SHUTDOWN
    }

    final ClaimedTask task;
    private final Thread thread;
    private volatile Reason stopReason;
    private volatile JsonNode checkpoint;
    private boolean finished;
    private ScheduledFuture<?> timeoutFuture;

    Run(ClaimedTask task, Thread thread) {
      this.task = task;
      this.thread = thread;
      this.checkpoint = task.checkpoint();
    }

    Reason stopReason() {
      return stopReason;
    }

    synchronized void stop(Reason reason) {
      if (finished || stopReason != null) {
        return;
      }
      stopReason = reason;
      if (reason != Reason.SHUTDOWN) {
        // a shutdown lets the handler end its current step; everything else interrupts it
        thread.interrupt();
      }
    }

    void timeout() {
      stop(Reason.TIMEOUT);
    }

    synchronized void abandon() {
      stopReason = Reason.LEASE_LOST;
      if (!finished) {
        thread.interrupt();
      }
    }

    synchronized void finish() {
      finished = true;
      if (timeoutFuture != null) {
        timeoutFuture.cancel(false);
      }
      Thread.interrupted(); // a late interrupt must not break the store writes that follow
    }

    @Override
    public UUID taskId() {
      return task.id();
    }

    @Override
    public int attempt() {
      return task.attempt();
    }

    @Override
    public void progress(int percent, String message) {
      store.progress(task, lease, Math.max(0, Math.min(100, percent)), message);
    }

    @Override
    public boolean isCancelled() {
      return stopReason != null;
    }

    @Override
    public void checkpoint(JsonNode state) {
      store.checkpoint(task, lease, state);
      checkpoint = state;
    }

    @Override
    public JsonNode lastCheckpoint() {
      return checkpoint;
    }
  }
}
