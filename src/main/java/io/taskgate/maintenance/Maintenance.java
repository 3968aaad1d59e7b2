package io.taskgate.maintenance;

import io.taskgate.config.TaskgateProperties;
import io.taskgate.queue.TaskSignals;
import io.taskgate.state.IdempotencyKeys;
import io.taskgate.state.ReapResult;
import io.taskgate.state.TaskStore;
import io.taskgate.task.TaskType;
import io.taskgate.task.TaskTypeRegistry;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Called by the {@code maintenance-*} timer routes. */
@Component("maintenance")
public class Maintenance {

  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

  private final TaskStore store;
  private final TaskSignals signals;
  private final TaskTypeRegistry types;
  private final Duration retention;
  private final IdempotencyKeys idempotencyKeys;

  public Maintenance(TaskStore store, TaskSignals signals, TaskTypeRegistry types, TaskgateProperties properties,
      IdempotencyKeys idempotencyKeys) {
    this.idempotencyKeys = idempotencyKeys;
    this.store = store;
    this.signals = signals;
    this.types = types;
    this.retention = properties.retention().finished();
  }

  public ReapResult reapLeases() {
    ReapResult result = store.reapExpiredLeases();
    if (result.total() > 0) {
      log.warn("lease reaper: {} task(s) of stopped workers requeued, {} failed (no attempts left), {} cancelled",
          result.requeued(), result.failed(), result.cancelled());
      types.all().stream().map(TaskType::name).forEach(signals::signal);
    }
    return result;
  }

  public int purgeFinished() {
    int keys = idempotencyKeys.deleteExpired();
    if (keys > 0) {
      log.info("retention: forgot {} expired idempotency key(s)", keys);
    }
    int deleted = store.deleteFinishedBefore(Instant.now().minus(retention));
    if (deleted > 0) {
      log.info("retention: deleted {} task(s) finished more than {} ago", deleted, retention);
    }
    return deleted;
  }
}
