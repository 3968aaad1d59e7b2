package io.taskgate.queue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * In-process wake-ups: the API signals a task type after it stored a task, so an idle worker in the
 * same process claims it at once instead of at its next poll. Workers in other processes still find
 * it by polling.
 */
@Component
public class TaskSignals {

  private final Map<String, Flag> flags = new ConcurrentHashMap<>();

  public void signal(String type) {
    flag(type).raise();
  }

  /** Waits until {@link #signal} or the timeout; returns immediately if signalled meanwhile. */
  public void await(String type, Duration timeout) throws InterruptedException {
    flag(type).await(timeout.toMillis());
  }

  private Flag flag(String type) {
    return flags.computeIfAbsent(type, t -> new Flag());
  }

  private static final class Flag {
    private boolean raised;

    synchronized void raise() {
      raised = true;
      notifyAll();
    }

    synchronized void await(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (!raised) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        wait(left);
      }
      raised = false;
    }
  }
}
