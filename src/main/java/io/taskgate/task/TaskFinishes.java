package io.taskgate.task;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * In-process wake-ups for long-polling reads: a worker in this process announces a task's terminal
 * state right after committing it, so a {@code GET /tasks/{id}?waitSeconds=N} waiting in this process
 * answers at once instead of at its next re-read. Tasks finished by other processes are still seen
 * by the re-read every {@code taskgate.maintenance.long-poll-check}.
 */
@Component
public class TaskFinishes {

  private final Map<UUID, CountDownLatch> waiting = new ConcurrentHashMap<>();

  /** Register before reading the task, so that a finish between the read and the wait is not missed. */
  public CountDownLatch register(UUID id) {
    return waiting.computeIfAbsent(id, k -> new CountDownLatch(1));
  }

  /** Waits until the task finished in this process or the timeout passed. */
  public void await(CountDownLatch finished, Duration timeout) throws InterruptedException {
    finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Done waiting (answered or timed out): forget the registration unless it was replaced. */
  public void unregister(UUID id, CountDownLatch finished) {
    waiting.remove(id, finished);
  }

  /** Called after a task's terminal state is committed. */
  public void finished(UUID id) {
    CountDownLatch finished = waiting.remove(id);
    if (finished != null) {
      finished.countDown();
    }
  }
}
