package io.taskgate.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskgate.state.TaskStore;
import io.taskgate.task.ClaimedTask;
import io.taskgate.worker.RunningTasks;
import io.taskgate.worker.WorkerGate;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns a broker message into a claimed task, for the {@code rabbitmq-} and {@code kafka-task-source}
 * kamelets. Sets exchange property {@link #OUTCOME}: {@code claimed} (body is the ClaimedTask),
 * {@code skip} (duplicate or late: the task is running, finished or cancelled — acknowledge and
 * drop), {@code poison} (unreadable: dead-letter it and fail its task), or {@code requeue} (a
 * message format this version does not know, from a newer Taskgate during a rolling deploy).
 */
@Component("brokerTasks")
public class BrokerTasks {

  public static final String OUTCOME = "taskgate.outcome";
  public static final String POISON_REASON = "taskgate.poisonReason";

  private static final Logger log = LoggerFactory.getLogger(BrokerTasks.class);

  private final TaskStore store;
  private final RunningTasks running;
  private final ObjectMapper json;
  private final WorkerGate gate;

  public BrokerTasks(TaskStore store, RunningTasks running, ObjectMapper json, WorkerGate gate) {
    this.gate = gate;
    this.store = store;
    this.running = running;
    this.json = json;
  }

  public void claim(Exchange exchange) {
    var in = exchange.getIn();
    String format = in.getHeader(TaskMessages.CE_FORMAT, String.class);
    if (format != null && !format.equals(Integer.toString(TaskMessages.FORMAT_VERSION))) {
      exchange.setProperty(OUTCOME, "requeue");
      return;
    }
    UUID id = idFromHeader(in.getHeader(TaskMessages.CE_ID, String.class));
    UUID bodyId = null;
    String reason = null;
    try {
      JsonNode body = json.readTree(in.getBody(byte[].class));
      bodyId = UUID.fromString(body.path("taskId").asText());
    } catch (Exception e) {
      reason = "unreadable task message: " + e.getMessage();
    }
    if (reason == null && format == null) {
      reason = "task message without " + TaskMessages.CE_FORMAT + " header";
    }
    if (reason == null && id != null && !id.equals(bodyId)) {
      reason = "task message whose ce_id and taskId differ";
    }
    if (reason != null) {
      poison(exchange, id != null ? id : bodyId, reason);
      return;
    }
    if (!gate.admit()) {
      // shutting down, or a one-shot worker that has its task: leave the message for another
      exchange.setProperty(OUTCOME, "requeue");
      return;
    }
    Optional<ClaimedTask> claimed = store.claimById(bodyId, running.owner(), running.lease());
    if (claimed.isEmpty()) {
      gate.release();
      log.debug("task {}: message dropped, the task is not waiting to run (duplicate or late)", bodyId);
      exchange.setProperty(OUTCOME, "skip");
      return;
    }
    in.setBody(claimed.get());
    exchange.setProperty(OUTCOME, "claimed");
  }

  private void poison(Exchange exchange, UUID id, String reason) {
    log.warn("poison message for task {} goes to the dead-letter destination: {}", id, reason);
    exchange.setProperty(OUTCOME, "poison");
    exchange.setProperty(POISON_REASON, reason);
    if (id != null) {
      store.failPoisoned(id, reason);
    }
  }

  private static UUID idFromHeader(String value) {
    try {
      return value == null ? null : UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
