package io.taskgate.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskgate.broker.HandOvers.HandOver;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.ingress.TaskView;
import io.taskgate.queue.TaskSignals;
import io.taskgate.state.StoredTask;
import io.taskgate.state.TaskStore;
import io.taskgate.task.Task;
import io.taskgate.task.TaskStatus;
import io.taskgate.worker.WorkerIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transactional outbox relay of the api role (with {@code taskgate.broker} rabbitmq or kafka):
 * claims due outbox rows, publishes each through the broker's {@code <broker>-task-sink} kamelet —
 * all of a batch in flight at once, each waiting for its own broker confirmation — and deletes the
 * confirmed ones. Unconfirmed rows are retried after a pause, so a broker outage only delays
 * publication: submissions keep answering 202.
 *
 * <p>On PostgreSQL a submission is also handed over right after its commit ({@link #publishSoon}):
 * the relay publishes it from memory and deletes exactly that outbox row by its id, which spares
 * the take and the read of the task (about 1 ms of a lone task's 4). The row is written due only
 * after {@code taskgate.outbox.publish-grace}, so the polling take does not publish it twice
 * meanwhile; if this process dies, or the broker does not confirm, the take publishes it once the
 * grace is over. Hand-overs older than half the grace are left to the take.
 *
 * <p>Operators see which way the messages went in {@code taskgate_outbox_published_total}
 * (Prometheus; tags {@code path}: hand-over or take, {@code kind}: task or event): hand-overs that
 * waited longer than half the grace (a flood faster than the broker takes it) are left to the take.
 * Completion events always go through the take, in its batches: handed over as they come, their
 * small batches cost more per task than the take's read (bench/RESULTS.md run 14).
 *
 * <p>Threads: {@code taskgate-outbox-handover-1} and {@code -2} publish the hand-overs as they
 * come, one gathering the next batch while the other waits for its confirms (started only when there
 * are hand-overs: publish grace > 0; see {@link HandOvers} for the linger of a stream), and
 * {@code taskgate-outbox-relay} runs the take every {@code taskgate.outbox.poll-interval} (at once
 * again after a full batch). Neither kind waits for the other: in one thread, a stream of submissions
 * faster than the relay kept the take from running (completion events waited for the stream to
 * end), and a take between hand-over batches slowed the hand-overs until they went stale.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

  public static final String SIGNAL = "taskgate.outbox";
  /** Hand-over batches in flight at once: one waits for the broker's confirms, one fills up. */
  private static final int HAND_OVER_THREADS = 2;
  /**
   * How long a confirmed hand-over's outbox row may wait to be deleted with the next ones: at one
   * submission a millisecond each had its own DELETE transaction (bench/RESULTS.md run 27).
   */
  private static final Duration DELETE_LINGER = Duration.ofMillis(20);
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final Outbox outbox;
  private final TaskStore tasks;
  private final TopologyGuard topology;
  private final TaskSignals signals;
  private final ProducerTemplate producer;
  private final ObjectMapper json;
  private final String owner;
  private final String broker;
  private final boolean enabled;
  private final Duration pollInterval;
  private final int batchSize;
  private final TransactionTemplate tx;
  private final Duration publishGrace;
  /** Submissions committed and not yet published by this process (bounded: when full, the take publishes them). */
  private final HandOvers handOvers;
  private volatile boolean running;
  private final List<Thread> threads = new ArrayList<>();
  private final Counter handedOverTasks;
  private final Counter takenTasks;
  private final Counter takenEvents;
  private final long deleteLingerNanos;
  /** Outbox rows of confirmed hand-overs, not yet deleted; guarded by itself. */
  private final List<Long> confirmed = new ArrayList<>();
  /** When the oldest of {@link #confirmed} was confirmed (System.nanoTime); guarded by confirmed. */
  private long confirmedSinceNanos;

  public OutboxRelay(Outbox outbox, TaskStore tasks, TopologyGuard topology, TaskSignals signals,
      ProducerTemplate producer, ObjectMapper json, WorkerIdentity identity, TaskgateProperties properties,
      MeterRegistry meters,
      @org.springframework.beans.factory.annotation.Value("${taskgate.outbox.poll-interval:200ms}") Duration pollInterval,
      @org.springframework.beans.factory.annotation.Value("${taskgate.outbox.batch-size:200}") int batchSize,
      @org.springframework.beans.factory.annotation.Value("${taskgate.outbox.hand-over-linger:5ms}") Duration handOverLinger,
      TransactionTemplate tx) {
    this.tx = tx;
    this.outbox = outbox;
    this.tasks = tasks;
    this.topology = topology;
    this.signals = signals;
    this.producer = producer;
    this.json = json;
    this.owner = identity.id();
    this.broker = properties.broker();
    this.enabled = properties.isApi() && !"database".equals(broker);
    this.pollInterval = pollInterval;
    this.batchSize = batchSize;
    this.publishGrace = tasks.publishGrace();
    this.handedOverTasks = published(meters, "hand-over", "task");
    this.takenTasks = published(meters, "take", "task");
    this.takenEvents = published(meters, "take", "event");
    // well inside the grace: the take must not find a confirmed row due and publish it again
    this.deleteLingerNanos = Math.min(DELETE_LINGER.toNanos(), publishGrace.toNanos() / 4);
    // at most the delete linger (<= grace / 4): a longer one would hold the confirmed rows' DELETE
    // back, and one of half the grace would make every lingered hand-over stale (left to the take)
    this.handOvers = new HandOvers(10_000, batchSize,
        Duration.ofNanos(Math.min(handOverLinger.toNanos(), deleteLingerNanos)));
  }

  private static Counter published(MeterRegistry meters, String path, String kind) {
    return Counter.builder("taskgate.outbox.published")
        .description("Messages the outbox relay published and the broker confirmed, by the way they went")
        .tag("path", path)
        .tag("kind", kind)
        .register(meters);
  }

  /**
   * Publishes a just-committed submission soon, without waiting for the polling take (call it
   * after the commit). Does nothing but wake the take when the task's outbox row is not one that
   * waits for this (see {@link StoredTask#outboxRow}): a row due at once.
   */
  public void publishSoon(StoredTask stored) {
    if (enabled && stored.outboxRow() != null) {
      // wakes the hand-over thread; full queue: the row stays in the outbox and the take
      // publishes it after the grace
      handOvers.offer(stored.outboxRow(), stored.task());
    } else {
      signals.signal(SIGNAL);
    }
  }

  @Override
  public void start() {
    if (!enabled) {
      return;
    }
    running = true;
    threads.add(daemon(loop("outbox relay round", this::takeRound), "taskgate-outbox-relay"));
    if (publishGrace.compareTo(Duration.ZERO) > 0) { // hand-overs exist (see StoredTask#outboxRow)
      for (int i = 1; i <= HAND_OVER_THREADS; i++) {
        threads.add(daemon(loop("outbox hand-over", this::handOverRound), "taskgate-outbox-handover-" + i));
      }
    }
  }

  private static Thread daemon(Runnable loop, String name) {
    Thread thread = new Thread(loop, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Override
  public void stop() {
    running = false;
    signals.signal(SIGNAL);
    for (Thread thread : threads) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    threads.clear();
    try {
      deleteConfirmed(true);
    } catch (RuntimeException e) {
      log.warn("could not delete the outbox rows of published tasks; the relay publishes them again"
          + " after the grace: {}", e.toString());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 100; // start after Camel, stop before it
  }

  /** One round of a relay thread; may block until there is work. */
  @FunctionalInterface
  private interface Round {
    void run() throws InterruptedException;
  }

  /**
   * Runs rounds until stopped; after a failed round waits 1 s, not woken early: during a broker
   * outage each submission would retry at once.
   */
  private Runnable loop(String what, Round round) {
    return () -> {
      while (running) {
        try {
          round.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException e) {
          log.warn("{} failed, retrying in 1 s: {}", what, e.toString());
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    };
  }

  private void takeRound() throws InterruptedException {
    if (takeOnce() < batchSize) {
      signals.await(SIGNAL, pollInterval);
    }
  }

  private void handOverRound() throws InterruptedException {
    if (!ready()) {
      // the database's part needs no broker: during a broker outage the confirmed rows must not
      // wait until the take finds them due and publishes them again
      deleteConfirmed(true);
      Thread.sleep(pollInterval.toMillis());
      return;
    }
    List<HandOver> batch =
        handOvers.next(Math.min(pollInterval.toNanos(), nanosUntilDeleteDue()));
    if (!batch.isEmpty()) {
      publishFresh(batch);
    }
    deleteConfirmed(false);
  }

  private boolean ready() {
    return producer.getCamelContext().getStatus().isStarted() && topology.ensureDeclared();
  }

  /** One take of due rows (completion events, retries, rows past their grace); returns how many. */
  private int takeOnce() {
    if (!ready()) {
      return 0;
    }
    if (outbox.canTake()) {
      // PostgreSQL: the rows are deleted in this transaction, committed only once the broker
      // confirmed the batch; an unconfirmed batch rolls back (rows kept) and the loop waits 1 s
      Integer handled = tx.execute(s -> {
        List<OutboxRow> rows = outbox.take(batchSize);
        if (!rows.isEmpty()) {
          Exception failure = publish(rows);
          if (failure != null) {
            throw new IllegalStateException(rows.size() + " outbox message(s) not confirmed by the broker", failure);
          }
        }
        return rows.size();
      });
      return handled == null ? 0 : handled;
    }
    List<OutboxRow> rows = outbox.claim(owner, batchSize, Duration.ofSeconds(60));
    if (rows.isEmpty()) {
      return 0;
    }
    Exception failure = publish(rows);
    if (failure == null) {
      outbox.delete(rows.stream().map(OutboxRow::id).toList(), owner);
    } else {
      outbox.retryLater(rows.stream().map(OutboxRow::id).toList(), owner, Duration.ofSeconds(1));
      log.warn("{} outbox message(s) not confirmed by the broker; retrying: {}", rows.size(), failure.toString());
    }
    return rows.size();
  }

  /**
   * Publishes submissions handed over by {@link #publishSoon} (a batch of {@link HandOvers}) and,
   * once confirmed, queues their outbox rows to be deleted by id
   * ({@link #deleteConfirmed}) — exactly those rows: a later row of the same task (a retry's
   * message) is not touched.
   */
  private void publishFresh(List<HandOver> handed) {
    // older than half the grace: the take may publish it soon; leave it to the take alone
    long staleBefore = System.nanoTime() - publishGrace.toNanos() / 2;
    List<HandOver> due = handed.stream().filter(f -> f.handedAtNanos() - staleBefore > 0).toList();
    List<Exchange> batch = new ArrayList<>();
    for (HandOver f : due) {
      taskHeaders(f.task()).ifPresent(h -> batch.add(message(h, taskBody(f.task()))));
    }
    Exception failure = send(batch);
    if (failure != null) {
      // the rows stay: the take publishes them after the grace
      throw new IllegalStateException(batch.size() + " new task message(s) not confirmed by the broker;"
          + " the outbox relay publishes them after the grace", failure);
    }
    synchronized (confirmed) {
      if (confirmed.isEmpty()) {
        confirmedSinceNanos = System.nanoTime();
      }
      due.forEach(f -> confirmed.add(f.outboxRow()));
    }
    handedOverTasks.increment(batch.size());
  }

  /**
   * Deletes the outbox rows of the confirmed hand-overs in one statement: when {@code now}, when a
   * batch of them waits, or when the oldest has waited {@link #DELETE_LINGER}. A failed delete keeps
   * them for the next round (the hand-over loop waits 1 s after a failure).
   */
  private void deleteConfirmed(boolean now) {
    List<Long> ids;
    synchronized (confirmed) {
      if (confirmed.isEmpty() || !now && confirmed.size() < batchSize
          && System.nanoTime() - confirmedSinceNanos < deleteLingerNanos) {
        return;
      }
      ids = new ArrayList<>(confirmed);
      confirmed.clear();
    }
    try {
      outbox.deleteByIds(ids);
    } catch (RuntimeException e) {
      synchronized (confirmed) {
        if (confirmed.isEmpty()) {
          confirmedSinceNanos = System.nanoTime();
        }
        confirmed.addAll(ids);
      }
      throw e;
    }
  }

  /** Nanoseconds until the confirmed rows are due to be deleted (0 if they are); a long time if none wait. */
  private long nanosUntilDeleteDue() {
    synchronized (confirmed) {
      return confirmed.isEmpty() ? Long.MAX_VALUE
          : Math.max(0, deleteLingerNanos - (System.nanoTime() - confirmedSinceNanos));
    }
  }

  /**
   * Publishes the rows' messages as one batch (rows whose task is gone or no longer waiting need
   * none); returns null when the broker confirmed all of them, else the failure.
   */
  private Exception publish(List<OutboxRow> rows) {
    List<Exchange> batch = new ArrayList<>();
    Map<UUID, Task> byId = new HashMap<>();
    for (Task t : tasks.findAll(rows.stream().map(OutboxRow::taskId).distinct().toList())) {
      byId.put(t.id(), t);
    }
    int events = 0;
    for (OutboxRow row : rows) {
      Task task = byId.get(row.taskId());
      boolean event = "event".equals(row.kind());
      Optional<Map<String, Object>> headers = task == null ? Optional.empty()
          : event ? Optional.of(eventHeaders(task)) : taskHeaders(task);
      if (headers.isEmpty()) {
        continue; // task gone or no longer waiting: nothing to publish
      }
      batch.add(message(headers.get(), event ? eventBody(task) : taskBody(task)));
      events += event ? 1 : 0;
    }
    Exception failure = send(batch);
    if (failure == null) {
      takenEvents.increment(events);
      takenTasks.increment(batch.size() - events);
    }
    return failure;
  }

  private Exchange message(Map<String, Object> headers, String body) {
    Exchange message = new DefaultExchange(producer.getCamelContext());
    message.getIn().setHeaders(headers);
    message.getIn().setBody(body);
    return message;
  }

  /** Publishes the messages as one batch; null when the broker confirmed all of them, else the failure. */
  private Exception send(List<Exchange> batch) {
    if (batch.isEmpty()) {
      return null;
    }
    // one exchange for the whole batch: the sink publishes every message, then waits for all the
    // broker's confirms at once (not one round trip per message)
    Exchange result = producer.send("kamelet:" + broker + "-task-sink", e -> e.getIn().setBody(batch));
    return result.getException();
  }

  private Optional<Map<String, Object>> taskHeaders(Task task) {
    if (task.status() != TaskStatus.PENDING) {
      return Optional.empty();
    }
    Map<String, Object> h = cloudEvent(task.id().toString(), task.type(), task);
    h.put(TaskMessages.CE_FORMAT, Integer.toString(TaskMessages.FORMAT_VERSION));
    if ("rabbitmq".equals(broker)) {
      h.put("CamelSpringRabbitmqExchangeOverrideName", TaskMessages.TASKS_EXCHANGE);
      h.put("CamelSpringRabbitmqRoutingOverrideKey", TaskMessages.taskDestination(task.type()));
      h.put("CamelSpringRabbitmqPriority", task.priority());
    } else {
      h.put("kafka.OVERRIDE_TOPIC", TaskMessages.taskDestination(task.type()));
      h.put("kafka.KEY", task.id().toString());
    }
    return Optional.of(h);
  }

  private Map<String, Object> eventHeaders(Task task) {
    String status = task.status().name();
    Map<String, Object> h = cloudEvent(task.id() + "." + status.toLowerCase(), TaskMessages.eventType(status), task);
    h.put(TaskMessages.CE_SUBJECT, task.id().toString());
    if ("rabbitmq".equals(broker)) {
      h.put("CamelSpringRabbitmqExchangeOverrideName", TaskMessages.EVENTS_EXCHANGE);
      h.put("CamelSpringRabbitmqRoutingOverrideKey", TaskMessages.eventRoutingKey(task.type(), status));
    } else {
      h.put("kafka.OVERRIDE_TOPIC", TaskMessages.EVENTS_TOPIC);
      h.put("kafka.KEY", task.id().toString());
    }
    return h;
  }

  private Map<String, Object> cloudEvent(String id, String type, Task task) {
    Map<String, Object> h = new HashMap<>();
    h.put(TaskMessages.CE_SPECVERSION, "1.0");
    h.put(TaskMessages.CE_ID, id);
    h.put(TaskMessages.CE_SOURCE, TaskMessages.SOURCE);
    h.put(TaskMessages.CE_TYPE, type);
    h.put(TaskMessages.CE_TIME, Instant.now().toString());
    h.put(TaskMessages.CE_DATACONTENTTYPE, "application/json");
    if (task.traceparent() != null) {
      h.put(TaskMessages.TRACEPARENT, task.traceparent());
    }
    return h;
  }

  private String taskBody(Task task) {
    return "{\"taskId\":\"" + task.id() + "\"}";
  }

  private String eventBody(Task task) {
    try {
      ObjectNode data = json.valueToTree(TaskView.of(task));
      data.remove("callback");
      return json.writeValueAsString(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
