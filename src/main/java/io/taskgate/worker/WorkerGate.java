package io.taskgate.worker;

import io.taskgate.config.TaskgateProperties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * Whether this worker takes new tasks. Closed when the process shuts down (SIGTERM), and in
 * one-shot mode after the first task was claimed: the queue consumers ask before each claim.
 */
@Component
public class WorkerGate {

  private final boolean oneShot;
  private final AtomicBoolean open = new AtomicBoolean(true);
  private volatile boolean closed;

  public WorkerGate(TaskgateProperties properties) {
    this.oneShot = properties.worker().oneShot();
  }

  /**
   * Asks to claim. In one-shot mode only the first caller is admitted; it must call
   * {@link #release()} if its claim found nothing, so that another may try.
   */
  public boolean admit() {
    return oneShot ? open.compareAndSet(true, false) : open.get();
  }

  /** Undoes a one-shot {@link #admit()} whose claim found no task. */
  public void release() {
    if (oneShot && !closed) {
      open.set(true);
    }
  }

  /** No more claims: the process is shutting down. */
  public void close() {
    closed = true;
    open.set(false);
  }

  /** Whether {@link #close()} was called: the process is shutting down. */
  public boolean isShuttingDown() {
    return closed;
  }

  public boolean isOneShot() {
    return oneShot;
  }

  /** At most this many tasks per claim. */
  public int limit(int free) {
    return oneShot ? Math.min(free, 1) : free;
  }
}
