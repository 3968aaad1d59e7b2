package io.taskgate.queue;

import io.taskgate.worker.WorkerShutdown;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

/** One task type's database queue. Consumer only: tasks enter the table through the API. */
@UriEndpoint(firstVersion = "0.1", scheme = "taskgate-db", title = "Taskgate database queue",
    syntax = "taskgate-db:taskType", consumerOnly = true, category = {Category.DATABASE})
public class DatabaseQueueEndpoint extends DefaultEndpoint {

  private final String taskType;
  private final int concurrency;

  DatabaseQueueEndpoint(String uri, DatabaseQueueComponent component, String taskType, int concurrency) {
    super(uri, component);
    this.taskType = taskType;
    this.concurrency = concurrency;
  }

  @Override
  public Producer createProducer() {
    throw new UnsupportedOperationException("taskgate-db is consumer only; submit tasks through the API");
  }

  @Override
  public Consumer createConsumer(Processor processor) throws Exception {
    DatabaseQueueComponent c = (DatabaseQueueComponent) getComponent();
    DatabaseQueueConsumer consumer =
        new DatabaseQueueConsumer(this, processor, taskType, concurrency, c.store(), c.signals(),
            c.running(), c.gate(), c.properties().queue().database().pollInterval(),
            WorkerShutdown.consumerStopTimeout(c.properties()));
    configureConsumer(consumer);
    return consumer;
  }

  @Override
  public boolean isRemote() {
    return false;
  }
}
