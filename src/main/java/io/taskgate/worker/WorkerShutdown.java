package io.taskgate.worker;

import io.taskgate.config.TaskgateProperties;
import io.taskgate.task.TaskTypeRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ShutdownStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Drains the worker when the application closes (SIGTERM), before Camel and the connections stop:
 * reports not-ready and stops taking tasks at once, lets tasks in flight finish within
 * {@code taskgate.worker.drain-timeout}, then asks the rest to stop after their current step and
 * gives them back to the queue (PENDING, the attempt not counted; their checkpoint kept).
 */
@Component
public class WorkerShutdown implements ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(WorkerShutdown.class);
  private static final Duration STEP_GRACE = Duration.ofSeconds(5);
  private static final Duration CONSUMER_MARGIN = Duration.ofSeconds(1);
  /** Time for a consumer to close after its runs have ended, within Camel's stop of its route. */
  private static final Duration ROUTE_STOP_MARGIN = Duration.ofSeconds(5);

  private final TaskgateProperties properties;
  private final WorkerGate gate;
  private final RunningTasks running;
  private final CamelContext camel;

  public WorkerShutdown(TaskgateProperties properties, WorkerGate gate, RunningTasks running, CamelContext camel) {
    this.properties = properties;
    this.gate = gate;
    this.running = running;
    this.camel = camel;
  }

  /**
   * How long a stopping consumer must wait for the runs on its threads before it may interrupt
   * them: the longest a drain lasts ({@code drain-timeout}, then the grace for a task's current
   * step), and a second for a task given back at its end to reach its ack. The database queue's
   * worker pool and the RabbitMQ listener containers wait this long, so that neither interrupts a
   * task the drain still lets finish. (Camel suspends a Kafka consumer and waits for its runs
   * within its own shutdown timeout, which the drain raises.)
   */
  public static Duration consumerStopTimeout(TaskgateProperties properties) {
    return properties.worker().drainTimeout().plus(STEP_GRACE).plus(CONSUMER_MARGIN);
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    if (!properties.isWorker()) {
      return;
    }
    AvailabilityChangeEvent.publish(event.getApplicationContext(), ReadinessState.REFUSING_TRAFFIC);
    gate.close();
    coverTheDrainInCamelsShutdownTimeout();
    stopConsumingInBackground();
    int inFlight = running.size();
    if (inFlight > 0) {
      log.info("shutting down: {} task(s) in flight may finish within {}", inFlight,
          properties.worker().drainTimeout());
    }
    if (awaitIdle(properties.worker().drainTimeout())) {
      return;
    }
    log.info("drain timeout: asking {} task(s) to stop after their current step", running.size());
    running.stopAll();
    if (awaitIdle(STEP_GRACE)) {
      return;
    }
    int given = running.giveBackRemaining();
    log.warn("{} task(s) did not stop in time: given back to the queue", given);
  }

  /**
   * Camel gives up on stopping a route after its shutdown timeout ({@code camel.main.shutdown-timeout},
   * 45 s by default) and then interrupts the thread waiting for the consumer's runs: with a drain
   * longer than that, a task it still lets finish would be cut. The timeout is raised (never
   * lowered) to cover every consumer's wait.
   */
  private void coverTheDrainInCamelsShutdownTimeout() {
    ShutdownStrategy strategy = camel.getShutdownStrategy();
    long needed = consumerStopTimeout(properties).plus(ROUTE_STOP_MARGIN).toMillis();
    long configured = strategy.getTimeUnit().toMillis(strategy.getTimeout());
    if (configured < needed) {
      log.debug("Camel's shutdown timeout raised from {} to {} ms to cover the drain", configured, needed);
      strategy.setTimeUnit(TimeUnit.MILLISECONDS);
      strategy.setTimeout(needed);
    }
  }

  /** Broker consumers cancel their subscriptions; stopping a route waits for its exchanges, so not here. */
  private void stopConsumingInBackground() {
    Thread stopper = new Thread(() -> TaskTypeRegistry.workerRoutes(camel).forEach(route -> {
      try {
        camel.getRouteController().stopRoute(route.getRouteId() + "-source");
      } catch (Exception e) {
        log.debug("stopping {}-source: {}", route.getRouteId(), e.toString());
      }
    }), "taskgate-stop-consuming");
    stopper.setDaemon(true);
    stopper.start();
  }

  private boolean awaitIdle(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (running.size() > 0 && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return running.size() == 0;
      }
    }
    return running.size() == 0;
  }
}
