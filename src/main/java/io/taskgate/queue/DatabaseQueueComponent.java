package io.taskgate.queue;

import io.taskgate.config.TaskgateProperties;
import io.taskgate.state.TaskStore;
import io.taskgate.worker.RunningTasks;
import io.taskgate.worker.WorkerGate;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.stereotype.Component;

/**
 * Camel component {@code taskgate-db:<taskType>?concurrency=N}: consumes tasks of one type from the
 * task table itself. Used by the {@code database-task-source} kamelet.
 */
@Component("taskgate-db")
public class DatabaseQueueComponent extends DefaultComponent {

  private final TaskStore store;
  private final TaskSignals signals;
  private final RunningTasks running;
  private final TaskgateProperties properties;
  private final WorkerGate gate;

  public DatabaseQueueComponent(TaskStore store, TaskSignals signals, RunningTasks running,
      TaskgateProperties properties, WorkerGate gate) {
    this.gate = gate;
    this.store = store;
    this.signals = signals;
    this.running = running;
    this.properties = properties;
  }

  @Override
  protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
    int concurrency = getAndRemoveParameter(parameters, "concurrency", Integer.class, 1);
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + uri);
    }
    return new DatabaseQueueEndpoint(uri, this, remaining, concurrency);
  }

  TaskStore store() {
    return store;
  }

  TaskSignals signals() {
    return signals;
  }

  RunningTasks running() {
    return running;
  }

  WorkerGate gate() {
    return gate;
  }

  TaskgateProperties properties() {
    return properties;
  }
}
