package io.taskgate.worker;

import io.taskgate.config.TaskgateProperties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code taskgate.worker.one-shot=true}: the process takes exactly one task (the {@link WorkerGate}
 * admits one claim), runs it, records the outcome and exits — 0 when the outcome was recorded
 * (success, failure, or the task given back after a SIGTERM), 1 when it could not be. Without a
 * task for {@code one-shot-idle-timeout} it exits 0. For KEDA ScaledJobs and long tasks.
 */
@Component
public class OneShotMode {

  private static final Logger log = LoggerFactory.getLogger(OneShotMode.class);

  private final TaskgateProperties properties;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean exiting = new AtomicBoolean();

  public OneShotMode(TaskgateProperties properties) {
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void watchIdle() {
    if (!properties.worker().oneShot()) {
      return;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "taskgate-one-shot-idle");
      t.setDaemon(true);
      return t;
    });
    timer.schedule(() -> {
      if (!started.get()) {
        log.info("one-shot: no task within {}, exiting", properties.worker().oneShotIdleTimeout());
        exit(true);
      }
    }, properties.worker().oneShotIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  void taskStarted() {
    started.set(true);
  }

  /** The one task is done; {@code recorded}: its outcome is in the store. */
  void taskFinished(boolean recorded) {
    if (properties.worker().oneShot()) {
      log.info("one-shot: task done (outcome {}recorded), exiting", recorded ? "" : "NOT ");
      exit(recorded);
    }
  }

  private void exit(boolean ok) {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    if (!ok) {
      ProcessExit.failed();
    }
    // not on the worker thread: closing the application waits for that thread's exchange
    Thread exit = new Thread(() -> System.exit(ok ? 0 : 1), "taskgate-one-shot-exit");
    exit.start();
  }
}
