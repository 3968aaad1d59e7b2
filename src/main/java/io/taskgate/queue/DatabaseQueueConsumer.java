package io.taskgate.queue;

import io.taskgate.state.TaskStore;
import io.taskgate.task.ClaimedTask;
import io.taskgate.worker.RunningTasks;
import io.taskgate.worker.WorkerGate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due PENDING tasks of one type, at most as many as it has free slots (its concurrency), and
 * runs each on its own worker thread through the route. Wakes up when a task is submitted in this
 * process, when a slot frees up, and otherwise every poll interval.
 */
class DatabaseQueueConsumer extends DefaultConsumer {

  private static final Logger log = LoggerFactory.getLogger(DatabaseQueueConsumer.class);

  private final String taskType;
  private final int concurrency;
  private final TaskStore store;
  private final TaskSignals signals;
  private final RunningTasks running;
  private final WorkerGate gate;
  private final Duration pollInterval;
  private final Duration stopTimeout;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean active;
  private ExecutorService workers;
  private Thread dispatcher;

  DatabaseQueueConsumer(DatabaseQueueEndpoint endpoint, Processor processor, String taskType,
      int concurrency, TaskStore store, TaskSignals signals, RunningTasks running, WorkerGate gate,
      Duration pollInterval, Duration stopTimeout) {
    super(endpoint, processor);
    this.stopTimeout = stopTimeout;
    this.gate = gate;
    this.taskType = taskType;
    this.concurrency = concurrency;
    this.store = store;
    this.signals = signals;
    this.running = running;
    this.pollInterval = pollInterval;
  }

  @Override
  protected void doStart() throws Exception {
    super.doStart();
    workers = getEndpoint().getCamelContext().getExecutorServiceManager()
        .newFixedThreadPool(this, "taskgate-worker-" + taskType, concurrency);
    active = true;
    dispatcher = new Thread(this::dispatch, "taskgate-claim-" + taskType);
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  @Override
  protected void doStop() throws Exception {
    active = false;
    signals.signal(taskType);
    if (dispatcher != null) {
      dispatcher.join(5000);
    }
    if (workers != null) {
      // Camel's default wait for a pool (10 s) would interrupt a task the drain still lets finish
      getEndpoint().getCamelContext().getExecutorServiceManager()
          .shutdownGraceful(workers, stopTimeout.toMillis());
    }
    super.doStop();
  }

  private void dispatch() {
    while (active) {
      try {
        int free = gate.limit(concurrency - inFlight.get());
        if (free > 0 && gate.admit()) {
          List<ClaimedTask> batch = store.claim(taskType, running.owner(), free, running.lease());
          if (batch.isEmpty()) {
            gate.release();
          }
          for (ClaimedTask task : batch) {
            inFlight.incrementAndGet();
            workers.execute(() -> process(task));
          }
          if (!batch.isEmpty() && batch.size() == free) {
            continue; // every slot filled: wait for one to free up below, via the signal
          }
        }
        signals.await(taskType, pollInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("claiming {} tasks failed, retrying in {}: {}", taskType, pollInterval, e.toString());
        sleepQuietly();
      }
    }
  }

  private void process(ClaimedTask task) {
    Exchange exchange = createExchange(false);
    try {
      exchange.getIn().setBody(task);
      getProcessor().process(exchange);
      if (exchange.getException() != null) {
        // the runner could not record an outcome (state store down): the lease will expire and
        // the reaper will hand the task out again
        log.error("task {} could not be recorded; its lease will expire", task.id(), exchange.getException());
      }
    } catch (Exception e) {
      log.error("task {} could not be processed; its lease will expire", task.id(), e);
    } finally {
      releaseExchange(exchange, false);
      inFlight.decrementAndGet();
      signals.signal(taskType);
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
